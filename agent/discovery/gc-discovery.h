/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-announcement.h"
#include "gc-far-peers.h"
#include "gc-peer-table.h"

G_BEGIN_DECLS

#define GC_TYPE_DISCOVERY (gc_discovery_get_type ())
G_DECLARE_FINAL_TYPE (GcDiscovery, gc_discovery, GC, DISCOVERY, GObject)

GcDiscovery *gc_discovery_new            (const GcAnnouncement *self_announcement,
                                          const gchar          *iface,
                                          guint16               beacon_port,
                                          guint                 interval_ms,
                                          GBytes               *key);
void         gc_discovery_set_cap        (GcDiscovery *self,
                                          guint        cap);
void         gc_discovery_set_far_peers  (GcDiscovery *self,
                                          GcFarPeers  *far);
gboolean     gc_discovery_start          (GcDiscovery *self,
                                          gboolean     use_mdns,
                                          gboolean     use_beacons,
                                          GError     **error);
void         gc_discovery_set_key        (GcDiscovery          *self,
                                          GBytes               *key);
void         gc_discovery_update         (GcDiscovery          *self,
                                          const GcAnnouncement *self_announcement);
GcPeerTable *gc_discovery_get_peer_table (GcDiscovery *self);
const GcAnnouncement *gc_discovery_get_announcement (GcDiscovery *self);
void         gc_discovery_stop           (GcDiscovery *self);

G_END_DECLS
