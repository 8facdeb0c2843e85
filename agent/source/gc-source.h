/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-config.h"
#include "gc-source-launch.h"
#include "gc-source-members.h"
#include "gc-source-preview.h"
#include "gc-state.h"

G_BEGIN_DECLS

#define GC_TYPE_SOURCE (gc_source_get_type ())
G_DECLARE_FINAL_TYPE (GcSource, gc_source, GC, SOURCE, GObject)

GcSource      *gc_source_new              (const GcConfig *config);
gboolean       gc_source_set_group        (GcSource *self,
                                           const gchar *group,
                                           GError **error);
void           gc_source_start_async      (GcSource *self,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
void           gc_source_start_capture_async (GcSource *self,
                                              const gchar *capture,
                                              const gchar *audio,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
gboolean       gc_source_start_finish     (GcSource *self,
                                           GAsyncResult *result,
                                           GError **error);
void           gc_source_stop             (GcSource *self);
gboolean       gc_source_force_key_frame  (GcSource *self,
                                           GError **error);

GcSourceState  gc_source_get_state        (GcSource *self);
gboolean       gc_source_is_serving       (GcSource *self);
const gchar   *gc_source_get_url          (GcSource *self);
const gchar   *gc_source_get_group        (GcSource *self);
guint16        gc_source_get_rtp_port     (GcSource *self);
void           gc_source_set_site_key     (GcSource    *self,
                                           GBytes      *site_key,
                                           const gchar *agent_id);
gboolean       gc_source_get_encrypted    (GcSource *self);
gchar         *gc_source_dup_group_port   (GcSource *self);
guint16        gc_source_get_rtcp_port    (GcSource *self);
guint8         gc_source_get_ttl          (GcSource *self);
const gchar   *gc_source_get_capture      (GcSource *self);
const gchar   *gc_source_get_audio        (GcSource *self);
guint16        gc_source_get_audio_port   (GcSource *self);
const gchar   *gc_source_get_encoder      (GcSource *self);
const gchar   *gc_source_get_last_error   (GcSource *self);
GcSourcePreview *gc_source_get_preview    (GcSource *self);
guint64        gc_source_get_packets_sent (GcSource *self);
guint64        gc_source_get_bytes_sent   (GcSource *self);
guint64        gc_source_get_bitrate      (GcSource *self);
gdouble        gc_source_get_packet_rate  (GcSource *self);
GcMemberTable *gc_source_get_members      (GcSource *self);

G_END_DECLS
