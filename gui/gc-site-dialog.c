/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPanel"

#include "config.h"

#include "gc-site-dialog.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "gc-util.h"

/* the code changes every 2 minutes (and after a lock): read it this often */
#define CODE_POLL_MS 1000

/* ---- create ---------------------------------------------------------------- */

static void
on_created (GObject *object, GAsyncResult *result, gpointer data)
{
  g_autoptr (GtkWidget) toasts = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);

  if (ret != NULL)
    gc_util_toast (toasts, _("This computer has the site's key now: pair each display with it"));
  else
    {
      g_autofree gchar *detail = NULL;
      g_autofree gchar *sentence = gc_util_explain_error (error, &detail);
      /* TRANSLATORS: %s says why, in a sentence */
      g_autofree gchar *text = g_strdup_printf (_("Could not create a site key: %s"), sentence);

      gc_util_toast_details (toasts, text, detail);
    }
}

static void
on_create_response (AdwMessageDialog *dialog, const gchar *response, gpointer data)
{
  GcDBusAgent1 *agent = g_object_get_data (G_OBJECT (dialog), "gc-agent");
  GtkWidget *toasts = g_object_get_data (G_OBJECT (dialog), "gc-toasts");

  if (g_strcmp0 (response, "create") != 0)
    return;
  g_dbus_proxy_call (G_DBUS_PROXY (agent), "CreateSiteKey", NULL, G_DBUS_CALL_FLAGS_NONE, 10000,
                     NULL, on_created, g_object_ref (toasts));
}

void
gc_site_dialog_create (GtkWindow *parent, GcDBusAgent1 *agent, GtkWidget *toasts)
{
  AdwMessageDialog *dialog;

  g_return_if_fail (GC_DBUS_IS_AGENT1 (agent) && GTK_IS_WIDGET (toasts));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Create a Site Key?"), NULL));
  adw_message_dialog_set_body (dialog,
                               _("Do this on the first computer of a site only. This computer "
                                 "makes a new key; displays and other computers then join the "
                                 "site by pairing with it. If your site has a key already, "
                                 "choose Join a Site instead."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "create", _("C_reate"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "create", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "create");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "gc-agent", g_object_ref (agent), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "gc-toasts", g_object_ref (toasts), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_create_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- join ------------------------------------------------------------------ */

typedef struct
{
  AdwMessageDialog *dialog; /* weak: the dialog owns this */
  GcDBusAgent1 *agent;
  GcDBusReceiver1 *receiver;
  GtkWidget *toasts;
  GtkLabel *code;
  GtkLabel *note;
  GCancellable *cancellable;
  guint poll_id;
  gulong authenticated_id;
  gboolean started; /* this dialog started pairing: it stops it on Cancel */
  gboolean joined;
} Join;

static void
join_free (Join *j)
{
  g_cancellable_cancel (j->cancellable);
  g_clear_handle_id (&j->poll_id, g_source_remove);
  g_clear_signal_handler (&j->authenticated_id, j->agent);
  if (j->started && !j->joined)
    g_dbus_proxy_call (G_DBUS_PROXY (j->receiver), "StopPairing", NULL, G_DBUS_CALL_FLAGS_NONE,
                       5000, NULL, NULL, NULL);
  g_object_unref (j->cancellable);
  g_object_unref (j->agent);
  g_object_unref (j->receiver);
  g_object_unref (j->toasts);
  g_free (j);
}

static void
show_problem (Join *j, GError *error)
{
  g_autofree gchar *detail = NULL;
  g_autofree gchar *sentence = gc_util_explain_error (error, &detail);

  gtk_label_set_label (j->code, "");
  gtk_label_set_label (j->note, sentence);
}

static void
on_code (GObject *object, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);
  Join *j = data;
  const gchar *code;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ret == NULL)
    {
      show_problem (j, error);
      return;
    }
  g_variant_get (ret, "(&s)", &code);
  if (strlen (code) == 6)
    {
      /* as the display groups it: "123 456" */
      g_autofree gchar *spaced = g_strdup_printf ("%.3s %s", code, code + 3);

      gtk_label_set_label (j->code, spaced);
      gtk_label_set_label (j->note, _("The code changes every 2 minutes; this window follows it."));
    }
}

static gboolean
poll_code (gpointer data)
{
  Join *j = data;

  g_dbus_proxy_call (G_DBUS_PROXY (j->receiver), "GetPairingCode", NULL, G_DBUS_CALL_FLAGS_NONE,
                     5000, j->cancellable, on_code, j);
  return G_SOURCE_CONTINUE;
}

static void
on_started (GObject *object, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);
  Join *j = data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ret == NULL)
    {
      show_problem (j, error);
      return;
    }
  poll_code (j);
  j->poll_id = g_timeout_add (CODE_POLL_MS, poll_code, j);
}

static void
on_authenticated (GcDBusAgent1 *agent, GParamSpec *pspec, Join *j)
{
  if (!gc_dbus_agent1_get_authenticated (agent))
    return;
  j->joined = TRUE;
  gc_util_toast (j->toasts, _("This computer joined the site"));
  /* closing frees j */
  gtk_window_close (GTK_WINDOW (j->dialog));
}

void
gc_site_dialog_join (GtkWindow *parent, GcDBusAgent1 *agent, GcDBusReceiver1 *receiver,
                     GtkWidget *toasts)
{
  AdwMessageDialog *dialog;
  GtkWidget *box, *code, *note;
  const gchar *name;
  Join *j;

  g_return_if_fail (GC_DBUS_IS_AGENT1 (agent) && GC_DBUS_IS_RECEIVER1 (receiver)
                    && GTK_IS_WIDGET (toasts));

  name = gc_dbus_agent1_get_name (agent) != NULL ? gc_dbus_agent1_get_name (agent) : "";
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Join a Site"), NULL));
  /* TRANSLATORS: %s is this computer's name */
  adw_message_dialog_format_body (dialog,
                                  _("On a computer that is already part of the site, open "
                                    "Groupcast, select “%s” in its list of receivers, choose "
                                    "Pair… and type this code. This computer then gets the "
                                    "site's key."),
                                  name);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  code = gtk_label_new ("");
  gtk_widget_add_css_class (code, "title-1");
  gtk_widget_add_css_class (code, "numeric");
  gtk_label_set_selectable (GTK_LABEL (code), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (code), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Pairing code"), -1);
  note = gtk_label_new (_("Asking the agent for a code…"));
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_justify (GTK_LABEL (note), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_box_append (GTK_BOX (box), code);
  gtk_box_append (GTK_BOX (box), note);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), NULL);
  adw_message_dialog_set_close_response (dialog, "cancel");

  j = g_new0 (Join, 1);
  j->dialog = dialog;
  j->agent = g_object_ref (agent);
  j->receiver = g_object_ref (receiver);
  j->toasts = g_object_ref (toasts);
  j->code = GTK_LABEL (code);
  j->note = GTK_LABEL (note);
  j->cancellable = g_cancellable_new ();
  /* a receiver without a key pairs already (it shows the code on its
   * screen); one that does not is started here, and stopped on Cancel */
  j->started = !gc_dbus_receiver1_get_pairing (receiver);
  j->authenticated_id = g_signal_connect (agent, "notify::authenticated",
                                          G_CALLBACK (on_authenticated), j);
  g_object_set_data_full (G_OBJECT (dialog), "gc-join", j, (GDestroyNotify) join_free);
  if (j->started)
    g_dbus_proxy_call (G_DBUS_PROXY (receiver), "StartPairing", NULL, G_DBUS_CALL_FLAGS_NONE,
                       5000, j->cancellable, on_started, j);
  else
    {
      poll_code (j);
      j->poll_id = g_timeout_add (CODE_POLL_MS, poll_code, j);
    }
  gtk_window_present (GTK_WINDOW (dialog));
}
