/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-announcement.h"

G_BEGIN_DECLS

typedef enum
{
  GC_SEEN_BY_NONE = 0,
  GC_SEEN_BY_MDNS = 1 << 0,
  GC_SEEN_BY_BEACON = 1 << 1,
} GcSeenBy;

#define GC_TYPE_PEER (gc_peer_get_type ())
G_DECLARE_FINAL_TYPE (GcPeer, gc_peer, GC, PEER, GObject)

const gchar *gc_peer_get_id              (GcPeer *self);
const gchar *gc_peer_get_name            (GcPeer *self);
const gchar *gc_peer_get_address         (GcPeer *self);
guint16      gc_peer_get_control_port    (GcPeer *self);
guint        gc_peer_get_roles           (GcPeer *self);
gchar      **gc_peer_dup_roles_strv      (GcPeer *self);
guint        gc_peer_get_seen_by         (GcPeer *self);
gchar      **gc_peer_dup_seen_by_strv    (GcPeer *self);
gint64       gc_peer_get_last_seen       (GcPeer *self);
const gchar *gc_peer_get_url             (GcPeer *self);
const gchar *gc_peer_get_group           (GcPeer *self);
const gchar *gc_peer_get_current_source  (GcPeer *self);
gboolean     gc_peer_get_verified        (GcPeer *self);

gchar      **gc_seen_by_to_strv          (guint seen_by);

/* for GcPeerTable: the model is written only by the table */
GcPeer      *gc_peer_new                 (const gchar *id);
gboolean     gc_peer_update              (GcPeer               *self,
                                          const GcAnnouncement *a,
                                          const gchar          *address,
                                          GcSeenBy              path,
                                          gint64                now_us);
gboolean     gc_peer_update_signed       (GcPeer               *self,
                                          const GcAnnouncement *a,
                                          const gchar          *address,
                                          GcSeenBy              path,
                                          gint64                now_us,
                                          gint64                signed_ts);
gboolean     gc_peer_drop_path           (GcPeer   *self,
                                          GcSeenBy  path);
gint64       gc_peer_get_path_last_seen  (GcPeer   *self,
                                          GcSeenBy  path);

G_END_DECLS
