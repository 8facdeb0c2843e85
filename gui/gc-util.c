/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcUtil"

#include "config.h"

#include "gc-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>

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
