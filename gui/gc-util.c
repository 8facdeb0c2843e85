/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcUtil"

#include "config.h"

#include "gc-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

/* the few things more than one widget says the same way */

/* show message in the toast overlay that holds within (or is within), and
 * in the log, where a message the user saw belongs too */
void
gc_util_toast (GtkWidget   *within,
               const gchar *message)
{
  GtkWidget *overlay;

  g_return_if_fail (GTK_IS_WIDGET (within));
  g_return_if_fail (message != NULL);

  g_message ("%s", message);
  overlay = gtk_widget_get_ancestor (within, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

/* bits per second in words, e.g. "2.41 Mbit/s" */
gchar *
gc_util_format_bitrate (guint64 bps)
{
  if (bps >= 1000000)
    return g_strdup_printf (_("%.2f Mbit/s"), bps / 1e6);
  return g_strdup_printf (_("%.0f kbit/s"), bps / 1e3);
}

/* whether a PropertiesChanged (its a{sv} of changed properties) names any
 * of names, D-Bus property names such as "Bitrate" */
gboolean
gc_util_changed_any (GVariant            *changed_properties,
                     const gchar * const *names)
{
  g_return_val_if_fail (changed_properties != NULL, FALSE);
  g_return_val_if_fail (names != NULL, FALSE);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GVariant) value = g_variant_lookup_value (changed_properties, names[i], NULL);

      if (value != NULL)
        return TRUE;
    }
  return FALSE;
}

/* what went wrong, in a translated sentence a person acts on, for one of
 * the agent's error kinds: the last part of a D-Bus error name
 * (io.github.Groupcast.Error.NotAuthorized) or the words a switch row
 * starts with ("not authorized: ...") */
static const gchar *
kind_sentence (const gchar *kind)
{
  static const struct
  {
    const gchar *name;
    const gchar *words;
    const gchar *sentence;
  } kinds[] = {
    /* TRANSLATORS: a display or the agent refused a request it could not check */
    { "NotAuthorized", "not authorized", N_("Not allowed: the display and this computer do not share the site's key, or their clocks differ") },
    { "Unreachable", "unreachable", N_("Cannot reach it on the network") },
    { "Timeout", "timeout", N_("No answer in time") },
    { "Refused", "refused", N_("It refused") },
    { "Stream", "stream error", N_("The picture could not be played") },
    { "NotSupported", "not supported", N_("It cannot do that") },
    { "NotFound", "not found", N_("It is not known (any more)") },
    { "InvalidArgs", "invalid arguments", N_("That request is not valid") },
    { "Cancelled", "cancelled", N_("Cancelled") },
    { "Failed", "failed", N_("It did not work") },
    /* the bus's own */
    { "NoReply", NULL, N_("The agent did not answer") },
    { "ServiceUnknown", NULL, N_("The agent is not running") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kind, kinds[i].name) == 0 || g_strcmp0 (kind, kinds[i].words) == 0)
      return _(kinds[i].sentence);
  return NULL;
}

/* @error in a translated sentence; its own words (stripped of the D-Bus
 * error name) into @detail, for those who ask */
gchar *
gc_util_explain_error (GError  *error,
                       gchar  **detail)
{
  g_autofree gchar *remote = g_dbus_error_get_remote_error (error);
  const gchar *kind = remote != NULL && (g_str_has_prefix (remote, "io.github.Groupcast.Error.")
                                         || g_str_has_prefix (remote,
                                                              "org.freedesktop.DBus.Error."))
                      ? strrchr (remote, '.') : NULL;
  const gchar *sentence = kind != NULL ? kind_sentence (kind + 1) : NULL;

  g_dbus_error_strip_remote_error (error);
  if (detail != NULL)
    *detail = g_strdup (error->message);
  if (sentence == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    sentence = kind_sentence ("NoReply");
  /* an error that is not one of the agent's kinds: its own words */
  return g_strdup (sentence != NULL ? sentence : error->message);
}

/* a switch row's message ("unreachable: connect to 10.0.0.7:7237: ...")
 * in a translated sentence, the message itself into @detail */
gchar *
gc_util_explain_result (const gchar  *message,
                        gchar       **detail)
{
  const gchar *colon = message != NULL ? strchr (message, ':') : NULL;
  g_autofree gchar *kind = colon != NULL ? g_strndup (message, colon - message) : NULL;
  const gchar *sentence = kind != NULL ? kind_sentence (kind) : NULL;

  if (detail != NULL)
    *detail = g_strdup (message);
  /* a message of no known kind is the receiver's own sentence */
  return g_strdup (sentence != NULL ? sentence : message != NULL ? message : kind_sentence ("Failed"));
}

/* a toast that says what went wrong in a sentence, with a Details button
 * for the agent's own words (win.details) */
void
gc_util_toast_details (GtkWidget   *within,
                       const gchar *message,
                       const gchar *detail)
{
  GtkWidget *overlay;
  AdwToast *toast;

  g_return_if_fail (GTK_IS_WIDGET (within));
  g_return_if_fail (message != NULL);

  g_message ("%s (%s)", message, detail != NULL ? detail : "");
  overlay = gtk_widget_get_ancestor (within, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    return;
  toast = adw_toast_new (message);
  if (detail != NULL && *detail != '\0')
    {
      adw_toast_set_button_label (toast, _("_Details"));
      adw_toast_set_action_name (toast, "win.details");
      adw_toast_set_action_target_value (toast, g_variant_new_string (detail));
    }
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}
