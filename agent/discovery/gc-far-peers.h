/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * peers beyond a router: broadcast beacons stop at the subnet, so beacons
 * also go by unicast to the peers a site names (--peers: addresses,
 * subnets, host names) and to the agents whose beacons came from beyond
 * this subnet (answered while they are heard). pure but for the resolver:
 * addresses are IPv4 in host order.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* addresses a configured list may name in all (a /22 is 1022 hosts) */
#define GC_FAR_PEERS_MAX_ADDRESSES 1024
/* agents heard from beyond the subnet that are answered at once */
#define GC_FAR_PEERS_MAX_LEARNED 64
/* a learned agent not heard for this long is no longer sent beacons */
#define GC_FAR_PEERS_LEARNED_US (30 * G_USEC_PER_SEC)
/* names are looked up again this often (a board's address may change) */
#define GC_FAR_PEERS_RESOLVE_US (60 * G_USEC_PER_SEC)

typedef struct _GcFarPeers GcFarPeers;

/* @list: "10.1.2.7,10.1.3.0/24,board7.local" (commas or spaces), or NULL;
 * NULL with @error when an entry is not an IPv4 address, subnet or name,
 * or the list names too many addresses */
GcFarPeers *gc_far_peers_new           (const gchar *list,
                                        GError     **error);
void        gc_far_peers_free          (GcFarPeers  *self);
/* this host's address and netmask: its own subnet is not "far" */
void        gc_far_peers_set_local     (GcFarPeers  *self,
                                        guint32      address,
                                        guint32      netmask);
/* a beacon came from @address at @now: TRUE when it is beyond the subnet,
 * not configured and not heard lately (answer it now) */
gboolean    gc_far_peers_heard         (GcFarPeers  *self,
                                        guint32      address,
                                        gint64       now);
/* where beacons go by unicast at @now (guint32s, no duplicates, never this
 * host): the configured addresses and subnets, the names as last
 * resolved, the agents heard lately from beyond the subnet */
GArray     *gc_far_peers_destinations  (GcFarPeers  *self,
                                        gint64       now);
/* looks the names up again when due (asynchronously, in the main context) */
void        gc_far_peers_resolve       (GcFarPeers  *self,
                                        gint64       now);
/* how many entries the list named, for the log */
guint       gc_far_peers_n_configured  (GcFarPeers  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcFarPeers, gc_far_peers_free)

G_END_DECLS
