/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * sound across the lab: the source's Opus stream in the same session as
 * the picture, played by receivers (on a fake output, read at its input),
 * in step with the picture, at the volume D-Bus sets; a source without
 * sound and a receiver without a sound output.
 */
#include "config.h"

#include "gc-test-agent.h"

#include <math.h>
#include <stdio.h>

#define URL1 "rtsp://10.99.0.1:7236/screen"
#define URL2 "rtsp://10.99.0.2:7236/screen"

static GcTestAgent *
start_source (GcLab *lab, guint host, const gchar *group, const gchar *extra)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *g = g_strdup_printf ("--group=%s", group);
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--source", g, "--no-mdns",
                                        "--no-beacons", "--bitrate=1500", extra, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  return a;
}

static GcTestAgent *
start_receiver (GcLab *lab, guint host, const gchar *url, const gchar *extra)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *c = g_strdup_printf ("--connect=%s", url);
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--receiver", c, "--sink=fake",
                                        "--no-mdns", "--no-beacons", extra, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  return a;
}

static gdouble
get_double (GcTestAgent *a, const gchar *prop)
{
  g_autoptr (GVariant) v = gc_test_agent_get (a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, prop);

  g_assert_nonnull (v);
  return g_variant_get_double (v);
}

static guint64
get_u64 (GcTestAgent *a, const gchar *prop)
{
  return gc_test_agent_get_u64 (a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, prop);
}

static gboolean
set_property (GcTestAgent *a, const gchar *prop, GVariant *value, GError **error)
{
  g_autoptr (GVariant) r = gc_test_agent_call (a, GC_RECEIVER_PATH,
                                               "org.freedesktop.DBus.Properties", "Set",
                                               g_variant_new ("(ssv)", GC_RECEIVER_IFACE, prop,
                                                              value),
                                               5000, error);

  return r != NULL;
}

/* the level once it settled near @want (±@slack dB), within @timeout_ms;
 * the last reading either way */
static gdouble
wait_level (GcTestAgent *a, gdouble want, gdouble slack, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  gdouble level;

  do
    {
      level = get_double (a, "AudioLevelDb");
      if (fabs (level - want) <= slack)
        return level;
      gc_test_sleep (100);
    }
  while (g_get_monotonic_time () < end);
  return level;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

/* the tone plays, counted, in step with the picture; volume and mute
 * change what reaches the output, and a bad volume changes nothing */
static void
test_play (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *audio = NULL;
  gdouble sync[40];
  guint n = 0;
  guint64 before, after;
  gdouble full, half;

  if (lab == NULL)
    return;
  src = start_source (lab, 1, "239.0.0.11", NULL);
  audio = gc_test_agent_get_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Audio");
  g_assert_cmpstr (audio, ==, "test");
  g_assert_cmpuint (gc_test_agent_get_u64 (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "AudioPort"), ==,
                    15552);
  r = start_receiver (lab, 2, URL1, NULL);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  {
    g_autofree gchar *sink = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                       "AudioSink");

    /* a fake display has a fake sound output */
    g_assert_cmpstr (sink, ==, "fake");
  }
  /* 20 ms Opus frames: about 50 packets a second */
  gc_test_sleep (1000);
  before = get_u64 (r, "AudioPacketsReceived");
  gc_test_sleep (2000);
  after = get_u64 (r, "AudioPacketsReceived");
  g_test_message ("audio packets: %" G_GUINT64_FORMAT " in 2 s", after - before);
  g_assert_cmpuint (after - before, >, 75);
  g_assert_cmpuint (after - before, <, 125);
  g_assert_cmpuint (get_u64 (r, "AudioPacketsLost"), ==, 0);
  /* the picture's counters are the picture's: ~2 s of 1.5 Mbit/s is far
   * more than 200 packets, and its own frames go on */
  g_assert_cmpuint (get_u64 (r, "FramesDecoded"), >, 60);

  /* in step: the sound's capture-to-played minus the picture's, from the
   * source's stamps, sampled twice a second for 20 s */
  for (guint i = 0; i < 40; i++)
    {
      gdouble s = get_double (r, "AvSyncMs");
      gdouble al = get_double (r, "AudioLatencyMs");

      g_assert_cmpfloat (al, >=, 0);
      g_assert_cmpfloat (al, <, 200);
      sync[n++] = s;
      gc_test_sleep (500);
    }
  qsort (sync, n, sizeof sync[0], compare_doubles);
  g_test_message ("AvSyncMs: min %.1f p50 %.1f max %.1f", sync[0], sync[n / 2], sync[n - 1]);
  /* well inside what broadcast practice tolerates (+40/-60 ms) */
  g_assert_cmpfloat (fabs (sync[n / 2]), <=, 15);
  g_assert_cmpfloat (sync[n - 1], <=, 40);
  g_assert_cmpfloat (sync[0], >=, -60);

  /* the tone is heard: its RMS (volume 0.2 sine: -17 dBFS) */
  full = wait_level (r, -17, 2, 3000);
  g_test_message ("level at volume 1: %.1f dBFS", full);
  g_assert_cmpfloat (fabs (full + 17), <=, 2);
  /* half the volume: 6 dB less reaches the output */
  g_assert_true (set_property (r, "Volume", g_variant_new_double (0.5), &error));
  g_assert_no_error (error);
  half = wait_level (r, full - 6.02, 1, 3000);
  g_test_message ("level at volume 0.5: %.1f dBFS", half);
  g_assert_cmpfloat (fabs (half - (full - 6.02)), <=, 1);
  g_assert_cmpfloat (get_double (r, "Volume"), ==, 0.5);
  /* muted: silence, while the packets are still counted */
  g_assert_true (set_property (r, "Muted", g_variant_new_boolean (TRUE), &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (wait_level (r, -100, 0.1, 3000), ==, -100);
  before = get_u64 (r, "AudioPacketsReceived");
  gc_test_sleep (600);
  g_assert_cmpuint (get_u64 (r, "AudioPacketsReceived"), >, before + 15);
  /* a volume out of range, or of the wrong type: an error, and nothing changes */
  g_assert_false (set_property (r, "Volume", g_variant_new_double (2.0), &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "InvalidArgs"));
  g_clear_error (&error);
  g_assert_false (set_property (r, "Volume", g_variant_new_double (NAN), &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (set_property (r, "Volume", g_variant_new_string ("loud"), &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpfloat (get_double (r, "Volume"), ==, 0.5);
  {
    g_autoptr (GVariant) muted = gc_test_agent_get (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                    "Muted");

    g_assert_true (g_variant_get_boolean (muted));
  }
  /* and back */
  g_assert_true (set_property (r, "Muted", g_variant_new_boolean (FALSE), &error));
  g_assert_true (set_property (r, "Volume", g_variant_new_double (1.0), &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (wait_level (r, full, 1, 3000) - full), <=, 1);
  {
    GcTestAgent *all[] = { src, r };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

/* a source without sound: the picture plays, the sound's counters stay
 * at 0 and nothing is wrong; a receiver without a sound output sets up
 * no sound stream */
static void
test_without_sound (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (5);
  g_autoptr (GcTestAgent) quiet = NULL;
  g_autoptr (GcTestAgent) loud = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GcTestAgent) deaf = NULL;
  g_autoptr (GcTestAgent) broken = NULL;
  g_autofree gchar *audio = NULL;
  g_autofree gchar *state = NULL;

  if (lab == NULL)
    return;
  /* a desktop agent, which shares when asked, asked for no sound; words
   * it does not know change nothing */
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *g = g_strdup_printf ("--group=%s", "239.0.0.11");
    const gchar *bad[] = { "({'audio': <'loud'>},)", "({'audio': <'alsa:hw:0'>},)",
                           "({'audio': <1>},)", "({'sound': <'none'>},)" };
    g_autoptr (GVariant) started = NULL;

    quiet = gc_test_agent_start (lab, 1, &error, "--source", "--desktop", "--capture=test", g,
                                 "--no-mdns", "--no-beacons", "--bitrate=1500", NULL);
    g_assert_no_error (error);
    g_assert_true (gc_test_agent_wait_ready (quiet, 10000));
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (GVariant) none = gc_test_agent_call (quiet, GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                                        "StartWith",
                                                        g_variant_new_parsed (bad[i]), 5000,
                                                        &error);

        g_assert_null (none);
        g_test_message ("StartWith %s: %s", bad[i], error->message);
        g_assert_nonnull (strstr (error->message, "InvalidArgs"));
        g_clear_error (&error);
      }
    started = gc_test_agent_call (quiet, GC_SOURCE_PATH, GC_SOURCE_IFACE, "StartWith",
                            g_variant_new_parsed ("({'capture': <'test'>, 'audio': <'none'>},)"),
                            20000, &error);
    g_assert_no_error (error);
    g_assert_true (gc_test_agent_wait_string (quiet, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                              "ready", 10000));
  }
  audio = gc_test_agent_get_string (quiet, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Audio");
  g_assert_cmpstr (audio, ==, "none");
  g_assert_cmpuint (gc_test_agent_get_u64 (quiet, GC_SOURCE_PATH, GC_SOURCE_IFACE, "AudioPort"),
                    ==, 0);
  r = start_receiver (lab, 3, URL1, NULL);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  gc_test_sleep (1500);
  g_assert_cmpuint (get_u64 (r, "FramesDecoded"), >, 20);
  g_assert_cmpuint (get_u64 (r, "AudioPacketsReceived"), ==, 0);
  g_assert_cmpfloat (get_double (r, "AudioLatencyMs"), ==, -1);
  g_assert_cmpfloat (get_double (r, "AvSyncMs"), ==, 0);
  g_assert_cmpfloat (get_double (r, "AudioLevelDb"), ==, -100);
  state = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
  g_assert_cmpstr (state, ==, "playing");

  /* a receiver told to play no sound, of a source with sound */
  loud = start_source (lab, 2, "239.0.0.12", NULL);
  deaf = start_receiver (lab, 4, URL2, "--audio-sink=none");
  g_assert_true (gc_test_agent_wait_playing (deaf, 15000));
  gc_test_sleep (1500);
  g_assert_cmpuint (gc_test_agent_get_u64 (deaf, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                           "FramesDecoded"), >, 20);
  g_assert_cmpuint (gc_test_agent_get_u64 (deaf, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                           "AudioPacketsReceived"), ==, 0);
  {
    g_autofree gchar *sink = gc_test_agent_get_string (deaf, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                       "AudioSink");

    g_assert_cmpstr (sink, ==, "none");
  }
  /* a sound output that cannot open (no such ALSA device): the sound
   * stops, said in the log; the picture plays on */
  broken = start_receiver (lab, 5, URL2, "--audio-sink=alsa:nosuchcard");
  g_assert_true (gc_test_agent_wait_playing (broken, 15000));
  gc_test_sleep (1500);
  {
    guint64 frames = gc_test_agent_get_u64 (broken, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                            "FramesDecoded");
    g_autofree gchar *log = NULL;
    g_autofree gchar *st = NULL;

    gc_test_sleep (1000);
    g_assert_cmpuint (gc_test_agent_get_u64 (broken, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                             "FramesDecoded"), >, frames + 15);
    st = gc_test_agent_get_string (broken, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
    g_assert_cmpstr (st, ==, "playing");
    g_assert_cmpfloat (get_double (broken, "AudioLevelDb"), ==, -100);
    log = gc_test_agent_get_log (broken);
    g_assert_nonnull (strstr (log, "sound stopped"));
    g_assert_nonnull (strstr (log, "the picture goes on"));
  }
  {
    GcTestAgent *all[] = { quiet, loud, r, deaf, broken };
    gc_test_agent_dump_logs_on_failure (all, 5);
  }
}

/* a switch from a source with sound to one without: the old source's
 * sound stops at the cut (the level falls to silence with the new
 * picture), and comes back with a switch back */
static void
test_switch_cuts_sound (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) loud = NULL;
  g_autoptr (GcTestAgent) quiet = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = NULL;

  if (lab == NULL)
    return;
  loud = start_source (lab, 1, "239.0.0.11", NULL);
  quiet = start_source (lab, 2, "239.0.0.12", "--audio=none");
  r = start_receiver (lab, 3, URL1, NULL);
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  g_assert_cmpfloat (fabs (wait_level (r, -17, 2, 3000) + 17), <=, 2);
  ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(s)", URL2), 5000, &error);
  g_assert_no_error (error);
  g_clear_pointer (&ret, g_variant_unref);
  g_assert_true (gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "SourceUrl",
                                            URL2, 5000));
  g_assert_true (gc_test_agent_wait_playing (r, 10000));
  /* the level is of the last 100 ms and goes out twice a second */
  g_assert_cmpfloat (wait_level (r, -100, 0.1, 2000), ==, -100);
  ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(s)", URL1), 5000, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "SourceUrl",
                                            URL1, 5000));
  g_assert_cmpfloat (fabs (wait_level (r, -17, 2, 5000) + 17), <=, 2);
  {
    GcTestAgent *all[] = { loud, quiet, r };
    gc_test_agent_dump_logs_on_failure (all, 3);
  }
}

/* a switch between two sources that both play the tone: at the cut the
 * old source's sound stops (none of it after the new one's first buffer)
 * and the wave does not jump (no click: every step between samples, also
 * across the cut, stays as small as the tone's own), and the new sound
 * follows the old within a few frames. read from the output's trace
 * (GC_SOUND_TRACE: a line per buffer pushed to the device) */
static void
test_cut_without_click (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autofree gchar *trace = NULL;
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint first_stream = 0, cuts = 0;
  gint64 last_old = 0;
  gdouble worst = 0;

  if (lab == NULL)
    return;
  a = start_source (lab, 1, "239.0.0.11", NULL);
  b = start_source (lab, 2, "239.0.0.12", NULL);
  trace = g_build_filename (gc_lab_host_dir (lab, 3), "sound.trace", NULL);
  g_setenv ("GC_SOUND_TRACE", trace, TRUE);
  r = start_receiver (lab, 3, URL1, NULL);
  g_unsetenv ("GC_SOUND_TRACE");
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  g_assert_cmpfloat (fabs (wait_level (r, -17, 2, 3000) + 17), <=, 2);
  for (guint i = 0; i < 3; i++)
    {
      const gchar *to = i % 2 == 0 ? URL2 : URL1;

      ret = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                                g_variant_new ("(s)", to), 5000, &error);
      g_assert_no_error (error);
      g_clear_pointer (&ret, g_variant_unref);
      g_assert_true (gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                "SourceUrl", to, 5000));
      g_assert_true (gc_test_agent_wait_playing (r, 10000));
      gc_test_sleep (800);
    }
  g_assert_true (g_file_get_contents (trace, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      gint64 t = 0;
      guint stream = 0;
      gint fresh = 0;
      gdouble step_in = 0, step_max = 0;

      g_assert_cmpint (sscanf (lines[i], "%" G_GINT64_FORMAT " %u %d %lf %lf", &t, &stream,
                               &fresh, &step_in, &step_max), ==, 5);
      if (first_stream == 0)
        first_stream = stream;
      if (fresh && i > 0)
        {
          cuts++;
          /* the new sound follows the old within a few 10 ms frames */
          g_test_message ("cut %u: %.1f ms from the old sound's last buffer, step %.4f",
                          cuts, (t - last_old) / 1000.0, step_in);
          g_assert_cmpint (t - last_old, <, 500 * 1000);
        }
      /* a 440 Hz sine at 0.2 moves at most 0.0115 a sample, and Opus's
       * own coding adds a little; a hard cut would jump by up to 0.4. at
       * a cut the new sound starts where the old one stopped */
      worst = MAX (worst, MAX (step_in, step_max));
      /* at a cut: checked. within one stream a buffer the output dropped
       * under load (a starved sanitizer build) is a jump too, which is not
       * the cut's: counted, not held against it */
      if (fresh && i > 0 && (step_in > 0.02 || step_max > 0.05))
        g_error ("a click at the cut in buffer %u (%s): the wave jumps by %.4f", i, lines[i],
                 MAX (step_in, step_max));
      if (!fresh && (step_in > 0.05 || step_max > 0.05))
        g_test_message ("a jump within a stream in buffer %u: %.4f (a buffer lost on the way)",
                        i, MAX (step_in, step_max));
      last_old = t;
    }
  g_test_message ("%u cuts, largest step %.4f", cuts, worst);
  /* three switches, and each cut once: the old sound never comes back
   * between two cuts */
  g_assert_cmpuint (cuts, ==, 3);
  {
    GcTestAgent *all[] = { a, b, r };
    gc_test_agent_dump_logs_on_failure (all, 3);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/audio/play", test_play);
  g_test_add_func ("/groupcast/audio/without-sound", test_without_sound);
  g_test_add_func ("/groupcast/audio/switch-cuts-sound", test_switch_cuts_sound);
  g_test_add_func ("/groupcast/audio/cut-without-click", test_cut_without_click);
  return g_test_run ();
}
