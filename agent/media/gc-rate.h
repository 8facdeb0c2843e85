/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a rate from a running total: bits or packets per second over the last
 * window of at least GC_RATE_WINDOW_US, as the counters tick. plain data,
 * no clock of its own: the caller passes the time of each reading.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a little under a second, so a once-a-second tick always closes a window */
#define GC_RATE_WINDOW_US (900 * G_GINT64_CONSTANT (1000))

typedef struct
{
  guint64 base;       /* the total at the start of the window */
  gint64 base_time;   /* monotonic µs; 0 before the first reading */
  gdouble rate;       /* per second, over the last closed window */
} GcRate;

void     gc_rate_reset  (GcRate *rate);
gboolean gc_rate_update (GcRate  *rate,
                         guint64  total,
                         gint64   now_us);

G_END_DECLS
