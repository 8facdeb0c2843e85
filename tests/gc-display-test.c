/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the receiver's screen under a real X server (Xvfb): one full-screen
 * window made once, the idle screen drawn, frames shown, the no-signal
 * notice over the dimmed last frame, Identify; and the cut from one
 * stream to the next on the fake sink. screenshots go to
 * BUILD/tests/artifacts/display-*.png.
 */
#include "config.h"

#include <cairo.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include "gc-display.h"
#include "gc-ntp.h"
#include "gc-xvfb.h"

static GcXvfb *xvfb;
static gchar *xvfb_reason;

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* a solid I420 frame of one luma value (and neutral chroma) */
static GstSample *
solid_frame (gint w, gint h, guint8 y)
{
  g_autoptr (GstCaps) caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420",
                                                  "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
                                                  "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
  GstVideoInfo info;
  g_autoptr (GstBuffer) buf = NULL;
  GstVideoFrame frame;

  gst_video_info_from_caps (&info, caps);
  buf = gst_buffer_new_and_alloc (GST_VIDEO_INFO_SIZE (&info));
  gst_video_frame_map (&frame, &info, buf, GST_MAP_WRITE);
  for (guint p = 0; p < 3; p++)
    memset (GST_VIDEO_FRAME_PLANE_DATA (&frame, p), p == 0 ? y : 128,
            GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p) * GST_VIDEO_FRAME_COMP_HEIGHT (&frame, p));
  gst_video_frame_unmap (&frame);
  return gst_sample_new (buf, caps, NULL, NULL);
}

/* the root window as the screen shows it */
typedef struct
{
  gint width, height;
  guint32 *pixels; /* xRGB */
} Shot;

static void
shot_free (Shot *s)
{
  g_free (s->pixels);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Shot, shot_free)

static Shot *
take_shot (const gchar *name)
{
  Display *x = XOpenDisplay (NULL);
  Window root = DefaultRootWindow (x);
  XWindowAttributes a;
  XImage *img;
  Shot *s = g_new0 (Shot, 1);
  g_autofree gchar *dir = g_build_filename (GC_BUILD_DIR, "tests", "artifacts", NULL);
  g_autofree gchar *path = NULL;
  cairo_surface_t *surface;

  g_assert_nonnull (x);
  XGetWindowAttributes (x, root, &a);
  img = XGetImage (x, root, 0, 0, a.width, a.height, AllPlanes, ZPixmap);
  s->width = a.width;
  s->height = a.height;
  s->pixels = g_new (guint32, a.width * a.height);
  for (gint j = 0; j < a.height; j++)
    for (gint i = 0; i < a.width; i++)
      s->pixels[j * a.width + i] = (guint32) XGetPixel (img, i, j) & 0xffffff;
  XDestroyImage (img);
  XCloseDisplay (x);
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  surface = cairo_image_surface_create_for_data ((guchar *) s->pixels, CAIRO_FORMAT_RGB24,
                                                 s->width, s->height, s->width * 4);
  cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  g_test_message ("screenshot %s", path);
  return s;
}

static guint
luma (guint32 p)
{
  return (((p >> 16) & 0xff) * 3 + ((p >> 8) & 0xff) * 6 + (p & 0xff)) / 10;
}

/* mean luma of a band of rows, and how many distinct values it holds */
static gdouble
band_mean (const Shot *s, gint y0, gint y1, guint *distinct)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  gdouble sum = 0;
  guint n = 0;

  for (gint j = y0; j < y1; j++)
    for (gint i = 0; i < s->width; i += 2)
      {
        guint32 p = s->pixels[j * s->width + i];

        sum += luma (p);
        g_hash_table_add (seen, GUINT_TO_POINTER (p));
        n++;
      }
  if (distinct != NULL)
    *distinct = g_hash_table_size (seen);
  return n > 0 ? sum / n : 0;
}

static guint32
pixel (const Shot *s, gint x, gint y)
{
  return s->pixels[y * s->width + x];
}

typedef struct
{
  guint windows;
  gulong xid;
  gint width, height;
} WindowInfo;

/* the agent's windows (WM_CLASS groupcast-display) and the first one's geometry */
static WindowInfo
display_windows (void)
{
  Display *x = XOpenDisplay (NULL);
  Window root = DefaultRootWindow (x), parent, *children = NULL;
  guint n = 0;
  WindowInfo info = { 0 };

  XQueryTree (x, root, &root, &parent, &children, &n);
  for (guint i = 0; i < n; i++)
    {
      XClassHint hint = { 0 };
      XWindowAttributes a;

      if (!XGetClassHint (x, children[i], &hint))
        continue;
      if (g_strcmp0 (hint.res_name, "groupcast-display") == 0)
        {
          XGetWindowAttributes (x, children[i], &a);
          if (info.windows++ == 0)
            {
              info.xid = children[i];
              info.width = a.map_state == IsViewable ? a.width : 0;
              info.height = a.map_state == IsViewable ? a.height : 0;
            }
        }
      XFree (hint.res_name);
      XFree (hint.res_class);
    }
  XFree (children);
  XCloseDisplay (x);
  return info;
}

static GcDisplay *
new_x11_display (void)
{
  GcDisplayOptions o = { "x11", NULL, FALSE, "Room 3 left", "10.99.0.7", "Physics lab" };
  g_autoptr (GError) error = NULL;
  GcDisplay *d = gc_display_new (&o, &error);

  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

static void
test_screens (void)
{
  g_autoptr (GcDisplay) d = NULL;
  g_autoptr (Shot) idle = NULL;
  g_autoptr (Shot) picture = NULL;
  g_autoptr (Shot) dimmed = NULL;
  g_autoptr (Shot) identify = NULL;
  g_autoptr (Shot) pairing = NULL;
  g_autoptr (GstSample) grey = solid_frame (640, 360, 200);
  WindowInfo w;
  guint distinct = 0;
  guint stream;

  if (xvfb == NULL)
    {
      g_test_skip (xvfb_reason);
      return;
    }
  d = new_x11_display ();
  spin (400);
  w = display_windows ();
  /* one window, the whole screen */
  g_assert_cmpuint (w.windows, ==, 1);
  g_assert_cmpint (w.width, ==, 1280);
  g_assert_cmpint (w.height, ==, 800);

  /* idle: not a blank screen; the name's band holds drawn text */
  gc_display_set_screen (d, GC_DISPLAY_SCREEN_IDLE, "Waiting for a source");
  spin (300);
  idle = take_shot ("display-idle.png");
  band_mean (idle, 0, 40, &distinct);
  g_assert_cmpuint (distinct, <, 40); /* the background: a smooth gradient */
  band_mean (idle, 300, 360, &distinct);
  g_assert_cmpuint (distinct, >, 40); /* the name, antialiased */

  /* a picture: scaled to the screen (16:9 on 16:10: bars above and
   * below), nothing over it */
  stream = gc_display_new_stream (d);
  gc_display_expect (d, stream);
  g_assert_true (gc_display_offer (d, stream, grey));
  spin (300);
  picture = take_shot ("display-picture.png");
  g_assert_cmpuint (luma (pixel (picture, 640, 400)), >, 180);
  g_assert_cmpuint (luma (pixel (picture, 10, 400)), >, 180);
  g_assert_cmpuint (luma (pixel (picture, 640, 10)), <, 10);

  /* no signal: the last frame stays, dimmed, with the notice */
  gc_display_forget (d, stream);
  gc_display_set_screen (d, GC_DISPLAY_SCREEN_NO_SIGNAL, "No signal from Desk 1 — reconnecting");
  spin (300);
  dimmed = take_shot ("display-no-signal.png");
  g_assert_cmpuint (luma (pixel (dimmed, 10, 400)), <, 120);
  g_assert_cmpuint (luma (pixel (dimmed, 10, 400)), >, 40);
  band_mean (dimmed, 700, 760, &distinct);
  g_assert_cmpuint (distinct, >, 10);

  /* identify: the name very large, across the middle, at once */
  gc_display_identify (d, 1);
  spin (150);
  identify = take_shot ("display-identify.png");
  g_assert_true (gc_display_is_identifying (d));
  g_assert_cmpuint ((pixel (identify, 40, 400) & 0xff), >, 150); /* the blue band */
  band_mean (identify, 300, 500, &distinct);
  g_assert_cmpuint (distinct, >, 20);
  spin (1300);
  g_assert_false (gc_display_is_identifying (d));

  /* pairing: the code in a green band at the top of the idle screen, the
   * digits large; gone when pairing ends */
  gc_display_set_screen (d, GC_DISPLAY_SCREEN_IDLE, "Waiting for a source");
  gc_display_set_pairing_code (d, "482913", 0);
  spin (300);
  pairing = take_shot ("display-pairing.png");
  g_assert_cmpuint ((pixel (pairing, 640, 36) >> 8) & 0xff, >, 90);              /* green */
  g_assert_cmpuint ((pixel (pairing, 640, 36) >> 8) & 0xff, >,
                    (pixel (pairing, 640, 36) >> 16) & 0xff);                    /* over red */
  band_mean (pairing, 90, 200, &distinct);
  g_assert_cmpuint (distinct, >, 20);                                            /* the digits */
  gc_display_set_pairing_code (d, NULL, 0);
  spin (300);
  g_clear_pointer (&pairing, shot_free);
  pairing = take_shot ("display-pairing-over.png");
  g_assert_cmpuint ((pixel (pairing, 640, 36) >> 8) & 0xff, <, 90);

  /* after all of it: still the one window */
  g_assert_cmpuint (display_windows ().xid, ==, w.xid);
  g_assert_cmpuint (display_windows ().windows, ==, 1);
}

static void
on_cut (GcDisplay *d, guint stream, gdouble gap, gdouble *out)
{
  out[0] = stream;
  out[1] = gap;
}

/* frames from the stream on screen are shown; a new stream's are not
 * until its first frame makes the cut, and then the old one's are not */
static void
test_cut (void)
{
  GcDisplayOptions o = { "fake", NULL, FALSE, "r", NULL, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GcDisplay) d = gc_display_new (&o, &error);
  g_autoptr (GstSample) a = solid_frame (64, 36, 40);
  g_autoptr (GstSample) b = solid_frame (64, 36, 220);
  gdouble cut[2] = { 0, 0 };
  guint sa, sb;

  g_assert_no_error (error);
  g_assert_cmpstr (gc_display_get_kind (d), ==, "fakesink");
  g_signal_connect (d, "cut", G_CALLBACK (on_cut), cut);
  sa = gc_display_new_stream (d);
  sb = gc_display_new_stream (d);
  g_assert_cmpuint (sa, !=, sb);
  g_assert_false (gc_display_offer (d, sa, a)); /* not expected: not shown */
  gc_display_expect (d, sa);
  g_assert_true (gc_display_offer (d, sa, a));
  spin (50);
  g_assert_cmpfloat (cut[0], ==, sa);
  g_assert_cmpfloat (cut[1], ==, -1); /* nothing was on screen before */
  g_assert_true (gc_display_offer (d, sa, a));
  /* a switch: B sets up while A stays on screen */
  gc_display_expect (d, sb);
  g_assert_true (gc_display_offer (d, sa, a));
  g_usleep (30000);
  g_assert_true (gc_display_offer (d, sb, b)); /* the cut */
  g_assert_false (gc_display_offer (d, sa, a)); /* A is off screen now */
  g_assert_true (gc_display_offer (d, sb, b));
  spin (50);
  g_assert_cmpfloat (cut[0], ==, sb);
  g_assert_cmpfloat (cut[1], >=, 30);
  g_assert_cmpfloat (cut[1], <, 1000);
  g_assert_cmpuint (gc_display_get_shown (d), ==, 5);
  gc_display_forget (d, sb);
  g_assert_false (gc_display_offer (d, sb, b));
}

/* @sample again, stamped as captured @ms ago */
static GstSample *
stamped (GstSample *sample, gdouble ms)
{
  GstBuffer *buf = gst_buffer_copy (gst_sample_get_buffer (sample));
  GstSample *out;

  gst_buffer_add_reference_timestamp_meta (buf, gc_ntp_reference_caps (),
                                           gc_ntp_now_ns () - (guint64) (ms * 1e6),
                                           GST_CLOCK_TIME_NONE);
  out = gst_sample_new (buf, gst_sample_get_caps (sample), NULL, NULL);
  gst_buffer_unref (buf);
  return out;
}

/* lip sync: while a stream's sound is heard 80 ms after its capture, a
 * frame of it captured 20 ms ago waits about 60 ms, frames keep their
 * order, and an older frame or one without sound is shown at once */
static void
test_lip_sync (void)
{
  GcDisplayOptions o = { "fake", NULL, FALSE, "r", NULL, NULL, "fake" };
  g_autoptr (GError) error = NULL;
  g_autoptr (GcDisplay) d = gc_display_new (&o, &error);
  g_autoptr (GstSample) grey = solid_frame (64, 36, 120);
  GcAudioReadings sound;
  guint stream, shown;
  gint64 t0;

  g_assert_no_error (error);
  stream = gc_display_new_stream (d);
  gc_display_expect (d, stream);
  {
    g_autoptr (GstSample) first = stamped (grey, 5);

    /* the cut comes at once: no sound is heard yet */
    g_assert_true (gc_display_offer (d, stream, first));
    g_assert_cmpuint (gc_display_get_shown (d), ==, 1);
  }
  /* 20 ms of silence every 20 ms, each captured 80 ms before it plays */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr (GstBuffer) buf = gst_buffer_new_and_alloc (960 * 2 * sizeof (gfloat));

      gst_buffer_memset (buf, 0, 0, gst_buffer_get_size (buf));
      gst_buffer_add_reference_timestamp_meta (buf, gc_ntp_reference_caps (),
                                               gc_ntp_now_ns () - 80 * G_GUINT64_CONSTANT (1000000),
                                               GST_CLOCK_TIME_NONE);
      gc_display_play_sound (d, stream, buf);
      spin (20);
    }
  gc_display_read_sound (d, stream, g_get_monotonic_time (), &sound);
  g_test_message ("sound latency %.1f ms", sound.latency_ms);
  g_assert_cmpfloat (sound.latency_ms, >, 70);
  g_assert_cmpfloat (sound.latency_ms, <, 120);
  /* a frame 20 ms old: held until it is as old as the sound */
  shown = gc_display_get_shown (d);
  t0 = g_get_monotonic_time ();
  {
    g_autoptr (GstSample) young = stamped (grey, 20);
    g_autoptr (GstSample) next = stamped (grey, 1);

    g_assert_true (gc_display_offer (d, stream, young));
    g_assert_cmpuint (gc_display_get_shown (d), ==, shown);
    g_assert_true (gc_display_offer (d, stream, next));
    while (gc_display_get_shown (d) == shown && g_get_monotonic_time () - t0 < G_USEC_PER_SEC)
      g_usleep (1000);
  }
  g_test_message ("held %.1f ms (hold %.1f ms)", (g_get_monotonic_time () - t0) / 1000.0,
                  gc_display_get_hold_ms (d));
  g_assert_cmpuint (gc_display_get_shown (d), ==, shown + 1);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 40000);
  g_assert_cmpfloat (gc_display_get_hold_ms (d), >, 50);
  g_assert_cmpfloat (gc_display_get_hold_ms (d), <=, GC_DISPLAY_MAX_HOLD_MS);
  /* the one after it follows, in order, about 20 ms later */
  while (gc_display_get_shown (d) == shown + 1 && g_get_monotonic_time () - t0 < G_USEC_PER_SEC)
    g_usleep (1000);
  g_assert_cmpuint (gc_display_get_shown (d), ==, shown + 2);
  /* older than the sound: at once */
  {
    g_autoptr (GstSample) old = stamped (grey, 200);

    g_assert_true (gc_display_offer (d, stream, old));
    g_assert_cmpuint (gc_display_get_shown (d), ==, shown + 3);
    g_assert_cmpfloat (gc_display_get_hold_ms (d), ==, 0);
  }
  /* a frame without a stamp is never held */
  g_assert_true (gc_display_offer (d, stream, grey));
  g_assert_cmpuint (gc_display_get_shown (d), ==, shown + 4);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  xvfb = gc_xvfb_start (&error);
  if (xvfb == NULL)
    xvfb_reason = g_strdup_printf ("no X server for the display tests: %s", error->message);
  else
    g_setenv ("DISPLAY", gc_xvfb_get_display (xvfb), TRUE);
  g_test_add_func ("/groupcast/display/screens", test_screens);
  g_test_add_func ("/groupcast/display/cut", test_cut);
  g_test_add_func ("/groupcast/display/lip-sync", test_lip_sync);
  ret = g_test_run ();
  g_clear_pointer (&xvfb, gc_xvfb_stop);
  g_free (xvfb_reason);
  return ret;
}
