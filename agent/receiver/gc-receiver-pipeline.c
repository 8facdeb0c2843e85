/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * one receive pipeline: rtspsrc (udp-mcast, udp or tcp) -> rtph264depay -> h264parse
 * -> decoder -> sink, with the pad probes that time a switch and count
 * frames, and a bus watch that turns errors into signals.
 */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-pipeline-private.h"
#include "gc-receiver-audio.h"
#include "gc-receiver-build.h"
#include "gc-receiver-srtp.h"
#include "gc-receiver-fec.h"
#include "gc-display.h"
#include "gc-error.h"
#include "gc-frame-damage.h"
#include "gc-igmp.h"
#include "gc-ntp.h"
#include "gc-receiver-checks.h"
#include "gc-receiver-socket.h"
#include "gc-receiver-tuning.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gc_receiver_pipeline_debug);
#define GST_CAT_DEFAULT gc_receiver_pipeline_debug


G_DEFINE_FINAL_TYPE (GcReceiverPipeline, gc_receiver_pipeline, G_TYPE_OBJECT)

enum
{
  SIGNAL_FAILED,
  SIGNAL_ENDED,
  SIGNAL_FIRST_FRAME,
  SIGNAL_SILENT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];


/* sets a timing field once: the first time wins */
static void
mark_once (gint64 *field)
{
  gint64 zero = 0;

  __atomic_compare_exchange_n (field, &zero, g_get_monotonic_time (), FALSE, __ATOMIC_RELAXED,
                               __ATOMIC_RELAXED);
}

static gboolean ask_key_frame (gpointer data);
/* after the group's first packet: time for a key frame on its way in to
 * reach the decoder */
#define ASK_KEY_FRAME_AFTER_MS 15

/* ---- probes (streaming threads) ----------------------------------------- */

static gboolean
judge_packet (GstBuffer **buf, guint idx, gpointer data)
{
  GcFrameDamage *damage = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

  if (!gst_rtp_buffer_map (*buf, GST_MAP_READ, &rtp))
    return TRUE;
  gc_frame_damage_packet (damage, gst_rtp_buffer_get_seq (&rtp),
                          gst_rtp_buffer_get_timestamp (&rtp), gst_rtp_buffer_get_marker (&rtp),
                          gst_rtp_buffer_get_payload (&rtp),
                          gst_rtp_buffer_get_payload_len (&rtp), GST_BUFFER_PTS (*buf));
  gst_rtp_buffer_unmap (&rtp);
  return TRUE;
}

/* the picture's RTP packets, in order, on their way to the depayloader:
 * each frame's verdict (whole, or missing data) */
static GstPadProbeReturn
on_rtp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiverPipeline *self = data;

  STORE (self->last_packet, g_get_monotonic_time ());
  mark_once (&self->timing.first_rtp);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), judge_packet, self->damage);
  else
    {
      GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

      judge_packet (&buf, 0, self->damage);
    }
  return GST_PAD_PROBE_OK;
}

/* a packet the jitter buffer gave up on (and the FEC decoder could not
 * rebuild): the frame it was in misses data */
static GstPadProbeReturn
on_rtp_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiverPipeline *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (GST_EVENT_TYPE (event) == GST_EVENT_CUSTOM_DOWNSTREAM
      && gst_event_has_name (event, "GstRTPPacketLost"))
    gc_frame_damage_lost (self->damage);
  return GST_PAD_PROBE_OK;
}

/* the decoder starts at a key frame: what comes before it (the tail of a
 * GOP joined midway, or P-frames whose key frame was lost) would decode to
 * a broken picture. the wait for a decodable frame is a step of its own in
 * the switch time; h264parse passes nothing on before it has the SPS and
 * PPS, which come with the key frame. */
static GstPadProbeReturn
on_decoder_input (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiverPipeline *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  if (self->keyed)
    return GST_PAD_PROBE_OK;
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_DROP;
  self->keyed = TRUE;
  mark_once (&self->timing.decoder_in);
  return GST_PAD_PROBE_OK;
}

/* a socket on a group nobody signed: nothing of it goes on, not even to
 * the jitter buffer, before the main loop stops the pipeline */
static GstPadProbeReturn
on_refused_udp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiverPipeline *self = data;

  return LOAD (self->refused) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_udp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiverPipeline *self = data;
  g_autoptr (GstObject) udpsrc = gst_pad_get_parent (pad);
  gint port = gc_receiver_udpsrc_port (udpsrc);

  mark_once (&self->any_udp);
  /* the picture's RTP socket, not the RTCP one or the sound's */
  if (port >= 0 && port % 2 == 0 && port != LOAD (self->audio_port))
    {
      mark_once (&self->timing.first_udp);
      /* on the group: a key frame, if none came with it or right behind
       * it (main loop) */
      if (self->transport == GC_TRANSPORT_MULTICAST)
        g_timeout_add_full (G_PRIORITY_HIGH, ASK_KEY_FRAME_AFTER_MS, ask_key_frame,
                            g_object_ref (self), g_object_unref);
    }
  return GST_PAD_PROBE_REMOVE;
}

static gboolean
emit_first_frame (gpointer data)
{
  GcReceiverPipeline *self = data;

  if (!self->stopped)
    g_signal_emit (self, signals[SIGNAL_FIRST_FRAME], 0);
  return G_SOURCE_REMOVE;
}

/* a decoded frame: when intact, to the display, which shows it if this
 * stream is the one on screen; one that misses data (a lost packet, or a
 * reference lost before it: the decoder would conceal the hole, a smeared
 * picture) is counted and not shown, the last intact frame stays. the
 * capture-to-decode latency from the source's NTP-64 capture stamp */
static GstFlowReturn
on_frame (GstAppSink *sink, gpointer data)
{
  GcReceiverPipeline *self = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = sample != NULL ? gst_sample_get_buffer (sample) : NULL;
  GstReferenceTimestampMeta *meta;
  gint64 now = g_get_monotonic_time ();
  gboolean have = FALSE, first, damaged;
  gdouble ms = 0;

  if (buf == NULL)
    return GST_FLOW_OK;
  damaged = gc_frame_damage_is_damaged (self->damage, GST_BUFFER_PTS (buf));
  STORE (self->last_packet, now);
  meta = gst_buffer_get_reference_timestamp_meta (buf, gc_ntp_reference_caps ());
  if (meta != NULL && meta->timestamp > 0)
    {
      ms = ((gint64) gc_ntp_now_ns () - (gint64) meta->timestamp) / 1e6;
      have = ms > -1000 && ms < 10000;
      /* opt-in per-frame sample for bench/ (G_MESSAGES_DEBUG=GcReceiver);
       * checked first so a normal run formats nothing */
      if (have && !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
        g_debug ("frame latency %.3f ms", ms);
    }
  gc_receiver_stats_add_frame (self->stats, have, ms, now);
  if (damaged)
    {
      g_debug ("frame at %" GST_TIME_FORMAT " misses data: not shown",
               GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
      return GST_FLOW_OK;
    }
  /* the first frame is the first intact one */
  first = LOAD (self->timing.first_frame) == 0;
  mark_once (&self->timing.first_frame);
  gc_display_offer (self->display, self->stream, sample);
  if (first)
    /* hop to the main loop at once, so a switch is answered now */
    g_idle_add_full (G_PRIORITY_HIGH, emit_first_frame, g_object_ref (self), g_object_unref);
  return GST_FLOW_OK;
}

/* ---- elements as rtspsrc makes them --------------------------------------- */

/* a new jitter buffer: see gc_receiver_start_jitterbuffer */
static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer, guint session, guint ssrc,
                     GcReceiverPipeline *self)
{
  /* the sound's counters are its own */
  if ((gint) session == LOAD (self->audio_session))
    {
      g_object_set_data (G_OBJECT (jitterbuffer), "gc-audio", GINT_TO_POINTER (1));
      STORE (self->audio_ssrc, (gint64) ssrc);
    }
  gc_receiver_start_jitterbuffer (jitterbuffer);
}

static void
on_new_manager (GstElement *rtspsrc, GstElement *manager, GcReceiverPipeline *self)
{
  if (g_signal_lookup ("new-jitterbuffer", G_OBJECT_TYPE (manager)) != 0)
    g_signal_connect (manager, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), self);
  gc_receiver_srtp_hook_manager (self->srtp, manager);
  gc_receiver_fec_hook_manager (self->fec, manager);
}

/* rtspsrc's UDP socket for this pipeline: see gc-receiver-socket.c */
static void
isolate_socket (GcReceiverPipeline *self, GstElement *udpsrc)
{
  g_autoptr (GSocket) socket = NULL;
  g_autofree gchar *group = NULL;
  GcReceiverSocket out = { 0 };

  g_object_get (udpsrc, "used-socket", &socket, "address", &group, NULL);
  if (socket == NULL)
    return;
  gc_receiver_socket_prepare (socket, group, self->url, self->interface, self->ssm, &out);
  if (out.source_specific)
    STORE (self->source_specific, 1);
  if (out.inode != 0)
    {
      g_mutex_lock (&self->sockets_lock);
      g_array_append_val (self->inodes, out.inode);
      g_mutex_unlock (&self->sockets_lock);
    }
}

/* a UDP source against the signed group: the picture's on its pair, the
 * sound's on its group. in the streaming thread that opens it: refused
 * before a packet is read; the main loop says why (check_transport) */
static void
check_udpsrc (GcReceiverPipeline *self, GstElement *udpsrc)
{
  gchar *addr = NULL;
  GcTransportEndpoint ep = { TRUE, NULL, 0 };
  g_autofree gchar *group = NULL;
  guint16 port = 0;

  /* a stream of its own has no group: the source sends to this host */
  if (self->expected == NULL || self->transport != GC_TRANSPORT_MULTICAST)
    return;
  g_object_get (udpsrc, "address", &addr, "port", &ep.port, NULL);
  ep.address = addr;
  if (!gc_receiver_check_transport (&ep, 1, self->url, self->expected,
                                    (guint16) LOAD (self->audio_port), &group, &port, NULL))
    STORE (self->refused, 1);
  g_free (addr);
}

static void
on_udpsrc_caps (GObject *udpsrc, GParamSpec *pspec, GcReceiverPipeline *self)
{
  g_autoptr (GstCaps) caps = NULL;
  gint port = gc_receiver_udpsrc_port (GST_OBJECT (udpsrc));

  g_object_get (udpsrc, "caps", &caps, NULL);
  if (caps != NULL && gst_caps_get_size (caps) > 0
      && g_strcmp0 (gst_structure_get_string (gst_caps_get_structure (caps, 0), "media"),
                    "audio") == 0)
    STORE (self->audio_port, port);
  check_udpsrc (self, GST_ELEMENT (udpsrc));
}

static void
on_element_added (GstBin *bin, GstBin *sub, GstElement *element, GcReceiverPipeline *self)
{
  GstElementFactory *f = gst_element_get_factory (element); /* transfer none */
  const gchar *name = f != NULL ? GST_OBJECT_NAME (f) : "";

  /* receiver reports once a second (default 5 s), so the source's view of
   * each member's loss and jitter is live */
  if (g_str_equal (name, "rtpsession"))
    g_object_set (element, "rtcp-min-interval", (guint64) GST_SECOND, NULL);
  if (g_str_equal (name, "rtpjitterbuffer"))
    gc_receiver_tune_jitterbuffer (element);
  if (g_str_equal (name, "rtpptdemux"))
    gc_receiver_fec_hook_ptdemux (self->fec, element);

  /* the receiver reports it sends to the group are for the source and the
   * other receivers: looped back here they would reach this host's other
   * stream (a switch keeps two) as a stranger's */
  if (g_str_equal (name, "udpsink"))
    g_object_set (element, "loop", FALSE, NULL);
  if (g_str_equal (name, "udpsrc"))
    {
      g_autoptr (GstPad) pad = gst_element_get_static_pad (element, "src");

      isolate_socket (self, element);
      gc_receiver_srtp_hook_udpsrc (self->srtp, element);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         on_refused_udp, self, NULL);
      /* an RTP socket is known to be the sound's by the caps rtspsrc gives
       * it just after; its RTCP socket comes after that */
      if (gc_receiver_udpsrc_port (GST_OBJECT (element)) % 2 == 0)
        g_signal_connect (element, "notify::caps", G_CALLBACK (on_udpsrc_caps), self);
      else
        check_udpsrc (self, element);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         on_udp, self, NULL);
    }
}

static gboolean
on_select_stream (GstElement *src, guint num, GstCaps *caps, GcReceiverPipeline *self)
{
  g_autofree gchar *reason = NULL;
  gboolean audio = FALSE;
  gboolean ok = gc_receiver_check_stream (gst_caps_get_size (caps) > 0
                                          ? gst_caps_get_structure (caps, 0) : NULL,
                                          &audio, &reason);

  if (!ok)
    g_message ("stream %u refused: %s", num, reason);
  /* one sound stream, and only when it is played */
  else if (audio && (self->audio == NULL || LOAD (self->audio_session) >= 0))
    ok = FALSE;
  else if (audio)
    STORE (self->audio_session, (gint) num);
  return ok;
}

static void
on_sdp (GstElement *src, GstSDPMessage *sdp, GcReceiverPipeline *self)
{
  g_autofree gchar *where = gc_receiver_url_where (self->url);

  mark_once (&self->timing.described);
  /* refused: nothing of it is read; the main loop says why */
  if (!gc_receiver_srtp_read_sdp (self->srtp, sdp, where))
    STORE (self->refused, 1);
  gc_receiver_fec_read_sdp (self->fec, sdp);
  /* the group's TTL ("c=IN IP4 239.0.0.11/1"): the first medium's, or the
   * session's, to tell a source whose packets cannot cross a router */
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
      const GstSDPConnection *c = gst_sdp_media_connections_len (m) > 0
                                  ? gst_sdp_media_get_connection (m, 0)
                                  : gst_sdp_message_get_connection (sdp);

      if (c != NULL && g_strcmp0 (gst_sdp_media_get_media (m), "video") == 0)
        {
          STORE (self->ttl, (gint) c->ttl);
          break;
        }
    }
}

static gboolean
link_audio (GcReceiverPipeline *self, GstBin *pipeline, GstPad *pad)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const gchar *media = caps != NULL && gst_caps_get_size (caps) > 0
                       ? gst_structure_get_string (gst_caps_get_structure (caps, 0), "media")
                       : NULL;

  if (g_strcmp0 (media, "audio") != 0)
    return FALSE;
  if (self->audio == NULL || !gc_receiver_audio_link (self->audio, pipeline, pad))
    return FALSE;
  g_debug ("sound: %s", GST_PAD_NAME (pad));
  return TRUE;
}

/* in rtspsrc's streaming thread, also while a stop is under way: by then
 * self->pipeline is the stopping thread's, so the pipeline is rtspsrc's
 * parent (the churn soak once saw a pad come after the stop began) */
static void
on_pad_added (GstElement *src, GstPad *pad, GcReceiverPipeline *self)
{
  g_autoptr (GstObject) pipeline = gst_object_get_parent (GST_OBJECT (src));
  g_autoptr (GstElement) depay = GST_IS_BIN (pipeline)
                                 ? gst_bin_get_by_name (GST_BIN (pipeline), "depay") : NULL;
  g_autoptr (GstPad) sinkpad = depay != NULL ? gst_element_get_static_pad (depay, "sink") : NULL;
  GstElement *drop;
  g_autoptr (GstPad) dropsink = NULL;
  GstObject *bin;

  /* nothing is added to a pipeline on its way down */
  if (sinkpad == NULL || LOAD (self->stopped))
    return;
  if (link_audio (self, GST_BIN (pipeline), pad))
    return;
  /* the picture: H.264 (another payload type of the stream, such as FEC
   * packets a source may add, can come first and goes nowhere) */
  if (!gst_pad_is_linked (sinkpad) && gc_receiver_pad_is_h264 (pad))
    {
      gst_pad_link (pad, sinkpad);
      return;
    }
  /* a second stream in the session (another SSRC on the group), or another
   * payload type: shown is the first H.264 one; the others' packets go
   * nowhere instead of stopping the socket they came on */
  /* the picture's FEC packets: what the jitter buffer lost right after
   * one of them is said here (the lost-packet event goes to the payload
   * type that came last) */
  if (gc_receiver_pad_is_fec (pad))
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_rtp_event, self, NULL);
  else
    g_message ("a second stream on %s (%s) is not shown", GST_OBJECT_NAME (src),
               GST_PAD_NAME (pad));
  bin = gst_object_get_parent (GST_OBJECT (src));
  if (bin == NULL)
    return;
  drop = gst_element_factory_make ("fakesink", NULL);
  g_object_set (drop, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (bin), drop);
  gst_element_sync_state_with_parent (drop);
  dropsink = gst_element_get_static_pad (drop, "sink");
  gst_pad_link (pad, dropsink);
  gst_object_unref (bin);
}

/* ---- bus (main loop) ---------------------------------------------------- */

/* PLAY was answered GC_RECEIVER_SILENT_AFTER_MS ago */
static gboolean
check_silent (gpointer data)
{
  GcReceiverPipeline *self = data;

  self->silent_id = 0;
  if (!LOAD (self->stopped) && LOAD (self->any_udp) == 0)
    {
      g_message ("nothing arrived on the %s stream's sockets %u ms after PLAY",
                 gc_transport_to_string (self->transport), GC_RECEIVER_SILENT_AFTER_MS);
      g_signal_emit (self, signals[SIGNAL_SILENT], 0);
    }
  return G_SOURCE_REMOVE;
}

/* the receiver's IGMP report reaches the switch some 10 ms after PLAY is
 * answered, and the key frame the source forces on PLAY goes out within
 * 2 ms: a snooping switch drops it before this port is a member (seen in
 * the lab: the picture then waited for the source's next key frame, up to
 * a GOP; two switches in three took 0.3-0.7 s). so once the group's first
 * packet arrives, the group reaches this host, and a receiver that has no
 * key frame a moment later asks for one over its RTSP session; the source
 * sends it at once. (the source also sends one 15 ms after PLAY, which
 * most joins get: this is for the ones it misses.) a unicast or TCP stream
 * starts at PLAY and gets the PLAY's. */
static gboolean
ask_key_frame (gpointer data)
{
  GcReceiverPipeline *self = data;

  if (LOAD (self->stopped) || self->asked_key_frame || self->pipeline == NULL
      || LOAD (self->timing.decoder_in) != 0)
    return G_SOURCE_REMOVE;
  self->asked_key_frame = TRUE;
  {
    g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
    /* rtspsrc wants a promise; the answer itself is of no use */
    g_autoptr (GstPromise) promise = gst_promise_new ();
    gboolean queued = FALSE;

    g_signal_emit_by_name (src, "set-parameter", "groupcast-key-frame", "1", "text/parameters",
                           promise, &queued);
    g_debug ("the group's first packet is in: a key frame asked for (%s)",
             queued ? "sent" : "not sent");
  }
  return G_SOURCE_REMOVE;
}

/* the picture's RTP socket is up (PLAY answered): the source sends at
 * once (a key frame, the sound, its reports), so a UDP stream with
 * nothing at all on its sockets a moment later is blocked on the way */
static void
watch_for_silence (GcReceiverPipeline *self, GstMessage *msg)
{
  GstState new_state;
  gint port = gc_receiver_udpsrc_port (GST_MESSAGE_SRC (msg));

  if (self->silent_id != 0 || self->silence_watched || port < 0)
    return;
  gst_message_parse_state_changed (msg, NULL, &new_state, NULL);
  if (new_state != GST_STATE_PLAYING || port % 2 != 0 || port == LOAD (self->audio_port))
    return;
  self->silence_watched = TRUE;
  self->silent_id = g_timeout_add (GC_RECEIVER_SILENT_AFTER_MS, check_silent, self);
}

/* an RTCP socket that stopped on RTCP it had nowhere to send (during a
 * switch, this host's other stream's reports): the picture comes on the RTP
 * socket, which goes on; not a reason to drop the stream */
static gboolean
is_stray_rtcp (GstMessage *msg, const gchar *debug)
{
  gint port = gc_receiver_udpsrc_port (GST_MESSAGE_SRC (msg));

  if (debug == NULL || strstr (debug, "not-linked") == NULL || port < 0 || port % 2 == 0)
    return FALSE;
  g_message ("RTCP from %s stopped (%s); the stream goes on",
             GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), "not-linked");
  return TRUE;
}

/* an error of the sound's chain or sockets */
static gboolean
is_sound (GcReceiverPipeline *self, GstMessage *msg)
{
  gint port = gc_receiver_udpsrc_port (GST_MESSAGE_SRC (msg));

  if (self->audio != NULL && gc_receiver_audio_owns (self->audio, GST_MESSAGE_SRC (msg)))
    return TRUE;
  return LOAD (self->audio_port) != 0
         && (port == LOAD (self->audio_port) || port == LOAD (self->audio_port) + 1);
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  GcReceiverPipeline *self = data;

  if (self->stopped)
    return G_SOURCE_CONTINUE;
  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) err = NULL;
        g_autoptr (GError) werr = NULL;
        g_autofree gchar *debug = NULL;
        g_autofree gchar *text = NULL;

        gst_message_parse_error (msg, &err, &debug);
        if (is_stray_rtcp (msg, debug))
          break;
        if (is_sound (self, msg))
          {
            /* the picture goes on without it */
            g_message ("sound stopped (%s: %s); the picture goes on",
                       GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
            break;
          }
        text = gc_receiver_describe_error (self->url, err->message, debug);
        g_message ("pipeline error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
                   err->message, debug ? debug : "");
        werr = g_error_new_literal (GC_ERROR,
                                    g_error_matches (err, GST_RESOURCE_ERROR,
                                                     GST_RESOURCE_ERROR_OPEN_READ_WRITE)
                                    ? GC_ERROR_UNREACHABLE : GC_ERROR_STREAM,
                                    text);
        /* this pipeline is done: only a new one's packets count as signal */
        STORE (self->last_packet, 0);
        g_signal_emit (self, signals[SIGNAL_FAILED], 0, werr);
        break;
      }
    case GST_MESSAGE_STATE_CHANGED:
      watch_for_silence (self, msg);
      break;
    case GST_MESSAGE_EOS:
      g_message ("end of stream from %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
      STORE (self->last_packet, 0);
      g_signal_emit (self, signals[SIGNAL_ENDED], 0);
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- life cycle --------------------------------------------------------- */

static void
add_probes (GcReceiverPipeline *self)
{
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
  g_autoptr (GstElement) depay = gst_bin_get_by_name (GST_BIN (self->pipeline), "depay");
  g_autoptr (GstElement) dec = gst_bin_get_by_name (GST_BIN (self->pipeline), "dec");
  g_autoptr (GstElement) out = gst_bin_get_by_name (GST_BIN (self->pipeline), "out");
  g_autoptr (GstPad) depay_sink = gst_element_get_static_pad (depay, "sink");
  g_autoptr (GstPad) dec_sink = gst_element_get_static_pad (dec, "sink");
  GstAppSinkCallbacks callbacks = { .new_sample = on_frame };

  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (src, "on-sdp", G_CALLBACK (on_sdp), self);
  g_signal_connect (src, "new-manager", G_CALLBACK (on_new_manager), self);
  g_signal_connect (src, "select-stream", G_CALLBACK (on_select_stream), self);
  g_signal_connect (self->pipeline, "deep-element-added", G_CALLBACK (on_element_added), self);
  gst_pad_add_probe (depay_sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_rtp, self, NULL);
  gst_pad_add_probe (depay_sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_rtp_event, self, NULL);
  gst_pad_add_probe (dec_sink, GST_PAD_PROBE_TYPE_BUFFER, on_decoder_input, self, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (out), &callbacks, self, NULL);
}

/* builds the pipeline for @url and sets it playing; errors from then on
 * come as ::failed. @stats receives its frames and counters. */
GcReceiverPipeline *
gc_receiver_pipeline_new (const GcReceiverPipelineSetup *setup, GcReceiverStats *stats,
                          GcDisplay *display, GError **error)
{
  g_autoptr (GcReceiverPipeline) self = NULL;
  const gchar *url = setup->url;
  g_autofree gchar *iface = setup->interface != NULL
                                ? g_strdup_printf (" multicast-iface=%s", setup->interface)
                                : g_strdup ("");
  g_autofree gchar *desc = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GstBus) bus = NULL;
  static const gchar *const protocols[] = {
    [GC_TRANSPORT_MULTICAST] = "udp-mcast",
    [GC_TRANSPORT_UNICAST] = "udp",
    [GC_TRANSPORT_TCP] = "tcp",
  };

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (setup->transport <= GC_TRANSPORT_TCP, NULL);
  g_return_val_if_fail (GC_IS_RECEIVER_STATS (stats), NULL);
  g_return_val_if_fail (GC_IS_DISPLAY (display), NULL);

  self = g_object_new (GC_TYPE_RECEIVER_PIPELINE, NULL);
  self->url = g_strdup (url);
  self->expected = g_strdup (setup->expected_group);
  self->srtp = gc_receiver_srtp_new (setup->site_key, setup->plain_too);
  self->fec = gc_receiver_fec_new ();
  self->interface = g_strdup (setup->interface);
  self->ssm = setup->ssm;
  self->transport = setup->transport;
  self->stats = g_object_ref (stats);
  self->display = g_object_ref (display);
  self->stream = gc_display_new_stream (display);
  /* sound when the display has somewhere to play it */
  self->audio = gc_receiver_audio_new (display, self->stream);
  /* the asked transport only; short TCP timeout so a dead host is noticed quickly;
   * a small jitter buffer: in-order packets pass at once, it only waits
   * on a gap. not drop-on-latency: a key frame's burst would make it drop
   * the packets it waits behind and move on, and the lost-packet event
   * the FEC decoder rebuilds from would come too late, dropped as old */
  desc = g_strdup_printf ("rtspsrc name=src location=\"%s\" protocols=%s latency=%u "
                          "do-rtsp-keep-alive=true tcp-timeout=2000000 teardown-timeout=100000000 "
                          "drop-on-latency=false%s "
                          "rtph264depay name=depay request-keyframe=true ! h264parse ! %s name=dec ! "
                          "appsink name=out sync=false max-buffers=2 drop=true",
                          url, protocols[setup->transport], setup->latency_ms, iface,
                          gc_receiver_pick_decoder ());
  self->pipeline = gst_parse_launch (desc, &local_error);
  if (self->pipeline == NULL || local_error != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot build the receive pipeline: %s",
                   local_error != NULL ? local_error->message : "unknown");
      g_clear_object (&self->pipeline);
      return NULL;
    }
  gst_object_ref_sink (self->pipeline);
  add_probes (self);
  self->timing.started = g_get_monotonic_time ();
  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus, self);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_debug ("set_state PLAYING failed at once; the bus says why");
  return g_steal_pointer (&self);
}

static void
stop_thread (GTask *task, gpointer source, gpointer data, GCancellable *c)
{
  GstElement *pipeline = data;

  /* PAUSED -> READY sends TEARDOWN; closing udpsrc's socket leaves the group */
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_task_return_boolean (task, TRUE);
}

static void
begin_stop (GcReceiverPipeline *self)
{
  /* read by streaming threads too (on_pad_added) */
  STORE (self->stopped, TRUE);
  gc_display_forget (self->display, self->stream);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  g_clear_handle_id (&self->silent_id, g_source_remove);
}

/* stops the pipeline in a worker thread (TEARDOWN and the group leave can
 * take a moment); no signal comes after this call */
void
gc_receiver_pipeline_stop_async (GcReceiverPipeline *self, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  g_return_if_fail (GC_IS_RECEIVER_PIPELINE (self));

  g_task_set_source_tag (task, gc_receiver_pipeline_stop_async);
  begin_stop (self);
  if (self->pipeline == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_set_task_data (task, g_steal_pointer (&self->pipeline), gst_object_unref);
  g_task_run_in_thread (task, stop_thread);
}

gboolean
gc_receiver_pipeline_stop_finish (GcReceiverPipeline *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* at exit: TEARDOWN sent and the group left before this returns */
void
gc_receiver_pipeline_stop_sync (GcReceiverPipeline *self)
{
  g_return_if_fail (GC_IS_RECEIVER_PIPELINE (self));

  begin_stop (self);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_object (&self->pipeline);
}

static void
gc_receiver_pipeline_dispose (GObject *object)
{
  GcReceiverPipeline *self = GC_RECEIVER_PIPELINE (object);

  if (self->pipeline != NULL)
    gc_receiver_pipeline_stop_sync (self);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  g_clear_handle_id (&self->silent_id, g_source_remove);
  g_clear_object (&self->stats);
  g_clear_object (&self->display);
  g_clear_object (&self->audio);
  G_OBJECT_CLASS (gc_receiver_pipeline_parent_class)->dispose (object);
}

static void
gc_receiver_pipeline_finalize (GObject *object)
{
  GcReceiverPipeline *self = GC_RECEIVER_PIPELINE (object);

  g_free (self->url);
  g_free (self->expected);
  g_free (self->interface);
  g_clear_object (&self->srtp);
  g_clear_pointer (&self->fec, gc_receiver_fec_free);
  g_array_unref (self->inodes);
  g_mutex_clear (&self->sockets_lock);
  gc_frame_damage_free (self->damage);
  g_free (self->group);
  G_OBJECT_CLASS (gc_receiver_pipeline_parent_class)->finalize (object);
}

static void
gc_receiver_pipeline_class_init (GcReceiverPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_receiver_pipeline_dispose;
  object_class->finalize = gc_receiver_pipeline_finalize;

  /* the pipeline failed (a GC_ERROR in words a person can act on) */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  /* the stream ended */
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* a UDP stream got nothing at all GC_RECEIVER_SILENT_AFTER_MS after PLAY
   * (multicast, or UDP, blocked on the way) */
  signals[SIGNAL_SILENT] =
    g_signal_new ("silent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* the first intact frame is decoded (and offered to the display) */
  signals[SIGNAL_FIRST_FRAME] =
    g_signal_new ("first-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  GST_DEBUG_CATEGORY_INIT (gc_receiver_pipeline_debug, "gcreceiver", 0, "Groupcast receiver");
}

static void
gc_receiver_pipeline_init (GcReceiverPipeline *self)
{
  g_mutex_init (&self->sockets_lock);
  self->inodes = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->damage = gc_frame_damage_new ();
  self->audio_session = -1;
  self->audio_ssrc = -1;
}
