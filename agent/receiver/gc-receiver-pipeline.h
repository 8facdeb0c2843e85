/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * one receive pipeline for one URL: rtspsrc over udp-mcast into a
 * low-latency decode and display chain. it reports what happens on its
 * bus and its pads as signals on the main loop; GcReceiver decides what
 * they mean. a reconnect or switch makes a new one. the stream comes on
 * the source's group, or (the fallback where multicast does not arrive)
 * as unicast UDP or interleaved in the RTSP connection.
 */
#pragma once

#include <gio/gio.h>

#include "gc-display.h"
#include "gc-receiver-stats.h"
#include "gc-state.h"

G_BEGIN_DECLS

/* monotonic µs of the steps of one pipeline's start, 0 until reached */
typedef struct
{
  gint64 started;
  gint64 described;     /* DESCRIBE answered (the SDP is in) */
  gint64 first_udp;     /* first RTP packet off the socket */
  gint64 first_rtp;     /* first RTP packet out of the jitter buffer */
  gint64 decoder_in;    /* first frame into the decoder */
  gint64 first_frame;   /* first intact frame out of it */
} GcReceiverTiming;

#define GC_TYPE_RECEIVER_PIPELINE (gc_receiver_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiverPipeline, gc_receiver_pipeline, GC, RECEIVER_PIPELINE, GObject)

/* what one receive pipeline is made from */
typedef struct
{
  const gchar *url;
  const gchar *expected_group; /* "address:port" SETUP must give (signed), or NULL */
  GBytes *site_key;            /* streams are SRTP from it; NULL: plain only */
  gboolean plain_too;          /* with a key, plain streams too */
  const gchar *interface;      /* for multicast, or NULL */
  guint latency_ms;
  gboolean ssm;                /* join (source, group) also outside 232/8 */
  GcTransport transport;       /* the group, or a stream of its own */
} GcReceiverPipelineSetup;

/* how long after PLAY a UDP stream with no packet at all is taken for a
 * blocked one (::silent) */
#define GC_RECEIVER_SILENT_AFTER_MS 500

GcReceiverPipeline *gc_receiver_pipeline_new        (const GcReceiverPipelineSetup *setup,
                                                     GcReceiverStats *stats,
                                                     GcDisplay       *display,
                                                     GError         **error);
void                gc_receiver_pipeline_stop_async  (GcReceiverPipeline  *self,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean            gc_receiver_pipeline_stop_finish (GcReceiverPipeline *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
void                gc_receiver_pipeline_stop_sync   (GcReceiverPipeline *self);

void                gc_receiver_pipeline_get_timing  (GcReceiverPipeline *self,
                                                      GcReceiverTiming   *out);
gint64              gc_receiver_pipeline_get_last_packet (GcReceiverPipeline *self);
void                gc_receiver_pipeline_forget_signal (GcReceiverPipeline *self);
gboolean            gc_receiver_pipeline_check_transport (GcReceiverPipeline *self,
                                                          GError            **error);
guint               gc_receiver_pipeline_get_stream  (GcReceiverPipeline *self);
GcTransport         gc_receiver_pipeline_get_transport (GcReceiverPipeline *self);
gboolean            gc_receiver_pipeline_get_encrypted (GcReceiverPipeline *self);
guint               gc_receiver_pipeline_get_ttl             (GcReceiverPipeline *self);
gboolean            gc_receiver_pipeline_get_source_specific (GcReceiverPipeline *self);
const gchar        *gc_receiver_pipeline_get_group   (GcReceiverPipeline *self);
guint16             gc_receiver_pipeline_get_rtp_port (GcReceiverPipeline *self);
void                gc_receiver_pipeline_read_stats  (GcReceiverPipeline *self,
                                                      gint64              now_us);

void                gc_receiver_pipeline_warm_up     (void);

G_END_DECLS
