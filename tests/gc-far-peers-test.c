/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the peers beyond a router that beacons go to by unicast: the list a site
 * gives (addresses, subnets, names), its limits, and the agents answered
 * because their beacons came from beyond the subnet
 */
#include "config.h"

#include "gc-error.h"
#include "gc-far-peers.h"

static guint32
ip4 (const gchar *s)
{
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (s);
  guint32 v;

  g_assert_nonnull (a);
  memcpy (&v, g_inet_address_to_bytes (a), 4);
  return GUINT32_FROM_BE (v);
}

static gboolean
has (GArray *to, const gchar *address)
{
  for (guint i = 0; i < to->len; i++)
    if (g_array_index (to, guint32, i) == ip4 (address))
      return TRUE;
  return FALSE;
}

static void
test_list (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcFarPeers) far = gc_far_peers_new ("10.99.1.7, 10.99.2.0/30 board7.local,,10.99.1.7",
                                                 &error);
  g_autoptr (GArray) to = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (far);
  g_assert_cmpuint (gc_far_peers_n_configured (far), ==, 4);
  gc_far_peers_set_local (far, ip4 ("10.99.0.1"), ip4 ("255.255.255.0"));
  to = gc_far_peers_destinations (far, 0);
  /* the address once; a /30's two hosts, not its network or broadcast; the
   * name has no address until it is looked up */
  g_assert_cmpuint (to->len, ==, 3);
  g_assert_true (has (to, "10.99.1.7"));
  g_assert_true (has (to, "10.99.2.1"));
  g_assert_true (has (to, "10.99.2.2"));
  g_assert_false (has (to, "10.99.2.0"));
  g_assert_false (has (to, "10.99.2.3"));
}

static void
test_own_address_left_out (void)
{
  g_autoptr (GcFarPeers) far = gc_far_peers_new ("10.99.0.0/29", NULL);
  g_autoptr (GArray) to = NULL;

  g_assert_nonnull (far);
  gc_far_peers_set_local (far, ip4 ("10.99.0.3"), ip4 ("255.255.255.0"));
  to = gc_far_peers_destinations (far, 0);
  g_assert_cmpuint (to->len, ==, 5);
  g_assert_false (has (to, "10.99.0.3"));
}

static void
test_bad_lists (void)
{
  const gchar *bad[] = {
    "10.99.1.300", "10.0.0.0/8", "10.99.1.0/33", "10.99.1.0/x", "/24", "board_7", "-board",
    "10.99.1.0/21", "1.2.3", "::1", "10.1.0.0/22,10.2.0.0/22",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GcFarPeers) far = gc_far_peers_new (bad[i], &error);

      g_test_message ("%s: %s", bad[i], error != NULL ? error->message : "(taken)");
      g_assert_null (far);
      g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
      g_assert_nonnull (strstr (error->message, "peers"));
    }
  /* a /22 is the most one subnet may name */
  {
    g_autoptr (GcFarPeers) far = gc_far_peers_new ("10.1.0.0/22", NULL);
    g_autoptr (GArray) to = NULL;

    g_assert_nonnull (far);
    to = gc_far_peers_destinations (far, 0);
    g_assert_cmpuint (to->len, ==, 1022);
  }
  /* nothing, or only separators: no peers */
  {
    g_autoptr (GcFarPeers) far = gc_far_peers_new (" , ", NULL);
    g_autoptr (GArray) to = NULL;

    g_assert_nonnull (far);
    to = gc_far_peers_destinations (far, 0);
    g_assert_cmpuint (to->len, ==, 0);
  }
}

/* an agent heard from beyond the subnet is answered once at once, then
 * sent beacons while it is heard; its own subnet never is */
static void
test_learned (void)
{
  g_autoptr (GcFarPeers) far = gc_far_peers_new ("10.99.1.7", NULL);
  gint64 t = 1000 * G_USEC_PER_SEC;

  gc_far_peers_set_local (far, ip4 ("10.99.0.1"), ip4 ("255.255.255.0"));
  g_assert_false (gc_far_peers_heard (far, ip4 ("10.99.0.2"), t));
  g_assert_true (gc_far_peers_heard (far, ip4 ("10.99.1.9"), t));
  g_assert_false (gc_far_peers_heard (far, ip4 ("10.99.1.9"), t + 1));
  /* a configured one gets beacons anyway: no extra answer */
  g_assert_false (gc_far_peers_heard (far, ip4 ("10.99.1.7"), t));
  {
    g_autoptr (GArray) to = gc_far_peers_destinations (far, t + G_USEC_PER_SEC);

    g_assert_cmpuint (to->len, ==, 2);
    g_assert_true (has (to, "10.99.1.9"));
    g_assert_false (has (to, "10.99.0.2"));
  }
  /* not heard for longer than the bound: no more beacons to it */
  {
    g_autoptr (GArray) to = gc_far_peers_destinations (far, t + GC_FAR_PEERS_LEARNED_US + 2);

    g_assert_cmpuint (to->len, ==, 1);
    g_assert_false (has (to, "10.99.1.9"));
  }
  /* and when it comes back, it is answered at once again */
  g_assert_true (gc_far_peers_heard (far, ip4 ("10.99.1.9"), t + 2 * GC_FAR_PEERS_LEARNED_US));
}

/* forged senders from everywhere: at most GC_FAR_PEERS_MAX_LEARNED answers */
static void
test_learned_bounded (void)
{
  g_autoptr (GcFarPeers) far = gc_far_peers_new (NULL, NULL);
  g_autoptr (GArray) to = NULL;
  guint answered = 0;

  gc_far_peers_set_local (far, ip4 ("10.99.0.1"), ip4 ("255.255.255.0"));
  for (guint i = 0; i < 1000; i++)
    answered += gc_far_peers_heard (far, ip4 ("172.16.0.0") + i, 5);
  g_assert_cmpuint (answered, ==, GC_FAR_PEERS_MAX_LEARNED);
  to = gc_far_peers_destinations (far, 5);
  g_assert_cmpuint (to->len, ==, GC_FAR_PEERS_MAX_LEARNED);
  /* with no subnet known, nobody is far */
  {
    g_autoptr (GcFarPeers) blind = gc_far_peers_new (NULL, NULL);

    g_assert_false (gc_far_peers_heard (blind, ip4 ("172.16.0.1"), 5));
  }
}

/* a name is looked up with the system resolver: "localhost" resolves
 * without a network */
static gboolean
resolved (gpointer data)
{
  g_autoptr (GArray) to = gc_far_peers_destinations (data, 0);

  return to->len > 0;
}

static void
test_names (void)
{
  g_autoptr (GcFarPeers) far = gc_far_peers_new ("localhost", NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_nonnull (far);
  gc_far_peers_set_local (far, ip4 ("10.99.0.1"), ip4 ("255.255.255.0"));
  gc_far_peers_resolve (far, g_get_monotonic_time ());
  /* bounded: 5 s at most */
  while (!resolved (far) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  {
    g_autoptr (GArray) to = gc_far_peers_destinations (far, 0);

    g_assert_cmpuint (to->len, >=, 1);
    g_assert_true (has (to, "127.0.0.1"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/far-peers/list", test_list);
  g_test_add_func ("/groupcast/far-peers/own-address", test_own_address_left_out);
  g_test_add_func ("/groupcast/far-peers/bad-lists", test_bad_lists);
  g_test_add_func ("/groupcast/far-peers/learned", test_learned);
  g_test_add_func ("/groupcast/far-peers/learned-bounded", test_learned_bounded);
  g_test_add_func ("/groupcast/far-peers/names", test_names);
  return g_test_run ();
}
