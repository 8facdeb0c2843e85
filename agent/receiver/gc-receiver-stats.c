/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-stats.h"
#include "gc-rate.h"

#include <string.h>

/* capture-to-decode samples kept: two seconds of 30 fps */
#define LATENCY_WINDOW 64

struct _GcReceiverStats
{
  GObject parent_instance;

  GcReceiverCounters counters;
  GcReceiverCounters base;  /* totals of earlier pipelines for this URL */
  GcReceiverCounters pipe;  /* the current pipeline's own */
  GcRate octets;

  guint64 frames;           /* atomic: written by the streaming thread */
  GMutex lat_lock;          /* the ring, also written by the streaming thread */
  gdouble latencies[LATENCY_WINDOW];
  gint64 latency_times[LATENCY_WINDOW];
  guint lat_next;
};

G_DEFINE_FINAL_TYPE (GcReceiverStats, gc_receiver_stats, G_TYPE_OBJECT)

GcReceiverStats *
gc_receiver_stats_new (void)
{
  return g_object_new (GC_TYPE_RECEIVER_STATS, NULL);
}

/* a new URL: everything from zero */
void
gc_receiver_stats_reset (GcReceiverStats *self)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));

  memset (&self->counters, 0, sizeof self->counters);
  memset (&self->base, 0, sizeof self->base);
  memset (&self->pipe, 0, sizeof self->pipe);
  self->counters.first_frame_ms = -1;
  self->counters.latency_ms = -1;
  self->counters.switch_gap_ms = -1;
  self->counters.audio_latency_ms = -1;
  self->counters.audio_level_db = -100;
  gc_rate_reset (&self->octets);
  __atomic_store_n (&self->frames, 0, __ATOMIC_RELAXED);
  g_mutex_lock (&self->lat_lock);
  memset (self->latency_times, 0, sizeof self->latency_times);
  g_mutex_unlock (&self->lat_lock);
}

/* a pipeline ended: a reconnect keeps counting, so its counts go into the
 * base the next pipeline's add to */
void
gc_receiver_stats_end_pipeline (GcReceiverStats *self)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));

  self->base.packets_received += self->pipe.packets_received;
  self->base.packets_lost += self->pipe.packets_lost;
  self->base.packets_late += self->pipe.packets_late;
  self->base.duplicates += self->pipe.duplicates;
  self->base.packets_rejected += self->pipe.packets_rejected;
  self->base.kernel_drops += self->pipe.kernel_drops;
  self->base.frames_damaged += self->pipe.frames_damaged;
  self->base.packets_recovered += self->pipe.packets_recovered;
  self->base.audio_packets_received += self->pipe.audio_packets_received;
  self->base.audio_packets_lost += self->pipe.audio_packets_lost;
  memset (&self->pipe, 0, sizeof self->pipe);
  gc_rate_reset (&self->octets);
}

/* one decoded frame; from the streaming thread */
void
gc_receiver_stats_add_frame (GcReceiverStats *self, gboolean have_latency, gdouble latency_ms,
                             gint64 now_us)
{
  __atomic_add_fetch (&self->frames, 1, __ATOMIC_RELAXED);
  if (!have_latency)
    return;
  g_mutex_lock (&self->lat_lock);
  self->latencies[self->lat_next] = latency_ms;
  self->latency_times[self->lat_next] = now_us;
  self->lat_next = (self->lat_next + 1) % LATENCY_WINDOW;
  g_mutex_unlock (&self->lat_lock);
}

void
gc_receiver_stats_set_first_frame (GcReceiverStats *self, gdouble ms)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));

  if (self->counters.first_frame_ms < 0)
    self->counters.first_frame_ms = ms;
}

/* a count the current pipeline keeps (@pipe), on top of the earlier
 * pipelines' (@base): what the counters say */
static void
set_total (guint64 *pipe, guint64 base, guint64 *counter, guint64 pipeline_total)
{
  *pipe = pipeline_total;
  *counter = base + pipeline_total;
}

/* the current pipeline's count of rejected SRTP packets so far */
void
gc_receiver_stats_set_rejected (GcReceiverStats *self, guint64 pipeline_total)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));
  set_total (&self->pipe.packets_rejected, self->base.packets_rejected,
             &self->counters.packets_rejected, pipeline_total);
}

/* the current pipeline's sockets' drops by the kernel so far */
void
gc_receiver_stats_set_kernel_drops (GcReceiverStats *self, guint64 pipeline_total)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));
  set_total (&self->pipe.kernel_drops, self->base.kernel_drops, &self->counters.kernel_drops,
             pipeline_total);
}

/* the current pipeline's frames not shown for missing data */
void
gc_receiver_stats_set_frames_damaged (GcReceiverStats *self, guint64 pipeline_total)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));
  set_total (&self->pipe.frames_damaged, self->base.frames_damaged,
             &self->counters.frames_damaged, pipeline_total);
}

/* the current pipeline's picture packets rebuilt from FEC */
void
gc_receiver_stats_set_packets_recovered (GcReceiverStats *self, guint64 pipeline_total)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));
  set_total (&self->pipe.packets_recovered, self->base.packets_recovered,
             &self->counters.packets_recovered, pipeline_total);
}

/* the display cut to this URL's stream @ms after the last frame of what
 * was shown before */
void
gc_receiver_stats_set_switch_gap (GcReceiverStats *self, gdouble ms)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));
  self->counters.switch_gap_ms = ms;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

/* p50 of the capture-to-decode samples of the last second; -1 if none */
static gdouble
latency_p50 (GcReceiverStats *self, gint64 now_us)
{
  gdouble samples[LATENCY_WINDOW];
  guint n = 0;

  g_mutex_lock (&self->lat_lock);
  for (guint i = 0; i < LATENCY_WINDOW; i++)
    if (self->latency_times[i] > 0 && now_us - self->latency_times[i] < G_USEC_PER_SEC)
      samples[n++] = self->latencies[i];
  g_mutex_unlock (&self->lat_lock);
  if (n == 0)
    return -1;
  qsort (samples, n, sizeof samples[0], compare_doubles);
  return samples[n / 2];
}

/* a reading of the pipeline: its jitter buffer's stats and the session's
 * entry for the remote sender (each NULL when the pipeline has none yet) */
void
gc_receiver_stats_update (GcReceiverStats *self, const GcJitterStats *jitterbuffer,
                          const GcRtpSourceStats *sender, gint64 now_us)
{
  GcReceiverCounters *c = &self->counters;

  g_return_if_fail (GC_IS_RECEIVER_STATS (self));

  c->frames_decoded = __atomic_load_n (&self->frames, __ATOMIC_RELAXED);
  c->latency_ms = latency_p50 (self, now_us);
  if (jitterbuffer != NULL)
    {
      self->pipe.packets_late = jitterbuffer->late;
      self->pipe.duplicates = jitterbuffer->duplicates;
      c->packets_late = self->base.packets_late + jitterbuffer->late;
      c->duplicates = self->base.duplicates + jitterbuffer->duplicates;
    }
  if (sender != NULL)
    {
      self->pipe.packets_received = sender->packets_received;
      self->pipe.packets_lost = sender->packets_lost;
      c->packets_received = self->base.packets_received + sender->packets_received;
      c->packets_lost = self->base.packets_lost + sender->packets_lost;
      c->jitter_ms = sender->jitter_ms;
      if (gc_rate_update (&self->octets, sender->octets_received, now_us))
        c->bitrate = (guint64) (self->octets.rate * 8);
    }
}

/* a reading of the sound: its session's entry for the sender (NULL: none
 * yet), its latency and level (gc_receiver_audio_read), and how long the
 * display holds the picture back for it (lip sync); after _update, whose
 * picture latency the sync is measured against */
void
gc_receiver_stats_update_audio (GcReceiverStats *self, const GcRtpSourceStats *sender,
                                gdouble latency_ms, gdouble level_db, gdouble hold_ms)
{
  GcReceiverCounters *c = &self->counters;

  g_return_if_fail (GC_IS_RECEIVER_STATS (self));

  if (sender != NULL)
    {
      self->pipe.audio_packets_received = sender->packets_received;
      self->pipe.audio_packets_lost = sender->packets_lost;
    }
  c->audio_packets_received = self->base.audio_packets_received
                              + self->pipe.audio_packets_received;
  c->audio_packets_lost = self->base.audio_packets_lost + self->pipe.audio_packets_lost;
  c->audio_latency_ms = latency_ms;
  c->audio_level_db = level_db;
  /* both stamps are the source's clock: the difference needs no clock
   * agreement between the hosts */
  c->av_sync_ms = latency_ms >= 0 && c->latency_ms >= 0 ? latency_ms - (c->latency_ms + hold_ms)
                                                        : 0;
}

/* the remote sender's entry of an rtpsession element's statistics, if
 * any: the picture's (@audio FALSE: not the sound's SSRC) or the sound's */
gboolean
gc_receiver_stats_read_sender (GstElement *rtpsession, guint clock_rate, gint64 audio_ssrc,
                               gboolean audio, GcRtpSourceStats *sender)
{
  g_autoptr (GObject) session = NULL;
  g_autoptr (GstStructure) stats = NULL;
  g_autoptr (GArray) sources = NULL;

  g_object_get (rtpsession, "internal-session", &session, NULL);
  if (session != NULL)
    g_object_get (session, "stats", &stats, NULL);
  sources = gc_rtp_stats_read_session (stats, clock_rate);
  for (guint i = 0; i < sources->len; i++)
    {
      GcRtpSourceStats *s = &g_array_index (sources, GcRtpSourceStats, i);

      if (s->internal || !s->is_sender || audio != ((gint64) s->ssrc == audio_ssrc))
        continue;
      gc_rtp_source_stats_clear (sender);
      *sender = *s;
      s->rtcp_from = NULL; /* moved */
      return TRUE;
    }
  return FALSE;
}

void
gc_receiver_stats_get (GcReceiverStats *self, GcReceiverCounters *out)
{
  g_return_if_fail (GC_IS_RECEIVER_STATS (self));
  g_return_if_fail (out != NULL);
  *out = self->counters;
}

static void
gc_receiver_stats_finalize (GObject *object)
{
  GcReceiverStats *self = GC_RECEIVER_STATS (object);

  g_mutex_clear (&self->lat_lock);
  G_OBJECT_CLASS (gc_receiver_stats_parent_class)->finalize (object);
}

static void
gc_receiver_stats_class_init (GcReceiverStatsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gc_receiver_stats_finalize;
}

static void
gc_receiver_stats_init (GcReceiverStats *self)
{
  g_mutex_init (&self->lat_lock);
  gc_receiver_stats_reset (self);
}
