/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the display's sound output, for the agent's whole life, as its picture
 * output is: appsrc → volume → the sound device, opened once. the stream
 * shown pushes its decoded sound here; a switch changes what is pushed,
 * never the device (an ALSA device a board opens directly can be open
 * once only). the first 10 ms of a new stream fade in, so a cut makes no
 * click. it measures what it plays: capture-to-played latency from the
 * source's NTP-64 stamps, and the level.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* what the sound did in the last second */
typedef struct
{
  guint64 buffers_played;  /* buffers handed to the device */
  gdouble latency_ms;      /* capture to played, p50 of the last second; -1: unknown */
  gdouble level_db;        /* RMS of the last 100 ms played, dBFS; -100: silence or none */
  gint64 first_played;     /* monotonic µs of the first buffer of the current stream; 0 */
} GcAudioReadings;

#define GC_AUDIO_SILENCE_DB -100.0

typedef struct _GcDisplaySound GcDisplaySound;

GcDisplaySound *gc_display_sound_new        (const gchar *sink);
void            gc_display_sound_free       (GcDisplaySound *sound);
const gchar    *gc_display_sound_get_sink   (GcDisplaySound *sound);
void            gc_display_sound_set_volume (GcDisplaySound *sound,
                                             gdouble         volume,
                                             gboolean        muted);
void            gc_display_sound_play       (GcDisplaySound *sound,
                                             guint           stream,
                                             GstBuffer      *buffer);
void            gc_display_sound_read       (GcDisplaySound  *sound,
                                             guint            stream,
                                             gint64           now_us,
                                             GcAudioReadings *out);

G_END_DECLS
