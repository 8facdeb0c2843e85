/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the peer table: merging paths, expiry, removal, the bound, signals.
 */
#include "config.h"

#include "gc-peer-table.h"

#define SELF_ID "00000000-0000-4000-8000-000000000000"
#define SEC G_USEC_PER_SEC
#define TIMEOUT (3 * SEC) /* 3 missed 1 s beacons */

typedef struct
{
  GcPeerTable *table;
  GPtrArray *events; /* "added ID", "changed ID", "removed ID" */
} Fixture;

static void
record (Fixture *f, const gchar *what, GcPeer *peer)
{
  g_assert_true (GC_IS_PEER (peer));
  g_ptr_array_add (f->events, g_strdup_printf ("%s %s", what, gc_peer_get_id (peer)));
}

static void
added_cb (GcPeerTable *t, GcPeer *p, Fixture *f)
{
  /* listed by the time the signal runs */
  g_assert_true (gc_peer_table_lookup (t, gc_peer_get_id (p)) == p);
  record (f, "added", p);
}

static void
changed_cb (GcPeerTable *t, GcPeer *p, Fixture *f)
{
  record (f, "changed", p);
}

static void
removed_cb (GcPeerTable *t, GcPeer *p, Fixture *f)
{
  /* gone from the table, still alive for the handler */
  g_assert_null (gc_peer_table_lookup (t, gc_peer_get_id (p)));
  g_assert_nonnull (gc_peer_get_name (p));
  record (f, "removed", p);
}

static void
setup (Fixture *f, gconstpointer data)
{
  guint cap = GPOINTER_TO_UINT (data);

  f->table = gc_peer_table_new (SELF_ID, cap);
  f->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->table, "peer-added", G_CALLBACK (added_cb), f);
  g_signal_connect (f->table, "peer-changed", G_CALLBACK (changed_cb), f);
  g_signal_connect (f->table, "peer-removed", G_CALLBACK (removed_cb), f);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->table);
  g_ptr_array_unref (f->events);
}

static gchar *
peer_id (guint n)
{
  return g_strdup_printf ("00000000-0000-4000-8000-%012x", n);
}

static void
announce (Fixture *f, guint n, const gchar *name, GcSeenBy path, gint64 now)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_autofree gchar *address = g_strdup_printf ("10.99.0.%u", n % 250 + 1);

  a.id = peer_id (n);
  a.name = g_strdup (name);
  a.roles = GC_ROLE_RECEIVER;
  a.control_port = 7237;
  gc_peer_table_update (f->table, &a, address, path, now);
}

static void
assert_events (Fixture *f, const gchar *expected)
{
  g_autofree gchar *joined = NULL;

  g_ptr_array_add (f->events, NULL);
  joined = g_strjoinv (";", (gchar **) f->events->pdata);
  g_ptr_array_set_size (f->events, 0);
  g_assert_cmpstr (joined, ==, expected);
}

#define P1 "00000000-0000-4000-8000-000000000001"
#define P2 "00000000-0000-4000-8000-000000000002"

static void
test_merge (Fixture *f, gconstpointer data)
{
  GcPeer *p;
  g_auto (GStrv) seen = NULL;
  g_auto (GStrv) roles = NULL;

  announce (f, 1, "one", GC_SEEN_BY_BEACON, 10 * SEC);
  assert_events (f, "added " P1);
  p = gc_peer_table_lookup (f->table, P1);
  g_assert_nonnull (p);
  g_assert_cmpuint (gc_peer_get_seen_by (p), ==, GC_SEEN_BY_BEACON);
  g_assert_cmpstr (gc_peer_get_address (p), ==, "10.99.0.2");
  g_assert_cmpuint (gc_peer_get_control_port (p), ==, 7237);
  roles = gc_peer_dup_roles_strv (p);
  g_assert_cmpstrv (roles, ((const gchar *[]) { "receiver", NULL }));

  /* a repeat changes only last-seen: no peer-changed */
  announce (f, 1, "one", GC_SEEN_BY_BEACON, 11 * SEC);
  assert_events (f, "");
  g_assert_cmpint (gc_peer_get_last_seen (p), ==, 11 * SEC);

  /* the second path merges into the same entry */
  announce (f, 1, "one", GC_SEEN_BY_MDNS, 11 * SEC);
  assert_events (f, "changed " P1);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 1);
  seen = gc_peer_dup_seen_by_strv (p);
  g_assert_cmpstrv (seen, ((const gchar *[]) { "mdns", "beacon", NULL }));

  /* a rename on one path shows, and a stale repeat on the other does not undo it */
  announce (f, 1, "uno", GC_SEEN_BY_BEACON, 12 * SEC);
  assert_events (f, "changed " P1);
  g_assert_cmpstr (gc_peer_get_name (p), ==, "uno");
  announce (f, 1, "one", GC_SEEN_BY_MDNS, 12 * SEC);
  g_assert_cmpstr (gc_peer_get_name (p), ==, "uno");
  assert_events (f, "");

  g_assert_true (gc_peer_table_find_by_address (f->table, "10.99.0.2") == p);
  g_assert_null (gc_peer_table_find_by_address (f->table, "10.99.0.3"));
}

static void
test_expiry (Fixture *f, gconstpointer data)
{
  announce (f, 1, "one", GC_SEEN_BY_BEACON, 10 * SEC);
  announce (f, 2, "two", GC_SEEN_BY_BEACON, 10 * SEC);
  announce (f, 2, "two", GC_SEEN_BY_MDNS, 10 * SEC);
  assert_events (f, "added " P1 ";added " P2 ";changed " P2);

  /* fresh beacons keep them: heard at 12 s, still there at 14.9 s */
  announce (f, 1, "one", GC_SEEN_BY_BEACON, 12 * SEC);
  announce (f, 2, "two", GC_SEEN_BY_BEACON, 12 * SEC);
  g_assert_cmpuint (gc_peer_table_expire (f->table, 12 * SEC + 2900000, TIMEOUT), ==, 0);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 2);
  assert_events (f, "");

  /* three missed intervals: the beacon-only peer goes; the one mDNS also
   * sees only loses its beacon path */
  g_assert_cmpuint (gc_peer_table_expire (f->table, 15 * SEC + 1, TIMEOUT), ==, 2);
  assert_events (f, "removed " P1 ";changed " P2);
  g_assert_null (gc_peer_table_lookup (f->table, P1));
  g_assert_cmpuint (gc_peer_get_seen_by (gc_peer_table_lookup (f->table, P2)), ==,
                    GC_SEEN_BY_MDNS);

  /* mDNS-only entries do not expire: avahi says when they go */
  g_assert_cmpuint (gc_peer_table_expire (f->table, 1000 * SEC, TIMEOUT), ==, 0);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 1);
}

static void
test_remove_path (Fixture *f, gconstpointer data)
{
  announce (f, 1, "one", GC_SEEN_BY_BEACON, 10 * SEC);
  announce (f, 1, "one", GC_SEEN_BY_MDNS, 10 * SEC);
  assert_events (f, "added " P1 ";changed " P1);

  gc_peer_table_remove_path (f->table, P1, GC_SEEN_BY_MDNS);
  assert_events (f, "changed " P1);
  g_assert_cmpuint (gc_peer_get_seen_by (gc_peer_table_lookup (f->table, P1)), ==,
                    GC_SEEN_BY_BEACON);
  /* removing a path it no longer has, or an unknown id, does nothing */
  gc_peer_table_remove_path (f->table, P1, GC_SEEN_BY_MDNS);
  gc_peer_table_remove_path (f->table, P2, GC_SEEN_BY_MDNS);
  assert_events (f, "");
  gc_peer_table_remove_path (f->table, P1, GC_SEEN_BY_BEACON);
  assert_events (f, "removed " P1);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 0);

  /* the daemon going away drops every mDNS path at once */
  announce (f, 1, "one", GC_SEEN_BY_MDNS, 20 * SEC);
  announce (f, 2, "two", GC_SEEN_BY_MDNS, 20 * SEC);
  announce (f, 2, "two", GC_SEEN_BY_BEACON, 20 * SEC);
  g_ptr_array_set_size (f->events, 0);
  gc_peer_table_clear_path (f->table, GC_SEEN_BY_MDNS);
  assert_events (f, "removed " P1 ";changed " P2);
}

static void
test_cap (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) peers = NULL;
  g_autofree gchar *p3 = peer_id (3);

  g_assert_cmpuint (gc_peer_table_get_cap (f->table), ==, 4);
  /* peer 3 is the stalest */
  for (guint i = 1; i <= 4; i++)
    announce (f, i, "p", GC_SEEN_BY_BEACON, (i == 3 ? 1 : 10 + i) * SEC);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 4);
  g_ptr_array_set_size (f->events, 0);

  announce (f, 5, "p", GC_SEEN_BY_BEACON, 20 * SEC);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 4);
  g_assert_null (gc_peer_table_lookup (f->table, p3));
  assert_events (f, "removed 00000000-0000-4000-8000-000000000003;"
                    "added 00000000-0000-4000-8000-000000000005");

  /* a flood of new ids never grows it */
  for (guint i = 100; i < 1100; i++)
    announce (f, i, "fake", GC_SEEN_BY_BEACON, (21 + i) * SEC);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 4);
  peers = gc_peer_table_dup_peers (f->table);
  g_assert_cmpuint (peers->len, ==, 4);
  /* sorted by id */
  for (guint i = 1; i < peers->len; i++)
    g_assert_cmpstr (gc_peer_get_id (g_ptr_array_index (peers, i - 1)), <,
                     gc_peer_get_id (g_ptr_array_index (peers, i)));
}

static void
test_self_ignored (Fixture *f, gconstpointer data)
{
  g_auto (GcAnnouncement) a = { 0 };

  a.id = g_strdup (SELF_ID);
  a.name = g_strdup ("me");
  a.control_port = 7237;
  g_assert_false (gc_peer_table_update (f->table, &a, "10.99.0.1", GC_SEEN_BY_BEACON, SEC));
  g_assert_false (gc_peer_table_update (f->table, &a, "10.99.0.1", GC_SEEN_BY_MDNS, SEC));
  /* and ids that are not UUIDs are never listed */
  g_free (a.id);
  a.id = g_strdup ("robert'); drop table");
  g_assert_false (gc_peer_table_update (f->table, &a, "10.99.0.1", GC_SEEN_BY_BEACON, SEC));
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 0);
  assert_events (f, "");
}

static void
notify_cb (GObject *object, GParamSpec *pspec, GPtrArray *names)
{
  g_ptr_array_add (names, g_strdup (pspec->name));
}

static void
test_notify (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GcPeer *p;

  announce (f, 1, "one", GC_SEEN_BY_BEACON, 10 * SEC);
  p = gc_peer_table_lookup (f->table, P1);
  g_signal_connect (p, "notify", G_CALLBACK (notify_cb), names);
  announce (f, 1, "two", GC_SEEN_BY_BEACON, 11 * SEC);
  g_assert_true (g_ptr_array_find_with_equal_func (names, "name", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (names, "last-seen", g_str_equal, NULL));
  g_assert_false (g_ptr_array_find_with_equal_func (names, "address", g_str_equal, NULL));
  g_signal_handlers_disconnect_by_data (p, names);
}

/* what a host says about peer 1 from @address, signed at @signed_ts (0:
 * unsigned) */
static void
claim (Fixture *f, const gchar *name, const gchar *address, GcSeenBy path, gint64 now,
       gint64 signed_ts)
{
  g_auto (GcAnnouncement) a = { 0 };

  a.id = peer_id (1);
  a.name = g_strdup (name);
  a.roles = GC_ROLE_RECEIVER;
  a.control_port = 7237;
  a.url = g_strdup_printf ("rtsp://%s:7236/screen", address);
  gc_peer_table_update_signed (f->table, &a, address, path, now, signed_ts);
}

/* mDNS cannot override signed facts: an unsigned record under a signed
 * peer's id changes nothing, whichever comes first */
/* peer @n, signed at @signed_ts (0: unsigned, as a not-paired agent's
 * beacon or a bare mDNS record) */
static void
announce_signed (Fixture *f, guint n, gint64 now, gint64 signed_ts)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_autofree gchar *address = g_strdup_printf ("10.99.0.%u", n % 250 + 1);

  a.id = peer_id (n);
  a.name = g_strdup_printf ("p%u", n);
  a.roles = GC_ROLE_RECEIVER;
  a.control_port = 7237;
  gc_peer_table_update_signed (f->table, &a, address, GC_SEEN_BY_BEACON, now, signed_ts);
}

/* a full table makes room with the stalest peer nobody vouches for; a
 * flood of unsigned news (not-paired agents, forgers) never pushes out a
 * verified peer, signed news may */
static void
test_cap_verified (Fixture *f, gconstpointer data)
{
  g_autofree gchar *p1 = peer_id (1);
  g_autofree gchar *p2 = peer_id (2);
  g_autofree gchar *p3 = peer_id (3);
  g_autofree gchar *p9 = peer_id (9);

  /* two verified (the stalest of all among them), one unsigned */
  announce_signed (f, 1, 1 * SEC, 1 * SEC);
  announce_signed (f, 2, 2 * SEC, 2 * SEC);
  announce_signed (f, 3, 5 * SEC, 0);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 3);
  g_assert_true (gc_peer_get_verified (gc_peer_table_lookup (f->table, p1)));
  g_assert_false (gc_peer_get_verified (gc_peer_table_lookup (f->table, p3)));

  /* unsigned news: the unverified one goes, though it is the freshest */
  announce_signed (f, 4, 6 * SEC, 0);
  g_assert_null (gc_peer_table_lookup (f->table, p3));
  g_assert_nonnull (gc_peer_table_lookup (f->table, p1));
  g_assert_nonnull (gc_peer_table_lookup (f->table, p2));

  /* a flood of unsigned ids: the verified two stay */
  for (guint i = 100; i < 400; i++)
    announce_signed (f, i, (10 + i) * SEC, 0);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 3);
  g_assert_nonnull (gc_peer_table_lookup (f->table, p1));
  g_assert_nonnull (gc_peer_table_lookup (f->table, p2));

  /* signed news takes the unverified slot first */
  announce_signed (f, 9, 500 * SEC, 500 * SEC);
  g_assert_nonnull (gc_peer_table_lookup (f->table, p9));
  g_assert_nonnull (gc_peer_table_lookup (f->table, p1));
  g_assert_nonnull (gc_peer_table_lookup (f->table, p2));

  /* a table of verified peers only: unsigned news is not listed, signed
   * news replaces the stalest */
  announce_signed (f, 500, 501 * SEC, 0);
  g_assert_cmpuint (gc_peer_table_get_size (f->table), ==, 3);
  {
    g_autofree gchar *p500 = peer_id (500);

    g_assert_null (gc_peer_table_lookup (f->table, p500));
  }
  announce_signed (f, 10, 502 * SEC, 502 * SEC);
  g_assert_null (gc_peer_table_lookup (f->table, p1));
  g_assert_nonnull (gc_peer_table_lookup (f->table, p2));
}

static void
test_signed_wins (Fixture *f, gconstpointer data)
{
  GcPeer *p;

  /* a forged record first: listed, but not verified */
  claim (f, "evil", "10.99.0.66", GC_SEEN_BY_MDNS, 10 * SEC, 0);
  assert_events (f, "added " P1);
  p = gc_peer_table_lookup (f->table, P1);
  g_assert_false (gc_peer_get_verified (p));
  g_assert_cmpstr (gc_peer_get_address (p), ==, "10.99.0.66");

  /* the real peer's signed beacon: it takes over, and the forged path goes */
  claim (f, "one", "10.99.0.2", GC_SEEN_BY_BEACON, 11 * SEC, 11 * SEC);
  assert_events (f, "changed " P1);
  g_assert_true (gc_peer_get_verified (p));
  g_assert_cmpstr (gc_peer_get_address (p), ==, "10.99.0.2");
  g_assert_cmpstr (gc_peer_get_name (p), ==, "one");
  g_assert_cmpuint (gc_peer_get_seen_by (p), ==, GC_SEEN_BY_BEACON);

  /* the forger's record again, changed: nothing moves */
  claim (f, "evil2", "10.99.0.66", GC_SEEN_BY_MDNS, 12 * SEC, 0);
  assert_events (f, "");
  g_assert_cmpstr (gc_peer_get_address (p), ==, "10.99.0.2");
  g_assert_cmpstr (gc_peer_get_url (p), ==, "rtsp://10.99.0.2:7236/screen");
  g_assert_cmpuint (gc_peer_get_seen_by (p), ==, GC_SEEN_BY_BEACON);

  /* the peer's own signed record joins; the beacon path still rules the
   * visible fields, so an old record cannot undo a newer beacon */
  claim (f, "one-old", "10.99.0.2", GC_SEEN_BY_MDNS, 13 * SEC, 5 * SEC);
  g_assert_cmpuint (gc_peer_get_seen_by (p), ==, GC_SEEN_BY_BEACON | GC_SEEN_BY_MDNS);
  g_assert_cmpstr (gc_peer_get_name (p), ==, "one");
  /* a stale signed record (older than the last one on its path) is ignored */
  claim (f, "one-newer", "10.99.0.2", GC_SEEN_BY_MDNS, 14 * SEC, 7 * SEC);
  claim (f, "one-replayed", "10.99.0.2", GC_SEEN_BY_MDNS, 15 * SEC, 6 * SEC);
  /* the beacons stop: the newest signed record shows */
  gc_peer_table_expire (f->table, 20 * SEC, TIMEOUT);
  g_assert_cmpuint (gc_peer_get_seen_by (p), ==, GC_SEEN_BY_MDNS);
  g_assert_cmpstr (gc_peer_get_name (p), ==, "one-newer");
  g_assert_true (gc_peer_get_verified (p));
  /* and still the forger cannot step in */
  claim (f, "evil3", "10.99.0.66", GC_SEEN_BY_MDNS, 21 * SEC, 0);
  g_assert_cmpstr (gc_peer_get_address (p), ==, "10.99.0.2");
  g_assert_cmpstr (gc_peer_get_name (p), ==, "one-newer");
}

/* without a key nothing is signed: the last news wins, as before */
static void
test_unsigned_only (Fixture *f, gconstpointer data)
{
  GcPeer *p;

  claim (f, "one", "10.99.0.2", GC_SEEN_BY_BEACON, 10 * SEC, 0);
  claim (f, "other", "10.99.0.3", GC_SEEN_BY_MDNS, 11 * SEC, 0);
  p = gc_peer_table_lookup (f->table, P1);
  g_assert_false (gc_peer_get_verified (p));
  g_assert_cmpstr (gc_peer_get_address (p), ==, "10.99.0.3");
}

/* a new id for this agent: its announcements are ignored under the new id,
 * the old one is a peer like any other */
static void
test_set_self_id (Fixture *f, gconstpointer data)
{
  announce (f, 1, "one", GC_SEEN_BY_BEACON, 10 * SEC);
  assert_events (f, "added " P1);
  gc_peer_table_set_self_id (f->table, P1);
  assert_events (f, "removed " P1);
  announce (f, 1, "one", GC_SEEN_BY_BEACON, 11 * SEC);
  assert_events (f, "");
  g_assert_cmpstr (gc_peer_table_get_self_id (f->table), ==, P1);
  {
    g_auto (GcAnnouncement) a = { 0 };

    a.id = g_strdup (SELF_ID);
    a.name = g_strdup ("old self");
    a.control_port = 7237;
    gc_peer_table_update (f->table, &a, "10.99.0.9", GC_SEEN_BY_BEACON, 12 * SEC);
    g_assert_nonnull (gc_peer_table_lookup (f->table, SELF_ID));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn, cap) \
  g_test_add ("/groupcast/peer-table/" path, Fixture, GUINT_TO_POINTER (cap), setup, fn, teardown)
  ADD ("merge", test_merge, 0);
  ADD ("expiry", test_expiry, 0);
  ADD ("remove-path", test_remove_path, 0);
  ADD ("cap", test_cap, 4);
  ADD ("cap-verified", test_cap_verified, 3);
  ADD ("self-ignored", test_self_ignored, 0);
  ADD ("notify", test_notify, 0);
  ADD ("signed-wins", test_signed_wins, 0);
  ADD ("unsigned-only", test_unsigned_only, 0);
  ADD ("set-self-id", test_set_self_id, 0);
#undef ADD
  return g_test_run ();
}
