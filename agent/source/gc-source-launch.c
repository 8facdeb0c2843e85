/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source's launch description: capture, encoder, payloader. a pure
 * choice from the configuration, checked by parsing it once.
 */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source-launch.h"
#include "gc-error.h"

#include <gst/gst.h>

static gboolean
element_works (const gchar *name)
{
  g_autofree gchar *desc = g_strdup_printf (
    "videotestsrc num-buffers=2 ! video/x-raw,width=320,height=240 ! videoconvert ! %s ! fakesink",
    name);
  g_autoptr (GstElement) pipe = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  g_autoptr (GstElementFactory) f = gst_element_factory_find (name);
  gboolean ok;

  if (f == NULL)
    return FALSE;
  pipe = gst_parse_launch (desc, NULL);
  if (pipe == NULL)
    return FALSE;
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 2 * GST_SECOND,
                                    GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  gst_element_set_state (pipe, GST_STATE_NULL);
  return ok;
}

gchar *
gc_source_pick_encoder (const gchar *requested, GError **error)
{
  /* hardware first; each is tried for real, since a factory can exist
   * without the device behind it */
  static const gchar *const order[] = {
    "v4l2h264enc", "vah264enc", "vaapih264enc", "x264enc", "openh264enc",
  };

  if (requested != NULL && !g_str_equal (requested, "auto"))
    {
      g_autoptr (GstElementFactory) f = gst_element_factory_find (requested);

      if (f == NULL)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "encoder '%s' is not an installed GStreamer element", requested);
          return NULL;
        }
      return g_strdup (requested);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr (GstElementFactory) f = gst_element_factory_find (order[i]);

      if (f == NULL)
        continue;
      /* software encoders need no probing */
      if (g_str_equal (order[i], "x264enc") || g_str_equal (order[i], "openh264enc")
          || element_works (order[i]))
        return g_strdup (order[i]);
    }
  g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
               "no H.264 encoder found (install gstreamer1.0-plugins-ugly for x264enc)");
  return NULL;
}

static gchar *
encoder_description (const GcConfig *c, const gchar *encoder)
{
  guint gop = c->gop_seconds * c->framerate;

  if (g_str_equal (encoder, "x264enc"))
    /* zero-latency tuning: no B-frames, no lookahead, sliced threads; a
     * small VBV keeps frames even; no intra-refresh so a forced key unit
     * is a real IDR */
    return g_strdup_printf ("x264enc name=enc tune=zerolatency speed-preset=ultrafast "
                            "bframes=0 key-int-max=%u bitrate=%u vbv-buf-capacity=200 "
                            "intra-refresh=false sliced-threads=true b-adapt=false "
                            "rc-lookahead=0 sync-lookahead=0",
                            gop, c->bitrate_kbps);
  if (g_str_equal (encoder, "openh264enc"))
    return g_strdup_printf ("openh264enc name=enc complexity=low rate-control=bitrate "
                            "bitrate=%u gop-size=%u", c->bitrate_kbps * 1000, gop);
  if (g_str_equal (encoder, "vah264enc"))
    return g_strdup_printf ("vah264enc name=enc b-frames=0 key-int-max=%u bitrate=%u "
                            "rate-control=cbr", gop, c->bitrate_kbps);
  if (g_str_equal (encoder, "vaapih264enc"))
    return g_strdup_printf ("vaapih264enc name=enc max-bframes=0 keyframe-period=%u "
                            "bitrate=%u rate-control=cbr tune=low-power", gop, c->bitrate_kbps);
  if (g_str_equal (encoder, "v4l2h264enc"))
    return g_strdup_printf ("v4l2h264enc name=enc extra-controls=\"controls,"
                            "video_bitrate=%u,h264_i_frame_period=%u\"",
                            c->bitrate_kbps * 1000, gop);
  return g_strdup_printf ("%s name=enc", encoder);
}

/* ---- what to capture ------------------------------------------------------ */

/* the words a D-Bus caller may choose (Source1.StartWith): nothing that
 * names a file, a device or a pipeline of the caller's making */
gboolean
gc_capture_is_choice (const gchar *word)
{
  static const gchar *const words[] = { "test", "screen", "portal", "x11" };

  for (gsize i = 0; word != NULL && i < G_N_ELEMENTS (words); i++)
    if (g_str_equal (word, words[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_set (const gchar *s)
{
  return s != NULL && *s != '\0';
}

/* the desktop session's kind from its environment: on GNOME Wayland,
 * Xwayland sets DISPLAY too, so DISPLAY alone would capture the empty
 * Xwayland root. XDG_SESSION_TYPE decides when it says wayland or x11;
 * otherwise (a user unit that was not given it) WAYLAND_DISPLAY before
 * DISPLAY */
gboolean
gc_capture_screen_kind (const gchar *session_type, const gchar *wayland_display,
                        const gchar *display, GcCaptureKind *kind, GError **error)
{
  if (g_strcmp0 (session_type, "wayland") == 0)
    {
      *kind = GC_CAPTURE_KIND_PORTAL;
      return TRUE;
    }
  if (g_strcmp0 (session_type, "x11") == 0)
    {
      if (is_set (display))
        {
          *kind = GC_CAPTURE_KIND_X11;
          return TRUE;
        }
      g_set_error_literal (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                           "capture 'screen': the session is X11 but DISPLAY is not set "
                           "(start the agent from the desktop session)");
      return FALSE;
    }
  if (is_set (wayland_display))
    *kind = GC_CAPTURE_KIND_PORTAL;
  else if (is_set (display))
    *kind = GC_CAPTURE_KIND_X11;
  else
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                   "capture 'screen': no desktop session here (XDG_SESSION_TYPE is '%s', "
                   "neither WAYLAND_DISPLAY nor DISPLAY is set); start the agent in the "
                   "desktop session, or choose --capture portal or --capture test",
                   is_set (session_type) ? session_type : "");
      return FALSE;
    }
  return TRUE;
}

/* what a capture word means here and now ("screen" reads the session) */
gboolean
gc_capture_kind (const gchar *capture, GcCaptureKind *kind, GError **error)
{
  if (capture == NULL || g_str_equal (capture, "test"))
    *kind = GC_CAPTURE_KIND_TEST;
  else if (g_str_equal (capture, "screen"))
    return gc_capture_screen_kind (g_getenv ("XDG_SESSION_TYPE"), g_getenv ("WAYLAND_DISPLAY"),
                                   g_getenv ("DISPLAY"), kind, error);
  else if (g_str_equal (capture, "portal"))
    *kind = GC_CAPTURE_KIND_PORTAL;
  else if (g_str_equal (capture, "x11"))
    *kind = GC_CAPTURE_KIND_X11;
  else if (g_str_equal (capture, "v4l2") || g_str_has_prefix (capture, "v4l2:"))
    *kind = GC_CAPTURE_KIND_V4L2;
  else if (g_str_has_prefix (capture, "file:"))
    *kind = GC_CAPTURE_KIND_FILE;
  else
    *kind = GC_CAPTURE_KIND_PIPELINE;
  return TRUE;
}

static gchar *
portal_description (const GcConfig *c, const GcCaptureStream *stream, GError **error)
{
  if (stream == NULL || stream->fd < 0)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_FAILED,
                           "capture 'portal' needs a screen cast session (none was opened)");
      return NULL;
    }
  /* the portal's PipeWire remote and the stream's node. damage-driven
   * frames come only when the screen changed: each is converted and
   * scaled once, then the pacer (gc-source-pacer.c) sends it on at once
   * and again every frame time until the next, so the encoder keeps the
   * configured rate and a key frame on PLAY comes within a frame */
  return g_strdup_printf ("pipewiresrc fd=%d path=%u do-timestamp=true "
                          "! videoconvert ! videoscale "
                          "! video/x-raw,format=I420,width=%u,height=%u,pixel-aspect-ratio=1/1 "
                          "! appsink name=gcpacein sync=false async=false max-buffers=1 drop=true "
                          "appsrc name=gcpaceout is-live=true format=time do-timestamp=true "
                          "max-bytes=0 block=false",
                          stream->fd, stream->node, c->width, c->height);
}

static gchar *
capture_description (const GcConfig *c, const gchar *cap, const GcCaptureStream *stream,
                     GError **error)
{
  GcCaptureKind kind;

  if (!gc_capture_kind (cap, &kind, error))
    return NULL;
  switch (kind)
    {
    case GC_CAPTURE_KIND_TEST:
      /* a moving pattern, so a frozen picture is visible at a glance */
      return g_strdup ("videotestsrc is-live=true pattern=smpte horizontal-speed=4");
    case GC_CAPTURE_KIND_PORTAL:
      return portal_description (c, stream, error);
    case GC_CAPTURE_KIND_X11:
      if (!is_set (g_getenv ("DISPLAY")))
        {
          g_set_error_literal (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                               "X11 capture needs an X11 display (DISPLAY is not set)");
          return NULL;
        }
      return g_strdup ("ximagesrc use-damage=false show-pointer=true");
    case GC_CAPTURE_KIND_V4L2:
      {
        const gchar *dev = cap[4] == ':' ? cap + 5 : "/dev/video0";

        if (!g_file_test (dev, G_FILE_TEST_EXISTS))
          {
            g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                         "capture device '%s' does not exist", dev);
            return NULL;
          }
        return g_strdup_printf ("v4l2src device=\"%s\"", dev);
      }
    case GC_CAPTURE_KIND_FILE:
      {
        const gchar *path = cap + 5;
        g_autofree gchar *uri = NULL;

        if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
          {
            g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                         "capture file '%s' does not exist", path);
            return NULL;
          }
        uri = gst_filename_to_uri (path, NULL);
        /* paced to real time, as a live capture would be */
        return g_strdup_printf ("uridecodebin uri=\"%s\" ! videoconvert ! identity sync=true",
                                uri);
      }
    case GC_CAPTURE_KIND_PIPELINE:
    default:
      /* anything else is a pipeline description that ends in raw video */
      return g_strdup (cap);
    }
}

/* the preview's size: preview_width wide (even), the picture's aspect */
void
gc_source_preview_size (const GcConfig *c, guint *width, guint *height)
{
  guint w = MIN (c->preview_width, c->width) & ~1u;
  guint h = (guint) ((guint64) w * c->height / MAX (1u, c->width)) & ~1u;

  *width = w;
  *height = MAX (h, w > 0 ? 2u : 0u);
}

static gchar *
preview_branch (const GcConfig *c)
{
  guint w, h;

  gc_source_preview_size (c, &w, &h);
  if (w == 0)
    return g_strdup ("");
  /* one small JPEG a second from the picture receivers get: a leaky queue,
   * so the encoder's branch never waits for it */
  return g_strdup_printf (" gcpreviewtee. ! queue max-size-buffers=1 leaky=downstream "
                          "! videorate drop-only=true max-rate=1 ! videoscale "
                          "! video/x-raw,width=%u,height=%u,pixel-aspect-ratio=1/1 "
                          "! jpegenc quality=60 "
                          "! appsink name=gcpreview sync=false async=false max-buffers=1 drop=true "
                          "emit-signals=true",
                          w, h);
}

/* ---- sound ---------------------------------------------------------------- */

/* the words a D-Bus caller may choose for the sound (Source1.StartWith):
 * no device names */
gboolean
gc_source_audio_is_choice (const gchar *word)
{
  return g_strcmp0 (word, "test") == 0 || g_strcmp0 (word, "desktop") == 0
         || g_strcmp0 (word, "none") == 0;
}

/* the sound a start sends: the configured one, or from the capture (the
 * test tone with the test pattern, the desktop's sound with its screen) */
const gchar *
gc_source_audio_word (const GcConfig *c, const gchar *capture_word)
{
  GcCaptureKind kind = GC_CAPTURE_KIND_PIPELINE;

  if (c->audio != NULL)
    return c->audio;
  if (!gc_capture_kind (capture_word, &kind, NULL))
    return "none";
  switch (kind)
    {
    case GC_CAPTURE_KIND_TEST:
      return "test";
    case GC_CAPTURE_KIND_X11:
    case GC_CAPTURE_KIND_PORTAL:
      return "desktop";
    default:
      return "none";
    }
}

static gchar *
audio_capture_description (const gchar *audio, guint frame_ms)
{
  /* a buffer the size of an Opus frame: nothing waits to fill one */
  if (g_str_equal (audio, "test"))
    return g_strdup_printf ("audiotestsrc is-live=true wave=sine freq=440 volume=0.2 "
                            "samplesperbuffer=%u", 48 * frame_ms);
  if (g_str_equal (audio, "desktop"))
    /* what the desktop plays: its default output's monitor (PulseAudio or
     * PipeWire's pulse server) */
    return g_strdup_printf ("pulsesrc device=@DEFAULT_MONITOR@ buffer-time=%u latency-time=%u "
                            "provide-clock=false", 4000 * frame_ms, 1000 * frame_ms);
  if (g_str_has_prefix (audio, "pulse:"))
    return g_strdup_printf ("pulsesrc device=\"%s\" buffer-time=%u latency-time=%u "
                            "provide-clock=false", audio + 6, 4000 * frame_ms, 1000 * frame_ms);
  if (g_str_has_prefix (audio, "alsa:"))
    return g_strdup_printf ("alsasrc device=\"%s\" buffer-time=%u latency-time=%u "
                            "provide-clock=false", audio + 5, 4000 * frame_ms, 1000 * frame_ms);
  return NULL;
}

/* whether the sound can be captured here: a device or sound server that
 * is not there would stop the picture too. opens it once (NULL to READY);
 * not on the main loop */
gboolean
gc_source_audio_works (const gchar *audio, GError **error)
{
  g_autofree gchar *desc = audio_capture_description (audio, 10);
  g_autofree gchar *full = NULL;
  g_autoptr (GstElement) pipe = NULL;
  gboolean ok;

  if (desc == NULL || g_str_equal (audio, "test"))
    return TRUE;
  full = g_strdup_printf ("%s ! fakesink", desc);
  pipe = gst_parse_launch (full, NULL);
  ok = pipe != NULL && gst_element_set_state (pipe, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  if (pipe != NULL)
    gst_element_set_state (pipe, GST_STATE_NULL);
  if (!ok)
    g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                 "sound '%s' cannot be captured here (%s)", audio,
                 g_str_has_prefix (audio, "alsa:") ? "no such ALSA device, or gstreamer1.0-alsa "
                                                     "is not installed"
                                                   : "no PulseAudio or PipeWire sound server, or "
                                                     "no such source");
  return ok;
}

/* the audio stream: Opus (RFC 7587) at 48 kHz stereo, the low-delay mode,
 * 10 or 20 ms frames, in-band FEC against single losses; "" for none */
static gchar *
audio_branch (const gchar *audio, guint frame_ms)
{
  g_autofree gchar *capture = audio_capture_description (audio, frame_ms);

  if (capture == NULL)
    return g_strdup ("");
  return g_strdup_printf (" %s ! audioconvert ! audioresample "
                          "! audio/x-raw,rate=48000,channels=2 "
                          "! identity name=gcaudiocapture silent=true "
                          "! opusenc audio-type=restricted-lowdelay frame-size=%u "
                          "bitrate=128000 complexity=5 inband-fec=true packet-loss-percentage=5 "
                          "! rtpopuspay name=pay1 pt=97 mtu=1400",
                          capture, frame_ms);
}

gchar *
gc_source_build_launch_for (const GcConfig *c, const gchar *capture_word, const gchar *encoder,
                            const GcCaptureStream *stream, const gchar *audio, GError **error)
{
  g_autofree gchar *capture = capture_description (c, capture_word, stream, error);
  g_autofree gchar *enc = NULL;
  g_autofree gchar *preview = NULL;
  g_autofree gchar *sound = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (GstElement) probe = NULL;
  GcCaptureKind kind = GC_CAPTURE_KIND_TEST;
  gboolean paced, native_rate;
  gchar *launch;

  if (capture == NULL)
    return NULL;
  /* the portal's frames are converted and paced before gccapture */
  paced = gc_capture_kind (capture_word, &kind, NULL) && kind == GC_CAPTURE_KIND_PORTAL;
  /* the test pattern and ximagesrc make frames at the rate the caps ask
   * for: no videorate, which holds each frame until the next one comes (a
   * frame time, 33 ms at 30 fps, on every frame). a camera, a file or a
   * pipeline has its own rate, and gets one */
  native_rate = kind == GC_CAPTURE_KIND_TEST || kind == GC_CAPTURE_KIND_X11;
  enc = encoder_description (c, encoder);
  preview = preview_branch (c);
  sound = audio_branch (audio != NULL ? audio : gc_source_audio_word (c, capture_word),
                        c->audio_frame_ms != 0 ? c->audio_frame_ms : 20);
  launch = g_strdup_printf (
    "( %s ! identity name=gccapture silent=true %s"
    "! video/x-raw,format=I420,width=%u,height=%u,framerate=%u/1 %s"
    "! queue max-size-buffers=2 leaky=downstream "
    "! %s ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream "
    "! h264parse config-interval=-1 "
    "! rtph264pay name=pay0 pt=96 config-interval=-1 aggregate-mode=zero-latency mtu=1400"
    "%s%s )",
    capture,
    paced ? "" : native_rate ? "! videoconvert ! videoscale " : "! videoconvert ! videoscale ! videorate ",
    c->width, c->height,
    c->framerate, *preview != '\0' ? "! tee name=gcpreviewtee " : "",
    enc, preview, sound);
  /* parse once now, so a bad capture stops the agent at start with a reason */
  probe = gst_parse_launch (launch, &parse_error);
  if (probe == NULL || parse_error != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "capture '%s': %s",
                   capture_word, parse_error ? parse_error->message : "cannot build pipeline");
      g_free (launch);
      return NULL;
    }
  return launch;
}

gchar *
gc_source_build_launch (const GcConfig *c, const gchar *encoder, GError **error)
{
  return gc_source_build_launch_for (c, c->capture, encoder, NULL, NULL, error);
}
