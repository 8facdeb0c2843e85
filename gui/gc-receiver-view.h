/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gc-dbus-generated.h"

G_BEGIN_DECLS

#define GC_TYPE_RECEIVER_VIEW (gc_receiver_view_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiverView, gc_receiver_view, GC, RECEIVER_VIEW, GtkWidget)

GcDBusReceiver1 *gc_receiver_view_get_receiver (GcReceiverView  *self);
void             gc_receiver_view_set_receiver (GcReceiverView  *self,
                                                GcDBusReceiver1 *receiver);
void             gc_receiver_view_set_sources  (GcReceiverView  *self,
                                                GListModel      *sources);

G_END_DECLS
