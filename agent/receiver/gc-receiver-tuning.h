/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what rtspsrc makes, tuned for a switch: its jitter buffers start at
 * once and wait for no packet that was never meant for this receiver; and
 * the memory a board's thousands of streams leave behind goes back.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void gc_receiver_tune_jitterbuffer     (GstElement *jitterbuffer);
void gc_receiver_start_jitterbuffer    (GstElement *jitterbuffer);
void gc_receiver_give_back_memory      (void);

G_END_DECLS
