/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a request's timestamp may be 30 s off either way, so a nonce must be
 * remembered for 60 s to refuse every replay inside that window */
#define GC_REPLAY_CACHE_DEFAULT_TTL_US (60 * G_USEC_PER_SEC)
#define GC_REPLAY_CACHE_DEFAULT_MAX    4096

typedef struct _GcReplayCache GcReplayCache;

GcReplayCache *gc_replay_cache_new   (guint          max_entries,
                                      gint64         ttl_us);
void           gc_replay_cache_free  (GcReplayCache *cache);
gboolean       gc_replay_cache_add   (GcReplayCache *cache,
                                      const gchar   *nonce,
                                      gint64         now_us,
                                      GError       **error);
gboolean       gc_replay_cache_contains (GcReplayCache *cache,
                                         const gchar   *nonce,
                                         gint64         now_us);
guint          gc_replay_cache_get_size (GcReplayCache *cache);
gboolean       gc_replay_cache_save  (GcReplayCache *cache,
                                      const gchar   *path,
                                      gint64         now_us,
                                      GError       **error);
gint           gc_replay_cache_load  (GcReplayCache *cache,
                                      const gchar   *path,
                                      gint64         now_us,
                                      GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcReplayCache, gc_replay_cache_free)

G_END_DECLS
