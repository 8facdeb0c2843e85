/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-audio.h"
#include "gc-ntp.h"

#include <gst/audio/audio.h>
#include <math.h>
#include <string.h>

/* capture-to-played samples kept: a second of 10 ms frames and more */
#define LATENCY_WINDOW 128
/* the level is the RMS of this much sound */
#define LEVEL_WINDOW_US (100 * 1000)
#define SILENCE_DB -100.0

struct _GcReceiverAudio
{
  GObject parent_instance;

  GstElement *bin;          /* depayloader to sink; in the pipeline once linked */
  GstElement *volume;
  GcDisplay *display;
  guint stream;             /* heard while this stream is the one shown */

  GMutex lock;              /* what the streaming thread writes */
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

G_DEFINE_FINAL_TYPE (GcReceiverAudio, gc_receiver_audio, G_TYPE_OBJECT)

static gchar *
sink_description (const gchar *sink)
{
  /* a small device buffer: 10 ms periods, 40 ms at most */
  if (g_str_equal (sink, "fake"))
    return g_strdup ("fakesink name=gcaudiosink");
  if (g_str_equal (sink, "pulse"))
    return g_strdup ("pulsesink name=gcaudiosink buffer-time=40000 latency-time=10000");
  if (g_str_has_prefix (sink, "alsa:"))
    return g_strdup_printf ("alsasink name=gcaudiosink device=\"%s\" buffer-time=40000 "
                            "latency-time=10000", sink + 5);
  return g_strdup ("autoaudiosink name=gcaudiosink");
}

/* ---- streaming thread ----------------------------------------------------- */

/* what the output holds and has not played yet, in ms */
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

static void
add_level (GcReceiverAudio *self, GstBuffer *buf, gint64 now)
{
  GstMapInfo map;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return;
  /* F32 interleaved (the caps before the volume say so) */
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

    self->level_db = rms > 1e-5 ? 20 * log10 (rms) : SILENCE_DB;
    self->level_time = now;
  }
  self->level_sum = 0;
  self->level_n = 0;
  self->level_started = now;
}

/* each decoded buffer on its way to the output: dropped while another
 * stream is on screen; measured when it goes out */
static GstPadProbeReturn
on_output (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcReceiverAudio *self = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstReferenceTimestampMeta *meta;
  gint64 now = g_get_monotonic_time ();
  gdouble ms = -1;

  if (!gc_display_is_active (self->display, self->stream))
    return GST_PAD_PROBE_DROP;
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
  if (self->first_played == 0)
    self->first_played = now;
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

/* the device sink, also inside autoaudiosink: plays what comes as it
 * comes, like the picture (neither waits on a clock, so both keep the
 * latency of their path), and never holds the pipeline's state */
static void
on_element_added (GstBin *bin, GstBin *sub, GstElement *element, gpointer data)
{
  if (GST_IS_BASE_SINK (element))
    g_object_set (element, "sync", FALSE, "async", FALSE, NULL);
  if (GST_IS_AUDIO_BASE_SINK (element))
    g_object_set (element, "buffer-time", (gint64) 40000, "latency-time", (gint64) 10000, NULL);
}

/* ---- main loop ------------------------------------------------------------ */

/* the display's volume, now and whenever it changes */
static void
apply_volume (GcDisplay *display, GcReceiverAudio *self)
{
  gboolean muted = FALSE;
  gdouble volume = gc_display_get_volume (display, &muted);

  if (self->volume != NULL)
    g_object_set (self->volume, "volume", volume, "mute", muted, NULL);
}

/* the sound's chain for @stream, or NULL when the display plays no sound */
GcReceiverAudio *
gc_receiver_audio_new (GcDisplay *display, guint stream)
{
  g_autoptr (GcReceiverAudio) self = NULL;
  const gchar *sink = gc_display_get_audio_sink (display);
  g_autofree gchar *out = NULL;
  g_autofree gchar *desc = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) sink_element = NULL;
  g_autoptr (GstPad) sink_pad = NULL;

  g_return_val_if_fail (GC_IS_DISPLAY (display), NULL);

  if (g_str_equal (sink, "none"))
    return NULL;
  self = g_object_new (GC_TYPE_RECEIVER_AUDIO, NULL);
  out = sink_description (sink);
  self->display = g_object_ref (display);
  self->stream = stream;
  /* Opus concealment and its in-band FEC fill a lost packet */
  desc = g_strdup_printf ("rtpopusdepay ! opusdec plc=true use-inband-fec=true ! audioconvert "
                          "! audioresample ! audio/x-raw,format=F32LE,rate=48000,channels=2 "
                          "! volume name=gcvolume ! %s",
                          out);
  self->bin = gst_parse_bin_from_description (desc, TRUE, &error);
  if (self->bin == NULL)
    {
      g_message ("no sound: %s", error != NULL ? error->message : "cannot build its chain");
      return NULL;
    }
  gst_object_ref_sink (self->bin);
  g_signal_connect (self->bin, "deep-element-added", G_CALLBACK (on_element_added), NULL);
  self->volume = gst_bin_get_by_name (GST_BIN (self->bin), "gcvolume");
  sink_element = gst_bin_get_by_name (GST_BIN (self->bin), "gcaudiosink");
  if (sink_element != NULL)
    on_element_added (GST_BIN (self->bin), GST_BIN (self->bin), sink_element, NULL);
  sink_pad = gst_element_get_static_pad (sink_element, "sink");
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, on_output, self, NULL);
  g_signal_connect_object (display, "volume-changed", G_CALLBACK (apply_volume), self, 0);
  apply_volume (display, self);
  return g_steal_pointer (&self);
}

/* puts the chain into @pipeline after @pad (rtspsrc's audio pad) */
gboolean
gc_receiver_audio_link (GcReceiverAudio *self, GstBin *pipeline, GstPad *pad)
{
  g_autoptr (GstPad) sink = NULL;

  g_return_val_if_fail (GC_IS_RECEIVER_AUDIO (self), FALSE);

  if (GST_OBJECT_PARENT (self->bin) != NULL)
    return FALSE;
  gst_bin_add (pipeline, self->bin);
  sink = gst_element_get_static_pad (self->bin, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    return FALSE;
  return gst_element_sync_state_with_parent (self->bin);
}

/* whether @object is part of the chain (a message from it is about sound) */
gboolean
gc_receiver_audio_owns (GcReceiverAudio *self, GstObject *object)
{
  g_return_val_if_fail (GC_IS_RECEIVER_AUDIO (self), FALSE);
  return object != NULL && (object == GST_OBJECT (self->bin)
                            || gst_object_has_as_ancestor (object, GST_OBJECT (self->bin)));
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

void
gc_receiver_audio_read (GcReceiverAudio *self, gint64 now_us, GcAudioReadings *out)
{
  gdouble samples[LATENCY_WINDOW];
  guint n = 0;

  g_return_if_fail (GC_IS_RECEIVER_AUDIO (self));

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < LATENCY_WINDOW; i++)
    if (self->latency_times[i] > 0 && now_us - self->latency_times[i] <= G_USEC_PER_SEC)
      samples[n++] = self->latencies[i];
  out->buffers_played = self->played;
  out->first_played = self->first_played;
  /* a level older than a second is of sound that stopped */
  out->level_db = self->level_time > 0 && now_us - self->level_time <= G_USEC_PER_SEC
                  ? self->level_db : SILENCE_DB;
  g_mutex_unlock (&self->lock);
  if (n == 0)
    out->latency_ms = -1;
  else
    {
      qsort (samples, n, sizeof samples[0], compare_doubles);
      out->latency_ms = samples[n / 2];
    }
}

static void
gc_receiver_audio_dispose (GObject *object)
{
  GcReceiverAudio *self = GC_RECEIVER_AUDIO (object);

  gst_clear_object (&self->volume);
  gst_clear_object (&self->bin);
  g_clear_object (&self->display);
  G_OBJECT_CLASS (gc_receiver_audio_parent_class)->dispose (object);
}

static void
gc_receiver_audio_finalize (GObject *object)
{
  GcReceiverAudio *self = GC_RECEIVER_AUDIO (object);

  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gc_receiver_audio_parent_class)->finalize (object);
}

static void
gc_receiver_audio_class_init (GcReceiverAudioClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_receiver_audio_dispose;
  object_class->finalize = gc_receiver_audio_finalize;
}

static void
gc_receiver_audio_init (GcReceiverAudio *self)
{
  g_mutex_init (&self->lock);
  self->level_db = SILENCE_DB;
}
