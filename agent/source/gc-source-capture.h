/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what one start of the source captures: the capture word resolved for
 * this session (the portal on Wayland, X11 capture on X11), the portal's
 * screen cast opened for it, and a watch on the running pipeline that says
 * when a desktop capture ended (the portal closed the session, the stream
 * or the display went away).
 */
#pragma once

#include <gio/gio.h>
#include <gst/rtsp-server/rtsp-server.h>

#include "gc-source-launch.h"

G_BEGIN_DECLS

#define GC_TYPE_SOURCE_CAPTURE (gc_source_capture_get_type ())
G_DECLARE_FINAL_TYPE (GcSourceCapture, gc_source_capture, GC, SOURCE_CAPTURE, GObject)

GcSourceCapture       *gc_source_capture_new         (const gchar *capture,
                                                      const gchar *token_path,
                                                      guint framerate);
void                   gc_source_capture_open_async  (GcSourceCapture *self,
                                                      GAsyncReadyCallback callback,
                                                      gpointer user_data);
gboolean               gc_source_capture_open_finish (GcSourceCapture *self,
                                                      GAsyncResult *result,
                                                      GError **error);
void                   gc_source_capture_watch       (GcSourceCapture *self,
                                                      GstRTSPMediaFactory *factory);
void                   gc_source_capture_close       (GcSourceCapture *self);
const gchar           *gc_source_capture_get_word    (GcSourceCapture *self);
GcCaptureKind          gc_source_capture_get_kind    (GcSourceCapture *self);
const GcCaptureStream *gc_source_capture_get_stream  (GcSourceCapture *self);

G_END_DECLS
