/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what the source captures: the session's kind from its environment, the
 * words D-Bus may choose, the portal's pipewiresrc description, the
 * preview's size and branch.
 */
#include "config.h"

#include <gst/gst.h>

#include "gc-config.h"
#include "gc-error.h"
#include "gc-source-launch.h"

typedef struct
{
  const gchar *session_type, *wayland, *display;
  gint kind;                /* -1: an error */
} KindCase;

static void
test_screen_kind (void)
{
  static const KindCase cases[] = {
    /* GNOME on Wayland: Xwayland sets DISPLAY too; the portal it is */
    { "wayland", "wayland-0", ":0", GC_CAPTURE_KIND_PORTAL },
    { "wayland", NULL, NULL, GC_CAPTURE_KIND_PORTAL },
    { "x11", NULL, ":0", GC_CAPTURE_KIND_X11 },
    /* an X11 session says so even if a nested compositor left WAYLAND_DISPLAY */
    { "x11", "wayland-1", ":0", GC_CAPTURE_KIND_X11 },
    { "x11", NULL, NULL, -1 },
    /* a user unit that was not given XDG_SESSION_TYPE */
    { NULL, "wayland-0", ":0", GC_CAPTURE_KIND_PORTAL },
    { "", "", ":1", GC_CAPTURE_KIND_X11 },
    { "tty", NULL, NULL, -1 },
    { NULL, NULL, NULL, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const KindCase *c = &cases[i];
      g_autoptr (GError) error = NULL;
      GcCaptureKind kind = GC_CAPTURE_KIND_TEST;
      gboolean ok = gc_capture_screen_kind (c->session_type, c->wayland, c->display, &kind, &error);

      if (c->kind < 0)
        {
          g_assert_false (ok);
          g_assert_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED);
          /* it says what to do */
          g_assert_nonnull (strstr (error->message, "DISPLAY"));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (kind, ==, c->kind);
        }
    }
}

static void
test_choices (void)
{
  static const gchar *const good[] = { "test", "screen", "portal", "x11" };
  static const gchar *const bad[] = { "", "v4l2", "v4l2:/dev/video0", "file:/etc/passwd",
                                      "videotestsrc ! filesink location=/tmp/x", "Screen", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (gc_capture_is_choice (good[i]));
  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_false (gc_capture_is_choice (bad[i]));
  g_assert_false (gc_capture_is_choice (NULL));
}

static void
test_portal_launch (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  GcCaptureStream stream = { 7, 42 };
  g_autofree gchar *launch = NULL;
  g_autofree gchar *none = NULL;

  /* a PipeWire stream on the portal's fd and node, converted and scaled
   * once per frame that came, then paced (the pacer's appsink and appsrc),
   * with no videorate to hold a frame back */
  launch = gc_source_build_launch_for (c, "portal", "x264enc", &stream, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (launch, "pipewiresrc fd=7 path=42 "));
  g_assert_nonnull (strstr (launch, "appsink name=gcpacein"));
  g_assert_nonnull (strstr (launch, "appsrc name=gcpaceout is-live=true"));
  g_assert_nonnull (strstr (launch, "framerate=30/1"));
  g_assert_null (strstr (launch, "videorate ! video/x-raw,format=I420"));
  /* without a screen cast session there is nothing to read */
  none = gc_source_build_launch_for (c, "portal", "x264enc", NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, GC_ERROR, GC_ERROR_FAILED);
}

static void
test_preview (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *launch = NULL;
  g_autofree gchar *plain = NULL;
  guint w, h;

  gc_source_preview_size (c, &w, &h);
  g_assert_cmpuint (w, ==, 320);
  g_assert_cmpuint (h, ==, 180);
  c->width = 1024;
  c->height = 768;
  gc_source_preview_size (c, &w, &h);
  g_assert_cmpuint (w, ==, 320);
  g_assert_cmpuint (h, ==, 240);
  /* never larger than the picture */
  c->width = 160;
  c->height = 90;
  gc_source_preview_size (c, &w, &h);
  g_assert_cmpuint (w, ==, 160);
  g_assert_cmpuint (h, ==, 90);
  launch = gc_source_build_launch (c, "x264enc", &error);
  g_assert_no_error (error);
  /* a tee of the encoded picture, one JPEG a second, never in the way */
  g_assert_nonnull (strstr (launch, "tee name=gcpreviewtee"));
  g_assert_nonnull (strstr (launch, "max-rate=1"));
  g_assert_nonnull (strstr (launch, "jpegenc"));
  g_assert_nonnull (strstr (launch, "appsink name=gcpreview"));
  c->preview_width = 0;
  plain = gc_source_build_launch (c, "x264enc", &error);
  g_assert_no_error (error);
  g_assert_null (strstr (plain, "gcpreview"));
}

/* the sound a start sends, and its branch of the launch */
static void
test_audio_branch (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *tone = NULL;
  g_autofree gchar *quiet = NULL;

  /* from the capture: the tone with the test pattern, the desktop's
   * sound with a screen, none with a camera or a file */
  g_assert_cmpstr (gc_source_audio_word (c, "test"), ==, "test");
  g_assert_cmpstr (gc_source_audio_word (c, "portal"), ==, "desktop");
  g_assert_cmpstr (gc_source_audio_word (c, "x11"), ==, "desktop");
  g_assert_cmpstr (gc_source_audio_word (c, "v4l2:/dev/video0"), ==, "none");
  g_assert_cmpstr (gc_source_audio_word (c, "file:/tmp/x.mp4"), ==, "none");
  c->audio = g_strdup ("none");
  g_assert_cmpstr (gc_source_audio_word (c, "test"), ==, "none");
  /* Opus, 10 ms, low delay, FEC, as the second payloader, stamped */
  tone = gc_source_build_launch_for (c, "test", "x264enc", NULL, "test", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (tone, "audiotestsrc"));
  g_assert_nonnull (strstr (tone, "opusenc audio-type=restricted-lowdelay frame-size=20"));
  g_assert_nonnull (strstr (tone, "samplesperbuffer=960"));
  g_assert_nonnull (strstr (tone, "inband-fec=true"));
  g_assert_nonnull (strstr (tone, "rtpopuspay name=pay1"));
  g_assert_nonnull (strstr (tone, "identity name=gcaudiocapture"));
  /* 10 ms frames, when asked: the capture's buffers follow */
  c->audio_frame_ms = 10;
  {
    g_autofree gchar *ten = gc_source_build_launch_for (c, "test", "x264enc", NULL, "test",
                                                        &error);

    g_assert_no_error (error);
    g_assert_nonnull (strstr (ten, "frame-size=10"));
    g_assert_nonnull (strstr (ten, "samplesperbuffer=480"));
  }
  quiet = gc_source_build_launch_for (c, "test", "x264enc", NULL, "none", &error);
  g_assert_no_error (error);
  g_assert_null (strstr (quiet, "pay1"));
  /* the test pattern makes frames at the asked rate: no videorate to hold
   * each one back a frame time; a pipeline's (or a camera's) own rate is
   * converted */
  g_assert_null (strstr (quiet, "videorate ! video/x-raw,format=I420"));
  g_assert_nonnull (strstr (quiet, "videoscale ! video/x-raw,format=I420"));
  {
    g_autofree gchar *camera = gc_source_build_launch_for (c, "videotestsrc is-live=true",
                                                           "x264enc", NULL, "none", &error);

    g_assert_no_error (error);
    g_assert_nonnull (strstr (camera, "! videorate ! video/x-raw,format=I420"));
  }
  /* the tone is always there; no sound server is needed to know it */
  g_assert_true (gc_source_audio_works ("test", &error));
  g_assert_true (gc_source_audio_works ("none", &error));
  g_assert_no_error (error);
}

static void
test_desktop_default (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GcConfig) d = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  gchar *argv1[] = { "groupcast-agent", "--source", "--desktop", NULL };
  gchar *argv2[] = { "groupcast-agent", "--source", "--desktop", "--capture=test", NULL };
  gchar **a1 = argv1, **a2 = argv2;
  gint n1 = 3, n2 = 4;

  /* a desktop agent shares the screen; the test pattern stays the
   * default for everything else, and an explicit choice wins */
  g_assert_cmpstr (c->capture, ==, "test");
  g_assert_true (gc_config_parse_args (c, &n1, &a1, &error));
  g_assert_no_error (error);
  g_assert_true (c->desktop);
  g_assert_cmpstr (c->capture, ==, "screen");
  g_assert_true (gc_config_parse_args (d, &n2, &a2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (d->capture, ==, "test");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/capture/screen-kind", test_screen_kind);
  g_test_add_func ("/groupcast/capture/choices", test_choices);
  g_test_add_func ("/groupcast/capture/portal-launch", test_portal_launch);
  g_test_add_func ("/groupcast/capture/preview", test_preview);
  g_test_add_func ("/groupcast/capture/desktop-default", test_desktop_default);
  g_test_add_func ("/groupcast/capture/audio-branch", test_audio_branch);
  return g_test_run ();
}
