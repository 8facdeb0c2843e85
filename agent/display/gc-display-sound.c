/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcDisplay"

#include "config.h"

#include "gc-display-sound.h"
#include "gc-ntp.h"

#include <gst/app/gstappsrc.h>
#include <gst/audio/audio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* capture-to-played samples kept: a second of 10 ms frames and more */
#define LATENCY_WINDOW 128
/* the level is the RMS of this much sound */
#define LEVEL_WINDOW_US (100 * 1000)
/* a new stream's sound rises from silence over this many frames (10 ms) */
#define FADE_FRAMES 480
/* and the old one's last sample falls to silence under it over this many
 * (1 ms), so the wave never jumps at the cut */
#define DECLICK_FRAMES 48
#define CHANNELS 2
#define RATE 48000

struct _GcDisplaySound
{
  gchar *sink_word;
  GstElement *pipeline;
  GstElement *src;          /* appsrc */
  GstElement *volume;
  guint bus_watch;
  gboolean broken;          /* the device failed: nothing more is pushed */

  GMutex lock;              /* all below: streaming threads write them */
  guint stream;             /* whose sound was pushed last */
  guint faded;              /* frames of it faded in so far */
  gfloat last[CHANNELS];    /* the last frame pushed */
  FILE *trace;              /* GC_SOUND_TRACE: one line per buffer pushed */
  gdouble latencies[LATENCY_WINDOW];
  gint64 latency_times[LATENCY_WINDOW];
  guint lat_next;
  guint64 played;
  gint64 first_played;
  gdouble level_sum;        /* squares of the samples in this window */
  guint64 level_n;
  gint64 level_started;
  gdouble level_db;         /* the last full window's */
  gint64 level_time;
};

static gchar *
sink_description (const gchar *sink)
{
  /* a small device buffer: 10 ms periods, 40 ms at most */
  if (g_str_equal (sink, "fake"))
    return g_strdup ("fakesink name=sink");
  if (g_str_equal (sink, "pulse"))
    return g_strdup ("pulsesink name=sink");
  if (g_str_has_prefix (sink, "alsa:"))
    return g_strdup_printf ("alsasink name=sink device=\"%s\"", sink + 5);
  return g_strdup ("autoaudiosink name=sink");
}

/* ---- streaming threads ---------------------------------------------------- */

/* what the device holds and has not played yet, in ms */
static gdouble
output_delay_ms (GstPad *pad)
{
  g_autoptr (GstElement) sink = gst_pad_get_parent_element (pad);
  GstAudioRingBuffer *rb;
  gdouble ms = 0;

  /* autoaudiosink: the device sink inside it */
  if (sink != NULL && GST_IS_BIN (sink))
    {
      GstElement *inner = NULL;
      GstIterator *it = gst_bin_iterate_sinks (GST_BIN (sink));
      GValue v = G_VALUE_INIT;

      if (gst_iterator_next (it, &v) == GST_ITERATOR_OK)
        inner = g_value_dup_object (&v);
      g_value_unset (&v);
      gst_iterator_free (it);
      gst_object_replace ((GstObject **) &sink, GST_OBJECT (inner));
      gst_clear_object (&inner);
    }
  if (sink == NULL || !GST_IS_AUDIO_BASE_SINK (sink))
    return 0;
  GST_OBJECT_LOCK (sink);
  rb = GST_AUDIO_BASE_SINK (sink)->ringbuffer;
  if (rb != NULL && gst_audio_ring_buffer_is_acquired (rb) && rb->spec.info.rate > 0)
    ms = gst_audio_ring_buffer_delay (rb) * 1000.0 / rb->spec.info.rate;
  GST_OBJECT_UNLOCK (sink);
  return ms;
}

/* under lock */
static void
add_level (GcDisplaySound *self, GstBuffer *buf, gint64 now)
{
  GstMapInfo map;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  /* F32 interleaved: the output's caps before the device */
  for (gsize i = 0; i + sizeof (gfloat) <= map.size; i += sizeof (gfloat))
    {
      gfloat f;

      memcpy (&f, map.data + i, sizeof f);
      self->level_sum += (gdouble) f * f;
      self->level_n++;
    }
  gst_buffer_unmap (buf, &map);
  if (self->level_started == 0)
    self->level_started = now;
  if (now - self->level_started < LEVEL_WINDOW_US || self->level_n == 0)
    return;
  {
    gdouble rms = sqrt (self->level_sum / self->level_n);

    self->level_db = rms > 1e-5 ? 20 * log10 (rms) : GC_AUDIO_SILENCE_DB;
    self->level_time = now;
  }
  self->level_sum = 0;
  self->level_n = 0;
  self->level_started = now;
}

/* each buffer on its way into the device, after the volume: measured */
static GstPadProbeReturn
on_output (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcDisplaySound *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstReferenceTimestampMeta *meta;
  gint64 now = g_get_monotonic_time ();
  gdouble ms = -1;

  meta = gst_buffer_get_reference_timestamp_meta (buf, gc_ntp_reference_caps ());
  if (meta != NULL && meta->timestamp > 0)
    {
      ms = ((gint64) gc_ntp_now_ns () - (gint64) meta->timestamp) / 1e6 + output_delay_ms (pad);
      if (ms < -1000 || ms > 10000)
        ms = -1;
      else if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
        g_debug ("audio latency %.3f ms", ms);
    }
  g_mutex_lock (&self->lock);
  self->played++;
  if (ms >= 0)
    {
      self->latencies[self->lat_next] = ms;
      self->latency_times[self->lat_next] = now;
      self->lat_next = (self->lat_next + 1) % LATENCY_WINDOW;
    }
  add_level (self, buf, now);
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

/* the device sink, also inside autoaudiosink: it plays what comes as it
 * comes, as the picture does (neither waits on a clock), with small
 * buffers, and never holds the pipeline's state */
static void
on_element_added (GstBin *bin, GstBin *sub, GstElement *element, gpointer data)
{
  if (GST_IS_BASE_SINK (element))
    g_object_set (element, "sync", FALSE, "async", FALSE, NULL);
  if (GST_IS_AUDIO_BASE_SINK (element))
    g_object_set (element, "buffer-time", (gint64) 40000, "latency-time", (gint64) 10000, NULL);
}

/* the first frames of a new stream rise from silence, and at the cut the
 * old stream's last frame (@from, NULL when none) falls to silence over
 * DECLICK_FRAMES under them (F32, interleaved) */
static void
fade_in (GstBuffer *buf, guint *faded, const gfloat *from)
{
  GstMapInfo map;
  gsize frames;

  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE))
    return;
  frames = map.size / (sizeof (gfloat) * CHANNELS);
  for (gsize i = 0; i < frames && *faded < FADE_FRAMES; i++, (*faded)++)
    for (guint c = 0; c < CHANNELS; c++)
      {
        gfloat f;
        gsize at = (i * CHANNELS + c) * sizeof (gfloat);

        memcpy (&f, map.data + at, sizeof f);
        f *= (gfloat) *faded / FADE_FRAMES;
        if (from != NULL && *faded < DECLICK_FRAMES)
          f += from[c] * (gfloat) (DECLICK_FRAMES - *faded) / DECLICK_FRAMES;
        memcpy (map.data + at, &f, sizeof f);
      }
  gst_buffer_unmap (buf, &map);
}

/* the last frame of what goes out, for the next cut; and the trace line:
 * time, stream, a new stream, the jump from the last frame into this
 * buffer and the largest jump within it (channel 0) */
static void
keep_last (GcDisplaySound *self, GstBuffer *buf, gboolean fresh)
{
  GstMapInfo map;
  gsize frames;
  gfloat prev, step_in = 0, step_max = 0;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  frames = map.size / (sizeof (gfloat) * CHANNELS);
  prev = self->last[0];
  for (gsize i = 0; i < frames; i++)
    {
      gfloat f;

      memcpy (&f, map.data + i * CHANNELS * sizeof (gfloat), sizeof f);
      if (i == 0)
        step_in = fabsf (f - prev);
      else
        step_max = MAX (step_max, fabsf (f - prev));
      prev = f;
    }
  if (frames > 0)
    memcpy (self->last, map.data + (frames - 1) * CHANNELS * sizeof (gfloat), sizeof self->last);
  gst_buffer_unmap (buf, &map);
  if (self->trace != NULL)
    fprintf (self->trace, "%" G_GINT64_FORMAT " %u %d %.5f %.5f\n", g_get_monotonic_time (),
             self->stream, fresh, step_in, step_max);
}

/* @stream's decoded sound (F32LE, 48 kHz, stereo), from its streaming
 * thread; the caller pushes only the stream on screen */
void
gc_display_sound_play (GcDisplaySound *sound, guint stream, GstBuffer *buffer)
{
  GstBuffer *out;
  gboolean fresh;
  gfloat from_frame[CHANNELS] = { 0 };
  const gfloat *from = NULL;

  if (sound == NULL || sound->broken)
    return;
  g_mutex_lock (&sound->lock);
  fresh = sound->stream != stream;
  if (fresh)
    {
      /* from the old stream's last frame, when one played */
      from = sound->stream != 0 ? from_frame : NULL;
      memcpy (from_frame, sound->last, sizeof from_frame);
      sound->stream = stream;
      sound->faded = 0;
      sound->first_played = g_get_monotonic_time ();
    }
  if (sound->faded < FADE_FRAMES)
    {
      out = gst_buffer_copy_deep (buffer);
      fade_in (out, &sound->faded, from);
    }
  else
    out = gst_buffer_copy (buffer);
  keep_last (sound, out, fresh);
  g_mutex_unlock (&sound->lock);
  /* the output's own time: appsrc stamps it as it comes */
  GST_BUFFER_PTS (out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (out) = GST_CLOCK_TIME_NONE;
  if (fresh)
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
  gst_app_src_push_buffer (GST_APP_SRC (sound->src), out);
}

/* ---- main loop ------------------------------------------------------------ */

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  GcDisplaySound *self = data;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *debug = NULL;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ERROR || self->broken)
    return G_SOURCE_CONTINUE;
  gst_message_parse_error (msg, &err, &debug);
  /* the picture is another pipeline: it goes on */
  self->broken = TRUE;
  g_message ("sound stopped (%s: %s); the picture goes on", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
             err->message);
  return G_SOURCE_CONTINUE;
}

/* the output for @sink (auto, pulse, alsa:DEVICE, fake), started; NULL for
 * "none" */
GcDisplaySound *
gc_display_sound_new (const gchar *sink)
{
  GcDisplaySound *self;
  g_autofree gchar *out = NULL;
  g_autofree gchar *desc = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) device = NULL;
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstBus) bus = NULL;

  if (sink == NULL || g_str_equal (sink, "none"))
    return NULL;
  self = g_new0 (GcDisplaySound, 1);
  g_mutex_init (&self->lock);
  self->level_db = GC_AUDIO_SILENCE_DB;
  self->sink_word = g_strdup (sink);
  if (g_getenv ("GC_SOUND_TRACE") != NULL && *g_getenv ("GC_SOUND_TRACE") != '\0')
    {
      self->trace = fopen (g_getenv ("GC_SOUND_TRACE"), "a");
      if (self->trace != NULL)
        setvbuf (self->trace, NULL, _IOLBF, 0);
    }
  out = sink_description (sink);
  desc = g_strdup_printf ("appsrc name=src is-live=true format=time do-timestamp=true "
                          "max-bytes=96000 leaky-type=downstream "
                          "caps=audio/x-raw,format=F32LE,rate=%d,channels=%d,layout=interleaved "
                          "! volume name=volume ! %s",
                          RATE, CHANNELS, out);
  self->pipeline = gst_parse_launch (desc, &error);
  if (self->pipeline == NULL || error != NULL)
    {
      g_message ("no sound: %s", error != NULL ? error->message : "cannot build the output");
      self->broken = TRUE;
      return self;
    }
  gst_object_ref_sink (self->pipeline);
  g_signal_connect (self->pipeline, "deep-element-added", G_CALLBACK (on_element_added), NULL);
  self->src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
  self->volume = gst_bin_get_by_name (GST_BIN (self->pipeline), "volume");
  device = gst_bin_get_by_name (GST_BIN (self->pipeline), "sink");
  on_element_added (NULL, NULL, device, NULL);
  pad = gst_element_get_static_pad (device, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_output, self, NULL);
  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus, self);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_debug ("sound output: set_state PLAYING failed at once; the bus says why");
  return self;
}

void
gc_display_sound_free (GcDisplaySound *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  gst_clear_object (&self->src);
  gst_clear_object (&self->volume);
  gst_clear_object (&self->pipeline);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->trace, fclose);
  g_free (self->sink_word);
  g_free (self);
}

const gchar *
gc_display_sound_get_sink (GcDisplaySound *self)
{
  return self != NULL ? self->sink_word : "none";
}

/* 1.0 is the sound as sent, up to 1.5 */
void
gc_display_sound_set_volume (GcDisplaySound *self, gdouble volume, gboolean muted)
{
  if (self != NULL && self->volume != NULL)
    g_object_set (self->volume, "volume", volume, "mute", muted, NULL);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

/* the last second's readings while @stream is the one heard; none else */
void
gc_display_sound_read (GcDisplaySound *self, guint stream, gint64 now_us, GcAudioReadings *out)
{
  gdouble samples[LATENCY_WINDOW];
  guint n = 0;

  *out = (GcAudioReadings) { 0, -1, GC_AUDIO_SILENCE_DB, 0 };
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  if (stream == 0 || self->stream != stream)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  for (guint i = 0; i < LATENCY_WINDOW; i++)
    if (self->latency_times[i] > 0 && now_us - self->latency_times[i] <= G_USEC_PER_SEC)
      samples[n++] = self->latencies[i];
  out->buffers_played = self->played;
  out->first_played = self->first_played;
  /* a level older than a second is of sound that stopped */
  out->level_db = self->level_time > 0 && now_us - self->level_time <= G_USEC_PER_SEC
                  ? self->level_db : GC_AUDIO_SILENCE_DB;
  g_mutex_unlock (&self->lock);
  if (n > 0)
    {
      qsort (samples, n, sizeof samples[0], compare_doubles);
      out->latency_ms = samples[n / 2];
    }
}
