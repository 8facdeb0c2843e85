/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * watches one PipeWire node through the screen cast's own remote: when
 * the desktop destroys the stream (xdg-desktop-portal-wlr ends a cast
 * that way, without a Closed signal; pipewiresrc then just stops), the
 * node leaves the registry and ::gone is emitted on the main loop.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GC_TYPE_PIPEWIRE_WATCH (gc_pipewire_watch_get_type ())
G_DECLARE_FINAL_TYPE (GcPipewireWatch, gc_pipewire_watch, GC, PIPEWIRE_WATCH, GObject)

gboolean         gc_pipewire_check     (GError **error);
GcPipewireWatch *gc_pipewire_watch_new (gint fd,
                                        guint32 node,
                                        GError **error);

G_END_DECLS
