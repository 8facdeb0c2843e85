/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * where multicast does not arrive (an access point or a switch that drops
 * it, a firewall): the receiver falls back to a stream of its own, unicast
 * UDP and then RTP in its RTSP connection, says so on D-Bus, and the
 * source lists it as such; the next switch tries the group again. a
 * source that refuses unicast is told apart. real agents on the lab's
 * LAN, the multicast dropped by nftables in the receiver's namespace.
 */
#include "config.h"

#include "gc-test-agent.h"

#include <string.h>

#define GROUP "239.0.0.11"

static GcTestAgent *
start (GcLab *lab, guint host, const gchar *a1, const gchar *a2, const gchar *a3,
       const gchar *a4)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--no-mdns", "--beacon-interval=500",
                                        "--width=320", "--height=240", a1, a2, a3, a4, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  return a;
}

static gchar *
transport_of (GcTestAgent *r)
{
  return gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Transport");
}

/* the member's "transport" in the source's Members, NULL when not listed */
static gchar *
member_transport (GcTestAgent *src, const gchar *address)
{
  g_autoptr (GVariant) members = gc_test_agent_get (src, GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                                    "Members");
  g_autoptr (GVariant) info = NULL;
  const gchar *t = NULL;

  if (members == NULL)
    return NULL;
  info = g_variant_lookup_value (members, address, G_VARIANT_TYPE_VARDICT);
  if (info == NULL || !g_variant_lookup (info, "transport", "&s", &t))
    return NULL;
  return g_strdup (t);
}

typedef struct
{
  GcTestAgent *src, *r;
  const gchar *address, *want;
  gchar *seen;              /* what the last look saw */
} TransportWait;

/* the receiver plays by @want, and the source lists it so */
static gboolean
plays_by (gpointer data)
{
  TransportWait *w = data;
  g_autofree gchar *state = gc_test_agent_get_string (w->r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                      "State");
  g_autofree gchar *t = transport_of (w->r);
  g_autofree gchar *m = member_transport (w->src, w->address);

  g_free (w->seen);
  w->seen = g_strdup_printf ("%s by %s, listed by the source as %s", state, t, m);
  return g_strcmp0 (state, "playing") == 0 && g_strcmp0 (t, w->want) == 0
         && g_strcmp0 (m, w->want) == 0;
}

static gboolean
wait_plays_by (GcTestAgent *src, GcTestAgent *r, const gchar *address, const gchar *want,
               guint timeout_ms)
{
  TransportWait w = { src, r, address, want, NULL };
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = gc_test_wait_until (plays_by, &w, timeout_ms);

  g_test_message ("host %u %s by %s after %.0f ms (%s)", r->host, ok ? "plays" : "does not play",
                  want, (g_get_monotonic_time () - t0) / 1000.0, w.seen);
  g_free (w.seen);
  return ok;
}

/* Source1.Switch to @receivers (addresses); every row must be @ok */
static void
switch_to (GcTestAgent *src, const gchar *const *receivers, gboolean ok)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) rows = NULL;
  g_autoptr (GVariantIter) iter = NULL;
  gboolean row_ok = FALSE;
  const gchar *id = NULL, *msg = NULL;
  guint n = 0;

  rows = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                             g_variant_new ("(^as)", receivers), 20000, &error);
  g_assert_no_error (error);
  g_variant_get (rows, "(a(sbsd))", &iter);
  while (g_variant_iter_next (iter, "(&sb&sd)", &id, &row_ok, &msg, NULL))
    {
      g_test_message ("switch %s: %s %s", id, row_ok ? "ok" : "failed", msg);
      g_assert_cmpint (row_ok, ==, ok);
      n++;
    }
  g_assert_cmpuint (n, ==, g_strv_length ((gchar **) receivers));
}

static gboolean
frames_decoded (gpointer data)
{
  return gc_test_agent_receiver_u64 (data, "FramesDecoded") > 0;
}

/* host 2 drops multicast, host 3 does not: one switch to both; host 2
 * plays by unicast, host 3 by the group, the source lists them so. then
 * host 2 drops all UDP: it goes on over TCP. with the rules gone, the next
 * switch brings it back to the group */
static void
test_fallback (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;
  GcTestAgent *all[3];
  const gchar *both[] = { "10.99.0.2", "10.99.0.3", NULL };
  const gchar *host2[] = { "10.99.0.2", NULL };
  g_autoptr (GVariant) encrypted = NULL;

  if (lab == NULL)
    return;
  key = gc_test_site_key_option (lab, "transport test site key\n");
  all[0] = start (lab, 1, "--source", "--group=" GROUP, key, NULL);
  all[1] = start (lab, 2, "--receiver", "--sink=fake", key, NULL);
  all[2] = start (lab, 3, "--receiver", "--sink=fake", key, NULL);
  g_assert_true (gc_test_agent_wait_string (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  g_assert_true (gc_lab_block_multicast (lab, 2, TRUE, &error));
  g_assert_no_error (error);
  /* a receiver takes switches only from a source it has heard announce */
  g_assert_true (gc_test_agent_wait_peers (all[1], 2, 10000));
  g_assert_true (gc_test_agent_wait_peers (all[2], 2, 10000));

  switch_to (all[0], both, TRUE);
  g_assert_true (wait_plays_by (all[0], all[1], "10.99.0.2", "unicast", 5000));
  g_assert_true (wait_plays_by (all[0], all[2], "10.99.0.3", "multicast", 5000));
  g_assert_true (gc_test_wait_until (frames_decoded, all[1], 3000));
  /* the picture is SRTP by unicast too */
  encrypted = gc_test_agent_get (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Encrypted");
  g_assert_nonnull (encrypted);
  g_assert_true (g_variant_get_boolean (encrypted));
  /* the group is joined where it arrives */
  g_assert_true (gc_lab_mdb_has (lab, GROUP, 3));

  /* all UDP dropped: the unicast stream stops too, and comes back in the
   * RTSP connection */
  g_assert_true (gc_lab_set_loss (lab, 2, 100, &error));
  g_assert_no_error (error);
  g_assert_true (wait_plays_by (all[0], all[1], "10.99.0.2", "tcp", 15000));
  {
    guint64 before = gc_test_agent_receiver_u64 (all[1], "FramesDecoded");

    gc_test_sleep (1500);
    g_assert_cmpuint (gc_test_agent_receiver_u64 (all[1], "FramesDecoded"), >, before);
  }

  /* the network mended: the next switch tries the group, and gets it */
  g_assert_true (gc_lab_set_loss (lab, 2, 0, &error));
  g_assert_no_error (error);
  g_assert_true (gc_lab_block_multicast (lab, 2, FALSE, &error));
  g_assert_no_error (error);
  /* the beacons were UDP too: the source is heard of again first */
  g_assert_true (gc_test_agent_wait_peers (all[1], 2, 10000));
  switch_to (all[0], host2, TRUE);
  g_assert_true (wait_plays_by (all[0], all[1], "10.99.0.2", "multicast", 5000));
  g_assert_true (gc_lab_mdb_has (lab, GROUP, 2));
  /* host 3 was never moved */
  g_assert_true (wait_plays_by (all[0], all[2], "10.99.0.3", "multicast", 1000));

  gc_test_agent_dump_logs_on_failure (all, 3);
  for (guint i = 0; i < 3; i++)
    gc_test_agent_free (all[i]);
}

typedef struct
{
  GcTestAgent *a;
  const gchar *text;
} ErrorWait;

static gboolean
error_says (gpointer data)
{
  ErrorWait *w = data;
  g_autofree gchar *e = gc_test_agent_get_string (w->a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                  "Error");

  return e != NULL && strstr (e, w->text) != NULL;
}

/* RTSP works but no packet of the stream gets through (the receiver's host
 * drops all UDP), and the source refuses a stream of its own: the receiver
 * says both instead of connecting for ever, keeps trying, and plays by the
 * group once packets come */
static void
test_no_unicast (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *said = NULL;
  GcTestAgent *all[2];
  ErrorWait w;

  if (lab == NULL)
    return;
  all[0] = start (lab, 1, "--source", "--group=" GROUP, "--no-unicast", "--no-beacons");
  g_assert_true (gc_test_agent_wait_string (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  g_assert_true (gc_lab_set_loss (lab, 2, 100, &error));
  g_assert_no_error (error);
  all[1] = start (lab, 2, "--receiver", "--sink=fake", "--no-beacons",
                  "--connect=rtsp://10.99.0.1:7236/screen");
  w = (ErrorWait) { all[1], "no packet of the stream arrives" };
  g_assert_true (gc_test_wait_until (error_says, &w, 15000));
  said = gc_test_agent_get_string (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Error");
  g_test_message ("multicast blocked, unicast refused: %s", said);
  g_assert_nonnull (strstr (said, GROUP));
  g_assert_nonnull (strstr (said, "unicast=false"));
  /* the source never had it as a unicast member */
  g_assert_null (member_transport (all[0], "10.99.0.2"));
  g_assert_true (gc_lab_set_loss (lab, 2, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_plays_by (all[0], all[1], "10.99.0.2", "multicast", 15000));
  gc_test_agent_dump_logs_on_failure (all, 2);
  for (guint i = 0; i < 2; i++)
    gc_test_agent_free (all[i]);
}

/* a source that allows one copy of its own (--max-unicast=1), two
 * receivers that drop multicast, one switch to both: one plays by unicast,
 * the other is refused and says why; once the first leaves, the second
 * gets the copy at its next try */
static void
test_unicast_cap (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) rows = NULL;
  g_autoptr (GVariantIter) iter = NULL;
  GcTestAgent *all[3];
  const gchar *both[] = { "10.99.0.2", "10.99.0.3", NULL };
  const gchar *id, *msg;
  gboolean ok;
  guint n_ok = 0, refused = 0, player = 0;

  if (lab == NULL)
    return;
  all[0] = start (lab, 1, "--source", "--group=" GROUP, "--max-unicast=1",
                  "--allow-unauthenticated");
  all[1] = start (lab, 2, "--receiver", "--sink=fake", "--allow-unauthenticated", NULL);
  all[2] = start (lab, 3, "--receiver", "--sink=fake", "--allow-unauthenticated", NULL);
  g_assert_true (gc_test_agent_wait_string (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 10000));
  for (guint h = 2; h <= 3; h++)
    {
      g_assert_true (gc_lab_block_multicast (lab, h, TRUE, &error));
      g_assert_no_error (error);
      g_assert_true (gc_test_agent_wait_peers (all[h - 1], 2, 10000));
    }
  rows = gc_test_agent_call (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                             g_variant_new ("(^as)", both), 20000, &error);
  g_assert_no_error (error);
  g_variant_get (rows, "(a(sbsd))", &iter);
  while (g_variant_iter_next (iter, "(&sb&sd)", &id, &ok, &msg, NULL))
    {
      g_test_message ("switch %s: %s %s", id, ok ? "ok" : "failed", msg);
      if (ok)
        {
          n_ok++;
          player = g_str_equal (id, "10.99.0.2") ? 2 : 3;
        }
      else if (strstr (msg, "sends as many copies of its stream as it allows (max-unicast)")
               != NULL && strstr (msg, "multicast is blocked on the way") != NULL)
        refused++;
    }
  g_assert_cmpuint (n_ok, ==, 1);
  g_assert_cmpuint (refused, ==, 1);
  g_assert_true (wait_plays_by (all[0], all[player - 1], player == 2 ? "10.99.0.2" : "10.99.0.3",
                                "unicast", 5000));
  /* the one that plays leaves: the other gets the copy at its next try */
  {
    g_autoptr (GVariant) r = gc_test_agent_call (all[player - 1], GC_RECEIVER_PATH,
                                                 GC_RECEIVER_IFACE, "Disconnect", NULL, 5000,
                                                 &error);

    g_assert_no_error (error);
  }
  g_assert_true (wait_plays_by (all[0], all[5 - player - 1], player == 2 ? "10.99.0.3" : "10.99.0.2",
                                "unicast", 15000));
  gc_test_agent_dump_logs_on_failure (all, 3);
  for (guint i = 0; i < 3; i++)
    gc_test_agent_free (all[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/transport/fallback", test_fallback);
  g_test_add_func ("/groupcast/transport/no-unicast", test_no_unicast);
  g_test_add_func ("/groupcast/transport/unicast-cap", test_unicast_cap);
  return g_test_run ();
}
