/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-announcement.h"
#include "gc-far-peers.h"

G_BEGIN_DECLS

#define GC_TYPE_BEACON_SERVICE (gc_beacon_service_get_type ())
G_DECLARE_FINAL_TYPE (GcBeaconService, gc_beacon_service, GC, BEACON_SERVICE, GObject)

/* datagrams read per main-loop dispatch; the token bucket of each sender
 * (an agent sends one a second, and one on each change) and the one for
 * all that bound how many are parsed per second; senders tracked at once */
#define GC_BEACON_SERVICE_MAX_PER_DISPATCH 64
#define GC_BEACON_SERVICE_SENDER_RATE      10
#define GC_BEACON_SERVICE_SENDER_BURST     20
#define GC_BEACON_SERVICE_RATE             500
#define GC_BEACON_SERVICE_BURST            500
#define GC_BEACON_SERVICE_MAX_SENDERS      1024
/* prompt beacons (to a new peer) are at least this far apart */
#define GC_BEACON_SERVICE_PROMPT_MS        200

GcBeaconService *gc_beacon_service_new          (const gchar *iface,
                                                 guint16      port,
                                                 guint        interval_ms,
                                                 GBytes      *key);
gboolean         gc_beacon_service_start        (GcBeaconService      *self,
                                                 const GcAnnouncement *self_announcement,
                                                 gboolean              send,
                                                 GError              **error);
void             gc_beacon_service_set_announcement (GcBeaconService      *self,
                                                     const GcAnnouncement *a);
void             gc_beacon_service_set_key          (GcBeaconService      *self,
                                                     GBytes               *key);
void             gc_beacon_service_send_soon    (GcBeaconService *self);
void             gc_beacon_service_set_far_peers (GcBeaconService *self,
                                                  GcFarPeers      *far);
void             gc_beacon_service_stop         (GcBeaconService *self);
guint16          gc_beacon_service_get_port     (GcBeaconService *self);
guint64          gc_beacon_service_get_dropped  (GcBeaconService *self);
guint64          gc_beacon_service_get_rejected (GcBeaconService *self);

/* pure: where beacons go for an interface address (network byte order) */
guint32          gc_beacon_service_destination  (guint32       address,
                                                 guint32       netmask,
                                                 guint32       broadcast,
                                                 const gchar **how);

G_END_DECLS
