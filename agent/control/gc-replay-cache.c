/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReplayCache"

#include "config.h"

#include "gc-replay-cache.h"

#include "gc-error.h"

#include <string.h>

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

/* ---- kept across restarts ---------------------------------------------- */

/* one "EXPIRES NONCE" line per live entry, oldest first; written to a
 * temporary file and renamed, mode 0600 */
gboolean
gc_replay_cache_save (GcReplayCache *cache, const gchar *path, gint64 now_us, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);

  g_return_val_if_fail (cache != NULL && path != NULL, FALSE);

  expire (cache, now_us);
  for (GList *l = cache->order.head; l != NULL; l = l->next)
    {
      Entry *e = l->data;

      g_string_append_printf (text, "%" G_GINT64_FORMAT " %s\n", e->expires_us, e->nonce);
    }
  return g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

/* takes the live entries of a file gc_replay_cache_save() wrote; a missing
 * file is an empty cache, a damaged line is skipped. returns how many were
 * taken, -1 on a read error */
gint
gc_replay_cache_load (GcReplayCache *cache, const gchar *path, gint64 now_us, GError **error)
{
  g_autofree gchar *text = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) lines = NULL;
  gsize len = 0;
  gint n = 0;

  g_return_val_if_fail (cache != NULL && path != NULL, -1);

  if (!g_file_get_contents (path, &text, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return 0;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  lines = g_strsplit (text, "\n", (gint) cache->max_entries + 1);
  for (guint i = 0; lines[i] != NULL && i < cache->max_entries; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", 2);
      gint64 expires;
      Entry *e;

      if (g_strv_length (f) != 2 || f[1][0] == '\0' || strlen (f[1]) > 256)
        continue;
      expires = g_ascii_strtoll (f[0], NULL, 10);
      if (expires <= now_us || g_hash_table_contains (cache->nonces, f[1]))
        continue;
      /* never longer than the ttl from now, whatever the file says */
      e = g_new0 (Entry, 1);
      e->nonce = g_strdup (f[1]);
      e->expires_us = MIN (expires, now_us + cache->ttl_us);
      g_queue_push_tail (&cache->order, e);
      g_hash_table_insert (cache->nonces, e->nonce, e);
      n++;
    }
  return n;
}

guint
gc_replay_cache_get_size (GcReplayCache *cache)
{
  g_return_val_if_fail (cache != NULL, 0);
  return g_hash_table_size (cache->nonces);
}
