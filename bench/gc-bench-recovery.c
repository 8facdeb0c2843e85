/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-bench-recovery: how fast a receiver recovers, and how fast it answers
 * under load, in the lab (root; see bench/README.md). the integration tests
 * only check that these things happen within generous bounds; the figures
 * are measured here.
 *
 *   gc-bench-recovery source-restart [REPS]  source killed and started again:
 *                                            time to no-signal, then back to
 *                                            playing with no command (the
 *                                            receiver retries when the
 *                                            source's beacon names its URL)
 *   gc-bench-recovery link-flap [REPS]       receiver's link down 5 s, then up:
 *                                            time back to playing
 *   gc-bench-recovery control-flood [REPS]   1,000 idle connections to a
 *                                            receiver's control port: D-Bus
 *                                            answer times meanwhile
 *   gc-bench-recovery discovery [REPS]       time until two agents list each
 *                                            other: one without a broadcast
 *                                            address, and two cloned boards
 *   gc-bench-recovery routed [REPS]          a source and a receiver on two
 *                                            subnets behind a router (--peers,
 *                                            TTL 2): time until each lists
 *                                            the other, then a Switch across
 *   gc-bench-recovery loss [SECONDS]         a source with FEC and one
 *                                            without, receivers with 0, 2 and
 *                                            5 % random loss on their links,
 *                                            same run: frames intact (shown)
 *                                            and damaged (missing data, held),
 *                                            lost packets rebuilt, per 10 s
 *   gc-bench-recovery fallback [REPS]        one Switch, alternating between
 *                                            two sources, of three receivers:
 *                                            one the group reaches, one that
 *                                            drops multicast (plays unicast),
 *                                            one that drops all media UDP
 *                                            (plays over TCP): each one's
 *                                            first intact frame, same run
 *   gc-bench-recovery attack [REPS]          switch times with and without
 *                                            a host holding the receiver's
 *                                            control port and flooding
 *                                            beacons (same run)
 *
 * each prints a markdown table (p50, p95, min, max); docs/performance.md
 * holds a run.
 */
#define G_LOG_DOMAIN "GcBenchRecovery"

#include "config.h"

#include "gc-test-agent.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define GROUP "239.0.0.11"
#define URL1 "rtsp://10.99.0.1:7236/screen"

/* ---- small statistics ---------------------------------------------------- */

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

/* nearest-rank percentile of a sorted copy */
static gdouble
percentile (GArray *v, gdouble p)
{
  g_autoptr (GArray) s = NULL;
  guint rank;

  if (v->len == 0)
    return -1;
  s = g_array_copy (v);
  g_array_sort (s, cmp_double);
  rank = (guint) MAX (1.0, (p / 100.0) * s->len + 0.999999);
  return g_array_index (s, gdouble, MIN (rank, s->len) - 1);
}

static void
print_head (void)
{
  g_print ("| what | n | p50 | p95 | min | max | unit |\n|---|---|---|---|---|---|---|\n");
}

static void
print_row (const gchar *what, GArray *v, const gchar *unit)
{
  g_print ("| %s | %u | %.1f | %.1f | %.1f | %.1f | %s |\n", what, v->len,
           percentile (v, 50), percentile (v, 95), percentile (v, 0), percentile (v, 100), unit);
}

static gdouble
ms_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* ---- agents ---------------------------------------------------------------- */

/* agents as deployed, with beacons (no mDNS: no avahi-daemon in these
 * hosts); @extra: a key option, or NULL */
static GcTestAgent *
start_source (GcLab *lab, guint host, const gchar *extra, GError **error)
{
  g_autoptr (GcTestAgent) a = gc_test_agent_start (lab, host, error, "--source",
                                                   "--group=" GROUP, "--no-mdns", extra, NULL);

  if (a == NULL)
    return NULL;
  if (!gc_test_agent_wait_ready (a, 10000)
      || !gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready", 10000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the source on host %u did not start",
                   host);
      return NULL;
    }
  return g_steal_pointer (&a);
}

static GcTestAgent *
start_receiver (GcLab *lab, guint host, const gchar *url, const gchar *extra, GError **error)
{
  g_autofree gchar *c = url ? g_strdup_printf ("--connect=%s", url) : g_strdup ("--receiver");
  g_autoptr (GcTestAgent) a = gc_test_agent_start (lab, host, error, "--receiver", c,
                                                   "--sink=fake", "--no-mdns", extra, NULL);

  if (a == NULL)
    return NULL;
  if (!gc_test_agent_wait_ready (a, 10000)
      || (url != NULL && !gc_test_agent_wait_playing (a, 20000)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the receiver on host %u did not %s",
                   host, url ? "play" : "start");
      return NULL;
    }
  return g_steal_pointer (&a);
}

static gchar *
receiver_state (GcTestAgent *r)
{
  return gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
}

/* ---- source restart -------------------------------------------------------- */

/* after a restart: when the source was seen serving and the receiver
 * playing (0 until then) */
typedef struct
{
  GcTestAgent *src;
  GcTestAgent *r;
  gint64 t0;
  gint64 serving;
  gint64 playing;
} Back;

static gboolean
back_again (gpointer data)
{
  Back *b = data;

  if (b->serving == 0)
    {
      g_autofree gchar *st = gc_test_agent_get_string (b->src, GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                                       "State");

      /* a receiver that joins at once turns ready into streaming */
      if (g_strcmp0 (st, "ready") == 0 || g_strcmp0 (st, "streaming") == 0)
        b->serving = g_get_monotonic_time ();
    }
  if (b->playing == 0)
    {
      g_autofree gchar *st = receiver_state (b->r);

      if (g_strcmp0 (st, "playing") == 0)
        b->playing = g_get_monotonic_time ();
    }
  return b->serving != 0 && b->playing != 0;
}

/* the source dies without a word and comes back: the receiver notices (its
 * RTSP connection closes) and reconnects by itself, as soon as the
 * source's beacon names its URL again, else on its back-off timer */
static gboolean
run_source_restart_with (guint reps, gboolean beacons, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (2, error);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GArray) no_signal = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) serving = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) total = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) back = g_array_new (FALSE, FALSE, sizeof (gdouble));
  guint retried = 0;

  if (lab == NULL || (src = start_source (lab, 1, NULL, error)) == NULL
      || (r = start_receiver (lab, 2, URL1, beacons ? NULL : "--no-beacons", error)) == NULL)
    return FALSE;
  g_print ("\n## receiver %s\n\n", beacons ? "with beacons (as deployed)"
                                             : "without beacons: its back-off timer only");
  for (guint i = 0; i < reps; i++)
    {
      Back b = { src, r };
      gint64 t0;
      gdouble ms, ms_serving, ms_total, ms_back;

      /* a few seconds of playing, so the receiver's retry delay is back to
       * its minimum */
      gc_test_sleep (3000);
      gc_test_agent_kill (src);
      t0 = g_get_monotonic_time ();
      if (!gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                      "no-signal", 10000))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: no no-signal", i);
          return FALSE;
        }
      ms = ms_since (t0);
      g_array_append_val (no_signal, ms);
      b.t0 = g_get_monotonic_time ();
      if (!gc_test_agent_restart (src, error))
        return FALSE;
      if (!gc_test_wait_until (back_again, &b, 30000))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: not %s again", i,
                       b.serving == 0 ? "serving" : "playing");
          return FALSE;
        }
      ms_serving = (b.serving - b.t0) / 1000.0;
      ms_total = (b.playing - b.t0) / 1000.0;
      ms_back = MAX (0.0, ms_total - ms_serving);
      g_array_append_val (serving, ms_serving);
      g_array_append_val (total, ms_total);
      g_array_append_val (back, ms_back);
      g_printerr ("rep %u: no-signal after %.0f ms; after the restart, serving at %.0f ms, "
                  "receiver playing at %.0f ms\n", i, ms, ms_serving, ms_total);
    }
  {
    g_autofree gchar *log = gc_test_agent_get_log (r);

    for (const gchar *p = log; (p = strstr (p, "is back: reconnecting now")) != NULL; p++)
      retried++;
  }
  print_head ();
  print_row ("source SIGKILLed, until receiver `no-signal`", no_signal, "ms");
  print_row ("source restarted, until it serves again", serving, "ms");
  print_row ("source restarted, until receiver `playing` again", total, "ms");
  print_row ("source serving, until receiver `playing` again", back, "ms");
  g_print ("# reconnects started by the source's beacon: %u of %u\n", retried, reps);
  return TRUE;
}

/* as deployed, then with the receiver deaf to beacons (what recovery was
 * before it listened for the source's return), in one run */
static gboolean
run_source_restart (guint reps, GError **error)
{
  return run_source_restart_with (reps, TRUE, error)
         && run_source_restart_with (reps, FALSE, error);
}

/* ---- link flap ------------------------------------------------------------- */

static gboolean
run_link_flap (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (2, error);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GArray) back = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GString) down_states = g_string_new (NULL);

  if (lab == NULL || (src = start_source (lab, 1, NULL, error)) == NULL
      || (r = start_receiver (lab, 2, URL1, NULL, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < reps; i++)
    {
      g_autofree gchar *st = NULL;
      gint64 t0;
      gdouble ms;

      gc_test_sleep (3000);
      if (!gc_lab_set_link (lab, 2, FALSE, error))
        return FALSE;
      gc_test_sleep (5000);
      st = receiver_state (r);
      g_string_append_printf (down_states, "%s%s", i ? ", " : "", st ? st : "?");
      if (!gc_lab_set_link (lab, 2, TRUE, error))
        return FALSE;
      t0 = g_get_monotonic_time ();
      if (!gc_test_agent_wait_playing (r, 30000))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: not playing again", i);
          return FALSE;
        }
      ms = ms_since (t0);
      g_array_append_val (back, ms);
      g_printerr ("rep %u: playing again %.0f ms after the link came up\n", i, ms);
    }
  print_head ();
  print_row ("link up after 5 s down, until `playing` again", back, "ms");
  g_print ("# states after 5 s without a link: %s\n", down_states->str);
  return TRUE;
}

/* ---- control flood ----------------------------------------------------------- */

typedef struct
{
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

/* 1,000 connections to the control port that never send a byte, from
 * another host, held for up to 15 s; meanwhile a D-Bus Get every 50 ms */
static gboolean
run_control_flood (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (3, error);
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GArray) gets = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) worst = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) last_close = g_array_new (FALSE, FALSE, sizeof (gdouble));

  if (lab == NULL || (r = start_receiver (lab, 2, NULL, "--no-beacons", error)) == NULL)
    return FALSE;
  for (guint i = 0; i < reps; i++)
    {
      g_autoptr (GSubprocessLauncher) l =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
      g_autoptr (GSubprocess) flood = NULL;
      Captured cap = { 0 };
      gdouble rep_worst = 0;
      guint connected = 0, failed = 0, closed = 0, still_open = 0;
      gdouble conn_ms = 0, first_ms = 0, last_ms = 0;

      gc_test_sleep (1000);
      flood = gc_lab_spawn (lab, 3, l, error, GC_FAKE_SERVER, "7237", "flood", "15", "10.99.0.2",
                            "1000", NULL);
      if (flood == NULL)
        return FALSE;
      g_subprocess_communicate_utf8_async (flood, NULL, NULL, captured_done, &cap);
      while (!cap.done)
        {
          gint64 t0 = g_get_monotonic_time ();
          g_autofree gchar *st = receiver_state (r);
          gdouble ms = ms_since (t0);

          if (st == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: a D-Bus Get failed", i);
              return FALSE;
            }
          g_array_append_val (gets, ms);
          rep_worst = MAX (rep_worst, ms);
          gc_test_sleep (50);
        }
      if (cap.out == NULL
          || sscanf (cap.out, "connected %u failed %u in %lf ms\nclosed %u open %u "
                     "first-close-ms %lf last-close-ms %lf", &connected, &failed, &conn_ms,
                     &closed, &still_open, &first_ms, &last_ms) != 7)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: flood said %s", i,
                       cap.out ? cap.out : "nothing");
          g_free (cap.out);
          return FALSE;
        }
      g_array_append_val (worst, rep_worst);
      g_array_append_val (last_close, last_ms);
      g_printerr ("rep %u: %u connected in %.0f ms, %u closed (last after %.0f ms), %u open; "
                  "slowest Get %.1f ms\n", i, connected, conn_ms, closed, last_ms, still_open,
                  rep_worst);
      g_free (cap.out);
    }
  print_head ();
  print_row ("D-Bus `Get` during the flood, each", gets, "ms");
  print_row ("D-Bus `Get` during the flood, slowest of a rep", worst, "ms");
  print_row ("first connect, until the agent closed the last", last_close, "ms");
  return TRUE;
}

/* ---- discovery on real-style networks -------------------------------------- */

typedef struct
{
  GcTestAgent *a;
  const gchar *id;
} Lists;

static gboolean
lists (gpointer data)
{
  Lists *l = data;
  g_autofree gchar *path = g_strdup_printf ("/io/github/Groupcast/peer/%s", l->id);
  g_autofree gchar *address = NULL;

  for (gchar *p = path; *p != '\0'; p++)
    if (*p == '-')
      *p = '_';
  address = gc_test_agent_get_string (l->a, path, "io.github.Groupcast.Peer1", "Address");
  return address != NULL;
}

static gchar *
id_of (GcTestAgent *a)
{
  return gc_test_agent_get_string (a, "/io/github/Groupcast", GC_AGENT_IFACE, "Id");
}

/* both agents started (b @gap_ms after a); the time from b's start until
 * each lists the other, the later of the two; -1 on a failure */
static gdouble
time_to_list (GcTestAgent *a, GcTestAgent *b, guint gap_ms, const gchar *b_old_id)
{
  g_autofree gchar *ia = NULL;
  g_autofree gchar *ib = NULL;
  gint64 t0;
  Lists la, lb;

  if (!gc_test_agent_restart (a, NULL) || !gc_test_agent_wait_ready (a, 10000))
    return -1;
  gc_test_sleep (gap_ms);
  t0 = g_get_monotonic_time ();
  if (!gc_test_agent_restart (b, NULL) || !gc_test_agent_wait_ready (b, 10000))
    return -1;
  ia = id_of (a);
  /* a clone takes its new id within the first beacons: wait for it */
  for (guint i = 0; i < 500 && b_old_id != NULL; i++)
    {
      g_free (ib);
      ib = id_of (b);
      if (ib != NULL && g_strcmp0 (ib, b_old_id) != 0)
        break;
      gc_test_sleep (10);
    }
  if (ib == NULL)
    ib = id_of (b);
  la = (Lists) { a, ib };
  lb = (Lists) { b, ia };
  if (ia == NULL || ib == NULL || !gc_test_wait_until (lists, &la, 10000)
      || !gc_test_wait_until (lists, &lb, 10000))
    return -1;
  return ms_since (t0);
}

static void
write_id (GcLab *lab, guint host, const gchar *id)
{
  g_autofree gchar *path = g_build_filename (gc_lab_host_dir (lab, host), "id", NULL);
  g_autofree gchar *line = g_strdup_printf ("%s\n", id);

  g_file_set_contents (path, line, -1, NULL);
}

/* beacons only (mDNS would hide a broadcast fault): host 2's address
 * without a broadcast address; then hosts 1 and 2 with one identity file,
 * the second started 1 s after the first */
static gboolean
run_discovery (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (2, error);
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autoptr (GArray) nobrd = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) clone = g_array_new (FALSE, FALSE, sizeof (gdouble));

  if (lab == NULL || !gc_lab_remove_broadcast_address (lab, 2, error))
    return FALSE;
  a = gc_test_agent_start (lab, 1, error, "--receiver", "--sink=fake", "--no-mdns", NULL);
  b = a != NULL ? gc_test_agent_start (lab, 2, error, "--receiver", "--sink=fake", "--no-mdns",
                                       NULL) : NULL;
  if (b == NULL)
    return FALSE;
  for (guint i = 0; i < reps; i++)
    {
      gdouble ms;

      gc_test_agent_kill (a);
      gc_test_agent_kill (b);
      ms = time_to_list (a, b, 0, NULL);
      if (ms < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: no broadcast address: "
                       "not listed", i);
          return FALSE;
        }
      g_array_append_val (nobrd, ms);
      g_printerr ("rep %u: no broadcast address, listed both ways %.0f ms after the start\n",
                  i, ms);
    }
  for (guint i = 0; i < reps; i++)
    {
      g_autofree gchar *same = g_uuid_string_random ();
      gdouble ms;

      gc_test_agent_kill (a);
      gc_test_agent_kill (b);
      write_id (lab, 1, same);
      write_id (lab, 2, same);
      ms = time_to_list (a, b, 1000, same);
      if (ms < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: cloned: not listed", i);
          return FALSE;
        }
      g_array_append_val (clone, ms);
      g_printerr ("rep %u: cloned boards, listed both ways %.0f ms after the copy's start\n",
                  i, ms);
    }
  print_head ();
  print_row ("no broadcast address: agents started, until each lists the other", nobrd, "ms");
  print_row ("cloned boards: the copy started, until each lists the other", clone, "ms");
  return TRUE;
}

/* ---- a hostile host ------------------------------------------------------ */

static gchar *
write_key (GcLab *lab)
{
  g_autofree gchar *path = g_build_filename (gc_lab_host_dir (lab, 1), "site.key", NULL);

  g_file_set_contents_full (path, "bench site key", -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                            NULL);
  return g_strdup_printf ("--key-file=%s", path);
}

/* one Switch of @r's agent id onto @src; its time, or -1 */
static gdouble
timed_switch (GcTestAgent *src, const gchar *rid, GError **error)
{
  const gchar *targets[] = { rid, NULL };
  g_autoptr (GVariant) rows = NULL;
  g_autoptr (GVariant) list = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gdouble ms;
  gboolean ok = FALSE;
  const gchar *msg = NULL;

  rows = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                             g_variant_new ("(^as)", targets), 15000, error);
  ms = ms_since (t0);
  if (rows == NULL)
    return -1;
  list = g_variant_get_child_value (rows, 0);
  g_variant_get_child (list, 0, "(&sb&sd)", NULL, &ok, &msg, NULL);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "switch failed: %s", msg);
      return -1;
    }
  return ms;
}

static gboolean
switches (GcTestAgent **srcs, const gchar *rid, guint reps, GArray *times, GError **error)
{
  for (guint i = 0; i < reps; i++)
    {
      gdouble ms = timed_switch (srcs[i % 2], rid, error);

      if (ms < 0)
        return FALSE;
      g_array_append_val (times, ms);
      gc_test_sleep (700);
    }
  return TRUE;
}

/* a receiver switched between two sources, REPS times quiet, then REPS
 * times while host 4 holds its control port (500 connections, reopened as
 * they close) and floods beacons (5,000 a second, made-up ids) */
static gboolean
run_attack (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (4, error);
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GArray) quiet = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) attacked = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GSubprocess) hold = NULL;
  g_autoptr (GSubprocess) flood = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *rid = NULL;
  g_autofree gchar *secs = NULL;
  GcTestAgent *srcs[2];

  if (lab == NULL)
    return FALSE;
  key = write_key (lab);
  a = gc_test_agent_start (lab, 1, error, "--source", "--group=239.0.0.11", "--no-mdns", key,
                           NULL);
  b = a != NULL ? gc_test_agent_start (lab, 2, error, "--source", "--group=239.0.0.12",
                                       "--no-mdns", key, NULL) : NULL;
  r = b != NULL ? gc_test_agent_start (lab, 3, error, "--receiver", "--sink=fake", "--no-mdns",
                                       key, NULL) : NULL;
  if (r == NULL || !gc_test_agent_wait_ready (a, 10000) || !gc_test_agent_wait_ready (b, 10000)
      || !gc_test_agent_wait_ready (r, 10000))
    return FALSE;
  gc_test_sleep (3000); /* discovered, sources serving */
  rid = gc_test_agent_get_string (r, "/io/github/Groupcast", GC_AGENT_IFACE, "Id");
  srcs[0] = a;
  srcs[1] = b;
  if (!switches (srcs, rid, reps, quiet, error))
    return FALSE;
  /* the attack lasts the switches and a margin */
  secs = g_strdup_printf ("%u", reps + 10);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  hold = gc_lab_spawn (lab, 4, l, error, GC_ATTACKER, "hold", "10.99.0.3", "7237", "500", secs,
                       NULL);
  flood = hold != NULL ? gc_lab_spawn (lab, 4, l, error, GC_ATTACKER, "beacons", "10.99.0.255",
                                       "5000", secs, NULL) : NULL;
  if (flood == NULL)
    return FALSE;
  gc_test_sleep (2000);
  if (!switches (srcs, rid, reps, attacked, error))
    return FALSE;
  g_subprocess_force_exit (hold);
  g_subprocess_force_exit (flood);
  print_head ();
  print_row ("Switch call, nobody attacking", quiet, "ms");
  print_row ("Switch call, host 4 holding the control port and flooding beacons", attacked,
             "ms");
  g_print ("# ratio of the p50s: %.2f\n", percentile (attacked, 50) / percentile (quiet, 50));
  return TRUE;
}

/* ---- loss ------------------------------------------------------------------ */

/* two sources at 30 fps (1 Mbit/s, 640x360), host 1 with FEC (the
 * default, 25 %), host 2 without; receivers of the first on hosts 3, 4, 5
 * with 0, 2 and 5 % of UDP dropped on their links, of the second on hosts
 * 6, 7 with 2 and 5 %. for @secs seconds (in steps of 10 s, each a sample)
 * the frames each decoded and those that missed data, against the 30 a
 * second sent, and the lost packets FEC rebuilt */
#define LOSS_RX 5
static gboolean
run_loss (guint secs, GError **error)
{
  static const guint pct[LOSS_RX] = { 0, 2, 5, 2, 5 };
  static const gboolean fec[LOSS_RX] = { TRUE, TRUE, TRUE, FALSE, FALSE };
  g_autoptr (GcLab) lab = gc_lab_new (2 + LOSS_RX, error);
  GcTestAgent *src[2] = { NULL };
  GcTestAgent *rx[LOSS_RX] = { NULL };
  GArray *intact[LOSS_RX], *damaged[LOSS_RX], *rebuilt[LOSS_RX];
  g_autoptr (GArray) overhead = g_array_new (FALSE, FALSE, sizeof (gdouble));
  gboolean ok = FALSE;

  if (lab == NULL)
    return FALSE;
  for (guint i = 0; i < LOSS_RX; i++)
    {
      intact[i] = g_array_new (FALSE, FALSE, sizeof (gdouble));
      damaged[i] = g_array_new (FALSE, FALSE, sizeof (gdouble));
      rebuilt[i] = g_array_new (FALSE, FALSE, sizeof (gdouble));
    }
  for (guint s = 0; s < 2; s++)
    {
      g_autofree gchar *group = g_strdup_printf ("--group=239.0.0.%u", 11 + s);

      src[s] = gc_test_agent_start (lab, 1 + s, error, "--source", group, "--no-mdns",
                                    "--width=640", "--height=360", "--framerate=30",
                                    "--bitrate=1000", s == 0 ? "--fec=high" : "--fec=none", NULL);
      if (src[s] == NULL || !gc_test_agent_wait_string (src[s], GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                                        "State", "ready", 10000))
        goto out;
    }
  for (guint i = 0; i < LOSS_RX; i++)
    {
      g_autofree gchar *url = g_strdup_printf ("rtsp://10.99.0.%u:7236/screen", fec[i] ? 1 : 2);

      if ((rx[i] = start_receiver (lab, 3 + i, url, NULL, error)) == NULL
          || !gc_lab_set_loss (lab, 3 + i, pct[i], error))
        goto out;
    }
  gc_test_sleep (2000);
  /* bounded: secs / 10 samples of 10 s */
  for (guint step = 0; step < MAX (secs / 10, 1); step++)
    {
      guint64 dec0[LOSS_RX], dam0[LOSS_RX], rec0[LOSS_RX], lost0[LOSS_RX], got0[LOSS_RX];

      for (guint i = 0; i < LOSS_RX; i++)
        {
          dec0[i] = gc_test_agent_receiver_u64 (rx[i], "FramesDecoded");
          dam0[i] = gc_test_agent_receiver_u64 (rx[i], "FramesDamaged");
          rec0[i] = gc_test_agent_receiver_u64 (rx[i], "PacketsRecovered");
          lost0[i] = gc_test_agent_receiver_u64 (rx[i], "PacketsLost");
          got0[i] = gc_test_agent_receiver_u64 (rx[i], "PacketsReceived");
        }
      gc_test_sleep (10000);
      /* the picture's packets sent, with FEC (the lossless receiver's)
       * against without (received and lost, at 2 %): the same pattern,
       * encoder and bitrate */
      {
        gdouble with = gc_test_agent_receiver_u64 (rx[0], "PacketsReceived") - got0[0] + gc_test_agent_receiver_u64 (rx[0], "PacketsLost")
                       - lost0[0];
        gdouble without = gc_test_agent_receiver_u64 (rx[3], "PacketsReceived") - got0[3]
                          + gc_test_agent_receiver_u64 (rx[3], "PacketsLost") - lost0[3];
        gdouble pct_more = without > 0 ? 100.0 * (with - without) / without : 0;

        g_array_append_val (overhead, pct_more);
      }
      for (guint i = 0; i < LOSS_RX; i++)
        {
          /* the source sent 300 frames in the 10 s; intact ones are the
           * decoded ones that miss nothing (FramesDamaged also counts
           * damaged frames the decoder dropped: a lower bound) */
          gdouble dm = 100.0 * (gc_test_agent_receiver_u64 (rx[i], "FramesDamaged") - dam0[i]) / 300.0;
          gdouble in = MAX (100.0 * (gc_test_agent_receiver_u64 (rx[i], "FramesDecoded") - dec0[i]) / 300.0 - dm, 0);
          guint64 lost = gc_test_agent_receiver_u64 (rx[i], "PacketsLost") - lost0[i];
          gdouble rb = lost > 0 ? 100.0 * (gc_test_agent_receiver_u64 (rx[i], "PacketsRecovered") - rec0[i]) / lost
                                : 0;

          g_array_append_val (intact[i], in);
          g_array_append_val (damaged[i], dm);
          g_array_append_val (rebuilt[i], rb);
        }
      g_printerr ("step %u: intact", step);
      for (guint i = 0; i < LOSS_RX; i++)
        g_printerr (" %.1f", g_array_index (intact[i], gdouble, step));
      g_printerr (" %%\n");
    }
  print_head ();
  print_row ("FEC 25 %: more packets sent than without FEC", overhead, "%");
  for (guint i = 0; i < LOSS_RX; i++)
    {
      const gchar *how = fec[i] ? "FEC 25 %" : "no FEC";
      g_autofree gchar *a = g_strdup_printf ("%u %% loss, %s: frames intact (shown), of 30/s "
                                             "sent", pct[i], how);
      g_autofree gchar *b = g_strdup_printf ("%u %% loss, %s: frames damaged (missing data: "
                                             "not shown)", pct[i], how);
      g_autofree gchar *c = g_strdup_printf ("%u %% loss, %s: lost packets rebuilt", pct[i], how);

      print_row (a, intact[i], "%");
      print_row (b, damaged[i], "%");
      if (fec[i] && pct[i] > 0)
        print_row (c, rebuilt[i], "%");
    }
  ok = TRUE;
out:
  for (guint i = 0; i < LOSS_RX; i++)
    {
      g_clear_pointer (&rx[i], gc_test_agent_free);
      g_array_unref (intact[i]);
      g_array_unref (damaged[i]);
      g_array_unref (rebuilt[i]);
    }
  for (guint s = 0; s < 2; s++)
    g_clear_pointer (&src[s], gc_test_agent_free);
  return ok;
}

/* ---- where the group does not arrive ---------------------------------- */

typedef struct
{
  GcTestAgent *r;
  const gchar *transport;
  gdouble ms;               /* out */
} FirstFrame;

/* @r plays by the transport, and says its first frame's time */
static gboolean
first_frame_by (gpointer data)
{
  FirstFrame *f = data;
  g_autoptr (GVariant) v = gc_test_agent_get (f->r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                              "FirstFrameMs");
  g_autofree gchar *t = gc_test_agent_get_string (f->r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                  "Transport");

  f->ms = v != NULL ? g_variant_get_double (v) : -1;
  return f->ms >= 0 && g_strcmp0 (t, f->transport) == 0;
}

/* hosts 1 and 2: sources on two groups; 3: a receiver the group reaches;
 * 4: one that drops multicast; 5: one that drops all UDP but the
 * discovery's. each rep switches the three onto the other source in one
 * call, and reads each one's FirstFrameMs (its connect request to its
 * first intact frame, the fallback included) */
static gboolean
run_fallback (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (5, error);
  GcTestAgent *a[5] = { NULL };
  GArray *first[3];
  const gchar *targets[] = { "10.99.0.3", "10.99.0.4", "10.99.0.5", NULL };
  static const gchar *const what[] = { "multicast (the group arrives)",
                                       "unicast fallback (multicast dropped)",
                                       "TCP fallback (all media UDP dropped)" };
  g_autofree gchar *key = NULL;
  gboolean ok = FALSE;

  if (lab == NULL)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    first[i] = g_array_new (FALSE, FALSE, sizeof (gdouble));
  key = write_key (lab);
  a[0] = gc_test_agent_start (lab, 1, error, "--source", "--group=239.0.0.11", "--no-mdns",
                              "--beacon-interval=500", key, NULL);
  a[1] = a[0] ? gc_test_agent_start (lab, 2, error, "--source", "--group=239.0.0.12",
                                     "--no-mdns", "--beacon-interval=500", key, NULL) : NULL;
  for (guint h = 2; h < 5 && a[h - 1] != NULL; h++)
    a[h] = gc_test_agent_start (lab, h + 1, error, "--receiver", "--sink=fake", "--no-mdns",
                                "--beacon-interval=500", key, NULL);
  if (a[4] == NULL || !gc_lab_block_multicast (lab, 4, TRUE, error)
      || !gc_lab_block_udp (lab, 5, TRUE, error))
    goto out;
  for (guint h = 0; h < 5; h++)
    if (!gc_test_agent_wait_peers (a[h], 4, 15000)
        || (h < 2 && !gc_test_agent_wait_string (a[h], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                                 "ready", 15000)))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "host %u not ready", h + 1);
        goto out;
      }
  for (guint i = 0; i < reps; i++)
    {
      g_autoptr (GVariant) rows = NULL;
      g_autoptr (GVariantIter) it = NULL;
      gboolean row_ok;
      const gchar *msg;

      rows = gc_test_agent_call (a[i % 2], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                                 g_variant_new ("(^as)", targets), 15000, error);
      if (rows == NULL)
        goto out;
      g_variant_get (rows, "(a(sbsd))", &it);
      while (g_variant_iter_next (it, "(&sb&sd)", NULL, &row_ok, &msg, NULL))
        if (!row_ok)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: %s", i, msg);
            goto out;
          }
      g_printerr ("rep %u:", i);
      for (guint r = 0; r < 3; r++)
        {
          /* the counters are published every 0.5 s */
          FirstFrame f = { a[r + 2], (const gchar *[]) { "multicast", "unicast", "tcp" }[r], -1 };

          if (!gc_test_wait_until (first_frame_by, &f, 3000))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: host %u does not play "
                           "by %s", i, r + 3, f.transport);
              goto out;
            }
          g_printerr (" %s %.0f ms", f.transport, f.ms);
          g_array_append_val (first[r], f.ms);
        }
      g_printerr ("\n");
      gc_test_sleep (1000);
    }
  print_head ();
  for (guint r = 0; r < 3; r++)
    print_row (what[r], first[r], "ms");
  g_print ("# ratio of the p50s, unicast to multicast: %.2f; TCP to multicast: %.2f\n",
           percentile (first[1], 50) / percentile (first[0], 50),
           percentile (first[2], 50) / percentile (first[0], 50));
  ok = TRUE;
out:
  if (!ok)
    gc_test_agent_dump_logs_on_failure (a, 5);
  for (guint h = 0; h < 5; h++)
    g_clear_pointer (&a[h], gc_test_agent_free);
  for (guint i = 0; i < 3; i++)
    g_array_unref (first[i]);
  return ok;
}

/* ---- across a router --------------------------------------------------- */

/* host 1 (10.99.0.1), a source naming the far subnet, TTL 2; host 2
 * (10.99.1.2, beyond the router), a receiver naming nothing. each rep
 * starts both again: until each lists the other, then one Switch */
static gboolean
run_routed (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new_routed (2, 2, error);
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GArray) listed = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) switched = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autofree gchar *key = NULL;

  if (lab == NULL)
    return FALSE;
  key = write_key (lab);
  a = gc_test_agent_start (lab, 1, error, "--source", "--group=239.0.0.11", "--no-mdns",
                           "--ttl=2", "--peers=10.99.1.0/24", key, NULL);
  r = a != NULL ? gc_test_agent_start (lab, 2, error, "--receiver", "--sink=fake", "--no-mdns",
                                       key, NULL) : NULL;
  if (r == NULL)
    return FALSE;
  for (guint i = 0; i < reps; i++)
    {
      g_autofree gchar *rid = NULL;
      gdouble ms, sw;

      gc_test_agent_kill (a);
      gc_test_agent_kill (r);
      ms = time_to_list (a, r, 0, NULL);
      if (ms < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: not listed across the "
                       "router", i);
          return FALSE;
        }
      /* the source serving: its state is ready once the media is prepared */
      if (!gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready",
                                      10000))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: source not ready", i);
          return FALSE;
        }
      rid = id_of (r);
      sw = timed_switch (a, rid, error);
      if (sw < 0)
        return FALSE;
      g_array_append_val (listed, ms);
      g_array_append_val (switched, sw);
      g_printerr ("rep %u: listed both ways %.0f ms after the start, switched in %.0f ms\n", i,
                  ms, sw);
    }
  print_head ();
  print_row ("routed: agents started, until each lists the other across the router", listed,
             "ms");
  print_row ("routed: Switch call across the router (TTL 2), until the first frame", switched,
             "ms");
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *reason = NULL;
  const gchar *cmd = argc > 1 ? argv[1] : "";
  guint arg = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 0;
  gboolean ok;

  if (!gc_lab_available (&reason))
    {
      g_printerr ("gc-bench-recovery: %s\n", reason);
      return 77;
    }
  /* the bench's own environment goes to the agents it starts */
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_print ("# gc-bench-recovery %s, %ld cores, %s\n", cmd, sysconf (_SC_NPROCESSORS_ONLN),
           g_get_host_name ());
  if (g_str_equal (cmd, "source-restart"))
    ok = run_source_restart (arg ? arg : 10, &error);
  else if (g_str_equal (cmd, "link-flap"))
    ok = run_link_flap (arg ? arg : 10, &error);
  else if (g_str_equal (cmd, "control-flood"))
    ok = run_control_flood (arg ? arg : 3, &error);
  else if (g_str_equal (cmd, "discovery"))
    ok = run_discovery (arg ? arg : 10, &error);
  else if (g_str_equal (cmd, "loss"))
    ok = run_loss (arg ? arg : 60, &error);
  else if (g_str_equal (cmd, "routed"))
    ok = run_routed (arg ? arg : 10, &error);
  else if (g_str_equal (cmd, "attack"))
    ok = run_attack (arg ? arg : 20, &error);
  else if (g_str_equal (cmd, "fallback"))
    ok = run_fallback (arg ? arg : 20, &error);
  else
    {
      g_printerr ("usage: gc-bench-recovery source-restart [REPS] | link-flap [REPS] "
                  "| control-flood [REPS] | discovery [REPS] | loss [SECONDS] | routed [REPS] | attack [REPS] "
                  "| fallback [REPS]\n");
      return 2;
    }
  if (!ok)
    {
      g_printerr ("gc-bench-recovery %s: %s\n", cmd, error ? error->message : "failed");
      return 1;
    }
  return 0;
}
