/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what a receive pipeline says about itself: its timing, the transport
 * SETUP gave (checked against the signed group), and the statistics of
 * its jitter buffer and session, read into its GcReceiverStats.
 */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-pipeline-private.h"
#include "gc-error.h"
#include "gc-igmp.h"
#include "gc-receiver-checks.h"

#define VIDEO_CLOCK_RATE 90000

void
gc_receiver_pipeline_get_timing (GcReceiverPipeline *self, GcReceiverTiming *out)
{
  g_return_if_fail (GC_IS_RECEIVER_PIPELINE (self));

  out->started = self->timing.started;
  out->described = LOAD (self->timing.described);
  out->first_udp = LOAD (self->timing.first_udp);
  out->first_rtp = LOAD (self->timing.first_rtp);
  out->decoder_in = LOAD (self->timing.decoder_in);
  out->first_frame = LOAD (self->timing.first_frame);
}

/* monotonic µs of the last RTP packet (or first frame); 0 if none or
 * forgotten */
gint64
gc_receiver_pipeline_get_last_packet (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), 0);
  return LOAD (self->last_packet);
}

void
gc_receiver_pipeline_forget_signal (GcReceiverPipeline *self)
{
  g_return_if_fail (GC_IS_RECEIVER_PIPELINE (self));
  STORE (self->last_packet, 0);
}

/* checks the transport SETUP gave (see gc_receiver_check_transport): the
 * UDP elements rtspsrc made are walked once a group is known. FALSE, with
 * the pipeline left to be stopped, when the transport is refused. */
gboolean
gc_receiver_pipeline_check_transport (GcReceiverPipeline *self, GError **error)
{
  g_autoptr (GstIterator) it = NULL;
  g_autoptr (GArray) eps = g_array_new (FALSE, TRUE, sizeof (GcTransportEndpoint));
  g_autoptr (GPtrArray) addrs = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *group = NULL;
  guint16 port = 0;
  gboolean incomplete = FALSE;
  GValue v = G_VALUE_INIT;

  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), FALSE);
  {
    gchar *refusal = gc_receiver_srtp_dup_refusal (self->srtp);

    if (refusal != NULL)
      {
        g_set_error_literal (error, GC_ERROR, GC_ERROR_STREAM, refusal);
        g_free (refusal);
        return FALSE;
      }
  }
  /* unicast or TCP: no group to check; SETUP answered what was asked */
  if (self->group != NULL || self->pipeline == NULL || self->transport != GC_TRANSPORT_MULTICAST)
    return TRUE;
  it = gst_bin_iterate_recurse (GST_BIN (self->pipeline));
  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK)
    {
      GstElement *e = g_value_get_object (&v);
      GstElementFactory *f = gst_element_get_factory (e);
      const gchar *fname = f != NULL ? GST_OBJECT_NAME (f) : "";
      /* udpsrc listens on the group; rtspsrc's RTCP udpsink sends to it
       * (with a unicast answer there is no udpsrc, only a udpsink) */
      gboolean is_src = g_str_equal (fname, "udpsrc");

      if (is_src || g_str_equal (fname, "udpsink"))
        {
          GcTransportEndpoint ep = { is_src, NULL, 0 };
          gchar *addr = NULL;

          g_object_get (e, is_src ? "address" : "host", &addr, "port", &ep.port, NULL);
          g_ptr_array_add (addrs, addr);
          ep.address = addr;
          g_array_append_val (eps, ep);
          /* an RTP socket rtspsrc has not given its caps yet: whether it
           * is the sound's is not known, so neither is the transport (the
           * next look sees it whole; the churn soak once refused the
           * sound's pair as a wrong picture port, seen half made) */
          if (is_src && ep.port % 2 == 0)
            {
              g_autoptr (GstCaps) caps = NULL;

              g_object_get (e, "caps", &caps, NULL);
              incomplete |= caps == NULL;
            }
        }
      g_value_reset (&v);
    }
  g_value_unset (&v);
  if (incomplete)
    return TRUE;
  if (!gc_receiver_check_transport ((GcTransportEndpoint *) eps->data, eps->len, self->url,
                                    self->expected, (guint16) LOAD (self->audio_port), &group,
                                    &port, error))
    return FALSE;
  self->group = g_steal_pointer (&group);
  self->rtp_port = port;
  return TRUE;
}

/* the picture's group TTL the source announced (0: not said, or no SDP yet) */
guint
gc_receiver_pipeline_get_ttl (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), 0);
  return (guint) LOAD (self->ttl);
}

/* its sockets joined (source, group) */
gboolean
gc_receiver_pipeline_get_source_specific (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), FALSE);
  return LOAD (self->source_specific) != 0;
}

/* its stream is SRTP (known once the SDP was read) */
gboolean
gc_receiver_pipeline_get_encrypted (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), FALSE);
  return gc_receiver_srtp_encrypted (self->srtp);
}

GcTransport
gc_receiver_pipeline_get_transport (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), GC_TRANSPORT_MULTICAST);
  return self->transport;
}

/* the number its frames go to the display under */
guint
gc_receiver_pipeline_get_stream (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), 0);
  return self->stream;
}

const gchar *
gc_receiver_pipeline_get_group (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), NULL);
  return self->group;
}

guint16
gc_receiver_pipeline_get_rtp_port (GcReceiverPipeline *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_PIPELINE (self), 0);
  return self->rtp_port;
}

/* reads the jitter buffer's and the session's statistics into the stats */
void
gc_receiver_pipeline_read_stats (GcReceiverPipeline *self, gint64 now_us)
{
  g_autoptr (GstIterator) it = NULL;
  GValue v = G_VALUE_INIT;
  GcJitterStats jb = { 0 };
  GcRtpSourceStats sender = { 0 }, audio_sender = { 0 };
  gboolean have_jb = FALSE, have_sender = FALSE, have_audio = FALSE;
  gint64 audio_ssrc = LOAD (self->audio_ssrc);
  GcAudioReadings sound;

  g_return_if_fail (GC_IS_RECEIVER_PIPELINE (self));
  if (self->pipeline == NULL)
    {
      gc_receiver_stats_update (self->stats, NULL, NULL, now_us);
      return;
    }
  it = gst_bin_iterate_recurse (GST_BIN (self->pipeline));
  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK)
    {
      GstElement *e = g_value_get_object (&v);
      GstElementFactory *f = gst_element_get_factory (e);
      const gchar *fname = f != NULL ? GST_OBJECT_NAME (f) : "";

      if (g_str_equal (fname, "rtpjitterbuffer") && g_object_get_data (G_OBJECT (e), "gc-audio"))
        ;
      else if (g_str_equal (fname, "rtpjitterbuffer"))
        {
          g_autoptr (GstStructure) s = NULL;

          g_object_get (e, "stats", &s, NULL);
          gc_rtp_stats_read_jitterbuffer (s, &jb);
          have_jb = s != NULL;
        }
      else if (g_str_equal (fname, "rtpsession"))
        {
          have_sender |= gc_receiver_stats_read_sender (e, VIDEO_CLOCK_RATE, audio_ssrc, FALSE, &sender);
          have_audio |= audio_ssrc >= 0 && gc_receiver_stats_read_sender (e, 48000, audio_ssrc, TRUE,
                                                                    &audio_sender);
        }
      g_value_reset (&v);
    }
  g_value_unset (&v);
  gc_receiver_stats_update (self->stats, have_jb ? &jb : NULL, have_sender ? &sender : NULL,
                            now_us);
  gc_display_read_sound (self->display, self->stream, now_us, &sound);
  /* for bench/: how long after the picture the sound came (it waits for
   * its stream's first frame on screen) */
  if (!self->sound_told && sound.first_played > 0 && LOAD (self->timing.first_frame) > 0)
    {
      self->sound_told = TRUE;
      g_info ("sound started %.1f ms after the first frame",
              (sound.first_played - LOAD (self->timing.first_frame)) / 1000.0);
    }
  /* the picture's lip-sync hold counts in its presentation: only the
   * shown stream's sound is heard, and only its frames are held */
  gc_receiver_stats_update_audio (self->stats, have_audio ? &audio_sender : NULL,
                                  sound.latency_ms, sound.level_db,
                                  sound.latency_ms >= 0 ? gc_display_get_hold_ms (self->display) : 0);
  gc_rtp_source_stats_clear (&audio_sender);
  gc_receiver_stats_set_rejected (self->stats, gc_receiver_srtp_rejected (self->srtp));
  gc_receiver_stats_set_frames_damaged (self->stats, gc_frame_damage_count (self->damage));
  gc_receiver_stats_set_packets_recovered (self->stats, gc_receiver_fec_recovered (self->fec));
  g_mutex_lock (&self->sockets_lock);
  gc_receiver_stats_set_kernel_drops (self->stats,
                                      gc_udp_read_drops ((const guint64 *) self->inodes->data,
                                                         self->inodes->len));
  g_mutex_unlock (&self->sockets_lock);
  gc_rtp_source_stats_clear (&sender);
}

