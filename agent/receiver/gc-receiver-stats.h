/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a receiver's counters for the URL it shows: RTP statistics read from the
 * pipeline's rtpsession and jitter buffer, decoded frames and their
 * capture-to-decode latency (written from the streaming thread), summed
 * over the pipelines a reconnect makes
 */
#pragma once

#include <gst/gst.h>

#include "gc-rtp-stats.h"

G_BEGIN_DECLS

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
  gdouble switch_gap_ms;    /* last source's last frame shown to this one's first; -1 */
  guint64 packets_rejected; /* SRTP: dropped before or by the decoder (no key, forged) */
  guint64 kernel_drops;     /* datagrams the kernel dropped: a socket's queue was full */
  guint64 frames_damaged;   /* frames the decoder dropped: data missing (never shown) */
  guint64 packets_recovered; /* picture packets lost on the way and rebuilt from FEC */
  guint64 audio_packets_received;
  guint64 audio_packets_lost;
  gdouble audio_latency_ms; /* capture to played, p50 of the last second; -1 when unknown */
  gdouble av_sync_ms;       /* audio_latency_ms - latency_ms: > 0 the sound is late; 0 unknown */
  gdouble audio_level_db;   /* RMS of the sound played, dBFS; -100 for silence or none */
} GcReceiverCounters;

#define GC_TYPE_RECEIVER_STATS (gc_receiver_stats_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiverStats, gc_receiver_stats, GC, RECEIVER_STATS, GObject)

GcReceiverStats *gc_receiver_stats_new            (void);
void             gc_receiver_stats_reset          (GcReceiverStats *self);
void             gc_receiver_stats_end_pipeline   (GcReceiverStats *self);
void             gc_receiver_stats_add_frame      (GcReceiverStats *self,
                                                   gboolean         have_latency,
                                                   gdouble          latency_ms,
                                                   gint64           now_us);
void             gc_receiver_stats_set_first_frame (GcReceiverStats *self,
                                                    gdouble          ms);
void             gc_receiver_stats_set_rejected   (GcReceiverStats *self,
                                                   guint64          pipeline_total);
void             gc_receiver_stats_set_kernel_drops (GcReceiverStats *self,
                                                     guint64          pipeline_total);
void             gc_receiver_stats_set_frames_damaged (GcReceiverStats *self,
                                                       guint64          pipeline_total);
void             gc_receiver_stats_set_packets_recovered (GcReceiverStats *self,
                                                          guint64          pipeline_total);
void             gc_receiver_stats_set_switch_gap (GcReceiverStats *self,
                                                   gdouble          ms);
void             gc_receiver_stats_update         (GcReceiverStats        *self,
                                                   const GcJitterStats    *jitterbuffer,
                                                   const GcRtpSourceStats *sender,
                                                   gint64                  now_us);
void             gc_receiver_stats_update_audio   (GcReceiverStats        *self,
                                                   const GcRtpSourceStats *sender,
                                                   gdouble                 latency_ms,
                                                   gdouble                 level_db,
                                                   gdouble                 hold_ms);
gboolean         gc_receiver_stats_read_sender    (GstElement       *rtpsession,
                                                   guint             clock_rate,
                                                   gint64            audio_ssrc,
                                                   gboolean          audio,
                                                   GcRtpSourceStats *sender);
void             gc_receiver_stats_get            (GcReceiverStats    *self,
                                                   GcReceiverCounters *out);

G_END_DECLS
