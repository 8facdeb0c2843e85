/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source's one shared RTSP media, kept prepared while serving: made
 * from the server's factory, with the hooks a Groupcast stream needs (the
 * capture-time stamp, loopback for a receiver on this host, its own
 * looped packets dropped), its group's sockets shared, and the readings
 * the source's counters come from.
 */
#pragma once

#include <gio/gio.h>
#include <gst/rtsp-server/rtsp-server.h>

G_BEGIN_DECLS

#define GC_TYPE_SOURCE_MEDIA (gc_source_media_get_type ())
G_DECLARE_FINAL_TYPE (GcSourceMedia, gc_source_media, GC, SOURCE_MEDIA, GObject)

GcSourceMedia *gc_source_media_new            (GstRTSPMediaFactory *factory,
                                               const gchar         *url,
                                               const gchar         *group,
                                               guint16              rtp_port,
                                               guint16              audio_port,
                                               const gchar         *interface,
                                               GBytes              *site_key,
                                               const gchar         *source_id,
                                               GError             **error);
void           gc_source_media_prepare_async  (GcSourceMedia       *self,
                                               GstRTSPThread       *thread,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       gc_source_media_prepare_finish (GcSourceMedia *self,
                                               GAsyncResult  *result,
                                               GError       **error);
void           gc_source_media_unprepare      (GcSourceMedia *self);
void           gc_source_media_set_fec        (GcSourceMedia *self,
                                               guint          percentage);
void           gc_source_media_force_key_frame (GcSourceMedia *self);
gboolean       gc_source_media_read_sent      (GcSourceMedia *self,
                                               guint64       *packets,
                                               guint64       *bytes);
GObject       *gc_source_media_dup_rtpsession (GcSourceMedia *self);
gboolean       gc_source_media_encrypted      (GcSourceMedia *self);

G_END_DECLS
