/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-bench-media: media benchmarks in the lab (root; see bench/README.md)
 *
 *   gc-bench-media join [JOINS]       time to first frame, with stock baselines
 *   gc-bench-media latency [SECONDS]  capture-to-decode, per frame
 *   gc-bench-media egress [REPS]      sender bytes and CPU, 1/4/8 receivers,
 *                                     Groupcast multicast and plain unicast RTSP
 *   gc-bench-media fresh-ab A B [N]   fresh receiver processes of two agent
 *                                     binaries joining by turns (before/after)
 *   gc-bench-media srtp [REPS]        what SRTP costs: sender and receiver CPU
 *                                     and first frame, encrypted and plain by
 *                                     turns in one run
 *
 * every figure is printed with its method; docs/performance.md holds a run.
 */
#define G_LOG_DOMAIN "GcBenchMedia"

#include "config.h"

#include "gc-test-agent.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define GROUP "239.0.0.11"
#define STOCK_GROUP "239.0.0.21"
#define URL1 "rtsp://10.99.0.1:7236/screen"

static const gchar *
rtsp_server_binary (void)
{
  const gchar *b = g_getenv ("GC_BENCH_RTSP_SERVER");

  return b != NULL ? b : GC_BENCH_RTSP_SERVER;
}

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
print_row (const gchar *what, GArray *v, const gchar *unit)
{
  g_print ("| %s | %u | %.1f | %.1f | %.1f | %.1f | %s |\n", what, v->len,
           percentile (v, 50), percentile (v, 95), percentile (v, 0), percentile (v, 100), unit);
}

static void
print_samples (const gchar *what, GArray *v)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < v->len; i++)
    g_string_append_printf (s, "%s%.1f", i ? " " : "", g_array_index (v, gdouble, i));
  g_print ("# %s: %s\n", what, s->str);
}

static void
print_ratios (const gchar *what, GArray *v)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < v->len; i++)
    g_string_append_printf (s, "%s%.3f", i ? " " : "", g_array_index (v, gdouble, i));
  g_print ("# %s: %s\n", what, s->str);
}

static void
add (GArray *v, gdouble x)
{
  g_array_append_val (v, x);
}

/* ---- waiting ----------------------------------------------------------- */

static gboolean
nothing (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* like gc_test_wait_until, but blocks in the main context between checks,
 * so async reads are dispatched the moment they complete */
static gboolean
wait_until (GcTestPredicate pred, gpointer data, guint timeout_ms, guint poll_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (poll_ms, nothing, NULL);
  gboolean ok;

  while (!(ok = pred (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

typedef struct
{
  GcLab *lab;
  const gchar *group;
  guint host;
} Mdb;

static gboolean
left_group (gpointer data)
{
  Mdb *m = data;

  return !gc_lab_mdb_has (m->lab, m->group, m->host);
}

static gboolean
wait_left (GcLab *lab, const gchar *group, guint host)
{
  Mdb m = { lab, group, host };

  return wait_until (left_group, &m, 5000, 20);
}

/* ---- a gst-launch client whose output we read ---------------------------- */

typedef struct
{
  GSubprocess *proc;
  GDataInputStream *in;
  GCancellable *cancel;
  gint64 t_start;           /* monotonic µs, just before the spawn */
  gint64 t_paused;          /* "Setting pipeline to PAUSED": the process is up */
  gint64 t_first;           /* the first buffer reached fakesink */
} Client;

static void read_next (Client *c);

static void
on_line (GObject *source, GAsyncResult *res, gpointer data)
{
  Client *c = data;
  g_autofree gchar *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                 res, NULL, NULL);
  gint64 now = g_get_monotonic_time ();

  if (line == NULL)
    return; /* eof, error or cancelled: c may be gone */
  if (c->t_paused == 0 && strstr (line, "Setting pipeline to PAUSED") != NULL)
    c->t_paused = now;
  if (c->t_first == 0 && strstr (line, "last-message = chain") != NULL)
    c->t_first = now;
  read_next (c);
}

static void
read_next (Client *c)
{
  g_data_input_stream_read_line_async (c->in, G_PRIORITY_HIGH, c->cancel, on_line, c);
}

static Client *
client_start (GcLab *lab, guint host, const gchar *url, const gchar *protocols, gboolean decode,
              GError **error)
{
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autofree gchar *loc = g_strdup_printf ("location=%s", url);
  g_autofree gchar *proto = g_strdup_printf ("protocols=%s", protocols);
  Client *c = g_new0 (Client, 1);

  c->cancel = g_cancellable_new ();
  c->t_start = g_get_monotonic_time ();
  if (decode)
    {
      /* stock client, stock latency (2000 ms); the sink does not sync, so
       * "first frame" is the decoder's first output, as for the agent */
      l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      c->proc = gc_lab_spawn (lab, host, l, error, "gst-launch-1.0", "-v", "rtspsrc", loc, proto,
                              "latency=2000", "!", "rtph264depay", "!", "avdec_h264", "!",
                              "fakesink", "sync=false", "silent=false", NULL);
    }
  else
    {
      /* a receiver that only takes the packets: the sender cannot tell */
      l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      c->proc = gc_lab_spawn (lab, host, l, error, "gst-launch-1.0", "rtspsrc", loc, proto,
                              "!", "fakesink", "sync=false", NULL);
    }
  if (c->proc == NULL)
    {
      g_object_unref (c->cancel);
      g_free (c);
      return NULL;
    }
  if (decode)
    {
      c->in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (c->proc));
      read_next (c);
    }
  return c;
}

static gboolean
proc_gone (gpointer data)
{
  return *(gboolean *) data;
}

static void
proc_waited (GObject *source, GAsyncResult *res, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), res, NULL);
  *(gboolean *) data = TRUE;
}

static void
client_stop (Client *c)
{
  gboolean done = FALSE;

  if (c == NULL)
    return;
  g_cancellable_cancel (c->cancel);
  /* SIGINT: gst-launch goes to NULL, so rtspsrc sends TEARDOWN */
  g_subprocess_send_signal (c->proc, SIGINT);
  g_subprocess_wait_async (c->proc, NULL, proc_waited, &done);
  if (!wait_until (proc_gone, &done, 3000, 20))
    {
      g_subprocess_force_exit (c->proc);
      wait_until (proc_gone, &done, 3000, 20);
    }
  g_clear_object (&c->in);
  g_clear_object (&c->proc);
  g_clear_object (&c->cancel);
  g_free (c);
}

static gboolean
client_has_frame (gpointer data)
{
  return ((Client *) data)->t_first != 0;
}

/* ---- agents -------------------------------------------------------------- */

static gdouble
get_double (GcTestAgent *a, const gchar *path, const gchar *iface, const gchar *prop)
{
  g_autoptr (GVariant) v = gc_test_agent_get (a, path, iface, prop);

  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE) ? g_variant_get_double (v) : -1;
}

static gboolean
is_playing (gpointer data)
{
  g_autofree gchar *s = gc_test_agent_get_string (data, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                  "State");

  return g_strcmp0 (s, "playing") == 0;
}

static gboolean
has_first_frame (gpointer data)
{
  return get_double (data, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FirstFrameMs") >= 0;
}

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
  if (!gc_test_agent_wait_ready (a, 10000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the receiver on host %u did not start",
                   host);
      return NULL;
    }
  return g_steal_pointer (&a);
}

static GSubprocess *
start_rtsp_server (GcLab *lab, guint host, const gchar *mode, GError **error)
{
  g_autoptr (GSubprocessLauncher) l =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);

  return gc_lab_spawn (lab, host, l, error, rtsp_server_binary (), mode, "8554", STOCK_GROUP,
                       "15560", NULL);
}

static void
stop_proc (GSubprocess *p)
{
  gboolean done = FALSE;

  if (p == NULL)
    return;
  g_subprocess_send_signal (p, SIGTERM);
  g_subprocess_wait_async (p, NULL, proc_waited, &done);
  if (!wait_until (proc_gone, &done, 5000, 20))
    {
      g_subprocess_force_exit (p);
      wait_until (proc_gone, &done, 3000, 20);
    }
}

/* ---- 1. time to first frame ------------------------------------------------ */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_stop)

typedef struct
{
  GcLab *lab;
  GcTestAgent *joiner;      /* host 3 */
  GcTestAgent *fresh;       /* host 7 */
  const gchar *stock_url;
  GArray *ffm, *dbus_ms, *stock_ms, *stock_join_ms, *fresh_ms, *fresh_ffm, *fresh_start;
} Join;

/* Groupcast: a running receiver told to Connect, then Disconnect */
static gboolean
join_connect (Join *j, guint i, GError **error)
{
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GVariant) ret2 = NULL;
  gint64 t0, t1;

  t0 = g_get_monotonic_time ();
  ret = gc_test_agent_call (j->joiner, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(s)", URL1), 5000, error);
  if (ret == NULL)
    return FALSE;
  if (wait_until (is_playing, j->joiner, 5000, 2))
    {
      t1 = g_get_monotonic_time ();
      /* counters go out every half second */
      wait_until (has_first_frame, j->joiner, 2000, 50);
      add (j->ffm, get_double (j->joiner, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FirstFrameMs"));
      add (j->dbus_ms, (t1 - t0) / 1000.0);
    }
  else
    g_print ("# join %u: no picture within 5 s\n", i);
  ret2 = gc_test_agent_call (j->joiner, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Disconnect",
                             NULL, 5000, error);
  if (ret2 == NULL)
    return FALSE;
  if (!wait_left (j->lab, GROUP, 3))
    g_print ("# join %u: host 3 still in the group after 5 s\n", i);
  return TRUE;
}

/* (a) stock: a fresh gst-launch against the stock server */
static gboolean
join_stock (Join *j, guint i, GError **error)
{
  g_autoptr (Client) c = client_start (j->lab, 6, j->stock_url, "udp-mcast", TRUE, error);

  if (c == NULL)
    return FALSE;
  if (wait_until (client_has_frame, c, 15000, 50))
    {
      add (j->stock_ms, (c->t_first - c->t_start) / 1000.0);
      if (c->t_paused != 0)
        add (j->stock_join_ms, (c->t_first - c->t_paused) / 1000.0);
    }
  else
    g_print ("# stock join %u: no frame within 15 s\n", i);
  g_clear_pointer (&c, client_stop);
  if (!wait_left (j->lab, STOCK_GROUP, 6))
    g_print ("# stock join %u: host 6 still in the group after 5 s\n", i);
  return TRUE;
}

/* (b) a fresh agent process with --connect */
static gboolean
join_fresh_on (Join *j, guint host, guint i, GError **error)
{
  gint64 t0, t1;

  t0 = g_get_monotonic_time ();
  if (!gc_test_agent_restart (j->fresh, error))
    return FALSE;
  if (wait_until (is_playing, j->fresh, 10000, 5))
    {
      gdouble f;

      t1 = g_get_monotonic_time ();
      wait_until (has_first_frame, j->fresh, 2000, 50);
      f = get_double (j->fresh, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FirstFrameMs");
      add (j->fresh_ms, (t1 - t0) / 1000.0);
      add (j->fresh_ffm, f);
      add (j->fresh_start, (t1 - t0) / 1000.0 - f);
    }
  else
    g_print ("# fresh join %u: no picture within 10 s\n", i);
  gc_test_agent_stop (j->fresh);
  if (!wait_left (j->lab, GROUP, host))
    g_print ("# fresh join %u: host %u still in the group after 5 s\n", i, host);
  return TRUE;
}

static gboolean
join_fresh (Join *j, guint i, GError **error)
{
  return join_fresh_on (j, 7, i, error);
}

static GArray *
samples_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (gdouble));
}

static void
join_clear (Join *j)
{
  GArray **all[] = { &j->ffm, &j->dbus_ms, &j->stock_ms, &j->stock_join_ms, &j->fresh_ms,
                     &j->fresh_ffm, &j->fresh_start };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_clear_pointer (all[i], g_array_unref);
}

/* where a join's time goes, if the agent logs its steps (--verbose) */
static void
print_breakdown (GcTestAgent *a)
{
  static const gchar *const steps[] = { "pipeline", "described", "first-udp", "first-rtp",
                                        "decoder-in", "decoded" };
  g_autofree gchar *log = gc_test_agent_get_log (a);
  g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
  GArray *v[G_N_ELEMENTS (steps)];

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    v[s] = samples_new ();
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *p = strstr (lines[i], "switch timing:");

      if (p == NULL)
        continue;
      for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
        {
          g_autofree gchar *key = g_strdup_printf (" %s ", steps[s]);
          const gchar *q = strstr (p, key);

          if (q != NULL)
            add (v[s], g_ascii_strtod (q + strlen (key), NULL));
        }
    }
  if (v[G_N_ELEMENTS (steps) - 1]->len > 0)
    {
      g_print ("\n| step, ms after the connect request (joiner's log) | n | p50 | p95 | min | max | |\n"
               "|---|---|---|---|---|---|---|\n");
      for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
        print_row (steps[s], v[s], "ms");
    }
  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    g_array_unref (v[s]);
}

static gboolean
run_join (guint joins, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (7, error);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) keep = NULL;
  g_autoptr (GcTestAgent) joiner = NULL;
  g_autoptr (GcTestAgent) fresh = NULL;
  g_autoptr (GSubprocess) stock = NULL;
  g_autoptr (Client) stock_keep = NULL;
  Join j = { 0 };
  gboolean ok = TRUE;

  /* hosts: 1 source, 2 a receiver that stays, 3 the joiner (Connect over
   * D-Bus), 4 the stock server, 5 a stock client that stays, 6 the stock
   * joiner (a fresh gst-launch), 7 a fresh agent process per join */
  if (lab == NULL)
    return FALSE;
  if ((src = start_source (lab, 1, error)) == NULL
      || (keep = start_receiver (lab, 2, URL1, error)) == NULL
      || (joiner = start_receiver (lab, 3, NULL, error)) == NULL
      || (stock = start_rtsp_server (lab, 4, "multicast", error)) == NULL)
    return FALSE;
  if (!wait_until (is_playing, keep, 15000, 20))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the staying receiver never played");
      return FALSE;
    }
  gc_test_sleep (1000); /* the stock server listens */
  stock_keep = client_start (lab, 5, "rtsp://10.99.0.4:8554/screen", "udp-mcast", FALSE, error);
  if (stock_keep == NULL)
    return FALSE;
  /* the fresh-process agent: started once to set it up, then stopped */
  if ((fresh = start_receiver (lab, 7, URL1, error)) == NULL)
    return FALSE;
  wait_until (is_playing, fresh, 15000, 20);
  gc_test_agent_stop (fresh);
  gc_test_sleep (2000); /* stock media running, fresh agent gone */

  j.lab = lab;
  j.joiner = joiner;
  j.fresh = fresh;
  j.stock_url = "rtsp://10.99.0.4:8554/screen";
  j.ffm = samples_new ();
  j.dbus_ms = samples_new ();
  j.stock_ms = samples_new ();
  j.stock_join_ms = samples_new ();
  j.fresh_ms = samples_new ();
  j.fresh_ffm = samples_new ();
  j.fresh_start = samples_new ();
  /* the three kinds of join take turns, so they share the machine's noise */
  for (guint i = 0; i < joins && ok; i++)
    {
      ok = join_connect (&j, i, error) && join_stock (&j, i, error) && join_fresh (&j, i, error);
      /* a random phase against the frame clock and the stock GOP */
      gc_test_sleep (g_random_int_range (100, 700));
    }
  if (ok)
    {
      g_print ("\n| measure | n | p50 ms | p95 ms | min | max | |\n|---|---|---|---|---|---|---|\n");
      print_row ("Groupcast join: Connect -> first decoded frame (agent's FirstFrameMs)", j.ffm, "ms");
      print_row ("Groupcast join: D-Bus Connect sent -> State \"playing\" seen by the bench", j.dbus_ms, "ms");
      print_row ("stock: gst-launch spawn -> first decoded frame", j.stock_ms, "ms");
      print_row ("stock: gst-launch \"Setting pipeline to PAUSED\" -> first decoded frame", j.stock_join_ms, "ms");
      print_row ("fresh agent: spawn -> State \"playing\" seen by the bench", j.fresh_ms, "ms");
      print_row ("fresh agent: its FirstFrameMs (connect -> first frame)", j.fresh_ffm, "ms");
      print_row ("fresh agent: start-up (spawn -> connect), the difference", j.fresh_start, "ms");
      print_samples ("FirstFrameMs", j.ffm);
      print_samples ("stock", j.stock_ms);
      print_samples ("fresh", j.fresh_ms);
      print_breakdown (joiner);
    }
  join_clear (&j);
  g_clear_pointer (&stock_keep, client_stop);
  stop_proc (stock);
  return ok;
}

/* two agent binaries, fresh processes joining by turns, for a before/after */
static gboolean
run_fresh_ab (const gchar *bin_a, const gchar *bin_b, guint joins, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (4, error);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) keep = NULL;
  g_autoptr (GcTestAgent) fa = NULL;
  g_autoptr (GcTestAgent) fb = NULL;
  Join ja = { 0 }, jb = { 0 };
  gboolean ok = TRUE;

  if (lab == NULL)
    return FALSE;
  if ((src = start_source (lab, 1, error)) == NULL
      || (keep = start_receiver (lab, 2, URL1, error)) == NULL)
    return FALSE;
  g_setenv ("GC_AGENT", bin_a, TRUE);
  fa = start_receiver (lab, 3, URL1, error);
  g_setenv ("GC_AGENT", bin_b, TRUE);
  fb = start_receiver (lab, 4, URL1, error);
  if (fa == NULL || fb == NULL)
    return FALSE;
  wait_until (is_playing, fa, 15000, 20);
  wait_until (is_playing, fb, 15000, 20);
  gc_test_agent_stop (fa);
  gc_test_agent_stop (fb);
  gc_test_sleep (1000);
  ja.lab = jb.lab = lab;
  ja.fresh = fa;
  jb.fresh = fb;
  ja.fresh_ms = samples_new ();
  ja.fresh_ffm = samples_new ();
  ja.fresh_start = samples_new ();
  jb.fresh_ms = samples_new ();
  jb.fresh_ffm = samples_new ();
  jb.fresh_start = samples_new ();
  for (guint i = 0; i < joins && ok; i++)
    {
      /* join_fresh waits on host 7's membership; here the hosts are 3 and 4 */
      ok = join_fresh_on (&ja, 3, i, error) && join_fresh_on (&jb, 4, i, error);
      gc_test_sleep (g_random_int_range (100, 700));
    }
  if (ok)
    {
      g_print ("\n| measure | n | p50 ms | p95 ms | min | max | |\n|---|---|---|---|---|---|---|\n");
      print_row ("A: spawn -> State \"playing\"", ja.fresh_ms, "ms");
      print_row ("A: FirstFrameMs (connect -> first frame)", ja.fresh_ffm, "ms");
      print_row ("A: start-up (the difference)", ja.fresh_start, "ms");
      print_row ("B: spawn -> State \"playing\"", jb.fresh_ms, "ms");
      print_row ("B: FirstFrameMs (connect -> first frame)", jb.fresh_ffm, "ms");
      print_row ("B: start-up (the difference)", jb.fresh_start, "ms");
      g_print ("# A = %s\n# B = %s\n", bin_a, bin_b);
    }
  join_clear (&ja);
  join_clear (&jb);
  return ok;
}

/* ---- 2. capture-to-decode latency ------------------------------------------ */

typedef struct
{
  GDataInputStream *in;
  GCancellable *cancel;
  GArray *samples;
  guint skip;
  guint seen;
} FrameLog;

static void
on_frame_line (GObject *source, GAsyncResult *res, gpointer data)
{
  FrameLog *fl = data;
  g_autofree gchar *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                 res, NULL, NULL);
  const gchar *p;

  if (line == NULL)
    return;
  p = strstr (line, "frame latency ");
  if (p != NULL && fl->seen++ >= fl->skip)
    add (fl->samples, g_ascii_strtod (p + strlen ("frame latency "), NULL));
  g_data_input_stream_read_line_async (fl->in, G_PRIORITY_DEFAULT, fl->cancel, on_frame_line, fl);
}

static gboolean
run_latency (guint seconds, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (2, error);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autoptr (GSubprocess) rx = NULL;
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree gchar *state = NULL;
  FrameLog fl = { 0 };

  if (lab == NULL || (src = start_source (lab, 1, error)) == NULL)
    return FALSE;
  state = g_strdup_printf ("--state-dir=%s", gc_lab_host_dir (lab, 2));
  /* the receiver's per-frame samples come on its stderr (opt-in g_debug),
   * with the rest of its log */
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (l, "G_MESSAGES_DEBUG", "GcReceiver", TRUE);
  rx = gc_lab_spawn (lab, 2, l, error, gc_test_agent_binary (), "--receiver",
                     "--connect=" URL1, "--sink=fake", "--interface=eth0", state, "--bus=none",
                     "--no-mdns", "--no-beacons", "--name=host2", NULL);
  if (rx == NULL)
    return FALSE;
  in = g_data_input_stream_new (g_subprocess_get_stderr_pipe (rx));
  fl.in = in;
  fl.cancel = cancel;
  fl.samples = samples;
  fl.skip = 60; /* the first two seconds: start-up */
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, cancel, on_frame_line, &fl);
  gc_test_sleep (2000 + seconds * 1000);
  g_cancellable_cancel (cancel);
  stop_proc (rx);
  gc_test_sleep (100);

  g_print ("\n| measure | n | p50 ms | p95 ms | min | max | |\n|---|---|---|---|---|---|---|\n");
  print_row ("capture -> decoded, per frame (NTP-64 stamp)", samples, "ms");
  g_print ("# p99 %.1f ms\n", percentile (samples, 99));
  if (samples->len < 300)
    g_print ("# only %u frames: fewer than 300\n", samples->len);
  return samples->len > 0;
}

/* ---- 3 and 4. sender egress and CPU ------------------------------------------ */

static guint64
proc_cpu_ticks (GSubprocess *p)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (p));
  g_autofree gchar *text = NULL;
  g_auto (GStrv) f = NULL;
  const gchar *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return 0;
  /* after "pid (comm) ": state is field 3, utime 14, stime 15 */
  f = g_strsplit (end + 2, " ", -1);
  if (g_strv_length (f) < 13)
    return 0;
  return g_ascii_strtoull (f[11], NULL, 10) + g_ascii_strtoull (f[12], NULL, 10);
}

/* thread name -> CPU ticks of a process's threads, for GC_BENCH_THREADS=1 */
static GHashTable *
thread_ticks (GSubprocess *p)
{
  g_autofree gchar *dir = g_strdup_printf ("/proc/%s/task", g_subprocess_get_identifier (p));
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const gchar *tid;

  while (d != NULL && (tid = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, tid, "stat", NULL);
      g_autofree gchar *text = NULL;
      g_auto (GStrv) f = NULL;
      const gchar *open, *end;
      g_autofree gchar *name = NULL;
      guint64 t;

      if (!g_file_get_contents (path, &text, NULL, NULL) || (open = strchr (text, '(')) == NULL
          || (end = strrchr (text, ')')) == NULL)
        continue;
      f = g_strsplit (end + 2, " ", -1);
      if (g_strv_length (f) < 13)
        continue;
      name = g_strndup (open + 1, end - open - 1);
      t = g_ascii_strtoull (f[11], NULL, 10) + g_ascii_strtoull (f[12], NULL, 10);
      t += GPOINTER_TO_SIZE (g_hash_table_lookup (h, name));
      g_hash_table_insert (h, g_steal_pointer (&name), GSIZE_TO_POINTER (t));
    }
  return h;
}

static void
print_thread_ticks (GHashTable *before, GHashTable *after, guint n)
{
  GHashTableIter it;
  gpointer k, v;
  g_autoptr (GString) s = g_string_new (NULL);

  g_hash_table_iter_init (&it, after);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      gsize b = GPOINTER_TO_SIZE (g_hash_table_lookup (before, k));

      if (GPOINTER_TO_SIZE (v) > b)
        g_string_append_printf (s, " %s=%" G_GSIZE_FORMAT, (gchar *) k, GPOINTER_TO_SIZE (v) - b);
    }
  g_print ("# threads, %u receivers, ticks:%s\n", n, s->str);
}

typedef struct
{
  GcLab *lab;
  guint first, last;
} Flow;

/* every client host is taking packets at a video rate */
static gboolean
all_flowing (gpointer data)
{
  Flow *fw = data;
  guint64 before[33];

  for (guint h = fw->first; h <= fw->last; h++)
    before[h] = gc_lab_rx_bytes (fw->lab, h);
  gc_test_sleep (300);
  for (guint h = fw->first; h <= fw->last; h++)
    if (gc_lab_rx_bytes (fw->lab, h) - before[h] < 30000)
      return FALSE;
  return TRUE;
}

/* nftables counters in the sender's host split what it sends on eth0 into
 * multicast and the rest (RTSP, TCP acks, unicast RTP/RTCP) */
static gboolean
split_counters_add (GcLab *lab, guint host, GError **error)
{
  g_autofree gchar *a = gc_lab_run (lab, host, error, "nft", "add", "table", "ip", "gcbench", NULL);
  g_autofree gchar *b = NULL;
  g_autofree gchar *c = NULL;
  g_autofree gchar *d = NULL;

  if (a == NULL)
    return FALSE;
  b = gc_lab_run (lab, host, error, "nft", "add", "chain", "ip", "gcbench", "out",
                  "{ type filter hook output priority 0 ; }", NULL);
  if (b == NULL)
    return FALSE;
  c = gc_lab_run (lab, host, error, "nft", "add", "rule", "ip", "gcbench", "out", "oifname",
                  "eth0", "ip", "daddr", "224.0.0.0/4", "counter", NULL);
  if (c == NULL)
    return FALSE;
  d = gc_lab_run (lab, host, error, "nft", "add", "rule", "ip", "gcbench", "out", "oifname",
                  "eth0", "counter", NULL);
  return d != NULL;
}

/* IP bytes: multicast, and all */
static void
split_counters_read (GcLab *lab, guint host, guint64 *mcast, guint64 *all)
{
  g_autofree gchar *out = gc_lab_run (lab, host, NULL, "nft", "list", "table", "ip", "gcbench",
                                      NULL);
  const gchar *p = out;
  guint64 v[2] = { 0, 0 };

  for (guint i = 0; i < 2 && p != NULL && (p = strstr (p, " bytes ")) != NULL; i++)
    {
      p += strlen (" bytes ");
      v[i] = g_ascii_strtoull (p, NULL, 10);
    }
  *mcast = v[0];
  *all = v[1];
}

typedef struct
{
  gdouble bytes, cpu, other;  /* per 10 s, %, per 10 s */
} Sample;

static gboolean
measure (GcLab *lab, guint sender_host, GSubprocess *sender, guint n, guint seconds, Sample *out)
{
  Flow fw = { lab, 3, 2 + n };
  guint64 tx0, tx1, cpu0, cpu1, m0, m1, a0, a1;
  gint64 t0, t1;
  gdouble scale;
  gboolean threads = g_getenv ("GC_BENCH_THREADS") != NULL;
  g_autoptr (GHashTable) th0 = NULL;

  if (!wait_until (all_flowing, &fw, 20000, 50))
    return FALSE;
  gc_test_sleep (1000);
  t0 = g_get_monotonic_time ();
  tx0 = gc_lab_tx_bytes (lab, sender_host);
  cpu0 = proc_cpu_ticks (sender);
  th0 = threads ? thread_ticks (sender) : NULL;
  split_counters_read (lab, sender_host, &m0, &a0);
  gc_test_sleep (seconds * 1000);
  t1 = g_get_monotonic_time ();
  tx1 = gc_lab_tx_bytes (lab, sender_host);
  cpu1 = proc_cpu_ticks (sender);
  if (threads)
    {
      g_autoptr (GHashTable) th1 = thread_ticks (sender);

      print_thread_ticks (th0, th1, n);
    }
  split_counters_read (lab, sender_host, &m1, &a1);
  scale = 10.0 * G_USEC_PER_SEC / (t1 - t0);
  out->bytes = (gdouble) (tx1 - tx0) * scale;
  out->other = (gdouble) ((a1 - a0) - (m1 - m0)) * scale;
  out->cpu = (gdouble) (cpu1 - cpu0) / sysconf (_SC_CLK_TCK) * 100.0 * G_USEC_PER_SEC / (t1 - t0);
  return TRUE;
}

static gboolean
egress_series (GcLab *lab, const gchar *name, guint sender_host, GSubprocess *sender,
               const gchar *url, const gchar *protocols, guint reps, GError **error)
{
  static const guint steps[] = { 1, 4, 8 };
  GArray *bytes[3], *cpu[3], *other[3];
  g_autoptr (GArray) byte_ratio = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) cpu_ratio = g_array_new (FALSE, FALSE, sizeof (gdouble));
  gboolean ok = split_counters_add (lab, sender_host, error);

  for (guint s = 0; s < 3; s++)
    {
      bytes[s] = g_array_new (FALSE, FALSE, sizeof (gdouble));
      cpu[s] = g_array_new (FALSE, FALSE, sizeof (gdouble));
      other[s] = g_array_new (FALSE, FALSE, sizeof (gdouble));
    }
  for (guint r = 0; r < reps && ok; r++)
    {
      Client *clients[8] = { NULL };
      guint n = 0;
      Sample x[3] = { { 0 } };

      for (guint s = 0; s < 3 && ok; s++)
        {
          for (; n < steps[s] && ok; n++)
            ok = (clients[n] = client_start (lab, 3 + n, url, protocols, FALSE, error)) != NULL;
          if (ok && !measure (lab, sender_host, sender, steps[s], 10, &x[s]))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "%s: %u clients never all took the stream", name, steps[s]);
              ok = FALSE;
            }
          if (ok)
            {
              add (bytes[s], x[s].bytes);
              add (cpu[s], x[s].cpu);
              add (other[s], x[s].other);
              g_print ("# %s rep %u: %u receivers: %.0f bytes/10 s (%.0f not multicast), "
                       "CPU %.1f %%\n", name, r, steps[s], x[s].bytes, x[s].other, x[s].cpu);
            }
        }
      for (guint i = 0; i < n; i++)
        client_stop (clients[i]);
      if (ok)
        {
          add (byte_ratio, x[2].bytes / x[0].bytes);
          add (cpu_ratio, x[2].cpu / x[0].cpu);
          gc_test_sleep (2000); /* leaves and teardowns settle */
        }
    }
  if (ok)
    {
      g_print ("\n| %s | receivers | n | link bytes / 10 s p50 | p95 | of which not multicast p50 "
               "| sender CPU %% p50 | p95 |\n|---|---|---|---|---|---|---|---|\n", name);
      for (guint s = 0; s < 3; s++)
        g_print ("| | %u | %u | %.0f | %.0f | %.0f | %.1f | %.1f |\n", steps[s], bytes[s]->len,
                 percentile (bytes[s], 50), percentile (bytes[s], 95),
                 percentile (other[s], 50), percentile (cpu[s], 50), percentile (cpu[s], 95));
      g_print ("| | ratio 8/1 | %u | %.3f | %.3f | | %.2f | %.2f |\n", byte_ratio->len,
               percentile (byte_ratio, 50), percentile (byte_ratio, 95),
               percentile (cpu_ratio, 50), percentile (cpu_ratio, 95));
      print_ratios ("bytes ratio 8/1", byte_ratio);
      print_ratios ("CPU ratio 8/1", cpu_ratio);
    }
  for (guint s = 0; s < 3; s++)
    {
      g_array_unref (bytes[s]);
      g_array_unref (cpu[s]);
      g_array_unref (other[s]);
    }
  return ok;
}

static gboolean
run_egress (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (10, error);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GSubprocess) uni = NULL;
  gboolean ok;

  /* hosts: 1 Groupcast source, 2 the unicast server, 3-10 receivers; one
   * sender runs at a time so they do not fight over the two cores */
  if (lab == NULL || (src = start_source (lab, 1, error)) == NULL)
    return FALSE;
  gc_test_sleep (2000);
  ok = egress_series (lab, "Groupcast (multicast)", 1, src->proc, URL1, "udp-mcast", reps, error);
  gc_test_agent_stop (src);
  if (!ok)
    return FALSE;
  if ((uni = start_rtsp_server (lab, 2, "unicast", error)) == NULL)
    return FALSE;
  gc_test_sleep (1500);
  ok = egress_series (lab, "unicast RTSP", 2, uni, "rtsp://10.99.0.2:8554/screen", "udp", reps,
                      error);
  stop_proc (uni);
  return ok;
}

/* ---- 5. what SRTP costs ------------------------------------------------------ */

#define SRTP_RECEIVERS 4
#define SRTP_SECONDS 10

typedef struct
{
  gdouble sender_cpu;    /* % of one core */
  gdouble receiver_cpu;  /* host 2's */
  gdouble first_ms[SRTP_RECEIVERS];
} SrtpSample;

static gboolean
all_playing (gpointer data)
{
  GcTestAgent **r = data;

  for (guint i = 0; i < SRTP_RECEIVERS; i++)
    if (!is_playing (r[i]))
      return FALSE;
  return TRUE;
}

/* one source with the site key on host 1 (SRTP, or --plain-media) and
 * SRTP_RECEIVERS keyed receivers on it; CPU over SRTP_SECONDS once all play */
static gboolean
srtp_measure (GcLab *lab, const gchar *key_arg, gboolean plain, SrtpSample *out, GError **error)
{
  const gchar *p = plain ? "--plain-media" : "--verbose";
  g_autoptr (GcTestAgent) src = NULL;
  GcTestAgent *r[SRTP_RECEIVERS] = { NULL };
  gboolean ok = FALSE;
  guint64 s0, s1, r0, r1;
  gdouble hz = (gdouble) sysconf (_SC_CLK_TCK);

  src = gc_test_agent_start (lab, 1, error, "--source", "--group=" GROUP, "--no-mdns",
                             "--no-beacons", key_arg, p, NULL);
  if (src == NULL || !gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                                 "ready", 15000))
    goto out;
  for (guint i = 0; i < SRTP_RECEIVERS; i++)
    {
      r[i] = gc_test_agent_start (lab, 2 + i, error, "--receiver", "--connect=" URL1,
                                  "--sink=fake", "--no-mdns", "--no-beacons", key_arg, p, NULL);
      if (r[i] == NULL)
        goto out;
    }
  if (!wait_until (all_playing, r, 20000, 50))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "receivers did not play (%s)",
                   plain ? "plain" : "SRTP");
      goto out;
    }
  for (guint i = 0; i < SRTP_RECEIVERS; i++)
    {
      /* published with the counters, every 0.5 s */
      wait_until (has_first_frame, r[i], 2000, 50);
      out->first_ms[i] = get_double (r[i], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FirstFrameMs");
    }
  gc_test_sleep (2000);
  s0 = proc_cpu_ticks (src->proc);
  r0 = proc_cpu_ticks (r[0]->proc);
  gc_test_sleep (SRTP_SECONDS * 1000);
  s1 = proc_cpu_ticks (src->proc);
  r1 = proc_cpu_ticks (r[0]->proc);
  out->sender_cpu = 100.0 * (s1 - s0) / hz / SRTP_SECONDS;
  out->receiver_cpu = 100.0 * (r1 - r0) / hz / SRTP_SECONDS;
  ok = TRUE;
out:
  for (guint i = 0; i < SRTP_RECEIVERS; i++)
    g_clear_pointer (&r[i], gc_test_agent_free);
  return ok;
}

static gboolean
run_srtp (guint reps, GError **error)
{
  g_autoptr (GcLab) lab = gc_lab_new (1 + SRTP_RECEIVERS, error);
  g_autofree gchar *key = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autoptr (GArray) cpu_plain = samples_new ();
  g_autoptr (GArray) cpu_srtp = samples_new ();
  g_autoptr (GArray) rcpu_plain = samples_new ();
  g_autoptr (GArray) rcpu_srtp = samples_new ();
  g_autoptr (GArray) first_plain = samples_new ();
  g_autoptr (GArray) first_srtp = samples_new ();
  GArray *cpu[2] = { cpu_plain, cpu_srtp };
  GArray *rcpu[2] = { rcpu_plain, rcpu_srtp };
  GArray *first[2] = { first_plain, first_srtp };
  g_autoptr (GArray) ratio = samples_new ();
  g_autoptr (GArray) rratio = samples_new ();

  if (lab == NULL)
    return FALSE;
  key = g_build_filename (gc_lab_host_dir (lab, 1), "site.key", NULL);
  if (!g_file_set_contents_full (key, "groupcast-bench-srtp-site-key", -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  key_arg = g_strdup_printf ("--key-file=%s", key);
  for (guint rep = 0; rep < reps; rep++)
    {
      SrtpSample s[2] = { 0 }; /* [0] plain, [1] SRTP */

      /* by turns: the order changes every rep, so a drift hits both */
      for (guint k = 0; k < 2; k++)
        {
          guint m = (rep % 2 == 0) ? k : 1 - k;

          if (!srtp_measure (lab, key_arg, m == 0, &s[m], error))
            return FALSE;
        }
      for (guint m = 0; m < 2; m++)
        {
          add (cpu[m], s[m].sender_cpu);
          add (rcpu[m], s[m].receiver_cpu);
          for (guint i = 0; i < SRTP_RECEIVERS; i++)
            add (first[m], s[m].first_ms[i]);
        }
      add (ratio, s[1].sender_cpu / MAX (s[0].sender_cpu, 0.01));
      add (rratio, s[1].receiver_cpu / MAX (s[0].receiver_cpu, 0.01));
      g_print ("# rep %u: sender %.1f%% plain, %.1f%% SRTP; receiver %.1f%% plain, %.1f%% SRTP\n",
               rep + 1, s[0].sender_cpu, s[1].sender_cpu, s[0].receiver_cpu, s[1].receiver_cpu);
    }
  g_print ("\n1280x720 at 30 fps, 4 Mbit/s, %u receivers, CPU over %u s once all play\n\n",
           SRTP_RECEIVERS, SRTP_SECONDS);
  g_print ("| measure | n | p50 | p95 | min | max | |\n|---|---|---|---|---|---|---|\n");
  print_row ("sender CPU, plain RTP", cpu[0], "% of a core");
  print_row ("sender CPU, SRTP", cpu[1], "% of a core");
  g_print ("| sender CPU, SRTP / plain (same rep) | %u | %.3f | %.3f | %.3f | %.3f | ratio |\n",
           ratio->len, percentile (ratio, 50), percentile (ratio, 95), percentile (ratio, 0),
           percentile (ratio, 100));
  print_row ("receiver CPU, plain RTP", rcpu[0], "% of a core");
  print_row ("receiver CPU, SRTP", rcpu[1], "% of a core");
  g_print ("| receiver CPU, SRTP / plain (same rep) | %u | %.3f | %.3f | %.3f | %.3f | ratio |\n",
           rratio->len, percentile (rratio, 50), percentile (rratio, 95), percentile (rratio, 0),
           percentile (rratio, 100));
  print_row ("first frame, plain RTP", first[0], "ms");
  print_row ("first frame, SRTP", first[1], "ms");
  print_ratios ("sender SRTP/plain per rep", ratio);
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
      g_printerr ("gc-bench-media: %s\n", reason);
      return 77;
    }
  /* the bench's own environment goes to the agents it starts */
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_print ("# gc-bench-media %s, %ld cores, %s\n", cmd, sysconf (_SC_NPROCESSORS_ONLN),
           g_get_host_name ());
  if (g_str_equal (cmd, "join"))
    ok = run_join (arg ? arg : 25, &error);
  else if (g_str_equal (cmd, "latency"))
    ok = run_latency (arg ? arg : 20, &error);
  else if (g_str_equal (cmd, "fresh-ab") && argc > 3)
    ok = run_fresh_ab (argv[2], argv[3], argc > 4 ? (guint) g_ascii_strtoull (argv[4], NULL, 10) : 15,
                       &error);
  else if (g_str_equal (cmd, "egress"))
    ok = run_egress (arg ? arg : 3, &error);
  else if (g_str_equal (cmd, "srtp"))
    ok = run_srtp (arg ? arg : 5, &error);
  else
    {
      g_printerr ("usage: gc-bench-media join [JOINS] | latency [SECONDS] | egress [REPS] | "
                  "srtp [REPS]\n"
                  "       gc-bench-media fresh-ab AGENT-A AGENT-B [JOINS]\n");
      return 2;
    }
  if (!ok)
    {
      g_printerr ("gc-bench-media %s: %s\n", cmd, error ? error->message : "failed");
      return 1;
    }
  return 0;
}
