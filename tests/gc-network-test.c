/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * networks set up the way real sites set them up: an interface without a
 * broadcast address, boards cloned from one image, a host with docker and
 * VPN addresses besides its LAN one, source-specific multicast with a
 * second sender on the group. real agents in lab hosts, each on its own
 * D-Bus, read through their Peer1 and Receiver1 objects.
 */
#include "config.h"

#include "gc-test-agent.h"

#include <glib/gstdio.h>
#include <string.h>

#define PEER_IFACE "io.github.Groupcast.Peer1"
#define AGENT_PATH "/io/github/Groupcast"

static gchar *
agent_id (GcTestAgent *a)
{
  return gc_test_agent_get_string (a, AGENT_PATH, GC_AGENT_IFACE, "Id");
}

static gchar *
peer_path (const gchar *id)
{
  gchar *path = g_strdup_printf (AGENT_PATH "/peer/%s", id);

  for (gchar *p = path; *p != '\0'; p++)
    if (*p == '-')
      *p = '_';
  return path;
}

/* the peer's property as @a sees it, NULL when @a does not list the peer */
static gchar *
peer_string (GcTestAgent *a, const gchar *id, const gchar *prop)
{
  g_autofree gchar *path = peer_path (id);

  return gc_test_agent_get_string (a, path, PEER_IFACE, prop);
}

typedef struct
{
  GcTestAgent *a;
  const gchar *id;
  const gchar *address; /* NULL: any */
} PeerWait;

static gboolean
peer_listed (gpointer data)
{
  PeerWait *w = data;
  g_autofree gchar *address = peer_string (w->a, w->id, "Address");

  return address != NULL && (w->address == NULL || g_str_equal (address, w->address));
}

/* @a lists @id (at @address, when given) within @timeout_ms; the time it
 * took goes in the test log */
static gboolean
wait_peer (GcTestAgent *a, const gchar *id, const gchar *address, guint timeout_ms)
{
  PeerWait w = { a, id, address };
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = gc_test_wait_until (peer_listed, &w, timeout_ms);

  g_test_message ("host %u %s %s%s%s after %.0f ms", a->host, ok ? "lists" : "does not list",
                  id, address ? " at " : "", address ? address : "",
                  (g_get_monotonic_time () - t0) / 1000.0);
  return ok;
}

static GcTestAgent *
start_receiver (GcLab *lab, guint host, const gchar *extra)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--receiver", "--sink=fake",
                                        "--no-mdns", "--beacon-interval=500", extra, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  return a;
}

static gboolean
log_has (GcTestAgent *a, const gchar *text)
{
  g_autofree gchar *log = gc_test_agent_get_log (a);

  return strstr (log, text) != NULL;
}

/* ---- an interface without a broadcast address ---------------------------- */

/* a board whose address a script set with "ip addr add A/24 dev eth0": the
 * kernel reports 0.0.0.0 as its broadcast address. beacons only (no mDNS
 * to hide the fault): each side must see the other */
static void
test_no_broadcast_address (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autofree gchar *id_a = NULL;
  g_autofree gchar *id_b = NULL;
  g_autofree gchar *addr = NULL;

  if (lab == NULL)
    return;
  gc_lab_remove_broadcast_address (lab, 2, &error);
  g_assert_no_error (error);
  addr = gc_lab_run (lab, 2, &error, "ip", "-4", "addr", "show", "dev", "eth0", NULL);
  g_assert_no_error (error);
  g_assert_null (strstr (addr, " brd "));

  a = start_receiver (lab, 1, NULL);
  b = start_receiver (lab, 2, NULL);
  id_a = agent_id (a);
  id_b = agent_id (b);
  g_assert_true (wait_peer (a, id_b, "10.99.0.2", 5000));
  g_assert_true (wait_peer (b, id_a, "10.99.0.1", 5000));
  /* each says where its beacons go, and why */
  g_assert_true (log_has (b, "beacons go to 10.99.0.255 port 7237 on eth0: the subnet's "
                             "directed broadcast"));
  g_assert_true (log_has (a, "beacons go to 10.99.0.255 port 7237 on eth0: the "
                             "interface's broadcast address"));
  {
    GcTestAgent *all[] = { a, b };

    gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  }
}

/* ---- boards cloned from one image ---------------------------------------- */

static gchar *
read_id_file (GcLab *lab, guint host)
{
  g_autofree gchar *path = g_build_filename (gc_lab_host_dir (lab, host), "id", NULL);
  gchar *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strstrip (text);
}

typedef struct
{
  GcTestAgent *a;
  const gchar *old;
} IdWait;

static gboolean
id_changed (gpointer data)
{
  IdWait *w = data;
  g_autofree gchar *id = agent_id (w->a);

  return id != NULL && g_strcmp0 (id, w->old) != 0;
}

/* two boards with one identity file: the one that started later takes a
 * new id of its own (derived from the machine id and its MAC), keeps it,
 * and each lists the other */
static void
test_cloned_boards (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autofree gchar *clone = g_uuid_string_random ();
  g_autofree gchar *line = NULL;
  g_autofree gchar *id_a = NULL;
  g_autofree gchar *id_b = NULL;
  g_autofree gchar *kept = NULL;
  g_autofree gchar *id_b2 = NULL;
  IdWait w;
  gint64 t0;

  if (lab == NULL)
    return;
  /* one image, two boards: the same id file in both state directories */
  line = g_strdup_printf ("%s\n", clone);
  for (guint h = 1; h <= 2; h++)
    {
      g_autofree gchar *path = g_build_filename (gc_lab_host_dir (lab, h), "id", NULL);

      g_file_set_contents (path, line, -1, &error);
      g_assert_no_error (error);
    }
  a = start_receiver (lab, 1, NULL);
  gc_test_sleep (1000);
  t0 = g_get_monotonic_time ();
  b = start_receiver (lab, 2, NULL);
  w.a = b;
  w.old = clone;
  g_assert_true (gc_test_wait_until (id_changed, &w, 5000));
  g_test_message ("the later board took a new id %.0f ms after it was started",
                  (g_get_monotonic_time () - t0) / 1000.0);
  id_a = agent_id (a);
  id_b = agent_id (b);
  g_assert_cmpstr (id_a, ==, clone);
  g_assert_true (g_uuid_string_is_valid (id_b));
  g_assert_true (wait_peer (a, id_b, "10.99.0.2", 5000));
  g_assert_true (wait_peer (b, id_a, "10.99.0.1", 5000));
  g_assert_true (log_has (b, "this agent is now"));
  g_assert_true (log_has (a, "which started later: it takes a new id"));
  /* kept: the copy's state directory holds the new id */
  kept = read_id_file (lab, 2);
  g_assert_cmpstr (kept, ==, id_b);

  /* stable across a restart of the copy, and nobody moves again */
  gc_test_agent_stop (b);
  g_assert_true (gc_test_agent_restart (b, &error));
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (b, 10000));
  id_b2 = agent_id (b);
  g_assert_cmpstr (id_b2, ==, id_b);
  g_assert_true (wait_peer (a, id_b, "10.99.0.2", 5000));
  gc_test_sleep (2000);
  {
    g_autofree gchar *now_a = agent_id (a);
    g_autofree gchar *now_b = agent_id (b);

    g_assert_cmpstr (now_a, ==, clone);
    g_assert_cmpstr (now_b, ==, id_b);
  }
  {
    GcTestAgent *all[] = { a, b };

    gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  }
}

/* a read-only state directory (below a regular file: not even root can
 * make it): each board derives an id of its own from the machine id and
 * its MAC, the same on every start */
static void
test_unwritable_state (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *arg = NULL;
  g_autofree gchar *id_a = NULL;
  g_autofree gchar *id_b = NULL;
  g_autofree gchar *again = NULL;

  if (lab == NULL)
    return;
  file = g_build_filename (gc_lab_host_dir (lab, 1), "not-a-dir", NULL);
  g_file_set_contents (file, "", 0, &error);
  g_assert_no_error (error);
  arg = g_strdup_printf ("--state-dir=%s/state", file);
  a = start_receiver (lab, 1, arg);
  b = start_receiver (lab, 2, arg);
  id_a = agent_id (a);
  id_b = agent_id (b);
  g_assert_true (g_uuid_string_is_valid (id_a));
  g_assert_true (g_uuid_string_is_valid (id_b));
  g_assert_cmpstr (id_a, !=, id_b);
  g_assert_true (log_has (a, "derived from the machine id and eth0"));
  g_assert_true (wait_peer (a, id_b, "10.99.0.2", 5000));
  g_assert_true (wait_peer (b, id_a, "10.99.0.1", 5000));
  gc_test_agent_stop (a);
  g_assert_true (gc_test_agent_restart (a, &error));
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  again = agent_id (a);
  g_assert_cmpstr (again, ==, id_a);
}

/* ---- docker and VPN addresses beside the LAN ------------------------------ */

/* with --interface, the announced address and URL are that interface's,
 * and the RTSP and control servers listen there only */
static void
test_interface_address (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *address = NULL;
  g_autofree gchar *listening = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree gchar *key_arg = NULL;
  GVariantIter *iter = NULL;

  if (lab == NULL)
    return;
  key_arg = gc_test_site_key_option (lab, "network test site key\n");
  gc_lab_add_interface (lab, 1, "docker0", "172.17.0.1/16", &error);
  g_assert_no_error (error);
  gc_lab_add_interface (lab, 1, "wg0", "10.8.0.2/24", &error);
  g_assert_no_error (error);
  src = gc_test_agent_start (lab, 1, &error, "--source", "--receiver", "--sink=fake",
                             "--group=239.0.0.11", "--no-mdns", "--beacon-interval=500",
                             key_arg, NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (src, 10000));
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 20000));
  r = start_receiver (lab, 2, key_arg);
  id = agent_id (src);
  address = gc_test_agent_get_string (src, AGENT_PATH, GC_AGENT_IFACE, "Address");
  g_assert_cmpstr (address, ==, "10.99.0.1");
  g_assert_true (wait_peer (r, id, "10.99.0.1", 5000));
  url = peer_string (r, id, "Url");
  g_assert_cmpstr (url, ==, "rtsp://10.99.0.1:7236/screen");

  listening = gc_lab_run (lab, 1, &error, "ss", "-Hltn", NULL);
  g_assert_no_error (error);
  g_test_message ("listening in host 1:\n%s", listening);
  lines = g_strsplit (listening, "\n", -1);
  for (guint port = 7236; port <= 7237; port++)
    {
      g_autofree gchar *want = g_strdup_printf ("10.99.0.1:%u", port);
      g_autofree gchar *suffix = g_strdup_printf (":%u", port);
      gboolean found = FALSE;

      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto (GStrv) f = g_strsplit_set (lines[i], " \t", -1);
          g_autoptr (GPtrArray) words = g_ptr_array_new ();

          for (guint k = 0; f[k] != NULL; k++)
            if (f[k][0] != '\0')
              g_ptr_array_add (words, f[k]);
          /* State Recv-Q Send-Q Local Peer */
          if (words->len < 4 || !g_str_has_suffix (words->pdata[3], suffix))
            continue;
          g_assert_cmpstr (words->pdata[3], ==, want);
          found = TRUE;
        }
      g_assert_true (found);
    }
  /* and a receiver can still be switched there */
  {
    g_autofree gchar *rid = agent_id (r);
    g_autoptr (GVariant) rows = NULL;
    gboolean ok = FALSE;
    const gchar *msg = NULL;

    g_assert_true (wait_peer (src, rid, "10.99.0.2", 5000));
    rows = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                               g_variant_new ("(^as)", (const gchar *[]) { rid, NULL }), 15000,
                               &error);
    g_assert_no_error (error);
    g_variant_get (rows, "(a(sbsd))", &iter);
    g_assert_true (g_variant_iter_next (iter, "(&sb&sd)", NULL, &ok, &msg, NULL));
    g_test_message ("switch row: %s %s", ok ? "ok" : "failed", msg);
    g_assert_true (ok);
    g_variant_iter_free (iter);
  }
}

/* no --interface: the agent announces its LAN address (the default
 * route's interface, not the docker bridge beside it), and its signed
 * beacons come from that address, so keyed peers list it */
static void
test_no_interface (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) peer = NULL;
  g_autoptr (GSubprocess) agent = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GVariant) v = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autofree gchar *address = NULL;
  g_autofree gchar *bus_arg = NULL;
  g_autofree gchar *state_arg = NULL;
  g_autofree gchar *log_path = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *announced = NULL;
  g_autofree gchar *log = NULL;

  if (lab == NULL)
    return;
  key_arg = gc_test_site_key_option (lab, "network test site key\n");
  gc_lab_add_interface (lab, 1, "docker0", "172.17.0.1/16", &error);
  g_assert_no_error (error);
  address = gc_lab_start_bus (lab, 1, &error);
  g_assert_no_error (error);
  bus_arg = g_strdup_printf ("--bus-address=%s", address);
  state_arg = g_strdup_printf ("--state-dir=%s", gc_lab_host_dir (lab, 1));
  log_path = g_build_filename (gc_lab_host_dir (lab, 1), "agent.log", NULL);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdout_file_path (l, log_path);
  g_subprocess_launcher_set_stderr_file_path (l, log_path);
  agent = gc_lab_spawn (lab, 1, l, &error, gc_test_agent_binary (), "--receiver", "--sink=fake",
                        "--no-mdns", "--beacon-interval=500", "--verbose", key_arg, bus_arg,
                        state_arg, NULL);
  g_assert_no_error (error);
  peer = start_receiver (lab, 2, key_arg);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200 && r == NULL; i++)
    {
      r = g_dbus_connection_call_sync (bus, "io.github.Groupcast", AGENT_PATH,
                                       "org.freedesktop.DBus.Properties", "GetAll",
                                       g_variant_new ("(s)", GC_AGENT_IFACE), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
      if (r == NULL)
        gc_test_sleep (50);
    }
  g_assert_nonnull (r);
  v = g_variant_get_child_value (r, 0);
  g_assert_true (g_variant_lookup (v, "Address", "s", &announced));
  g_assert_cmpstr (announced, ==, "10.99.0.1");
  g_assert_true (g_variant_lookup (v, "Id", "s", &id));
  /* signed beacons from 10.99.0.1: the keyed peer lists it, verified */
  g_assert_true (wait_peer (peer, id, "10.99.0.1", 5000));
  {
    g_autofree gchar *path = peer_path (id);
    g_autoptr (GVariant) verified = gc_test_agent_get (peer, path, PEER_IFACE, "Verified");

    g_assert_nonnull (verified);
    g_assert_true (g_variant_get_boolean (verified));
  }
  g_file_get_contents (log_path, &log, NULL, NULL);
  g_assert_nonnull (strstr (log, "announcing 10.99.0.1 on eth0 (no --interface"));
  g_subprocess_force_exit (agent);
}

/* ---- source-specific multicast --------------------------------------------- */

static gboolean
get_bool (GcTestAgent *a, const gchar *prop)
{
  g_autoptr (GVariant) v = gc_test_agent_get (a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, prop);

  return v != NULL && g_variant_get_boolean (v);
}

static gboolean
source_specific (gpointer data)
{
  return get_bool (data, "SourceSpecific");
}

typedef struct
{
  GcLab *lab;
  const gchar *group;
  guint host;
  const gchar *source;
} SourceWait;

/* the bridge (IGMPv3 snooping) holds host's (source, group) entry */
static gboolean
mdb_has_source (gpointer data)
{
  SourceWait *w = data;
  g_auto (GStrv) src = gc_lab_mdb_sources (w->lab, w->group, w->host);

  return g_strv_contains ((const gchar * const *) src, w->source);
}

/* a receiver joins (source, group) for 232/8 (and for 239/8 with --ssm):
 * the snooping bridge lists the source, and a second sender on the group
 * (host 3, with the stream's SSRC and sequence numbers) never reaches the
 * receiver's socket: nothing to reject, nothing lost */
static void
test_ssm (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (5);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) src2 = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GcTestAgent) r2 = NULL;
  g_autoptr (GSubprocess) inject = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autofree gchar *out = NULL;
  guint64 sent = 0, rejected0, lost0, frames0;

  if (lab == NULL)
    return;
  key_arg = gc_test_site_key_option (lab, "network test site key\n");
  src = gc_test_agent_start (lab, 1, &error, "--source", "--group=232.0.0.11", "--no-mdns",
                             "--width=320", "--height=240", key_arg, NULL);
  g_assert_no_error (error);
  src2 = gc_test_agent_start (lab, 4, &error, "--source", "--group=239.0.0.12", "--no-mdns",
                              "--width=320", "--height=240", key_arg, NULL);
  g_assert_no_error (error);
  r = start_receiver (lab, 2, key_arg);
  {
    g_autoptr (GVariant) v = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                 "Connect",
                                                 g_variant_new ("(s)", "rtsp://10.99.0.1:7236/screen"),
                                                 5000, &error);

    g_assert_no_error (error);
  }
  r2 = gc_test_agent_start (lab, 5, &error, "--receiver", "--sink=fake", "--no-mdns", "--ssm",
                            key_arg, "--connect=rtsp://10.99.0.4:7236/screen", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (r, 20000));
  g_assert_true (gc_test_agent_wait_playing (r2, 20000));
  /* published with the counters, every 0.5 s */
  g_assert_true (gc_test_wait_until (source_specific, r, 3000));
  g_assert_true (gc_test_wait_until (source_specific, r2, 3000));
  {
    SourceWait w = { lab, "232.0.0.11", 2, "10.99.0.1" };
    SourceWait w2 = { lab, "239.0.0.12", 5, "10.99.0.4" };

    g_assert_true (gc_test_wait_until (mdb_has_source, &w, 5000));
    g_assert_true (gc_test_wait_until (mdb_has_source, &w2, 5000));
  }

  /* a second sender on the group, for 3 s at 1,000 packets a second */
  gc_test_sleep (600);
  rejected0 = gc_test_agent_receiver_u64 (r, "PacketsRejected");
  lost0 = gc_test_agent_receiver_u64 (r, "PacketsLost");
  frames0 = gc_test_agent_receiver_u64 (r, "FramesDecoded");
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  inject = gc_lab_spawn (lab, 3, l, &error, GC_ATTACKER, "rtp-inject", "232.0.0.11", "15550",
                         "1000", "3", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (inject, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sscanf (out, "sent %" G_GUINT64_FORMAT, &sent), ==, 1);
  gc_test_sleep (1200); /* the counters tick every 0.5 s */
  g_test_message ("a second sender sent %" G_GUINT64_FORMAT ": rejected +%" G_GUINT64_FORMAT
                  ", lost +%" G_GUINT64_FORMAT ", frames +%" G_GUINT64_FORMAT, sent,
                  gc_test_agent_receiver_u64 (r, "PacketsRejected") - rejected0,
                  gc_test_agent_receiver_u64 (r, "PacketsLost") - lost0,
                  gc_test_agent_receiver_u64 (r, "FramesDecoded") - frames0);
  g_assert_cmpuint (sent, >=, 2500);
  /* the kernel filters by source: none of the 3,000 reaches the socket.
   * one rejected packet was seen once, in the ASan stage (2026-12-02):
   * which packet it was is not known yet (docs/reliability.md, Open), so
   * one is let pass; the filter failing would show thousands */
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r, "PacketsRejected") - rejected0, <=, 1);
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r, "PacketsLost") - lost0, <=, 2);
  g_assert_cmpuint (gc_test_agent_receiver_u64 (r, "FramesDecoded") - frames0, >=, 30);
}

/* ---- a router between two subnets --------------------------------------- */

/* Source1.Switch of @src for @receiver; the row's outcome, its message in
 * *msg (free it) */
static gboolean
switch_row (GcTestAgent *src, const gchar *receiver, gchar **msg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) rows = NULL;
  g_autoptr (GVariantIter) iter = NULL;
  gboolean ok = FALSE;
  const gchar *m = NULL;

  rows = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                             g_variant_new ("(^as)", (const gchar *[]) { receiver, NULL }), 20000,
                             &error);
  g_assert_no_error (error);
  g_variant_get (rows, "(a(sbsd))", &iter);
  g_assert_true (g_variant_iter_next (iter, "(&sb&sd)", NULL, &ok, &m, NULL));
  g_test_message ("switch %s by host %u: %s %s", receiver, src->host, ok ? "ok" : "failed", m);
  *msg = g_strdup (m);
  return ok;
}

static gboolean
frames_decoded (gpointer data)
{
  return gc_test_agent_get_u64 (data, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded") > 0;
}

/* two subnets and a router (unicast, and multicast to 239/8 for a TTL of
 * 2 or more, with smcroute): broadcast beacons stay in their subnet, so a
 * source names the far one (--peers) and the far receiver, which names
 * nothing, answers it; each lists the other. a TTL 2 source plays there;
 * a TTL 1 source's switch fails, and says its TTL is why */
static void
test_routed (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autofree gchar *reason = NULL;
  g_autofree gchar *id1 = NULL, *id2 = NULL, *id3 = NULL;
  g_autofree gchar *msg = NULL;
  g_autofree gchar *smcrouted = g_find_program_in_path ("smcrouted");
  GcTestAgent *all[3] = { NULL };
  gint64 t0;

  if (!gc_lab_available (&reason))
    {
      g_test_skip (reason);
      return;
    }
  if (smcrouted == NULL && (smcrouted = g_find_program_in_path ("/usr/sbin/smcrouted")) == NULL)
    {
      g_test_skip ("the routed lab needs smcroute (tools/install-deps installs it)");
      return;
    }
  lab = gc_lab_new_routed (3, 3, &error);
  g_assert_no_error (error);
  key_arg = gc_test_site_key_option (lab, "network test site key\n");
  t0 = g_get_monotonic_time ();
  /* host 1: TTL 2, beacons to the far subnet; host 2: TTL 1, beacons to
   * the far board by address; host 3 (10.99.1.3, beyond the router): a
   * receiver with no --peers of its own */
  all[0] = gc_test_agent_start (lab, 1, &error, "--source", "--group=239.0.0.11", "--no-mdns",
                                "--beacon-interval=1000", "--width=320", "--height=240",
                                "--ttl=2", "--peers=10.99.1.0/24", key_arg, NULL);
  g_assert_no_error (error);
  /* refusing unicast: its receiver beyond the router gets no stream of
   * its own (transport/fallback), so the switch fails and says why */
  all[1] = gc_test_agent_start (lab, 2, &error, "--source", "--group=239.0.0.12", "--no-mdns",
                                "--beacon-interval=1000", "--width=320", "--height=240",
                                "--peers=10.99.1.3", "--no-unicast", key_arg, NULL);
  g_assert_no_error (error);
  all[2] = start_receiver (lab, 3, key_arg);
  g_assert_true (gc_test_agent_wait_ready (all[0], 15000));
  g_assert_true (gc_test_agent_wait_ready (all[1], 15000));
  id1 = agent_id (all[0]);
  id2 = agent_id (all[1]);
  id3 = agent_id (all[2]);
  g_assert_true (wait_peer (all[2], id1, "10.99.0.1", 5000));
  g_assert_true (wait_peer (all[0], id3, "10.99.1.3", 5000));
  g_assert_true (wait_peer (all[2], id2, "10.99.0.2", 5000));
  g_test_message ("both subnets list each other %.1f s after the agents started",
                  (g_get_monotonic_time () - t0) / 1e6);
  g_assert_true (log_has (all[2], "beyond this subnet, beacons to us: answering it by unicast"));
  /* the far receiver hears no broadcast of the near subnet: host 2 is not
   * among host 1's peers the way host 3 is (by unicast) */
  g_assert_true (log_has (all[0], "beacons also go by unicast beyond this subnet"));

  /* across the router with TTL 2: it plays */
  g_assert_true (switch_row (all[0], "10.99.1.3", &msg));
  g_assert_true (gc_test_agent_wait_playing (all[2], 15000));
  /* the counters are published every 0.5 s */
  g_assert_true (gc_test_wait_until (frames_decoded, all[2], 3000));
  /* with TTL 1 nothing crosses: the switch fails, and says why; the
   * picture of host 1 stays */
  g_clear_pointer (&msg, g_free);
  g_assert_false (switch_row (all[1], "10.99.1.3", &msg));
  g_assert_nonnull (strstr (msg, "the source's TTL does not reach this subnet"));
  g_assert_nonnull (strstr (msg, "unicast=false"));
  g_assert_true (gc_test_agent_wait_playing (all[2], 5000));
  {
    g_autofree gchar *url = gc_test_agent_get_string (all[2], GC_RECEIVER_PATH,
                                                      GC_RECEIVER_IFACE, "SourceUrl");

    g_assert_cmpstr (url, ==, "rtsp://10.99.0.1:7236/screen");
  }
  gc_test_agent_dump_logs_on_failure (all, 3);
  for (guint i = 0; i < 3; i++)
    gc_test_agent_free (all[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/network/no-broadcast-address", test_no_broadcast_address);
  g_test_add_func ("/groupcast/network/cloned-boards", test_cloned_boards);
  g_test_add_func ("/groupcast/network/unwritable-state", test_unwritable_state);
  g_test_add_func ("/groupcast/network/interface-address", test_interface_address);
  g_test_add_func ("/groupcast/network/no-interface", test_no_interface);
  g_test_add_func ("/groupcast/network/ssm", test_ssm);
  g_test_add_func ("/groupcast/network/routed", test_routed);
  return g_test_run ();
}
