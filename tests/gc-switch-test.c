/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the switch across a real LAN: sources and receivers in lab hosts, each
 * on a D-Bus of its own, switched through Source1.Switch; the bridge's
 * multicast database shows who gets which group.
 *
 * run with "--send-raw FILE ADDRESS PORT", this program is also the
 * sender of hand-made control requests: the test re-runs itself inside a
 * lab host so the bytes come from that host's address.
 */
#include "config.h"

#include "gc-control-auth.h"
#include "gc-test-agent.h"

#include <glib/gstdio.h>

#define KEY "groupcast-switch-test-site-key"
#define WRONG_KEY "not-the-site-key-at-all"
#define GROUP_A "239.0.0.11"
#define GROUP_B "239.0.0.12"
#define SMALL "--width=320", "--height=240", "--framerate=30", "--bitrate=400"

static gchar *self_path;

/* ---- the raw sender (runs inside a lab host) --------------------------- */

static int
send_raw_main (const gchar *file, const gchar *address, const gchar *port)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autofree gchar *data = NULL;
  g_autoptr (GString) answer = g_string_new (NULL);
  gsize len = 0;
  guint8 buf[4096];
  gssize n;

  if (!g_file_get_contents (file, &data, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_socket_client_set_timeout (client, 10);
  conn = g_socket_client_connect_to_host (client, address, atoi (port), NULL, &error);
  if (conn == NULL
      || !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), data,
                                     len, NULL, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  /* one request, one answer, then the receiver closes */
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf,
                                   sizeof buf, NULL, &error)) > 0
         && answer->len < 65536)
    g_string_append_len (answer, (const gchar *) buf, n);
  fwrite (answer->str, 1, answer->len, stdout);
  return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static gchar *
write_key (GcLab *lab, const gchar *name, const gchar *key)
{
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (gc_lab_host_dir (lab, 1), name, NULL);

  g_file_set_contents (path, key, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  return path;
}

static GcTestAgent *
start_agent (GcLab *lab, guint host, const gchar *key_file, const gchar *a1, const gchar *a2,
             const gchar *a3, const gchar *a4)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *k = key_file != NULL ? g_strdup_printf ("--key-file=%s", key_file)
                                         : g_strdup ("--no-mdns");
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--no-mdns", "--sink=fake", SMALL,
                                        k, a1, a2, a3, a4, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 15000));
  return a;
}

static GcTestAgent *
start_source (GcLab *lab, guint host, const gchar *key_file, const gchar *group)
{
  g_autofree gchar *g = group != NULL ? g_strdup_printf ("--group=%s", group) : NULL;
  GcTestAgent *a = start_agent (lab, host, key_file, "--source", "--switch-timeout=2000", g, NULL);

  g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 15000));
  return a;
}

/* the peer filter wants beacons seen: wait until every agent lists all
 * the others */
static void
wait_discovered (GcTestAgent **agents, guint n, guint n_peers)
{
  for (guint i = 0; i < n; i++)
    g_assert_true (gc_test_agent_wait_peers (agents[i], n_peers, 10000));
}

static GVariant *
do_switch (GcTestAgent *src, const gchar *method, const gchar * const *targets, gdouble *call_ms,
           GError **error)
{
  gint64 t0 = g_get_monotonic_time ();
  GVariant *r = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, method,
                                    g_variant_new ("(^as)", targets), 20000, error);

  if (call_ms != NULL)
    *call_ms = (g_get_monotonic_time () - t0) / 1000.0;
  return r;
}

/* the row for @name in a Switch answer */
static gboolean
find_row (GVariant *r, const gchar *name, gboolean *ok, gchar **message, gdouble *ms)
{
  g_autoptr (GVariant) rows = g_variant_get_child_value (r, 0);
  GVariantIter it;
  const gchar *id, *msg;
  gboolean o;
  gdouble m;

  g_variant_iter_init (&it, rows);
  while (g_variant_iter_next (&it, "(&sb&sd)", &id, &o, &msg, &m))
    if (g_str_equal (id, name))
      {
        *ok = o;
        if (message != NULL)
          *message = g_strdup (msg);
        *ms = m;
        return TRUE;
      }
  return FALSE;
}

/* a row's message starts with the error's words */
static gboolean
is_not_authorized (const gchar *msg)
{
  return g_str_has_prefix (msg, "not authorized") || g_str_has_prefix (msg, "not-authorized");
}

static gchar *
url_of (GcTestAgent *src)
{
  return gc_test_agent_get_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Url");
}

/* ---- rounds of random switches ----------------------------------------- */

#define N_RECEIVERS 4
#define N_ROUNDS 20

typedef struct
{
  GcLab *lab;
  const gchar *groups[2];
  gint current[N_RECEIVERS]; /* index of the source, -1 for none */
} MdbWait;

static gboolean
mdb_matches (gpointer data)
{
  MdbWait *w = data;

  for (guint r = 0; r < N_RECEIVERS; r++)
    for (guint s = 0; s < 2; s++)
      if (gc_lab_mdb_has (w->lab, w->groups[s], 3 + r) != (w->current[r] == (gint) s))
        return FALSE;
  return TRUE;
}

static void
test_rounds (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2 + N_RECEIVERS);
  g_autofree gchar *key = NULL;
  GcTestAgent *all[2 + N_RECEIVERS] = { NULL };
  g_autofree gchar *urls[2] = { NULL };
  MdbWait w = { 0 };
  gdouble worst = 0;
  g_autoptr (GRand) rand = NULL;

  if (lab == NULL)
    return;
  key = write_key (lab, "site.key", KEY);
  all[0] = start_source (lab, 1, key, GROUP_A);
  all[1] = start_source (lab, 2, key, GROUP_B);
  for (guint i = 0; i < N_RECEIVERS; i++)
    all[2 + i] = start_agent (lab, 3 + i, key, "--receiver", NULL, NULL, NULL);
  wait_discovered (all, G_N_ELEMENTS (all), G_N_ELEMENTS (all) - 1);
  urls[0] = url_of (all[0]);
  urls[1] = url_of (all[1]);
  w.lab = lab;
  w.groups[0] = GROUP_A;
  w.groups[1] = GROUP_B;
  for (guint i = 0; i < N_RECEIVERS; i++)
    w.current[i] = -1;

  /* a fixed seed: a failing round can be run again */
  rand = g_rand_new_with_seed (20261122);
  for (guint round = 0; round < N_ROUNDS; round++)
    {
      guint s = g_rand_int_range (rand, 0, 2);
      guint mask = g_rand_int_range (rand, 1, 1 << N_RECEIVERS);
      g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GVariant) r = NULL;
      g_autoptr (GError) error = NULL;
      gdouble call_ms;

      for (guint i = 0; i < N_RECEIVERS; i++)
        if (mask & (1u << i))
          g_ptr_array_add (targets, gc_lab_host_address (lab, 3 + i));
      g_ptr_array_add (targets, NULL);
      r = do_switch (all[s], "Switch", (const gchar * const *) targets->pdata, &call_ms, &error);
      g_assert_no_error (error);
      g_test_message ("round %u: source %u, receivers 0x%x, %.0f ms", round, s + 1, mask, call_ms);
      for (guint i = 0; i < N_RECEIVERS; i++)
        {
          g_autofree gchar *addr = gc_lab_host_address (lab, 3 + i);
          g_autofree gchar *msg = NULL;
          g_autofree gchar *url = NULL;
          gboolean ok = FALSE;
          gdouble ms = -1;

          if (!(mask & (1u << i)))
            continue;
          g_assert_true (find_row (r, addr, &ok, &msg, &ms));
          if (!ok)
            g_test_message ("receiver %s: %s", addr, msg);
          g_assert_true (ok);
          worst = MAX (worst, ms);
          w.current[i] = s;
          /* the receiver's own view agrees, at once: it answered after its
           * first frame */
          url = gc_test_agent_get_string (all[2 + i], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                          "SourceUrl");
          g_assert_cmpstr (url, ==, urls[s]);
          g_assert_true (gc_test_agent_wait_string (all[2 + i], GC_RECEIVER_PATH,
                                                    GC_RECEIVER_IFACE, "State", "playing",
                                                    1000));
        }
      /* the bridge forwards each group only to its current viewers; the
       * old group is left within the bridge's last-member interval */
      if (!gc_test_wait_until (mdb_matches, &w, 2000))
        {
          for (guint i = 0; i < N_RECEIVERS; i++)
            g_test_message ("host %u: current %d, in A %d, in B %d", 3 + i, w.current[i],
                            gc_lab_mdb_has (lab, GROUP_A, 3 + i),
                            gc_lab_mdb_has (lab, GROUP_B, 3 + i));
          g_assert_true (mdb_matches (&w));
        }
    }
  g_test_message ("slowest first frame in %u rounds: %.0f ms", N_ROUNDS, worst);
  gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gc_test_agent_free (all[i]);
}

/* ---- the agent's own receiver and a remote one, in one call ----------- */

/* a source that is also a receiver switches itself through the same path
 * as a remote receiver: named by its own id, in the same call */
static void
test_self_and_remote (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autofree gchar *key = NULL;
  g_autofree gchar *self_id = NULL;
  g_autofree gchar *remote = NULL;
  g_autofree gchar *url = NULL;
  GcTestAgent *all[2] = { NULL };
  const gchar *targets[3] = { NULL };
  const gchar *names[2];

  if (lab == NULL)
    return;
  key = write_key (lab, "site.key", KEY);
  all[0] = start_agent (lab, 1, key, "--source", "--receiver", "--switch-timeout=2000",
                        "--group=" GROUP_A);
  g_assert_true (gc_test_agent_wait_string (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 15000));
  all[1] = start_agent (lab, 2, key, "--receiver", NULL, NULL, NULL);
  wait_discovered (all, 2, 1);
  self_id = gc_test_agent_get_string (all[0], "/io/github/Groupcast", GC_AGENT_IFACE, "Id");
  remote = gc_lab_host_address (lab, 2);
  url = url_of (all[0]);
  targets[0] = self_id;
  targets[1] = remote;
  names[0] = self_id;
  names[1] = remote;

  for (guint pass = 0; pass < 2; pass++)
    {
      const gchar *method = pass == 0 ? "Switch" : "Release";
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) r = do_switch (all[0], method, targets, NULL, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < 2; i++)
        {
          g_autofree gchar *msg = NULL;
          g_autofree gchar *shown = NULL;
          gboolean ok = FALSE;
          gdouble ms = -1;

          g_assert_true (find_row (r, names[i], &ok, &msg, &ms));
          g_test_message ("%s %s: %s (%.1f ms)", method, names[i], msg, ms);
          g_assert_true (ok);
          shown = gc_test_agent_get_string (all[i], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                            "SourceUrl");
          if (pass == 0)
            {
              /* both answered at their first frame, and show the source */
              g_assert_cmpstr (msg, ==, "playing");
              g_assert_cmpfloat (ms, >, 0);
              g_assert_cmpstr (shown, ==, url);
              g_assert_true (gc_test_agent_wait_string (all[i], GC_RECEIVER_PATH,
                                                        GC_RECEIVER_IFACE, "State", "playing",
                                                        1000));
            }
          else
            {
              g_assert_cmpstr (msg, ==, "released");
              g_assert_cmpstr (shown, ==, "");
              g_assert_true (gc_test_agent_wait_string (all[i], GC_RECEIVER_PATH,
                                                        GC_RECEIVER_IFACE, "State", "idle",
                                                        1000));
            }
        }
    }
  gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gc_test_agent_free (all[i]);
}

/* ---- one receiver unreachable ------------------------------------------ */

static void
test_link_down (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (4);
  g_autofree gchar *key = NULL;
  GcTestAgent *all[4] = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autofree gchar *a2 = NULL, *a3 = NULL, *a4 = NULL;
  g_autofree gchar *msg = NULL;
  gboolean ok = TRUE;
  gdouble ms = -1, call_ms = 0;

  if (lab == NULL)
    return;
  key = write_key (lab, "site.key", KEY);
  all[0] = start_source (lab, 1, key, GROUP_A);
  for (guint i = 1; i < 4; i++)
    all[i] = start_agent (lab, 1 + i, key, "--receiver", NULL, NULL, NULL);
  wait_discovered (all, 4, 3);
  a2 = gc_lab_host_address (lab, 2);
  a3 = gc_lab_host_address (lab, 3);
  a4 = gc_lab_host_address (lab, 4);

  gc_lab_set_link (lab, 4, FALSE, &error);
  g_assert_no_error (error);
  {
    const gchar *targets[] = { a2, a3, a4, NULL };

    r = do_switch (all[0], "Switch", targets, &call_ms, &error);
  }
  g_assert_no_error (error);
  g_test_message ("switch with one receiver down took %.0f ms", call_ms);
  /* the dead one is given up after the switch timeout (2 s) plus the
   * client's 0.5 s for the network */
  g_assert_cmpfloat (call_ms, <, 2000 + 500 + 1500);
  g_assert_true (find_row (r, a4, &ok, &msg, &ms));
  g_test_message ("down: %s", msg);
  g_assert_false (ok);
  g_assert_true (g_str_has_prefix (msg, "timeout") || g_str_has_prefix (msg, "unreachable"));
  /* the others switched, and were not held up by it */
  for (guint i = 0; i < 2; i++)
    {
      const gchar *addr = i == 0 ? a2 : a3;
      g_autofree gchar *m = NULL;

      g_assert_true (find_row (r, addr, &ok, &m, &ms));
      g_test_message ("%s: %s, %.0f ms", addr, m, ms);
      g_assert_true (ok);
      g_assert_cmpfloat (ms, >, 0);
      g_assert_cmpfloat (ms, <, 1500);
    }

  /* already showing it: answered at once, nothing torn down */
  {
    const gchar *targets[] = { a2, NULL };
    guint64 frames_before = gc_test_agent_get_u64 (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                   "FramesDecoded");
    g_autoptr (GVariant) again = do_switch (all[0], "Switch", targets, &call_ms, &error);

    g_assert_no_error (error);
    g_assert_true (find_row (again, a2, &ok, NULL, &ms));
    g_assert_true (ok);
    g_assert_cmpfloat (ms, ==, 0);
    g_test_message ("already on the source: answered in %.0f ms", call_ms);
    /* answered, well before the switch timeout (2 s); how fast is
     * measured by gc-bench-switch ("Switch again") */
    g_assert_cmpfloat (call_ms, <, 2000);
    g_assert_true (gc_test_agent_wait_string (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                              "State", "playing", 100));
    /* the same pipeline kept going: its frame count did not start over */
    g_assert_cmpuint (gc_test_agent_get_u64 (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                             "FramesDecoded"), >=, frames_before);
  }
  gc_lab_set_link (lab, 4, TRUE, NULL);
  gc_test_agent_dump_logs_on_failure (all, 4);
  for (guint i = 0; i < 4; i++)
    gc_test_agent_free (all[i]);
}

/* ---- security ---------------------------------------------------------- */

typedef struct
{
  GcLab *lab;
  guint from_host;
  gchar *dir;
  guint n;
} RawSender;

/* sends @bytes from lab host @from_host to @address:7237 and parses the
 * answer */
static void
send_raw (RawSender *s, GBytes *bytes, const gchar *address, GcControlResponse *out)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *file = g_strdup_printf ("%s/raw-%u", s->dir, s->n++);
  g_autofree gchar *answer = NULL;

  g_file_set_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  answer = gc_lab_run (s->lab, s->from_host, &error, self_path, "--send-raw", file, address,
                       "7237", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_control_response_parse ((const guint8 *) answer, strlen (answer), out,
                                            &error));
  g_assert_no_error (error);
}

static GBytes *
build_with_group (const gchar *url, const gchar *group, const gchar *key, gint64 skew_us,
                  const gchar *to)
{
  g_autoptr (GError) error = NULL;
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) k = key != NULL ? g_bytes_new_static (key, strlen (key)) : NULL;
  GBytes *b;

  req.verb = GC_CONTROL_VERB_SWITCH;
  req.url = g_strdup (url);
  req.source_name = g_strdup ("intruder");
  req.source_id = g_strdup ("00000000-0000-4000-8000-000000000001");
  req.group = g_strdup (group);
  gc_control_request_stamp (&req, g_get_real_time () + skew_us);
  b = gc_control_request_build (&req, k, to, &error);
  g_assert_no_error (error);
  return b;
}

static GBytes *
build (const gchar *url, const gchar *key, gint64 skew_us, const gchar *to)
{
  return build_with_group (url, NULL, key, skew_us, to);
}

typedef struct
{
  GcLab *lab;
  const gchar *group;
  guint host;
} LeaveWait;

typedef struct
{
  GcTestAgent *a;
  guint64 frames;
} FramesWait;

static gboolean
frames_grew (gpointer data)
{
  FramesWait *w = data;

  return gc_test_agent_get_u64 (w->a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded")
         > w->frames;
}

static gboolean
mdb_left (gpointer data)
{
  LeaveWait *w = data;

  return !gc_lab_mdb_has (w->lab, w->group, w->host);
}

static void
assert_refused (RawSender *s, GBytes *bytes, const gchar *address, const gchar *what)
{
  g_auto (GcControlResponse) resp = { 0 };

  send_raw (s, bytes, address, &resp);
  g_test_message ("%s: %s", what, resp.message);
  g_assert_false (resp.ok);
  g_assert_cmpint (resp.code, ==, GC_ERROR_NOT_AUTHORIZED);
}

static void
assert_unchanged (GcTestAgent *r, const gchar *url)
{
  g_autofree gchar *now = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                    "SourceUrl");
  g_autofree gchar *state = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                      "State");

  g_assert_cmpstr (now, ==, url);
  g_assert_cmpstr (state, ==, "playing");
}

static void
test_security (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (5);
  g_autofree gchar *key = NULL;
  GcTestAgent *all[5] = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *a2 = NULL, *a3 = NULL, *a4 = NULL;
  g_autofree gchar *to2 = NULL, *msg = NULL;
  g_autoptr (GBytes) genuine = NULL;
  const gchar *evil = "rtsp://10.99.0.1:7236/elsewhere";
  RawSender s = { 0 };
  gboolean ok = TRUE;
  gdouble ms;

  if (lab == NULL)
    return;
  key = write_key (lab, "site.key", KEY);
  /* 1: the source; 2, 3: receivers with the key; 4: a receiver with no key;
   * 5: a source with the key whose beacons nobody hears */
  all[0] = start_source (lab, 1, key, GROUP_A);
  all[1] = start_agent (lab, 2, key, "--receiver", NULL, NULL, NULL);
  all[2] = start_agent (lab, 3, key, "--receiver", NULL, NULL, NULL);
  all[3] = start_agent (lab, 4, NULL, "--receiver", NULL, NULL, NULL);
  all[4] = start_agent (lab, 5, key, "--source", "--group=" GROUP_B, "--no-beacons",
                        "--switch-timeout=2000");
  wait_discovered (all, 3, 2);
  g_assert_true (gc_test_agent_wait_peers (all[3], 3, 10000));
  url = url_of (all[0]);
  a2 = gc_lab_host_address (lab, 2);
  a3 = gc_lab_host_address (lab, 3);
  a4 = gc_lab_host_address (lab, 4);
  to2 = g_strdup_printf ("%s:7237", a2);

  /* the genuine path works: 2 and 3 show the source */
  {
    const gchar *targets[] = { a2, a3, NULL };

    r = do_switch (all[0], "Switch", targets, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (find_row (r, a2, &ok, NULL, &ms) && ok);
    g_assert_true (find_row (r, a3, &ok, NULL, &ms) && ok);
    g_clear_pointer (&r, g_variant_unref);
  }
  assert_unchanged (all[1], url);

  /* hand-made requests from the source's host, whose beacons are known */
  s.lab = lab;
  s.from_host = 1;
  s.dir = g_strdup (gc_lab_host_dir (lab, 1));

  /* mute from the source's side: signed, it mutes 2 and nothing else; a
   * receiver without the key refuses it, unsigned or with another key it
   * changes nothing */
  {
    const gchar *both[] = { a2, a4, NULL };
    const gchar *two[] = { a2, NULL };
    g_autoptr (GVariant) muted = NULL;

    /* the source sends nothing to a receiver not paired with the site */
    r = gc_test_agent_call (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Mute",
                            g_variant_new ("(^asb)", both, TRUE), 10000, &error);
    g_assert_null (r);
    g_assert_nonnull (error);
    g_test_message ("mute with a receiver without the key: %s", error->message);
    g_assert_nonnull (strstr (error->message, "NotAuthorized"));
    g_clear_error (&error);
    r = gc_test_agent_call (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Mute",
                            g_variant_new ("(^asb)", two, TRUE), 10000, &error);
    g_assert_no_error (error);
    g_assert_true (find_row (r, a2, &ok, &msg, &ms) && ok);
    g_assert_cmpstr (msg, ==, "muted");
    g_clear_pointer (&msg, g_free);
    g_clear_pointer (&r, g_variant_unref);
    muted = gc_test_agent_get (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Muted");
    g_assert_true (g_variant_get_boolean (muted));
    g_clear_pointer (&muted, g_variant_unref);
    muted = gc_test_agent_get (all[3], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Muted");
    g_assert_false (g_variant_get_boolean (muted));
    g_clear_pointer (&muted, g_variant_unref);
    muted = gc_test_agent_get (all[2], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Muted");
    g_assert_false (g_variant_get_boolean (muted));
    g_clear_pointer (&muted, g_variant_unref);
    for (guint k = 0; k < 2; k++)
      {
        g_autoptr (GError) e = NULL;
        g_auto (GcControlRequest) req = { 0 };
        g_autoptr (GBytes) wrong = g_bytes_new_static (WRONG_KEY, strlen (WRONG_KEY));
        g_autoptr (GBytes) b = NULL;

        req.verb = GC_CONTROL_VERB_MUTE;
        req.muted = FALSE;
        req.url = g_strdup (url);
        req.source_name = g_strdup ("intruder");
        req.source_id = g_strdup ("00000000-0000-4000-8000-000000000001");
        gc_control_request_stamp (&req, g_get_real_time ());
        b = gc_control_request_build (&req, k == 0 ? NULL : wrong, to2, &e);
        g_assert_no_error (e);
        assert_refused (&s, b, a2, k == 0 ? "unsigned unmute" : "unmute with another key");
      }
    muted = gc_test_agent_get (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Muted");
    g_assert_true (g_variant_get_boolean (muted));
    g_clear_pointer (&muted, g_variant_unref);
    r = gc_test_agent_call (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Mute",
                            g_variant_new ("(^asb)", two, FALSE), 10000, &error);
    g_assert_no_error (error);
    g_assert_true (find_row (r, a2, &ok, NULL, &ms) && ok);
    g_clear_pointer (&r, g_variant_unref);
    muted = gc_test_agent_get (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Muted");
    g_assert_false (g_variant_get_boolean (muted));
  }
  {
    g_autoptr (GBytes) b = build (evil, NULL, 0, to2);

    assert_refused (&s, b, a2, "no MAC");
  }
  {
    g_autoptr (GBytes) b = build (evil, WRONG_KEY, 0, to2);

    assert_refused (&s, b, a2, "wrong key");
  }
  {
    g_autoptr (GBytes) b = build (evil, KEY, -31 * G_USEC_PER_SEC, to2);

    assert_refused (&s, b, a2, "31 s old");
  }
  {
    g_autoptr (GBytes) b = build (evil, KEY, 31 * G_USEC_PER_SEC, to2);

    assert_refused (&s, b, a2, "31 s ahead");
  }
  /* a genuine request is accepted once (it names what 2 shows already),
   * and its bytes replayed are refused */
  genuine = build (url, KEY, 0, to2);
  {
    g_auto (GcControlResponse) resp = { 0 };

    send_raw (&s, genuine, a2, &resp);
    g_assert_true (resp.ok);
  }
  assert_refused (&s, genuine, a2, "replayed");
  /* a genuine request for 2 sent to 3 */
  {
    g_autoptr (GBytes) b = build (evil, KEY, 0, to2);

    assert_refused (&s, b, a3, "meant for another receiver");
  }
  gc_test_sleep (300);
  assert_unchanged (all[1], url);
  assert_unchanged (all[2], url);

  /* a signed switch names the group: a host answering for the URL (here
   * 5, serving GROUP_B) cannot move 2 to another group. 2 refuses the
   * SETUP answer, leaves that group and keeps showing the source */
  {
    g_autofree gchar *url5 = url_of (all[4]);
    g_autoptr (GBytes) b = build_with_group (url5, GROUP_A ":15550", KEY, 0, to2);
    g_auto (GcControlResponse) resp = { 0 };
    LeaveWait mw = { lab, GROUP_B, 2 };
    FramesWait fw = { all[1], 0 };

    g_assert_true (gc_test_agent_wait_string (all[4], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                              "ready", 15000));
    send_raw (&s, b, a2, &resp);
    g_test_message ("SETUP on another group than signed: %s", resp.message);
    g_assert_false (resp.ok);
    g_assert_cmpint (resp.code, ==, GC_ERROR_STREAM);
    g_assert_nonnull (strstr (resp.message, "offered group " GROUP_B ":15550, not " GROUP_A
                                            ":15550 as signed"));
    assert_unchanged (all[1], url);
    g_assert_true (gc_test_wait_until (mdb_left, &mw, 5000));
    /* the picture went on: the old stream keeps decoding */
    fw.frames = gc_test_agent_get_u64 (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                       "FramesDecoded");
    g_assert_true (gc_test_wait_until (frames_grew, &fw, 3000));
  }

  /* a source whose beacons were never seen, though it holds the key */
  {
    const gchar *targets[] = { a2, NULL };

    r = do_switch (all[4], "Switch", targets, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (find_row (r, a2, &ok, &msg, &ms));
    g_test_message ("unknown host: %s", msg);
    g_assert_false (ok);
    g_assert_true (is_not_authorized (msg));
    g_clear_pointer (&r, g_variant_unref);
    g_clear_pointer (&msg, g_free);
  }
  assert_unchanged (all[1], url);

  /* a receiver with no key and no --allow-unauthenticated: the source
   * lists it as not paired (its beacons are unsigned) and does not ask it;
   * asked anyway, with a signed request, it refuses */
  {
    const gchar *targets[] = { a4, NULL };
    g_autofree gchar *state = NULL;
    g_autofree gchar *to4 = g_strdup_printf ("%s:7237", a4);
    g_autoptr (GBytes) b = build (url, KEY, 0, to4);

    r = do_switch (all[0], "Switch", targets, NULL, &error);
    g_assert_null (r);
    g_assert_nonnull (error);
    g_test_message ("keyless receiver, at the source: %s", error->message);
    g_assert_nonnull (strstr (error->message, "NotAuthorized"));
    g_assert_nonnull (strstr (error->message, "not paired with this site"));
    g_clear_error (&error);
    assert_refused (&s, b, a4, "keyless receiver");
    state = gc_test_agent_get_string (all[3], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
    g_assert_cmpstr (state, ==, "idle");
  }
  g_free (s.dir);
  gc_test_agent_dump_logs_on_failure (all, 5);
  for (guint i = 0; i < 5; i++)
    gc_test_agent_free (all[i]);
}

/* ---- group choice ------------------------------------------------------ */

typedef struct
{
  GcTestAgent *a, *b;
} GroupWait;

static gboolean
groups_differ (gpointer data)
{
  GroupWait *w = data;
  g_autofree gchar *ga = gc_test_agent_get_string (w->a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Group");
  g_autofree gchar *gb = gc_test_agent_get_string (w->b, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Group");

  return ga != NULL && gb != NULL && g_str_has_prefix (ga, "239.") && g_str_has_prefix (gb, "239.")
         && !g_str_equal (ga, gb);
}

static void
test_group_choice (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  GcTestAgent *all[2] = { NULL };
  GroupWait w;

  if (lab == NULL)
    return;
  /* both at once, before either has chosen */
  for (guint i = 0; i < 2; i++)
    {
      all[i] = gc_test_agent_start (lab, 1 + i, &error, "--source", "--no-mdns", SMALL, NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2; i++)
    g_assert_true (gc_test_agent_wait_ready (all[i], 15000));
  w.a = all[0];
  w.b = all[1];
  g_assert_true (gc_test_wait_until (groups_differ, &w, 8000));
  {
    g_autofree gchar *ga = gc_test_agent_get_string (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Group");
    g_autofree gchar *gb = gc_test_agent_get_string (all[1], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Group");

    g_test_message ("groups: %s and %s", ga, gb);
  }
  /* and they stay apart */
  gc_test_sleep (2000);
  g_assert_true (groups_differ (&w));
  gc_test_agent_dump_logs_on_failure (all, 2);
  for (guint i = 0; i < 2; i++)
    gc_test_agent_free (all[i]);
}

int
main (int argc, char **argv)
{
  if (argc == 5 && g_str_equal (argv[1], "--send-raw"))
    return send_raw_main (argv[2], argv[3], argv[4]);
  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/switch/rounds", test_rounds);
  g_test_add_func ("/groupcast/switch/self-and-remote", test_self_and_remote);
  g_test_add_func ("/groupcast/switch/link-down", test_link_down);
  g_test_add_func ("/groupcast/switch/security", test_security);
  g_test_add_func ("/groupcast/switch/group-choice", test_group_choice);
  return g_test_run ();
}
