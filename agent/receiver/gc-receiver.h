/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-config.h"

G_BEGIN_DECLS

#define GC_TYPE_RECEIVER (gc_receiver_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiver, gc_receiver, GC, RECEIVER, GObject)

typedef struct
{
  guint64 packets_received;
  guint64 packets_lost;
  guint64 packets_late;
  guint64 duplicates;
  gdouble jitter_ms;
  guint64 bitrate;
  guint64 frames_decoded;
  gdouble first_frame_ms;   /* -1 until the first frame */
  gdouble latency_ms;       /* -1 when unknown */
} GcReceiverCounters;

GcReceiver  *gc_receiver_new              (const GcConfig *config);
gboolean     gc_receiver_connect          (GcReceiver *self,
                                           const gchar *url,
                                           const gchar *source_name,
                                           GError **error);
void         gc_receiver_disconnect       (GcReceiver *self);
void         gc_receiver_shutdown         (GcReceiver *self);
void         gc_receiver_wait_async       (GcReceiver *self,
                                           guint timeout_ms,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean     gc_receiver_wait_finish      (GcReceiver *self,
                                           GAsyncResult *result,
                                           gdouble *first_frame_ms,
                                           GError **error);

const gchar *gc_receiver_get_state        (GcReceiver *self);
const gchar *gc_receiver_get_error        (GcReceiver *self);
const gchar *gc_receiver_get_source_url   (GcReceiver *self);
const gchar *gc_receiver_get_source_name  (GcReceiver *self);
const gchar *gc_receiver_get_group        (GcReceiver *self);
guint16      gc_receiver_get_rtp_port     (GcReceiver *self);
void         gc_receiver_get_counters     (GcReceiver *self,
                                           GcReceiverCounters *out);
gchar      **gc_receiver_dup_kernel_groups (GcReceiver *self);

/* pure helpers, unit-tested */
gchar      **gc_igmp_parse_groups         (const gchar *proc_net_igmp,
                                           const gchar *iface);
gboolean     gc_receiver_check_url        (const gchar *url,
                                           GError **error);

G_END_DECLS
