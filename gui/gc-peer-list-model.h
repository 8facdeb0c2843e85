/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-peer-item.h"

G_BEGIN_DECLS

#define GC_TYPE_PEER_LIST_MODEL (gc_peer_list_model_get_type ())
G_DECLARE_FINAL_TYPE (GcPeerListModel, gc_peer_list_model, GC, PEER_LIST_MODEL, GObject)

GcPeerListModel    *gc_peer_list_model_new         (const gchar        *role);
GDBusObjectManager *gc_peer_list_model_get_manager (GcPeerListModel    *self);
void                gc_peer_list_model_set_manager (GcPeerListModel    *self,
                                                    GDBusObjectManager *manager);
GcPeerItem         *gc_peer_list_model_find        (GcPeerListModel    *self,
                                                    const gchar        *id_or_address);

G_END_DECLS
