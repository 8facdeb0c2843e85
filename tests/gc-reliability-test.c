/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * reliability under faults and hostile input, quick enough for every run:
 * dead receivers, dead links, stalled boards, dead buses, dead avahi, racing switches,
 * control floods, lying RTSP servers, loose key files, secrets in logs.
 * every agent runs in a lab host; every load is bounded in count and time.
 */
#define G_LOG_DOMAIN "GcReliabilityTest"

#include "config.h"

#include "gc-test-agent.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#define GROUP "239.0.0.11"
#define GROUP_B "239.0.0.12"
#define URL1 "rtsp://10.99.0.1:7236/screen"
#define URL2 "rtsp://10.99.0.2:7236/screen"
#define SECRET "gc-reliability-secret-7f3a9c1e5b"

/* ---- helpers ----------------------------------------------------------- */

static GcTestAgent *
start_agent (GcLab *lab, guint host, const gchar *a1, const gchar *a2, const gchar *a3,
             const gchar *a4, const gchar *a5, const gchar *a6)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, a1, a2, a3, a4, a5, a6, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  return a;
}

static GcTestAgent *
start_source (GcLab *lab, guint host, const gchar *group)
{
  g_autofree gchar *g = g_strdup_printf ("--group=%s", group);
  GcTestAgent *a = start_agent (lab, host, "--source", g, "--no-mdns", "--no-beacons",
                                "--bitrate=1500", NULL);

  g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  return a;
}

static GcTestAgent *
start_receiver (GcLab *lab, guint host, const gchar *url)
{
  g_autofree gchar *c = url ? g_strdup_printf ("--connect=%s", url) : g_strdup ("--receiver");

  return start_agent (lab, host, "--receiver", c, "--sink=fake", "--no-mdns", "--no-beacons",
                      NULL);
}

static gchar *
receiver_state (GcTestAgent *r)
{
  return gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
}

/* a pid whose command line holds every one of the given words */
static gint
find_process (const gchar *w1, const gchar *w2)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = NULL;
      g_autofree gchar *cmd = NULL;
      gsize len = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/cmdline", name);
      if (!g_file_get_contents (path, &cmd, &len, NULL) || len == 0)
        continue;
      for (gsize i = 0; i + 1 < len; i++)
        if (cmd[i] == '\0')
          cmd[i] = ' ';
      if (strstr (cmd, w1) != NULL && strstr (cmd, w2) != NULL && !strstr (cmd, "ip netns"))
        return atoi (name);
    }
  return -1;
}

static gboolean
member_listed (GcTestAgent *src, const gchar *addr)
{
  g_autoptr (GVariant) members = gc_test_agent_get (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Members");
  g_autoptr (GVariant) m = members ? g_variant_lookup_value (members, addr, NULL) : NULL;

  return m != NULL;
}

static gboolean
host2_member (gpointer data)
{
  return member_listed (data, "10.99.0.2");
}

static gboolean
host2_not_member (gpointer data)
{
  return !member_listed (data, "10.99.0.2");
}

/* ---- faults ------------------------------------------------------------ */

/* a receiver that dies without TEARDOWN leaves the source's member list
 * when its RTSP connection closes */
static void
test_receiver_killed (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  gint64 t0;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP);
  r = start_receiver (lab, 2, URL1);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  g_assert_true (gc_test_wait_until (host2_member, src, 5000));

  t0 = g_get_monotonic_time ();
  gc_test_agent_kill (r);
  g_assert_true (gc_test_wait_until (host2_not_member, src, 10000));
  g_test_message ("killed receiver dropped from Members after %.0f ms",
                  (g_get_monotonic_time () - t0) / 1000.0);
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

/* a cable pulled for 5 s: the receiver notices, and comes back on its own */
static void
test_link_flap (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *st = NULL;
  guint64 before;
  gint64 t0;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP);
  r = start_receiver (lab, 2, URL1);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));

  gc_lab_set_link (lab, 2, FALSE, &error);
  g_assert_no_error (error);
  gc_test_sleep (5000);
  st = receiver_state (r);
  g_test_message ("after 5 s without a link: %s", st);
  g_assert_cmpstr (st, !=, "playing");
  before = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsReceived");
  gc_lab_set_link (lab, 2, TRUE, &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  g_assert_true (gc_test_agent_wait_playing (r, 20000));
  g_test_message ("playing again %.0f ms after the link came up",
                  (g_get_monotonic_time () - t0) / 1000.0);
  gc_test_sleep (1000);
  g_assert_cmpuint (gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                           "PacketsReceived"), >, before);
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

typedef struct
{
  GcTestAgent *a;
  guint64 above;
} U64Wait;

static gboolean
kernel_dropped (gpointer data)
{
  U64Wait *w = data;

  return gc_test_agent_get_u64 (w->a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                "PacketsDroppedByKernel") > w->above;
}

static gboolean
frames_above (gpointer data)
{
  U64Wait *w = data;

  return gc_test_agent_get_u64 (w->a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded")
         > w->above;
}

/* a board that stalls (here: stopped for 8 s) while the stream goes on:
 * its sockets' queues fill and the kernel drops the rest, which the
 * receiver counts once it runs again (PacketsDroppedByKernel, from
 * /proc/net/udp); then the picture comes back by itself */
static void
test_stall (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  U64Wait w;
  guint64 frames;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP);
  r = start_receiver (lab, 2, URL1);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  gc_test_sleep (1000);
  g_assert_cmpuint (gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                           "PacketsDroppedByKernel"), ==, 0);
  frames = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded");
  /* 1.5 Mbit/s for 8 s: more than a 512 KiB queue holds */
  g_assert_cmpint (kill (gc_test_agent_pid (r), SIGSTOP), ==, 0);
  gc_test_sleep (8000);
  g_assert_cmpint (kill (gc_test_agent_pid (r), SIGCONT), ==, 0);
  w = (U64Wait) { r, 0 };
  g_assert_true (gc_test_wait_until (kernel_dropped, &w, 5000));
  g_test_message ("the kernel dropped %" G_GUINT64_FORMAT " datagrams during the stall",
                  gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                         "PacketsDroppedByKernel"));
  w = (U64Wait) { r, frames + 30 };
  g_assert_true (gc_test_wait_until (frames_above, &w, 15000));
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

static gboolean
bus_name_back (gpointer data)
{
  return gc_test_agent_wait_ready (data, 1);
}

/* the session bus dies under a streaming receiver: the stream goes on, and
 * the agent is back on the new bus within seconds */
static void
test_bus_restart (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sock = NULL;
  g_autofree gchar *addr = NULL;
  g_autofree gchar *st = NULL;
  guint64 port_before, c1, c2;
  gint pid, bus_pid;
  gint64 t0;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP);
  r = start_receiver (lab, 2, URL1);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  pid = gc_test_agent_pid (r);
  g_assert_cmpint (pid, >, 0);

  sock = g_build_filename (gc_lab_host_dir (lab, 2), "bus", NULL);
  bus_pid = find_process ("dbus-daemon", sock);
  g_assert_cmpint (bus_pid, >, 0);
  g_assert_cmpint (kill (bus_pid, SIGKILL), ==, 0);
  port_before = gc_lab_rx_packets (lab, 2);
  gc_test_sleep (1500);
  /* media does not need the bus */
  g_assert_cmpuint (gc_lab_rx_packets (lab, 2) - port_before, >, 100);

  addr = gc_lab_start_bus (lab, 2, &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  g_clear_object (&r->bus);
  r->bus = g_dbus_connection_new_for_address_sync (addr,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                   | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (r->bus, FALSE);
  g_assert_true (gc_test_wait_until (bus_name_back, r, 5000));
  g_test_message ("name back on the new bus after %.0f ms",
                  (g_get_monotonic_time () - t0) / 1000.0);
  /* the same process, still streaming, counters still moving */
  g_assert_cmpint (gc_test_agent_pid (r), ==, pid);
  st = receiver_state (r);
  g_assert_cmpstr (st, ==, "playing");
  gc_test_sleep (600);
  c1 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsReceived");
  gc_test_sleep (1200);
  c2 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsReceived");
  g_test_message ("counters on the fresh connection: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT,
                  c1, c2);
  g_assert_cmpuint (c1, >, 0);
  g_assert_cmpuint (c2, >, c1);
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

typedef struct
{
  GcLab *lab;
  const gchar *want;
  gboolean present;
} Browse;

/* avahi-browse in host 2 against host 2's own avahi-daemon */
static gboolean
browse_sees (gpointer data)
{
  Browse *b = data;
  g_autofree gchar *env = g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=unix:path=%s/system_bus_socket",
                                           gc_lab_host_dir (b->lab, 2));
  g_autofree gchar *out = gc_lab_run (b->lab, 2, NULL, "env", env, "timeout", "5", "avahi-browse",
                                      "-pt", "_groupcast._tcp", NULL);
  gboolean seen = out != NULL && strstr (out, b->want) != NULL;

  if (seen != b->present)
    gc_test_sleep (200);
  return seen == b->present;
}

/* avahi-daemon restarts under a running source: it publishes again */
static void
test_avahi_restart (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GSubprocess) avahi1 = NULL;
  g_autoptr (GSubprocess) avahi2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *bus1 = NULL;
  Browse b = { NULL, "host1", TRUE };
  gint64 t0;

  if (!g_file_test ("/usr/sbin/avahi-daemon", G_FILE_TEST_IS_EXECUTABLE)
      || g_find_program_in_path ("avahi-browse") == NULL)
    {
      g_test_skip ("avahi-daemon or avahi-browse is not installed");
      return;
    }
  lab = gc_lab_new_or_skip (2);
  if (lab == NULL)
    return;
  b.lab = lab;
  bus1 = gc_lab_start_system_bus (lab, 1, &error);
  g_assert_no_error (error);
  g_free (gc_lab_start_system_bus (lab, 2, &error));
  g_assert_no_error (error);
  avahi1 = gc_lab_start_avahi (lab, 1, &error);
  g_assert_no_error (error);
  avahi2 = gc_lab_start_avahi (lab, 2, &error);
  g_assert_no_error (error);
  /* the agent finds avahi on the system bus; the variable is inherited */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", bus1, TRUE);
  src = start_agent (lab, 1, "--source", "--no-beacons", "--bitrate=1000", NULL, NULL, NULL);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_assert_true (gc_test_wait_until (browse_sees, &b, 15000));

  /* avahi goes away (it says goodbye), then comes back */
  g_subprocess_send_signal (avahi1, SIGTERM);
  g_subprocess_wait (avahi1, NULL, NULL);
  g_clear_object (&avahi1);
  b.present = FALSE;
  g_assert_true (gc_test_wait_until (browse_sees, &b, 10000));
  avahi1 = gc_lab_start_avahi (lab, 1, &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  b.present = TRUE;
  g_assert_true (gc_test_wait_until (browse_sees, &b, 15000));
  g_test_message ("published again %.0f ms after avahi-daemon came back",
                  (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_nonnull (src->proc);
  {
    GcTestAgent *all[] = { src };
    gc_test_agent_dump_logs_on_failure (all, 1);
  }
  gc_test_agent_stop (src);
  g_subprocess_send_signal (avahi1, SIGTERM);
  g_subprocess_send_signal (avahi2, SIGTERM);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  gchar *message;
  gint order;
} SwitchReply;

static gint reply_counter;

static void
switch_replied (GObject *source, GAsyncResult *res, gpointer data)
{
  SwitchReply *sr = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);

  sr->order = ++reply_counter;
  if (ret == NULL)
    {
      sr->ok = FALSE;
      sr->message = g_strdup (error->message);
    }
  else
    {
      g_autoptr (GVariant) rows = g_variant_get_child_value (ret, 0);
      const gchar *id, *msg;
      gdouble ms;

      g_assert_cmpuint (g_variant_n_children (rows), ==, 1);
      g_variant_get_child (rows, 0, "(&sb&sd)", &id, &sr->ok, &msg, &ms);
      sr->message = g_strdup (msg);
    }
  sr->done = TRUE;
}

static gboolean
both_done (gpointer data)
{
  SwitchReply *r = data;

  return r[0].done && r[1].done;
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
  /* a peer object appears once as a path; its properties do not repeat it */
  return n >= 2;
}

static gboolean
in_one_group (gpointer data)
{
  GcTestAgent *r = data;
  g_autoptr (GVariant) groups = gc_test_agent_get (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "KernelGroups");

  return groups != NULL && g_variant_n_children (groups) == 1;
}

/* two sources switch the same receiver at the same moment */
static void
test_switch_race (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autoptr (GcTestAgent) r = NULL;

  if (lab == NULL)
    return;
  a = start_agent (lab, 1, "--source", "--group=" GROUP, "--no-mdns", "--beacon-interval=300",
                   "--bitrate=1000", "--allow-unauthenticated");
  b = start_agent (lab, 2, "--source", "--group=" GROUP_B, "--no-mdns", "--beacon-interval=300",
                   "--bitrate=1000", "--allow-unauthenticated");
  r = start_agent (lab, 3, "--receiver", "--sink=fake", "--no-mdns", "--beacon-interval=300",
                   "--allow-unauthenticated", NULL);
  g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready", 10000));
  g_assert_true (gc_test_agent_wait_string (b, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready", 10000));
  g_assert_true (gc_test_wait_until (knows_two_peers, r, 10000));

  for (guint round = 0; round < 3; round++)
    {
      SwitchReply sr[2] = { { 0 } };
      GcTestAgent *callers[2] = { a, b };
      const gchar *urls[2] = { URL1, URL2 };
      const gchar *groups[2] = { GROUP, GROUP_B };
      const gchar *want_in[] = { "10.99.0.3", NULL };
      g_autofree gchar *url = NULL;
      g_autofree gchar *group = NULL;
      g_autoptr (GVariant) kg = NULL;
      gint final = -1;

      reply_counter = 0;
      /* both calls leave before either is answered */
      for (guint i = 0; i < 2; i++)
        g_dbus_connection_call (callers[(i + round) % 2]->bus, "io.github.Groupcast", GC_SOURCE_PATH,
                                GC_SOURCE_IFACE, "Switch",
                                g_variant_new ("(^as)", want_in), G_VARIANT_TYPE ("(a(sbsd))"),
                                G_DBUS_CALL_FLAGS_NONE, 30000, NULL, switch_replied,
                                &sr[(i + round) % 2]);
      g_assert_true (gc_test_wait_until (both_done, sr, 35000));
      g_assert_true (gc_test_agent_wait_playing (r, 10000));
      g_assert_true (gc_test_wait_until (in_one_group, r, 5000));
      gc_test_sleep (600);
      url = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "SourceUrl");
      group = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Group");
      kg = gc_test_agent_get (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "KernelGroups");
      for (guint i = 0; i < 2; i++)
        if (g_strcmp0 (url, urls[i]) == 0)
          final = (gint) i;
      g_test_message ("round %u: A %s (%s, #%d), B %s (%s, #%d) -> %s", round,
                      sr[0].ok ? "ok" : "failed", sr[0].message, sr[0].order,
                      sr[1].ok ? "ok" : "failed", sr[1].message, sr[1].order, url);
      /* exactly one source, in the kernel and in the properties */
      g_assert_cmpint (final, >=, 0);
      g_assert_cmpstr (group, ==, groups[final]);
      g_assert_cmpuint (g_variant_n_children (kg), ==, 1);
      {
        g_autoptr (GVariant) g0 = g_variant_get_child_value (kg, 0);

        g_assert_cmpstr (g_variant_get_string (g0, NULL), ==, groups[final]);
      }
      /* the winner was told so; the loser was told the truth: failed, or
       * ok only if it played before the winner's switch (answered first) */
      g_assert_true (sr[final].ok);
      if (sr[1 - final].ok)
        g_assert_cmpint (sr[1 - final].order, <, sr[final].order);
      g_free (sr[0].message);
      g_free (sr[1].message);
    }
  {
    GcTestAgent *all[] = { a, b, r };
    gc_test_agent_dump_logs_on_failure (all, 3);
  }
}

/* ---- hostile input ----------------------------------------------------- */

static GSubprocess *
spawn_captured (GcLab *lab, guint host, const gchar *a1, const gchar *a2, const gchar *a3,
                const gchar *a4, const gchar *a5)
{
  g_autoptr (GSubprocessLauncher) l =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = gc_lab_spawn (lab, host, l, &error, GC_FAKE_SERVER, a1, a2, a3, a4, a5, NULL);

  g_assert_no_error (error);
  return p;
}

typedef struct
{
  GSubprocess *p;
  gboolean done;
  gchar *out;
} Captured;

static void
captured_done (GObject *source, GAsyncResult *res, gpointer data)
{
  Captured *c = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), res, &c->out, NULL, NULL);
  c->done = TRUE;
}

/* 1,000 idle connections on the control port, from another host */
static void
test_control_flood (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GSubprocess) flood = NULL;
  Captured cap = { 0 };
  guint64 rss0, rss_max = 0;
  guint fds0, fds1;
  gint64 worst = 0;
  guint n_gets = 0, connected = 0, failed = 0, closed = 0, still_open = 0;
  gdouble conn_ms = 0, first_close = 0, last_close = 0;
  gint pid;

  if (lab == NULL)
    return;
  r = start_receiver (lab, 2, NULL);
  pid = gc_test_agent_pid (r);
  g_assert_cmpint (pid, >, 0);
  gc_test_sleep (500);
  rss0 = gc_test_proc_status (pid, "VmRSS");
  fds0 = gc_test_fd_count (pid);

  flood = spawn_captured (lab, 3, "7237", "flood", "15", "10.99.0.2", "1000");
  cap.p = flood;
  g_subprocess_communicate_utf8_async (flood, NULL, NULL, captured_done, &cap);
  /* while it floods: real requests are answered at once */
  while (!cap.done && n_gets < 400)
    {
      gint64 t = g_get_monotonic_time ();
      g_autofree gchar *st = receiver_state (r);

      worst = MAX (worst, g_get_monotonic_time () - t);
      g_assert_cmpstr (st, ==, "idle");
      rss_max = MAX (rss_max, gc_test_proc_status (pid, "VmRSS"));
      n_gets++;
      gc_test_sleep (50);
    }
  while (!cap.done)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("flood: %s", cap.out);
  g_assert_nonnull (cap.out);
  g_assert_cmpint (sscanf (cap.out, "connected %u failed %u in %lf ms\nclosed %u open %u "
                           "first-close-ms %lf last-close-ms %lf",
                           &connected, &failed, &conn_ms, &closed, &still_open, &first_close,
                           &last_close), ==, 7);
  g_test_message ("%u D-Bus Gets during the flood, slowest %.1f ms; VmRSS %" G_GUINT64_FORMAT
                  " kB -> max %" G_GUINT64_FORMAT " kB", n_gets, worst / 1000.0, rss0, rss_max);
  g_assert_cmpuint (connected + failed, ==, 1000);
  g_assert_cmpuint (connected, >=, 900);
  /* every one closed by the agent: the excess at once, the rest at the
   * idle timeout (5 s) */
  g_assert_cmpuint (closed, ==, connected);
  g_assert_cmpuint (still_open, ==, 0);
  g_assert_cmpfloat (last_close, <, conn_ms + 5000 + 3000);
  /* never stalled behind the flood (an agent that waited on the idle
   * connections would stall for their 5 s timeout); how fast it answers
   * is measured by gc-bench-recovery control-flood */
  g_assert_cmpint (worst, <, 1000 * 1000);
  g_assert_cmpuint (rss_max, <, rss0 + 8 * 1024);
  /* nothing left behind */
  gc_test_sleep (500);
  fds1 = gc_test_fd_count (pid);
  g_test_message ("fds %u before, %u after", fds0, fds1);
  g_assert_cmpuint (fds1, <=, fds0 + 2);
  g_free (cap.out);
  {
    GcTestAgent *all[] = { r };
    gc_test_agent_dump_logs_on_failure (all, 1);
  }
}

static gboolean
settled (gpointer data)
{
  g_autofree gchar *st = receiver_state (data);

  return g_strcmp0 (st, "error") == 0;
}

/* RTSP servers that speak the protocol but lie about where the stream is */
static void
test_hostile_rtsp (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  const gchar *modes[] = { "unicast", "nonmcast", "biggroup", "audio" };

  if (lab == NULL)
    return;
  src = start_source (lab, 1, GROUP);
  r = start_receiver (lab, 3, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *port = g_strdup_printf ("%u", 8010 + i);
      g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

      g_ptr_array_add (servers, gc_lab_spawn (lab, 2, l, &error, GC_FAKE_SERVER, port, modes[i],
                                              "120", NULL));
      g_assert_no_error (error);
    }
  gc_test_sleep (300);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) ret = NULL;
      g_autofree gchar *url = g_strdup_printf ("rtsp://10.99.0.2:%u/screen", 8010 + i);
      g_autofree gchar *msg = NULL;
      g_autofree gchar *st = NULL;
      g_autoptr (GVariant) kg = NULL;
      g_autofree gchar *kgs = NULL;
      gint64 t0 = g_get_monotonic_time ();
      gboolean ever_playing = FALSE;

      ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                                g_variant_new ("(s)", url), 5000, &error);
      g_assert_no_error (error);
      /* it must refuse: never "playing", and an error that says why */
      while (g_get_monotonic_time () - t0 < 6 * G_USEC_PER_SEC && !settled (r))
        {
          g_autofree gchar *s = receiver_state (r);

          ever_playing |= g_strcmp0 (s, "playing") == 0;
          gc_test_sleep (100);
        }
      st = receiver_state (r);
      msg = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Error");
      kg = gc_test_agent_get (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "KernelGroups");
      kgs = kg ? g_variant_print (kg, FALSE) : g_strdup ("?");
      g_test_message ("%s: %s after %.0f ms: %s; kernel groups %s", modes[i], st,
                      (g_get_monotonic_time () - t0) / 1000.0, msg, kgs);
      if (ever_playing || g_strcmp0 (st, "error") != 0)
        {
          g_autofree gchar *log = gc_test_agent_get_log (r);

          g_test_message ("--- receiver log ---\n%s", log);
        }
      g_assert_false (ever_playing);
      g_assert_cmpstr (st, ==, "error");
      g_assert_nonnull (msg);
      g_assert_cmpuint (strlen (msg), >, 5);
      /* no unicast address taken for a group */
      g_assert_null (strstr (kgs, "10.99.0."));
      g_assert_cmpuint (gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                               "FramesDecoded"), ==, 0);
    }

  /* and the real source still works */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GVariant) ret = NULL;

    ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                              g_variant_new ("(s)", URL1), 5000, &error);
    g_assert_no_error (error);
    g_assert_true (gc_test_agent_wait_playing (r, 15000));
  }
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

/* ---- security ---------------------------------------------------------- */

/* a key file others can read is refused before anything starts */
static void
test_key_file_mode (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("gc-rel-XXXXXX", &error);
  g_autofree gchar *key = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autofree gchar *state_arg = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GSubprocess) p = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_no_error (error);
  key = g_build_filename (dir, "site.key", NULL);
  g_file_set_contents (key, SECRET "\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (key, 0644), ==, 0);
  key_arg = g_strdup_printf ("--key-file=%s", key);
  state_arg = g_strdup_printf ("--state-dir=%s", dir);
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                        "timeout", "10", gc_test_agent_binary (), "--receiver", "--sink=fake",
                        "--bus=none", "--no-mdns", "--no-beacons", "--control-port=47237",
                        key_arg, state_arg, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("exit %d, stderr: %s", g_subprocess_get_exit_status (p), err);
  g_assert_true (g_subprocess_get_if_exited (p));
  g_assert_cmpint (g_subprocess_get_exit_status (p), !=, 0);
  g_assert_cmpint (g_subprocess_get_exit_status (p), !=, 124); /* not the timeout */
  /* one line, naming the file and what is wrong */
  lines = g_strsplit (g_strstrip (err), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_nonnull (strstr (lines[0], key));
  g_assert_nonnull (strstr (lines[0], "0644"));
  g_assert_null (strstr (err, SECRET));
  g_assert_null (strstr (out, SECRET));
  g_unlink (key);
  g_unlink (g_build_filename (dir, "id", NULL));
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const gchar *n;

    while (d != NULL && (n = g_dir_read_name (d)) != NULL)
      {
        g_autofree gchar *f = g_build_filename (dir, n, NULL);

        g_unlink (f);
      }
  }
  g_rmdir (dir);
}

static gchar *
managed_objects (GcTestAgent *a)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) objs = gc_test_agent_call (a, "/io/github/Groupcast",
                                                  "org.freedesktop.DBus.ObjectManager",
                                                  "GetManagedObjects", NULL, 5000, &error);

  g_assert_no_error (error);
  return g_variant_print (objs, FALSE);
}

/* the site key works (a switch succeeds) and shows up nowhere */
static void
test_no_secrets (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autofree gchar *k1 = NULL;
  g_autofree gchar *k2 = NULL;
  g_autofree gchar *a1 = NULL;
  g_autofree gchar *a2 = NULL;
  const gchar *want_in[] = { "10.99.0.2", NULL };
  gboolean ok = FALSE;

  if (lab == NULL)
    return;
  k1 = g_build_filename (gc_lab_host_dir (lab, 1), "site.key", NULL);
  k2 = g_build_filename (gc_lab_host_dir (lab, 2), "site.key", NULL);
  g_file_set_contents (k1, SECRET "\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (k2, SECRET "\n", -1, &error);
  g_assert_no_error (error);
  g_chmod (k1, 0600);
  g_chmod (k2, 0600);
  a1 = g_strdup_printf ("--key-file=%s", k1);
  a2 = g_strdup_printf ("--key-file=%s", k2);
  src = start_agent (lab, 1, "--source", "--no-mdns", "--beacon-interval=300", "--bitrate=1000",
                     a1, NULL);
  r = start_agent (lab, 2, "--receiver", "--sink=fake", "--no-mdns", "--beacon-interval=300",
                   a2, NULL);
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready", 10000));
  gc_test_sleep (1500); /* a few signed beacons each way */

  ret = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                            g_variant_new ("(^as)", want_in), 30000, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GVariant) rows = g_variant_get_child_value (ret, 0);
    const gchar *id, *msg;
    gdouble ms;

    g_variant_get_child (rows, 0, "(&sb&sd)", &id, &ok, &msg, &ms);
    g_test_message ("signed switch: %s %s", ok ? "ok" : "failed", msg);
  }
  g_assert_true (ok);
  g_assert_true (gc_test_agent_wait_playing (r, 10000));

  for (guint i = 0; i < 2; i++)
    {
      GcTestAgent *a = i == 0 ? src : r;
      g_autofree gchar *log = gc_test_agent_get_log (a);
      g_autofree gchar *objs = managed_objects (a);

      g_assert_cmpuint (strlen (log), >, 100);
      g_assert_null (strstr (log, SECRET));
      g_assert_null (strstr (log, SECRET + 10)); /* nor a good part of it */
      g_assert_null (strstr (objs, SECRET + 10));
    }
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/reliability/receiver-killed", test_receiver_killed);
  g_test_add_func ("/groupcast/reliability/link-flap", test_link_flap);
  g_test_add_func ("/groupcast/reliability/stall", test_stall);
  g_test_add_func ("/groupcast/reliability/bus-restart", test_bus_restart);
  g_test_add_func ("/groupcast/reliability/avahi-restart", test_avahi_restart);
  g_test_add_func ("/groupcast/reliability/switch-race", test_switch_race);
  g_test_add_func ("/groupcast/reliability/control-flood", test_control_flood);
  g_test_add_func ("/groupcast/reliability/hostile-rtsp", test_hostile_rtsp);
  g_test_add_func ("/groupcast/reliability/key-file-mode", test_key_file_mode);
  g_test_add_func ("/groupcast/reliability/no-secrets", test_no_secrets);
  return g_test_run ();
}
