/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source's preview: a small JPEG a second from a tee of the running
 * pipeline (the "gcpreview" appsink of the launch description), handed to
 * the main loop, where ::changed says a new one is there.
 */
#pragma once

#include <gio/gio.h>
#include <gst/rtsp-server/rtsp-server.h>

G_BEGIN_DECLS

#define GC_TYPE_SOURCE_PREVIEW (gc_source_preview_get_type ())
G_DECLARE_FINAL_TYPE (GcSourcePreview, gc_source_preview, GC, SOURCE_PREVIEW, GObject)

#define GC_PREVIEW_FORMAT "image/jpeg"

GcSourcePreview *gc_source_preview_new       (void);
void             gc_source_preview_watch     (GcSourcePreview *self,
                                              GstRTSPMediaFactory *factory);
void             gc_source_preview_clear     (GcSourcePreview *self);
GBytes          *gc_source_preview_get_bytes (GcSourcePreview *self);
gint64           gc_source_preview_get_taken (GcSourcePreview *self);
guint64          gc_source_preview_get_count (GcSourcePreview *self);

G_END_DECLS
