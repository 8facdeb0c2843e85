/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-announcement.h"
#include "gc-peer.h"

G_BEGIN_DECLS

#define GC_PEER_TABLE_DEFAULT_CAP 256

#define GC_TYPE_PEER_TABLE (gc_peer_table_get_type ())
G_DECLARE_FINAL_TYPE (GcPeerTable, gc_peer_table, GC, PEER_TABLE, GObject)

GcPeerTable *gc_peer_table_new              (const gchar *self_id,
                                             guint        cap);
gboolean     gc_peer_table_update           (GcPeerTable          *self,
                                             const GcAnnouncement *a,
                                             const gchar          *address,
                                             GcSeenBy              path,
                                             gint64                now_us);
gboolean     gc_peer_table_update_signed    (GcPeerTable          *self,
                                             const GcAnnouncement *a,
                                             const gchar          *address,
                                             GcSeenBy              path,
                                             gint64                now_us,
                                             gint64                signed_ts);
void         gc_peer_table_set_self_id      (GcPeerTable *self,
                                             const gchar *self_id);
void         gc_peer_table_remove_path      (GcPeerTable *self,
                                             const gchar *id,
                                             GcSeenBy     path);
void         gc_peer_table_clear_path       (GcPeerTable *self,
                                             GcSeenBy     path);
guint        gc_peer_table_expire           (GcPeerTable *self,
                                             gint64       now_us,
                                             gint64       beacon_timeout_us);
GcPeer      *gc_peer_table_lookup           (GcPeerTable *self,
                                             const gchar *id);
GcPeer      *gc_peer_table_find_by_address  (GcPeerTable *self,
                                             const gchar *address);
GPtrArray   *gc_peer_table_dup_peers        (GcPeerTable *self);
guint        gc_peer_table_get_size         (GcPeerTable *self);
guint        gc_peer_table_get_cap          (GcPeerTable *self);
const gchar *gc_peer_table_get_self_id      (GcPeerTable *self);

G_END_DECLS
