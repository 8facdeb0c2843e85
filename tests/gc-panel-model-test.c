/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPanelModelTest"

#include "config.h"

#include <glib/gstdio.h>

#include "gc-application.h"
#include "gc-history.h"
#include "gc-member-list-model.h"

/* the panel's models, which need neither a display nor an agent */

static void
count_changed (guint *count)
{
  (*count)++;
}

static void
test_history (void)
{
  g_autoptr (GcHistory) history = gc_history_new ();
  guint changed = 0;

  g_signal_connect_swapped (history, "changed", G_CALLBACK (count_changed), &changed);

  g_assert_cmpuint (gc_history_get_length (history), ==, 0);
  g_assert_cmpfloat (gc_history_get_last (history), ==, 0);
  for (guint i = 1; i <= GC_HISTORY_LENGTH + 5; i++)
    gc_history_push (history, i);
  /* the ring keeps the newest minute, oldest first */
  g_assert_cmpuint (gc_history_get_length (history), ==, GC_HISTORY_LENGTH);
  g_assert_cmpfloat (gc_history_get (history, 0), ==, 6);
  g_assert_cmpfloat (gc_history_get_last (history), ==, GC_HISTORY_LENGTH + 5);
  g_assert_cmpfloat (gc_history_get_max (history), ==, GC_HISTORY_LENGTH + 5);
  g_assert_cmpuint (changed, ==, GC_HISTORY_LENGTH + 5);
  gc_history_clear (history);
  g_assert_cmpuint (gc_history_get_length (history), ==, 0);
}

static GVariant *
members_variant (const gchar *first_address,
                 ...)
{
  g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sa{sv}}"));
  va_list ap;

  va_start (ap, first_address);
  for (const gchar *a = first_address; a != NULL; a = va_arg (ap, const gchar *))
    {
      gdouble lost = va_arg (ap, gdouble);
      gdouble jitter = va_arg (ap, gdouble);
      g_auto (GVariantBuilder) m = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

      g_variant_builder_add (&m, "{sv}", "address", g_variant_new_string (a));
      g_variant_builder_add (&m, "{sv}", "name", g_variant_new_string ("room"));
      g_variant_builder_add (&m, "{sv}", "state", g_variant_new_string ("playing"));
      g_variant_builder_add (&m, "{sv}", "fraction-lost", g_variant_new_double (lost));
      g_variant_builder_add (&m, "{sv}", "packets-lost", g_variant_new_int64 (7));
      g_variant_builder_add (&m, "{sv}", "jitter-ms", g_variant_new_double (jitter));
      g_variant_builder_add (&m, "{sv}", "rtt-ms", g_variant_new_double (1.5));
      g_variant_builder_add (&m, "{sv}", "report-age-ms", g_variant_new_int64 (300));
      /* a key the panel does not know */
      g_variant_builder_add (&m, "{sv}", "session", g_variant_new_string ("x"));
      g_variant_builder_add (&b, "{s@a{sv}}", a, g_variant_builder_end (&m));
    }
  va_end (ap);
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
test_members_model (void)
{
  g_autoptr (GcMemberListModel) model = gc_member_list_model_new ();
  g_autoptr (GVariant) two = members_variant ("10.0.0.2", 0.0, 1.0, "10.0.0.3", 0.5, 2.0, NULL);
  g_autoptr (GVariant) two_later = members_variant ("10.0.0.2", 0.25, 3.0, "10.0.0.3", 0.5, 2.0, NULL);
  g_autoptr (GVariant) one = members_variant ("10.0.0.3", 0.5, 2.0, NULL);
  g_autoptr (GcMemberItem) first = NULL;
  guint changes = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &changes);

  gc_member_list_model_set_members (model, two);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (gc_member_item_get_address (first), ==, "10.0.0.2");
  g_assert_cmpstr (gc_member_item_get_name (first), ==, "room");
  g_assert_cmpfloat (gc_member_item_get_jitter_ms (first), ==, 1.0);
  g_assert_cmpint (gc_member_item_get_packets_lost (first), ==, 7);
  g_assert_cmpint (gc_member_item_get_report_age_ms (first), ==, 300);

  /* new figures update the same object in place: no rows come or go */
  changes = 0;
  gc_member_list_model_set_members (model, two_later);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpfloat (gc_member_item_get_fraction_lost (first), ==, 0.25);
  g_assert_cmpfloat (gc_member_item_get_jitter_ms (first), ==, 3.0);

  /* sampling feeds the plots: loss in percent */
  gc_member_list_model_sample (model);
  g_assert_cmpuint (gc_history_get_length (gc_member_item_get_loss_history (first)), ==, 1);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_loss_history (first)), ==, 25.0);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_jitter_history (first)), ==, 3.0);

  /* a member that left is removed; the other stays */
  gc_member_list_model_set_members (model, one);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_null (gc_member_list_model_find (model, "10.0.0.2"));
  g_assert_nonnull (gc_member_list_model_find (model, "10.0.0.3"));

  gc_member_list_model_set_members (model, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
}

static void
test_bus_setting (void)
{
  g_autofree gchar *path = g_build_filename (g_get_user_config_dir (), "groupcast",
                                             "panel.ini", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *contents = NULL;

  g_unlink (path);
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SESSION);
  g_assert_true (gc_application_save_bus (G_BUS_TYPE_SYSTEM, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SYSTEM);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "bus=system"));
  g_assert_true (gc_application_save_bus (G_BUS_TYPE_SESSION, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SESSION);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *config = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  config = g_dir_make_tmp ("gc-panel-model-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  g_test_add_func ("/groupcast/panel/history", test_history);
  g_test_add_func ("/groupcast/panel/members-model", test_members_model);
  g_test_add_func ("/groupcast/panel/bus-setting", test_bus_setting);
  ret = g_test_run ();

  {
    g_autofree gchar *ini = g_build_filename (config, "groupcast", "panel.ini", NULL);
    g_autofree gchar *dir = g_build_filename (config, "groupcast", NULL);

    g_unlink (ini);
    g_rmdir (dir);
    g_rmdir (config);
  }
  return ret;
}
