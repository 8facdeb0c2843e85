/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcHistory"

#include "config.h"

#include "gc-history.h"

/* the most samples kept, whatever their times: 20 a second for a minute,
 * ten times what the agent sends, so a flood of updates stays bounded */
#define MAX_SAMPLES 1200

typedef struct
{
  gint64 time;   /* monotonic, µs */
  gdouble value;
} Sample;

/* the samples of the last GC_HISTORY_SPAN, oldest first; a sparkline draws
 * it. a value holds until the next sample, as a D-Bus property does */
struct _GcHistory
{
  GObject parent_instance;

  GArray *samples; /* of Sample */
};

G_DEFINE_FINAL_TYPE (GcHistory, gc_history, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gc_history_finalize (GObject *object)
{
  GcHistory *self = GC_HISTORY (object);

  g_clear_pointer (&self->samples, g_array_unref);
  G_OBJECT_CLASS (gc_history_parent_class)->finalize (object);
}

static void
gc_history_class_init (GcHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gc_history_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gc_history_init (GcHistory *self)
{
  self->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
}

GcHistory *
gc_history_new (void)
{
  return g_object_new (GC_TYPE_HISTORY, NULL);
}

static Sample *
sample_at (GcHistory *self,
           guint      i)
{
  return &g_array_index (self->samples, Sample, i);
}

/* a sample taken now */
void
gc_history_push (GcHistory *self,
                 gdouble    value)
{
  g_return_if_fail (GC_IS_HISTORY (self));

  gc_history_push_at (self, g_get_monotonic_time (), value);
}

/* a sample taken at time (monotonic µs); one older than the newest is
 * taken as of the newest's time, so the samples stay in order */
void
gc_history_push_at (GcHistory *self,
                    gint64     time,
                    gdouble    value)
{
  Sample sample = { time, value };
  guint drop = 0;

  g_return_if_fail (GC_IS_HISTORY (self));

  if (self->samples->len > 0)
    sample.time = MAX (time, gc_history_get_last_time (self));
  g_array_append_val (self->samples, sample);

  /* keep the newest sample from before the span too: its value holds at
   * the span's start */
  while (drop + 1 < self->samples->len
         && sample_at (self, drop + 1)->time <= sample.time - GC_HISTORY_SPAN)
    drop++;
  drop = MAX (drop, self->samples->len > MAX_SAMPLES ? self->samples->len - MAX_SAMPLES : 0);
  if (drop > 0)
    g_array_remove_range (self->samples, 0, drop);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
gc_history_clear (GcHistory *self)
{
  g_return_if_fail (GC_IS_HISTORY (self));

  g_array_set_size (self->samples, 0);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

guint
gc_history_get_length (GcHistory *self)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);

  return self->samples->len;
}

/* i = 0 is the oldest sample */
gdouble
gc_history_get (GcHistory *self,
                guint      i)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);
  g_return_val_if_fail (i < self->samples->len, 0);

  return sample_at (self, i)->value;
}

gint64
gc_history_get_time (GcHistory *self,
                     guint      i)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);
  g_return_val_if_fail (i < self->samples->len, 0);

  return sample_at (self, i)->time;
}

/* the highest value that held in (from, to]: the one holding at from, and
 * those of the samples taken after it; FALSE when no sample was taken by
 * to */
gboolean
gc_history_get_peak (GcHistory *self,
                     gint64     from,
                     gint64     to,
                     gdouble   *value)
{
  gboolean found = FALSE;
  gdouble peak = 0;

  g_return_val_if_fail (GC_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  for (guint i = self->samples->len; i > 0; i--)
    {
      Sample *sample = sample_at (self, i - 1);

      if (sample->time > to)
        continue;
      peak = found ? MAX (peak, sample->value) : sample->value;
      found = TRUE;
      /* the sample holding at from is the last one that counts */
      if (sample->time <= from)
        break;
    }
  if (found)
    *value = peak;
  return found;
}

gdouble
gc_history_get_last (GcHistory *self)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);

  if (self->samples->len == 0)
    return 0;
  return sample_at (self, self->samples->len - 1)->value;
}

gint64
gc_history_get_last_time (GcHistory *self)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);

  if (self->samples->len == 0)
    return 0;
  return sample_at (self, self->samples->len - 1)->time;
}

gdouble
gc_history_get_max (GcHistory *self)
{
  gdouble max = 0;

  g_return_val_if_fail (GC_IS_HISTORY (self), 0);

  for (guint i = 0; i < self->samples->len; i++)
    max = MAX (max, sample_at (self, i)->value);
  return max;
}
