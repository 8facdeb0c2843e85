/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the media path across a real LAN: a source in one lab host, receivers in
 * others, an IGMP-snooping bridge between them.
 */
#include "config.h"

#include "gc-test-agent.h"

#define GROUP "239.0.0.11"
#define URL1 "rtsp://10.99.0.1:7236/screen"


static GcTestAgent *
start_source (GcLab *lab, guint host, const gchar *group, const gchar *bitrate)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *g = g_strdup_printf ("--group=%s", group);
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--source", g, "--no-mdns",
                                        "--no-beacons", bitrate, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  return a;
}

static GcTestAgent *
start_receiver (GcLab *lab, guint host, const gchar *url)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *c = url ? g_strdup_printf ("--connect=%s", url) : g_strdup ("--receiver");
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--receiver", c, "--sink=fake",
                                        "--no-mdns", "--no-beacons", NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  return a;
}

static void
test_three_receivers (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (5);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r2 = NULL;
  g_autoptr (GcTestAgent) r3 = NULL;
  g_autoptr (GcTestAgent) r4 = NULL;
  g_autoptr (GVariant) members = NULL;
  guint64 idle_before, member_before, idle_got, member_got;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP, "--bitrate=2000");
  r2 = start_receiver (lab, 2, URL1);
  r3 = start_receiver (lab, 3, URL1);
  r4 = start_receiver (lab, 4, URL1);
  g_assert_true (gc_test_agent_wait_playing (r2, 15000));
  g_assert_true (gc_test_agent_wait_playing (r3, 15000));
  g_assert_true (gc_test_agent_wait_playing (r4, 15000));

  /* all three decode frames, and keep decoding */
  gc_test_sleep (1000);
  g_assert_cmpuint (gc_test_agent_get_u64 (r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded"), >, 10);
  g_assert_cmpuint (gc_test_agent_get_u64 (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded"), >, 10);
  g_assert_cmpuint (gc_test_agent_get_u64 (r4, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded"), >, 10);

  /* the bridge sends the group to the three receivers' ports, not host 5 */
  g_assert_true (gc_lab_mdb_has (lab, GROUP, 2));
  g_assert_true (gc_lab_mdb_has (lab, GROUP, 3));
  g_assert_true (gc_lab_mdb_has (lab, GROUP, 4));
  g_assert_false (gc_lab_mdb_has (lab, GROUP, 5));
  idle_before = gc_lab_rx_bytes (lab, 5);
  member_before = gc_lab_rx_bytes (lab, 2);
  gc_test_sleep (2000);
  idle_got = gc_lab_rx_bytes (lab, 5) - idle_before;
  member_got = gc_lab_rx_bytes (lab, 2) - member_before;
  /* 2 Mbit/s for 2 s is ~500 kB; the idle host sees only IGMP queries */
  g_assert_cmpuint (member_got, >, 200000);
  g_assert_cmpuint (idle_got, <, 5000);

  /* the source lists the three as members */
  members = gc_test_agent_get (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Members");
  g_assert_nonnull (members);
  g_assert_true (g_variant_lookup_value (members, "10.99.0.2", NULL) != NULL);
  g_assert_cmpuint (g_variant_n_children (members), ==, 3);
  {
    GcTestAgent *all[] = { src, r2, r3, r4 };
    gc_test_agent_dump_logs_on_failure (all, 4);
  }
}

static gboolean
member_has_loss (gpointer data)
{
  GcTestAgent *src = data;
  g_autoptr (GVariant) members = gc_test_agent_get (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Members");
  g_autoptr (GVariant) m = members ? g_variant_lookup_value (members, "10.99.0.3", NULL) : NULL;
  gdouble fraction = 0;
  gint64 lost = 0;

  if (m == NULL)
    return FALSE;
  g_variant_lookup (m, "fraction-lost", "d", &fraction);
  g_variant_lookup (m, "packets-lost", "x", &lost);
  return fraction > 0.01 && lost > 0;
}

static gboolean
received_enough (gpointer data)
{
  return gc_test_agent_get_u64 (data, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsReceived") > 4000;
}

/* the same loss (2 %) on two receivers' links, one of a source with FEC
 * (the default), one of a source without: lost picture packets are
 * rebuilt, and fewer frames miss data */
static void
test_fec (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (4);
  g_autoptr (GcTestAgent) with = NULL;
  g_autoptr (GcTestAgent) without = NULL;
  g_autoptr (GcTestAgent) r3 = NULL;
  g_autoptr (GcTestAgent) r4 = NULL;
  g_autoptr (GError) error = NULL;
  guint64 dam3, dam4, dec3, dec4, rec3, lost3;

  if (lab == NULL)
    return;
  with = start_source (lab, 1, GROUP, "--bitrate=1000");
  without = gc_test_agent_start (lab, 2, &error, "--source", "--group=239.0.0.12", "--no-mdns",
                                 "--no-beacons", "--bitrate=1000", "--fec=none", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_string (without, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  r3 = start_receiver (lab, 3, URL1);
  r4 = start_receiver (lab, 4, "rtsp://10.99.0.2:7236/screen");
  g_assert_true (gc_test_agent_wait_playing (r3, 15000));
  g_assert_true (gc_test_agent_wait_playing (r4, 15000));
  g_assert_true (gc_lab_set_loss (lab, 3, 2, &error));
  g_assert_true (gc_lab_set_loss (lab, 4, 2, &error));
  g_assert_no_error (error);
  dam3 = gc_test_agent_receiver_u64 (r3, "FramesDamaged");
  dam4 = gc_test_agent_receiver_u64 (r4, "FramesDamaged");
  dec3 = gc_test_agent_receiver_u64 (r3, "FramesDecoded");
  dec4 = gc_test_agent_receiver_u64 (r4, "FramesDecoded");
  gc_test_sleep (15000);
  dam3 = gc_test_agent_receiver_u64 (r3, "FramesDamaged") - dam3;
  dam4 = gc_test_agent_receiver_u64 (r4, "FramesDamaged") - dam4;
  dec3 = gc_test_agent_receiver_u64 (r3, "FramesDecoded") - dec3;
  dec4 = gc_test_agent_receiver_u64 (r4, "FramesDecoded") - dec4;
  rec3 = gc_test_agent_receiver_u64 (r3, "PacketsRecovered");
  lost3 = gc_test_agent_receiver_u64 (r3, "PacketsLost");
  g_test_message ("FEC: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " lost packets rebuilt, "
                  "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " frames damaged; without: "
                  "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT, rec3, lost3, dam3, dec3, dam4,
                  dec4);
  /* lost counts the FEC packets lost too; the bench rebuilds half or more */
  g_assert_cmpuint (rec3, >, 0);
  g_assert_cmpuint (rec3 * 4, >=, lost3);
  g_assert_cmpuint (rec3, <=, lost3);
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r4, "PacketsRecovered"), ==, 0);
  /* both play on, and the one with FEC loses fewer frames */
  g_assert_cmpuint (dec3, >, 0);
  g_assert_cmpuint (dec4, >, 0);
  g_assert_cmpuint (dam4, >, 0);
  g_assert_cmpuint (dam3, <, dam4);
}

static void
test_counters_agree (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r2 = NULL;
  g_autoptr (GcTestAgent) r3 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) members = NULL;
  g_autoptr (GVariant) m2 = NULL;
  g_autoptr (GVariant) cret = NULL;
  guint64 port_before, port_pkts, got, lost3, got3, lost2;
  gdouble fraction2 = 1;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP, "--bitrate=4000");
  port_before = gc_lab_udp_count (lab, 2, 15550);
  r2 = start_receiver (lab, 2, URL1);
  r3 = start_receiver (lab, 3, NULL);
  gc_lab_set_loss (lab, 3, 5, &error);
  g_assert_no_error (error);
  cret = gc_test_agent_call (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                             g_variant_new ("(s)", URL1), 5000, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (r2, 15000));
  g_assert_true (gc_test_agent_wait_playing (r3, 15000));

  /* the source's per-member view shows host 3's loss from its RTCP reports */
  g_assert_true (gc_test_wait_until (member_has_loss, src, 20000));
  members = gc_test_agent_get (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Members");
  m2 = g_variant_lookup_value (members, "10.99.0.2", NULL);
  g_assert_nonnull (m2);
  g_variant_lookup (m2, "fraction-lost", "d", &fraction2);
  g_assert_cmpfloat (fraction2, <, 0.01);

  g_assert_true (gc_test_wait_until (received_enough, r3, 20000));
  lost3 = gc_test_agent_get_u64 (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsLost");
  got3 = gc_test_agent_get_u64 (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsReceived");
  g_test_message ("lossy receiver: %" G_GUINT64_FORMAT " received, %" G_GUINT64_FORMAT " lost",
                  got3, lost3);
  /* ~5 % dropped: well above 2 %, well below 10 % */
  g_assert_cmpfloat ((gdouble) lost3 / (lost3 + got3), >, 0.02);
  g_assert_cmpfloat ((gdouble) lost3 / (lost3 + got3), <, 0.10);
  /* frames that lost packets were dropped by the decoder, and counted;
   * the lossless receiver has none */
  {
    guint64 damaged3 = gc_test_agent_get_u64 (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                              "FramesDamaged");
    guint64 decoded3 = gc_test_agent_get_u64 (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                              "FramesDecoded");

    g_test_message ("lossy receiver: %" G_GUINT64_FORMAT " frames decoded, %" G_GUINT64_FORMAT
                    " damaged", decoded3, damaged3);
    g_assert_cmpuint (damaged3, >, 0);
    g_assert_cmpuint (decoded3, >, 0);
    /* the lossless link: a few at most, where its jitter buffer, starting
     * with no latency, let the first key frame's burst through with holes
     * (the next frames until a key frame are held) */
    {
      guint64 damaged2 = gc_test_agent_get_u64 (r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                "FramesDamaged");

      g_test_message ("lossless receiver: %" G_GUINT64_FORMAT " frames damaged", damaged2);
      g_assert_cmpuint (damaged2 * 4, <, damaged3);
    }
  }

  /* stop the source, let counters settle, compare with the bridge */
  gc_test_agent_stop (src);
  gc_test_sleep (1500);
  got = gc_test_agent_get_u64 (r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsReceived");
  lost2 = gc_test_agent_get_u64 (r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsLost");
  port_pkts = gc_lab_udp_count (lab, 2, 15550) - port_before;
  g_test_message ("receiver counted %" G_GUINT64_FORMAT ", port carried %" G_GUINT64_FORMAT,
                  got, port_pkts);
  if ((gdouble) (port_pkts - got) / port_pkts >= 0.01)
    {
      g_autofree gchar *log = gc_test_agent_get_log (r2);
      g_test_message ("%s", log);
    }
  g_assert_cmpuint (lost2, ==, 0);
  /* every RTP packet the bridge sent to the port, counted within 1 % */
  g_assert_cmpfloat ((gdouble) (port_pkts - got) / port_pkts, <, 0.01);
  {
    GcTestAgent *all[] = { src, r2, r3 };
    gc_test_agent_dump_logs_on_failure (all, 3);
  }
}

static gboolean
only_in_group (gpointer data)
{
  GcTestAgent *r = data;
  g_autoptr (GVariant) groups = gc_test_agent_get (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "KernelGroups");
  g_autofree const gchar **g = groups ? g_variant_get_strv (groups, NULL) : NULL;

  return g != NULL && g_strv_length ((gchar **) g) == 1 && g_str_equal (g[0], "239.0.0.12");
}

static gboolean
left_group_a (gpointer lab)
{
  return !gc_lab_mdb_has (lab, GROUP, 3) && gc_lab_mdb_has (lab, "239.0.0.12", 3);
}

static void
test_move_between_sources (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *group = NULL;

  if (lab == NULL)
    return;
  a = start_source (lab, 1, GROUP, "--bitrate=2000");
  b = start_source (lab, 2, "239.0.0.12", "--bitrate=2000");
  r = start_receiver (lab, 3, URL1);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  g_assert_true (gc_lab_mdb_has (lab, GROUP, 3));

  ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(s)", "rtsp://10.99.0.2:7236/screen"), 5000, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  url = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "SourceUrl");
  g_assert_cmpstr (url, ==, "rtsp://10.99.0.2:7236/screen");
  /* the kernel left A's group; the bridge no longer sends it to host 3 */
  g_assert_true (gc_test_wait_until (only_in_group, r, 5000));
  g_assert_true (gc_test_wait_until (left_group_a, lab, 5000));
  gc_test_sleep (600); /* counters are published twice a second */
  group = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Group");
  g_assert_cmpstr (group, ==, "239.0.0.12");
  {
    GcTestAgent *all[] = { a, b, r };
    gc_test_agent_dump_logs_on_failure (all, 3);
  }
}

static void
test_source_restart (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  gint64 t0;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP, "--bitrate=2000");
  r = start_receiver (lab, 2, URL1);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));

  /* a source that dies without a word */
  gc_test_agent_kill (src);
  t0 = g_get_monotonic_time ();
  g_assert_true (gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "no-signal", 3500));
  g_test_message ("no-signal after %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);

  gc_test_agent_restart (src, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  t0 = g_get_monotonic_time ();
  /* back with no command: it retries every 2 s at most, so 15 s is several
   * retries; how fast it comes back is measured by gc-bench-recovery */
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  g_test_message ("playing again %.0f ms after the source was ready",
                  (g_get_monotonic_time () - t0) / 1000.0);
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

static void
connect_expect_error (GcTestAgent *r, const gchar *url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autofree gchar *msg = NULL;

  ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(s)", url), 5000, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "error", 10000));
  msg = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Error");
  g_test_message ("%s -> %s", url, msg);
  g_assert_nonnull (msg);
  g_assert_cmpuint (strlen (msg), >, 5);
}

static void
test_bad_input (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GSubprocess) garbage = NULL;
  g_autoptr (GSubprocess) http = NULL;
  g_autoptr (GSubprocess) badrtsp = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = NULL;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP, "--bitrate=2000");
  r = start_receiver (lab, 3, NULL);
  garbage = gc_lab_spawn (lab, 2, NULL, &error, GC_FAKE_SERVER, "8001", "garbage", "120", NULL);
  g_assert_no_error (error);
  http = gc_lab_spawn (lab, 2, NULL, &error, GC_FAKE_SERVER, "8002", "http", "120", NULL);
  g_assert_no_error (error);
  badrtsp = gc_lab_spawn (lab, 2, NULL, &error, GC_FAKE_SERVER, "8003", "badrtsp", "120", NULL);
  g_assert_no_error (error);
  gc_test_sleep (300);

  /* not an RTSP URL at all: refused at the door, state untouched */
  ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(s)", "http://10.99.0.1/"), 5000, &error);
  g_assert_nonnull (error);
  g_assert_true (g_dbus_error_is_remote_error (error));
  {
    g_autofree gchar *name = g_dbus_error_get_remote_error (error);
    g_assert_cmpstr (name, ==, "io.github.Groupcast.Error.InvalidArgs");
  }
  g_clear_error (&error);
  {
    g_autofree gchar *st = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
    g_assert_cmpstr (st, ==, "idle");
  }

  connect_expect_error (r, "rtsp://10.99.0.1:9999/screen");  /* nothing listens */
  connect_expect_error (r, "rtsp://10.99.0.2:8001/screen");  /* garbage */
  connect_expect_error (r, "rtsp://10.99.0.2:8002/screen");  /* a web server */
  connect_expect_error (r, "rtsp://10.99.0.2:8003/screen");  /* broken RTSP */

  /* and the next connect works */
  g_clear_pointer (&ret, g_variant_unref);
  ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(s)", URL1), 5000, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  g_assert_nonnull (r->proc);
  g_assert_nonnull (g_subprocess_get_identifier (r->proc)); /* still running */
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

static void
test_same_host (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) both = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  guint64 frames;

  if (lab == NULL)
    return;
  /* a source that also shows its own picture: needs multicast loopback and
   * shared group ports; its own looped packets must not disturb the session */
  both = gc_test_agent_start (lab, 1, &error, "--source", "--receiver", "--group=" GROUP,
                              "--connect=" URL1, "--sink=fake", "--no-mdns", "--no-beacons", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (both, 10000));
  r = start_receiver (lab, 2, URL1);
  g_assert_true (gc_test_agent_wait_playing (both, 15000));
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  frames = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded");
  gc_test_sleep (4000);
  /* both keep playing without a stall: about 30 frames a second, no loss */
  g_assert_cmpuint (gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded")
                    - frames, >, 90);
  g_assert_cmpuint (gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsLost"), ==, 0);
  g_assert_true (gc_test_agent_wait_string (both, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "playing", 100));
  g_assert_true (gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "playing", 100));
  {
    GcTestAgent *all[] = { both, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

static void
test_interop_ffmpeg (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autoptr (GSubprocess) p = NULL;
  g_autofree gchar *out = NULL;

  if (lab == NULL)
    return;
  if (!g_file_test ("/usr/bin/ffmpeg", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("ffmpeg is not installed");
      return;
    }
  src = start_source (lab, 1, GROUP, "--bitrate=2000");
  /* a player nobody here wrote takes the stream by multicast */
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  p = gc_lab_spawn (lab, 2, l, &error, "timeout", "20", "ffmpeg", "-nostdin", "-hide_banner",
                    "-rtsp_transport", "udp_multicast", "-i", URL1, "-frames:v", "30",
                    "-af", "volumedetect", "-f", "null", "-", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_subprocess_get_successful (p));
  g_assert_nonnull (strstr (out, "h264"));
  g_assert_nonnull (strstr (out, "frame=   30"));
  /* and the sound of the same session: Opus (RFC 7587), the test tone,
   * not silence (a sine at 0.2 is -17 dBFS RMS) */
  g_assert_nonnull (strstr (out, "Audio: opus, 48000 Hz, stereo"));
  {
    const gchar *mean = strstr (out, "mean_volume: ");

    g_assert_nonnull (mean);
    g_assert_cmpfloat (g_ascii_strtod (mean + strlen ("mean_volume: "), NULL), >, -30);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/media/three-receivers", test_three_receivers);
  g_test_add_func ("/groupcast/media/counters-agree", test_counters_agree);
  g_test_add_func ("/groupcast/media/fec", test_fec);
  g_test_add_func ("/groupcast/media/move-between-sources", test_move_between_sources);
  g_test_add_func ("/groupcast/media/source-restart", test_source_restart);
  g_test_add_func ("/groupcast/media/bad-input", test_bad_input);
  g_test_add_func ("/groupcast/media/same-host", test_same_host);
  g_test_add_func ("/groupcast/media/interop-ffmpeg", test_interop_ffmpeg);
  return g_test_run ();
}
