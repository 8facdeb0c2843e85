/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcHistory"

#include "config.h"

#include "gc-history.h"

/* a ring of the last GC_HISTORY_LENGTH samples; a sparkline draws it */
struct _GcHistory
{
  GObject parent_instance;

  gdouble values[GC_HISTORY_LENGTH];
  guint head; /* index of the oldest sample once the ring is full */
  guint length;
};

G_DEFINE_FINAL_TYPE (GcHistory, gc_history, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gc_history_class_init (GcHistoryClass *klass)
{
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gc_history_init (GcHistory *self)
{
}

GcHistory *
gc_history_new (void)
{
  return g_object_new (GC_TYPE_HISTORY, NULL);
}

void
gc_history_push (GcHistory *self,
                 gdouble    value)
{
  g_return_if_fail (GC_IS_HISTORY (self));

  if (self->length < GC_HISTORY_LENGTH)
    {
      self->values[self->length++] = value;
    }
  else
    {
      self->values[self->head] = value;
      self->head = (self->head + 1) % GC_HISTORY_LENGTH;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
gc_history_clear (GcHistory *self)
{
  g_return_if_fail (GC_IS_HISTORY (self));

  self->head = 0;
  self->length = 0;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

guint
gc_history_get_length (GcHistory *self)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);

  return self->length;
}

/* i = 0 is the oldest sample */
gdouble
gc_history_get (GcHistory *self,
                guint      i)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);
  g_return_val_if_fail (i < self->length, 0);

  return self->values[(self->head + i) % GC_HISTORY_LENGTH];
}

gdouble
gc_history_get_last (GcHistory *self)
{
  g_return_val_if_fail (GC_IS_HISTORY (self), 0);

  if (self->length == 0)
    return 0;
  return gc_history_get (self, self->length - 1);
}

gdouble
gc_history_get_max (GcHistory *self)
{
  gdouble max = 0;

  g_return_val_if_fail (GC_IS_HISTORY (self), 0);

  for (guint i = 0; i < self->length; i++)
    max = MAX (max, self->values[i]);
  return max;
}
