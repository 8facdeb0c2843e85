/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the receiver role's state machine: what it was asked to show, the state
 * it is in, reconnecting, and the callers waiting for a first frame. the
 * pipeline (gc-receiver-pipeline.c) does the media; its statistics go to a
 * GcReceiverStats; its frames go to the one GcDisplay, which outlives every
 * pipeline. a switch is make-before-break: the old pipeline stays on screen
 * until the new one's first intact frame is shown, then goes. one clock: a
 * 250 ms tick decides the state and, every other tick, reads the counters
 * and emits ::counters-changed. where nothing of the group arrives after
 * PLAY (an access point or a switch that drops multicast), the stream is
 * set up again as unicast UDP, then over TCP; the next switch tries the
 * group again.
 */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-private.h"
#include "gc-display.h"
#include "gc-error.h"
#include "gc-igmp.h"
#include "gc-receiver-checks.h"
#include "gc-receiver-pipeline.h"
#include "gc-receiver-tuning.h"


#define TICK_MS 250
#define COUNTER_TICKS 2           /* counters every 500 ms: at most two a second */
#define NO_SIGNAL_US (2 * G_USEC_PER_SEC)
#define NOTHING_DECODES_US (3 * G_USEC_PER_SEC)
/* memory a stopped stream freed goes back to the system this long after,
 * away from the switch itself */
#define TRIM_AFTER_US (2 * G_USEC_PER_SEC)
#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 2000


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
static void schedule_retry (GcReceiver *self);
static void evaluate (GcReceiver *self, gint64 now);

/* ---- state -------------------------------------------------------------- */

static void
set_state (GcReceiver *self, GcReceiverState state, const gchar *error)
{
  if (self->state == state && g_strcmp0 (self->error, error != NULL ? error : "") == 0)
    return;
  self->state = state;
  g_free (self->error);
  self->error = g_strdup (error != NULL ? error : "");
  if (*self->error != '\0')
    g_message ("receiver %s: %s", gc_receiver_state_to_string (state), self->error);
  else
    g_message ("receiver %s%s%s", gc_receiver_state_to_string (state), self->url ? " " : "",
               self->url ? self->url : "");
  gc_receiver_update_screen (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

static void
finish_waiters (GcReceiver *self, const GError *error, gdouble ms)
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

/* ---- pipelines ---------------------------------------------------------- */

static void
teardown_done (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcReceiver) self = data;

  gc_receiver_pipeline_stop_finish (GC_RECEIVER_PIPELINE (source), res, NULL);
  self->tearing_down = FALSE;
  if (self->pending_start && !self->shutting_down)
    {
      self->pending_start = FALSE;
      start_pipeline (self);
    }
}

/* stops @pipeline (taken) in a worker thread: TEARDOWN, the group left.
 * with @wait, the next pipeline starts only once it is down: a reconnect
 * to the same source must not have two sessions from one address */
static void
stop (GcReceiver *self, GcReceiverPipeline *pipeline, GcReceiverStats *stats, gboolean wait,
      gboolean sync)
{
  g_autoptr (GcReceiverPipeline) p = pipeline;

  if (p == NULL)
    return;
  g_signal_handlers_disconnect_by_data (p, self);
  gc_receiver_pipeline_read_stats (p, g_get_monotonic_time ());
  self->trim_due = g_get_monotonic_time () + TRIM_AFTER_US;
  if (stats != NULL)
    gc_receiver_stats_end_pipeline (stats);
  if (sync)
    {
      gc_receiver_pipeline_stop_sync (p);
      return;
    }
  if (wait)
    {
      self->tearing_down = TRUE;
      gc_receiver_pipeline_stop_async (p, teardown_done, g_object_ref (self));
    }
  else
    gc_receiver_pipeline_stop_async (p, NULL, NULL);
}

static void
stop_pipeline (GcReceiver *self, gboolean sync)
{
  stop (self, g_steal_pointer (&self->pipeline), self->stats, TRUE, sync);
}

/* the switch is over (the new stream is on screen, or it failed): what
 * was shown goes */
static void
drop_showing (GcReceiver *self, gboolean sync)
{
  stop (self, g_steal_pointer (&self->showing), NULL, FALSE, sync);
  g_clear_object (&self->showing_stats);
  g_clear_pointer (&self->showing_url, g_free);
  g_clear_pointer (&self->showing_name, g_free);
  g_clear_pointer (&self->showing_expected, g_free);
}

/* the new source failed during a switch: the old one is still on screen,
 * and stays */
static void
back_to_showing (GcReceiver *self, const GError *error)
{
  g_message ("switch to %s failed (%s); staying on %s", self->url, error->message,
             self->showing_url);
  stop (self, g_steal_pointer (&self->pipeline), NULL, FALSE, FALSE);
  self->pipeline = g_steal_pointer (&self->showing);
  self->transport = gc_receiver_pipeline_get_transport (self->pipeline);
  g_clear_pointer (&self->fallback_why, g_free);
  g_set_object (&self->stats, self->showing_stats);
  g_clear_object (&self->showing_stats);
  g_free (self->url);
  self->url = g_steal_pointer (&self->showing_url);
  g_free (self->source_name);
  self->source_name = g_steal_pointer (&self->showing_name);
  g_free (self->expected);
  self->expected = g_steal_pointer (&self->showing_expected);
  self->ever_played = TRUE;
  finish_waiters (self, error, -1);
  set_state (self, GC_RECEIVER_STATE_PLAYING, NULL);
}

/* a fallback the source refused (--no-unicast), or that failed: said
 * with why the group was given up; the next try is the group again */
static GError *
fallback_failed (GcReceiver *self, GcReceiverPipeline *pipeline, const GError *error)
{
  g_autofree gchar *where = gc_receiver_url_where (self->url);
  GError *e;

  if (pipeline != self->pipeline || gc_receiver_pipeline_get_transport (pipeline)
                                         == GC_TRANSPORT_MULTICAST || self->fallback_why == NULL)
    return g_error_copy (error);
  e = g_error_new (GC_ERROR, GC_ERROR_STREAM, "%s; and a stream of its own (%s) failed: %s",
                   self->fallback_why, gc_transport_to_string (self->transport),
                   error->message);
  self->transport = GC_TRANSPORT_MULTICAST;
  g_clear_pointer (&self->fallback_why, g_free);
  g_message ("%s: the next try is the group again", where);
  return e;
}

static void
on_pipeline_failed (GcReceiverPipeline *pipeline, const GError *src_error, GcReceiver *self)
{
  g_autoptr (GError) error = fallback_failed (self, pipeline, src_error);

  if (pipeline == self->showing)
    {
      /* the old source died during the switch: the new one carries on */
      drop_showing (self, FALSE);
      return;
    }
  if (self->showing != NULL)
    {
      back_to_showing (self, error);
      return;
    }
  finish_waiters (self, error, -1);
  if (self->ever_played)
    set_state (self, GC_RECEIVER_STATE_NO_SIGNAL, NULL);
  else
    set_state (self, GC_RECEIVER_STATE_ERROR, error->message);
  schedule_retry (self);
}

static void
on_pipeline_ended (GcReceiverPipeline *pipeline, GcReceiver *self)
{
  g_autoptr (GError) error = NULL;

  if (pipeline == self->showing)
    {
      drop_showing (self, FALSE);
      return;
    }
  if (self->showing != NULL)
    {
      error = g_error_new (GC_ERROR, GC_ERROR_STREAM, "%s ended its stream",
                           self->url != NULL ? self->url : "the source");
      back_to_showing (self, error);
      return;
    }
  if (self->ever_played)
    set_state (self, GC_RECEIVER_STATE_NO_SIGNAL, NULL);
  schedule_retry (self);
}

static void
on_first_frame (GcReceiverPipeline *pipeline, GcReceiver *self)
{
  GcReceiverTiming t;
  gint64 t0 = self->connect_time;
#define SINCE(x) ((x) > 0 ? ((x) - t0) / 1000.0 : -1.0)

  /* where a switch's time goes, all from the connect request: the new
   * pipeline built, DESCRIBE answered, first RTP packet off the socket and
   * out of the jitter buffer, first key frame into the decoder, first
   * intact frame out of it (and on screen) */
  gc_receiver_pipeline_get_timing (pipeline, &t);
  g_info ("switch timing: pipeline %.1f described %.1f first-udp %.1f first-rtp %.1f "
          "decoder-in %.1f decoded %.1f ms",
          SINCE (t.started), SINCE (t.described), SINCE (t.first_udp), SINCE (t.first_rtp),
          SINCE (t.decoder_in), SINCE (t.first_frame));
#undef SINCE
}

/* the display shows a new stream's first frame */
static void
on_cut (GcDisplay *display, guint stream, gdouble gap_ms, GcReceiver *self)
{
  if (self->pipeline == NULL || gc_receiver_pipeline_get_stream (self->pipeline) != stream)
    return;
  if (self->showing != NULL)
    {
      gc_receiver_stats_set_switch_gap (self->stats, gap_ms);
      g_info ("cut to %s: %.1f ms after the last frame of %s", self->url, gap_ms,
              self->showing_url);
    }
  drop_showing (self, FALSE);
  evaluate (self, g_get_monotonic_time ());
}

static gchar *nothing_decodes (GcReceiver *self, const GcReceiverTiming *t);

/* nothing at all came on the stream's UDP sockets after PLAY: the group
 * (or UDP) is blocked on the way. the same source again, as a stream of
 * its own: unicast UDP, then RTP in the RTSP connection (TCP). during a
 * switch the old picture stays meanwhile */
static void
on_pipeline_silent (GcReceiverPipeline *pipeline, GcReceiver *self)
{
  GcReceiverTiming t = { 0 };

  if (pipeline != self->pipeline || self->transport == GC_TRANSPORT_TCP)
    return;
  gc_receiver_pipeline_get_timing (pipeline, &t);
  if (self->transport == GC_TRANSPORT_MULTICAST)
    {
      g_free (self->fallback_why);
      self->fallback_why = nothing_decodes (self, &t);
    }
  self->transport = self->transport == GC_TRANSPORT_MULTICAST ? GC_TRANSPORT_UNICAST
                                                              : GC_TRANSPORT_TCP;
  if (self->transport == GC_TRANSPORT_UNICAST)
    g_message ("%s; trying unicast UDP", self->fallback_why);
  else
    g_message ("nothing of a unicast stream arrives either (UDP is blocked on the way); trying "
               "RTP over the RTSP connection (TCP)");
  /* the next session from this address once the old one is torn down */
  stop_pipeline (self, FALSE);
  start_pipeline (self);
}

static void
start_pipeline (GcReceiver *self)
{
  g_autoptr (GError) error = NULL;

  if (self->tearing_down)
    {
      /* the old session is gone before the new one is made */
      self->pending_start = TRUE;
      return;
    }
  g_assert (self->pipeline == NULL);
  {
    GcReceiverPipelineSetup setup = {
      .url = self->url,
      .expected_group = self->expected,
      .site_key = self->site_key,
      .plain_too = self->plain_too,
      .interface = self->interface,
      .latency_ms = self->latency_ms,
      .ssm = self->ssm,
      .transport = self->transport,
    };

    self->pipeline = gc_receiver_pipeline_new (&setup, self->stats, self->display, &error);
  }
  if (self->pipeline == NULL)
    {
      if (self->showing != NULL)
        {
          back_to_showing (self, error);
          return;
        }
      set_state (self, GC_RECEIVER_STATE_ERROR, error->message);
      finish_waiters (self, error, -1);
      return;
    }
  self->pipeline_time = g_get_monotonic_time ();
  /* its first frame takes over the screen */
  gc_display_expect (self->display, gc_receiver_pipeline_get_stream (self->pipeline));
  g_signal_connect (self->pipeline, "failed", G_CALLBACK (on_pipeline_failed), self);
  g_signal_connect (self->pipeline, "ended", G_CALLBACK (on_pipeline_ended), self);
  g_signal_connect (self->pipeline, "first-frame", G_CALLBACK (on_first_frame), self);
  g_signal_connect (self->pipeline, "silent", G_CALLBACK (on_pipeline_silent), self);
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

/* the transport SETUP gave must be multicast: refused, the pipeline stops
 * at once, before a frame it sent could count as a picture */
static gboolean
transport_ok (GcReceiver *self)
{
  g_autoptr (GError) error = NULL;

  if (self->pipeline == NULL || gc_receiver_pipeline_check_transport (self->pipeline, &error))
    return TRUE;
  if (self->showing != NULL)
    {
      back_to_showing (self, error);
      return FALSE;
    }
  finish_waiters (self, error, -1);
  stop_pipeline (self, FALSE);
  set_state (self, GC_RECEIVER_STATE_ERROR, error->message);
  schedule_retry (self);
  return FALSE;
}

/* ---- the clock ---------------------------------------------------------- */

/* why a stream that RTSP set up shows nothing (gc_receiver_describe_silence) */
static gchar *
nothing_decodes (GcReceiver *self, const GcReceiverTiming *t)
{
  GcReceiverCounters c;

  gc_receiver_stats_get (self->stats, &c);
  return gc_receiver_describe_silence (
    self->url, self->pipeline != NULL ? gc_receiver_pipeline_get_group (self->pipeline) : NULL,
    self->pipeline != NULL ? gc_receiver_pipeline_get_ttl (self->pipeline) : 0,
    t->first_udp == 0 && gc_receiver_url_beyond_subnet (self->url, self->interface),
    t->first_udp != 0, t->first_rtp != 0, c.packets_rejected);
}

/* decides the state from what the pipeline saw */
static void
evaluate (GcReceiver *self, gint64 now)
{
  GcReceiverTiming t = { 0 };
  gint64 last = 0;
  gboolean waiting;

  if (self->url == NULL || !transport_ok (self))
    return;
  if (self->pipeline != NULL)
    {
      gc_receiver_pipeline_get_timing (self->pipeline, &t);
      last = gc_receiver_pipeline_get_last_packet (self->pipeline);
    }
  if (t.first_frame > 0)
    gc_receiver_stats_set_first_frame (self->stats, (t.first_frame - self->connect_time) / 1000.0);
  waiting = self->state == GC_RECEIVER_STATE_CONNECTING || self->state == GC_RECEIVER_STATE_NO_SIGNAL
            || self->state == GC_RECEIVER_STATE_ERROR;
  if (t.first_frame > 0 && waiting && last > 0 && now - last < NO_SIGNAL_US)
    {
      self->ever_played = TRUE;
      self->retry_ms = RETRY_MIN_MS;
      g_clear_handle_id (&self->retry_id, g_source_remove);
      set_state (self, GC_RECEIVER_STATE_PLAYING, NULL);
      finish_waiters (self, NULL, (t.first_frame - self->connect_time) / 1000.0);
    }
  else if (self->state == GC_RECEIVER_STATE_PLAYING && (last == 0 || now - last >= NO_SIGNAL_US))
    {
      set_state (self, GC_RECEIVER_STATE_NO_SIGNAL, NULL);
      schedule_retry (self);
    }
  else if (self->state == GC_RECEIVER_STATE_NO_SIGNAL && self->retry_id == 0
           && now - MAX (last, self->pipeline_time) >= NO_SIGNAL_US)
    schedule_retry (self);
  else if ((self->state == GC_RECEIVER_STATE_CONNECTING || self->state == GC_RECEIVER_STATE_ERROR)
           && self->retry_id == 0 && self->showing == NULL
           && now - self->pipeline_time >= NOTHING_DECODES_US && t.first_frame == 0)
    {
      /* connected but nothing decodes: say why, start over (during a
       * switch the switch's own timeout decides) */
      g_autofree gchar *why = nothing_decodes (self, &t);

      if (g_strcmp0 (why, self->error) != 0)
        g_message ("%s", why);
      set_state (self, GC_RECEIVER_STATE_ERROR, why);
      schedule_retry (self);
    }
}

static gboolean
kernel_groups_changed (GcReceiver *self)
{
  g_auto (GStrv) groups = gc_igmp_read_groups (self->interface);

  if (g_strv_equal ((const gchar * const *) groups, (const gchar * const *) self->kernel_groups))
    return FALSE;
  g_strfreev (self->kernel_groups);
  self->kernel_groups = g_steal_pointer (&groups);
  return TRUE;
}

/* what stopped streams freed goes back to the system once no switch is
 * under way (gc_receiver_give_back_memory) */
static void
trim_when_due (GcReceiver *self, gint64 now)
{
  if (self->trim_due == 0 || now < self->trim_due || self->showing != NULL)
    return;
  self->trim_due = 0;
  gc_receiver_give_back_memory ();
}

static gboolean
tick (gpointer data)
{
  GcReceiver *self = data;
  gint64 now = g_get_monotonic_time ();
  gboolean counters = ++self->ticks % COUNTER_TICKS == 0;
  gboolean groups = FALSE;

  if (counters)
    {
      groups = kernel_groups_changed (self);
      if (self->pipeline != NULL)
        gc_receiver_pipeline_read_stats (self->pipeline, now);
      else
        gc_receiver_stats_update (self->stats, NULL, NULL, now);
    }
  evaluate (self, now);
  trim_when_due (self, now);
  /* an idle receiver's counters stand still; its groups may still change
   * as the kernel leaves them */
  if (counters && (self->url != NULL || groups))
    g_signal_emit (self, signals[SIGNAL_COUNTERS_CHANGED], 0);
  return G_SOURCE_CONTINUE;
}

/* ---- public ------------------------------------------------------------- */

/* the receiver and its display, which it keeps for its whole life */
GcReceiver *
gc_receiver_new (const GcConfig *config, GError **error)
{
  g_autoptr (GcReceiver) self = g_object_new (GC_TYPE_RECEIVER, NULL);
  GcDisplayOptions d = { 0 };

  self->interface = g_strdup (config->interface);
  self->latency_ms = config->latency_ms;
  self->ssm = config->ssm;
  d.sink = config->sink;
  d.audio_sink = config->audio_sink;
  d.output = config->display_output;
  d.windowed = config->windowed;
  d.name = config->name;
  d.address = config->bind_address;
  d.site_text = config->site_text;
  self->display = gc_display_new (&d, error);
  if (self->display == NULL)
    {
      g_prefix_error (error, "display: ");
      return NULL;
    }
  g_signal_connect_object (self->display, "cut", G_CALLBACK (on_cut), self, 0);
  gc_receiver_update_screen (self);
  gc_receiver_pipeline_warm_up ();
  return g_steal_pointer (&self);
}

/* a switch while a picture is on screen: it stays there while the new
 * stream sets up (make-before-break) */
static void
keep_showing (GcReceiver *self)
{
  if (self->showing != NULL)
    {
      /* a switch during a switch: the one on its way goes, the one on
       * screen stays */
      stop (self, g_steal_pointer (&self->pipeline), NULL, FALSE, FALSE);
      return;
    }
  self->showing = g_steal_pointer (&self->pipeline);
  self->showing_stats = g_object_ref (self->stats);
  self->showing_url = g_strdup (self->url);
  self->showing_name = g_strdup (self->source_name);
  self->showing_expected = g_strdup (self->expected);
}

gboolean
gc_receiver_connect (GcReceiver *self, const gchar *url, const gchar *source_name,
                     const gchar *expected_group, GError **error)
{
  g_autoptr (GError) superseded = NULL;

  g_return_val_if_fail (GC_IS_RECEIVER (self), FALSE);

  if (!gc_receiver_check_url (url, error))
    return FALSE;
  if (self->shutting_down)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "the agent is shutting down");
      return FALSE;
    }
  /* on a fallback, a switch to the same source tries its group again */
  if (g_strcmp0 (self->url, url) == 0 && self->transport == GC_TRANSPORT_MULTICAST
      && (self->state == GC_RECEIVER_STATE_PLAYING || self->state == GC_RECEIVER_STATE_CONNECTING)
      && (expected_group == NULL || g_strcmp0 (self->expected, expected_group) == 0))
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
  if (self->pipeline != NULL && (self->state == GC_RECEIVER_STATE_PLAYING || self->showing != NULL))
    keep_showing (self);
  else
    stop (self, g_steal_pointer (&self->pipeline), NULL, g_strcmp0 (self->url, url) == 0, FALSE);
  g_free (self->url);
  self->url = g_strdup (url);
  g_free (self->source_name);
  self->source_name = g_strdup (source_name != NULL ? source_name : "");
  g_free (self->expected);
  self->expected = g_strdup (expected_group);
  self->ever_played = FALSE;
  self->transport = GC_TRANSPORT_MULTICAST;
  g_clear_pointer (&self->fallback_why, g_free);
  self->retry_ms = RETRY_MIN_MS;
  self->connect_time = g_get_monotonic_time ();
  /* counters are per source: a new set, the old one stays with what shows */
  g_clear_object (&self->stats);
  self->stats = gc_receiver_stats_new ();
  set_state (self, GC_RECEIVER_STATE_CONNECTING, NULL);
  start_pipeline (self);
  return TRUE;
}

void
gc_receiver_disconnect (GcReceiver *self)
{
  g_autoptr (GError) err = g_error_new (GC_ERROR, GC_ERROR_REFUSED, "disconnected");

  g_return_if_fail (GC_IS_RECEIVER (self));

  finish_waiters (self, err, -1);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  drop_showing (self, FALSE);
  self->pending_start = FALSE;
  stop_pipeline (self, FALSE);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->expected, g_free);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->fallback_why, g_free);
  self->transport = GC_TRANSPORT_MULTICAST;
  gc_receiver_stats_reset (self->stats);
  set_state (self, GC_RECEIVER_STATE_IDLE, NULL);
}

void
gc_receiver_shutdown (GcReceiver *self)
{
  g_autoptr (GError) err = g_error_new (GC_ERROR, GC_ERROR_FAILED, "the agent is shutting down");

  g_return_if_fail (GC_IS_RECEIVER (self));

  /* at exit: TEARDOWN and leave the groups before returning */
  self->shutting_down = TRUE;
  finish_waiters (self, err, -1);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  drop_showing (self, TRUE);
  stop_pipeline (self, TRUE);
}

/* the source is back (its beacon or mDNS record came again): a receiver
 * waiting to reconnect does it now rather than at its back-off timer.
 * TRUE when a reconnect was started. */
gboolean
gc_receiver_retry_now (GcReceiver *self, const gchar *announced_group)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), FALSE);

  if (self->url == NULL || self->shutting_down || self->retry_id == 0)
    return FALSE;
  /* a signed beacon of the source is as good as its signed request: a
   * source that came back on another group is followed there */
  if (announced_group != NULL && g_strcmp0 (announced_group, self->expected) != 0)
    {
      g_message ("%s now announces group %s", self->url, announced_group);
      g_free (self->expected);
      self->expected = g_strdup (announced_group);
    }
  g_clear_handle_id (&self->retry_id, g_source_remove);
  retry_cb (self);
  return TRUE;
}

/* with a site key it shows only streams encrypted from it (and plain
 * ones with @plain_too), and without one only plain streams; from the
 * next connect on */
void
gc_receiver_set_site_key (GcReceiver *self, GBytes *site_key, gboolean plain_too)
{
  g_return_if_fail (GC_IS_RECEIVER (self));
  g_clear_pointer (&self->site_key, g_bytes_unref);
  self->site_key = site_key != NULL ? g_bytes_ref (site_key) : NULL;
  self->plain_too = plain_too;
}

/* the receiver's name, very large, over whatever it shows */
void
gc_receiver_identify (GcReceiver *self, guint seconds)
{
  g_return_if_fail (GC_IS_RECEIVER (self));
  g_message ("identify for %u s", seconds);
  gc_display_identify (self->display, seconds);
}

/* the name its screens show, after a rename */
void
gc_receiver_set_name (GcReceiver *self, const gchar *name)
{
  g_return_if_fail (GC_IS_RECEIVER (self));
  gc_display_set_name (self->display, name);
}


static gboolean
wait_timeout (gpointer data)
{
  GTask *task = data;
  GcReceiver *self = g_task_get_source_object (task);
  GList *l = g_list_find (self->waiters, task);

  if (l != NULL)
    {
      GcReceiverTiming t = { 0 };
      g_autofree gchar *why = NULL;
      g_autoptr (GError) error = NULL;

      /* and why, by what came: a person acts on a reason, not on a time */
      if (self->pipeline != NULL)
        {
          gc_receiver_pipeline_get_timing (self->pipeline, &t);
          if (t.first_frame == 0)
            why = nothing_decodes (self, &t);
        }
      error = g_error_new (GC_ERROR, GC_ERROR_TIMEOUT, "no picture within %u ms%s%s",
                           GPOINTER_TO_UINT (g_task_get_task_data (task)),
                           why != NULL ? ": " : "", why != NULL ? why : "");

      self->waiters = g_list_delete_link (self->waiters, l);
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
      /* a switch that did not make it: the old picture stays */
      if (self->showing != NULL)
        back_to_showing (self, error);
    }
  return G_SOURCE_REMOVE;
}

/* waits for the first frame of what the receiver was asked to show, at most
 * @timeout_ms; at once when it is playing already (0 ms) */
void
gc_receiver_wait_async (GcReceiver *self, guint timeout_ms, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GSource) timeout = NULL;

  g_return_if_fail (GC_IS_RECEIVER (self));

  g_task_set_source_tag (task, gc_receiver_wait_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (timeout_ms), NULL);
  if (self->state == GC_RECEIVER_STATE_PLAYING)
    {
      gdouble *v = g_new0 (gdouble, 1); /* already showing it */

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

static void
gc_receiver_dispose (GObject *object)
{
  GcReceiver *self = GC_RECEIVER (object);

  gc_receiver_shutdown (self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_object (&self->stats);
  g_clear_object (&self->display);
  G_OBJECT_CLASS (gc_receiver_parent_class)->dispose (object);
}

static void
gc_receiver_finalize (GObject *object)
{
  GcReceiver *self = GC_RECEIVER (object);

  g_free (self->interface);
  g_free (self->error);
  g_free (self->url);
  g_free (self->source_name);
  g_free (self->fallback_why);
  g_free (self->expected);
  g_clear_pointer (&self->site_key, g_bytes_unref);
  g_strfreev (self->kernel_groups);
  G_OBJECT_CLASS (gc_receiver_parent_class)->finalize (object);
}

static void
gc_receiver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GcReceiver *self = GC_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
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

  props[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, GC_TYPE_RECEIVER_STATE,
                                         GC_RECEIVER_STATE_IDLE,
                                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* the counters and kernel groups were read (every 500 ms while there is
   * something to show) */
  signals[SIGNAL_COUNTERS_CHANGED] =
    g_signal_new ("counters-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gc_receiver_init (GcReceiver *self)
{
  self->state = GC_RECEIVER_STATE_IDLE;
  self->error = g_strdup ("");
  self->retry_ms = RETRY_MIN_MS;
  self->stats = gc_receiver_stats_new ();
  self->kernel_groups = g_new0 (gchar *, 1);
  self->tick_id = g_timeout_add (TICK_MS, tick, self);
}
