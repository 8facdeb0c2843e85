/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source role: one shared, multicast-only RTSP media served by
 * gst-rtsp-server; receivers join the group it announces. the members of
 * the group are kept in a GcMemberTable (gc-source-members.c). one clock:
 * a 500 ms tick reads the statistics and emits ::counters-changed.
 */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source.h"
#include "gc-error.h"
#include "gc-rate.h"
#include "gc-source-capture.h"
#include "gc-source-clients.h"
#include "gc-source-media.h"

#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gc_source_debug);
#define GST_CAT_DEFAULT gc_source_debug

#define STATS_INTERVAL_MS 500
#define VIDEO_CLOCK_RATE 90000
#define SESSION_TIMEOUT_S 20
/* RTSP connections the source holds at once, and how long one may stay
 * without a session (a receiver sets one up within milliseconds): a host
 * that opens connections and sends nothing holds no fd for long */
/* what a receiver sends when it has joined the group and waits for its
 * first key frame */
#define GC_KEY_FRAME_PARAMETER "groupcast-key-frame"

struct _GcSource
{
  GObject parent_instance;

  GcConfig *config;           /* a private copy of what we need */
  gchar *group;
  gchar *url;
  gchar *encoder;
  GcSourceState state;
  gchar *capture;             /* what this start captures (the config's, or Start's) */
  gchar *audio;               /* the sound it sends ("none" too), known once started */
  gchar *last_error;          /* why the capture ended by itself; "" */
  gint64 copies_refused_said; /* monotonic µs a refused copy was last logged */
  guint late_key_id;          /* the key frame a joiner's IGMP report waits for */
  GcSourceCapture *cap;       /* the capture of the start under way or serving */
  GcSourcePreview *preview;

  GstRTSPServer *server;
  GstRTSPMediaFactory *factory;
  GcSourceMedia *media;       /* kept prepared while serving */
  GTask *starting;            /* a start under way */
  guint server_source_id;
  guint pool_source_id;
  guint stats_id;

  GcMemberTable *members;
  GBytes *site_key;           /* media encrypted from it (SRTP), or NULL */
  gchar *agent_id;

  guint64 packets_sent;
  guint64 bytes_sent;
  guint64 last_bytes;
  GcRate bit_rate;            /* over bytes_sent */
  GcRate packet_rate;         /* over packets_sent */
};

G_DEFINE_FINAL_TYPE (GcSource, gc_source, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_LAST_ERROR,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_COUNTERS_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
update_state (GcSource *self)
{
  GcSourceState state;

  if (self->media == NULL)
    state = GC_SOURCE_STATE_STOPPED;
  else if (gc_member_table_get_n_playing (self->members) > 0)
    state = GC_SOURCE_STATE_STREAMING;
  else
    state = GC_SOURCE_STATE_READY;
  if (state == self->state)
    return;
  self->state = state;
  g_info ("source state: %s", gc_source_state_to_string (state));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

/* ---- RTSP clients (main loop) ------------------------------------------- */

/* a receiver's IGMP report reaches the switch some 10 ms after its PLAY
 * is answered (a jiffy of the kernel's report timer, at HZ 100): until
 * then a snooping switch sends it nothing of the group, and the key frame
 * forced on PLAY goes by. one more this long after PLAY (one for all who
 * joined meanwhile) lands once it is a member */
#define LATE_KEY_FRAME_MS 15

static gboolean
late_key_frame (gpointer data)
{
  GcSource *self = data;

  self->late_key_id = 0;
  gc_source_force_key_frame (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_client_play (GstRTSPClient *client, GstRTSPContext *ctx, GcSource *self)
{
  g_autofree gchar *addr = gc_source_client_address (client);
  GcTransport transport = gc_source_clients_transport (ctx->sessmedia);

  if (addr == NULL)
    return;
  /* a new viewer gets a key frame at once instead of waiting for the GOP;
   * one on the group also a moment later, once its join is through */
  gc_source_force_key_frame (self, NULL);
  if (transport == GC_TRANSPORT_MULTICAST && self->late_key_id == 0)
    self->late_key_id = g_timeout_add (LATE_KEY_FRAME_MS, late_key_frame, self);
  gc_member_table_play (self->members, addr, client,
                        ctx->session != NULL ? gst_rtsp_session_get_sessionid (ctx->session)
                                             : NULL,
                        transport);
  update_state (self);
}

static void
on_client_teardown (GstRTSPClient *client, GstRTSPContext *ctx, GcSource *self)
{
  /* by its connection: a receiver trying the group again has a newer
   * session, which stays */
  gc_member_table_remove_client (self->members, client, "teardown");
  update_state (self);
}

static void
on_client_closed (GstRTSPClient *client, GcSource *self)
{
  gc_member_table_remove_client (self->members, client, "closed");
  update_state (self);
}

static void
on_new_session (GstRTSPClient *client, GstRTSPSession *session, GcSource *self)
{
  gc_source_clients_has_session (client);
  /* a receiver whose link dies without closing TCP goes after this long
   * without a keep-alive; rtspsrc sends one well inside it */
  gst_rtsp_session_set_timeout (session, SESSION_TIMEOUT_S);
}

/* a receiver says it has joined the group (GC_KEY_FRAME_PARAMETER in a
 * SET_PARAMETER on its RTSP session): the key frame its PLAY forced went
 * out before its join, so it gets one now */
static GstRTSPStatusCode
on_client_set_parameter (GstRTSPClient *client, GstRTSPContext *ctx, GcSource *self)
{
  guint8 *body = NULL;
  guint size = 0;

  if (ctx->request != NULL
      && gst_rtsp_message_get_body (ctx->request, &body, &size) == GST_RTSP_OK && size > 0
      && g_strstr_len ((const gchar *) body, size, GC_KEY_FRAME_PARAMETER) != NULL)
    gc_source_force_key_frame (self, NULL);
  return GST_RTSP_STS_OK;
}

/* a copy of its own for one more receiver, within --max-unicast (each
 * costs the stream's bitrate again: a host on the LAN opening sessions
 * must not multiply the source's egress). the receiver's own second
 * session (the next switch's) is not another one */
static GstRTSPStatusCode
on_client_pre_setup (GstRTSPClient *client, GstRTSPContext *ctx, GcSource *self)
{
  g_autofree gchar *addr = NULL;
  gint64 now;

  if (!gc_source_clients_wants_copy (ctx))
    return GST_RTSP_STS_OK;
  addr = gc_source_client_address (client);
  if (gc_source_clients_count_copies (self->server, addr) < self->config->max_unicast)
    return GST_RTSP_STS_OK;
  /* one line at most every 10 s, however many ask */
  now = g_get_monotonic_time ();
  if (now - self->copies_refused_said >= 10 * G_USEC_PER_SEC)
    {
      self->copies_refused_said = now;
      g_message ("refused a copy of the stream for %s: %u receivers get one already "
                 "(max-unicast)", addr != NULL ? addr : "a receiver", self->config->max_unicast);
    }
  return GST_RTSP_STS_NOT_ENOUGH_BANDWIDTH;
}

static void
on_client_connected (GstRTSPServer *server, GstRTSPClient *client, GcSource *self)
{
  gc_source_clients_guard (self->server, client);
  if (self->config->fec_percentage > 0)
    gc_source_clients_drop_rtp_seq (client);
  g_signal_connect_object (client, "pre-set-parameter-request",
                           G_CALLBACK (on_client_set_parameter), self, 0);
  g_signal_connect_object (client, "play-request", G_CALLBACK (on_client_play), self, 0);
  if (self->config->unicast)
    g_signal_connect_object (client, "pre-setup-request", G_CALLBACK (on_client_pre_setup), self,
                             0);
  g_signal_connect_object (client, "teardown-request", G_CALLBACK (on_client_teardown), self, 0);
  g_signal_connect_object (client, "closed", G_CALLBACK (on_client_closed), self, 0);
  g_signal_connect_object (client, "new-session", G_CALLBACK (on_new_session), self, 0);
}

/* ---- statistics (the clock) ---------------------------------------------- */

static void
on_ssrc_active (GObject *session, GObject *src, GcSource *self)
{
  guint ssrc = 0;

  /* called from streaming threads when RTCP arrives from a member */
  g_object_get (src, "ssrc", &ssrc, NULL);
  gc_member_table_note_report (self->members, ssrc);
}

static void
read_member_reports (GcSource *self)
{
  g_autoptr (GObject) session = NULL;
  g_autoptr (GstStructure) stats = NULL;

  if (self->media != NULL)
    session = gc_source_media_dup_rtpsession (self->media);
  if (session == NULL)
    return;
  if (g_object_get_data (session, "gc-watched") == NULL)
    {
      g_object_set_data (session, "gc-watched", GINT_TO_POINTER (1));
      g_signal_connect_object (session, "on-ssrc-active", G_CALLBACK (on_ssrc_active), self, 0);
    }
  g_object_get (session, "stats", &stats, NULL);
  gc_member_table_update (self->members, stats, VIDEO_CLOCK_RATE);
}

static void
read_send_counters (GcSource *self, gint64 now)
{
  guint64 p = 0, b = 0;

  /* what really went on the wire to the group */
  if (self->media != NULL && gc_source_media_read_sent (self->media, &p, &b))
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
  gc_rate_update (&self->bit_rate, self->bytes_sent, now);
  gc_rate_update (&self->packet_rate, self->packets_sent, now);
}

static gboolean
stats_tick (gpointer data)
{
  GcSource *self = data;

  read_member_reports (self);
  read_send_counters (self, g_get_monotonic_time ());
  g_signal_emit (self, signals[SIGNAL_COUNTERS_CHANGED], 0);
  return G_SOURCE_CONTINUE;
}

/* ---- life cycle ----------------------------------------------------------- */

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
  c->audio_port = config->audio_port;
  c->audio = g_strdup (config->audio);
  c->audio_frame_ms = config->audio_frame_ms;
  c->ttl = config->ttl;
  g_free (c->capture);
  c->capture = g_strdup (config->capture);
  c->preview_width = config->preview_width;
  c->state_dir = g_strdup (config->state_dir);
  g_free (c->encoder);
  c->encoder = g_strdup (config->encoder);
  c->width = config->width;
  c->height = config->height;
  c->framerate = config->framerate;
  c->bitrate_kbps = config->bitrate_kbps;
  c->gop_seconds = config->gop_seconds;
  c->fec_percentage = config->fec_percentage;
  c->unicast = config->unicast;
  c->max_unicast = config->max_unicast;
  self->config = c;
  self->capture = g_strdup (c->capture);
  self->group = g_strdup (config->group != NULL ? config->group : GC_DEFAULT_GROUP);
  self->url = g_strdup_printf ("rtsp://%s:%u%s", c->bind_address, c->rtsp_port, c->mount);
  return self;
}

gboolean
gc_source_set_group (GcSource *self, const gchar *group, GError **error)
{
  g_autoptr (GInetAddress) a = NULL;

  g_return_val_if_fail (GC_IS_SOURCE (self), FALSE);

  a = group != NULL ? g_inet_address_new_from_string (group) : NULL;
  if (self->media != NULL || self->starting != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot change the group while serving");
      return FALSE;
    }
  if (a == NULL || !g_inet_address_get_is_multicast (a))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "'%s' is not a multicast group",
                   group != NULL ? group : "");
      return FALSE;
    }
  g_free (self->group);
  self->group = g_strdup (group);
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

/* the server and its one shared media factory: multicast only, on exactly
 * our group and ports. nothing listens yet. */
static gboolean
make_server (GcSource *self, const gchar *launch, GError **error)
{
  GcConfig *c = self->config;
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  g_autoptr (GstRTSPAddressPool) pool = NULL;
  g_autoptr (GstRTSPThreadPool) clients = NULL;
  g_autofree gchar *service = g_strdup_printf ("%u", c->rtsp_port);

  self->server = gst_rtsp_server_new ();
  gst_rtsp_server_set_service (self->server, service);
  /* on the chosen interface's address only, when there is one */
  gst_rtsp_server_set_address (self->server, c->interface != NULL ? c->bind_address : "0.0.0.0");
  /* the default listen backlog is 5: a burst of receivers connecting at
   * once (a source restart, a switch of many) overflows it and the kernel
   * drops SYNs, which the clients retry only after 1 s, 3 s, ... */
  gst_rtsp_server_set_backlog (self->server, 128);
  /* the default pool serves clients in a thread of its own, and their
   * play/teardown/closed callbacks then change the member table while the
   * main loop reads it (a crash under load). with no client threads the
   * clients run in the context the server is attached to: ours */
  clients = gst_rtsp_server_get_thread_pool (self->server);
  gst_rtsp_thread_pool_set_max_threads (clients, 0);
  g_signal_connect_object (self->server, "client-connected",
                           G_CALLBACK (on_client_connected), self, 0);

  self->factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (self->factory, launch);
  gst_rtsp_media_factory_set_shared (self->factory, TRUE);
  /* the group for all; a receiver the group does not reach (an access
   * point or a switch that drops multicast) can have a stream of its own,
   * unicast UDP or interleaved in its RTSP connection, unless refused */
  gst_rtsp_media_factory_set_protocols (self->factory,
                                        c->unicast ? GST_RTSP_LOWER_TRANS_UDP_MCAST
                                                       | GST_RTSP_LOWER_TRANS_UDP
                                                       | GST_RTSP_LOWER_TRANS_TCP
                                                   : GST_RTSP_LOWER_TRANS_UDP_MCAST);
  gst_rtsp_media_factory_set_max_mcast_ttl (self->factory, c->ttl);
  if (c->interface != NULL)
    gst_rtsp_media_factory_set_multicast_iface (self->factory, c->interface);
  pool = gst_rtsp_address_pool_new ();
  if (!gst_rtsp_address_pool_add_range (pool, self->group, self->group, c->rtp_port,
                                        c->rtp_port + 1, c->ttl))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "cannot use group %s ports %u-%u",
                   self->group, c->rtp_port, c->rtp_port + 1);
      return FALSE;
    }
  gst_rtsp_media_factory_set_address_pool (self->factory, pool);
  mounts = gst_rtsp_server_get_mount_points (self->server);
  gst_rtsp_mount_points_add_factory (mounts, c->mount, g_object_ref (self->factory));
  return TRUE;
}

/* ---- start: encoder and launch, then the media prepared, off the loop ----- */

typedef struct
{
  gchar *encoder;          /* in: chosen already, or NULL */
  GcConfig *config;        /* in (borrowed from the source, which the task holds) */
  gchar *capture;          /* in: the capture word */
  gchar *audio_choice;     /* in: the sound StartWith chose, or NULL */
  GcCaptureStream stream;  /* in: the portal's stream, when fd >= 0 */
  gchar *launch;           /* out of the first step */
  gchar *audio;            /* out of it: the sound sent */
  GcSourceMedia *media;    /* the second step's */
} StartData;

static void
start_data_free (StartData *d)
{
  g_free (d->encoder);
  g_free (d->capture);
  g_free (d->launch);
  g_free (d->audio);
  g_free (d->audio_choice);
  g_clear_object (&d->media);
  g_free (d);
}

static void
choose_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  StartData *d = data;
  GError *error = NULL;

  /* each encoder is tried for real (a few frames): not on the main loop */
  if (d->encoder == NULL)
    d->encoder = gc_source_pick_encoder (d->config->encoder, &error);
  /* sound that cannot be captured here (no sound server, no device) is
   * left out: the picture goes on without it */
  d->audio = g_strdup (d->audio_choice != NULL ? d->audio_choice
                                                : gc_source_audio_word (d->config, d->capture));
  {
    g_autoptr (GError) audio_error = NULL;

    if (!gc_source_audio_works (d->audio, &audio_error))
      {
        g_warning ("%s: the picture is sent without sound", audio_error->message);
        g_free (d->audio);
        d->audio = g_strdup ("none");
      }
  }
  if (d->encoder != NULL)
    d->launch = gc_source_build_launch_for (d->config, d->capture, d->encoder,
                                            d->stream.fd >= 0 ? &d->stream : NULL, d->audio,
                                            &error);
  if (d->launch == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* the start that is under way ends (a step failed, or Stop came) */
static void
start_fail (GcSource *self, GTask *task, GError *error)
{
  if (self->starting == task)
    {
      g_clear_object (&self->starting);
      gc_source_stop (self);
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

static gboolean
start_was_stopped (GcSource *self, GTask *task)
{
  if (self->starting == task)
    return FALSE;
  start_fail (self, task, g_error_new (GC_ERROR, GC_ERROR_FAILED,
                                       "the source was stopped before it started"));
  return TRUE;
}

static void
start_serving (GcSource *self, GTask *task)
{
  GcConfig *c = self->config;

  /* listen only now: an early client would wait on a media in preparation */
  self->server_source_id = gst_rtsp_server_attach (self->server, NULL);
  if (self->server_source_id == 0)
    {
      start_fail (self, task, g_error_new (GC_ERROR, GC_ERROR_FAILED,
                                           "cannot listen for RTSP on TCP port %u (in use?)",
                                           c->rtsp_port));
      return;
    }
  /* sessions whose keep-alives stopped are removed every two seconds */
  self->pool_source_id = g_timeout_add_seconds (2, cleanup_sessions, self);
  self->stats_id = g_timeout_add (STATS_INTERVAL_MS, stats_tick, self);
  g_clear_object (&self->starting);
  g_message ("serving %s to %s:%u-%u (ttl %u, %s, %s; sound %s)", self->url, self->group,
             c->rtp_port, c->rtp_port + 1, c->ttl, self->capture, self->encoder, self->audio);
  update_state (self);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
prepared (GObject *object, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  GcSource *self = g_task_get_source_object (task);
  StartData *d = g_task_get_task_data (task);
  GError *error = NULL;

  if (!gc_source_media_prepare_finish (GC_SOURCE_MEDIA (object), res, &error))
    {
      /* the capture ended while the media started: its reason says more */
      if (self->cap == NULL && self->last_error != NULL)
        {
          g_clear_error (&error);
          error = g_error_new_literal (GC_ERROR, GC_ERROR_STREAM, self->last_error);
        }
      if (g_error_matches (error, GC_ERROR, GC_ERROR_STREAM))
        g_prefix_error (&error, "capture '%s', encoder %s: ", self->capture, d->encoder);
      start_fail (self, task, error);
      return;
    }
  if (start_was_stopped (self, task))
    return;
  self->media = g_steal_pointer (&d->media);
  start_serving (self, task);
}

static void
chosen (GObject *object, GAsyncResult *res, gpointer data)
{
  GcSource *self = GC_SOURCE (object);
  GTask *task = data;
  StartData *d = g_task_get_task_data (task);
  g_autoptr (GstRTSPThreadPool) pool = NULL;
  GstRTSPThread *thread;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      start_fail (self, task, error);
      return;
    }
  if (start_was_stopped (self, task))
    return;
  if (self->encoder == NULL)
    self->encoder = g_strdup (d->encoder);
  g_free (self->audio);
  self->audio = g_strdup (d->audio);
  if (!make_server (self, d->launch, &error))
    {
      start_fail (self, task, error);
      return;
    }
  /* hooked before the media is made: its media-configure comes then */
  if (self->cap != NULL)
    gc_source_capture_watch (self->cap, self->factory);
  gc_source_preview_watch (self->preview, self->factory);
  if ((d->media = gc_source_media_new (self->factory, self->url, self->group,
                                          self->config->rtp_port,
                                          g_str_equal (self->audio, "none")
                                          ? 0 : gc_config_audio_port (self->config),
                                          self->config->interface,
                                          self->site_key, self->agent_id, &error)) == NULL)
    {
      start_fail (self, task, error);
      return;
    }
  gc_source_media_set_fec (d->media, self->config->fec_percentage);
  /* the media's bus runs in a thread of the server's pool, which prepare
   * waits on */
  pool = gst_rtsp_server_get_thread_pool (self->server);
  thread = gst_rtsp_thread_pool_get_thread (pool, GST_RTSP_THREAD_TYPE_MEDIA, NULL);
  if (thread == NULL)
    {
      start_fail (self, task, g_error_new (GC_ERROR, GC_ERROR_FAILED,
                                           "no thread for the media pipeline"));
      return;
    }
  gc_source_media_prepare_async (d->media, thread, prepared, task);
}

static void
on_capture_ended (GcSourceCapture *cap, const gchar *reason, GcSource *self)
{
  if (cap != self->cap)
    return;
  g_message ("source stops: %s", reason);
  g_free (self->last_error);
  self->last_error = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAST_ERROR]);
  gc_source_stop (self);
}

static void
capture_opened (GObject *object, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  GcSource *self = g_task_get_source_object (task);
  StartData *d = g_task_get_task_data (task);
  GcSourceCapture *cap = GC_SOURCE_CAPTURE (object);
  const GcCaptureStream *stream;
  g_autoptr (GTask) step = NULL;
  GError *error = NULL;

  if (!gc_source_capture_open_finish (cap, res, &error))
    {
      start_fail (self, task, error);
      return;
    }
  if (start_was_stopped (self, task))
    return;
  stream = gc_source_capture_get_stream (cap);
  if (stream != NULL)
    d->stream = *stream;
  step = g_task_new (self, NULL, chosen, task);
  g_task_set_task_data (step, d, NULL);
  g_task_run_in_thread (step, choose_thread);
}

/* starts serving @capture (NULL: the configured one; else one of the
 * words gc_capture_is_choice takes): resolves the capture (the portal's
 * screen cast on Wayland), picks the encoder (once), builds and prepares
 * the media pipeline off the main loop, then listens for RTSP. done at
 * once when serving that capture already. */
void
gc_source_start_capture_async (GcSource *self, const gchar *capture, const gchar *audio,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  StartData *d;

  g_return_if_fail (GC_IS_SOURCE (self));

  g_task_set_source_tag (task, gc_source_start_async);
  if (capture != NULL && !gc_capture_is_choice (capture))
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "capture '%s' is not test, screen, portal or x11", capture);
      return;
    }
  if (audio != NULL && !gc_source_audio_is_choice (audio))
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "audio '%s' is not test, desktop or none", audio);
      return;
    }
  if (self->server != NULL || self->starting != NULL)
    {
      if (self->starting != NULL)
        g_task_return_new_error (task, GC_ERROR, GC_ERROR_FAILED, "the source is starting");
      else if (capture != NULL && g_strcmp0 (capture, self->capture) != 0)
        g_task_return_new_error (task, GC_ERROR, GC_ERROR_FAILED,
                                 "the source is serving capture '%s'; call Stop first",
                                 self->capture);
      else if (audio != NULL && g_strcmp0 (audio, self->audio) != 0)
        g_task_return_new_error (task, GC_ERROR, GC_ERROR_FAILED,
                                 "the source is serving with sound '%s'; call Stop first",
                                 self->audio);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  g_free (self->capture);
  self->capture = g_strdup (capture != NULL ? capture : self->config->capture);
  if (self->last_error != NULL)
    {
      g_clear_pointer (&self->last_error, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAST_ERROR]);
    }
  d = g_new0 (StartData, 1);
  d->encoder = g_strdup (self->encoder);
  d->config = self->config;
  d->capture = g_strdup (self->capture);
  d->audio_choice = g_strdup (audio);
  d->stream.fd = -1;
  g_task_set_task_data (task, d, (GDestroyNotify) start_data_free);
  self->starting = g_object_ref (task);
  {
    g_autofree gchar *token_path = g_build_filename (self->config->state_dir != NULL
                                                     ? self->config->state_dir : ".",
                                                     "portal-restore-token", NULL);

    g_clear_object (&self->cap);
    self->cap = gc_source_capture_new (self->capture, token_path, self->config->framerate);
  }
  g_signal_connect_object (self->cap, "ended", G_CALLBACK (on_capture_ended), self, 0);
  gc_source_capture_open_async (self->cap, capture_opened, g_steal_pointer (&task));
}

/* starts serving the configured capture (see gc_source_start_capture_async) */
void
gc_source_start_async (GcSource *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  gc_source_start_capture_async (self, NULL, NULL, cancellable, callback, user_data);
}

gboolean
gc_source_start_finish (GcSource *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
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
  g_return_if_fail (GC_IS_SOURCE (self));

  /* a start under way sees this and gives up */
  g_clear_object (&self->starting);
  if (self->cap != NULL)
    gc_source_capture_close (self->cap);
  g_clear_object (&self->cap);
  gc_source_preview_clear (self->preview);
  g_clear_handle_id (&self->stats_id, g_source_remove);
  g_clear_handle_id (&self->pool_source_id, g_source_remove);
  g_clear_handle_id (&self->late_key_id, g_source_remove);
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
  gc_member_table_clear (self->members, "stopped");
  if (self->media != NULL)
    gc_source_media_unprepare (self->media);
  g_clear_object (&self->media);
  g_clear_handle_id (&self->server_source_id, g_source_remove);
  g_clear_object (&self->factory);
  g_clear_object (&self->server);
  update_state (self);
}

/* asks the encoder for an IDR with SPS/PPS now; refused when not serving */
gboolean
gc_source_force_key_frame (GcSource *self, GError **error)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), FALSE);

  if (self->media == NULL)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_FAILED,
                           "the source is stopped; call Start first");
      return FALSE;
    }
  gc_source_media_force_key_frame (self->media);
  return TRUE;
}

GcSourceState
gc_source_get_state (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), GC_SOURCE_STATE_STOPPED);
  return self->state;
}

/* serving (ready or streaming): receivers can be switched to it */
gboolean
gc_source_is_serving (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), FALSE);
  return self->state != GC_SOURCE_STATE_STOPPED;
}

/* with a site key, each stream start encrypts its media (SRTP) with a key
 * derived from it and @agent_id; takes effect at the next start */
void
gc_source_set_site_key (GcSource *self, GBytes *site_key, const gchar *agent_id)
{
  g_return_if_fail (GC_IS_SOURCE (self));

  g_clear_pointer (&self->site_key, g_bytes_unref);
  self->site_key = site_key != NULL ? g_bytes_ref (site_key) : NULL;
  g_free (self->agent_id);
  self->agent_id = g_strdup (agent_id);
}

/* whether what it serves now, or will serve, is encrypted */
gboolean
gc_source_get_encrypted (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), FALSE);
  if (self->media != NULL)
    return gc_source_media_encrypted (self->media);
  return self->site_key != NULL;
}

const gchar *
gc_source_get_url (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->url;
}

const gchar *
gc_source_get_group (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->group;
}

/* "group:port" as beacons and signed switch requests name it
 * ("[group]:port" for IPv6) */
gchar *
gc_source_dup_group_port (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  if (self->group == NULL)
    return NULL;
  return g_strdup_printf (strchr (self->group, ':') != NULL ? "[%s]:%u" : "%s:%u", self->group,
                          gc_source_get_rtp_port (self));
}

guint16
gc_source_get_rtp_port (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  return self->config->rtp_port;
}

/* RTCP goes on the port after RTP's (the address pool's range) */
guint16
gc_source_get_rtcp_port (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  return self->config->rtp_port + 1;
}

guint8
gc_source_get_ttl (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  return self->config->ttl;
}

/* what the source captures, or last captured ("test", "screen", ...) */
const gchar *
gc_source_get_capture (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->capture;
}

/* the sound it sends or last sent ("none" for none), NULL before a start */
const gchar *
gc_source_get_audio (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->audio;
}

/* the audio stream's RTP port, 0 without sound */
guint16
gc_source_get_audio_port (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  if (self->audio == NULL || g_str_equal (self->audio, "none"))
    return 0;
  return gc_config_audio_port (self->config);
}

/* why the capture last ended by itself ("" after a start or a Stop) */
const gchar *
gc_source_get_last_error (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->last_error != NULL ? self->last_error : "";
}

GcSourcePreview *
gc_source_get_preview (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->preview;
}

const gchar *
gc_source_get_encoder (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->encoder != NULL ? self->encoder : "";
}

guint64
gc_source_get_packets_sent (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  return self->packets_sent;
}

guint64
gc_source_get_bytes_sent (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  return self->bytes_sent;
}

/* bits per second sent over the last second */
guint64
gc_source_get_bitrate (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  return (guint64) (self->bit_rate.rate * 8);
}

gdouble
gc_source_get_packet_rate (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), 0);
  return self->packet_rate.rate;
}

GcMemberTable *
gc_source_get_members (GcSource *self)
{
  g_return_val_if_fail (GC_IS_SOURCE (self), NULL);
  return self->members;
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

  g_clear_object (&self->members);
  g_clear_object (&self->preview);
  g_free (self->capture);
  g_free (self->audio);
  g_free (self->last_error);
  gc_config_free (self->config);
  g_free (self->group);
  g_free (self->url);
  g_free (self->agent_id);
  g_clear_pointer (&self->site_key, g_bytes_unref);
  g_free (self->encoder);
  G_OBJECT_CLASS (gc_source_parent_class)->finalize (object);
}

static void
gc_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GcSource *self = GC_SOURCE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, gc_source_get_last_error (self));
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

  props[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, GC_TYPE_SOURCE_STATE,
                                         GC_SOURCE_STATE_STOPPED,
                                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                         | G_PARAM_STATIC_STRINGS);
  /* why the capture last ended by itself ("" after a start) */
  props[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, "",
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* the counters and the members' reports were read (every 500 ms) */
  signals[SIGNAL_COUNTERS_CHANGED] =
    g_signal_new ("counters-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  GST_DEBUG_CATEGORY_INIT (gc_source_debug, "gcsource", 0, "Groupcast source");
}

static void
gc_source_init (GcSource *self)
{
  self->state = GC_SOURCE_STATE_STOPPED;
  self->members = gc_member_table_new ();
  self->preview = gc_source_preview_new ();
}
