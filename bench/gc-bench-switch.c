/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * switch time: from the source's Switch call to the first decoded frame on
 * all N receivers, in the lab. two sources (A, B) and a keeper receiver on
 * each, so every switch joins a stream that is already running (a fresh
 * stream would start on a key frame and flatter the figure); N receivers
 * go A -> B -> A ... and each switch is timed from outside, over D-Bus.
 * each timed switch is then asked for once more, when every receiver shows
 * that source already (the answer should not wait for any pipeline).
 *
 *   gc-bench-switch [--switches 20] [--sizes 1,4,8] [--latency MS] [--plain-media] [--fec LEVEL]
 *                   [--output FILE]
 *
 * prints a markdown table; needs root (the lab).
 */
#include "config.h"

#include "gc-test-agent.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#define KEY "groupcast-bench-switch-site-key"
#define FIRST_RECEIVER 5

enum
{
  COL_CALL,
  COL_FIRST,
  COL_CONTROL,
  COL_AGAIN,
  COL_GAP,
  COL_PIPELINE,
  COL_DESCRIBED,
  COL_UDP,
  COL_RTP,
  COL_DECIN,
  COL_DECODED,
  N_COLS
};
#define N_SPLIT (N_COLS - COL_PIPELINE)

static const gchar *const col_names[N_COLS] = {
  "Switch call", "slowest first frame", "control overhead", "Switch again (all showing it)",
  "longest gap on screen (old frame to new)",
  "old pipeline down, new built",
  "DESCRIBE answered", "first RTP packet in", "first RTP out of jitter buffer",
  "first frame into decoder", "first frame decoded",
};

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
percentile (GArray *v, gdouble p)
{
  g_autoptr (GArray) s = g_array_copy (v);
  guint rank;

  if (s->len == 0)
    return -1;
  g_array_sort (s, cmp_double);
  /* nearest rank */
  rank = (guint) MAX (1.0, (p / 100.0) * s->len + 0.999999);
  return g_array_index (s, gdouble, MIN (rank, s->len) - 1);
}

/* the receiver's own account of its last connect, from its log */
static gboolean
last_timing (GcTestAgent *r, gdouble out[N_SPLIT])
{
  g_autofree gchar *log = gc_test_agent_get_log (r);
  const gchar *line = g_strrstr (log, "switch timing:");

  if (line == NULL)
    return FALSE;
  return sscanf (line, "switch timing: pipeline %lf described %lf first-udp %lf first-rtp %lf "
                 "decoder-in %lf decoded %lf", &out[0], &out[1], &out[2], &out[3], &out[4],
                 &out[5]) == N_SPLIT;
}

/* --plain-media for every agent: the same switch without SRTP */
static gboolean plain_media;
/* the sources' --fec (default: theirs) */
static gchar *fec_level;

static GcTestAgent *
start (GcLab *lab, guint host, const gchar *key_file, const gchar *a1, const gchar *a2)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *k = g_strdup_printf ("--key-file=%s", key_file);
  g_autofree gchar *fec = fec_level != NULL ? g_strdup_printf ("--fec=%s", fec_level)
                                            : g_strdup ("--no-mdns");
  GcTestAgent *a = NULL;

  /* a busy machine now and then starts a host's bus late: try again */
  for (guint attempt = 0; attempt < 3 && a == NULL; attempt++)
    {
      g_clear_error (&error);
      a = gc_test_agent_start (lab, host, &error, "--no-mdns", "--sink=fake", k,
                               "--switch-timeout=5000", fec,
                               plain_media ? "--plain-media" : "--no-mdns", a1, a2, NULL);
      if (a == NULL)
        gc_test_sleep (500);
    }
  if (a == NULL || !gc_test_agent_wait_ready (a, 20000))
    g_error ("agent in host %u did not start: %s", host, error ? error->message : "timeout");
  return a;
}

int
main (int argc, char **argv)
{
  gint switches = 20;
  gint latency = -1;
  g_autofree gchar *sizes_arg = NULL;
  g_autofree gchar *output = NULL;
  GOptionEntry entries[] = {
    { "switches", 0, 0, G_OPTION_ARG_INT, &switches, "Switches per size (default 20)", "N" },
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes_arg, "Receiver counts (default 1,4,8)", "LIST" },
    { "latency", 0, 0, G_OPTION_ARG_INT, &latency, "Receivers' --latency (default: theirs)", "MS" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, "Also write the table here", "FILE" },
    { "plain-media", 0, 0, G_OPTION_ARG_NONE, &plain_media,
      "Plain RTP although the agents hold the site key (default: SRTP)", NULL },
    { "fec", 0, 0, G_OPTION_ARG_STRING, &fec_level, "The sources' --fec (default: theirs)",
      "LEVEL" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- Groupcast switch time");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *reason = NULL;
  g_auto (GStrv) sizes = NULL;
  guint max_n = 0;
  g_autoptr (GcLab) lab = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *url[2] = { NULL };
  GcTestAgent *src[2], *keeper[2];
  g_autoptr (GPtrArray) receivers = g_ptr_array_new ();
  g_autoptr (GString) table = g_string_new (NULL);
  g_autofree gchar *cpuinfo = NULL;
  g_autofree gchar *model = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  sizes = g_strsplit (sizes_arg != NULL ? sizes_arg : "1,4,8", ",", -1);
  for (guint i = 0; sizes[i] != NULL; i++)
    max_n = MAX (max_n, (guint) atoi (sizes[i]));
  if (max_n == 0 || max_n > 24 || switches < 2)
    {
      g_printerr ("bad --sizes or --switches\n");
      return 2;
    }
  if (!gc_lab_available (&reason))
    {
      g_printerr ("cannot run: %s\n", reason);
      return 77;
    }
  lab = gc_lab_new (FIRST_RECEIVER - 1 + max_n, &error);
  if (lab == NULL)
    {
      g_printerr ("lab: %s\n", error->message);
      return 1;
    }
  key = g_build_filename (gc_lab_host_dir (lab, 1), "site.key", NULL);
  g_file_set_contents (key, KEY, -1, NULL);
  g_chmod (key, 0600);

  /* 1: source A, 2: source B (default 1280x720@30), 3 and 4 keep a
   * viewer on each, 5... are switched */
  src[0] = start (lab, 1, key, "--source", "--group=239.0.0.11");
  src[1] = start (lab, 2, key, "--source", "--group=239.0.0.12");
  for (guint i = 0; i < 2; i++)
    {
      if (!gc_test_agent_wait_string (src[i], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready",
                                      20000))
        g_error ("source %u did not start", i + 1);
      url[i] = gc_test_agent_get_string (src[i], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Url");
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree gchar *c = g_strdup_printf ("--connect=%s", url[i]);

      keeper[i] = start (lab, 3 + i, key, "--receiver", c);
    }
  for (guint i = 0; i < max_n; i++)
    {
      g_autofree gchar *l = latency >= 0 ? g_strdup_printf ("--latency=%d", latency) : NULL;

      g_ptr_array_add (receivers, start (lab, FIRST_RECEIVER + i, key, "--receiver", l));
    }
  for (guint i = 0; i < receivers->len; i++)
    {
      if (!gc_test_agent_wait_peers (g_ptr_array_index (receivers, i), 2, 15000))
        g_error ("receiver %u did not hear the sources", FIRST_RECEIVER + i);
    }
  for (guint i = 0; i < 2; i++)
    if (!gc_test_agent_wait_string (keeper[i], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                    "playing", 20000))
      g_error ("keeper %u does not play", 3 + i);

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      const gchar *m = strstr (cpuinfo, "model name");

      if (m != NULL && (m = strchr (m, ':')) != NULL)
        model = g_strstrip (g_strndup (m + 1, strcspn (m + 1, "\n")));
    }
  {
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autofree gchar *date = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
    g_autofree gchar *enc = gc_test_agent_get_string (src[0], GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                                      "Encoder");

    g_string_append_printf (table, "Measured %s on %u CPUs (%s), lab of %u hosts, "
                            "1280x720@30, encoder %s, %d switches per size.\n\n",
                            date, g_get_num_processors (), model ? model : "unknown CPU",
                            gc_lab_get_n_hosts (lab), enc ? enc : "?", switches);
  }
  g_string_append (table, "| N | what | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|\n");

  for (guint si = 0; sizes[si] != NULL; si++)
    {
      guint n = atoi (sizes[si]);
      g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
      GArray *cols[N_COLS];
      guint failed = 0;

      for (guint c = 0; c < N_COLS; c++)
        cols[c] = g_array_new (FALSE, FALSE, sizeof (gdouble));
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (targets, gc_lab_host_address (lab, FIRST_RECEIVER + i));
      g_ptr_array_add (targets, NULL);

      /* start from B (not timed), so every timed switch leaves a group */
      for (gint k = -1; k < switches; k++)
        {
          GcTestAgent *s = src[k < 0 || k % 2 == 1 ? 1 : 0];
          g_autoptr (GVariant) r = NULL;
          g_autoptr (GVariant) rows = NULL;
          gint64 t0;
          gdouble call_ms, worst = 0, split[N_SPLIT] = { -1, -1, -1, -1, -1, -1 };
          gboolean all_ok = TRUE;
          GVariantIter it;
          const gchar *id, *msg;
          gboolean ok;
          gdouble ms;

          /* let the last switch settle: a person does not switch faster */
          gc_test_sleep (700);
          t0 = g_get_monotonic_time ();
          r = gc_test_agent_call (s, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                                  g_variant_new ("(^as)", (gchar **) targets->pdata), 20000,
                                  &error);
          call_ms = (g_get_monotonic_time () - t0) / 1000.0;
          if (r == NULL)
            {
              /* the end of the sources' logs says why (give a debugger
               * wrapped around a dying agent time to write) */
              gc_test_sleep (3000);
              for (guint i = 0; i < 2; i++)
                {
                  g_autofree gchar *log = gc_test_agent_get_log (src[i]);
                  gsize len = strlen (log);

                  g_printerr ("--- source %u ---\n%s\n", i + 1,
                              log + (len > 20000 ? len - 20000 : 0));
                }
              g_error ("Switch: %s", error->message);
            }
          rows = g_variant_get_child_value (r, 0);
          g_variant_iter_init (&it, rows);
          for (guint i = 0; g_variant_iter_next (&it, "(&sb&sd)", &id, &ok, &msg, &ms); i++)
            {
              gdouble t[N_SPLIT];

              if (!ok || ms <= 0)
                {
                  g_printerr ("N=%u switch %d: %s: %s\n", n, k, id, msg);
                  if (k >= 0 && i < n)
                    {
                      /* why: the end of that receiver's log */
                      g_autofree gchar *log = gc_test_agent_get_log (g_ptr_array_index (receivers, i));
                      gsize len = strlen (log);

                      g_printerr ("--- receiver %s ---\n%s\n", id, log + (len > 6000 ? len - 6000 : 0));
                    }
                  all_ok = FALSE;
                  continue;
                }
              if (ms > worst && last_timing (g_ptr_array_index (receivers, i), t))
                memcpy (split, t, sizeof t);
              worst = MAX (worst, ms);
            }
          if (k < 0)
            continue;
          if (!all_ok)
            {
              failed++;
              continue;
            }
          g_array_append_val (cols[COL_CALL], call_ms);
          {
            /* the same call again: every receiver shows that source
             * already, so each answers at once and keeps its pipeline */
            g_autoptr (GVariant) again = NULL;
            gint64 t1 = g_get_monotonic_time ();
            gdouble again_ms;

            again = gc_test_agent_call (s, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                                        g_variant_new ("(^as)", (gchar **) targets->pdata),
                                        20000, &error);
            again_ms = (g_get_monotonic_time () - t1) / 1000.0;
            if (again == NULL)
              g_error ("Switch again: %s", error->message);
            g_array_append_val (cols[COL_AGAIN], again_ms);
          }
          {
            /* what a person sees: the longest time a screen held no new
             * frame across the switch (an agent without the display
             * has no SwitchGapMs and leaves the row empty) */
            gdouble gap = -1;

            for (guint i = 0; i < n; i++)
              {
                g_autoptr (GVariant) v = gc_test_agent_get (g_ptr_array_index (receivers, i),
                                                            GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                            "SwitchGapMs");

                if (v != NULL)
                  gap = MAX (gap, g_variant_get_double (v));
              }
            if (gap >= 0)
              g_array_append_val (cols[COL_GAP], gap);
          }
          g_array_append_val (cols[COL_FIRST], worst);
          {
            gdouble overhead = call_ms - worst;

            g_array_append_val (cols[COL_CONTROL], overhead);
          }
          for (guint c = 0; c < N_SPLIT; c++)
            if (split[c] >= 0)
              g_array_append_val (cols[COL_PIPELINE + c], split[c]);
          g_printerr ("N=%u switch %d: call %.1f ms, slowest first frame %.1f ms "
                      "(pipeline %.1f described %.1f udp %.1f rtp %.1f decoder-in %.1f "
                      "decoded %.1f)\n", n, k, call_ms, worst, split[0], split[1], split[2],
                      split[3], split[4], split[5]);
        }
      for (guint c = 0; c < N_COLS; c++)
        {
          if (cols[c]->len > 0)
            g_string_append_printf (table, "| %u | %s | %.0f | %.0f | %.0f |\n", n, col_names[c],
                                    percentile (cols[c], 50), percentile (cols[c], 95),
                                    percentile (cols[c], 100));
          g_array_unref (cols[c]);
        }
      if (failed > 0)
        g_string_append_printf (table, "| %u | failed switches | %u | | |\n", n, failed);
    }

  g_print ("%s", table->str);
  if (output != NULL && !g_file_set_contents (output, table->str, -1, &error))
    g_printerr ("%s\n", error->message);
  for (guint i = 0; i < receivers->len; i++)
    gc_test_agent_free (g_ptr_array_index (receivers, i));
  for (guint i = 0; i < 2; i++)
    {
      gc_test_agent_free (keeper[i]);
      gc_test_agent_free (src[i]);
    }
  return 0;
}
