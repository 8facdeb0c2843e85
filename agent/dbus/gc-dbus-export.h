/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-agent.h"

G_BEGIN_DECLS

#define GC_TYPE_DBUS_EXPORT (gc_dbus_export_get_type ())
G_DECLARE_FINAL_TYPE (GcDBusExport, gc_dbus_export, GC, DBUS_EXPORT, GObject)

GcDBusExport *gc_dbus_export_new   (GcAgent *agent);
/* connects (and reconnects when the bus comes back) to ADDRESS, or to the
 * session or system bus when ADDRESS is NULL */
void          gc_dbus_export_start (GcDBusExport *self,
                                    GBusType bus_type,
                                    const gchar *address);
void          gc_dbus_export_stop  (GcDBusExport *self);

G_END_DECLS
