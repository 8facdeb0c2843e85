/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source-pacer.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

GST_DEBUG_CATEGORY_STATIC (gc_source_pacer_debug);
#define GST_CAT_DEFAULT gc_source_pacer_debug

struct _GcSourcePacer
{
  GObject parent_instance;

  GstElement *sink;          /* held: the converted frames come here */
  GstElement *src;           /* held: the paced ones go on from here */
  guint framerate;
  gint64 period;             /* µs */

  GMutex lock;               /* all below */
  GCond cond;
  GstBuffer *latest;         /* the last frame that came */
  gboolean fresh;            /* ... and it was not sent yet */
  GstCaps *caps;             /* the frames', with the configured rate */
  gint64 last_push;          /* monotonic µs */
  gint64 last_fresh;         /* when a new frame was last sent */
  gboolean running;
  GThread *thread;
};

G_DEFINE_FINAL_TYPE (GcSourcePacer, gc_source_pacer, G_TYPE_OBJECT)

/* streaming thread: a new converted frame */
static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer data)
{
  GcSourcePacer *self = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = sample != NULL ? gst_sample_get_buffer (sample) : NULL;

  if (buf == NULL)
    return GST_FLOW_OK;
  g_mutex_lock (&self->lock);
  if (self->caps == NULL && gst_sample_get_caps (sample) != NULL)
    {
      self->caps = gst_caps_copy (gst_sample_get_caps (sample));
      gst_caps_set_simple (self->caps, "framerate", GST_TYPE_FRACTION, self->framerate, 1, NULL);
    }
  gst_buffer_replace (&self->latest, buf);
  self->fresh = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  return GST_FLOW_OK;
}

/* with the lock; drops it while pushing */
static void
push_latest (GcSourcePacer *self, gint64 now)
{
  /* a shallow copy: the pixels are shared, the time stamps are the push's */
  GstBuffer *out = gst_buffer_copy (self->latest);
  GstCaps *caps = g_steal_pointer (&self->caps);

  if (self->fresh)
    self->last_fresh = now;
  self->fresh = FALSE;
  self->last_push = now;
  g_mutex_unlock (&self->lock);
  if (caps != NULL)
    {
      gst_app_src_set_caps (GST_APP_SRC (self->src), caps);
      gst_caps_unref (caps);
    }
  GST_BUFFER_PTS (out) = GST_BUFFER_DTS (out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (out) = self->period * GST_USECOND;
  /* not flowing (stopping, flushing) is no concern of ours */
  gst_app_src_push_buffer (GST_APP_SRC (self->src), out);
  g_mutex_lock (&self->lock);
}

static gpointer
pace_thread (gpointer data)
{
  GcSourcePacer *self = data;

  g_mutex_lock (&self->lock);
  while (self->running)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 repeat_due = self->last_push + self->period;
      /* a new picture goes at once, unless one went less than a frame ago:
       * the rate holds for fast damage (60 Hz) too */
      gint64 fresh_due = self->last_fresh + self->period * 95 / 100;

      if (self->latest == NULL)
        g_cond_wait (&self->cond, &self->lock);
      else if ((self->fresh && now >= fresh_due) || now >= repeat_due)
        push_latest (self, now);
      else
        g_cond_wait_until (&self->cond, &self->lock,
                           self->fresh ? MIN (fresh_due, repeat_due) : repeat_due);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* paces frames from @appsink to @appsrc at @framerate, until stopped */
GcSourcePacer *
gc_source_pacer_new (GstElement *appsink, GstElement *appsrc, guint framerate)
{
  GcSourcePacer *self = g_object_new (GC_TYPE_SOURCE_PACER, NULL);
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };

  g_return_val_if_fail (GST_IS_APP_SINK (appsink), self);
  g_return_val_if_fail (GST_IS_APP_SRC (appsrc), self);

  self->sink = gst_object_ref (appsink);
  self->src = gst_object_ref (appsrc);
  self->framerate = MAX (1u, framerate);
  self->period = G_USEC_PER_SEC / self->framerate;
  gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks, g_object_ref (self),
                              g_object_unref);
  self->running = TRUE;
  self->thread = g_thread_new ("gc-pacer", pace_thread, self);
  return self;
}

void
gc_source_pacer_stop (GcSourcePacer *self)
{
  g_return_if_fail (GC_IS_SOURCE_PACER (self));

  if (self->thread == NULL)
    return;
  /* the appsink's hold on us goes with its callbacks */
  {
    GstAppSinkCallbacks none = { 0 };

    gst_app_sink_set_callbacks (GST_APP_SINK (self->sink), &none, NULL, NULL);
  }
  g_mutex_lock (&self->lock);
  self->running = FALSE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (g_steal_pointer (&self->thread));
}

static void
gc_source_pacer_dispose (GObject *object)
{
  GcSourcePacer *self = GC_SOURCE_PACER (object);

  gc_source_pacer_stop (self);
  gst_clear_object (&self->sink);
  gst_clear_object (&self->src);
  gst_clear_buffer (&self->latest);
  gst_clear_caps (&self->caps);
  G_OBJECT_CLASS (gc_source_pacer_parent_class)->dispose (object);
}

static void
gc_source_pacer_finalize (GObject *object)
{
  GcSourcePacer *self = GC_SOURCE_PACER (object);

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (gc_source_pacer_parent_class)->finalize (object);
}

static void
gc_source_pacer_class_init (GcSourcePacerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_source_pacer_dispose;
  object_class->finalize = gc_source_pacer_finalize;
  GST_DEBUG_CATEGORY_INIT (gc_source_pacer_debug, "gcpacer", 0, "Groupcast frame pacing");
}

static void
gc_source_pacer_init (GcSourcePacer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}
