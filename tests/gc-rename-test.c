/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * renaming a receiver, across the lab: from a source over the signed
 * control channel (Source1.Rename), and on the board itself (a Set of
 * Agent1.Name, as a script would); the new name reaches the source's peer
 * table through the receiver's beacons, and is kept for the next start.
 * Bad names and hosts with another key change nothing.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "gc-test-agent.h"

#define KEY "groupcast-rename-test-site-key"
#define AGENT_IFACE "io.github.Groupcast.Agent1"
#define PEER_IFACE "io.github.Groupcast.Peer1"
#define ROOT_PATH "/io/github/Groupcast"

static gchar *
write_key (GcLab *lab, guint host, const gchar *key)
{
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (gc_lab_host_dir (lab, host), "site.key", NULL);

  g_file_set_contents (path, key, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  return path;
}

static GcTestAgent *
start (GcLab *lab, guint host, const gchar *key, const gchar *role)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *k = g_strdup_printf ("--key-file=%s", key);
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--no-mdns", k, role, "--sink=fake",
                                        "--beacon-interval=500", NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 15000));
  return a;
}

/* the name @a lists for the peer at @address, or NULL */
static gchar *
peer_name (GcTestAgent *a, const gchar *address)
{
  g_autoptr (GVariant) r = gc_test_agent_call (a, ROOT_PATH, "org.freedesktop.DBus.ObjectManager",
                                               "GetManagedObjects", NULL, 2000, NULL);
  g_autoptr (GVariant) objects = NULL;
  GVariantIter it;
  GVariant *ifaces;

  if (r == NULL)
    return NULL;
  objects = g_variant_get_child_value (r, 0);
  g_variant_iter_init (&it, objects);
  while (g_variant_iter_next (&it, "{&o@a{sa{sv}}}", NULL, &ifaces))
    {
      g_autoptr (GVariant) owned = ifaces;
      g_autoptr (GVariant) props = g_variant_lookup_value (ifaces, PEER_IFACE, NULL);
      const gchar *addr = NULL, *name = NULL;

      if (props == NULL)
        continue;
      if (g_variant_lookup (props, "Address", "&s", &addr) && g_strcmp0 (addr, address) == 0
          && g_variant_lookup (props, "Name", "&s", &name))
        return g_strdup (name);
    }
  return NULL;
}

typedef struct
{
  GcTestAgent *a;
  const gchar *address;
  const gchar *name;
} NameWait;

static gboolean
peer_named (gpointer data)
{
  NameWait *w = data;
  g_autofree gchar *name = peer_name (w->a, w->address);

  return g_strcmp0 (name, w->name) == 0;
}

static gchar *
agent_name (GcTestAgent *a)
{
  return gc_test_agent_get_string (a, ROOT_PATH, AGENT_IFACE, "Name");
}

/* the one row of a Rename answer */
static gboolean
rename_row (GVariant *r, gchar **message)
{
  g_autoptr (GVariant) rows = g_variant_get_child_value (r, 0);
  const gchar *id, *msg;
  gboolean ok = FALSE;
  gdouble ms;

  g_assert_cmpuint (g_variant_n_children (rows), ==, 1);
  g_variant_get_child (rows, 0, "(&sb&sd)", &id, &ok, &msg, &ms);
  *message = g_strdup (msg);
  return ok;
}

static GVariant *
source_rename (GcTestAgent *src, const gchar *receiver, const gchar *name, GError **error)
{
  return gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Rename",
                             g_variant_new ("(ss)", receiver, name), 10000, error);
}

static GVariant *
set_name (GcTestAgent *a, const gchar *name, GError **error)
{
  return gc_test_agent_call (a, ROOT_PATH, "org.freedesktop.DBus.Properties", "Set",
                             g_variant_new ("(ssv)", AGENT_IFACE, "Name",
                                            g_variant_new_string (name)),
                             5000, error);
}

static void
test_rename (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autofree gchar *key = NULL;
  g_autofree gchar *other = NULL;
  g_autofree gchar *rx_addr = NULL;
  g_autofree gchar *kept = NULL;
  g_autofree gchar *kept_path = NULL;
  GcTestAgent *all[3] = { 0 };
  NameWait w = { 0 };
  const gchar *bad[] = { "", "   ", "two\nlines", "tab\there",
                         "a name that is longer than sixty-three bytes, which is the most a name has",
                         NULL };

  if (lab == NULL)
    return;
  key = write_key (lab, 1, KEY);
  other = write_key (lab, 3, "another-site-entirely-key");
  all[0] = start (lab, 1, key, "--source");
  all[1] = start (lab, 2, key, "--receiver");
  all[2] = start (lab, 3, other, "--source");
  rx_addr = gc_lab_host_address (lab, 2);
  kept_path = g_build_filename (gc_lab_host_dir (lab, 2), "name", NULL);
  w.a = all[0];
  w.address = rx_addr;
  w.name = "host2";
  g_assert_true (gc_test_wait_until (peer_named, &w, 10000));

  /* from the source, signed: the board takes it, its beacons say it
   * within 2 s, and it is kept */
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *msg = NULL;
    g_autofree gchar *name = NULL;
    g_autoptr (GVariant) r = NULL;
    gint64 t0 = g_get_monotonic_time ();

    r = source_rename (all[0], rx_addr, "Room 3 left", &error);
    g_assert_no_error (error);
    g_assert_true (rename_row (r, &msg));
    g_test_message ("rename: %s", msg);
    name = agent_name (all[1]);
    g_assert_cmpstr (name, ==, "Room 3 left");
    w.name = "Room 3 left";
    g_assert_true (gc_test_wait_until (peer_named, &w, 2000));
    g_test_message ("the source lists the new name %.0f ms after the call",
                    (g_get_monotonic_time () - t0) / 1000.0);
    g_assert_true (g_file_get_contents (kept_path, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "Room 3 left\n");
  }

  /* bad names: a named error, nothing sent, nothing changed */
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) r = source_rename (all[0], rx_addr, bad[i], &error);
      g_autoptr (GVariant) s = NULL;

      g_assert_null (r);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "InvalidArgs"));
      g_clear_error (&error);
      s = set_name (all[1], bad[i], &error);
      g_assert_null (s);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "InvalidArgs"));
      g_assert_nonnull (strstr (error->message, "1 to 63 bytes"));
    }
  /* an unknown receiver: named, nothing sent */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GVariant) r = source_rename (all[0], "no-such-receiver", "Room 9", &error);

    g_assert_null (r);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "NotFound"));
  }
  /* a host with another key: it lists the board as not paired, and
   * refuses to ask it */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GVariant) r = source_rename (all[2], rx_addr, "Taken over", &error);

    g_assert_null (r);
    g_assert_nonnull (error);
    g_test_message ("rename with another key: %s", error->message);
    g_assert_nonnull (strstr (error->message, "NotAuthorized"));
    g_assert_nonnull (strstr (error->message, "not paired with this site"));
  }
  {
    g_autofree gchar *name = agent_name (all[1]);

    g_assert_cmpstr (name, ==, "Room 3 left");
  }

  /* the source has heard several beacons of the other key's agent by now:
   * it said so once, and lists it as not verified */
  {
    g_autofree gchar *log = gc_test_agent_get_log (all[0]);
    g_autofree gchar *other_addr = gc_lab_host_address (lab, 3);
    g_autofree gchar *needle = g_strdup_printf ("host3 at %s", other_addr);
    guint n = 0;

    for (const gchar *at = strstr (log, needle); at != NULL; at = strstr (at + 1, needle))
      n += g_str_has_prefix (strstr (at, ")"), ") is not paired with this site");
    g_assert_cmpuint (n, ==, 1);
    g_assert_nonnull (strstr (log, "its beacons are signed with another key"));
  }

  /* on the board itself, as a script would (gdbus call ... Properties.Set) */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GVariant) r = set_name (all[1], "Board 7 — 教室", &error);
    g_autofree gchar *name = NULL;

    g_assert_no_error (error);
    name = agent_name (all[1]);
    g_assert_cmpstr (name, ==, "Board 7 — 教室");
    w.name = "Board 7 — 教室";
    g_assert_true (gc_test_wait_until (peer_named, &w, 2000));
  }

  /* the next start keeps it, over --name */
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *name = NULL;
    g_autofree gchar *log = NULL;

    g_assert_true (gc_test_agent_restart (all[1], &error));
    g_assert_no_error (error);
    g_assert_true (gc_test_agent_wait_ready (all[1], 15000));
    name = agent_name (all[1]);
    g_assert_cmpstr (name, ==, "Board 7 — 教室");
    log = gc_test_agent_get_log (all[1]);
    g_assert_nonnull (strstr (log, "set by a rename"));
  }
  gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gc_test_agent_free (all[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/rename/lab", test_rename);
  return g_test_run ();
}
