/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-bench-recovery: how fast a receiver recovers, and how fast it answers
 * under load, in the lab (root; see bench/README.md). the integration tests
 * only check that these things happen within generous bounds; the figures
 * are measured here.
 *
 *   gc-bench-recovery source-restart [REPS]  source killed and started again:
 *                                            time to no-signal, then back to
 *                                            playing with no command
 *   gc-bench-recovery link-flap [REPS]       receiver's link down 5 s, then up:
 *                                            time back to playing
 *   gc-bench-recovery control-flood [REPS]   1,000 idle connections to a
 *                                            receiver's control port: D-Bus
 *                                            answer times meanwhile
 *
 * each prints a markdown table (p50, p95, min, max); docs/performance.md
 * holds a run.
 */
#define G_LOG_DOMAIN "GcBenchRecovery"

#include "config.h"

#include "gc-test-agent.h"

#include <stdio.h>
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

static GcTestAgent *
start_source (GcLab *lab, guint host, GError **error)
{
  g_autoptr (GcTestAgent) a = gc_test_agent_start (lab, host, error, "--source",
                                                   "--group=" GROUP, "--no-mdns",
                                                   "--no-beacons", NULL);

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
start_receiver (GcLab *lab, guint host, const gchar *url, GError **error)
{
  g_autofree gchar *c = url ? g_strdup_printf ("--connect=%s", url) : g_strdup ("--receiver");
  g_autoptr (GcTestAgent) a = gc_test_agent_start (lab, host, error, "--receiver", c,
                                                   "--sink=fake", "--no-mdns", "--no-beacons",
                                                   NULL);

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

/* the source dies without a word and comes back: the receiver notices
 * (no RTP for 2 s) and reconnects by itself (it retries every 2 s at most) */
static gboolean
run_source_restart (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (2, error);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GArray) no_signal = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) back = g_array_new (FALSE, FALSE, sizeof (gdouble));

  if (lab == NULL || (src = start_source (lab, 1, error)) == NULL
      || (r = start_receiver (lab, 2, URL1, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < reps; i++)
    {
      gint64 t0;
      gdouble ms;

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
      if (!gc_test_agent_restart (src, error))
        return FALSE;
      if (!gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready",
                                      10000))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: the source did not restart",
                       i);
          return FALSE;
        }
      t0 = g_get_monotonic_time ();
      if (!gc_test_agent_wait_playing (r, 30000))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rep %u: not playing again", i);
          return FALSE;
        }
      ms = ms_since (t0);
      g_array_append_val (back, ms);
      g_printerr ("rep %u: no-signal after %.0f ms, playing again %.0f ms after ready\n", i,
                  g_array_index (no_signal, gdouble, i), ms);
    }
  print_head ();
  print_row ("source SIGKILLed, until receiver `no-signal`", no_signal, "ms");
  print_row ("source `ready` again, until receiver `playing` again", back, "ms");
  return TRUE;
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

  if (lab == NULL || (src = start_source (lab, 1, error)) == NULL
      || (r = start_receiver (lab, 2, URL1, error)) == NULL)
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

  if (lab == NULL || (r = start_receiver (lab, 2, NULL, error)) == NULL)
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
  else
    {
      g_printerr ("usage: gc-bench-recovery source-restart [REPS] | link-flap [REPS] "
                  "| control-flood [REPS]\n");
      return 2;
    }
  if (!ok)
    {
      g_printerr ("gc-bench-recovery %s: %s\n", cmd, error ? error->message : "failed");
      return 1;
    }
  return 0;
}
