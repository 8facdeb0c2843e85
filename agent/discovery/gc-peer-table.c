/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPeerTable"

#include "config.h"

#include "gc-peer-table.h"

/* the agents this one knows, fed by the discovery paths. an entry lives while
 * at least one path sees it: mDNS says when a service goes, beacons only stop
 * coming, so beacon-seen entries expire. the table is bounded, since anyone
 * on the LAN can make up ids. */

struct _GcPeerTable
{
  GObject parent_instance;

  gchar *self_id;
  guint cap;
  GHashTable *peers; /* id → GcPeer */
};

G_DEFINE_FINAL_TYPE (GcPeerTable, gc_peer_table, G_TYPE_OBJECT)

enum
{
  SIGNAL_PEER_ADDED,
  SIGNAL_PEER_CHANGED,
  SIGNAL_PEER_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gc_peer_table_finalize (GObject *object)
{
  GcPeerTable *self = GC_PEER_TABLE (object);

  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->self_id, g_free);

  G_OBJECT_CLASS (gc_peer_table_parent_class)->finalize (object);
}

static void
gc_peer_table_class_init (GcPeerTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gc_peer_table_finalize;

  /* changed is for what a user sees: not for last-seen alone (watch
   * notify::last-seen on the peer for that) */
  signals[SIGNAL_PEER_ADDED] =
    g_signal_new ("peer-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, GC_TYPE_PEER);
  signals[SIGNAL_PEER_CHANGED] =
    g_signal_new ("peer-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, GC_TYPE_PEER);
  signals[SIGNAL_PEER_REMOVED] =
    g_signal_new ("peer-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, GC_TYPE_PEER);
}

static void
gc_peer_table_init (GcPeerTable *self)
{
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
}

GcPeerTable *
gc_peer_table_new (const gchar *self_id, guint cap)
{
  GcPeerTable *self = g_object_new (GC_TYPE_PEER_TABLE, NULL);

  self->self_id = g_strdup (self_id);
  self->cap = cap > 0 ? cap : GC_PEER_TABLE_DEFAULT_CAP;
  return self;
}

static void
remove_peer (GcPeerTable *self, GcPeer *peer)
{
  g_autoptr (GcPeer) ref = g_object_ref (peer);

  /* the key is the peer's own id string: steal before the peer can go */
  g_hash_table_steal (self->peers, gc_peer_get_id (peer));
  g_object_unref (peer);
  g_signal_emit (self, signals[SIGNAL_PEER_REMOVED], 0, ref);
}

/* makes room: the stalest peer that is not verified goes first; a
 * verified one only for news that came signed (@for_signed), so a flood of
 * unsigned announcements can never push out a peer the site key vouches
 * for. FALSE when there is nothing it may evict */
static gboolean
evict_stalest (GcPeerTable *self, gboolean for_signed)
{
  GHashTableIter iter;
  gpointer value;
  GcPeer *stalest = NULL;
  GcPeer *stalest_unverified = NULL;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (stalest == NULL || gc_peer_get_last_seen (value) < gc_peer_get_last_seen (stalest))
        stalest = value;
      if (!gc_peer_get_verified (value)
          && (stalest_unverified == NULL
              || gc_peer_get_last_seen (value) < gc_peer_get_last_seen (stalest_unverified)))
        stalest_unverified = value;
    }
  if (stalest_unverified != NULL)
    stalest = stalest_unverified;
  else if (!for_signed)
    stalest = NULL;
  if (stalest == NULL)
    return FALSE;
  g_debug ("table full (%u): evicting %s", self->cap, gc_peer_get_id (stalest));
  remove_peer (self, stalest);
  return TRUE;
}

/* returns TRUE when the table changed in a way a user sees. @signed_ts is
 * the stamp of an announcement that came signed with the site key, else 0:
 * see GcPeer for what unsigned ones may not do */
gboolean
gc_peer_table_update_signed (GcPeerTable *self, const GcAnnouncement *a, const gchar *address,
                             GcSeenBy path, gint64 now_us, gint64 signed_ts)
{
  GcPeer *peer;

  g_return_val_if_fail (GC_IS_PEER_TABLE (self), FALSE);
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (path == GC_SEEN_BY_MDNS || path == GC_SEEN_BY_BEACON, FALSE);

  if (a->id == NULL || !g_uuid_string_is_valid (a->id))
    return FALSE;
  /* our own beacons and service come back to us */
  if (self->self_id != NULL && g_ascii_strcasecmp (a->id, self->self_id) == 0)
    return FALSE;

  peer = g_hash_table_lookup (self->peers, a->id);
  if (peer == NULL)
    {
      g_autoptr (GcPeer) fresh = NULL;

      while (g_hash_table_size (self->peers) >= self->cap)
        if (!evict_stalest (self, signed_ts != 0))
          {
            g_debug ("table full (%u) of verified peers: not listing %s, unsigned", self->cap,
                     a->id);
            return FALSE;
          }
      fresh = gc_peer_new (a->id);
      gc_peer_update_signed (fresh, a, address, path, now_us, signed_ts);
      g_hash_table_insert (self->peers, (gpointer) gc_peer_get_id (fresh),
                           g_object_ref (fresh));
      g_signal_emit (self, signals[SIGNAL_PEER_ADDED], 0, fresh);
      return TRUE;
    }
  if (gc_peer_update_signed (peer, a, address, path, now_us, signed_ts))
    {
      g_signal_emit (self, signals[SIGNAL_PEER_CHANGED], 0, peer);
      return TRUE;
    }
  return FALSE;
}

gboolean
gc_peer_table_update (GcPeerTable *self, const GcAnnouncement *a, const gchar *address,
                      GcSeenBy path, gint64 now_us)
{
  return gc_peer_table_update_signed (self, a, address, path, now_us, 0);
}

/* the agent took a new id (its old one was a clone's too): its own
 * announcements are now the ones to ignore, and an entry under the new id,
 * if any, was someone else's claim */
void
gc_peer_table_set_self_id (GcPeerTable *self, const gchar *self_id)
{
  GcPeer *peer;

  g_return_if_fail (GC_IS_PEER_TABLE (self));
  g_return_if_fail (self_id != NULL);

  g_free (self->self_id);
  self->self_id = g_strdup (self_id);
  peer = g_hash_table_lookup (self->peers, self_id);
  if (peer != NULL)
    remove_peer (self, peer);
}

static void
drop_path (GcPeerTable *self, GcPeer *peer, GcSeenBy path)
{
  if (!gc_peer_drop_path (peer, path))
    return;
  if (gc_peer_get_seen_by (peer) == GC_SEEN_BY_NONE)
    remove_peer (self, peer);
  else
    g_signal_emit (self, signals[SIGNAL_PEER_CHANGED], 0, peer);
}

void
gc_peer_table_remove_path (GcPeerTable *self, const gchar *id, GcSeenBy path)
{
  GcPeer *peer;

  g_return_if_fail (GC_IS_PEER_TABLE (self));
  g_return_if_fail (id != NULL);

  peer = g_hash_table_lookup (self->peers, id);
  if (peer != NULL)
    drop_path (self, peer, path);
}

static gint
compare_by_id (gconstpointer a, gconstpointer b)
{
  GcPeer *pa = *(GcPeer **) a;
  GcPeer *pb = *(GcPeer **) b;

  return g_strcmp0 (gc_peer_get_id (pa), gc_peer_get_id (pb));
}

static GPtrArray *
peers_matching (GcPeerTable *self, GcSeenBy path, gint64 older_than)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  /* collected first: signal handlers may touch the table */
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if ((gc_peer_get_seen_by (value) & path)
        && gc_peer_get_path_last_seen (value, path) < older_than)
      g_ptr_array_add (list, g_object_ref (value));
  /* by id: signals come in an order that does not depend on hashing */
  g_ptr_array_sort (list, compare_by_id);
  return list;
}

void
gc_peer_table_clear_path (GcPeerTable *self, GcSeenBy path)
{
  g_autoptr (GPtrArray) list = NULL;

  g_return_if_fail (GC_IS_PEER_TABLE (self));
  list = peers_matching (self, path, G_MAXINT64);
  for (guint i = 0; i < list->len; i++)
    drop_path (self, g_ptr_array_index (list, i), path);
}

/* beacon-seen entries not heard from within beacon_timeout_us lose their
 * beacon path (3 missed intervals); returns how many peers changed or went */
guint
gc_peer_table_expire (GcPeerTable *self, gint64 now_us, gint64 beacon_timeout_us)
{
  g_autoptr (GPtrArray) list = NULL;

  g_return_val_if_fail (GC_IS_PEER_TABLE (self), 0);
  list = peers_matching (self, GC_SEEN_BY_BEACON, now_us - beacon_timeout_us);
  for (guint i = 0; i < list->len; i++)
    drop_path (self, g_ptr_array_index (list, i), GC_SEEN_BY_BEACON);
  return list->len;
}

GcPeer *
gc_peer_table_lookup (GcPeerTable *self, const gchar *id)
{
  g_return_val_if_fail (GC_IS_PEER_TABLE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  return g_hash_table_lookup (self->peers, id);
}

GcPeer *
gc_peer_table_find_by_address (GcPeerTable *self, const gchar *address)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (GC_IS_PEER_TABLE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (gc_peer_get_address (value), address) == 0)
      return value;
  return NULL;
}

/* sorted by id, so callers get a stable order */
GPtrArray *
gc_peer_table_dup_peers (GcPeerTable *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (GC_IS_PEER_TABLE (self), NULL);
  list = g_ptr_array_new_full (g_hash_table_size (self->peers), g_object_unref);
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, g_object_ref (value));
  g_ptr_array_sort (list, compare_by_id);
  return list;
}

guint
gc_peer_table_get_size (GcPeerTable *self)
{
  g_return_val_if_fail (GC_IS_PEER_TABLE (self), 0);
  return g_hash_table_size (self->peers);
}

guint
gc_peer_table_get_cap (GcPeerTable *self)
{
  g_return_val_if_fail (GC_IS_PEER_TABLE (self), 0);
  return self->cap;
}

const gchar *
gc_peer_table_get_self_id (GcPeerTable *self)
{
  g_return_val_if_fail (GC_IS_PEER_TABLE (self), NULL);
  return self->self_id;
}
