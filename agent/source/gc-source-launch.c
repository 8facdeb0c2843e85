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

static gchar *
capture_description (const GcConfig *c, GError **error)
{
  const gchar *cap = c->capture;

  if (cap == NULL || g_str_equal (cap, "test"))
    /* a moving pattern, so a frozen picture is visible at a glance */
    return g_strdup ("videotestsrc is-live=true pattern=smpte horizontal-speed=4");
  if (g_str_equal (cap, "screen"))
    {
      if (g_getenv ("DISPLAY") == NULL)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                       "capture 'screen' needs an X11 display (DISPLAY is not set; "
                       "Wayland screen capture through the portal is not supported yet)");
          return NULL;
        }
      return g_strdup ("ximagesrc use-damage=false show-pointer=true");
    }
  if (g_str_equal (cap, "v4l2") || g_str_has_prefix (cap, "v4l2:"))
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
  if (g_str_has_prefix (cap, "file:"))
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
      return g_strdup_printf ("uridecodebin uri=\"%s\" ! videoconvert ! identity sync=true", uri);
    }
  /* anything else is a pipeline description that ends in raw video */
  return g_strdup (cap);
}

gchar *
gc_source_build_launch (const GcConfig *c, const gchar *encoder, GError **error)
{
  g_autofree gchar *capture = capture_description (c, error);
  g_autofree gchar *enc = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (GstElement) probe = NULL;
  gchar *launch;

  if (capture == NULL)
    return NULL;
  enc = encoder_description (c, encoder);
  launch = g_strdup_printf (
    "( %s ! identity name=gccapture silent=true ! videoconvert ! videoscale ! videorate "
    "! video/x-raw,format=I420,width=%u,height=%u,framerate=%u/1 "
    "! queue max-size-buffers=2 leaky=downstream "
    "! %s ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream "
    "! h264parse config-interval=-1 "
    "! rtph264pay name=pay0 pt=96 config-interval=-1 aggregate-mode=zero-latency mtu=1400 )",
    capture, c->width, c->height, c->framerate, enc);
  /* parse once now, so a bad capture stops the agent at start with a reason */
  probe = gst_parse_launch (launch, &parse_error);
  if (probe == NULL || parse_error != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "capture '%s': %s",
                   c->capture, parse_error ? parse_error->message : "cannot build pipeline");
      g_free (launch);
      return NULL;
    }
  return launch;
}
