/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the receiver's window on an X11 desktop: made once for the agent's life,
 * borderless and full screen on the chosen monitor (XRandR), the cursor
 * hidden; or a plain window with --windowed. the display's video sink
 * draws into it (GstVideoOverlay).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define GC_TYPE_DISPLAY_WINDOW (gc_display_window_get_type ())
G_DECLARE_FINAL_TYPE (GcDisplayWindow, gc_display_window, GC, DISPLAY_WINDOW, GObject)

GcDisplayWindow *gc_display_window_new      (const gchar *output,
                                             gboolean     windowed,
                                             const gchar *title,
                                             GError     **error);
guintptr         gc_display_window_get_xid  (GcDisplayWindow *self);
void             gc_display_window_get_size (GcDisplayWindow *self,
                                             gint            *width,
                                             gint            *height);

G_END_DECLS
