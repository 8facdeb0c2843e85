/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gst/gst.h>

#include "gc-config.h"
#include "gc-error.h"
#include "gc-igmp.h"
#include "gc-receiver-checks.h"
#include "gc-source.h"

static const gchar igmp[] =
  "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
  "1\tlo        :     1      V3\n"
  "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
  "2\teth0      :     3      V3\n"
  "\t\t\t\t0B0000EF     1 0:00000000\t\t0\n"
  "\t\t\t\t0C0000EF     2 0:00000000\t\t0\n"
  "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
  "3\twlan0     :     1      V3\n"
  "\t\t\t\t0D0000EF     1 0:00000000\t\t0\n";

static void
test_igmp_parse (void)
{
  g_auto (GStrv) eth0 = gc_igmp_parse_groups (igmp, "eth0");
  g_auto (GStrv) all = gc_igmp_parse_groups (igmp, NULL);
  g_auto (GStrv) none = gc_igmp_parse_groups (igmp, "eth9");
  g_auto (GStrv) junk = gc_igmp_parse_groups ("2\teth0 :\n\tZZZZ\n\t12\n", "eth0");
  g_auto (GStrv) empty = gc_igmp_parse_groups (NULL, NULL);

  g_assert_cmpuint (g_strv_length (eth0), ==, 2);
  g_assert_cmpstr (eth0[0], ==, "239.0.0.11");
  g_assert_cmpstr (eth0[1], ==, "239.0.0.12");
  /* without an interface: all but loopback, never all-hosts */
  g_assert_cmpuint (g_strv_length (all), ==, 3);
  g_assert_cmpstr (all[2], ==, "239.0.0.13");
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (g_strv_length (junk), ==, 0);
  g_assert_cmpuint (g_strv_length (empty), ==, 0);
}

static void
test_check_url (void)
{
  const gchar *good[] = { "rtsp://10.0.0.1:7236/screen", "rtsp://host/screen", "rtsp://[::1]:7236/x" };
  const gchar *bad[] = { "", "http://10.0.0.1/", "rtsp://", "rtsp:///screen", "rtsp://a b/",
                         "rtsp://x/\"y", "screen", "rtsp://h/\r\nInject: 1" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (gc_receiver_check_url (good[i], &error));
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (gc_receiver_check_url (bad[i], &error));
      g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    }
  g_assert_false (gc_receiver_check_url (NULL, NULL));
}

static void
test_launch (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *launch = NULL;
  g_autofree gchar *enc = gc_source_pick_encoder ("auto", &error);

  g_assert_no_error (error);
  g_assert_nonnull (enc);
  launch = gc_source_build_launch (c, enc, &error);
  g_assert_no_error (error);
  /* low latency, forced-key-frame friendly, payloader the server finds */
  g_assert_nonnull (strstr (launch, "name=pay0"));
  g_assert_nonnull (strstr (launch, "width=1280,height=720,framerate=30/1"));
  if (g_str_equal (enc, "x264enc"))
    {
      g_assert_nonnull (strstr (launch, "tune=zerolatency"));
      g_assert_nonnull (strstr (launch, "bframes=0"));
      g_assert_nonnull (strstr (launch, "intra-refresh=false"));
    }
}

static void
test_launch_errors (void)
{
  const gchar *captures[] = { "v4l2:/dev/nonexistent-video", "file:/nonexistent/clip.mp4",
                              "notanelement ! alsoNot", "videotestsrc ! ! !" };

  for (gsize i = 0; i < G_N_ELEMENTS (captures); i++)
    {
      g_autoptr (GcConfig) c = gc_config_new_default ();
      g_autoptr (GError) error = NULL;
      g_autofree gchar *launch = NULL;

      g_free (c->capture);
      c->capture = g_strdup (captures[i]);
      launch = gc_source_build_launch (c, "x264enc", &error);
      g_assert_null (launch);
      g_assert_nonnull (error);
      g_test_message ("%s -> %s", captures[i], error->message);
    }
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *e = gc_source_pick_encoder ("nosuchenc", &error);

    g_assert_null (e);
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_assert_nonnull (strstr (error->message, "nosuchenc"));
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/receiver/igmp-parse", test_igmp_parse);
  g_test_add_func ("/groupcast/receiver/check-url", test_check_url);
  g_test_add_func ("/groupcast/source/launch", test_launch);
  g_test_add_func ("/groupcast/source/launch-errors", test_launch_errors);
  return g_test_run ();
}
