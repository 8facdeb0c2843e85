/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-peer-item.h"

G_BEGIN_DECLS

#define GC_TYPE_PEER_LIST (gc_peer_list_get_type ())
G_DECLARE_FINAL_TYPE (GcPeerList, gc_peer_list, GC, PEER_LIST, GObject)

GcPeerList         *gc_peer_list_new            (void);
GDBusObjectManager *gc_peer_list_get_manager    (GcPeerList         *self);
void                gc_peer_list_set_manager    (GcPeerList         *self,
                                                 GDBusObjectManager *manager);
GListModel         *gc_peer_list_get_model      (GcPeerList         *self);
void                gc_peer_list_set_site_key   (GcPeerList         *self,
                                                 gboolean            site_key);
void                gc_peer_list_set_self       (GcPeerList         *self,
                                                 const gchar        *url,
                                                 const gchar        *name);
GListModel         *gc_peer_list_new_role_model (GcPeerList         *self,
                                                 const gchar        *role);
GcPeerItem         *gc_peer_list_find           (GcPeerList         *self,
                                                 const gchar        *id_or_address);

G_END_DECLS
