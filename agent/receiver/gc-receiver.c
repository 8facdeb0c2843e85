/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the receiver role: rtspsrc over udp-mcast into a low-latency decode and
 * display chain; state, counters and reconnection live here.
 */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver.h"
#include "gc-error.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>

GST_DEBUG_CATEGORY_STATIC (gc_receiver_debug);
#define GST_CAT_DEFAULT gc_receiver_debug

#define NTP_UNIX_OFFSET_S G_GUINT64_CONSTANT (2208988800)
#define TICK_MS 250
#define NO_SIGNAL_US (2 * G_USEC_PER_SEC)
#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 2000
#define LATENCY_WINDOW 64

struct _GcReceiver
{
  GObject parent_instance;

  gchar *interface;
  gchar *sink;
  guint latency_ms;

  gchar *state;
  gchar *error;
  gchar *url;               /* what we were asked to show; NULL when idle */
  gchar *source_name;
  gchar *group;
  guint16 rtp_port;

  GstElement *pipeline;
  guint bus_watch;
  guint generation;         /* bumps on every new pipeline; stale callbacks check it */
  guint tick_id;
  guint retry_id;
  guint retry_ms;
  gboolean tearing_down;
  gboolean pending_start;
  gboolean shutting_down;

  gint64 connect_time;      /* monotonic µs of the connect request */
  gint64 pipeline_time;     /* monotonic µs the current pipeline started */
  gint64 last_rtp;          /* atomic, written by the streaming thread */
  gint64 first_frame_time;  /* atomic */
  gint64 sdp_time;          /* atomic: the steps of a connect, for the log */
  gint64 first_udp_time;    /* atomic: first RTP packet off the socket */
  gint64 first_rtp_time;    /* atomic: first RTP packet out of the jitter buffer */
  gint64 first_decoder_time;    /* atomic: first frame into the decoder */
  guint64 frames;           /* atomic */
  gboolean ever_played;     /* this URL played at least once */

  GMutex lat_lock;
  gdouble latencies[LATENCY_WINDOW];
  gint64 latency_times[LATENCY_WINDOW];
  guint lat_next;

  GcReceiverCounters counters;
  GcReceiverCounters base;  /* totals of earlier pipelines for this URL */
  GcReceiverCounters pipe;  /* the current pipeline's own */
  guint64 last_octets;
  gint64 last_octets_time;

  GList *waiters;           /* GTask */
};

G_DEFINE_FINAL_TYPE (GcReceiver, gc_receiver, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_COUNTERS_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_pipeline (GcReceiver *self);
static GstPadProbeReturn on_first_decoded (GstPad *pad, GstPadProbeInfo *info, gpointer data);

/* ---- pure helpers ------------------------------------------------------ */

gchar **
gc_igmp_parse_groups (const gchar *text, const gchar *iface)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  gboolean in_iface = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *l = lines[i];

      if (l[0] != '\t' && l[0] != ' ' && g_ascii_isdigit (l[0]))
        {
          /* "2\teth0      :     2      V3" starts a device */
          g_auto (GStrv) f = g_strsplit_set (l, "\t :", -1);
          const gchar *dev = NULL;

          for (guint j = 1; f[j] != NULL && dev == NULL; j++)
            if (*f[j] != '\0')
              dev = f[j];
          in_iface = dev != NULL && (iface != NULL ? g_str_equal (dev, iface)
                                                   : !g_str_equal (dev, "lo"));
          continue;
        }
      if (in_iface && l[0] == '\t')
        {
          g_autofree gchar *s = g_strstrip (g_strdup (l));
          guint64 v;
          gchar hex[9];
          g_autofree gchar *addr = NULL;

          if (strlen (s) < 8)
            continue;
          memcpy (hex, s, 8);
          hex[8] = '\0';
          if (!g_ascii_string_to_unsigned (hex, 16, 0, G_MAXUINT32, &v, NULL))
            continue;
          /* the kernel prints the network-order word as a host-order number */
          addr = g_strdup_printf ("%u.%u.%u.%u", (guint) (v & 0xff), (guint) ((v >> 8) & 0xff),
                                  (guint) ((v >> 16) & 0xff), (guint) (v >> 24));
          if (g_str_equal (addr, "224.0.0.1"))
            continue; /* all-hosts: every interface is in it */
          g_strv_builder_add (b, addr);
        }
    }
  return g_strv_builder_end (b);
}

gboolean
gc_receiver_check_url (const gchar *url, GError **error)
{
  g_autoptr (GstRTSPUrl) u = NULL;

  if (url == NULL || !g_str_has_prefix (url, "rtsp://")
      || gst_rtsp_url_parse (url, &u) != GST_RTSP_OK || u->host == NULL || *u->host == '\0'
      || strlen (url) > 1024 || strpbrk (url, " \t\r\n\"") != NULL
      /* gst_rtsp_url_parse wraps a port past 65535; GUri does not */
      || !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "'%s' is not a valid rtsp:// URL", url != NULL ? url : "");
      return FALSE;
    }
  return TRUE;
}

/* ---- state ------------------------------------------------------------- */

static void
set_state (GcReceiver *self, const gchar *state, const gchar *error)
{
  gboolean changed = g_strcmp0 (self->state, state) != 0
                     || g_strcmp0 (self->error, error) != 0;

  if (!changed)
    return;
  g_free (self->state);
  self->state = g_strdup (state);
  g_free (self->error);
  self->error = g_strdup (error != NULL ? error : "");
  if (error != NULL && *error != '\0')
    g_message ("receiver %s: %s", state, error);
  else
    g_message ("receiver %s%s%s", state, self->url ? " " : "", self->url ? self->url : "");
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

static void
finish_waiters (GcReceiver *self, GError *error, gdouble ms)
{
  GList *waiters = g_steal_pointer (&self->waiters);

  for (GList *l = waiters; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        {
          gdouble *v = g_new (gdouble, 1);

          *v = ms;
          g_task_return_pointer (task, v, g_free);
        }
    }
  g_list_free_full (waiters, g_object_unref);
}

/* ---- pipeline ---------------------------------------------------------- */

static const gchar *
pick_decoder (void)
{
  /* hardware first, then libav (single-frame threading: no frame delay) */
  static const gchar *const order[] = { "v4l2h264dec", "vah264dec", "vaapih264dec" };

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr (GstElementFactory) f = gst_element_factory_find (order[i]);

      if (f != NULL && g_file_test ("/dev/dri", G_FILE_TEST_IS_DIR))
        return order[i];
    }
  {
    g_autoptr (GstElementFactory) av = gst_element_factory_find ("avdec_h264");

    if (av != NULL)
      return "avdec_h264 thread-type=slice";
  }
  return "openh264dec";
}

static gchar *
sink_description (const gchar *sink)
{
  if (g_str_equal (sink, "fake"))
    return g_strdup ("fakesink name=sink sync=false async=false");
  if (g_str_equal (sink, "kms"))
    return g_strdup ("videoconvert ! kmssink name=sink sync=false");
  if (g_str_equal (sink, "auto"))
    return g_strdup ("videoconvert ! autovideosink name=sink sync=false");
  return g_strdup_printf ("videoconvert ! %s name=sink sync=false", sink);
}

static GstPadProbeReturn
on_rtp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiver *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 zero = 0;

  __atomic_store_n (&self->last_rtp, now, __ATOMIC_RELAXED);
  __atomic_compare_exchange_n (&self->first_rtp_time, &zero, now, FALSE,
                               __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

/* the wait for a decodable frame is a step of its own in the switch time:
 * h264parse passes nothing on before it has the SPS and PPS, which come
 * with the key frame. (the first such frame after a join can carry the
 * delta flag, so the flag is not looked at.) */
static GstPadProbeReturn
on_decoder_input (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiver *self = data;
  gint64 zero = 0;

  __atomic_compare_exchange_n (&self->first_decoder_time, &zero, g_get_monotonic_time (), FALSE,
                               __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return GST_PAD_PROBE_REMOVE;
}

static GstPadProbeReturn
on_udp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiver *self = data;
  g_autoptr (GstObject) udpsrc = gst_pad_get_parent (pad);
  gint port = 0;
  gint64 zero = 0;

  /* the RTP socket, not the RTCP one */
  if (udpsrc != NULL)
    g_object_get (udpsrc, "port", &port, NULL);
  if (port % 2 != 0)
    return GST_PAD_PROBE_REMOVE;
  __atomic_compare_exchange_n (&self->first_udp_time, &zero, g_get_monotonic_time (), FALSE,
                               __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return GST_PAD_PROBE_REMOVE;
}

static void
on_timing_element (GstBin *bin, GstBin *sub, GstElement *element, GcReceiver *self)
{
  GstElementFactory *f = gst_element_get_factory (element);

  if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), "udpsrc"))
    {
      g_autoptr (GstPad) pad = gst_element_get_static_pad (element, "src");

      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         on_udp, self, NULL);
    }
}

static void
on_sdp (GstElement *src, GstSDPMessage *sdp, GcReceiver *self)
{
  gint64 zero = 0;

  __atomic_compare_exchange_n (&self->sdp_time, &zero, g_get_monotonic_time (), FALSE,
                               __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

static GstPadProbeReturn
on_decoded (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  static GstCaps *ntp_caps;
  GcReceiver *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstReferenceTimestampMeta *meta;
  gint64 now = g_get_monotonic_time ();
  gint64 zero = 0;

  if (g_once_init_enter (&ntp_caps))
    g_once_init_leave (&ntp_caps, gst_caps_new_empty_simple ("timestamp/x-ntp"));
  __atomic_compare_exchange_n (&self->first_frame_time, &zero, now, FALSE,
                               __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  __atomic_add_fetch (&self->frames, 1, __ATOMIC_RELAXED);
  /* capture-to-decode latency from the source's NTP-64 capture stamp */
  meta = gst_buffer_get_reference_timestamp_meta (buf, ntp_caps);
  if (meta != NULL && meta->timestamp > 0)
    {
      gint64 now_ntp = g_get_real_time () * 1000 + (gint64) (NTP_UNIX_OFFSET_S * GST_SECOND);
      gdouble ms = (now_ntp - (gint64) meta->timestamp) / 1e6;

      if (ms > -1000 && ms < 10000)
        {
          g_mutex_lock (&self->lat_lock);
          self->latencies[self->lat_next] = ms;
          self->latency_times[self->lat_next] = now;
          self->lat_next = (self->lat_next + 1) % LATENCY_WINDOW;
          g_mutex_unlock (&self->lat_lock);
          /* opt-in per-frame sample for bench/ (G_MESSAGES_DEBUG=GcReceiver);
           * checked first so a normal run formats nothing */
          if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
            g_debug ("frame latency %.3f ms", ms);
        }
    }
  return GST_PAD_PROBE_OK;
}

/* the PLAY answer's RTP-Info gives the sequence number the server was at;
 * a receiver joining a running multicast stream gets its first packet a
 * few numbers later, and the jitter buffer would wait its whole latency
 * for the ones in between, which were never meant for it */
static GstPadProbeReturn
on_jitterbuffer_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps = NULL;
  GstCaps *fixed;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps); /* transfer none */
  if (gst_caps_get_size (caps) == 0
      || !gst_structure_has_field (gst_caps_get_structure (caps, 0), "seqnum-base"))
    return GST_PAD_PROBE_OK;
  fixed = gst_caps_copy (caps);
  gst_structure_remove_field (gst_caps_get_structure (fixed, 0), "seqnum-base");
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (fixed);
  gst_event_unref (event);
  gst_caps_unref (fixed);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_jitterbuffer_started (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_autoptr (GstObject) jitterbuffer = gst_pad_get_parent (pad);

  if (jitterbuffer != NULL)
    g_object_set (jitterbuffer, "latency", GPOINTER_TO_UINT (data), NULL);
  return GST_PAD_PROBE_REMOVE;
}

/* the jitter buffer holds the first packet for its whole latency (it
 * cannot know that no older one is on the way): a switch would wait that
 * long for nothing. it starts with none and gets its latency back once the
 * first packet is through. (faststart-min-packets does not help: the
 * stream's first events sit at the head of its queue, so its check finds
 * no packet there.) rtpbin has set the latency when it says so here. */
static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer, guint session, guint ssrc,
                     gpointer data)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (jitterbuffer, "src");
  guint latency = 0;

  g_object_get (jitterbuffer, "latency", &latency, NULL);
  g_object_set (jitterbuffer, "latency", 0u, NULL);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_jitterbuffer_started, GUINT_TO_POINTER (latency), NULL);
}

static void
on_new_manager (GstElement *rtspsrc, GstElement *manager, gpointer data)
{
  if (g_signal_lookup ("new-jitterbuffer", G_OBJECT_TYPE (manager)) != 0)
    g_signal_connect (manager, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), NULL);
}

static void
on_receiver_element (GstBin *bin, GstBin *sub, GstElement *element, gpointer data)
{
  GstElementFactory *f = gst_element_get_factory (element); /* transfer none */

  /* receiver reports once a second (default 5 s), so the source's view of
   * each member's loss and jitter is live */
  if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), "rtpsession"))
    g_object_set (element, "rtcp-min-interval", (guint64) GST_SECOND, NULL);
  if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), "rtpjitterbuffer"))
    {
      g_autoptr (GstPad) sink = gst_element_get_static_pad (element, "sink");

      gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_jitterbuffer_event, NULL,
                         NULL);
    }
}

/* a Groupcast source offers one H.264 video stream; anything else (audio,
 * another codec) is not set up, so a server that is not Groupcast fails
 * with a clear error instead of connecting to nothing */
static gboolean
on_select_stream (GstElement *src, guint num, GstCaps *caps, gpointer data)
{
  GstStructure *s = gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0) : NULL;
  const gchar *media = s ? gst_structure_get_string (s, "media") : NULL;
  const gchar *enc = s ? gst_structure_get_string (s, "encoding-name") : NULL;
  gboolean ok = g_strcmp0 (media, "video") == 0 && g_ascii_strcasecmp (enc ? enc : "", "H264") == 0;

  if (!ok)
    g_message ("stream %u refused: %s %s, not H.264 video", num, media ? media : "?",
               enc ? enc : "?");
  return ok;
}

static void
on_pad_added (GstElement *src, GstPad *pad, GstElement *depay)
{
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (depay, "sink");

  if (!gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
}

typedef struct
{
  GcReceiver *self;
  guint generation;
} BusData;

static gchar *
describe_error (GcReceiver *self, GError *err, const gchar *debug)
{
  g_autoptr (GstRTSPUrl) u = NULL;
  g_autofree gchar *where = NULL;

  if (self->url != NULL && gst_rtsp_url_parse (self->url, &u) == GST_RTSP_OK)
    where = g_strdup_printf ("%s:%u", u->host, u->port != 0 ? u->port : 554);
  else
    where = g_strdup ("the source");
  /* rtspsrc's words are terse; say what a person can act on */
  if (debug != NULL && strstr (debug, "Failed to connect") != NULL)
    return g_strdup_printf ("cannot connect to %s: nothing listens there, or the host is down",
                            where);
  if (debug != NULL && strstr (debug, "Parse error") != NULL)
    return g_strdup_printf ("%s did not answer as an RTSP server", where);
  if (debug != NULL && strstr (debug, "Timeout") != NULL)
    return g_strdup_printf ("%s did not answer in time", where);
  if (debug != NULL && (strstr (debug, "404") != NULL || strstr (debug, "Not Found") != NULL))
    return g_strdup_printf ("%s has no stream at that path", where);
  if (strstr (err->message, "No supported stream") != NULL)
    return g_strdup_printf ("%s offers no H.264 video on a multicast group: "
                            "not a Groupcast source", where);
  if (debug != NULL && strstr (debug, "Unsupported transport") != NULL)
    return g_strdup_printf ("%s does not offer a multicast stream", where);
  return g_strdup_printf ("%s: %s", where, err->message);
}

static void schedule_retry (GcReceiver *self);

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  BusData *bd = data;
  GcReceiver *self = bd->self;

  if (bd->generation != self->generation)
    return G_SOURCE_CONTINUE;
  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) err = NULL;
        g_autofree gchar *debug = NULL;
        g_autofree gchar *text = NULL;
        g_autoptr (GError) werr = NULL;
        gint code;

        gst_message_parse_error (msg, &err, &debug);
        text = describe_error (self, err, debug);
        g_message ("pipeline error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
                   err->message, debug ? debug : "");
        code = g_error_matches (err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ_WRITE)
               ? GC_ERROR_UNREACHABLE : GC_ERROR_STREAM;
        werr = g_error_new (GC_ERROR, code, "%s", text);
        finish_waiters (self, werr, -1);
        /* this pipeline is done: only a new one's packets count as signal */
        __atomic_store_n (&self->last_rtp, 0, __ATOMIC_RELAXED);
        if (self->ever_played)
          set_state (self, "no-signal", NULL);
        else
          set_state (self, "error", text);
        schedule_retry (self);
        break;
      }
    case GST_MESSAGE_EOS:
      g_message ("end of stream from %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
      __atomic_store_n (&self->last_rtp, 0, __ATOMIC_RELAXED);
      if (self->ever_played)
        set_state (self, "no-signal", NULL);
      schedule_retry (self);
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static void
teardown_thread (GTask *task, gpointer source, gpointer data, GCancellable *c)
{
  GstElement *pipeline = data;

  /* PAUSED -> READY sends TEARDOWN; closing udpsrc's socket leaves the group */
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_task_return_boolean (task, TRUE);
}

static void
teardown_done (GObject *source, GAsyncResult *res, gpointer data)
{
  GcReceiver *self = GC_RECEIVER (source);

  self->tearing_down = FALSE;
  if (self->pending_start && !self->shutting_down)
    {
      self->pending_start = FALSE;
      start_pipeline (self);
    }
}

static void
stop_pipeline (GcReceiver *self, gboolean sync)
{
  g_autoptr (GTask) task = NULL;

  self->generation++;
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline == NULL)
    return;
  /* a reconnect keeps counting: fold this pipeline's counts into the base */
  self->base.packets_received += self->pipe.packets_received;
  self->base.packets_lost += self->pipe.packets_lost;
  self->base.packets_late += self->pipe.packets_late;
  self->base.duplicates += self->pipe.duplicates;
  memset (&self->pipe, 0, sizeof self->pipe);
  self->last_octets = 0;
  self->last_octets_time = 0;
  if (sync)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_object (&self->pipeline);
      return;
    }
  self->tearing_down = TRUE;
  task = g_task_new (self, NULL, teardown_done, NULL);
  g_task_set_source_tag (task, stop_pipeline);
  g_task_set_task_data (task, g_steal_pointer (&self->pipeline), gst_object_unref);
  g_task_run_in_thread (task, teardown_thread);
}

static void
start_pipeline (GcReceiver *self)
{
  g_autofree gchar *sink = sink_description (self->sink);
  g_autofree gchar *iface = self->interface
                            ? g_strdup_printf (" multicast-iface=%s", self->interface) : g_strdup ("");
  g_autofree gchar *desc = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstElement) depay = NULL;
  g_autoptr (GstElement) dec = NULL;
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstBus) bus = NULL;
  BusData *bd;

  if (self->tearing_down)
    {
      /* the old group is left before the new one is joined */
      self->pending_start = TRUE;
      return;
    }
  g_assert (self->pipeline == NULL);
  /* udp-mcast only; short TCP timeout so a dead host is noticed quickly;
   * a small jitter buffer: in-order packets pass at once, it only waits
   * on a gap */
  desc = g_strdup_printf ("rtspsrc name=src location=\"%s\" protocols=udp-mcast latency=%u "
                          "do-rtsp-keep-alive=true tcp-timeout=2000000 teardown-timeout=100000000 "
                          "drop-on-latency=true%s "
                          "rtph264depay name=depay ! h264parse ! %s name=dec ! %s",
                          self->url, self->latency_ms, iface, pick_decoder (), sink);
  self->pipeline = gst_parse_launch (desc, &error);
  if (self->pipeline == NULL || error != NULL)
    {
      g_autoptr (GError) werr = g_error_new (GC_ERROR, GC_ERROR_FAILED,
                                             "cannot build the receive pipeline: %s",
                                             error ? error->message : "unknown");
      g_clear_object (&self->pipeline);
      set_state (self, "error", werr->message);
      finish_waiters (self, werr, -1);
      return;
    }
  gst_object_ref_sink (self->pipeline);
  self->generation++;
  src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
  depay = gst_bin_get_by_name (GST_BIN (self->pipeline), "depay");
  dec = gst_bin_get_by_name (GST_BIN (self->pipeline), "dec");
  g_signal_connect_object (src, "pad-added", G_CALLBACK (on_pad_added), depay, 0);
  g_signal_connect (src, "on-sdp", G_CALLBACK (on_sdp), self);
  g_signal_connect (src, "new-manager", G_CALLBACK (on_new_manager), NULL);
  g_signal_connect (self->pipeline, "deep-element-added", G_CALLBACK (on_timing_element), self);
  g_signal_connect (src, "select-stream", G_CALLBACK (on_select_stream), NULL);
  g_signal_connect (self->pipeline, "deep-element-added", G_CALLBACK (on_receiver_element), NULL);
  pad = gst_element_get_static_pad (depay, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_rtp, self, NULL);
  g_clear_object (&pad);
  pad = gst_element_get_static_pad (dec, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_decoder_input, self, NULL);
  g_clear_object (&pad);
  pad = gst_element_get_static_pad (dec, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded, self, NULL);
  /* on every pipeline, also one started after the old one's teardown:
   * the switch is answered at the first frame, not at the next tick */
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_first_decoded, self, NULL);

  __atomic_store_n (&self->last_rtp, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&self->first_frame_time, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&self->sdp_time, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&self->first_rtp_time, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&self->first_udp_time, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&self->first_decoder_time, 0, __ATOMIC_RELAXED);
  self->pipeline_time = g_get_monotonic_time ();
  self->group = (g_free (self->group), NULL);
  self->rtp_port = 0;

  bus = gst_element_get_bus (self->pipeline);
  bd = g_new0 (BusData, 1);
  bd->self = self;
  bd->generation = self->generation;
  self->bus_watch = gst_bus_add_watch_full (bus, G_PRIORITY_DEFAULT, on_bus, bd, g_free);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_debug ("set_state PLAYING failed at once; the bus says why");
}

static gboolean
retry_cb (gpointer data)
{
  GcReceiver *self = data;

  self->retry_id = 0;
  if (self->url == NULL)
    return G_SOURCE_REMOVE;
  g_info ("reconnecting to %s", self->url);
  stop_pipeline (self, FALSE);
  start_pipeline (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (GcReceiver *self)
{
  if (self->retry_id != 0 || self->url == NULL || self->shutting_down)
    return;
  self->retry_id = g_timeout_add (self->retry_ms, retry_cb, self);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

/* ---- counters ---------------------------------------------------------- */

/* after SETUP the stream must come from a multicast group: a server that
 * answers with a unicast transport, or names a unicast or unparsable
 * "group", is refused (and the pipeline stopped at once, before a frame it
 * sent could count as a picture). FALSE when refused. when accepted, the
 * group and RTP port are recorded from the same walk. */
static gboolean
check_transport (GcReceiver *self)
{
  g_autoptr (GstIterator) it = NULL;
  g_autoptr (GstRTSPUrl) u = NULL;
  g_autoptr (GError) werr = NULL;
  g_autofree gchar *bad = NULL;
  g_autofree gchar *where = NULL;
  g_autofree gchar *group = NULL;
  gint rtp_port = 0;
  GValue v = G_VALUE_INIT;

  if (self->group != NULL || self->pipeline == NULL)
    return TRUE;
  it = gst_bin_iterate_recurse (GST_BIN (self->pipeline));
  while (bad == NULL && gst_iterator_next (it, &v) == GST_ITERATOR_OK)
    {
      GstElement *e = g_value_get_object (&v);
      GstElementFactory *f = gst_element_get_factory (e);

      /* udpsrc listens on the group; rtspsrc's RTCP udpsink sends to it
       * (with a unicast answer there is no udpsrc, only a udpsink) */
      gboolean is_src = f != NULL && g_str_equal (GST_OBJECT_NAME (f), "udpsrc");
      gboolean is_sink = f != NULL && g_str_equal (GST_OBJECT_NAME (f), "udpsink");

      if (is_src || is_sink)
        {
          g_autofree gchar *addr = NULL;
          g_autoptr (GInetAddress) ia = NULL;

          gint port = 0;

          g_object_get (e, is_src ? "address" : "host", &addr, "port", &port, NULL);
          ia = addr ? g_inet_address_new_from_string (addr) : NULL;
          if (ia == NULL || !g_inet_address_get_is_multicast (ia))
            bad = g_strndup (addr != NULL ? addr : "none", 64);
          else if (is_src && port % 2 == 0 && group == NULL)
            {
              group = g_strdup (addr);
              rtp_port = port;
            }
        }
      g_value_reset (&v);
    }
  g_value_unset (&v);
  if (bad == NULL)
    {
      if (group != NULL)
        {
          self->group = g_steal_pointer (&group);
          self->rtp_port = rtp_port;
        }
      return TRUE;
    }
  if (self->url != NULL && gst_rtsp_url_parse (self->url, &u) == GST_RTSP_OK)
    where = g_strdup_printf ("%s:%u", u->host, u->port != 0 ? u->port : 554);
  werr = g_error_new (GC_ERROR, GC_ERROR_STREAM,
                      "%s offered no multicast group (stream address %s): refused",
                      where != NULL ? where : "the source", bad);
  finish_waiters (self, werr, -1);
  stop_pipeline (self, FALSE);
  __atomic_store_n (&self->last_rtp, 0, __ATOMIC_RELAXED);
  set_state (self, "error", werr->message);
  schedule_retry (self);
  return FALSE;
}

static void
read_counters (GcReceiver *self)
{
  g_autoptr (GstIterator) it = NULL;
  GValue v = G_VALUE_INIT;
  GcReceiverCounters *c = &self->counters;
  gint64 now = g_get_monotonic_time ();
  gint64 first = __atomic_load_n (&self->first_frame_time, __ATOMIC_RELAXED);
  gdouble samples[LATENCY_WINDOW];
  guint n = 0;

  c->frames_decoded = __atomic_load_n (&self->frames, __ATOMIC_RELAXED);
  if (first > 0 && c->first_frame_ms < 0)
    c->first_frame_ms = (first - self->connect_time) / 1000.0;

  /* p50 of the capture-to-decode samples from the last second */
  g_mutex_lock (&self->lat_lock);
  for (guint i = 0; i < LATENCY_WINDOW; i++)
    if (self->latency_times[i] > 0 && now - self->latency_times[i] < G_USEC_PER_SEC)
      samples[n++] = self->latencies[i];
  g_mutex_unlock (&self->lat_lock);
  if (n > 0)
    {
      for (guint i = 1; i < n; i++)
        for (guint j = i; j > 0 && samples[j - 1] > samples[j]; j--)
          {
            gdouble t = samples[j];
            samples[j] = samples[j - 1];
            samples[j - 1] = t;
          }
      c->latency_ms = samples[n / 2];
    }
  else
    c->latency_ms = -1;

  if (self->pipeline == NULL)
    return;
  it = gst_bin_iterate_recurse (GST_BIN (self->pipeline));
  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK)
    {
      GstElement *e = g_value_get_object (&v);
      GstElementFactory *f = gst_element_get_factory (e);
      const gchar *fname = f != NULL ? GST_OBJECT_NAME (f) : "";

      if (g_str_equal (fname, "rtpjitterbuffer"))
        {
          GstStructure *s = NULL;
          guint64 late = 0, dup = 0;

          g_object_get (e, "stats", &s, NULL);
          if (s != NULL)
            {
              gst_structure_get_uint64 (s, "num-late", &late);
              gst_structure_get_uint64 (s, "num-duplicates", &dup);
              self->pipe.packets_late = late;
              self->pipe.duplicates = dup;
              c->packets_late = self->base.packets_late + late;
              c->duplicates = self->base.duplicates + dup;
              gst_structure_free (s);
            }
        }
      else if (g_str_equal (fname, "rtpsession"))
        {
          g_autoptr (GObject) session = NULL;
          GstStructure *stats = NULL;
          const GValue *sv;

          g_object_get (e, "internal-session", &session, NULL);
          if (session != NULL)
            g_object_get (session, "stats", &stats, NULL);
          sv = stats ? gst_structure_get_value (stats, "source-stats") : NULL;
          G_GNUC_BEGIN_IGNORE_DEPRECATIONS
          if (sv != NULL && G_VALUE_HOLDS_BOXED (sv))
            {
              GValueArray *arr = g_value_get_boxed (sv);

              for (guint i = 0; i < arr->n_values; i++)
                {
                  const GstStructure *s = g_value_get_boxed (g_value_array_get_nth (arr, i));
                  gboolean internal = TRUE, sender = FALSE;
                  guint64 pkts = 0, octets = 0;
                  gint lost = 0;
                  guint jitter = 0;

                  gst_structure_get_boolean (s, "internal", &internal);
                  gst_structure_get_boolean (s, "is-sender", &sender);
                  if (internal || !sender)
                    continue;
                  gst_structure_get_uint64 (s, "packets-received", &pkts);
                  gst_structure_get_uint64 (s, "octets-received", &octets);
                  gst_structure_get_int (s, "packets-lost", &lost);
                  gst_structure_get_uint (s, "jitter", &jitter);
                  self->pipe.packets_received = pkts;
                  self->pipe.packets_lost = lost > 0 ? (guint64) lost : 0;
                  c->packets_received = self->base.packets_received + pkts;
                  c->packets_lost = self->base.packets_lost + self->pipe.packets_lost;
                  c->jitter_ms = jitter / 90.0;
                  if (self->last_octets_time > 0 && octets >= self->last_octets
                      && now - self->last_octets_time >= 900000)
                    {
                      c->bitrate = (octets - self->last_octets) * 8 * G_USEC_PER_SEC
                                   / (now - self->last_octets_time);
                      self->last_octets = octets;
                      self->last_octets_time = now;
                    }
                  else if (self->last_octets_time == 0 || octets < self->last_octets)
                    {
                      self->last_octets = octets;
                      self->last_octets_time = now;
                    }
                }
            }
          G_GNUC_END_IGNORE_DEPRECATIONS
          if (stats != NULL)
            gst_structure_free (stats);
        }
      g_value_reset (&v);
    }
  g_value_unset (&v);
}

static gboolean
tick (gpointer data)
{
  GcReceiver *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 last_rtp = __atomic_load_n (&self->last_rtp, __ATOMIC_RELAXED);
  gint64 first = __atomic_load_n (&self->first_frame_time, __ATOMIC_RELAXED);

  if (self->url == NULL)
    return G_SOURCE_CONTINUE;
  read_counters (self);
  if (!check_transport (self))
    return G_SOURCE_CONTINUE;

  if (first > 0 && self->pipeline != NULL
      && (g_str_equal (self->state, "connecting") || g_str_equal (self->state, "no-signal")
          || g_str_equal (self->state, "error"))
      && last_rtp > 0 && now - last_rtp < NO_SIGNAL_US)
    {
      gdouble ms = (first - self->connect_time) / 1000.0;

      self->ever_played = TRUE;
      self->retry_ms = RETRY_MIN_MS;
      g_clear_handle_id (&self->retry_id, g_source_remove);
      set_state (self, "playing", NULL);
      finish_waiters (self, NULL, ms);
    }
  else if (g_str_equal (self->state, "playing")
           && (last_rtp == 0 || now - last_rtp >= NO_SIGNAL_US))
    {
      set_state (self, "no-signal", NULL);
      schedule_retry (self);
    }
  else if (g_str_equal (self->state, "no-signal") && self->retry_id == 0
           && now - MAX (last_rtp, self->pipeline_time) >= NO_SIGNAL_US)
    schedule_retry (self);
  else if (g_str_equal (self->state, "connecting") && self->retry_id == 0
           && now - self->pipeline_time >= 3 * G_USEC_PER_SEC && first == 0)
    /* connected but nothing decodes: start over */
    schedule_retry (self);
  g_signal_emit (self, signals[SIGNAL_COUNTERS_CHANGED], 0);
  return G_SOURCE_CONTINUE;
}

/* the first decoded frame is noticed in the streaming thread; hop to the
 * main loop at once rather than waiting for the next tick */
static gboolean
first_frame_idle (gpointer data)
{
  g_autoptr (GcReceiver) self = data;
  gint64 t0 = self->connect_time;
#define SINCE(t) ((t) > 0 ? ((t) - t0) / 1000.0 : -1.0)

  /* where a switch's time goes, all from the connect request: the old
   * pipeline gone and the new one built, DESCRIBE answered, first RTP
   * packet off the socket and out of the jitter buffer, first frame into
   * the decoder, first frame out of it */
  g_info ("switch timing: pipeline %.1f described %.1f first-udp %.1f first-rtp %.1f "
          "decoder-in %.1f decoded %.1f ms",
          SINCE (self->pipeline_time), SINCE (__atomic_load_n (&self->sdp_time, __ATOMIC_RELAXED)),
          SINCE (__atomic_load_n (&self->first_udp_time, __ATOMIC_RELAXED)),
          SINCE (__atomic_load_n (&self->first_rtp_time, __ATOMIC_RELAXED)),
          SINCE (__atomic_load_n (&self->first_decoder_time, __ATOMIC_RELAXED)),
          SINCE (__atomic_load_n (&self->first_frame_time, __ATOMIC_RELAXED)));
#undef SINCE
  tick (self);
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
on_first_decoded (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiver *self = data;

  __atomic_store_n (&self->last_rtp, g_get_monotonic_time (), __ATOMIC_RELAXED);
  g_idle_add_full (G_PRIORITY_HIGH, first_frame_idle, g_object_ref (self), NULL);
  return GST_PAD_PROBE_REMOVE;
}

/* ---- public ------------------------------------------------------------ */

/* make each element of the receive chain once, at start: the first Connect
 * would otherwise pay for loading the plugins (libav is large), ~100 ms */
static void
warm_up (void)
{
  static const gchar *const inner[] = { "rtpbin", "rtpsession", "rtpjitterbuffer",
                                        "rtpssrcdemux", "rtpptdemux", "udpsrc", "udpsink" };
  g_autofree gchar *desc = g_strdup_printf ("rtspsrc ! rtph264depay ! h264parse ! %s ! fakesink",
                                            pick_decoder ());
  g_autoptr (GstElement) chain = gst_parse_launch (desc, NULL);

  if (chain != NULL)
    gst_object_ref_sink (chain);
  for (gsize i = 0; i < G_N_ELEMENTS (inner); i++)
    {
      g_autoptr (GstElement) e = gst_element_factory_make (inner[i], NULL);

      if (e != NULL)
        gst_object_ref_sink (e);
    }
}

GcReceiver *
gc_receiver_new (const GcConfig *config)
{
  GcReceiver *self = g_object_new (GC_TYPE_RECEIVER, NULL);

  self->interface = g_strdup (config->interface);
  self->sink = g_strdup (config->sink);
  self->latency_ms = config->latency_ms;
  warm_up ();
  return self;
}

static void
reset_counters (GcReceiver *self)
{
  memset (&self->counters, 0, sizeof self->counters);
  memset (&self->base, 0, sizeof self->base);
  memset (&self->pipe, 0, sizeof self->pipe);
  self->counters.first_frame_ms = -1;
  self->counters.latency_ms = -1;
  self->last_octets = 0;
  self->last_octets_time = 0;
  __atomic_store_n (&self->frames, 0, __ATOMIC_RELAXED);
  g_mutex_lock (&self->lat_lock);
  memset (self->latency_times, 0, sizeof self->latency_times);
  g_mutex_unlock (&self->lat_lock);
}

gboolean
gc_receiver_connect (GcReceiver *self, const gchar *url, const gchar *source_name,
                     GError **error)
{
  g_autoptr (GError) superseded = NULL;

  if (!gc_receiver_check_url (url, error))
    return FALSE;
  if (self->shutting_down)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "the agent is shutting down");
      return FALSE;
    }
  if (g_strcmp0 (self->url, url) == 0
      && (g_str_equal (self->state, "playing") || g_str_equal (self->state, "connecting")))
    {
      if (source_name != NULL && g_strcmp0 (self->source_name, source_name) != 0)
        {
          g_free (self->source_name);
          self->source_name = g_strdup (source_name);
        }
      return TRUE; /* already there (or on the way) */
    }
  if (self->waiters != NULL)
    {
      superseded = g_error_new (GC_ERROR, GC_ERROR_REFUSED,
                                "superseded: switched to %s before the first frame", url);
      finish_waiters (self, superseded, -1);
    }
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_free (self->url);
  self->url = g_strdup (url);
  g_free (self->source_name);
  self->source_name = g_strdup (source_name != NULL ? source_name : "");
  self->ever_played = FALSE;
  self->retry_ms = RETRY_MIN_MS;
  self->connect_time = g_get_monotonic_time ();
  reset_counters (self);
  set_state (self, "connecting", NULL);
  stop_pipeline (self, FALSE);
  start_pipeline (self);
  return TRUE;
}

void
gc_receiver_disconnect (GcReceiver *self)
{
  g_autoptr (GError) err = g_error_new (GC_ERROR, GC_ERROR_REFUSED, "disconnected");

  finish_waiters (self, err, -1);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->group, g_free);
  self->rtp_port = 0;
  self->pending_start = FALSE;
  stop_pipeline (self, FALSE);
  reset_counters (self);
  set_state (self, "idle", NULL);
}

void
gc_receiver_shutdown (GcReceiver *self)
{
  g_autoptr (GError) err = g_error_new (GC_ERROR, GC_ERROR_FAILED, "the agent is shutting down");

  /* at exit: TEARDOWN and leave the group before returning */
  self->shutting_down = TRUE;
  finish_waiters (self, err, -1);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  stop_pipeline (self, TRUE);
}

static gboolean
wait_timeout (gpointer data)
{
  GTask *task = data;
  GcReceiver *self = g_task_get_source_object (task);
  GList *l = g_list_find (self->waiters, task);

  if (l != NULL)
    {
      self->waiters = g_list_delete_link (self->waiters, l);
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_TIMEOUT,
                               "no picture within %u ms", GPOINTER_TO_UINT (g_task_get_task_data (task)));
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

void
gc_receiver_wait_async (GcReceiver *self, guint timeout_ms, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GSource) timeout = NULL;

  g_task_set_source_tag (task, gc_receiver_wait_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (timeout_ms), NULL);
  if (g_str_equal (self->state, "playing"))
    {
      gdouble *v = g_new (gdouble, 1);

      *v = 0; /* already showing it */
      g_task_return_pointer (task, v, g_free);
      return;
    }
  if (self->url == NULL)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_FAILED, "not connecting to anything");
      return;
    }
  timeout = g_timeout_source_new (timeout_ms);
  g_task_attach_source (task, timeout, wait_timeout);
  self->waiters = g_list_append (self->waiters, g_object_ref (task));
}

gboolean
gc_receiver_wait_finish (GcReceiver *self, GAsyncResult *result, gdouble *first_frame_ms,
                         GError **error)
{
  g_autofree gdouble *v = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  v = g_task_propagate_pointer (G_TASK (result), error);
  if (v == NULL)
    return FALSE;
  if (first_frame_ms != NULL)
    *first_frame_ms = *v;
  return TRUE;
}

const gchar *
gc_receiver_get_state (GcReceiver *self)
{
  return self->state;
}

const gchar *
gc_receiver_get_error (GcReceiver *self)
{
  return self->error;
}

const gchar *
gc_receiver_get_source_url (GcReceiver *self)
{
  return self->url != NULL ? self->url : "";
}

const gchar *
gc_receiver_get_source_name (GcReceiver *self)
{
  return self->source_name != NULL ? self->source_name : "";
}

const gchar *
gc_receiver_get_group (GcReceiver *self)
{
  return self->group != NULL ? self->group : "";
}

guint16
gc_receiver_get_rtp_port (GcReceiver *self)
{
  return self->rtp_port;
}

void
gc_receiver_get_counters (GcReceiver *self, GcReceiverCounters *out)
{
  *out = self->counters;
}

gchar **
gc_receiver_dup_kernel_groups (GcReceiver *self)
{
  g_autofree gchar *text = NULL;

  if (!g_file_get_contents ("/proc/net/igmp", &text, NULL, NULL))
    return g_new0 (gchar *, 1);
  return gc_igmp_parse_groups (text, self->interface);
}

static void
gc_receiver_dispose (GObject *object)
{
  GcReceiver *self = GC_RECEIVER (object);

  gc_receiver_shutdown (self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  G_OBJECT_CLASS (gc_receiver_parent_class)->dispose (object);
}

static void
gc_receiver_finalize (GObject *object)
{
  GcReceiver *self = GC_RECEIVER (object);

  g_mutex_clear (&self->lat_lock);
  g_free (self->interface);
  g_free (self->sink);
  g_free (self->state);
  g_free (self->error);
  g_free (self->url);
  g_free (self->source_name);
  g_free (self->group);
  G_OBJECT_CLASS (gc_receiver_parent_class)->finalize (object);
}

static void
gc_receiver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GcReceiver *self = GC_RECEIVER (object);

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
gc_receiver_class_init (GcReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_receiver_dispose;
  object_class->finalize = gc_receiver_finalize;
  object_class->get_property = gc_receiver_get_property;

  props[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, "idle",
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[SIGNAL_COUNTERS_CHANGED] =
    g_signal_new ("counters-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  GST_DEBUG_CATEGORY_INIT (gc_receiver_debug, "gcreceiver", 0, "Groupcast receiver");
}

static void
gc_receiver_init (GcReceiver *self)
{
  self->state = g_strdup ("idle");
  self->error = g_strdup ("");
  self->retry_ms = RETRY_MIN_MS;
  g_mutex_init (&self->lat_lock);
  reset_counters (self);
  self->tick_id = g_timeout_add (TICK_MS, tick, self);
}
