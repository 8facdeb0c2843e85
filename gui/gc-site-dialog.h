/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the first run of a computer without a site key: the banner's two ways in.
 * Create makes the site's first key (Agent1.CreateSiteKey); Join shows the
 * code this computer's agent pairs with (Receiver1.StartPairing and
 * GetPairingCode), to be typed at a panel of the site, and closes once the
 * key came (Agent1.Authenticated). outcomes are toasts in @toasts' window
 */
#pragma once

#include <gtk/gtk.h>

#include "gc-dbus-generated.h"

G_BEGIN_DECLS

void gc_site_dialog_create (GtkWindow       *parent,
                            GcDBusAgent1    *agent,
                            GtkWidget       *toasts);
void gc_site_dialog_join   (GtkWindow       *parent,
                            GcDBusAgent1    *agent,
                            GcDBusReceiver1 *receiver,
                            GtkWidget       *toasts);

G_END_DECLS
