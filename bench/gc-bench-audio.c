/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the sound in the lab (root; see bench/README.md):
 *   gc-bench-audio [REPS] [FRAME_MS]   (FRAME_MS: the sources' --audio-frame, 10 or 20)
 * each rep: a source with the test tone (host 1) and one without (host 3,
 * for the CPU comparison), a receiver on host 2 with a fake sound output.
 *   - sync: AvSyncMs and AudioLatencyMs sampled every 250 ms for 20 s;
 *   - join: 10 connects of the receiver, the sound's start after the first
 *     frame (the receiver's "sound started" log line);
 *   - cost: the sender's utime+stime over 10 s with sound and without,
 *     the two sources alike otherwise, each watched by the receiver; and
 *     that of the sound's own streaming thread (capture, encoder,
 *     payloader, RTP session, socket), which is not lost in the picture's
 *     noise.
 */
#include "config.h"

#include "gc-test-agent.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define URL_TONE "rtsp://10.99.0.1:7236/screen"
#define URL_QUIET "rtsp://10.99.0.3:7236/screen"

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
percentile (GArray *v, gdouble p)
{
  if (v->len == 0)
    return -1;
  g_array_sort (v, cmp_double);
  return g_array_index (v, gdouble, MIN (v->len - 1, (guint) (p * v->len)));
}

static void
print_row (const gchar *what, GArray *v, const gchar *unit)
{
  g_print ("| %s | %u | %.1f | %.1f | %.1f | %.1f | %s |\n", what, v->len, percentile (v, 0),
           percentile (v, 0.5), percentile (v, 0.95), percentile (v, 1), unit);
}

static gdouble
get_double (GcTestAgent *a, const gchar *prop)
{
  g_autoptr (GVariant) v = gc_test_agent_get (a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, prop);

  return v != NULL ? g_variant_get_double (v) : -1;
}

static guint64
cpu_ticks (GcTestAgent *a)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", gc_test_agent_pid (a));

  return gc_test_stat_cpu_ticks (path);
}

/* utime+stime of the agent's threads whose name starts with @prefix
 * (GStreamer names a streaming thread after its source pad: the sound's
 * whole path, capture to the socket, runs in "audiotestsrc…") */
static guint64
thread_ticks (GcTestAgent *a, const gchar *prefix)
{
  g_autofree gchar *dir = g_strdup_printf ("/proc/%d/task", gc_test_agent_pid (a));
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *tid;
  guint64 sum = 0;

  while (d != NULL && (tid = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *comm_path = g_build_filename (dir, tid, "comm", NULL);
      g_autofree gchar *stat_path = g_build_filename (dir, tid, "stat", NULL);
      g_autofree gchar *comm = NULL;

      if (g_file_get_contents (comm_path, &comm, NULL, NULL) && g_str_has_prefix (comm, prefix))
        sum += gc_test_stat_cpu_ticks (stat_path);
    }
  return sum;
}

static GcTestAgent *
start (GcLab *lab, guint host, const gchar *role, const gchar *more, const gchar *more2)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, role, "--no-mdns", "--no-beacons",
                                        host == 2 ? "--sink=fake" : "--bitrate=4000", more, more2,
                                        NULL);

  if (a == NULL || !gc_test_agent_wait_ready (a, 10000))
    g_error ("agent on host %u: %s", host, error != NULL ? error->message : "not ready");
  return a;
}

static gboolean
connect_to (GcTestAgent *r, const gchar *url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                 "Connect", g_variant_new ("(s)", url), 5000,
                                                 &error);

  return ret != NULL && gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                   "SourceUrl", url, 5000)
         && gc_test_agent_wait_playing (r, 10000);
}

/* the "sound started X ms after the first frame" lines of the log, after @skip */
static guint
read_starts (GcTestAgent *r, guint skip, GArray *out)
{
  g_autofree gchar *log = gc_test_agent_get_log (r);
  const gchar *p = log;
  guint n = 0;

  while (p != NULL && (p = strstr (p, "sound started ")) != NULL)
    {
      p += strlen ("sound started ");
      if (n++ >= skip)
        {
          gdouble ms = g_ascii_strtod (p, NULL);

          g_array_append_val (out, ms);
        }
    }
  return n;
}

static gdouble
cpu_percent (GcTestAgent *sender, guint seconds, gdouble *sound)
{
  guint64 t0 = cpu_ticks (sender), t1;
  guint64 s0 = thread_ticks (sender, "audiotestsrc"), s1;

  gc_test_sleep (seconds * 1000);
  t1 = cpu_ticks (sender);
  s1 = thread_ticks (sender, "audiotestsrc");
  if (sound != NULL)
    *sound = 100.0 * (s1 - s0) / sysconf (_SC_CLK_TCK) / seconds;
  return 100.0 * (t1 - t0) / sysconf (_SC_CLK_TCK) / seconds;
}

int
main (int argc, char **argv)
{
  guint reps = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 3;
  g_autofree gchar *frame = g_strdup_printf ("--audio-frame=%s", argc > 2 ? argv[2] : "20");
  g_autoptr (GArray) sync = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) abs_sync = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) latency = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) picture = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) cost = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) with_sound = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) without = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) sound_thread = g_array_new (FALSE, FALSE, sizeof (gdouble));

  if (reps == 0 || reps > 20)
    g_error ("REPS is 1 to 20");
  for (guint rep = 0; rep < reps; rep++)
    {
      g_autoptr (GcLab) lab = gc_lab_new (3, NULL);
      g_autoptr (GcTestAgent) tone = NULL;
      g_autoptr (GcTestAgent) quiet = NULL;
      g_autoptr (GcTestAgent) r = NULL;
      guint seen = 0;

      if (lab == NULL)
        g_error ("no lab (run as root)");
      tone = start (lab, 1, "--source", "--group=239.0.0.11", frame);
      quiet = start (lab, 3, "--source", "--group=239.0.0.12", "--audio=none");
      r = start (lab, 2, "--receiver", NULL, NULL);
      if (!connect_to (r, URL_TONE))
        g_error ("the receiver does not play the tone");
      /* sync and latency, once the stream settled */
      gc_test_sleep (2000);
      for (guint i = 0; i < 80; i++)
        {
          gdouble s = get_double (r, "AvSyncMs"), al = get_double (r, "AudioLatencyMs");
          gdouble vl = get_double (r, "LatencyMs");

          if (al >= 0 && vl >= 0)
            {
              gdouble a = ABS (s);

              g_array_append_val (sync, s);
              g_array_append_val (abs_sync, a);
              g_array_append_val (latency, al);
              g_array_append_val (picture, vl);
            }
          gc_test_sleep (250);
        }
      /* the sound's start after the picture's, over 10 joins */
      seen = read_starts (r, 0, starts);
      for (guint i = 0; i < 10; i++)
        {
          if (!connect_to (r, URL_QUIET) || !connect_to (r, URL_TONE))
            g_error ("a connect failed");
          gc_test_sleep (600);
        }
      read_starts (r, seen, starts);
      /* what the sound costs the sender: the same source without it, each
       * watched, in turns */
      {
        gdouble a, b, thread = 0;

        if ((rep % 2) == 0)
          {
            a = cpu_percent (tone, 10, &thread);
            connect_to (r, URL_QUIET);
            b = cpu_percent (quiet, 10, NULL);
          }
        else
          {
            connect_to (r, URL_QUIET);
            b = cpu_percent (quiet, 10, NULL);
            connect_to (r, URL_TONE);
            a = cpu_percent (tone, 10, &thread);
          }
        g_array_append_val (with_sound, a);
        g_array_append_val (without, b);
        g_array_append_val (sound_thread, thread);
        a -= b;
        g_array_append_val (cost, a);
      }
      g_printerr ("rep %u done\n", rep + 1);
    }
  g_print ("| measure | n | min | p50 | p95 | max | unit |\n|---|---|---|---|---|---|---|\n");
  print_row ("AvSyncMs (sound minus picture)", sync, "ms");
  print_row ("\\|AvSyncMs\\|", abs_sync, "ms");
  print_row ("AudioLatencyMs (capture to played)", latency, "ms");
  print_row ("LatencyMs (picture, same samples)", picture, "ms");
  print_row ("sound start after the first frame", starts, "ms");
  print_row ("sender CPU with sound", with_sound, "% of a core");
  print_row ("sender CPU without sound", without, "% of a core");
  print_row ("sender CPU for the sound (difference, per rep)", cost, "% of a core");
  print_row ("sender CPU of the sound's thread (capture to socket)", sound_thread,
             "% of a core");
  return 0;
}
