/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * lip sync: decoded frames held back until their time, in order, on a
 * thread of their own, then handed on. the display decides each frame's
 * time (its capture stamp plus the sound's latency); this only keeps it.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _GcDisplayHold GcDisplayHold;

/* called on the hold's thread when a frame's time has come */
typedef void (*GcDisplayHoldFunc) (guint stream, GstSample *sample, gpointer data);

GcDisplayHold *gc_display_hold_new   (GcDisplayHoldFunc func,
                                      gpointer          data);
/* stops the thread; frames still held are dropped */
void           gc_display_hold_free  (GcDisplayHold    *self);
/* takes @sample until @due_us (monotonic), after those held before it. FALSE
 * when nothing is held and @due_us has come: the caller hands it on itself */
gboolean       gc_display_hold_push  (GcDisplayHold    *self,
                                      guint             stream,
                                      GstSample        *sample,
                                      gint64            due_us);

G_END_DECLS
