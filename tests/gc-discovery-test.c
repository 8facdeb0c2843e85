/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * discovery in the lab: real probes (the real beacon, Avahi and peer-table
 * code) in lab hosts, each host with its own system bus and avahi-daemon.
 * each probe's stdout is read as it comes, into that probe's view of the
 * network.
 */
#include "config.h"

#include "gc-beacon.h"
#include "gc-beacon-service.h"
#include "gc-lab.h"

#include <signal.h>
#include <string.h>

#define MAX_HOSTS 4

typedef struct
{
  gchar *name;
  gchar *address;
  gchar *seen;
  gboolean verified;
} View;

typedef struct
{
  guint host;
  GSubprocess *proc;
  GDataInputStream *out;
  GOutputStream *in;
  GCancellable *cancel;
  gchar *id;
  GHashTable *peers; /* id → View */
  guint size;        /* last "size N" answer */
  guint n_sizes;
  guint max_seen;    /* most peers listed at once */
  gchar *detail;     /* last "detail ..." answer */
  gboolean eof;
} Probe;

typedef struct
{
  GcLab *lab;
  guint n;
  Probe probes[MAX_HOSTS + 1]; /* by host number */
  GSubprocess *avahi[MAX_HOSTS + 1];
} Lab;

/* like gc_test_wait_until, but drains the main context between looks: the
 * probes can print thousands of lines a second and each is one dispatch */
static gboolean
wait_until (GcTestPredicate pred, gpointer user_data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      for (guint i = 0; i < 100000 && g_main_context_iteration (NULL, FALSE); i++)
        ;
      if (pred (user_data))
        return TRUE;
      if (g_get_monotonic_time () >= end)
        return FALSE;
      g_usleep (2 * 1000);
    }
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

static void
sleep_ms (guint ms)
{
  wait_until (never, NULL, ms);
}

static void
view_free (View *v)
{
  g_free (v->name);
  g_free (v->address);
  g_free (v->seen);
  g_free (v);
}

static void read_next (Probe *p);

static void
handle_line (Probe *p, const gchar *line)
{
  g_auto (GStrv) f = g_strsplit (line, " ", 7);
  guint n = g_strv_length (f);

  if (n == 6 && (g_str_equal (f[0], "added") || g_str_equal (f[0], "changed")))
    {
      View *v = g_new0 (View, 1);

      v->name = g_strdup (f[2]);
      v->address = g_strdup (f[3]);
      v->seen = g_strdup (f[4]);
      v->verified = g_str_equal (f[5], "verified");
      g_hash_table_replace (p->peers, g_strdup (f[1]), v);
      p->max_seen = MAX (p->max_seen, g_hash_table_size (p->peers));
    }
  else if (n == 2 && g_str_equal (f[0], "removed"))
    g_hash_table_remove (p->peers, f[1]);
  else if (g_str_equal (f[0], "detail"))
    {
      g_free (p->detail);
      p->detail = g_strdup (line);
    }
  else if (n == 2 && g_str_equal (f[0], "size"))
    {
      p->size = (guint) g_ascii_strtoull (f[1], NULL, 10);
      p->n_sizes++;
    }
}

static void
line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Probe *p = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL)
    {
      p->eof = TRUE;
      return;
    }
  handle_line (p, line);
  read_next (p);
}

static void
read_next (Probe *p)
{
  g_data_input_stream_read_line_async (p->out, G_PRIORITY_DEFAULT, p->cancel, line_cb, p);
}

static gchar *
bus_address (Lab *l, guint host)
{
  return g_strdup_printf ("unix:path=%s/system_bus_socket", gc_lab_host_dir (l->lab, host));
}

/* the probe for slot HOST, run in lab host RUN_IN (0: in HOST itself) */
static void
start_probe_full (Lab *l, guint host, guint run_in, gboolean mdns, const gchar *probe_name,
                  const gchar *key_file)
{
  Probe *p = &l->probes[host];
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree gchar *state = g_build_filename (gc_lab_host_dir (l->lab, host), "state", NULL);
  guint in_host = run_in != 0 ? run_in : host;
  g_autofree gchar *name = probe_name != NULL ? g_strdup (probe_name)
                                              : g_strdup_printf ("h%u", host);
  g_autofree gchar *bus = bus_address (l, in_host);
  g_autofree gchar *line = NULL;
  g_auto (GStrv) f = NULL;
  const gchar *argv[12] = { GC_DISCOVERY_PROBE, "--id-dir", state, "--name", name,
                            "--interface", "eth0", NULL };
  guint argc = 7;

  if (!mdns)
    argv[argc++] = "--no-mdns";
  if (key_file != NULL)
    {
      argv[argc++] = "--key-file";
      argv[argc++] = key_file;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  p->host = host;
  p->proc = gc_lab_spawnv (l->lab, in_host, launcher, argv, &error);
  g_assert_no_error (error);
  p->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->proc));
  p->in = g_object_ref (g_subprocess_get_stdin_pipe (p->proc));
  p->cancel = g_cancellable_new ();
  p->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) view_free);
  line = g_data_input_stream_read_line_utf8 (p->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  f = g_strsplit (line, " ", 3);
  g_assert_cmpstr (f[0], ==, "self");
  g_assert_true (g_uuid_string_is_valid (f[1]));
  p->id = g_strdup (f[1]);
  read_next (p);
}

static void
start_probe_named (Lab *l, guint host, gboolean mdns, const gchar *probe_name)
{
  start_probe_full (l, host, 0, mdns, probe_name, NULL);
}

static void
start_probe (Lab *l, guint host, gboolean mdns)
{
  start_probe_full (l, host, 0, mdns, NULL, NULL);
}

static void
send_line (Probe *p, const gchar *line)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *with_nl = g_strdup_printf ("%s\n", line);

  g_output_stream_write_all (p->in, with_nl, strlen (with_nl), NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
end_probe (Probe *p, gboolean crash)
{
  if (p->proc == NULL)
    return;
  g_cancellable_cancel (p->cancel);
  if (crash)
    g_subprocess_force_exit (p->proc);
  else
    g_subprocess_send_signal (p->proc, SIGTERM);
  if (!g_subprocess_wait (p->proc, NULL, NULL))
    g_subprocess_force_exit (p->proc);
  g_clear_object (&p->proc);
  g_clear_object (&p->out);
  g_clear_object (&p->in);
  g_clear_object (&p->cancel);
  g_clear_pointer (&p->peers, g_hash_table_unref);
  g_clear_pointer (&p->detail, g_free);
}

static void
stop_probe (Probe *p)
{
  end_probe (p, FALSE);
}

static void
kill_probe (Probe *p)
{
  end_probe (p, TRUE);
}

static Lab *
lab_new (guint n, gboolean avahi)
{
  g_autofree gchar *reason = NULL;
  g_autoptr (GError) error = NULL;
  Lab *l;

  if (!gc_lab_available (&reason))
    {
      g_test_skip (reason);
      return NULL;
    }
  if (!g_file_test (GC_DISCOVERY_PROBE, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("gc-discovery-probe is not built");
      return NULL;
    }
  if (avahi && g_find_program_in_path ("avahi-daemon") == NULL
      && !g_file_test ("/usr/sbin/avahi-daemon", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("avahi-daemon is not installed");
      return NULL;
    }
  l = g_new0 (Lab, 1);
  l->n = n;
  l->lab = gc_lab_new (n, &error);
  g_assert_no_error (error);
  for (guint h = 1; h <= n; h++)
    {
      g_free (gc_lab_start_system_bus (l->lab, h, &error));
      g_assert_no_error (error);
      if (avahi)
        {
          l->avahi[h] = gc_lab_start_avahi (l->lab, h, &error);
          g_assert_no_error (error);
        }
    }
  return l;
}

static void
stop_avahi (Lab *l, guint host)
{
  if (l->avahi[host] == NULL)
    return;
  g_subprocess_send_signal (l->avahi[host], SIGTERM);
  g_subprocess_wait (l->avahi[host], NULL, NULL);
  g_clear_object (&l->avahi[host]);
}

static void
lab_free (Lab *l)
{
  if (l == NULL)
    return;
  for (guint h = 1; h <= l->n; h++)
    stop_probe (&l->probes[h]);
  for (guint h = 1; h <= l->n; h++)
    stop_avahi (l, h);
  gc_lab_free (l->lab);
  g_free (l);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Lab, lab_free)

/* does host A list host B, seen by exactly SEEN (NULL: listed at all)? */
static gboolean
sees (Lab *l, guint a, guint b, const gchar *seen, const gchar *name)
{
  View *v = g_hash_table_lookup (l->probes[a].peers, l->probes[b].id);
  g_autofree gchar *address = gc_lab_host_address (l->lab, b);

  if (v == NULL)
    return FALSE;
  if (g_strcmp0 (v->address, address) != 0)
    return FALSE;
  if (seen != NULL && g_strcmp0 (v->seen, seen) != 0)
    return FALSE;
  return name == NULL || g_strcmp0 (v->name, name) == 0;
}

typedef struct
{
  Lab *l;
  guint mask;       /* hosts taking part */
  const gchar *seen;
} AllSee;

static gboolean
all_see_all (gpointer user_data)
{
  AllSee *w = user_data;

  for (guint a = 1; a <= w->l->n; a++)
    for (guint b = 1; b <= w->l->n; b++)
      if (a != b && (w->mask & (1u << a)) && (w->mask & (1u << b))
          && !sees (w->l, a, b, w->seen, NULL))
        return FALSE;
  return TRUE;
}

static guint
all_hosts (guint n)
{
  guint mask = 0;

  for (guint h = 1; h <= n; h++)
    mask |= 1u << h;
  return mask;
}

static gboolean
renamed_everywhere (gpointer data)
{
  Lab *l = data;

  for (guint h = 2; h <= 4; h++)
    if (!sees (l, h, 1, NULL, "h1-renamed"))
      return FALSE;
  return TRUE;
}

static gboolean
host4_gone (gpointer data)
{
  Lab *l = data;

  for (guint h = 1; h <= 3; h++)
    if (g_hash_table_contains (l->probes[h].peers, l->probes[4].id))
      return FALSE;
  return TRUE;
}

static void
test_both_paths (void)
{
  g_autoptr (Lab) l = lab_new (4, TRUE);
  AllSee w;
  gint64 t0, took;

  if (l == NULL)
    return;
  t0 = g_get_monotonic_time ();
  for (guint h = 1; h <= 4; h++)
    start_probe (l, h, TRUE);

  /* everyone lists the other three, by mDNS and by beacon, within 2 s */
  w = (AllSee) { l, all_hosts (4), "mdns,beacon" };
  g_assert_true (wait_until (all_see_all, &w, 2000));
  took = (g_get_monotonic_time () - t0) / 1000;
  g_test_message ("all 4 probes list each other by both paths after %" G_GINT64_FORMAT " ms",
                  took);
  for (guint h = 1; h <= 4; h++)
    g_assert_cmpuint (g_hash_table_size (l->probes[h].peers), ==, 3);

  /* a rename shows everywhere (beacons carry it at once, then the TXT) */
  g_subprocess_send_signal (l->probes[1].proc, SIGUSR1);
  g_assert_true (wait_until (renamed_everywhere, l, 2000));
  /* and both paths settle on it */
  g_assert_true (wait_until (all_see_all, &w, 4000));
  for (guint h = 2; h <= 4; h++)
    g_assert_true (sees (l, h, 1, "mdns,beacon", "h1-renamed"));

  /* a stopped agent is gone from every list within 4 s */
  t0 = g_get_monotonic_time ();
  stop_probe (&l->probes[4]);
  g_assert_true (wait_until (host4_gone, l, 4000));
  g_test_message ("stopped probe gone after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - t0) / 1000);
  w.mask = all_hosts (3);
  g_assert_true (all_see_all (&w));
}

static gboolean
host3_gone (gpointer data)
{
  Lab *l = data;

  return !g_hash_table_contains (l->probes[1].peers, l->probes[3].id)
         && !g_hash_table_contains (l->probes[2].peers, l->probes[3].id);
}

static void
test_beacons_only (void)
{
  g_autoptr (Lab) l = lab_new (3, TRUE);
  gint64 t0, took;
  AllSee w;

  if (l == NULL)
    return;
  for (guint h = 1; h <= 3; h++)
    start_probe (l, h, TRUE);
  w = (AllSee) { l, all_hosts (3), "mdns,beacon" };
  g_assert_true (wait_until (all_see_all, &w, 3000));

  /* avahi stops everywhere: the mDNS path goes, beacons keep every peer */
  for (guint h = 1; h <= 3; h++)
    stop_avahi (l, h);
  w.seen = "beacon";
  g_assert_true (wait_until (all_see_all, &w, 3000));
  /* and they stay: longer than the beacon timeout */
  sleep_ms (4000);
  g_assert_true (all_see_all (&w));

  /* a crash sends no goodbye: the peer expires after 3 missed beacons */
  t0 = g_get_monotonic_time ();
  kill_probe (&l->probes[3]);
  g_assert_true (wait_until (host3_gone, l, 4000));
  took = (g_get_monotonic_time () - t0) / 1000;
  g_test_message ("killed probe expired after %" G_GINT64_FORMAT " ms", took);
  g_assert_cmpint (took, >=, 1500);
  w.mask = all_hosts (2);
  g_assert_true (all_see_all (&w));

  /* avahi comes back: the probes publish and browse again by themselves */
  for (guint h = 1; h <= 3; h++)
    {
      g_autoptr (GError) error = NULL;

      l->avahi[h] = gc_lab_start_avahi (l->lab, h, &error);
      g_assert_no_error (error);
    }
  w.seen = "mdns,beacon";
  g_assert_true (wait_until (all_see_all, &w, 8000));
}

static gboolean
shows_new_source (gpointer data)
{
  Lab *l = data;
  Probe *p = &l->probes[2];
  g_autofree gchar *cmd = g_strdup_printf ("show %s", l->probes[1].id);
  g_autofree gchar *want = g_strdup_printf ("detail %s h1 receiver - - "
                                            "rtsp://10.99.0.3:7236/screen mdns",
                                            l->probes[1].id);

  if (g_strcmp0 (p->detail, want) == 0)
    return TRUE;
  /* ask again; the answer is read by the next look */
  send_line (p, cmd);
  sleep_ms (100);
  return g_strcmp0 (p->detail, want) == 0;
}

static void
test_mdns_only (void)
{
  g_autoptr (Lab) l = lab_new (3, TRUE);
  g_autoptr (GError) error = NULL;
  AllSee w;

  if (l == NULL)
    return;
  /* host 2 gets no broadcast: no beacons reach it, mDNS (multicast) does */
  gc_lab_block_broadcast (l->lab, 2, &error);
  g_assert_no_error (error);
  for (guint h = 1; h <= 3; h++)
    start_probe (l, h, TRUE);
  w = (AllSee) { l, all_hosts (3), NULL };
  g_assert_true (wait_until (all_see_all, &w, 3000));
  /* a little longer, so a beacon would have arrived by now */
  sleep_ms (1500);
  g_assert_true (sees (l, 2, 1, "mdns", "h1"));
  g_assert_true (sees (l, 2, 3, "mdns", "h3"));
  /* host 2's own beacons still go out */
  g_assert_true (sees (l, 1, 2, "mdns,beacon", "h2"));
  g_assert_true (sees (l, 3, 2, "mdns,beacon", "h2"));

  /* a change of the TXT record alone (what host 1 shows) reaches host 2 by
   * mDNS only: the record is updated in place and the resolver reports it */
  send_line (&l->probes[1], "src rtsp://10.99.0.3:7236/screen");
  g_assert_true (wait_until (shows_new_source, l, 3000));
}

static void
test_name_collision (void)
{
  g_autoptr (Lab) l = lab_new (2, TRUE);
  AllSee w;

  if (l == NULL)
    return;
  /* same instance name: the second publisher takes Avahi's alternative
   * service name, and both stay visible by mDNS under their real name */
  start_probe_named (l, 1, TRUE, "same");
  start_probe_named (l, 2, TRUE, "same");
  w = (AllSee) { l, all_hosts (2), "mdns,beacon" };
  g_assert_true (wait_until (all_see_all, &w, 4000));
  g_assert_true (sees (l, 1, 2, "mdns,beacon", "same"));
  g_assert_true (sees (l, 2, 1, "mdns,beacon", "same"));
}

static gchar *
write_key (Lab *l, guint host, const gchar *key)
{
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (gc_lab_host_dir (l->lab, host), "site.key", NULL);

  g_file_set_contents (path, key, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_keyed (void)
{
  g_autoptr (Lab) l = lab_new (3, FALSE);
  g_autofree gchar *k1 = NULL;
  g_autofree gchar *k2 = NULL;
  g_autofree gchar *k3 = NULL;
  AllSee w;

  if (l == NULL)
    return;
  /* hosts 1 and 2 share the site key, host 3 holds another */
  k1 = write_key (l, 1, "site key one\n");
  k2 = write_key (l, 2, "site key one\n");
  k3 = write_key (l, 3, "another key\n");
  start_probe_full (l, 1, 0, FALSE, NULL, k1);
  start_probe_full (l, 2, 0, FALSE, NULL, k2);
  start_probe_full (l, 3, 0, FALSE, NULL, k3);
  w = (AllSee) { l, all_hosts (2), "beacon" };
  g_assert_true (wait_until (all_see_all, &w, 3000));
  /* long enough for several beacons from everyone */
  sleep_ms (2500);
  g_assert_true (all_see_all (&w));
  /* the other key's agent is listed, never silently dropped, but as not
   * verified (what its beacons say is taken as unsigned news); the site's
   * agents are verified; host 3 sees both, unverified */
  for (guint h = 1; h <= 3; h++)
    g_assert_cmpuint (g_hash_table_size (l->probes[h].peers), ==, 2);
  for (guint a = 1; a <= 3; a++)
    for (guint b = 1; b <= 3; b++)
      if (a != b)
        {
          View *v = g_hash_table_lookup (l->probes[a].peers, l->probes[b].id);

          g_assert_nonnull (v);
          g_assert_cmpstr (v->seen, ==, "beacon");
          g_assert_cmpint (v->verified, ==, a != 3 && b != 3);
        }
}

static gboolean
same_host_pair (gpointer data)
{
  Lab *l = data;
  View *a = g_hash_table_lookup (l->probes[1].peers, l->probes[2].id);
  View *b = g_hash_table_lookup (l->probes[2].peers, l->probes[1].id);

  return a != NULL && b != NULL && g_str_equal (a->address, "10.99.0.1")
         && g_str_equal (b->address, "10.99.0.1") && g_str_equal (a->seen, "beacon")
         && g_str_equal (b->seen, "beacon");
}

static void
test_same_host (void)
{
  g_autoptr (Lab) l = lab_new (2, FALSE);

  if (l == NULL)
    return;
  /* two agents in one host share the beacon port (SO_REUSEADDR/PORT), and
   * broadcast reaches both sockets */
  start_probe_full (l, 1, 1, FALSE, NULL, NULL);
  start_probe_full (l, 2, 1, FALSE, NULL, NULL);
  g_assert_true (wait_until (same_host_pair, l, 3000));
}

/* ---- flood ---- */

#define FLOOD_COUNT 20000
#define FLOOD_MS 2000

static int
flood_main (const gchar *address, guint count, guint ms)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) to = NULL;
  gint64 start = g_get_monotonic_time ();
  guint sent = 0;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_broadcast (socket, TRUE);
  to = g_inet_socket_address_new_from_string (address, GC_DEFAULT_BEACON_PORT);
  /* paced in 10 ms slices, each id new so every beacon is a new peer */
  for (guint i = 0; i < count; i++)
    {
      g_auto (GcAnnouncement) a = { 0 };
      g_autoptr (GBytes) beacon = NULL;
      gint64 due = start + (gint64) i * ms * 1000 / count;

      while (g_get_monotonic_time () < due)
        g_usleep (1000);
      a.id = g_uuid_string_random ();
      a.name = g_strdup_printf ("fake-%u", i);
      a.roles = GC_ROLE_RECEIVER;
      a.control_port = 7237;
      beacon = gc_beacon_build (&a, NULL, &error);
      g_assert_no_error (error);
      if (g_socket_send_to (socket, to, g_bytes_get_data (beacon, NULL),
                            g_bytes_get_size (beacon), NULL, NULL) > 0)
        sent++;
    }
  g_print ("%u\n", sent);
  return 0;
}

static void
ask_size (Probe *p)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (p->in, "size\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);
}

typedef struct
{
  Probe *p;
  guint before;
} Answer;

static gboolean
answered (gpointer data)
{
  Answer *a = data;

  return a->p->n_sizes > a->before;
}

static gboolean
wait_answer (Probe *p, guint before, guint timeout_ms)
{
  Answer a = { p, before };

  return wait_until (answered, &a, timeout_ms);
}

static gboolean
flood_settled (gpointer data)
{
  Lab *l = data;

  return g_hash_table_size (l->probes[1].peers) == 1 && sees (l, 1, 3, "beacon", "h3");
}

static void
test_flood (void)
{
  g_autoptr (Lab) l = lab_new (3, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) flood = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *count = g_strdup_printf ("%u", FLOOD_COUNT);
  g_autofree gchar *ms = g_strdup_printf ("%u", FLOOD_MS);
  g_autofree gchar *out = NULL;
  Probe *p;
  gint64 worst = 0;
  guint asked = 0;
  AllSee w;

  if (l == NULL)
    return;
  g_assert_nonnull (self_exe);
  start_probe (l, 1, FALSE);
  start_probe (l, 3, FALSE);
  p = &l->probes[1];
  w = (AllSee) { l, (1u << 1) | (1u << 3), "beacon" };
  g_assert_true (wait_until (all_see_all, &w, 3000));

  /* 20,000 beacons with distinct fake ids in 2 s, from host 2 */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  flood = gc_lab_spawn (l->lab, 2, launcher, &error, self_exe, "flood", "10.99.0.255",
                        count, ms, NULL);
  g_assert_no_error (error);

  /* meanwhile the probe must answer promptly: ask every 100 ms */
  while (g_subprocess_get_identifier (flood) != NULL && asked < 100)
    {
      guint before = p->n_sizes;
      gint64 t = g_get_monotonic_time ();

      ask_size (p);
      asked++;
      g_assert_true (wait_answer (p, before, 2000));
      worst = MAX (worst, g_get_monotonic_time () - t);
      g_assert_cmpuint (p->size, <=, 256);
      sleep_ms (100);
    }
  g_subprocess_communicate_utf8 (flood, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (flood));
  g_test_message ("flood: %s beacons sent; %u size queries, slowest answer %" G_GINT64_FORMAT
                  " ms; most peers listed %u", g_strstrip (out), asked, worst / 1000,
                  p->max_seen);
  g_assert_cmpuint ((guint) g_ascii_strtoull (out, NULL, 10), >=, FLOOD_COUNT * 9 / 10);
  g_assert_cmpint (worst, <, 500 * 1000);
  /* one host gets its own allowance of beacons, not the table: at most its
   * burst and rate worth of made-up ids (plus host 3), never the bound */
  g_assert_cmpuint (p->max_seen, >, 1);
  g_assert_cmpuint (p->max_seen, <=,
                    1 + GC_BEACON_SERVICE_SENDER_BURST
                      + GC_BEACON_SERVICE_SENDER_RATE * (FLOOD_MS / 1000 + 1));
  /* and host 3's beacons were never starved: it stayed listed */
  g_assert_true (sees (l, 1, 3, "beacon", "h3"));

  /* afterwards the fakes expire and the real peer is there */
  g_assert_true (wait_until (flood_settled, l, 6000));
  {
    guint before = p->n_sizes;

    ask_size (p);
    g_assert_true (wait_answer (p, before, 1000));
  }
  g_assert_cmpuint (p->size, ==, 1);
}

int
main (int argc, char **argv)
{
  /* the flood sender, run inside a lab host by test_flood */
  if (argc == 5 && g_str_equal (argv[1], "flood"))
    return flood_main (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10),
                       (guint) g_ascii_strtoull (argv[4], NULL, 10));

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/discovery/both-paths", test_both_paths);
  g_test_add_func ("/groupcast/discovery/beacons-only", test_beacons_only);
  g_test_add_func ("/groupcast/discovery/mdns-only", test_mdns_only);
  g_test_add_func ("/groupcast/discovery/name-collision", test_name_collision);
  g_test_add_func ("/groupcast/discovery/keyed", test_keyed);
  g_test_add_func ("/groupcast/discovery/same-host", test_same_host);
  g_test_add_func ("/groupcast/discovery/flood", test_flood);
  return g_test_run ();
}
