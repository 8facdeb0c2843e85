/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * frame pacing for damage-driven captures (the portal's PipeWire stream):
 * converted frames come in on an appsink whenever the screen changed; the
 * pacer sends each on at once to an appsrc, at most one a frame time, and
 * the last one again when a frame time passed without a new one. so the
 * encoder gets the configured rate, a key frame on PLAY comes within a
 * frame, a new picture waits for nothing, and a still screen is converted
 * once, not thirty times a second.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GC_TYPE_SOURCE_PACER (gc_source_pacer_get_type ())
G_DECLARE_FINAL_TYPE (GcSourcePacer, gc_source_pacer, GC, SOURCE_PACER, GObject)

GcSourcePacer *gc_source_pacer_new  (GstElement *appsink,
                                     GstElement *appsrc,
                                     guint framerate);
void           gc_source_pacer_stop (GcSourcePacer *self);

G_END_DECLS
