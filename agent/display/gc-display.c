/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the persistent output: streams offer their decoded frames; the display
 * shows the active stream's, cuts to a new stream at its first frame, and
 * keeps the last picture when frames stop. the window (X11), the Wayland
 * surface or the KMS plane belongs to this pipeline, so it never changes.
 */
#define G_LOG_DOMAIN "GcDisplay"

#include "config.h"

#include "gc-display.h"
#include "gc-display-hold.h"
#include "gc-display-window.h"
#include "gc-error.h"
#include "gc-ntp.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gc_display_debug);
#define GST_CAT_DEFAULT gc_display_debug

/* the picture's size on a sink that scales (Wayland, KMS) */
#define PLANE_WIDTH 1920
#define PLANE_HEIGHT 1080
#define IDENTIFY_DEFAULT_S 5
#define IDENTIFY_MAX_S 600

struct _GcDisplay
{
  GObject parent_instance;

  gchar *kind;               /* "x11 (ximagesink)", "fake", ... */
  GstElement *pipeline;
  GstElement *src;           /* appsrc */
  GstElement *size;          /* capsfilter; NULL with the fake sink */
  GstElement *sink;
  GcDisplayWindow *window;   /* X11 only */
  gint width;
  gint height;
  guint bus_watch;
  guint identify_id;
  guint next_stream;
  FILE *trace;               /* GC_DISPLAY_TRACE: one line per frame shown */
  GcDisplaySound *sound;     /* the sound output, or NULL for none */
  GcDisplayHold *hold;       /* lip sync: frames wait for their sound */
  gdouble volume;            /* 0 to 1.5, main loop */
  gboolean muted;

  GMutex lock;               /* all below: streaming threads read and write them */
  guint active;              /* the stream whose frames are shown; 0: none */
  guint pending;             /* the stream that takes over at its first frame */
  GstSample *last;           /* the last frame shown */
  GstCaps *src_caps;
  gint64 last_frame_time;    /* monotonic µs */
  guint shown;
  gchar *name;
  gchar *address;
  gchar *site_text;
  GcDisplayScreen screen;
  gchar *status;
  gboolean identify;
  gchar *pairing_code;      /* as shown, or NULL */
  gchar *pairing_text;
  gdouble sound_ms;          /* lip sync: the heard stream's sound latency, -1: none */
  guint sound_stream;        /* whose */
  gint64 sound_read;         /* monotonic µs of that reading */
  gdouble hold_ms;           /* the last frame's hold */
};

G_DEFINE_FINAL_TYPE (GcDisplay, gc_display, G_TYPE_OBJECT)

enum
{
  SIGNAL_CUT,
  SIGNAL_VOLUME_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- the overlay (the display's streaming thread) ------------------------ */

static void
on_overlay_caps (GstElement *overlay, GstCaps *caps, GcDisplay *self)
{
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, caps))
    return;
  g_mutex_lock (&self->lock);
  self->width = GST_VIDEO_INFO_WIDTH (&info);
  self->height = GST_VIDEO_INFO_HEIGHT (&info);
  g_mutex_unlock (&self->lock);
}

static void
on_overlay_draw (GstElement *overlay, cairo_t *cr, guint64 timestamp, guint64 duration,
                 GcDisplay *self)
{
  g_autofree gchar *name = NULL;
  g_autofree gchar *address = NULL;
  g_autofree gchar *site = NULL;
  g_autofree gchar *status = NULL;
  g_autofree gchar *pairing_code = NULL;
  g_autofree gchar *pairing_text = NULL;
  GcDisplayOverlay o = { 0 };
  gint w, h;

  g_mutex_lock (&self->lock);
  name = g_strdup (self->name);
  address = g_strdup (self->address);
  site = g_strdup (self->site_text);
  status = g_strdup (self->status);
  o.screen = self->screen;
  o.identify = self->identify;
  pairing_code = g_strdup (self->pairing_code);
  pairing_text = g_strdup (self->pairing_text);
  w = self->width;
  h = self->height;
  g_mutex_unlock (&self->lock);
  o.name = name;
  o.address = address;
  o.site_text = site;
  o.status = status;
  o.pairing_code = pairing_code;
  o.pairing_text = pairing_text;
  gc_display_overlay_draw (cr, w, h, &o);
}

/* ---- pushing frames ------------------------------------------------------- */

/* a black frame of the display's size, for a screen with no picture yet */
static GstSample *
blank_sample (GcDisplay *self)
{
  gint w = self->width > 0 ? self->width : PLANE_WIDTH;
  gint h = self->height > 0 ? self->height : PLANE_HEIGHT;
  g_autoptr (GstCaps) caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "BGRx",
                                                  "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
                                                  "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
  g_autoptr (GstBuffer) buf = gst_buffer_new_and_alloc ((gsize) w * h * 4);

  gst_buffer_memset (buf, 0, 0, (gsize) w * h * 4);
  return gst_sample_new (buf, caps, NULL, NULL);
}

/* hands @sample to the output pipeline (any thread) */
static void
push (GcDisplay *self, GstSample *sample)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buf = gst_sample_get_buffer (sample);

  if (buf == NULL || caps == NULL)
    return;
  g_mutex_lock (&self->lock);
  if (self->src_caps == NULL || !gst_caps_is_equal (self->src_caps, caps))
    {
      gst_caps_replace (&self->src_caps, caps);
      gst_app_src_set_caps (GST_APP_SRC (self->src), caps);
    }
  g_mutex_unlock (&self->lock);
  /* the decoder's picture itself, not a copy of it; its timestamps come
   * from another pipeline's clock and go: appsrc stamps it as it arrives */
  buf = gst_buffer_copy (buf);
  GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_NONE;
  gst_app_src_push_buffer (GST_APP_SRC (self->src), buf);
}

/* the middle of the picture's luma (or first byte), for the trace: a test
 * tells one source's pattern from another's, and a grey broken frame */
static guint
centre_value (GstSample *sample)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  guint v = 0;

  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    return 0;
  v = ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0))
        [GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) * (GST_VIDEO_FRAME_HEIGHT (&frame) / 2)
         + GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, 0) * (GST_VIDEO_FRAME_WIDTH (&frame) / 2)];
  gst_video_frame_unmap (&frame);
  return v;
}

typedef struct
{
  GcDisplay *self;
  guint stream;
  gdouble gap_ms;
} Cut;

static gboolean
emit_cut (gpointer data)
{
  Cut *c = data;

  g_signal_emit (c->self, signals[SIGNAL_CUT], 0, c->stream, c->gap_ms);
  g_object_unref (c->self);
  g_free (c);
  return G_SOURCE_REMOVE;
}

/* shows @sample now if its stream is the one shown (or the one that takes
 * over at its first frame) */
static gboolean
show (GcDisplay *self, guint stream, GstSample *sample)
{
  gint64 now = g_get_monotonic_time ();
  Cut *cut = NULL;

  g_mutex_lock (&self->lock);
  if (stream != 0 && stream == self->pending)
    {
      cut = g_new0 (Cut, 1);
      cut->self = g_object_ref (self);
      cut->stream = stream;
      /* a frozen last frame counts as gap too */
      cut->gap_ms = self->active != 0 && self->last_frame_time > 0
                    ? (now - self->last_frame_time) / 1000.0 : -1;
      self->active = stream;
      self->pending = 0;
    }
  else if (stream == 0 || stream != self->active)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  if (self->last != sample)
    {
      g_clear_pointer (&self->last, gst_sample_unref);
      self->last = gst_sample_ref (sample);
    }
  self->screen = GC_DISPLAY_SCREEN_PICTURE;
  self->last_frame_time = now;
  self->shown++;
  if (self->trace != NULL)
    fprintf (self->trace, "%" G_GINT64_FORMAT " %u %u %d\n", now, stream, centre_value (sample),
             GST_BUFFER_FLAG_IS_SET (gst_sample_get_buffer (sample), GST_BUFFER_FLAG_CORRUPTED));
  g_mutex_unlock (&self->lock);
  push (self, sample);
  if (cut != NULL)
    g_main_context_invoke (NULL, emit_cut, cut);
  return TRUE;
}

static void
show_held (guint stream, GstSample *sample, gpointer data)
{
  show (data, stream, sample);
}

/* lip sync: how long a frame of the stream on screen waits so that it is
 * shown as long after its capture as its sound is heard after its own
 * (both stamps are the source's clock). 0: at once (no sound heard, no
 * stamp, or the sound is ahead anyway) */
static gdouble
hold_for (GcDisplay *self, guint stream, GstSample *sample, gint64 now)
{
  GstReferenceTimestampMeta *meta =
    gst_buffer_get_reference_timestamp_meta (gst_sample_get_buffer (sample),
                                             gc_ntp_reference_caps ());
  GcAudioReadings sound;
  gdouble age_ms, hold;

  g_mutex_lock (&self->lock);
  if (stream != self->active || meta == NULL || meta->timestamp == 0)
    {
      g_mutex_unlock (&self->lock);
      return 0;
    }
  /* the sound's latency, read at most 5 times a second */
  if (self->sound_stream != stream || now - self->sound_read > 200000)
    {
      g_mutex_unlock (&self->lock);
      gc_display_sound_read (self->sound, stream, now, &sound);
      g_mutex_lock (&self->lock);
      self->sound_ms = sound.latency_ms;
      self->sound_stream = stream;
      self->sound_read = now;
    }
  age_ms = ((gint64) gc_ntp_now_ns () - (gint64) meta->timestamp) / 1e6;
  hold = self->sound_ms >= 0 && age_ms > -1000 ? self->sound_ms - age_ms : 0;
  /* a frame is never held longer than the longest sound latency a room
   * would accept */
  hold = CLAMP (hold, 0, GC_DISPLAY_MAX_HOLD_MS);
  self->hold_ms = hold;
  g_mutex_unlock (&self->lock);
  return hold;
}

/* a stream's decoded frame (from its streaming thread). shown when the
 * stream is the active one, after its lip-sync hold; the first frame of the
 * expected stream makes the cut to it at once. FALSE when not shown. */
gboolean
gc_display_offer (GcDisplay *self, guint stream, GstSample *sample)
{
  gint64 now = g_get_monotonic_time ();
  gdouble hold;

  g_return_val_if_fail (GC_IS_DISPLAY (self), FALSE);
  g_return_val_if_fail (sample != NULL, FALSE);

  hold = hold_for (self, stream, sample, now);
  if (self->hold != NULL && gc_display_hold_push (self->hold, stream, sample,
                                                  now + (gint64) (hold * 1000)))
    return TRUE;
  return show (self, stream, sample);
}

/* the hold of the last frame of the stream on screen, ms */
gdouble
gc_display_get_hold_ms (GcDisplay *self)
{
  gdouble ms;

  g_return_val_if_fail (GC_IS_DISPLAY (self), 0);
  g_mutex_lock (&self->lock);
  ms = self->hold_ms;
  g_mutex_unlock (&self->lock);
  return ms;
}

/* ---- streams -------------------------------------------------------------- */

/* a number for a new stream's frames */
guint
gc_display_new_stream (GcDisplay *self)
{
  g_return_val_if_fail (GC_IS_DISPLAY (self), 0);
  return ++self->next_stream;
}

/* @stream's first frame cuts to it: the one shown until then stays */
void
gc_display_expect (GcDisplay *self, guint stream)
{
  g_return_if_fail (GC_IS_DISPLAY (self));

  g_mutex_lock (&self->lock);
  self->pending = stream;
  g_mutex_unlock (&self->lock);
}

/* @stream ends: none of its frames are shown any more; its last one stays */
void
gc_display_forget (GcDisplay *self, guint stream)
{
  g_return_if_fail (GC_IS_DISPLAY (self));

  g_mutex_lock (&self->lock);
  if (self->active == stream)
    self->active = 0;
  if (self->pending == stream)
    self->pending = 0;
  g_mutex_unlock (&self->lock);
}

/* whether @stream's frames are the ones shown (its sound is the one heard);
 * from any thread */
gboolean
gc_display_is_active (GcDisplay *self, guint stream)
{
  gboolean active;

  g_return_val_if_fail (GC_IS_DISPLAY (self), FALSE);
  g_mutex_lock (&self->lock);
  active = stream != 0 && self->active == stream;
  g_mutex_unlock (&self->lock);
  return active;
}

/* ---- sound ---------------------------------------------------------------- */

/* auto, pulse, alsa:DEVICE, fake, or none (no sound is played) */
const gchar *
gc_display_get_audio_sink (GcDisplay *self)
{
  g_return_val_if_fail (GC_IS_DISPLAY (self), NULL);
  return gc_display_sound_get_sink (self->sound);
}

/* @stream's decoded sound (its streaming thread): played while its
 * picture is the one shown */
void
gc_display_play_sound (GcDisplay *self, guint stream, GstBuffer *buffer)
{
  g_return_if_fail (GC_IS_DISPLAY (self));
  if (gc_display_is_active (self, stream))
    gc_display_sound_play (self->sound, stream, buffer);
}

/* what the sound output played of @stream in the last second */
void
gc_display_read_sound (GcDisplay *self, guint stream, gint64 now_us, GcAudioReadings *out)
{
  g_return_if_fail (GC_IS_DISPLAY (self));
  gc_display_sound_read (self->sound, stream, now_us, out);
}

/* the sound's volume (1.0 as sent, up to 1.5) and mute, for every stream's
 * sound from now on; main loop */
void
gc_display_set_volume (GcDisplay *self, gdouble volume, gboolean muted)
{
  g_return_if_fail (GC_IS_DISPLAY (self));

  volume = CLAMP (volume, 0.0, 1.5);
  if (volume == self->volume && muted == self->muted)
    return;
  self->volume = volume;
  self->muted = muted;
  gc_display_sound_set_volume (self->sound, volume, muted);
  g_info ("sound: volume %.2f%s", volume, muted ? ", muted" : "");
  g_signal_emit (self, signals[SIGNAL_VOLUME_CHANGED], 0);
}

gdouble
gc_display_get_volume (GcDisplay *self, gboolean *muted)
{
  g_return_val_if_fail (GC_IS_DISPLAY (self), 0);
  if (muted != NULL)
    *muted = self->muted;
  return self->volume;
}

/* ---- counts --------------------------------------------------------------- */

guint
gc_display_get_shown (GcDisplay *self)
{
  guint n;

  g_return_val_if_fail (GC_IS_DISPLAY (self), 0);
  g_mutex_lock (&self->lock);
  n = self->shown;
  g_mutex_unlock (&self->lock);
  return n;
}

gint64
gc_display_get_last_frame_time (GcDisplay *self)
{
  gint64 t;

  g_return_val_if_fail (GC_IS_DISPLAY (self), 0);
  g_mutex_lock (&self->lock);
  t = self->last_frame_time;
  g_mutex_unlock (&self->lock);
  return t;
}

/* ---- screens -------------------------------------------------------------- */

/* draws what is on screen again (its overlay changed) */
static void
redraw (GcDisplay *self)
{
  g_autoptr (GstSample) sample = NULL;

  if (self->size == NULL)
    return; /* the fake sink draws nothing */
  g_mutex_lock (&self->lock);
  if (self->last != NULL)
    sample = gst_sample_ref (self->last);
  g_mutex_unlock (&self->lock);
  if (sample == NULL)
    sample = blank_sample (self);
  push (self, sample);
}

/* what to show when there is no picture: IDLE (who this receiver is, and
 * @status, e.g. why) or NO_SIGNAL (the last frame dimmed, @status over it) */
void
gc_display_set_screen (GcDisplay *self, GcDisplayScreen screen, const gchar *status)
{
  g_return_if_fail (GC_IS_DISPLAY (self));

  g_mutex_lock (&self->lock);
  if (self->screen == screen && g_strcmp0 (self->status, status) == 0)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->screen = screen;
  g_free (self->status);
  self->status = g_strdup (status);
  g_mutex_unlock (&self->lock);
  g_info ("display: %s%s%s", screen == GC_DISPLAY_SCREEN_IDLE ? "idle screen"
                             : screen == GC_DISPLAY_SCREEN_NO_SIGNAL ? "no-signal notice"
                                                                     : "picture",
          status != NULL ? ": " : "", status != NULL ? status : "");
  redraw (self);
}

static gboolean
identify_over (gpointer data)
{
  GcDisplay *self = data;

  self->identify_id = 0;
  g_mutex_lock (&self->lock);
  self->identify = FALSE;
  g_mutex_unlock (&self->lock);
  redraw (self);
  return G_SOURCE_REMOVE;
}

/* the name, very large, over whatever is shown, for @seconds (0: 5 s) */
void
gc_display_identify (GcDisplay *self, guint seconds)
{
  g_return_if_fail (GC_IS_DISPLAY (self));

  seconds = seconds == 0 ? IDENTIFY_DEFAULT_S : MIN (seconds, IDENTIFY_MAX_S);
  g_mutex_lock (&self->lock);
  self->identify = TRUE;
  g_mutex_unlock (&self->lock);
  g_clear_handle_id (&self->identify_id, g_source_remove);
  self->identify_id = g_timeout_add (seconds * 1000, identify_over, self);
  redraw (self);
}

/* pairing: @code (six digits) shown at the top of any screen, or nothing
 * (NULL); @locked_s > 0: wrong codes were typed, say for how long it waits */
void
gc_display_set_pairing_code (GcDisplay *self, const gchar *code, guint locked_s)
{
  g_autofree gchar *shown = NULL;
  g_autofree gchar *text = NULL;

  g_return_if_fail (GC_IS_DISPLAY (self));

  if (code != NULL)
    {
      shown = g_strdup_printf ("%.3s %s", code, strlen (code) > 3 ? code + 3 : "");
      text = locked_s > 0
               ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Wrong codes typed: pairing waits %u second",
                                               "Wrong codes typed: pairing waits %u seconds",
                                               locked_s), locked_s)
               : g_strdup (_("To pair this display, type this code in Groupcast"));
    }
  g_mutex_lock (&self->lock);
  g_free (self->pairing_code);
  self->pairing_code = g_steal_pointer (&shown);
  g_free (self->pairing_text);
  self->pairing_text = g_steal_pointer (&text);
  g_mutex_unlock (&self->lock);
  redraw (self);
}

/* the name on the idle and identify screens, after a rename */
void
gc_display_set_name (GcDisplay *self, const gchar *name)
{
  g_return_if_fail (GC_IS_DISPLAY (self));

  g_mutex_lock (&self->lock);
  g_free (self->name);
  self->name = g_strdup (name);
  g_mutex_unlock (&self->lock);
  redraw (self);
}

gboolean
gc_display_is_identifying (GcDisplay *self)
{
  g_return_val_if_fail (GC_IS_DISPLAY (self), FALSE);
  return self->identify_id != 0;
}

const gchar *
gc_display_get_kind (GcDisplay *self)
{
  g_return_val_if_fail (GC_IS_DISPLAY (self), NULL);
  return self->kind;
}

/* ---- the pipeline --------------------------------------------------------- */

static gboolean
element_starts (const gchar *factory)
{
  g_autoptr (GstElement) e = gst_element_factory_make (factory, NULL);
  gboolean ok;

  if (e == NULL)
    return FALSE;
  gst_object_ref_sink (e);
  ok = gst_element_set_state (e, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  gst_element_set_state (e, GST_STATE_NULL);
  return ok;
}

static gboolean
on_wayland (void)
{
  return g_getenv ("WAYLAND_DISPLAY") != NULL
         && g_strcmp0 (g_getenv ("XDG_SESSION_TYPE"), "x11") != 0;
}

/* the sink element for @kind, and where it shows */
static gchar *
sink_for (GcDisplay *self, const GcDisplayOptions *o, GError **error)
{
  const gchar *want = o->sink != NULL ? o->sink : "auto";

  if (g_str_equal (want, "auto"))
    want = on_wayland () ? "wayland"
           : g_getenv ("DISPLAY") != NULL ? "x11"
           : g_file_test ("/dev/dri/card0", G_FILE_TEST_EXISTS) ? "kms" : "fake";
  if (g_str_equal (want, "fake"))
    return g_strdup ("fakesink");
  if (g_str_equal (want, "x11"))
    {
      self->window = gc_display_window_new (o->output, o->windowed, o->name, error);
      if (self->window == NULL)
        return NULL;
      gc_display_window_get_size (self->window, &self->width, &self->height);
      /* Xv scales in the server; plain X (Xvfb has no Xv) draws as is */
      return g_strdup (element_starts ("xvimagesink") ? "xvimagesink" : "ximagesink");
    }
  self->width = PLANE_WIDTH;
  self->height = PLANE_HEIGHT;
  if (g_str_equal (want, "wayland"))
    return g_strdup_printf ("waylandsink fullscreen=%s", o->windowed ? "false" : "true");
  if (g_str_equal (want, "kms"))
    return o->output != NULL ? g_strdup_printf ("kmssink connector-id=%s", o->output)
                             : g_strdup ("kmssink");
  return g_strdup (want);
}

static gchar *
describe (GcDisplay *self, const gchar *sink)
{
  if (g_str_equal (sink, "fakesink"))
    return g_strdup ("appsrc name=src ! fakesink name=sink sync=false async=false");
  /* scale in the decoder's format, then to what cairo draws on */
  return g_strdup_printf ("appsrc name=src ! videoconvert ! videoscale add-borders=true ! "
                          "capsfilter name=size caps=\"video/x-raw,width=%d,height=%d,"
                          "pixel-aspect-ratio=1/1\" ! videoconvert ! video/x-raw,format=BGRx ! "
                          "cairooverlay name=overlay ! videoconvert ! %s name=sink sync=false",
                          self->width, self->height, sink);
}

static void
set_size (GcDisplay *self)
{
  g_autoptr (GstCaps) caps = NULL;

  gc_display_window_get_size (self->window, &self->width, &self->height);
  caps = gst_caps_new_simple ("video/x-raw", "width", G_TYPE_INT, self->width, "height",
                              G_TYPE_INT, self->height, "pixel-aspect-ratio", GST_TYPE_FRACTION,
                              1, 1, NULL);
  g_object_set (self->size, "caps", caps, NULL);
  redraw (self);
}

static void
on_expose (GcDisplayWindow *window, GcDisplay *self)
{
  gst_video_overlay_expose (GST_VIDEO_OVERLAY (self->sink));
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  GcDisplay *self = data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    {
      g_autoptr (GError) err = NULL;
      g_autofree gchar *debug = NULL;

      gst_message_parse_error (msg, &err, &debug);
      g_warning ("display (%s): %s", self->kind, err->message);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
build (GcDisplay *self, const gchar *sink, GError **error)
{
  g_autofree gchar *desc = describe (self, sink);
  g_autoptr (GstElement) overlay = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GError) local_error = NULL;

  self->pipeline = gst_parse_launch (desc, &local_error);
  if (self->pipeline == NULL || local_error != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot make the display (%s): %s", sink,
                   local_error != NULL ? local_error->message : "unknown");
      g_clear_object (&self->pipeline);
      return FALSE;
    }
  gst_object_ref_sink (self->pipeline);
  self->src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
  self->sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "sink");
  self->size = gst_bin_get_by_name (GST_BIN (self->pipeline), "size");
  overlay = gst_bin_get_by_name (GST_BIN (self->pipeline), "overlay");
  /* live frames, timestamped as they come; at most a few wait */
  g_object_set (self->src, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME,
                "max-buffers", (guint64) 4, "leaky-type", 2 /* downstream: drop the oldest */,
                NULL);
  if (overlay != NULL)
    {
      g_signal_connect (overlay, "draw", G_CALLBACK (on_overlay_draw), self);
      g_signal_connect (overlay, "caps-changed", G_CALLBACK (on_overlay_caps), self);
    }
  if (self->window != NULL)
    {
      /* the sink draws into our window, made once */
      gst_video_overlay_set_window_handle (GST_VIDEO_OVERLAY (self->sink),
                                           gc_display_window_get_xid (self->window));
      g_signal_connect_object (self->window, "expose", G_CALLBACK (on_expose), self, 0);
      g_signal_connect_object (self->window, "resized", G_CALLBACK (set_size), self,
                               G_CONNECT_SWAPPED);
    }
  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus, self);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "the display (%s) did not start", sink);
      return FALSE;
    }
  return TRUE;
}

GcDisplay *
gc_display_new (const GcDisplayOptions *options, GError **error)
{
  g_autoptr (GcDisplay) self = g_object_new (GC_TYPE_DISPLAY, NULL);
  g_autofree gchar *sink = NULL;
  const gchar *trace = g_getenv ("GC_DISPLAY_TRACE");

  g_return_val_if_fail (options != NULL, NULL);

  self->name = g_strdup (options->name);
  self->address = g_strdup (options->address);
  self->site_text = g_strdup (options->site_text);
  self->screen = GC_DISPLAY_SCREEN_IDLE;
  /* a display for tests and headless use has no sound device either */
  self->sound = gc_display_sound_new (options->audio_sink != NULL ? options->audio_sink
                                      : g_strcmp0 (options->sink, "fake") == 0 ? "fake"
                                                                               : "auto");
  sink = sink_for (self, options, error);
  if (sink == NULL || !build (self, sink, error))
    return NULL;
  self->kind = g_strdup (sink);
  if (trace != NULL && *trace != '\0')
    {
      self->trace = fopen (trace, "a");
      if (self->trace != NULL)
        setvbuf (self->trace, NULL, _IOLBF, 0);
    }
  g_message ("display: %s, sound: %s", self->kind, gc_display_sound_get_sink (self->sound));
  self->hold = gc_display_hold_new (show_held, self);
  return g_steal_pointer (&self);
}

static void
gc_display_dispose (GObject *object)
{
  GcDisplay *self = GC_DISPLAY (object);

  /* its thread shows frames: gone before what it shows them on */
  g_clear_pointer (&self->hold, gc_display_hold_free);
  g_clear_handle_id (&self->identify_id, g_source_remove);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_object (&self->src);
  g_clear_object (&self->size);
  g_clear_object (&self->sink);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->window);
  g_clear_pointer (&self->last, gst_sample_unref);
  gst_caps_replace (&self->src_caps, NULL);
  g_clear_pointer (&self->trace, fclose);
  G_OBJECT_CLASS (gc_display_parent_class)->dispose (object);
}

static void
gc_display_finalize (GObject *object)
{
  GcDisplay *self = GC_DISPLAY (object);

  g_mutex_clear (&self->lock);
  g_free (self->kind);
  g_free (self->name);
  g_free (self->address);
  g_free (self->site_text);
  g_free (self->pairing_code);
  g_free (self->pairing_text);
  g_free (self->status);
  g_clear_pointer (&self->sound, gc_display_sound_free);
  G_OBJECT_CLASS (gc_display_parent_class)->finalize (object);
}

static void
gc_display_class_init (GcDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_display_dispose;
  object_class->finalize = gc_display_finalize;

  /* the display cut to a stream: (stream, gap in ms since the last frame
   * shown before it, -1 when nothing was shown) */
  signals[SIGNAL_CUT] = g_signal_new ("cut", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT,
                                      G_TYPE_DOUBLE);
  /* the volume or mute changed (gc_display_get_volume) */
  signals[SIGNAL_VOLUME_CHANGED] = g_signal_new ("volume-changed", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 0);
  GST_DEBUG_CATEGORY_INIT (gc_display_debug, "gcdisplay", 0, "Groupcast display");
}

static void
gc_display_init (GcDisplay *self)
{
  g_mutex_init (&self->lock);
  self->volume = 1.0;
}
