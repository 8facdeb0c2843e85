/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a receive pipeline's sound: the Opus stream rtspsrc gives, decoded
 * (with its in-band FEC and loss concealment), at the display's volume,
 * to the display's sound output. heard only while its stream's picture is
 * the one on screen, so a switch cuts sound and picture together. it
 * measures what it hands the output: capture-to-played latency from the
 * source's NTP-64 stamps, and the level.
 */
#pragma once

#include <gst/gst.h>

#include "gc-display.h"

G_BEGIN_DECLS

/* what the sound did in the last second */
typedef struct
{
  guint64 buffers_played;  /* decoded buffers handed to the output */
  gdouble latency_ms;      /* capture to played, p50 of the last second; -1: unknown */
  gdouble level_db;        /* RMS of the last 100 ms handed out, dBFS; -100: silence or none */
  gint64 first_played;     /* monotonic µs of the first buffer handed out; 0: none */
} GcAudioReadings;

#define GC_TYPE_RECEIVER_AUDIO (gc_receiver_audio_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiverAudio, gc_receiver_audio, GC, RECEIVER_AUDIO, GObject)

GcReceiverAudio *gc_receiver_audio_new        (GcDisplay   *display,
                                               guint        stream);
gboolean         gc_receiver_audio_link       (GcReceiverAudio *self,
                                               GstBin          *pipeline,
                                               GstPad          *pad);
gboolean         gc_receiver_audio_owns       (GcReceiverAudio *self,
                                               GstObject       *object);
void             gc_receiver_audio_read       (GcReceiverAudio *self,
                                               gint64           now_us,
                                               GcAudioReadings *out);

G_END_DECLS
