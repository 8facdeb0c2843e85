/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * soak: load held for minutes against real agents in the lab. each test is
 * bounded in time; the defaults fit the 'soak' suite's 15 minutes:
 *
 *   GC_SOAK_MINUTES         eight receivers on one source (default 7)
 *   GC_SOAK_SWITCH_MINUTES  switching back and forth, 50 a minute (default 4)
 *
 * figures go to the TAP log (meson-logs/testlog.txt).
 */
#define G_LOG_DOMAIN "GcSoakTest"

#include "config.h"

#include "gc-test-agent.h"

#define GROUP "239.0.0.11"
#define GROUP_B "239.0.0.12"
#define URL1 "rtsp://10.99.0.1:7236/screen"
#define N_RECEIVERS 8

static guint
minutes_from_env (const gchar *name, guint fallback)
{
  const gchar *v = g_getenv (name);
  guint64 m;

  if (v != NULL && g_ascii_string_to_unsigned (v, 10, 1, 60, &m, NULL))
    return (guint) m;
  return fallback;
}

static GcTestAgent *
start_agent (GcLab *lab, guint host, const gchar *a1, const gchar *a2, const gchar *a3,
             const gchar *a4, const gchar *a5, const gchar *a6)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, a1, a2, a3, a4, a5, a6, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 15000));
  return a;
}

static void
dump_logs_on_failure (GcTestAgent **agents, guint n)
{
  if (!g_test_failed ())
    return;
  for (guint i = 0; i < n; i++)
    if (agents[i] != NULL)
      {
        g_autofree gchar *log = gc_test_agent_get_log (agents[i]);
        gsize len = strlen (log);

        /* the tail: a soak log is long */
        g_test_message ("--- host %u log (tail) ---\n%s", agents[i]->host,
                        log + (len > 20000 ? len - 20000 : 0));
      }
}

/* ---- eight receivers for minutes ---------------------------------------- */

static void
test_eight_receivers (void)
{
  guint minutes = minutes_from_env ("GC_SOAK_MINUTES", 7);
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (N_RECEIVERS + 1);
  g_autoptr (GcTestAgent) src = NULL;
  GcTestAgent *r[N_RECEIVERS + 1] = { NULL };
  guint64 port0[N_RECEIVERS + 1], rtp0[N_RECEIVERS + 1], sent0, sent1;
  guint64 rss_warm, rss_end, rss_max = 0;
  gint pid;
  gint64 start, end, warm_end;

  if (lab == NULL)
    return;
  src = start_agent (lab, 1, "--source", "--group=" GROUP, "--no-mdns", "--no-beacons",
                     "--bitrate=2000", NULL);
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  pid = gc_test_agent_pid (src);
  g_assert_cmpint (pid, >, 0);
  for (guint h = 2; h <= N_RECEIVERS + 1; h++)
    {
      port0[h - 1] = gc_lab_rx_packets (lab, h);
      /* the bridge counts the RTP packets it forwards to this port from here */
      rtp0[h - 1] = gc_lab_udp_count (lab, h, 15550);
      r[h - 1] = start_agent (lab, h, "--receiver", "--connect=" URL1, "--sink=fake", "--no-mdns",
                              "--no-beacons", NULL);
    }
  for (guint i = 1; i <= N_RECEIVERS; i++)
    g_assert_true (gc_test_agent_wait_playing (r[i], 20000));

  /* warm-up: a minute, or a third of a short run */
  start = g_get_monotonic_time ();
  warm_end = start + MIN (60, minutes * 20) * G_USEC_PER_SEC;
  end = start + (gint64) minutes * 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < warm_end)
    gc_test_sleep (1000);
  rss_warm = gc_test_proc_status (pid, "VmRSS");
  sent0 = gc_test_agent_get_u64 (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "PacketsSent");
  g_test_message ("warm: source VmRSS %" G_GUINT64_FORMAT " kB, %u fds, %" G_GUINT64_FORMAT
                  " threads", rss_warm, gc_test_fd_count (pid), gc_test_proc_status (pid, "Threads"));
  while (g_get_monotonic_time () < end)
    {
      gc_test_sleep (5000);
      rss_max = MAX (rss_max, gc_test_proc_status (pid, "VmRSS"));
      /* all eight keep playing the whole time */
      for (guint i = 1; i <= N_RECEIVERS; i++)
        {
          g_autofree gchar *st = gc_test_agent_get_string (r[i], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                          "State");

          if (g_strcmp0 (st, "playing") != 0)
            g_test_message ("host %u is %s", i + 1, st);
          g_assert_cmpstr (st, ==, "playing");
        }
    }
  rss_end = gc_test_proc_status (pid, "VmRSS");
  sent1 = gc_test_agent_get_u64 (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "PacketsSent");
  g_test_message ("%u min with %u receivers: source sent %" G_GUINT64_FORMAT
                  " packets after warm-up; VmRSS warm %" G_GUINT64_FORMAT " kB, end %"
                  G_GUINT64_FORMAT " kB, max %" G_GUINT64_FORMAT " kB, %u fds, %"
                  G_GUINT64_FORMAT " threads",
                  minutes, N_RECEIVERS, sent1 - sent0, rss_warm, rss_end, rss_max, gc_test_fd_count (pid),
                  gc_test_proc_status (pid, "Threads"));

  /* stop the source, let the counters settle, then count */
  gc_test_agent_stop (src);
  gc_test_sleep (1500);
  for (guint i = 1; i <= N_RECEIVERS; i++)
    {
      guint64 got = gc_test_agent_receiver_u64 (r[i], "PacketsReceived");
      guint64 lost = gc_test_agent_receiver_u64 (r[i], "PacketsLost");
      /* RTP only: the port also carries every member's multicast RTCP and
       * IGMP queries, counted apart */
      guint64 rtp = gc_lab_udp_count (lab, i + 1, 15550) - rtp0[i];
      guint64 port = gc_lab_rx_packets (lab, i + 1) - port0[i];

      g_test_message ("host %u: received %" G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT
                      ", bridge forwarded %" G_GUINT64_FORMAT " RTP packets (%.3f %% apart), %"
                      G_GUINT64_FORMAT " packets in all", i + 1, got, lost, rtp,
                      rtp > 0 ? 100.0 * ((gdouble) rtp - got) / rtp : 0, port);
      g_assert_cmpuint (lost, ==, 0);
      g_assert_cmpuint (rtp, >, 0);
      g_assert_cmpuint (got, <=, rtp);
      /* within 1 % */
      g_assert_cmpuint ((rtp - got) * 100, <, rtp);
      /* it counted everything the source sent while it listened */
      g_assert_cmpuint (got, >=, sent1 - sent0);
    }
  g_assert_cmpuint (rss_end, <, rss_warm + 2048);
  {
    GcTestAgent *all[N_RECEIVERS + 1] = { src };

    for (guint i = 1; i <= N_RECEIVERS; i++)
      all[i] = r[i];
    dump_logs_on_failure (all, N_RECEIVERS + 1);
  }
  for (guint i = 1; i <= N_RECEIVERS; i++)
    gc_test_agent_free (r[i]);
}

/* ---- a hundred RTSP clients at once ------------------------------------ */

static void
test_hundred_clients (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (4);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r2 = NULL;
  g_autoptr (GcTestAgent) r3 = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  guint64 lost2, lost3, got2, got3;
  gint pid;
  guint fds0, fds1;

  if (lab == NULL)
    return;
  src = start_agent (lab, 1, "--source", "--group=" GROUP, "--no-mdns", "--no-beacons",
                     "--bitrate=2000", NULL);
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  pid = gc_test_agent_pid (src);
  r2 = start_agent (lab, 2, "--receiver", "--connect=" URL1, "--sink=fake", "--no-mdns",
                    "--no-beacons", NULL);
  r3 = start_agent (lab, 3, "--receiver", "--connect=" URL1, "--sink=fake", "--no-mdns",
                    "--no-beacons", NULL);
  g_assert_true (gc_test_agent_wait_playing (r2, 20000));
  g_assert_true (gc_test_agent_wait_playing (r3, 20000));
  gc_test_sleep (2000);
  fds0 = gc_test_fd_count (pid);
  lost2 = gc_test_agent_receiver_u64 (r2, "PacketsLost");
  lost3 = gc_test_agent_receiver_u64 (r3, "PacketsLost");
  got2 = gc_test_agent_receiver_u64 (r2, "PacketsReceived");
  got3 = gc_test_agent_receiver_u64 (r3, "PacketsReceived");

  /* three rounds of 100 clients: all connect, then each asks OPTIONS and
   * DESCRIBE; bounded by `timeout` */
  for (guint round = 0; round < 3; round++)
    {
      g_clear_object (&p);
      g_clear_object (&l);
      g_clear_pointer (&out, g_free);
      l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
      p = gc_lab_spawn (lab, 4, l, &error, "timeout", "60", GC_FAKE_SERVER, "7236", "rtspclients",
                        "30", "10.99.0.1", "100", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("round %u: %s", round, g_strstrip (out));
      g_assert_true (g_subprocess_get_successful (p));
      g_assert_nonnull (strstr (out, "answered 100 "));
    }

  /* the two viewers never noticed */
  gc_test_sleep (2000);
  g_test_message ("viewers during the rounds: +%" G_GUINT64_FORMAT "/+%" G_GUINT64_FORMAT
                  " packets, +%" G_GUINT64_FORMAT "/+%" G_GUINT64_FORMAT " lost",
                  gc_test_agent_receiver_u64 (r2, "PacketsReceived") - got2, gc_test_agent_receiver_u64 (r3, "PacketsReceived") - got3,
                  gc_test_agent_receiver_u64 (r2, "PacketsLost") - lost2, gc_test_agent_receiver_u64 (r3, "PacketsLost") - lost3);
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r2, "PacketsLost"), ==, lost2);
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r3, "PacketsLost"), ==, lost3);
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r2, "PacketsReceived"), >, got2 + 200);
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r3, "PacketsReceived"), >, got3 + 200);
  {
    g_autofree gchar *s2 = gc_test_agent_get_string (r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
    g_autofree gchar *s3 = gc_test_agent_get_string (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");

    g_assert_cmpstr (s2, ==, "playing");
    g_assert_cmpstr (s3, ==, "playing");
  }
  /* the clients' connections are gone again */
  gc_test_sleep (1000);
  fds1 = gc_test_fd_count (pid);
  g_test_message ("source fds %u before, %u after", fds0, fds1);
  g_assert_cmpuint (fds1, <=, fds0 + 4);
  {
    GcTestAgent *all[] = { src, r2, r3 };
    dump_logs_on_failure (all, 3);
  }
}

/* ---- switching back and forth ------------------------------------------ */

typedef struct
{
  guint fds, threads;
  guint64 rss;
} Usage;

static void
usage_of (gint pid, Usage *u)
{
  u->fds = gc_test_fd_count (pid);
  u->threads = (guint) gc_test_proc_status (pid, "Threads");
  u->rss = gc_test_proc_status (pid, "VmRSS");
}

static guint
igmp_groups (GcLab *lab, guint host, gboolean *has_a, gboolean *has_b)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *igmp = gc_lab_run (lab, host, &error, "cat", "/proc/net/igmp", NULL);
  guint n = 0;

  g_assert_no_error (error);
  /* groups are printed as network-order hex words: 239.0.0.11 is 0B0000EF */
  *has_a = strstr (igmp, "0B0000EF") != NULL;
  *has_b = strstr (igmp, "0C0000EF") != NULL;
  for (const gchar *p = igmp; (p = strstr (p, "00EF")) != NULL; p++)
    n++;
  return n;
}

static gboolean
knows_two_peers (gpointer data)
{
  GcTestAgent *a = data;
  g_autoptr (GVariant) objs = gc_test_agent_call (a, "/io/github/Groupcast",
                                                  "org.freedesktop.DBus.ObjectManager",
                                                  "GetManagedObjects", NULL, 2000, NULL);
  g_autofree gchar *text = objs ? g_variant_print (objs, FALSE) : NULL;
  guint n = 0;

  for (const gchar *p = text; p != NULL && (p = strstr (p, "/io/github/Groupcast/peer/")) != NULL; p++)
    n++;
  return n >= 2;
}

static void
test_switch_churn (void)
{
  guint minutes = minutes_from_env ("GC_SOAK_SWITCH_MINUTES", 4);
  guint total = minutes * 50, warm_at = 20, failures = 0;
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  const gchar *want_in[] = { "10.99.0.3", NULL };
  Usage warm_r = { 0 }, warm_a = { 0 }, warm_b = { 0 }, end_r, end_a, end_b;
  gint pid_r, pid_a, pid_b;
  gdouble sum_ms = 0, max_ms = 0;
  gboolean has_a, has_b;
  gint64 t_start = g_get_monotonic_time ();

  if (lab == NULL)
    return;
  a = start_agent (lab, 1, "--source", "--group=" GROUP, "--no-mdns", "--bitrate=1000",
                   "--allow-unauthenticated", NULL);
  b = start_agent (lab, 2, "--source", "--group=" GROUP_B, "--no-mdns", "--bitrate=1000",
                   "--allow-unauthenticated", NULL);
  r = start_agent (lab, 3, "--receiver", "--sink=fake", "--no-mdns", "--allow-unauthenticated",
                   NULL, NULL);
  g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready", 10000));
  g_assert_true (gc_test_agent_wait_string (b, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready", 10000));
  g_assert_true (gc_test_wait_until (knows_two_peers, r, 10000));
  pid_r = gc_test_agent_pid (r);
  pid_a = gc_test_agent_pid (a);
  pid_b = gc_test_agent_pid (b);

  /* 50 a minute: one every 1.2 s, alternating A and B */
  for (guint i = 0; i < total; i++)
    {
      GcTestAgent *caller = i % 2 == 0 ? a : b;
      gint64 due = t_start + (gint64) i * 1200 * 1000;
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) ret = NULL;

      while (g_get_monotonic_time () < due)
        gc_test_sleep (20);
      ret = gc_test_agent_call (caller, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                                g_variant_new ("(^as)", want_in), 15000, &error);
      if (error != NULL)
        {
          GcTestAgent *all[] = { a, b, r };

          g_test_message ("switch %u by host %u: %s", i, caller->host, error->message);
          g_test_fail ();
          dump_logs_on_failure (all, 3);
        }
      g_assert_no_error (error);
      {
        g_autoptr (GVariant) rows = g_variant_get_child_value (ret, 0);
        const gchar *id, *msg;
        gboolean ok;
        gdouble ms;

        g_variant_get_child (rows, 0, "(&sb&sd)", &id, &ok, &msg, &ms);
        if (!ok)
          {
            failures++;
            g_test_message ("switch %u failed: %s", i, msg);
          }
        sum_ms += ms;
        max_ms = MAX (max_ms, ms);
      }
      if ((i + 1) % 25 == 0)
        g_test_message ("after %u switches: receiver VmRSS %" G_GUINT64_FORMAT " kB, %u fds, %"
                        G_GUINT64_FORMAT " threads", i + 1, gc_test_proc_status (pid_r, "VmRSS"),
                        gc_test_fd_count (pid_r), gc_test_proc_status (pid_r, "Threads"));
      if (i + 1 == warm_at)
        {
          /* at rest: the receiver gives the stopped stream's memory back
           * 2 s after it stopped (gc_receiver_give_back_memory) */
          gc_test_sleep (2800);
          usage_of (pid_r, &warm_r);
          usage_of (pid_a, &warm_a);
          usage_of (pid_b, &warm_b);
        }
    }
  gc_test_sleep (2800);
  usage_of (pid_r, &end_r);
  usage_of (pid_a, &end_a);
  usage_of (pid_b, &end_b);
  g_test_message ("%u switches in %.0f s, %u failed, first frame mean %.0f ms, max %.0f ms",
                  total, (g_get_monotonic_time () - t_start) / 1e6, failures, sum_ms / total,
                  max_ms);
  g_test_message ("receiver: fds %u -> %u, threads %u -> %u, VmRSS %" G_GUINT64_FORMAT " -> %"
                  G_GUINT64_FORMAT " kB", warm_r.fds, end_r.fds, warm_r.threads, end_r.threads,
                  warm_r.rss, end_r.rss);
  g_test_message ("sources: fds %u -> %u and %u -> %u, threads %u -> %u and %u -> %u",
                  warm_a.fds, end_a.fds, warm_b.fds, end_b.fds, warm_a.threads, end_a.threads,
                  warm_b.threads, end_b.threads);
  g_assert_cmpuint (failures, ==, 0);
  /* nothing piles up: sockets, pipelines (their threads), memberships */
  g_assert_cmpuint (end_r.fds, <=, warm_r.fds + 2);
  g_assert_cmpuint (end_r.threads, <=, warm_r.threads + 2);
  g_assert_cmpuint (end_a.fds, <=, warm_a.fds + 2);
  g_assert_cmpuint (end_b.fds, <=, warm_b.fds + 2);
  g_assert_cmpuint (end_a.threads, <=, warm_a.threads + 2);
  g_assert_cmpuint (end_b.threads, <=, warm_b.threads + 2);
  g_assert_cmpuint (end_r.rss, <, warm_r.rss + 4096);
  /* the last switch was B's (an even count ends on B): only B's group */
  igmp_groups (lab, 3, &has_a, &has_b);
  g_assert_true (total % 2 == 0 ? (has_b && !has_a) : (has_a && !has_b));
  {
    GcTestAgent *all[] = { a, b, r };
    dump_logs_on_failure (all, 3);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/reliability/soak/hundred-clients", test_hundred_clients);
  g_test_add_func ("/groupcast/reliability/soak/switch-churn", test_switch_churn);
  g_test_add_func ("/groupcast/reliability/soak/eight-receivers", test_eight_receivers);
  return g_test_run ();
}
