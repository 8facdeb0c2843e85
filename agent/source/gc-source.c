/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source role: one shared, multicast-only RTSP media served by
 * gst-rtsp-server; receivers join the group it announces.
 */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source.h"
#include "gc-error.h"

#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <gst/video/video.h>
#include <gst/rtp/rtp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>

GST_DEBUG_CATEGORY_STATIC (gc_source_debug);
#define GST_CAT_DEFAULT gc_source_debug

#define NTP_UNIX_OFFSET_S G_GUINT64_CONSTANT (2208988800)
#define STATS_INTERVAL_MS 500

typedef struct
{
  gchar *address;
  gchar *state;        /* "setup", "playing" */
  gchar *session;
  GstRTSPClient *client;
  guint32 ssrc;
  gboolean have_rb;
  gdouble fraction_lost;
  gint64 packets_lost;
  gdouble jitter_ms;
  gdouble rtt_ms;
  gint64 last_report_us; /* monotonic */
  gboolean announced;
} Member;

struct _GcSource
{
  GObject parent_instance;

  GcConfig *config;           /* a private copy of what we need */
  gchar *group;
  gchar *url;
  gchar *encoder;
  gchar *state;

  GstRTSPServer *server;
  GstRTSPMediaFactory *factory;
  GstRTSPMedia *media;        /* kept prepared while serving */
  guint server_source_id;
  guint pool_source_id;
  guint stats_id;
  GstElement *mcast_rtp_sink;
  GstElement *payloader;

  GHashTable *members;        /* address -> Member */
  GMutex report_lock;
  GHashTable *report_times;   /* ssrc -> monotonic µs, written by streaming threads */

  guint64 packets_sent;
  guint64 bytes_sent;
  guint64 last_bytes;
  gint64 last_bytes_time;
  guint64 bitrate;
  guint64 bitrate_base;
  guint64 packets_base;
  gdouble packet_rate;

  GcSourceNameFunc name_func;
  gpointer name_data;
};

G_DEFINE_FINAL_TYPE (GcSource, gc_source, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_MEMBER_JOINED,
  SIGNAL_MEMBER_LEFT,
  SIGNAL_COUNTERS_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
member_free (Member *m)
{
  g_free (m->address);
  g_free (m->state);
  g_free (m->session);
  g_free (m);
}

static void
set_state (GcSource *self, const gchar *state)
{
  if (g_strcmp0 (self->state, state) == 0)
    return;
  g_free (self->state);
  self->state = g_strdup (state);
  g_info ("source state: %s", state);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

static void
update_state (GcSource *self)
{
  guint playing = 0;
  GHashTableIter it;
  Member *m;

  if (self->media == NULL)
    {
      set_state (self, "stopped");
      return;
    }
  g_hash_table_iter_init (&it, self->members);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &m))
    playing += g_str_equal (m->state, "playing");
  set_state (self, playing > 0 ? "streaming" : "ready");
}

/* ---- media hooks ------------------------------------------------------- */

static GstPadProbeReturn
stamp_capture_time (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  static GstCaps *ntp_caps;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  guint64 now_ns;

  if (g_once_init_enter (&ntp_caps))
    g_once_init_leave (&ntp_caps, gst_caps_new_empty_simple ("timestamp/x-ntp"));
  /* wall clock in NTP epoch: receivers on NTP-synced hosts compare it with
   * their own clock when the frame is decoded */
  now_ns = (guint64) g_get_real_time () * 1000 + NTP_UNIX_OFFSET_S * GST_SECOND;
  buf = gst_buffer_make_writable (buf);
  gst_buffer_add_reference_timestamp_meta (buf, ntp_caps, now_ns, GST_CLOCK_TIME_NONE);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
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

static void
on_deep_element_added (GstBin *bin, GstBin *sub, GstElement *element, GcSource *self)
{
  GstElementFactory *f = gst_element_get_factory (element); /* transfer none */
  const gchar *name = f != NULL ? GST_OBJECT_NAME (f) : "";
  gboolean auto_mc = FALSE, sync = FALSE;


  /* sender reports once a second too: receivers' jitter and RTT stay fresh */
  if (g_str_equal (name, "rtpsession"))
    g_object_set (element, "rtcp-min-interval", (guint64) GST_SECOND, NULL);
  if (g_str_equal (name, "udpsrc"))
    {
      g_autofree gchar *addr = NULL;
      g_autoptr (GInetAddress) ia = NULL;
      g_autoptr (GstPad) pad = gst_element_get_static_pad (element, "src");
      gint port = 0;

      g_autoptr (GSocket) sock = NULL;
      g_autoptr (GSocketAddress) local = NULL;

      /* gst-rtsp-server's multicast udpsrc gets the group's socket, not an
       * address: recognise it by the socket's port */
      g_object_get (element, "address", &addr, "port", &port, "socket", &sock, NULL);
      local = sock != NULL ? g_socket_get_local_address (sock, NULL) : NULL;
      if (local != NULL)
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
      ia = addr != NULL ? g_inet_address_new_from_string (addr) : NULL;
      if (pad == NULL || (port != self->config->rtp_port && port != self->config->rtp_port + 1)
          || (sock == NULL && (ia == NULL || !g_inet_address_get_is_multicast (ia))))
        return;
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
                         port == self->config->rtp_port ? drop_own_rtp : drop_sender_reports,
                         NULL, NULL);
      return;
    }
  if (!g_str_equal (name, "multiudpsink"))
    return;
  g_object_get (element, "auto-multicast", &auto_mc, "sync", &sync, NULL);
  if (!auto_mc)
    return;
  /* gst-rtsp-server 1.22 turns multicast loopback off; a receiver on this
   * host needs it on. multiudpsink applies it when the group is added. what
   * loops back to the server itself is dropped above */
  g_object_set (element, "loop", TRUE, NULL);
  if (self->config->interface != NULL)
    g_object_set (element, "multicast-iface", self->config->interface, NULL);
  if (sync && self->mcast_rtp_sink == NULL)
    self->mcast_rtp_sink = gst_object_ref (element);
}

static void
on_media_configure (GstRTSPMediaFactory *factory, GstRTSPMedia *media, GcSource *self)
{
  GstElement *top = gst_rtsp_media_get_element (media);
  g_autoptr (GstElement) capture = gst_bin_get_by_name (GST_BIN (top), "gccapture");
  g_autoptr (GstElement) pay = gst_bin_get_by_name (GST_BIN (top), "pay0");
  g_autoptr (GstPad) pad = NULL;
  GstRTPHeaderExtension *ext;

  GST_DEBUG_OBJECT (media, "configuring media");
  /* stamp capture time on every frame for the NTP-64 header extension */
  if (capture != NULL)
    {
      pad = gst_element_get_static_pad (capture, "src");
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, stamp_capture_time, NULL, NULL);
    }
  /* the payloader writes it as RFC 6051 ntp-64 on the first packet of
   * each frame, and lists it in the SDP (extmap) */
  ext = gst_rtp_header_extension_create_from_uri ("urn:ietf:params:rtp-hdrext:ntp-64");
  if (ext != NULL && pay != NULL)
    {
      gst_rtp_header_extension_set_id (ext, 1);
      /* h264 depayloaders read extensions from a frame's last packet, so
       * every packet carries the stamp (12 bytes; about 1 % at 1400 MTU) */
      g_object_set (ext, "every-packet", TRUE, NULL);
      g_signal_emit_by_name (pay, "add-extension", ext);
    }
  g_clear_object (&ext);
  g_set_object (&self->payloader, pay);
  gst_object_unref (top);
}

/* ---- members ----------------------------------------------------------- */

static const gchar *
member_name (GcSource *self, const gchar *address)
{
  const gchar *n = self->name_func ? self->name_func (address, self->name_data) : NULL;

  return n != NULL ? n : address;
}

static GVariant *
member_to_variant (GcSource *self, Member *m)
{
  GVariantBuilder b;
  gint64 now = g_get_monotonic_time ();

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "address", g_variant_new_string (m->address));
  g_variant_builder_add (&b, "{sv}", "name", g_variant_new_string (member_name (self, m->address)));
  g_variant_builder_add (&b, "{sv}", "state", g_variant_new_string (m->state));
  g_variant_builder_add (&b, "{sv}", "session", g_variant_new_string (m->session ? m->session : ""));
  g_variant_builder_add (&b, "{sv}", "fraction-lost", g_variant_new_double (m->fraction_lost));
  g_variant_builder_add (&b, "{sv}", "packets-lost", g_variant_new_int64 (m->packets_lost));
  g_variant_builder_add (&b, "{sv}", "jitter-ms", g_variant_new_double (m->jitter_ms));
  g_variant_builder_add (&b, "{sv}", "rtt-ms", g_variant_new_double (m->rtt_ms));
  g_variant_builder_add (&b, "{sv}", "report-age-ms",
                         g_variant_new_int64 (m->last_report_us > 0
                                              ? (now - m->last_report_us) / 1000 : -1));
  return g_variant_builder_end (&b);
}

static Member *
member_for_address (GcSource *self, const gchar *address)
{
  Member *m = g_hash_table_lookup (self->members, address);

  if (m == NULL)
    {
      m = g_new0 (Member, 1);
      m->address = g_strdup (address);
      m->state = g_strdup ("setup");
      g_hash_table_insert (self->members, m->address, m);
    }
  return m;
}

static void
member_remove (GcSource *self, const gchar *address, const gchar *reason)
{
  Member *m = g_hash_table_lookup (self->members, address);
  gboolean announced;

  if (m == NULL)
    return;
  announced = m->announced;
  g_hash_table_remove (self->members, address);
  if (announced)
    {
      g_message ("member %s left (%s)", address, reason);
      g_signal_emit (self, signals[SIGNAL_MEMBER_LEFT], 0, address, reason);
    }
  update_state (self);
}

static gchar *
client_address (GstRTSPClient *client)
{
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);

  return conn != NULL ? g_strdup (gst_rtsp_connection_get_ip (conn)) : NULL;
}

static void
on_client_play (GstRTSPClient *client, GstRTSPContext *ctx, GcSource *self)
{
  g_autofree gchar *addr = client_address (client);
  Member *m;

  if (addr == NULL)
    return;
  /* a new viewer gets a key frame at once instead of waiting for the GOP */
  gc_source_force_key_frame (self);
  m = member_for_address (self, addr);
  m->client = client;
  g_free (m->state);
  m->state = g_strdup ("playing");
  if (ctx->session != NULL)
    {
      g_free (m->session);
      m->session = g_strdup (gst_rtsp_session_get_sessionid (ctx->session));
    }
  if (!m->announced)
    {
      g_autoptr (GVariant) info = g_variant_ref_sink (member_to_variant (self, m));

      m->announced = TRUE;
      g_message ("member %s joined", addr);
      g_signal_emit (self, signals[SIGNAL_MEMBER_JOINED], 0, addr, info);
    }
  update_state (self);
}

static void
on_client_teardown (GstRTSPClient *client, GstRTSPContext *ctx, GcSource *self)
{
  g_autofree gchar *addr = client_address (client);

  if (addr != NULL)
    member_remove (self, addr, "teardown");
}

static void
on_client_closed (GstRTSPClient *client, GcSource *self)
{
  GHashTableIter it;
  Member *m;

  /* the connection is gone (the receiver quit or died): its member goes */
  g_hash_table_iter_init (&it, self->members);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &m))
    if (m->client == client)
      {
        g_autofree gchar *addr = g_strdup (m->address);

        member_remove (self, addr, "closed");
        break;
      }
}

static void
on_new_session (GstRTSPClient *client, GstRTSPSession *session, GcSource *self)
{
  /* a receiver whose link dies without closing TCP goes after this long
   * without a keep-alive; rtspsrc sends one well inside it */
  gst_rtsp_session_set_timeout (session, 20);
}

static void
on_client_connected (GstRTSPServer *server, GstRTSPClient *client, GcSource *self)
{
  g_signal_connect_object (client, "play-request", G_CALLBACK (on_client_play), self, 0);
  g_signal_connect_object (client, "teardown-request", G_CALLBACK (on_client_teardown), self, 0);
  g_signal_connect_object (client, "closed", G_CALLBACK (on_client_closed), self, 0);
  g_signal_connect_object (client, "new-session", G_CALLBACK (on_new_session), self, 0);
}

static void
on_ssrc_active (GObject *session, GObject *src, GcSource *self)
{
  guint ssrc = 0;

  /* called from streaming threads when RTCP arrives from a member */
  g_object_get (src, "ssrc", &ssrc, NULL);
  g_mutex_lock (&self->report_lock);
  g_hash_table_insert (self->report_times, GUINT_TO_POINTER (ssrc),
                       g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)));
  g_mutex_unlock (&self->report_lock);
}

static GObject *
media_rtpsession (GcSource *self)
{
  GstRTSPStream *stream;

  if (self->media == NULL || gst_rtsp_media_n_streams (self->media) < 1)
    return NULL;
  stream = gst_rtsp_media_get_stream (self->media, 0);
  return gst_rtsp_stream_get_rtpsession (stream);
}

static void
read_member_reports (GcSource *self)
{
  g_autoptr (GObject) session = media_rtpsession (self);
  g_autoptr (GstStructure) stats = NULL;
  const GValue *v;
  guint n;

  if (session == NULL)
    return;
  if (g_object_get_data (session, "gc-watched") == NULL)
    {
      g_object_set_data (session, "gc-watched", GINT_TO_POINTER (1));
      g_signal_connect_object (session, "on-ssrc-active", G_CALLBACK (on_ssrc_active), self, 0);
    }
  g_object_get (session, "stats", &stats, NULL);
  if (stats == NULL)
    return;
  /* "source-stats" is a GValueArray: walk it as a GStreamer list */
  v = gst_structure_get_value (stats, "source-stats");
  if (v == NULL || !G_VALUE_HOLDS_BOXED (v))
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  n = ((GValueArray *) g_value_get_boxed (v))->n_values;
  for (guint i = 0; i < n; i++)
    {
      const GstStructure *s =
        g_value_get_boxed (g_value_array_get_nth ((GValueArray *) g_value_get_boxed (v), i));
      gboolean internal = FALSE, have_rb = FALSE;
      const gchar *from;
      g_autofree gchar *ip = NULL;
      guint ssrc = 0, fraction = 0, jitter = 0, rtt = 0;
      gint lost = 0;
      Member *m;
      gint64 *t;

      gst_structure_get_boolean (s, "internal", &internal);
      from = gst_structure_get_string (s, "rtcp-from");
      if (internal || from == NULL)
        continue;
      ip = g_strdup (from);
      if (strrchr (ip, ':') != NULL)
        *strrchr (ip, ':') = '\0';
      m = g_hash_table_lookup (self->members, ip);
      if (m == NULL)
        continue; /* RTCP from a host with no RTSP session: not a member */
      gst_structure_get_uint (s, "ssrc", &ssrc);
      gst_structure_get_boolean (s, "have-rb", &have_rb);
      m->ssrc = ssrc;
      if (have_rb)
        {
          gst_structure_get_uint (s, "rb-fractionlost", &fraction);
          gst_structure_get_int (s, "rb-packetslost", &lost);
          gst_structure_get_uint (s, "rb-jitter", &jitter);
          gst_structure_get_uint (s, "rb-round-trip", &rtt);
          m->have_rb = TRUE;
          m->fraction_lost = fraction / 256.0;
          m->packets_lost = lost;
          m->jitter_ms = jitter / 90.0; /* 90 kHz RTP clock */
          m->rtt_ms = rtt * 1000.0 / 65536.0; /* 16.16 fixed-point seconds */
        }
      g_mutex_lock (&self->report_lock);
      t = g_hash_table_lookup (self->report_times, GUINT_TO_POINTER (ssrc));
      if (t != NULL)
        m->last_report_us = *t;
      g_mutex_unlock (&self->report_lock);
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
read_send_counters (GcSource *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->mcast_rtp_sink != NULL && self->group != NULL)
    {
      GstStructure *s = NULL;

      /* what really went on the wire to the group */
      g_signal_emit_by_name (self->mcast_rtp_sink, "get-stats", self->group,
                             (gint) self->config->rtp_port, &s);
      if (s != NULL)
        {
          guint64 p = 0, b = 0;

          if (gst_structure_get_uint64 (s, "packets-sent", &p)
              && gst_structure_get_uint64 (s, "bytes-sent", &b))
            {
              /* counters restart when the group is re-added; keep ours monotonic */
              if (b >= self->last_bytes)
                {
                  self->bytes_sent += b - self->last_bytes;
                  self->packets_sent = MAX (self->packets_sent, p);
                }
              else
                self->bytes_sent += b;
              self->last_bytes = b;
            }
          gst_structure_free (s);
        }
    }
  if (self->last_bytes_time > 0)
    {
      gint64 dt = now - self->last_bytes_time;

      if (dt >= 900000)
        {
          self->bitrate = (self->bytes_sent - self->bitrate_base) * 8 * G_USEC_PER_SEC / dt;
          self->bitrate_base = self->bytes_sent;
          self->packet_rate = (self->packets_sent - self->packets_base) * (gdouble) G_USEC_PER_SEC / dt;
          self->packets_base = self->packets_sent;
          self->last_bytes_time = now;
        }
    }
  else
    self->last_bytes_time = now;
}

static gboolean
stats_tick (gpointer data)
{
  GcSource *self = data;

  read_member_reports (self);
  read_send_counters (self);
  g_signal_emit (self, signals[SIGNAL_COUNTERS_CHANGED], 0);
  return G_SOURCE_CONTINUE;
}

/* ---- life cycle -------------------------------------------------------- */

GcSource *
gc_source_new (const GcConfig *config)
{
  GcSource *self = g_object_new (GC_TYPE_SOURCE, NULL);
  GcConfig *c = gc_config_new_default ();

  /* copy what the source reads, so the agent's config can go */
  c->receiver = config->receiver;
  c->interface = g_strdup (config->interface);
  c->bind_address = g_strdup (config->bind_address);
  c->rtsp_port = config->rtsp_port;
  g_free (c->mount);
  c->mount = g_strdup (config->mount);
  c->rtp_port = config->rtp_port;
  c->ttl = config->ttl;
  g_free (c->capture);
  c->capture = g_strdup (config->capture);
  g_free (c->encoder);
  c->encoder = g_strdup (config->encoder);
  c->width = config->width;
  c->height = config->height;
  c->framerate = config->framerate;
  c->bitrate_kbps = config->bitrate_kbps;
  c->gop_seconds = config->gop_seconds;
  self->config = c;
  self->group = g_strdup (config->group != NULL ? config->group : GC_DEFAULT_GROUP);
  self->url = g_strdup_printf ("rtsp://%s:%u%s", c->bind_address, c->rtsp_port, c->mount);
  return self;
}

gboolean
gc_source_set_group (GcSource *self, const gchar *group, GError **error)
{
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (group);

  if (self->media != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot change the group while serving");
      return FALSE;
    }
  if (a == NULL || !g_inet_address_get_is_multicast (a))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "'%s' is not a multicast group", group);
      return FALSE;
    }
  g_free (self->group);
  self->group = g_strdup (group);
  return TRUE;
}

static void
share_group_sockets (GcSource *self)
{
  GstRTSPStream *stream = gst_rtsp_media_get_stream (self->media, 0);
  GstRTSPTransport *ct = NULL;
  g_autoptr (GSocket) rtp = NULL;
  g_autoptr (GSocket) rtcp = NULL;

  /* gst-rtsp-server binds the group's ports at the first SETUP without
   * SO_REUSEADDR, and answers before we could touch them; a receiver on
   * this host binds the same ports and would fail. so allocate them now,
   * from our pool, and mark them shared: linux checks the flag on the bound
   * socket when the second one binds */
  if (stream == NULL || gst_rtsp_transport_new (&ct) != GST_RTSP_OK)
    return;
  ct->lower_transport = GST_RTSP_LOWER_TRANS_UDP_MCAST;
  if (gst_rtsp_stream_allocate_udp_sockets (stream, G_SOCKET_FAMILY_IPV4, ct, FALSE))
    {
      rtp = gst_rtsp_stream_get_rtp_multicast_socket (stream, G_SOCKET_FAMILY_IPV4);
      rtcp = gst_rtsp_stream_get_rtcp_multicast_socket (stream, G_SOCKET_FAMILY_IPV4);
      if (rtp != NULL)
        g_socket_set_option (rtp, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
      if (rtcp != NULL)
        g_socket_set_option (rtcp, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
    }
  else
    g_warning ("cannot reserve group %s ports %u-%u", self->group, self->config->rtp_port,
               self->config->rtp_port + 1);
  gst_rtsp_transport_free (ct);
}

static gboolean
prepare_media (GcSource *self, GError **error)
{
  g_autoptr (GstRTSPUrl) url = NULL;
  g_autoptr (GstRTSPThreadPool) pool = NULL;
  GstRTSPThread *thread;
  GstRTSPMedia *media;

  if (gst_rtsp_url_parse (self->url, &url) != GST_RTSP_OK)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot parse own URL %s", self->url);
      return FALSE;
    }
  /* the factory caches shared media by URL, so the clients get this very
   * media; preparing it ourselves keeps the encoder running between
   * viewers, and a joiner's forced key frame comes within a frame */
  media = gst_rtsp_media_factory_construct (self->factory, url);
  if (media == NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot build the media pipeline");
      return FALSE;
    }
  /* the launch bin now sits in the media's pipeline, where gst-rtsp-server
   * adds rtpbin and the UDP elements later; watch for the multicast ones */
  {
    g_autoptr (GstElement) top = gst_rtsp_media_get_element (media);
    GstObject *pipeline = GST_OBJECT_PARENT (top);

    g_signal_connect_object (pipeline != NULL ? (gpointer) pipeline : (gpointer) top,
                             "deep-element-added", G_CALLBACK (on_deep_element_added), self, 0);
  }
  /* the media's bus runs in a thread of its own: prepare waits for it, and
   * our main loop is not running yet */
  pool = gst_rtsp_server_get_thread_pool (self->server);
  thread = gst_rtsp_thread_pool_get_thread (pool, GST_RTSP_THREAD_TYPE_MEDIA, NULL);
  if (thread == NULL || !gst_rtsp_media_prepare (media, thread))
    {
      g_object_unref (media);
      g_set_error (error, GC_ERROR, GC_ERROR_STREAM,
                   "the media pipeline did not start (capture '%s', encoder %s)",
                   self->config->capture, self->encoder);
      return FALSE;
    }
  self->media = media;
  share_group_sockets (self);
  return TRUE;
}

static gboolean
cleanup_sessions (gpointer data)
{
  GcSource *self = data;
  g_autoptr (GstRTSPSessionPool) pool = gst_rtsp_server_get_session_pool (self->server);

  gst_rtsp_session_pool_cleanup (pool);
  return G_SOURCE_CONTINUE;
}

gboolean
gc_source_start (GcSource *self, GError **error)
{
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  g_autoptr (GstRTSPAddressPool) pool = NULL;
  g_autofree gchar *launch = NULL;
  g_autofree gchar *service = NULL;
  GcConfig *c = self->config;

  if (self->server != NULL)
    return TRUE;
  if (self->encoder == NULL)
    {
      self->encoder = gc_source_pick_encoder (c->encoder, error);
      if (self->encoder == NULL)
        return FALSE;
    }
  launch = gc_source_build_launch (c, self->encoder, error);
  if (launch == NULL)
    return FALSE;

  self->server = gst_rtsp_server_new ();
  service = g_strdup_printf ("%u", c->rtsp_port);
  gst_rtsp_server_set_service (self->server, service);
  gst_rtsp_server_set_address (self->server, "0.0.0.0");
  /* the default listen backlog is 5: a burst of receivers connecting at
   * once (a source restart, a switch of many) overflows it and the kernel
   * drops SYNs, which the clients retry only after 1 s, 3 s, ... */
  gst_rtsp_server_set_backlog (self->server, 128);
  /* the default pool serves clients in a thread of its own, and their
   * play/teardown/closed callbacks then change the member table while the
   * main loop reads it (a crash under load). with no client threads the
   * clients run in the context the server is attached to: ours */
  {
    g_autoptr (GstRTSPThreadPool) clients = gst_rtsp_server_get_thread_pool (self->server);

    gst_rtsp_thread_pool_set_max_threads (clients, 0);
  }
  g_signal_connect_object (self->server, "client-connected",
                           G_CALLBACK (on_client_connected), self, 0);

  /* one shared media, multicast only, on exactly our group and ports */
  self->factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (self->factory, launch);
  gst_rtsp_media_factory_set_shared (self->factory, TRUE);
  gst_rtsp_media_factory_set_protocols (self->factory, GST_RTSP_LOWER_TRANS_UDP_MCAST);
  gst_rtsp_media_factory_set_max_mcast_ttl (self->factory, c->ttl);
  if (c->interface != NULL)
    gst_rtsp_media_factory_set_multicast_iface (self->factory, c->interface);
  pool = gst_rtsp_address_pool_new ();
  if (!gst_rtsp_address_pool_add_range (pool, self->group, self->group, c->rtp_port,
                                        c->rtp_port + 1, c->ttl))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "cannot use group %s ports %u-%u",
                   self->group, c->rtp_port, c->rtp_port + 1);
      gc_source_stop (self);
      return FALSE;
    }
  gst_rtsp_media_factory_set_address_pool (self->factory, pool);
  g_signal_connect_object (self->factory, "media-configure",
                           G_CALLBACK (on_media_configure), self, 0);
  mounts = gst_rtsp_server_get_mount_points (self->server);
  gst_rtsp_mount_points_add_factory (mounts, c->mount, g_object_ref (self->factory));

  self->server_source_id = gst_rtsp_server_attach (self->server, NULL);
  if (self->server_source_id == 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                   "cannot listen for RTSP on TCP port %u (in use?)", c->rtsp_port);
      gc_source_stop (self);
      return FALSE;
    }
  /* sessions whose keep-alives stopped are removed every two seconds */
  self->pool_source_id = g_timeout_add_seconds (2, cleanup_sessions, self);

  if (!prepare_media (self, error))
    {
      gc_source_stop (self);
      return FALSE;
    }
  self->stats_id = g_timeout_add (STATS_INTERVAL_MS, stats_tick, self);
  g_message ("serving %s to %s:%u-%u (ttl %u, %s, %s)", self->url, self->group,
             c->rtp_port, c->rtp_port + 1, c->ttl, c->capture, self->encoder);
  update_state (self);
  return TRUE;
}

static GstRTSPFilterResult
remove_session (GstRTSPSessionPool *pool, GstRTSPSession *session, gpointer data)
{
  return GST_RTSP_FILTER_REMOVE;
}

static GstRTSPFilterResult
remove_client (GstRTSPServer *server, GstRTSPClient *client, gpointer data)
{
  /* a closed connection tells receivers at once; they reconnect when we
   * serve again */
  gst_rtsp_client_close (client);
  return GST_RTSP_FILTER_REMOVE;
}

void
gc_source_stop (GcSource *self)
{
  GList *addrs;

  g_clear_handle_id (&self->stats_id, g_source_remove);
  g_clear_handle_id (&self->pool_source_id, g_source_remove);
  if (self->server != NULL)
    {
      g_autoptr (GstRTSPSessionPool) pool = gst_rtsp_server_get_session_pool (self->server);
      g_autoptr (GstRTSPMountPoints) mounts = gst_rtsp_server_get_mount_points (self->server);

      /* end every session and close every client, then stop listening */
      gst_rtsp_mount_points_remove_factory (mounts, self->config->mount);
      g_list_free_full (gst_rtsp_session_pool_filter (pool, remove_session, NULL), g_object_unref);
      g_list_free_full (gst_rtsp_server_client_filter (self->server, remove_client, NULL),
                        g_object_unref);
    }
  addrs = g_hash_table_get_keys (self->members);
  for (GList *l = addrs; l != NULL; l = l->next)
    {
      g_autofree gchar *a = g_strdup (l->data);

      member_remove (self, a, "stopped");
    }
  g_list_free (addrs);
  if (self->media != NULL)
    {
      gst_rtsp_media_unprepare (self->media);
      g_clear_object (&self->media);
    }
  g_clear_object (&self->mcast_rtp_sink);
  g_clear_object (&self->payloader);
  g_clear_handle_id (&self->server_source_id, g_source_remove);
  g_clear_object (&self->factory);
  g_clear_object (&self->server);
  update_state (self);
}

void
gc_source_force_key_frame (GcSource *self)
{
  g_autoptr (GstPad) pad = NULL;

  if (self->payloader == NULL)
    return;
  /* upstream from the payloader to the encoder: an IDR with SPS/PPS */
  pad = gst_element_get_static_pad (self->payloader, "src");
  gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                       TRUE, 0));
  GST_DEBUG ("forced a key frame");
}

void
gc_source_set_name_func (GcSource *self, GcSourceNameFunc func, gpointer data)
{
  self->name_func = func;
  self->name_data = data;
}

const gchar *
gc_source_get_state (GcSource *self)
{
  return self->state;
}

const gchar *
gc_source_get_url (GcSource *self)
{
  return self->url;
}

const gchar *
gc_source_get_group (GcSource *self)
{
  return self->group;
}

guint16
gc_source_get_rtp_port (GcSource *self)
{
  return self->config->rtp_port;
}

guint8
gc_source_get_ttl (GcSource *self)
{
  return self->config->ttl;
}

const gchar *
gc_source_get_capture (GcSource *self)
{
  return self->config->capture;
}

const gchar *
gc_source_get_encoder (GcSource *self)
{
  return self->encoder != NULL ? self->encoder : "";
}

guint64
gc_source_get_packets_sent (GcSource *self)
{
  return self->packets_sent;
}

guint64
gc_source_get_bytes_sent (GcSource *self)
{
  return self->bytes_sent;
}

guint64
gc_source_get_bitrate (GcSource *self)
{
  return self->bitrate;
}

gdouble
gc_source_get_packet_rate (GcSource *self)
{
  return self->packet_rate;
}

guint
gc_source_get_n_members (GcSource *self)
{
  return g_hash_table_size (self->members);
}

gboolean
gc_source_has_member (GcSource *self, const gchar *address)
{
  Member *m = g_hash_table_lookup (self->members, address);

  return m != NULL && g_str_equal (m->state, "playing");
}

GVariant *
gc_source_dup_members (GcSource *self)
{
  GVariantBuilder b;
  GHashTableIter it;
  Member *m;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_hash_table_iter_init (&it, self->members);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &m))
    g_variant_builder_add (&b, "{s@a{sv}}", m->address, member_to_variant (self, m));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static void
gc_source_dispose (GObject *object)
{
  GcSource *self = GC_SOURCE (object);

  gc_source_stop (self);
  G_OBJECT_CLASS (gc_source_parent_class)->dispose (object);
}

static void
gc_source_finalize (GObject *object)
{
  GcSource *self = GC_SOURCE (object);

  g_hash_table_unref (self->members);
  g_hash_table_unref (self->report_times);
  g_mutex_clear (&self->report_lock);
  gc_config_free (self->config);
  g_free (self->group);
  g_free (self->url);
  g_free (self->encoder);
  g_free (self->state);
  G_OBJECT_CLASS (gc_source_parent_class)->finalize (object);
}

static void
gc_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GcSource *self = GC_SOURCE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_source_class_init (GcSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_source_dispose;
  object_class->finalize = gc_source_finalize;
  object_class->get_property = gc_source_get_property;

  props[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, "stopped",
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[SIGNAL_MEMBER_JOINED] =
    g_signal_new ("member-joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_VARIANT);
  signals[SIGNAL_MEMBER_LEFT] =
    g_signal_new ("member-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_COUNTERS_CHANGED] =
    g_signal_new ("counters-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  GST_DEBUG_CATEGORY_INIT (gc_source_debug, "gcsource", 0, "Groupcast source");
}

static void
gc_source_init (GcSource *self)
{
  self->state = g_strdup ("stopped");
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) member_free);
  self->report_times = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_mutex_init (&self->report_lock);
}
