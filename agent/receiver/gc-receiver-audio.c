/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-audio.h"

#include <gst/app/gstappsink.h>

struct _GcReceiverAudio
{
  GObject parent_instance;

  GstElement *bin;          /* depayloader to appsink; in the pipeline once linked */
  GcDisplay *display;
  guint stream;             /* heard while this stream is the one shown */
};

G_DEFINE_FINAL_TYPE (GcReceiverAudio, gc_receiver_audio, G_TYPE_OBJECT)

/* a decoded buffer (the appsink's streaming thread): to the display,
 * which plays it if this stream is the one on screen */
static GstFlowReturn
on_sound (GstAppSink *sink, gpointer data)
{
  GcReceiverAudio *self = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = sample != NULL ? gst_sample_get_buffer (sample) : NULL;

  if (buf != NULL)
    gc_display_play_sound (self->display, self->stream, buf);
  return GST_FLOW_OK;
}

/* the sound's chain for @stream, or NULL when the display plays no sound */
GcReceiverAudio *
gc_receiver_audio_new (GcDisplay *display, guint stream)
{
  g_autoptr (GcReceiverAudio) self = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) out = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_sound };

  g_return_val_if_fail (GC_IS_DISPLAY (display), NULL);

  if (g_str_equal (gc_display_get_audio_sink (display), "none"))
    return NULL;
  self = g_object_new (GC_TYPE_RECEIVER_AUDIO, NULL);
  self->display = g_object_ref (display);
  self->stream = stream;
  /* Opus concealment and its in-band FEC fill a lost packet; the output's
   * format, so nothing converts on the way to the device */
  self->bin = gst_parse_bin_from_description (
    "rtpopusdepay ! opusdec plc=true use-inband-fec=true ! audioconvert ! audioresample "
    "! audio/x-raw,format=F32LE,rate=48000,channels=2,layout=interleaved "
    "! appsink name=gcsound sync=false async=false max-buffers=4 drop=true",
    TRUE, &error);
  if (self->bin == NULL)
    {
      g_message ("no sound: %s", error != NULL ? error->message : "cannot build its chain");
      return NULL;
    }
  gst_object_ref_sink (self->bin);
  out = gst_bin_get_by_name (GST_BIN (self->bin), "gcsound");
  gst_app_sink_set_callbacks (GST_APP_SINK (out), &callbacks, self, NULL);
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

static void
gc_receiver_audio_dispose (GObject *object)
{
  GcReceiverAudio *self = GC_RECEIVER_AUDIO (object);

  gst_clear_object (&self->bin);
  g_clear_object (&self->display);
  G_OBJECT_CLASS (gc_receiver_audio_parent_class)->dispose (object);
}

static void
gc_receiver_audio_class_init (GcReceiverAudioClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = gc_receiver_audio_dispose;
}

static void
gc_receiver_audio_init (GcReceiverAudio *self)
{
}
