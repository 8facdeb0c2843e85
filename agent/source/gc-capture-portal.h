/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * one screen cast through the desktop's ScreenCast portal
 * (org.freedesktop.portal.ScreenCast on the session bus): the portal's own
 * dialog picks a monitor or a window, the cursor is drawn into the
 * picture, and a restore token kept in a file lets the next share of the
 * same monitor skip the dialog. what it gives is a PipeWire remote (an fd)
 * and the stream's node, for pipewiresrc.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define GC_TYPE_CAPTURE_PORTAL (gc_capture_portal_get_type ())
G_DECLARE_FINAL_TYPE (GcCapturePortal, gc_capture_portal, GC, CAPTURE_PORTAL, GObject)

GcCapturePortal *gc_capture_portal_new          (const gchar *token_path);
void             gc_capture_portal_start_async  (GcCapturePortal *self,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data);
gboolean         gc_capture_portal_start_finish (GcCapturePortal *self,
                                                 GAsyncResult *result,
                                                 GError **error);
void             gc_capture_portal_close        (GcCapturePortal *self);
gint             gc_capture_portal_get_fd       (GcCapturePortal *self);
gint             gc_capture_portal_get_watch_fd (GcCapturePortal *self);
guint32          gc_capture_portal_get_node     (GcCapturePortal *self);
void             gc_capture_portal_get_size     (GcCapturePortal *self,
                                                 gint *width,
                                                 gint *height);
gboolean         gc_capture_portal_used_token   (GcCapturePortal *self);

G_END_DECLS
