/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-bench-portal: sharing a Wayland screen, measured in the lab (root;
 * see bench/README.md). the desktop is the tests' headless sway session
 * with PipeWire and the ScreenCast portal (tests/gc-wayland-session.c).
 *
 *   gc-bench-portal first-frame [REPS]  StartWith (restore token, no dialog)
 *                                       -> first frame decoded on a receiver
 *   gc-bench-portal latency [SECONDS]   capture -> decoded, portal and test
 *                                       pattern in the same run
 *   gc-bench-portal cpu [SECONDS]       sender CPU at 1080p30, a still
 *                                       screen, portal and test pattern
 */
#define G_LOG_DOMAIN "GcBenchPortal"

#include "config.h"

#include "gc-test-agent.h"
#include "gc-wayland-session.h"

#include <stdlib.h>
#include <unistd.h>

#define GROUP "239.0.0.11"
#define URL1 "rtsp://10.99.0.1:7236/screen"

/* ---- small statistics (as gc-bench-media) ---------------------------------- */

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

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
  g_print ("| %s | %u | %.1f | %.1f | %.1f | %.1f | %s |\n", what, v->len, percentile (v, 50),
           percentile (v, 95), percentile (v, 0), percentile (v, 100), unit);
}

static void
add (GArray *v, gdouble x)
{
  g_array_append_val (v, x);
}

static void
print_head (void)
{
  g_print ("\n| measure | n | p50 | p95 | min | max | unit |\n|---|---|---|---|---|---|---|\n");
}

/* ---- the desktop ------------------------------------------------------------ */

typedef struct
{
  GcWaylandSession *session;
  GcLab *lab;
  GcTestAgent *src;
} Desk;

static void
desk_free (Desk *d)
{
  g_clear_pointer (&d->src, gc_test_agent_free);
  g_clear_pointer (&d->lab, gc_lab_free);
  g_clear_pointer (&d->session, gc_wayland_session_free);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desk, desk_free)

static Desk *
desk_new (guint width, guint height, guint hosts, GError **error)
{
  g_autoptr (Desk) d = g_new0 (Desk, 1);
  g_autofree gchar *w = g_strdup_printf ("--width=%u", width);
  g_autofree gchar *h = g_strdup_printf ("--height=%u", height);

  d->session = gc_wayland_session_new_sized (width, height, error);
  if (d->session == NULL || (d->lab = gc_lab_new (hosts, error)) == NULL)
    return NULL;
  d->src = gc_wayland_session_start_agent (d->session, d->lab, 1, error, "--source", "--desktop",
                                           "--group=" GROUP, "--no-mdns", "--no-beacons",
                                           "--name=presenter", w, h, NULL);
  return d->src != NULL ? g_steal_pointer (&d) : NULL;
}

static gboolean
share (Desk *d, const gchar *capture, GError **error)
{
  g_autoptr (GVariant) r = gc_test_agent_call (d->src, GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                               "StartWith",
                                               g_variant_new_parsed ("({'capture': <%s>},)",
                                                                     capture),
                                               20000, error);

  return r != NULL;
}

static gboolean
stop (Desk *d, GError **error)
{
  g_autoptr (GVariant) r = gc_test_agent_call (d->src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Stop",
                                               NULL, 5000, error);

  return r != NULL;
}

static GcTestAgent *
start_receiver (GcLab *lab, guint host, GError **error)
{
  GcTestAgent *r = gc_test_agent_start (lab, host, error, "--receiver", "--sink=fake",
                                        "--no-mdns", "--no-beacons", NULL);

  if (r != NULL && !gc_test_agent_wait_ready (r, 10000))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the receiver did not start");
  return r;
}

/* ---- 1. StartWith -> first frame ------------------------------------------------ */

static gboolean
run_first_frame (guint reps, GError **error)
{
  g_autoptr (Desk) d = desk_new (1280, 720, 2, error);
  g_autoptr (GcTestAgent) rcv = NULL;
  g_autoptr (GArray) call = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) first = g_array_new (FALSE, FALSE, sizeof (gdouble));
  guint chooser;

  if (d == NULL || (rcv = start_receiver (d->lab, 2, error)) == NULL)
    return FALSE;
  /* the first share takes the dialog (the chooser) and leaves the token */
  if (!share (d, "screen", error) || !stop (d, error))
    return FALSE;
  chooser = gc_wayland_session_chooser_calls (d->session);
  for (guint i = 0; i < reps; i++)
    {
      g_autoptr (GVariant) c = NULL;
      gint64 t0, t1;

      /* a wlroots compositor gives a second cast no first frame until the
       * screen changed (tests/gc-portal-test.c); a person's pointer does it */
      if (!gc_wayland_session_paint (d->session, i % 2 ? "#ff0000" : "#0000ff", error))
        return FALSE;
      gc_test_sleep (300);
      t0 = g_get_monotonic_time ();
      if (!share (d, "screen", error))
        return FALSE;
      t1 = g_get_monotonic_time ();
      c = gc_test_agent_call (rcv, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                              g_variant_new ("(s)", URL1), 5000, error);
      if (c == NULL || !gc_test_agent_wait_playing (rcv, 10000))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no frame on rep %u", i);
          return FALSE;
        }
      add (call, (t1 - t0) / 1000.0);
      add (first, (g_get_monotonic_time () - t0) / 1000.0);
      g_clear_pointer (&c, g_variant_unref);
      c = gc_test_agent_call (rcv, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Disconnect", NULL,
                              5000, error);
      if (c == NULL || !stop (d, error))
        return FALSE;
      gc_test_sleep (500);
    }
  print_head ();
  print_row ("StartWith (restore token) returns", call, "ms");
  print_row ("StartWith -> first frame decoded on a receiver", first, "ms");
  g_print ("# chooser calls after the first share: %u (restore token: expect 0)\n",
           gc_wayland_session_chooser_calls (d->session) - chooser);
  return TRUE;
}

/* ---- 2. capture -> decoded --------------------------------------------------- */

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

/* a receiver's per-frame latency lines for @seconds after a 2 s start */
static GArray *
collect_latency (GcLab *lab, guint seconds, GError **error)
{
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autoptr (GSubprocess) rx = NULL;
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree gchar *state = g_strdup_printf ("--state-dir=%s", gc_lab_host_dir (lab, 2));
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (gdouble));
  FrameLog fl = { 0 };

  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (l, "G_MESSAGES_DEBUG", "GcReceiver", TRUE);
  rx = gc_lab_spawn (lab, 2, l, error, gc_test_agent_binary (), "--receiver",
                     "--connect=" URL1, "--sink=fake", "--interface=eth0", state, "--bus=none",
                     "--no-mdns", "--no-beacons", "--name=host2", NULL);
  if (rx == NULL)
    return samples;
  in = g_data_input_stream_new (g_subprocess_get_stderr_pipe (rx));
  fl = (FrameLog) { in, cancel, samples, 60, 0 };
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, cancel, on_frame_line, &fl);
  gc_test_sleep (2000 + seconds * 1000);
  g_cancellable_cancel (cancel);
  g_subprocess_force_exit (rx);
  g_subprocess_wait (rx, NULL, NULL);
  gc_test_sleep (100);
  return samples;
}

static gboolean
run_latency (guint seconds, GError **error)
{
  g_autoptr (Desk) d = desk_new (1280, 720, 2, error);
  g_autoptr (GArray) portal = NULL;
  g_autoptr (GArray) test = NULL;

  if (d == NULL || !share (d, "screen", error))
    return FALSE;
  portal = collect_latency (d->lab, seconds, error);
  if (!stop (d, error) || !share (d, "test", error))
    return FALSE;
  test = collect_latency (d->lab, seconds, error);
  print_head ();
  print_row ("portal + PipeWire (1280x720@30, still screen) -> decoded", portal, "ms");
  print_row ("test pattern (1280x720@30) -> decoded, same run", test, "ms");
  g_print ("# p50 difference: %.1f ms\n", percentile (portal, 50) - percentile (test, 50));
  return portal->len > 0 && test->len > 0;
}

/* ---- 3. sender CPU ---------------------------------------------------------- */

static guint64
cpu_ticks (gint pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) f = NULL;
  const gchar *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return 0;
  f = g_strsplit (end + 2, " ", -1);
  if (g_strv_length (f) < 13)
    return 0;
  return g_ascii_strtoull (f[11], NULL, 10) + g_ascii_strtoull (f[12], NULL, 10);
}

/* thread name -> CPU ticks, for GC_BENCH_THREADS=1 */
static GHashTable *
thread_ticks (gint pid)
{
  g_autofree gchar *dir = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const gchar *tid;

  while (d != NULL && (tid = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_strdup_printf ("%s/%s/stat", dir, tid);
      g_autofree gchar *text = NULL;
      g_auto (GStrv) f = NULL;
      const gchar *open, *end;
      g_autofree gchar *name = NULL;
      guint64 t;

      if (!g_file_get_contents (path, &text, NULL, NULL) || (open = strchr (text, '(')) == NULL
          || (end = strrchr (text, ')')) == NULL)
        continue;
      name = g_strndup (open + 1, end - open - 1);
      f = g_strsplit (end + 2, " ", -1);
      if (g_strv_length (f) < 13)
        continue;
      t = g_ascii_strtoull (f[11], NULL, 10) + g_ascii_strtoull (f[12], NULL, 10);
      t += GPOINTER_TO_SIZE (g_hash_table_lookup (h, name));
      g_hash_table_insert (h, g_steal_pointer (&name), GSIZE_TO_POINTER (t));
    }
  return h;
}

static void
print_threads (GHashTable *before, GHashTable *after)
{
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, after);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      guint64 d = GPOINTER_TO_SIZE (v) - GPOINTER_TO_SIZE (g_hash_table_lookup (before, k));

      if (d > 0)
        g_print ("#   %s: %" G_GUINT64_FORMAT " ticks\n", (const gchar *) k, d);
    }
}

/* percent of one core the source agent used over @seconds, with a receiver */
static gdouble
measure_cpu (Desk *d, GcTestAgent *rcv, guint seconds, GError **error)
{
  g_autoptr (GVariant) c = gc_test_agent_call (rcv, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                               "Connect", g_variant_new ("(s)", URL1), 5000,
                                               error);
  gint pid = gc_test_agent_pid (d->src);
  guint64 t0, t1;
  gint64 w0, w1;

  if (c == NULL || !gc_test_agent_wait_playing (rcv, 10000))
    return -1;
  g_autoptr (GHashTable) th0 = NULL;
  g_autoptr (GHashTable) th1 = NULL;

  gc_test_sleep (2000);
  th0 = thread_ticks (pid);
  t0 = cpu_ticks (pid);
  w0 = g_get_monotonic_time ();
  gc_test_sleep (seconds * 1000);
  t1 = cpu_ticks (pid);
  w1 = g_get_monotonic_time ();
  th1 = thread_ticks (pid);
  if (g_getenv ("GC_BENCH_THREADS") != NULL)
    print_threads (th0, th1);
  g_clear_pointer (&c, g_variant_unref);
  c = gc_test_agent_call (rcv, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Disconnect", NULL, 5000,
                          NULL);
  return 100.0 * (t1 - t0) / sysconf (_SC_CLK_TCK) / ((w1 - w0) / 1e6);
}

static gboolean
run_cpu (guint seconds, guint reps, GError **error)
{
  g_autoptr (Desk) d = desk_new (1920, 1080, 2, error);
  g_autoptr (GcTestAgent) rcv = NULL;
  g_autoptr (GArray) portal = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) test = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autofree gchar *encoder = NULL;

  if (d == NULL || (rcv = start_receiver (d->lab, 2, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < reps; i++)
    {
      gdouble p, t;

      if (!gc_wayland_session_paint (d->session, "#336699", error) || !share (d, "screen", error)
          || (p = measure_cpu (d, rcv, seconds, error)) < 0 || !stop (d, error)
          || !share (d, "test", error) || (t = measure_cpu (d, rcv, seconds, error)) < 0
          || !stop (d, error))
        return FALSE;
      add (portal, p);
      add (test, t);
    }
  encoder = gc_test_agent_get_string (d->src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Encoder");
  print_head ();
  print_row ("sender CPU, portal 1920x1080@30, still screen", portal, "% of a core");
  print_row ("sender CPU, test pattern 1920x1080@30 (moving), same run", test, "% of a core");
  g_print ("# %u s windows, one receiver, encoder %s\n", seconds, encoder);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *reason = NULL;
  const gchar *what = argc > 1 ? argv[1] : "";
  guint n = argc > 2 ? (guint) atoi (argv[2]) : 0;
  gboolean ok = FALSE;

  if (!gc_wayland_session_available (&reason) || !gc_lab_available (&reason))
    {
      g_printerr ("gc-bench-portal: %s\n", reason);
      return 77;
    }
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");
  if (g_str_equal (what, "first-frame"))
    ok = run_first_frame (n > 0 ? n : 20, &error);
  else if (g_str_equal (what, "latency"))
    ok = run_latency (n > 0 ? n : 20, &error);
  else if (g_str_equal (what, "cpu"))
    ok = run_cpu (10, n > 0 ? n : 3, &error);
  else
    {
      g_printerr ("usage: gc-bench-portal first-frame [REPS] | latency [SECONDS] | cpu [REPS]\n");
      return 2;
    }
  if (!ok)
    g_printerr ("gc-bench-portal %s: %s\n", what, error != NULL ? error->message : "failed");
  return ok ? 0 : 1;
}
