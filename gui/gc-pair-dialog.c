/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPanel"

#include "config.h"

#include "gc-pair-dialog.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "gc-pairing-code.h"
#include "gc-util.h"

#define PAIR_TIMEOUT_MS 45000

typedef struct
{
  GcDBusAgent1 *agent;
  gchar *peer_id;
  gchar *peer_name;
  GtkWidget *toasts;
} Pair;

static void
pair_free (Pair *p)
{
  g_object_unref (p->agent);
  g_free (p->peer_id);
  g_free (p->peer_name);
  g_object_unref (p->toasts);
  g_free (p);
}

/* what went wrong, for a person at the panel: the agent's error kinds mean
 * something particular here (a wrong code is "not authorized") */
gchar *
gc_pair_dialog_explain (GError *error, gchar **detail)
{
  g_autofree gchar *remote = g_dbus_error_get_remote_error (error);
  const gchar *sentence = NULL;

  if (g_strcmp0 (remote, "io.github.Groupcast.Error.NotAuthorized") == 0)
    sentence = _("The code is wrong or has expired. Type the code the display shows now.");
  else if (g_strcmp0 (remote, "io.github.Groupcast.Error.Refused") == 0)
    sentence = _("The display takes no codes for a minute after wrong ones, or someone else is "
                 "pairing with it. Wait, then try again.");
  else if (g_strcmp0 (remote, "io.github.Groupcast.Error.Unreachable") == 0)
    sentence = _("The display shows no pairing code now, or cannot be reached.");
  if (sentence == NULL)
    return gc_util_explain_error (error, detail);
  g_dbus_error_strip_remote_error (error);
  if (detail != NULL)
    *detail = g_strdup (error->message);
  return g_strdup (sentence);
}

static void
on_pair_done (GObject *object, GAsyncResult *result, gpointer data)
{
  Pair *p = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr (GVariant) ret = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);

  if (ret != NULL)
    {
      /* TRANSLATORS: %s is the display's name */
      text = g_strdup_printf (_("“%s” is paired with this site"), p->peer_name);
      gc_util_toast (p->toasts, text);
    }
  else
    {
      g_autofree gchar *detail = NULL;
      g_autofree gchar *sentence = gc_pair_dialog_explain (error, &detail);

      /* TRANSLATORS: "Could not pair “Room 3”: The code is wrong…" */
      text = g_strdup_printf (_("Could not pair “%s”: %s"), p->peer_name, sentence);
      gc_util_toast_details (p->toasts, text, detail);
    }
  pair_free (p);
}

static void
code_changed (GtkEditable *entry, AdwMessageDialog *dialog)
{
  gchar code[GC_PAIRING_CODE_DIGITS + 1];

  adw_message_dialog_set_response_enabled (
    dialog, "pair", gc_pairing_code_normalize (gtk_editable_get_text (entry), code));
}

static void
on_response (AdwMessageDialog *dialog, const gchar *response, gpointer data)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gchar code[GC_PAIRING_CODE_DIGITS + 1];
  Pair *p;

  if (g_strcmp0 (response, "pair") != 0
      || !gc_pairing_code_normalize (gtk_editable_get_text (entry), code))
    return;
  /* the call owns it now; the dialog goes */
  p = g_object_steal_data (G_OBJECT (dialog), "gc-pair");
  /* the agent bounds each step of the exchange (10 s); this call's own
   * bound is above them all */
  g_dbus_proxy_call (G_DBUS_PROXY (p->agent), "Pair", g_variant_new ("(ss)", p->peer_id, code),
                     G_DBUS_CALL_FLAGS_NONE, PAIR_TIMEOUT_MS, NULL, on_pair_done, p);
}

void
gc_pair_dialog_present (GtkWindow *parent, GcDBusAgent1 *agent, const gchar *peer_id,
                        const gchar *peer_name, GtkWidget *toasts)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  Pair *p;

  g_return_if_fail (GC_DBUS_IS_AGENT1 (agent) && peer_id != NULL && GTK_IS_WIDGET (toasts));

  p = g_new0 (Pair, 1);
  p->agent = g_object_ref (agent);
  p->peer_id = g_strdup (peer_id);
  p->peer_name = g_strdup (peer_name != NULL ? peer_name : peer_id);
  p->toasts = g_object_ref (toasts);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Pair Display"), NULL));
  /* TRANSLATORS: %s is the display's name */
  adw_message_dialog_format_body (dialog,
                                  _("Type the six-digit code that “%s” shows at the top of its "
                                    "screen. The display then gets this site's key and takes "
                                    "switches from it."),
                                  p->peer_name);
  entry = gtk_entry_new ();
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_DIGITS);
  gtk_entry_set_max_length (GTK_ENTRY (entry), 9);
  /* TRANSLATORS: an example of a pairing code, as the display groups it */
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("123 456"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Pairing code"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "pair", _("_Pair"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "pair", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "pair", FALSE);
  adw_message_dialog_set_default_response (dialog, "pair");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (entry, "changed", G_CALLBACK (code_changed), dialog);
  g_object_set_data_full (G_OBJECT (dialog), "gc-pair", p, (GDestroyNotify) pair_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}
