/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcDiscovery"

#include "config.h"

#include "gc-discovery.h"

#include "gc-avahi.h"
#include "gc-beacon-service.h"
#include "gc-error.h"

/* the two discovery paths feeding one peer table: mDNS (Avahi) works across
 * networks that drop broadcast, beacons work without avahi-daemon */

/* a beacon-seen peer goes after this many missed intervals */
#define MISSED_BEACONS 3

struct _GcDiscovery
{
  GObject parent_instance;

  GcAnnouncement *self_announcement;
  gchar *iface;
  guint16 beacon_port;
  guint interval_ms;
  GBytes *key;
  guint cap;

  GcPeerTable *table;
  GcBeaconService *beacons;
  GcFarPeers *far;          /* until start: handed to the beacon service */
  GcAvahi *avahi;
  guint expire_id;
};

G_DEFINE_FINAL_TYPE (GcDiscovery, gc_discovery, G_TYPE_OBJECT)

enum
{
  SIGNAL_ID_COLLISION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gc_discovery_dispose (GObject *object)
{
  GcDiscovery *self = GC_DISCOVERY (object);

  gc_discovery_stop (self);
  g_clear_object (&self->table);
  G_OBJECT_CLASS (gc_discovery_parent_class)->dispose (object);
}

static void
gc_discovery_finalize (GObject *object)
{
  GcDiscovery *self = GC_DISCOVERY (object);

  g_clear_pointer (&self->self_announcement, gc_announcement_free);
  g_clear_pointer (&self->iface, g_free);
  g_clear_pointer (&self->key, g_bytes_unref);
  g_clear_pointer (&self->far, gc_far_peers_free);
  G_OBJECT_CLASS (gc_discovery_parent_class)->finalize (object);
}

static void
gc_discovery_class_init (GcDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_discovery_dispose;
  object_class->finalize = gc_discovery_finalize;

  /* id-collision (const gchar *address, const gchar *instance): another
   * agent announces our id (a board cloned from one image), from @address;
   * @instance is its run's (NULL from an old agent). repeated while it
   * lasts */
  signals[SIGNAL_ID_COLLISION] =
    g_signal_new ("id-collision", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
gc_discovery_init (GcDiscovery *self)
{
  self->cap = GC_PEER_TABLE_DEFAULT_CAP;
}

GcDiscovery *
gc_discovery_new (const GcAnnouncement *self_announcement, const gchar *iface,
                  guint16 beacon_port, guint interval_ms, GBytes *key)
{
  GcDiscovery *self;

  g_return_val_if_fail (self_announcement != NULL, NULL);
  g_return_val_if_fail (self_announcement->id != NULL, NULL);

  self = g_object_new (GC_TYPE_DISCOVERY, NULL);
  self->self_announcement = gc_announcement_copy (self_announcement);
  self->iface = g_strdup (iface);
  self->beacon_port = beacon_port != 0 ? beacon_port : GC_DEFAULT_BEACON_PORT;
  self->interval_ms = interval_ms > 0 ? interval_ms : 1000;
  /* an empty key would make every MAC forgeable: treat it as no key */
  if (key != NULL && g_bytes_get_size (key) > 0)
    self->key = g_bytes_ref (key);
  self->table = gc_peer_table_new (self_announcement->id, self->cap);
  return self;
}

/* only before start: beacons go by unicast beyond the subnet too (@far is
 * owned by discovery from now on) */
void
gc_discovery_set_far_peers (GcDiscovery *self, GcFarPeers *far)
{
  g_return_if_fail (GC_IS_DISCOVERY (self) && self->beacons == NULL);

  g_clear_pointer (&self->far, gc_far_peers_free);
  self->far = far;
}

/* only before start: the table is remade with the new bound */
void
gc_discovery_set_cap (GcDiscovery *self, guint cap)
{
  g_return_if_fail (GC_IS_DISCOVERY (self));
  g_return_if_fail (gc_peer_table_get_size (self->table) == 0);

  self->cap = cap > 0 ? cap : GC_PEER_TABLE_DEFAULT_CAP;
  g_clear_object (&self->table);
  self->table = gc_peer_table_new (self->self_announcement->id, self->cap);
}

static gchar *
seen_by_string (GcPeer *peer)
{
  g_auto (GStrv) strv = gc_peer_dup_seen_by_strv (peer);

  return g_strjoinv (",", strv);
}

static void
peer_added_cb (GcPeerTable *table, GcPeer *peer, gpointer user_data)
{
  GcDiscovery *self = user_data;
  g_autofree gchar *seen = seen_by_string (peer);

  /* it hears us now, not an interval later */
  if (self->beacons != NULL)
    gc_beacon_service_send_soon (self->beacons);
  g_info ("peer %s “%s” at %s appeared (%s)", gc_peer_get_id (peer),
          gc_peer_get_name (peer), gc_peer_get_address (peer), seen);
}

static void
peer_changed_cb (GcPeerTable *table, GcPeer *peer, gpointer user_data)
{
  g_autofree gchar *seen = seen_by_string (peer);

  g_info ("peer %s “%s” at %s changed (%s)", gc_peer_get_id (peer),
          gc_peer_get_name (peer), gc_peer_get_address (peer), seen);
}

static void
peer_removed_cb (GcPeerTable *table, GcPeer *peer, gpointer user_data)
{
  g_info ("peer %s “%s” disappeared", gc_peer_get_id (peer), gc_peer_get_name (peer));
}

/* our own id: our own announcement coming back, or another agent's with the
 * same id. another run of the agent (instance) tells them apart on a beacon;
 * on mDNS also another address, since a record of our previous run may
 * still be about */
static gboolean
is_self (GcDiscovery *self, const GcAnnouncement *a, const gchar *address, GcSeenBy path)
{
  const GcAnnouncement *me = self->self_announcement;
  gboolean other_address = me->address != NULL && g_strcmp0 (address, me->address) != 0;
  gboolean other;

  if (a->id == NULL || g_ascii_strcasecmp (a->id, me->id) != 0)
    return FALSE;
  if (a->instance != NULL && me->instance != NULL)
    other = g_strcmp0 (a->instance, me->instance) != 0
            && (path == GC_SEEN_BY_BEACON || other_address);
  else
    other = other_address;
  if (other)
    {
      /* the other one learns of us at once too, so the later of the two
       * moves within milliseconds */
      if (self->beacons != NULL)
        gc_beacon_service_send_soon (self->beacons);
      g_signal_emit (self, signals[SIGNAL_ID_COLLISION], 0, address, a->instance);
    }
  return TRUE;
}

static void
beacon_received_cb (GcBeaconService *beacons, const GcAnnouncement *a,
                    const gchar *address, gint64 signed_ts, gpointer user_data)
{
  GcDiscovery *self = user_data;

  if (is_self (self, a, address, GC_SEEN_BY_BEACON))
    return;
  gc_peer_table_update_signed (self->table, a, address, GC_SEEN_BY_BEACON, g_get_real_time (),
                               signed_ts);
}

static void
beacon_leaving_cb (GcBeaconService *beacons, const gchar *id, const gchar *address,
                   gpointer user_data)
{
  GcDiscovery *self = user_data;
  GcPeer *peer = gc_peer_table_lookup (self->table, id);

  /* only from the address it was seen at: a goodbye is not a way to evict
   * a peer from elsewhere */
  if (peer != NULL && g_strcmp0 (gc_peer_get_address (peer), address) == 0)
    gc_peer_table_remove_path (self->table, id, GC_SEEN_BY_BEACON);
}

static void
mdns_found_cb (GcAvahi *avahi, const GcAnnouncement *a, const gchar *address,
               gint64 signed_ts, gpointer user_data)
{
  GcDiscovery *self = user_data;

  if (is_self (self, a, address, GC_SEEN_BY_MDNS))
    return;
  gc_peer_table_update_signed (self->table, a, address, GC_SEEN_BY_MDNS, g_get_real_time (),
                               signed_ts);
}

static void
mdns_lost_cb (GcAvahi *avahi, const gchar *id, gpointer user_data)
{
  GcDiscovery *self = user_data;

  gc_peer_table_remove_path (self->table, id, GC_SEEN_BY_MDNS);
}

static gboolean
expire_cb (gpointer user_data)
{
  GcDiscovery *self = user_data;

  gc_peer_table_expire (self->table, g_get_real_time (),
                        (gint64) MISSED_BEACONS * self->interval_ms * 1000);
  return G_SOURCE_CONTINUE;
}

/* fails only when the beacon socket cannot be made: without avahi-daemon,
 * the mDNS path waits for it */
gboolean
gc_discovery_start (GcDiscovery *self, gboolean use_mdns, gboolean use_beacons,
                    GError **error)
{
  g_return_val_if_fail (GC_IS_DISCOVERY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->beacons == NULL && self->avahi == NULL, FALSE);

  g_signal_connect (self->table, "peer-added", G_CALLBACK (peer_added_cb), self);
  g_signal_connect (self->table, "peer-changed", G_CALLBACK (peer_changed_cb), self);
  g_signal_connect (self->table, "peer-removed", G_CALLBACK (peer_removed_cb), self);

  if (use_beacons)
    {
      self->beacons = gc_beacon_service_new (self->iface, self->beacon_port,
                                             self->interval_ms, self->key);
      g_signal_connect (self->beacons, "received", G_CALLBACK (beacon_received_cb), self);
      g_signal_connect (self->beacons, "leaving", G_CALLBACK (beacon_leaving_cb), self);
      gc_beacon_service_set_far_peers (self->beacons, g_steal_pointer (&self->far));
      if (!gc_beacon_service_start (self->beacons, self->self_announcement, TRUE, error))
        {
          g_prefix_error (error, "starting beacons: ");
          g_clear_object (&self->beacons);
          g_signal_handlers_disconnect_by_data (self->table, self);
          return FALSE;
        }
      /* half an interval: an expiry is late by at most that */
      self->expire_id = g_timeout_add (MAX (self->interval_ms / 2, 50), expire_cb, self);
    }
  if (use_mdns)
    {
      self->avahi = gc_avahi_new (self->iface);
      gc_avahi_set_key (self->avahi, self->key);
      g_signal_connect (self->avahi, "found", G_CALLBACK (mdns_found_cb), self);
      g_signal_connect (self->avahi, "lost", G_CALLBACK (mdns_lost_cb), self);
      gc_avahi_start (self->avahi, self->self_announcement);
    }
  return TRUE;
}

void
gc_discovery_update (GcDiscovery *self, const GcAnnouncement *self_announcement)
{
  g_return_if_fail (GC_IS_DISCOVERY (self));
  g_return_if_fail (self_announcement != NULL);

  if (gc_announcement_equal (self->self_announcement, self_announcement))
    return;
  if (g_strcmp0 (self->self_announcement->id, self_announcement->id) != 0)
    gc_peer_table_set_self_id (self->table, self_announcement->id);
  g_clear_pointer (&self->self_announcement, gc_announcement_free);
  self->self_announcement = gc_announcement_copy (self_announcement);
  if (self->beacons != NULL)
    gc_beacon_service_set_announcement (self->beacons, self_announcement);
  if (self->avahi != NULL)
    gc_avahi_update (self->avahi, self_announcement);
}

/* beacons and records signed and checked with @key from now on */
void
gc_discovery_set_key (GcDiscovery *self, GBytes *key)
{
  g_return_if_fail (GC_IS_DISCOVERY (self));

  g_clear_pointer (&self->key, g_bytes_unref);
  if (key != NULL && g_bytes_get_size (key) > 0)
    self->key = g_bytes_ref (key);
  if (self->beacons != NULL)
    gc_beacon_service_set_key (self->beacons, self->key);
  if (self->avahi != NULL)
    gc_avahi_set_key (self->avahi, self->key);
}

GcPeerTable *
gc_discovery_get_peer_table (GcDiscovery *self)
{
  g_return_val_if_fail (GC_IS_DISCOVERY (self), NULL);
  return self->table;
}

const GcAnnouncement *
gc_discovery_get_announcement (GcDiscovery *self)
{
  g_return_val_if_fail (GC_IS_DISCOVERY (self), NULL);
  return self->self_announcement;
}

void
gc_discovery_stop (GcDiscovery *self)
{
  g_return_if_fail (GC_IS_DISCOVERY (self));

  g_clear_handle_id (&self->expire_id, g_source_remove);
  if (self->avahi != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->avahi, self);
      gc_avahi_stop (self->avahi);
      g_clear_object (&self->avahi);
    }
  if (self->beacons != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->beacons, self);
      gc_beacon_service_stop (self->beacons);
      g_clear_object (&self->beacons);
    }
  if (self->table != NULL)
    g_signal_handlers_disconnect_by_data (self->table, self);
}
