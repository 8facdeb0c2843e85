/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gc-peer-item.h"

G_BEGIN_DECLS

#define GC_TYPE_PEER_ROW (gc_peer_row_get_type ())
G_DECLARE_FINAL_TYPE (GcPeerRow, gc_peer_row, GC, PEER_ROW, GtkWidget)

GcPeerItem *gc_peer_row_get_peer (GcPeerRow  *self);
void        gc_peer_row_set_peer (GcPeerRow  *self,
                                  GcPeerItem *peer);
void        gc_peer_row_popup_menu (GcPeerRow *self,
                                    gdouble    x,
                                    gdouble    y);
GtkPopover *gc_peer_row_get_menu (GcPeerRow  *self);

G_END_DECLS
