/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-dbus-generated.h"
#include "gc-history.h"

G_BEGIN_DECLS

#define GC_TYPE_RECEIVER_MONITOR (gc_receiver_monitor_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiverMonitor, gc_receiver_monitor, GC, RECEIVER_MONITOR, GObject)

GcReceiverMonitor *gc_receiver_monitor_new                 (void);
GcDBusReceiver1   *gc_receiver_monitor_get_receiver        (GcReceiverMonitor *self);
void               gc_receiver_monitor_set_receiver        (GcReceiverMonitor *self,
                                                            GcDBusReceiver1   *receiver);
GcHistory         *gc_receiver_monitor_get_bitrate_history (GcReceiverMonitor *self);

G_END_DECLS
