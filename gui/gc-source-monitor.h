/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-dbus-generated.h"
#include "gc-history.h"
#include "gc-member-list.h"

G_BEGIN_DECLS

#define GC_TYPE_SOURCE_MONITOR (gc_source_monitor_get_type ())
G_DECLARE_FINAL_TYPE (GcSourceMonitor, gc_source_monitor, GC, SOURCE_MONITOR, GObject)

GcSourceMonitor *gc_source_monitor_new                     (void);
GcDBusSource1   *gc_source_monitor_get_source              (GcSourceMonitor *self);
void             gc_source_monitor_set_source              (GcSourceMonitor *self,
                                                            GcDBusSource1   *source);
GcMemberList    *gc_source_monitor_get_members             (GcSourceMonitor *self);
GcHistory       *gc_source_monitor_get_bitrate_history     (GcSourceMonitor *self);
GcHistory       *gc_source_monitor_get_packet_rate_history (GcSourceMonitor *self);

G_END_DECLS
