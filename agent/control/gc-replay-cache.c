/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReplayCache"

#include "config.h"

#include "gc-replay-cache.h"

#include "gc-error.h"

/* nonces seen lately, each kept until it expires. the cache is bounded: when
 * it is full of live entries it refuses new ones rather than forgetting old
 * ones, since a forgotten nonce could be replayed */

typedef struct
{
  gchar *nonce;
  gint64 expires_us;
} Entry;

struct _GcReplayCache
{
  guint max_entries;
  gint64 ttl_us;
  GHashTable *nonces;   /* nonce (owned by the entry) -> Entry */
  GQueue order;         /* Entry, oldest first */
};

static void
entry_free (Entry *e)
{
  g_free (e->nonce);
  g_free (e);
}

GcReplayCache *
gc_replay_cache_new (guint max_entries, gint64 ttl_us)
{
  GcReplayCache *cache;

  g_return_val_if_fail (max_entries > 0, NULL);
  g_return_val_if_fail (ttl_us > 0, NULL);

  cache = g_new0 (GcReplayCache, 1);
  cache->max_entries = max_entries;
  cache->ttl_us = ttl_us;
  cache->nonces = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&cache->order);
  return cache;
}

void
gc_replay_cache_free (GcReplayCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->nonces);
  g_queue_clear_full (&cache->order, (GDestroyNotify) entry_free);
  g_free (cache);
}

static void
expire (GcReplayCache *cache, gint64 now_us)
{
  Entry *e;

  /* entries are queued in the order they were added with the same ttl, so
   * the expired ones are at the head (unless the clock went back, in which
   * case they live a little longer: harmless) */
  while ((e = g_queue_peek_head (&cache->order)) != NULL &&
         e->expires_us <= now_us)
    {
      g_queue_pop_head (&cache->order);
      g_hash_table_remove (cache->nonces, e->nonce);
      entry_free (e);
    }
}

gboolean
gc_replay_cache_contains (GcReplayCache *cache,
                          const gchar   *nonce,
                          gint64         now_us)
{
  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (nonce != NULL, FALSE);

  expire (cache, now_us);
  return g_hash_table_contains (cache->nonces, nonce);
}

/* remembers @nonce; fails with GC_ERROR_NOT_AUTHORIZED when it was seen
 * within the ttl, or GC_ERROR_REFUSED when the cache is full */
gboolean
gc_replay_cache_add (GcReplayCache *cache,
                     const gchar   *nonce,
                     gint64         now_us,
                     GError       **error)
{
  Entry *e;

  g_return_val_if_fail (cache != NULL, FALSE);
  g_return_val_if_fail (nonce != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  expire (cache, now_us);
  if (g_hash_table_contains (cache->nonces, nonce))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                   "replayed request: nonce %s was already used", nonce);
      return FALSE;
    }
  if (g_hash_table_size (cache->nonces) >= cache->max_entries)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_REFUSED,
                   "too many requests: %u in the last %" G_GINT64_FORMAT " s",
                   cache->max_entries, cache->ttl_us / G_USEC_PER_SEC);
      return FALSE;
    }

  e = g_new0 (Entry, 1);
  e->nonce = g_strdup (nonce);
  e->expires_us = now_us + cache->ttl_us;
  g_queue_push_tail (&cache->order, e);
  g_hash_table_insert (cache->nonces, e->nonce, e);
  return TRUE;
}

guint
gc_replay_cache_get_size (GcReplayCache *cache)
{
  g_return_val_if_fail (cache != NULL, 0);
  return g_hash_table_size (cache->nonces);
}
