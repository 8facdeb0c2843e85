/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source-media.h"
#include "gc-h264.h"
#include "gc-error.h"
#include "gc-ntp.h"
#include "gc-srtp.h"
#include "gc-srtp-media.h"

#include <gst/gst.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video.h>
#include <sys/socket.h>

/* receivers ask for a key frame after a loss (RTCP PLI); the group gets at
 * most one of those key frames in this long, whoever asks */
#define KEY_REQUEST_INTERVAL_US (500 * 1000)
/* the mark on the key frames the source forces itself (on PLAY), which are
 * never held back */
#define JOIN_KEY_FIELD "gc-join"

GST_DEBUG_CATEGORY_STATIC (gc_source_media_debug);
#define GST_CAT_DEFAULT gc_source_media_debug

struct _GcSourceMedia
{
  GObject parent_instance;

  gchar *group;
  guint16 rtp_port;
  guint16 audio_port;         /* the audio stream's RTP port; 0: no audio */
  guint8 ttl;                 /* the groups' multicast TTL */
  gchar *interface;
  GstRTSPMedia *media;
  gboolean encrypted;
  gboolean prepared;
  GMutex lock;                /* the two below are set from streaming threads */
  GstElement *mcast_rtp_sink; /* the RTP multiudpsink of the group */
  GstElement *payloader;
  gint64 last_key_request;    /* monotonic µs of the last receiver's key frame request passed on */
  guint key_requests_dropped;
  GstPad *encoder_queue;      /* the sink pad of the queue before the encoder */
  GstBuffer *last_picture;    /* the last raw frame into that queue, under lock */
  GstClockTime last_pts;      /* and the latest time stamp it took, under lock */
  gboolean picture_pending;   /* a repeat of it is on its way in, under lock */
  GThreadPool *repeater;      /* the thread that hands the encoder that repeat */
};

G_DEFINE_FINAL_TYPE (GcSourceMedia, gc_source_media, G_TYPE_OBJECT)

/* ---- hooks (streaming threads) -------------------------------------------- */

static GstPadProbeReturn
stamp_capture_time (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  /* wall clock in NTP epoch: receivers on NTP-synced hosts compare it with
   * their own clock when the frame is decoded */
  buf = gst_buffer_make_writable (buf);
  gst_buffer_add_reference_timestamp_meta (buf, gc_ntp_reference_caps (), gc_ntp_now_ns (),
                                           GST_CLOCK_TIME_NONE);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

/* a sound buffer spans its duration, and is whole only at its end: its
 * stamp is the middle of it, where a sound in it is on average, so the
 * receivers' lip sync compares like with like (a frame is one instant) */
static GstPadProbeReturn
stamp_sound_capture_time (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  guint64 now = gc_ntp_now_ns ();
  GstClockTime half = GST_BUFFER_DURATION_IS_VALID (buf) ? GST_BUFFER_DURATION (buf) / 2 : 0;

  buf = gst_buffer_make_writable (buf);
  gst_buffer_add_reference_timestamp_meta (buf, gc_ntp_reference_caps (), now - MIN (now, half),
                                           GST_CLOCK_TIME_NONE);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

/* a live capture cannot seek, whatever the elements behind it answer (the
 * test pattern says it can). a client's PLAY with a Range (ffmpeg sends
 * npt=0-) would otherwise flush the live pipeline; the flush takes the
 * segment off rtpbin's pads, and gst-rtsp-server 1.22 then aborts in
 * gst_rtsp_media_get_rates answering that same PLAY */
static GstPadProbeReturn
refuse_seeking (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_QUERY_UPSTREAM)
    {
      GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
      GstFormat format;

      if (GST_QUERY_TYPE (query) != GST_QUERY_SEEKING)
        return GST_PAD_PROBE_OK;
      gst_query_parse_seeking (query, &format, NULL, NULL, NULL);
      gst_query_set_seeking (query, format, FALSE, 0, -1);
      return GST_PAD_PROBE_HANDLED;
    }
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_SEEK)
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
drop_own_rtp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  /* a server in PLAY mode never needs RTP from the group: what arrives is
   * its own stream, looped back */
  return GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn
drop_sender_reports (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  guint8 head[2];

  /* members send receiver reports; a sender report here is our own,
   * looped back, and our session would take it for an SSRC collision */
  if (gst_buffer_extract (buf, 0, head, 2) == 2 && head[1] == 200)
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

/* gst-rtsp-server's multicast udpsrc gets the group's socket, not an
 * address: it is recognised by the socket's port. the unicast pair it
 * binds for a receiver the group does not reach (the fallback) is on
 * other ports, RTP even and RTCP odd; a member's reports come there too,
 * SRTCP with a site key (unmarked, one stops the media: not-linked) */
static void
hook_udpsrc (GcSourceMedia *self, GstElement *element)
{
  g_autofree gchar *addr = NULL;
  g_autoptr (GInetAddress) ia = NULL;
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, "src");
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  gint port = 0;
  gboolean is_rtp, is_rtcp;

  g_object_get (element, "address", &addr, "port", &port, "socket", &sock, NULL);
  local = sock != NULL ? g_socket_get_local_address (sock, NULL) : NULL;
  if (local != NULL)
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  ia = addr != NULL ? g_inet_address_new_from_string (addr) : NULL;
  is_rtp = port == self->rtp_port || (self->audio_port != 0 && port == self->audio_port);
  is_rtcp = port == self->rtp_port + 1 || (self->audio_port != 0 && port == self->audio_port + 1);
  if (!is_rtp && !is_rtcp && sock != NULL && port > 0)
    {
      is_rtcp = port % 2 == 1;
      is_rtp = !is_rtcp;
    }
  if (pad == NULL || (!is_rtp && !is_rtcp)
      || (sock == NULL && (ia == NULL || !g_inet_address_get_is_multicast (ia))))
    return;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, is_rtp ? drop_own_rtp : drop_sender_reports,
                     NULL, NULL);
  /* the members' reports are SRTCP, for the decoder rtpbin got */
  if (self->encrypted && is_rtcp)
    gc_srtp_mark_udpsrc (element);
}

/* the frames going to the encoder: the latest is kept for a key frame at
 * once, and time stamps only ever grow */
static GstPadProbeReturn
keep_last_picture (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcSourceMedia *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);

  g_mutex_lock (&self->lock);
  if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (self->last_pts)
      && pts <= self->last_pts)
    {
      buf = gst_buffer_make_writable (buf);
      pts = self->last_pts + GST_MSECOND;
      GST_BUFFER_PTS (buf) = pts;
      GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
      GST_PAD_PROBE_INFO_DATA (info) = buf;
    }
  if (GST_CLOCK_TIME_IS_VALID (pts))
    self->last_pts = pts;
  gst_buffer_replace (&self->last_picture, buf);
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

/* the repeater's thread: the latest frame again, now, into the encoder's
 * queue, so the key frame a joiner waits for is encoded at once rather than
 * at the next capture tick (up to a frame's time later): the encoder makes
 * its next frame the IDR, and now there is one. its time stamp is just
 * after the frame it repeats, so time stamps keep growing. it may block
 * while the pipeline is paused, which is why it is not the main loop's */
static void
repeat_picture (gpointer item, gpointer data)
{
  GcSourceMedia *self = data;
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstObject) queue = NULL;
  GstBuffer *buf = NULL;
  GstFlowReturn ret;

  g_mutex_lock (&self->lock);
  g_set_object (&pad, self->encoder_queue);
  if (self->last_picture != NULL && GST_CLOCK_TIME_IS_VALID (self->last_pts))
    {
      buf = gst_buffer_copy (self->last_picture);
      GST_BUFFER_PTS (buf) = self->last_pts + GST_MSECOND;
    }
  self->picture_pending = FALSE;
  g_mutex_unlock (&self->lock);
  queue = pad != NULL ? gst_pad_get_parent (pad) : NULL;
  if (buf == NULL || queue == NULL || GST_STATE (queue) != GST_STATE_PLAYING)
    {
      g_clear_pointer (&buf, gst_buffer_unref);
      return;
    }
  /* the picture is as old as its capture stamp says; only its place in
   * the stream is new */
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DISCONT);
  ret = gst_pad_chain (pad, buf);
  GST_DEBUG ("repeated the last frame for a key frame: %s", gst_flow_get_name (ret));
}

/* the first member's SETUP adds the group to the sink: the key frame its
 * PLAY forced may have gone out before, to nobody, so one more now */
static void
on_group_added (GstElement *sink, const gchar *host, gint port, GcSourceMedia *self)
{
  if (port != self->rtp_port)
    return;
  g_mutex_lock (&self->lock);
  if (self->mcast_rtp_sink == NULL)
    self->mcast_rtp_sink = gst_object_ref (sink);
  g_mutex_unlock (&self->lock);
  GST_DEBUG ("the group is a destination now: a key frame for it");
  gc_source_media_force_key_frame (self);
}

static void
on_deep_element_added (GstBin *bin, GstBin *sub, GstElement *element, GcSourceMedia *self)
{
  GstElementFactory *f = gst_element_get_factory (element); /* transfer none */
  const gchar *name = f != NULL ? GST_OBJECT_NAME (f) : "";
  gboolean auto_mc = FALSE, sync = FALSE;

  /* sender reports once a second too: receivers' jitter and RTT stay fresh */
  if (g_str_equal (name, "rtpsession"))
    g_object_set (element, "rtcp-min-interval", (guint64) GST_SECOND, NULL);
  if (g_str_equal (name, "udpsrc"))
    hook_udpsrc (self, element);
  if (!g_str_equal (name, "multiudpsink"))
    return;
  g_object_get (element, "auto-multicast", &auto_mc, "sync", &sync, NULL);
  if (!auto_mc)
    return;
  /* gst-rtsp-server 1.22 turns multicast loopback off; a receiver on this
   * host needs it on. multiudpsink applies it when the group is added. what
   * loops back to the server itself is dropped above */
  g_object_set (element, "loop", TRUE, NULL);
  if (self->interface != NULL)
    g_object_set (element, "multicast-iface", self->interface, NULL);
  /* gst-rtsp-server 1.22 sets the sink's TTL after it adds the first
   * member's group, so the first member got TTL 1, which no router
   * forwards: a receiver beyond one only played from its retry, 4 s late */
  g_object_set (element, "ttl-mc", (gint) self->ttl, NULL);
  /* the RTP sinks (gst-rtsp-server makes them sync, the RTCP ones not) */
  if (!sync)
    return;
  /* the video's RTP sink is known by the port its group is added on (the
   * audio stream has a sink of its own) */
  g_signal_connect_object (element, "client-added", G_CALLBACK (on_group_added), self, 0);
}

/* a key frame request coming up from the RTP session (a receiver's PLI):
 * passed on at most once per KEY_REQUEST_INTERVAL_US; ours (on PLAY) always */
static GstPadProbeReturn
limit_key_requests (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcSourceMedia *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure *s;
  gint64 now;
  gboolean pass;

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;
  s = gst_event_get_structure (event);
  if (s != NULL && gst_structure_has_field (s, JOIN_KEY_FIELD))
    return GST_PAD_PROBE_OK;
  now = g_get_monotonic_time ();
  g_mutex_lock (&self->lock);
  pass = self->last_key_request == 0 || now - self->last_key_request >= KEY_REQUEST_INTERVAL_US;
  if (pass)
    self->last_key_request = now;
  else
    self->key_requests_dropped++;
  g_mutex_unlock (&self->lock);
  if (pass)
    g_info ("key frame for a receiver's request (a loss)");
  else
    g_debug ("a receiver's key frame request held back: one went out %" G_GINT64_FORMAT " ms ago",
             (now - self->last_key_request) / 1000);
  return pass ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* h264parse keeps an upstream key frame request in a field that its
 * streaming thread reads and clears without a lock (gst-plugins-bad 1.22,
 * gst_h264_parse_src_event): a request that comes while a frame goes out
 * frees the event under that thread (the churn soak's gst_event_get_seqnum
 * critical, then an abort). requests go round the parser, straight to the
 * encoder; the encoder's own downstream request reaches the parser in its
 * streaming thread, and config-interval=-1 puts SPS/PPS before every IDR */
static GstPadProbeReturn
bypass_parser (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstPad *parser_sink = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;
  GST_PAD_PROBE_INFO_DATA (info) = NULL;
  gst_pad_push_event (parser_sink, event);
  return GST_PAD_PROBE_HANDLED;
}

static void
route_key_requests_round_parser (GstElement *pay)
{
  g_autoptr (GstPad) pay_sink = gst_element_get_static_pad (pay, "sink");
  g_autoptr (GstPad) parser_src = pay_sink != NULL ? gst_pad_get_peer (pay_sink) : NULL;
  g_autoptr (GstElement) parser = parser_src != NULL ? gst_pad_get_parent_element (parser_src)
                                                     : NULL;
  GstElementFactory *f = parser != NULL ? gst_element_get_factory (parser) : NULL;

  if (f == NULL || !g_str_equal (GST_OBJECT_NAME (f), "h264parse"))
    return;
  gst_pad_add_probe (parser_src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, bypass_parser,
                     gst_element_get_static_pad (parser, "sink"), gst_object_unref);
}

/* the SDP says the stream takes key frame requests (a=rtcp-fb: nack pli),
 * so receivers' RTP sessions send PLI on a loss */
static GstPadProbeReturn
announce_pli (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps = NULL;
  GstCaps *more;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (gst_caps_get_size (caps) == 0
      || gst_structure_has_field (gst_caps_get_structure (caps, 0), "rtcp-fb-nack-pli"))
    return GST_PAD_PROBE_OK;
  more = gst_caps_copy (caps);
  gst_caps_set_simple (more, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, NULL);
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (more);
  gst_event_unref (event);
  gst_caps_unref (more);
  return GST_PAD_PROBE_OK;
}

/* an RTP packet of a key frame (RFC 6184: an IDR slice, or the SPS and
 * PPS before it, single, in a STAP-A or starting an FU-A) is flagged
 * non-droppable: the FEC encoder protects those with its larger share
 * (percentage-important). a key frame is the largest frame, and the
 * one every frame until the next refers to */
static gboolean
is_key_packet (GstBuffer *buf)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GcH264Nal nal;
  gboolean key;

  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return FALSE;
  /* every fragment of an IDR, SPS or PPS */
  key = gc_h264_first_nal (gst_rtp_buffer_get_payload (&rtp), gst_rtp_buffer_get_payload_len (&rtp),
                           &nal)
        && (nal.type == 5 || nal.type == 7 || nal.type == 8);
  gst_rtp_buffer_unmap (&rtp);
  return key;
}

static gboolean
flag_key_packet (GstBuffer **buf, guint idx, gpointer data)
{
  if (is_key_packet (*buf))
    {
      *buf = gst_buffer_make_writable (*buf);
      GST_BUFFER_FLAG_SET (*buf, GST_BUFFER_FLAG_NON_DROPPABLE);
    }
  return TRUE;
}

static gboolean
find_key_packet (GstBuffer **buf, guint idx, gpointer data)
{
  gboolean *found = data;

  *found = is_key_packet (*buf);
  return !*found;
}

/* a list is copied (to flag its packets) only when it holds a key frame's */
static GstPadProbeReturn
flag_key_packets (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
      GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
      gboolean found = FALSE;

      gst_buffer_list_foreach (list, find_key_packet, &found);
      if (!found)
        return GST_PAD_PROBE_OK;
      list = gst_buffer_list_make_writable (list);
      gst_buffer_list_foreach (list, flag_key_packet, NULL);
      GST_PAD_PROBE_INFO_DATA (info) = list;
    }
  else
    {
      GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

      flag_key_packet (&buf, 0, NULL);
      GST_PAD_PROBE_INFO_DATA (info) = buf;
    }
  return GST_PAD_PROBE_OK;
}

/* the factory made the media: hooks on the capture and the payloader */
static void
on_media_configure (GstRTSPMediaFactory *factory, GstRTSPMedia *media, GcSourceMedia *self)
{
  g_autoptr (GstElement) top = gst_rtsp_media_get_element (media);
  g_autoptr (GstElement) capture = gst_bin_get_by_name (GST_BIN (top), "gccapture");
  g_autoptr (GstElement) pay = gst_bin_get_by_name (GST_BIN (top), "pay0");
  g_autoptr (GstElement) enc = gst_bin_get_by_name (GST_BIN (top), "enc");
  g_autoptr (GstElement) audio_capture = gst_bin_get_by_name (GST_BIN (top), "gcaudiocapture");
  g_autoptr (GstElement) audio_pay = gst_bin_get_by_name (GST_BIN (top), "pay1");
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstRTPHeaderExtension) ext = NULL;

  GST_DEBUG_OBJECT (media, "configuring media");
  /* a packet goes out as soon as it is made. the RTP sinks are in sync
   * (gst-rtsp-server needs them so: a sink out of sync keeps no last
   * sample, and a PLAY that asks for the rate then aborts in
   * gst_rtsp_media_get_rates), and would hold each packet until its
   * capture time plus the pipeline's latency: the largest any branch
   * reports, the sound's capture and encoder, 60-90 ms more than the
   * picture needs. with latency 0 every packet is late and goes at once;
   * the captures are live and paced by their own clock (a file by the
   * identity in its launch) */
  {
    g_autoptr (GstObject) pipeline = gst_object_get_parent (GST_OBJECT (top));

    if (pipeline != NULL && GST_IS_PIPELINE (pipeline))
      gst_pipeline_set_latency (GST_PIPELINE (pipeline), 0);
  }
  /* stamp capture time on every frame for the NTP-64 header extension */
  if (capture != NULL)
    {
      g_autoptr (GstPad) pad = gst_element_get_static_pad (capture, "src");

      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, stamp_capture_time, NULL, NULL);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM | GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                         refuse_seeking, NULL, NULL);
    }
  /* the payloader writes it as RFC 6051 ntp-64 and lists it in the SDP
   * (extmap) */
  ext = gst_rtp_header_extension_create_from_uri ("urn:ietf:params:rtp-hdrext:ntp-64");
  if (ext != NULL && pay != NULL)
    {
      gst_rtp_header_extension_set_id (ext, 1);
      /* h264 depayloaders read extensions from a frame's last packet, so
       * every packet carries the stamp (12 bytes; about 1 % at 1400 MTU) */
      g_object_set (ext, "every-packet", TRUE, NULL);
      g_signal_emit_by_name (pay, "add-extension", ext);
    }
  /* the sound has the same stamps: receivers play it in step with the
   * picture from them (and measure how well) */
  if (audio_capture != NULL && audio_pay != NULL)
    {
      g_autoptr (GstPad) pad = gst_element_get_static_pad (audio_capture, "src");
      g_autoptr (GstRTPHeaderExtension) audio_ext =
        gst_rtp_header_extension_create_from_uri ("urn:ietf:params:rtp-hdrext:ntp-64");

      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, stamp_sound_capture_time, NULL, NULL);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM | GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                         refuse_seeking, NULL, NULL);
      if (audio_ext != NULL)
        {
          gst_rtp_header_extension_set_id (audio_ext, 1);
          g_object_set (audio_ext, "every-packet", TRUE, NULL);
          g_signal_emit_by_name (audio_pay, "add-extension", audio_ext);
        }
    }
  if (pay != NULL)
    {
      g_autoptr (GstPad) src = gst_element_get_static_pad (pay, "src");

      gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, limit_key_requests, self, NULL);
      gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, announce_pli, NULL, NULL);
      gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         flag_key_packets, NULL, NULL);
      route_key_requests_round_parser (pay);
    }
  /* the launch has a queue before the encoder (its own thread) */
  if (enc != NULL)
    {
      g_autoptr (GstPad) sink = gst_element_get_static_pad (enc, "sink");
      g_autoptr (GstPad) peer = sink != NULL ? gst_pad_get_peer (sink) : NULL;
      g_autoptr (GstElement) queue = peer != NULL ? gst_pad_get_parent_element (peer) : NULL;
      GstElementFactory *f = queue != NULL ? gst_element_get_factory (queue) : NULL;

      if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), "queue"))
        queue_sink = gst_element_get_static_pad (queue, "sink");
    }
  if (queue_sink != NULL)
    gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_BUFFER, keep_last_picture, self, NULL);
  g_mutex_lock (&self->lock);
  g_set_object (&self->payloader, pay);
  g_set_object (&self->encoder_queue, queue_sink);
  g_mutex_unlock (&self->lock);
}

static gboolean
share_stream_sockets (GcSourceMedia *self, guint index, guint16 port, GError **error)
{
  GstRTSPStream *stream = gst_rtsp_media_get_stream (self->media, index);
  GstRTSPTransport *ct = NULL;
  g_autoptr (GSocket) rtp = NULL;
  g_autoptr (GSocket) rtcp = NULL;

  /* gst-rtsp-server binds the group's ports at the first SETUP without
   * SO_REUSEADDR, and answers before we could touch them; a receiver on
   * this host binds the same ports and would fail. so allocate them now,
   * from our pool, and mark them shared: linux checks the flag on the bound
   * socket when the second one binds */
  if (stream == NULL || gst_rtsp_transport_new (&ct) != GST_RTSP_OK)
    return TRUE;
  ct->lower_transport = GST_RTSP_LOWER_TRANS_UDP_MCAST;
  if (gst_rtsp_stream_allocate_udp_sockets (stream, G_SOCKET_FAMILY_IPV4, ct, FALSE))
    {
      rtp = gst_rtsp_stream_get_rtp_multicast_socket (stream, G_SOCKET_FAMILY_IPV4);
      rtcp = gst_rtsp_stream_get_rtcp_multicast_socket (stream, G_SOCKET_FAMILY_IPV4);
      if (rtp != NULL)
        g_socket_set_option (rtp, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
      if (rtcp != NULL)
        g_socket_set_option (rtcp, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
      /* the stream's sinks now, not at the first SETUP of it: a member
       * that sets up the picture only (a receiver without sound, another
       * player) would otherwise start the media with the sound's branch
       * linked to nothing, which stops it with not-linked. a SETUP later
       * finds them made */
      if (rtp != NULL && rtcp != NULL && !gst_rtsp_stream_complete_stream (stream, ct))
        g_clear_object (&rtp);
    }
  gst_rtsp_transport_free (ct);
  if (rtp == NULL || rtcp == NULL)
    {
      /* serving on would have gst-rtsp-server try the ports again at the
       * first SETUP, and abort */
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                   "UDP ports %u-%u are in use on this host (another source, or a program "
                   "without SO_REUSEADDR): give this source another %s",
                   port, port + 1, index == 0 ? "--rtp-port" : "--audio-port");
      return FALSE;
    }
  return TRUE;
}

/* the video's ports first, then the sound's */
static gboolean
share_group_sockets (GcSourceMedia *self, GError **error)
{
  if (!share_stream_sockets (self, 0, self->rtp_port, error))
    return FALSE;
  if (self->audio_port != 0 && gst_rtsp_media_n_streams (self->media) > 1)
    return share_stream_sockets (self, 1, self->audio_port, error);
  return TRUE;
}

/* the audio stream gets its own ports on the same group */
static gboolean
give_audio_ports (GcSourceMedia *self, guint8 ttl, GError **error)
{
  GstRTSPStream *stream;
  g_autoptr (GstRTSPAddressPool) pool = NULL;

  if (self->audio_port == 0 || gst_rtsp_media_n_streams (self->media) < 2)
    {
      self->audio_port = 0;
      return TRUE;
    }
  stream = gst_rtsp_media_get_stream (self->media, 1);
  pool = gst_rtsp_address_pool_new ();
  if (!gst_rtsp_address_pool_add_range (pool, self->group, self->group, self->audio_port,
                                        self->audio_port + 1, ttl))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "cannot use group %s ports %u-%u",
                   self->group, self->audio_port, self->audio_port + 1);
      return FALSE;
    }
  gst_rtsp_stream_set_address_pool (stream, pool);
  return TRUE;
}


/* ---- life cycle ----------------------------------------------------------- */

/* the factory caches shared media by URL, so the clients get the media
 * made here; preparing it ourselves keeps the encoder running between
 * viewers, and a joiner's forced key frame comes within a frame */
GcSourceMedia *
gc_source_media_new (GstRTSPMediaFactory *factory, const gchar *url, const gchar *group,
                     guint16 rtp_port, guint16 audio_port, const gchar *interface,
                     GBytes *site_key, const gchar *source_id, GError **error)
{
  g_autoptr (GcSourceMedia) self = g_object_new (GC_TYPE_SOURCE_MEDIA, NULL);
  g_autoptr (GstRTSPUrl) u = NULL;
  g_autoptr (GstElement) top = NULL;
  GstObject *pipeline;
  gulong id;

  g_return_val_if_fail (GST_IS_RTSP_MEDIA_FACTORY (factory), NULL);

  self->group = g_strdup (group);
  self->rtp_port = rtp_port;
  self->audio_port = audio_port;
  self->interface = g_strdup (interface);
  if (gst_rtsp_url_parse (url, &u) != GST_RTSP_OK)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot parse own URL %s", url);
      return NULL;
    }
  id = g_signal_connect (factory, "media-configure", G_CALLBACK (on_media_configure), self);
  gst_rtsp_media_factory_set_media_gtype (factory, GC_TYPE_SRTP_MEDIA);
  self->media = gst_rtsp_media_factory_construct (factory, u);
  g_signal_handler_disconnect (factory, id);
  if (self->media == NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot build the media pipeline");
      return NULL;
    }
  self->ttl = gst_rtsp_media_factory_get_max_mcast_ttl (factory);
  if (!give_audio_ports (self, self->ttl, error))
    return NULL;
  /* with a site key, each stream start has its own media key */
  if (site_key != NULL && source_id != NULL)
    {
      if (!gc_srtp_media_set_key (GC_SRTP_MEDIA (self->media), site_key, source_id, error))
        return NULL;
      self->encrypted = TRUE;
    }
  /* the launch bin now sits in the media's pipeline, where gst-rtsp-server
   * adds rtpbin and the UDP elements later; watch for the multicast ones */
  top = gst_rtsp_media_get_element (self->media);
  pipeline = GST_OBJECT_PARENT (top);
  g_signal_connect_object (pipeline != NULL ? (gpointer) pipeline : (gpointer) top,
                           "deep-element-added", G_CALLBACK (on_deep_element_added), self, 0);
  return g_steal_pointer (&self);
}

/* FEC for the picture: @percentage more packets (0: none), of payload type
 * GC_FEC_PT, announced in the SDP. before prepare. */
void
gc_source_media_set_fec (GcSourceMedia *self, guint percentage)
{
  g_return_if_fail (GC_IS_SOURCE_MEDIA (self));
  g_return_if_fail (!self->prepared);

  gc_srtp_media_set_fec (GC_SRTP_MEDIA (self->media), GC_FEC_PT, percentage);
}

static void
prepare_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GcSourceMedia *self = source;

  /* waits until the media prerolled, on the media's own bus thread */
  if (gst_rtsp_media_prepare (self->media, data))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, GC_ERROR, GC_ERROR_STREAM, "the media pipeline did not start");
}

/* prepares the media in a worker thread, its bus on @thread (taken) */
void
gc_source_media_prepare_async (GcSourceMedia *self, GstRTSPThread *thread,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  g_return_if_fail (GC_IS_SOURCE_MEDIA (self));

  g_task_set_source_tag (task, gc_source_media_prepare_async);
  g_task_set_task_data (task, thread, NULL);
  g_task_run_in_thread (task, prepare_thread);
}

gboolean
gc_source_media_prepare_finish (GcSourceMedia *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  self->prepared = TRUE;
  return share_group_sockets (self, error);
}

void
gc_source_media_unprepare (GcSourceMedia *self)
{
  g_return_if_fail (GC_IS_SOURCE_MEDIA (self));

  if (self->prepared)
    gst_rtsp_media_unprepare (self->media);
  self->prepared = FALSE;
}

/* asks the encoder for an IDR with SPS/PPS now, and hands it the latest
 * frame again so that IDR needs no wait for the next capture */
void
gc_source_media_force_key_frame (GcSourceMedia *self)
{
  g_autoptr (GstElement) pay = NULL;
  g_autoptr (GstPad) pad = NULL;
  GstEvent *event;
  gboolean repeat;

  g_return_if_fail (GC_IS_SOURCE_MEDIA (self));

  g_mutex_lock (&self->lock);
  g_set_object (&pay, self->payloader);
  repeat = !self->picture_pending && self->last_picture != NULL;
  self->picture_pending |= repeat;
  g_mutex_unlock (&self->lock);
  if (pay == NULL)
    return;
  /* upstream from the payloader to the encoder, marked as ours */
  pad = gst_element_get_static_pad (pay, "src");
  event = gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0);
  gst_structure_set (gst_event_writable_structure (event), JOIN_KEY_FIELD, G_TYPE_BOOLEAN, TRUE,
                     NULL);
  gst_pad_send_event (pad, event);
  GST_DEBUG ("forced a key frame");
  if (repeat)
    g_thread_pool_push (self->repeater, GINT_TO_POINTER (1), NULL);
}

/* what went on the wire to the group since its sink was set up */
gboolean
gc_source_media_read_sent (GcSourceMedia *self, guint64 *packets, guint64 *bytes)
{
  g_autoptr (GstElement) sink = NULL;
  GstStructure *s = NULL;
  gboolean ok;

  g_return_val_if_fail (GC_IS_SOURCE_MEDIA (self), FALSE);

  g_mutex_lock (&self->lock);
  g_set_object (&sink, self->mcast_rtp_sink);
  g_mutex_unlock (&self->lock);
  if (sink == NULL)
    return FALSE;
  g_signal_emit_by_name (sink, "get-stats", self->group, (gint) self->rtp_port, &s);
  ok = s != NULL && gst_structure_get_uint64 (s, "packets-sent", packets)
       && gst_structure_get_uint64 (s, "bytes-sent", bytes);
  g_clear_pointer (&s, gst_structure_free);
  return ok;
}

gboolean
gc_source_media_encrypted (GcSourceMedia *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_MEDIA (self), FALSE);
  return self->encrypted;
}

/* the video stream's rtpsession, for the members' receiver reports */
GObject *
gc_source_media_dup_rtpsession (GcSourceMedia *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_MEDIA (self), NULL);

  if (!self->prepared || gst_rtsp_media_n_streams (self->media) < 1)
    return NULL;
  return gst_rtsp_stream_get_rtpsession (gst_rtsp_media_get_stream (self->media, 0));
}

static void
gc_source_media_dispose (GObject *object)
{
  GcSourceMedia *self = GC_SOURCE_MEDIA (object);

  if (self->media != NULL)
    gc_source_media_unprepare (self);
  /* a repeat under way ends with the pipeline (flushing); queued ones are
   * dropped */
  if (self->repeater != NULL)
    g_thread_pool_free (g_steal_pointer (&self->repeater), TRUE, TRUE);
  g_mutex_lock (&self->lock);
  gst_clear_buffer (&self->last_picture);
  g_clear_object (&self->encoder_queue);
  g_mutex_unlock (&self->lock);
  g_clear_object (&self->media);
  g_clear_object (&self->mcast_rtp_sink);
  g_clear_object (&self->payloader);
  G_OBJECT_CLASS (gc_source_media_parent_class)->dispose (object);
}

static void
gc_source_media_finalize (GObject *object)
{
  GcSourceMedia *self = GC_SOURCE_MEDIA (object);

  g_mutex_clear (&self->lock);
  g_free (self->group);
  g_free (self->interface);
  G_OBJECT_CLASS (gc_source_media_parent_class)->finalize (object);
}

static void
gc_source_media_class_init (GcSourceMediaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_source_media_dispose;
  object_class->finalize = gc_source_media_finalize;
  GST_DEBUG_CATEGORY_INIT (gc_source_media_debug, "gcsource", 0, "Groupcast source");
}

static void
gc_source_media_init (GcSourceMedia *self)
{
  g_mutex_init (&self->lock);
  self->last_pts = GST_CLOCK_TIME_NONE;
  self->repeater = g_thread_pool_new (repeat_picture, self, 1, FALSE, NULL);
}
