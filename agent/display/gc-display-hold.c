/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcDisplay"

#include "config.h"

#include "gc-display-hold.h"

/* at most this many frames wait (5 s of them at 30 fps would be a bug) */
#define MAX_HELD 150

typedef struct
{
  guint stream;
  GstSample *sample;
  gint64 due;
} Held;

struct _GcDisplayHold
{
  GcDisplayHoldFunc func;
  gpointer data;
  GThread *thread;
  GMutex lock;
  GCond cond;
  GQueue queue;     /* Held, in order of due */
  gboolean stop;
};

static void
held_free (Held *h)
{
  gst_sample_unref (h->sample);
  g_free (h);
}

static gpointer
run (gpointer data)
{
  GcDisplayHold *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stop)
    {
      Held *h = g_queue_peek_head (&self->queue);

      if (h == NULL)
        {
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }
      if (g_get_monotonic_time () < h->due)
        {
          g_cond_wait_until (&self->cond, &self->lock, h->due);
          continue;
        }
      g_queue_pop_head (&self->queue);
      /* handed on outside the lock: the display takes its own */
      g_mutex_unlock (&self->lock);
      self->func (h->stream, h->sample, self->data);
      held_free (h);
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

GcDisplayHold *
gc_display_hold_new (GcDisplayHoldFunc func, gpointer data)
{
  GcDisplayHold *self = g_new0 (GcDisplayHold, 1);

  self->func = func;
  self->data = data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
  self->thread = g_thread_new ("gc-lip-sync", run, self);
  return self;
}

void
gc_display_hold_free (GcDisplayHold *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_queue_clear_full (&self->queue, (GDestroyNotify) held_free);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

gboolean
gc_display_hold_push (GcDisplayHold *self, guint stream, GstSample *sample, gint64 due_us)
{
  Held *tail, *h;

  g_mutex_lock (&self->lock);
  tail = g_queue_peek_tail (&self->queue);
  if (tail == NULL && due_us <= g_get_monotonic_time ())
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  /* order is kept: never before a frame held already */
  h = g_new0 (Held, 1);
  h->stream = stream;
  h->sample = gst_sample_ref (sample);
  h->due = tail != NULL ? MAX (due_us, tail->due) : due_us;
  g_queue_push_tail (&self->queue, h);
  /* a backlog means a time went wrong: the oldest are dropped (the thread
   * takes a frame out of the queue before it hands it on) */
  while (g_queue_get_length (&self->queue) > MAX_HELD)
    held_free (g_queue_pop_head (&self->queue));
  if (g_queue_get_length (&self->queue) == 1)
    g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  return TRUE;
}
