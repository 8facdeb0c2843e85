/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-rate.h"

void
gc_rate_reset (GcRate *rate)
{
  g_return_if_fail (rate != NULL);
  rate->base = 0;
  rate->base_time = 0;
  rate->rate = 0;
}

/* feeds the running @total read at @now_us. returns TRUE when a window
 * closed and rate->rate is new. a total that went backwards (its counter
 * restarted) starts a new window without a rate. */
gboolean
gc_rate_update (GcRate *rate, guint64 total, gint64 now_us)
{
  gint64 dt;

  g_return_val_if_fail (rate != NULL, FALSE);

  if (rate->base_time == 0 || total < rate->base || now_us < rate->base_time)
    {
      rate->base = total;
      rate->base_time = now_us;
      return FALSE;
    }
  dt = now_us - rate->base_time;
  if (dt < GC_RATE_WINDOW_US)
    return FALSE;
  rate->rate = (gdouble) (total - rate->base) * G_USEC_PER_SEC / dt;
  rate->base = total;
  rate->base_time = now_us;
  return TRUE;
}
