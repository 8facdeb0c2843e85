/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the Pair dialog: asks for the code a display shows at the top of its
 * screen, and gives it this site's key through the local agent
 * (Agent1.Pair); the outcome is a toast in @toasts' window
 */
#pragma once

#include <gtk/gtk.h>

#include "gc-dbus-generated.h"

G_BEGIN_DECLS

void   gc_pair_dialog_present   (GtkWindow    *parent,
                                 GcDBusAgent1 *agent,
                                 const gchar  *peer_id,
                                 const gchar  *peer_name,
                                 GtkWidget    *toasts);
/* the sentence for a failed Pair, translated (pure but for gettext) */
gchar *gc_pair_dialog_explain   (GError       *error,
                                 gchar       **detail);

G_END_DECLS
