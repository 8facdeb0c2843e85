/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcBeaconService"

#include "config.h"

#include "gc-beacon-service.h"

#include "gc-beacon.h"
#include "gc-error.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* UDP broadcast beacons: one socket both sends ours and hears the others'.
 * receiving is bounded: per dispatch; per sender, by a token bucket of its
 * own, applied after a cheap check of the header, so one flooding host
 * uses up its own allowance and not the others'; and by a bucket for all,
 * so a flood from many addresses costs the main loop a fixed slice of time */

/* keyed beacons older or newer than this are replays or broken clocks */
#define MAX_CLOCK_SKEW_US (120 * G_USEC_PER_SEC)

struct _GcBeaconService
{
  GObject parent_instance;

  gchar *iface;
  guint16 port;
  guint interval_ms;
  GBytes *key;

  GSocket *socket;
  GSocketAddress *broadcast;
  GSource *recv_source;
  guint send_id;
  guint soon_id;             /* a prompt beacon waiting for the spacing */
  gint64 prompt_at;          /* when the last prompt one went */
  gboolean send;
  GcAnnouncement *self_announcement;

  gdouble tokens;
  gint64 tokens_at;
  GHashTable *senders;       /* IPv4 address (guint32) → Bucket */
  guint64 dropped;
  guint64 rejected;
  guint64 unpaired;          /* beacons of agents with another key or none */
  GHashTable *unpaired_said; /* ids already logged as not paired (bounded) */
  GcFarPeers *far;           /* unicast destinations beyond a router, or NULL */
  guint32 local, netmask;    /* the interface's first IPv4 address (host order), or 0 */
};

/* how many not-paired agents are remembered as logged */
#define UNPAIRED_SAID_MAX 64

typedef struct
{
  gdouble tokens;
  gint64 at;
  guint64 dropped;           /* since it went over its limit */
  gboolean limited;
} Bucket;

G_DEFINE_FINAL_TYPE (GcBeaconService, gc_beacon_service, G_TYPE_OBJECT)

enum
{
  SIGNAL_RECEIVED,
  SIGNAL_LEAVING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gc_beacon_service_dispose (GObject *object)
{
  GcBeaconService *self = GC_BEACON_SERVICE (object);

  gc_beacon_service_stop (self);
  G_OBJECT_CLASS (gc_beacon_service_parent_class)->dispose (object);
}

static void
gc_beacon_service_finalize (GObject *object)
{
  GcBeaconService *self = GC_BEACON_SERVICE (object);

  g_clear_pointer (&self->iface, g_free);
  g_clear_pointer (&self->key, g_bytes_unref);
  g_clear_pointer (&self->self_announcement, gc_announcement_free);
  g_clear_pointer (&self->senders, g_hash_table_unref);
  g_clear_pointer (&self->unpaired_said, g_hash_table_unref);
  g_clear_pointer (&self->far, gc_far_peers_free);
  G_OBJECT_CLASS (gc_beacon_service_parent_class)->finalize (object);
}

static void
gc_beacon_service_class_init (GcBeaconServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_beacon_service_dispose;
  object_class->finalize = gc_beacon_service_finalize;

  /* received (const GcAnnouncement *a, const gchar *address, gint64 signed_ts):
   * a valid beacon, ours included (the table ignores its own id); signed_ts
   * is its stamp when it was checked with the key, else 0 */
  signals[SIGNAL_RECEIVED] =
    g_signal_new ("received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_POINTER, G_TYPE_STRING,
                  G_TYPE_INT64);
  /* leaving (const gchar *id, const gchar *address): a peer's goodbye */
  signals[SIGNAL_LEAVING] =
    g_signal_new ("leaving", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
gc_beacon_service_init (GcBeaconService *self)
{
  self->senders = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->unpaired_said = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

GcBeaconService *
gc_beacon_service_new (const gchar *iface, guint16 port, guint interval_ms, GBytes *key)
{
  GcBeaconService *self = g_object_new (GC_TYPE_BEACON_SERVICE, NULL);

  self->iface = g_strdup (iface);
  self->port = port != 0 ? port : GC_DEFAULT_BEACON_PORT;
  self->interval_ms = interval_ms > 0 ? interval_ms : 1000;
  self->key = key != NULL ? g_bytes_ref (key) : NULL;
  return self;
}

/* where beacons go, from the interface's IPv4 address, netmask and
 * broadcast address (network order; any may be 0): the broadcast address
 * when the interface has one; else the directed broadcast of its subnet
 * (an address added without "brd" reports 0.0.0.0 or itself, and sending
 * there reaches only this host); else, for a /31 or /32 or no address at all,
 * 255.255.255.255, which SO_BINDTODEVICE keeps on the interface */
guint32
gc_beacon_service_destination (guint32 address, guint32 netmask, guint32 broadcast,
                               const gchar **how)
{
  const gchar *dummy;

  if (how == NULL)
    how = &dummy;
  /* without "brd" the kernel reports no broadcast address: getifaddrs()
   * then gives 0.0.0.0 or the address itself */
  if (broadcast != 0 && broadcast != 0xffffffff && broadcast != address
      && (netmask == 0 || (broadcast & netmask) == (address & netmask)))
    {
      *how = "the interface's broadcast address";
      return broadcast;
    }
  if (address != 0 && netmask != 0 && g_ntohl (netmask) < 0xfffffffe)
    {
      *how = "the subnet's directed broadcast (the interface has no broadcast address)";
      return address | ~netmask;
    }
  *how = "the limited broadcast";
  return 0xffffffff;
}

static guint32
sockaddr_in_addr (const struct sockaddr *sa)
{
  if (sa == NULL || sa->sa_family != AF_INET)
    return 0;
  return ((const struct sockaddr_in *) sa)->sin_addr.s_addr;
}

/* the destination for the interface's first IPv4 address (the one the
 * agent announces), logged once with the reason */
static GSocketAddress *
broadcast_address (const gchar *iface, guint16 port, guint32 *local, guint32 *netmask)
{
  struct ifaddrs *ifa = NULL;
  guint32 dest = 0xffffffff;
  const gchar *how = "the limited broadcast (no interface chosen)";
  g_autoptr (GInetAddress) addr = NULL;
  g_autofree gchar *text = NULL;

  if (iface != NULL && getifaddrs (&ifa) == 0)
    {
      how = "the limited broadcast (the interface has no IPv4 address)";
      for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next)
        {
          if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET
              || g_strcmp0 (i->ifa_name, iface) != 0)
            continue;
          dest = gc_beacon_service_destination (
            sockaddr_in_addr (i->ifa_addr), sockaddr_in_addr (i->ifa_netmask),
            (i->ifa_flags & IFF_BROADCAST) ? sockaddr_in_addr (i->ifa_broadaddr) : 0, &how);
          *local = GUINT32_FROM_BE (sockaddr_in_addr (i->ifa_addr));
          *netmask = i->ifa_netmask != NULL ? GUINT32_FROM_BE (sockaddr_in_addr (i->ifa_netmask))
                                            : 0;
          break;
        }
      freeifaddrs (ifa);
    }
  addr = g_inet_address_new_from_bytes ((const guint8 *) &dest, G_SOCKET_FAMILY_IPV4);
  text = g_inet_address_to_string (addr);
  g_message ("beacons go to %s port %u on %s: %s", text, port,
             iface != NULL ? iface : "the default route's interface", how);
  return g_inet_socket_address_new (addr, port);
}

static void
send_unicast (GcBeaconService *self, guint32 to, const gchar *data, gsize len)
{
  guint32 be = GUINT32_TO_BE (to);
  g_autoptr (GInetAddress) a = g_inet_address_new_from_bytes ((const guint8 *) &be,
                                                              G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (a, self->port);
  g_autoptr (GError) error = NULL;

  if (g_socket_send_to (self->socket, sa, data, len, NULL, &error) < 0)
    g_debug ("sending beacon by unicast: %s", error->message);
}

/* to the subnet's broadcast, and by unicast to the peers beyond it (all of
 * them, or @only) */
static void
send_beacon_to (GcBeaconService *self, guint flags, guint32 only)
{
  g_autoptr (GBytes) beacon = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const gchar *data;

  if (self->socket == NULL || self->self_announcement == NULL)
    return;
  beacon = gc_beacon_build_full (self->self_announcement, self->key, g_get_real_time (),
                                 flags, &error);
  if (beacon == NULL)
    {
      g_warning ("cannot build beacon: %s", error->message);
      return;
    }
  data = g_bytes_get_data (beacon, &len);
  if (only != 0)
    {
      send_unicast (self, only, data, len);
      return;
    }
  /* non-blocking: a full buffer or a downed link loses one beacon, no more */
  if (g_socket_send_to (self->socket, self->broadcast, data, len, NULL, &error) < 0)
    g_debug ("sending beacon: %s", error->message);
  if (self->far != NULL)
    {
      gint64 now = g_get_monotonic_time ();
      g_autoptr (GArray) to = gc_far_peers_destinations (self->far, now);

      gc_far_peers_resolve (self->far, now);
      for (guint i = 0; i < to->len; i++)
        send_unicast (self, g_array_index (to, guint32, i), data, len);
    }
}

static void
send_beacon (GcBeaconService *self, guint flags)
{
  send_beacon_to (self, flags, 0);
}

static gboolean
send_cb (gpointer user_data)
{
  send_beacon (user_data, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
take_token (gdouble *tokens, gint64 *at, gint64 now, gdouble rate, gdouble burst)
{
  *tokens += (gdouble) (now - *at) * rate / G_USEC_PER_SEC;
  *at = now;
  if (*tokens > burst)
    *tokens = burst;
  if (*tokens < 1.0)
    return FALSE;
  *tokens -= 1.0;
  return TRUE;
}

/* the table of senders is bounded: when full, those quiet for a while go;
 * when all are busy (a flood from made-up addresses), it starts afresh */
static Bucket *
sender_bucket (GcBeaconService *self, guint32 addr, gint64 now)
{
  Bucket *b = g_hash_table_lookup (self->senders, GUINT_TO_POINTER (addr));
  GHashTableIter iter;
  gpointer value;

  if (b != NULL)
    return b;
  if (g_hash_table_size (self->senders) >= GC_BEACON_SERVICE_MAX_SENDERS)
    {
      g_hash_table_iter_init (&iter, self->senders);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (now - ((Bucket *) value)->at > 2 * G_USEC_PER_SEC)
          g_hash_table_iter_remove (&iter);
      if (g_hash_table_size (self->senders) >= GC_BEACON_SERVICE_MAX_SENDERS)
        g_hash_table_remove_all (self->senders);
    }
  b = g_new0 (Bucket, 1);
  b->tokens = GC_BEACON_SERVICE_SENDER_BURST;
  b->at = now;
  g_hash_table_insert (self->senders, GUINT_TO_POINTER (addr), b);
  return b;
}

static void
note_limited (Bucket *b, gboolean over, GInetAddress *from)
{
  g_autofree gchar *text = NULL;

  if (over)
    b->dropped++;
  if (over == b->limited)
    return;
  /* logged when it starts and when it ends, not per datagram */
  b->limited = over;
  text = g_inet_address_to_string (from);
  if (over)
    g_message ("beacons from %s come faster than %u a second: dropping the excess", text,
               GC_BEACON_SERVICE_SENDER_RATE);
  else
    {
      g_message ("beacons from %s are back under %u a second (%" G_GUINT64_FORMAT " dropped)",
                 text, GC_BEACON_SERVICE_SENDER_RATE, b->dropped);
      b->dropped = 0;
    }
}

/* the cheap check, then the sender's bucket, then the one for all */
static gboolean
admit (GcBeaconService *self, const guint8 *buf, gsize len, GSocketAddress *from)
{
  GInetAddress *ia;
  guint32 addr = 0;
  gint64 now = g_get_monotonic_time ();
  Bucket *b;
  gboolean ok;

  if (!G_IS_INET_SOCKET_ADDRESS (from))
    return FALSE;
  if (!gc_beacon_looks_valid (buf, len))
    {
      self->rejected++;
      return FALSE;
    }
  ia = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from));
  if (g_inet_address_get_family (ia) == G_SOCKET_FAMILY_IPV4)
    memcpy (&addr, g_inet_address_to_bytes (ia), 4);
  b = sender_bucket (self, addr, now);
  ok = take_token (&b->tokens, &b->at, now, GC_BEACON_SERVICE_SENDER_RATE,
                   GC_BEACON_SERVICE_SENDER_BURST);
  note_limited (b, !ok, ia);
  if (ok)
    ok = take_token (&self->tokens, &self->tokens_at, now, GC_BEACON_SERVICE_RATE,
                     GC_BEACON_SERVICE_BURST);
  if (!ok)
    self->dropped++;
  return ok;
}

/* once per agent (and run): which agent is not paired, and why */
static void
note_unpaired (GcBeaconService *self, const GcAnnouncement *a, const gchar *address,
               const gchar *why)
{
  if (a->id == NULL || g_hash_table_contains (self->unpaired_said, a->id))
    return;
  if (g_hash_table_size (self->unpaired_said) >= UNPAIRED_SAID_MAX)
    g_hash_table_remove_all (self->unpaired_said);
  g_hash_table_add (self->unpaired_said, g_strdup (a->id));
  g_message ("%s at %s (%s) is not paired with this site: %s (it has another site key, or "
             "none); listed as not paired, and requests to it are refused",
             a->name != NULL ? a->name : "an agent", address, a->id,
             g_str_has_suffix (why, "not signed") ? "its beacons are not signed"
                                                  : "its beacons are signed with another key");
}

/* an agent beyond the router that beacons to us hears nothing of our
 * broadcast: it gets our beacons by unicast while it is heard, the first
 * one at once */
static void
answer_far (GcBeaconService *self, GSocketAddress *from)
{
  GInetAddress *ia = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from));
  guint32 a;

  if (self->far == NULL || g_inet_address_get_family (ia) != G_SOCKET_FAMILY_IPV4)
    return;
  memcpy (&a, g_inet_address_to_bytes (ia), 4);
  if (gc_far_peers_heard (self->far, GUINT32_FROM_BE (a), g_get_monotonic_time ()))
    {
      g_autofree gchar *text = g_inet_address_to_string (ia);

      g_message ("an agent at %s, beyond this subnet, beacons to us: answering it by unicast",
                 text);
      send_beacon_to (self, 0, GUINT32_FROM_BE (a));
    }
}

static void
handle_datagram (GcBeaconService *self, const guint8 *buf, gsize len,
                 GSocketAddress *from)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *address = NULL;
  gint64 ts = 0;
  guint flags = 0;

  if (!G_IS_INET_SOCKET_ADDRESS (from))
    return;
  address = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));
  if (!gc_beacon_parse_full (buf, len, self->key, &a, &ts, &flags, &error))
    {
      self->rejected++;
      /* an agent with another site key, or none: not dropped in silence.
       * what its beacon says goes in unsigned (the peer table lists it as
       * not verified, and nothing signed is changed by it); a goodbye from
       * it is not taken */
      if (self->key != NULL && g_error_matches (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED))
        {
          gc_announcement_clear (&a);
          if (gc_beacon_parse_full (buf, len, NULL, &a, NULL, &flags, NULL)
              && !(flags & GC_BEACON_FLAG_LEAVING))
            {
              self->unpaired++;
              note_unpaired (self, &a, address, error->message);
              answer_far (self, from);
              g_signal_emit (self, signals[SIGNAL_RECEIVED], 0, &a, address, (gint64) 0);
              return;
            }
        }
      g_debug ("dropping beacon from %s: %s", address, error->message);
      return;
    }
  if (self->key != NULL && ABS (g_get_real_time () - ts) > MAX_CLOCK_SKEW_US)
    {
      self->rejected++;
      g_debug ("dropping beacon from %s: timestamp out of range", address);
      return;
    }
  /* the MAC covers the address the sender put in: a signed beacon sent
   * again from another host is not that agent */
  if (self->key != NULL && g_strcmp0 (a.address, address) != 0)
    {
      self->rejected++;
      g_debug ("dropping beacon from %s: signed for %s", address,
               a.address != NULL ? a.address : "no address");
      return;
    }
  if (flags & GC_BEACON_FLAG_LEAVING)
    g_signal_emit (self, signals[SIGNAL_LEAVING], 0, a.id, address);
  else
    {
      answer_far (self, from);
      g_signal_emit (self, signals[SIGNAL_RECEIVED], 0, &a, address,
                     self->key != NULL ? ts : (gint64) 0);
    }
}

static gboolean
recv_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  GcBeaconService *self = user_data;

  /* a handler may stop the service: keep it alive to the end of the loop */
  g_object_ref (self);
  /* bounded: the rest waits for the next dispatch, other sources run between */
  for (guint i = 0; i < GC_BEACON_SERVICE_MAX_PER_DISPATCH && self->socket != NULL; i++)
    {
      /* one more than the limit, so an oversized datagram is seen as such */
      guint8 buf[GC_BEACON_MAX_SIZE + 1];
      g_autoptr (GSocketAddress) from = NULL;
      g_autoptr (GError) error = NULL;
      gssize n;

      n = g_socket_receive_from (socket, &from, (gchar *) buf, sizeof buf, NULL, &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("receiving beacon: %s", error->message);
          break;
        }
      if (admit (self, buf, (gsize) n, from))
        handle_datagram (self, buf, (gsize) n, from);
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
bind_to_device (GSocket *socket, const gchar *iface, GError **error)
{
  int fd = g_socket_get_fd (socket);

  if (setsockopt (fd, SOL_SOCKET, SO_BINDTODEVICE, iface, strlen (iface) + 1) < 0)
    {
      int errsv = errno;

      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "binding to interface %s: %s",
                   iface, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

gboolean
gc_beacon_service_start (GcBeaconService *self, const GcAnnouncement *self_announcement,
                         gboolean send, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) any = NULL;
  g_autoptr (GSocketAddress) bind_addr = NULL;

  g_return_val_if_fail (GC_IS_BEACON_SERVICE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->socket == NULL, FALSE);

  if (self->iface != NULL && if_nametoindex (self->iface) == 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND, "no interface %s", self->iface);
      return FALSE;
    }
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    {
      g_prefix_error (error, "making beacon socket: ");
      return FALSE;
    }
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_broadcast (socket, TRUE);
  if (self->iface != NULL && !bind_to_device (socket, self->iface, error))
    return FALSE;
  /* the wildcard address: broadcasts are delivered only to it. allow_reuse
   * sets SO_REUSEADDR and, for UDP, SO_REUSEPORT, so agents can share a host */
  any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  bind_addr = g_inet_socket_address_new (any, self->port);
  if (!g_socket_bind (socket, bind_addr, TRUE, error))
    {
      g_prefix_error (error, "binding beacon socket to port %u: ", self->port);
      return FALSE;
    }

  self->socket = g_steal_pointer (&socket);
  self->broadcast = broadcast_address (self->iface, self->port, &self->local, &self->netmask);
  if (self->far != NULL)
    gc_far_peers_set_local (self->far, self->local, self->netmask);
  self->tokens = GC_BEACON_SERVICE_BURST;
  self->tokens_at = g_get_monotonic_time ();
  self->send = send;
  if (self_announcement != NULL)
    {
      g_clear_pointer (&self->self_announcement, gc_announcement_free);
      self->self_announcement = gc_announcement_copy (self_announcement);
    }

  self->recv_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->recv_source, G_SOURCE_FUNC (recv_cb), self, NULL);
  g_source_set_static_name (self->recv_source, "[gc] beacon receive");
  g_source_attach (self->recv_source, NULL);

  if (send)
    {
      self->send_id = g_timeout_add (self->interval_ms, send_cb, self);
      send_beacon (self, 0);
    }
  return TRUE;
}

static gboolean
soon_cb (gpointer user_data)
{
  GcBeaconService *self = user_data;

  self->soon_id = 0;
  self->prompt_at = g_get_monotonic_time ();
  send_beacon (self, 0);
  return G_SOURCE_REMOVE;
}

/* a beacon now, not at the next interval: a new peer (or one with our id)
 * learns of us at once instead of up to an interval later. spaced at least
 * GC_BEACON_SERVICE_PROMPT_MS apart, so made-up peers cannot make us
 * flood: one that comes sooner goes out at the end of the spacing */
void
gc_beacon_service_send_soon (GcBeaconService *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 wait_us;

  g_return_if_fail (GC_IS_BEACON_SERVICE (self));

  if (!self->send || self->socket == NULL || self->soon_id != 0)
    return;
  wait_us = self->prompt_at + GC_BEACON_SERVICE_PROMPT_MS * 1000 - now;
  if (wait_us <= 0)
    {
      self->prompt_at = now;
      send_beacon (self, 0);
      return;
    }
  self->soon_id = g_timeout_add ((guint) (wait_us / 1000) + 1, soon_cb, self);
}

/* signed (and checked) with @key from now on; a signed beacon goes out at once */
void
gc_beacon_service_set_key (GcBeaconService *self, GBytes *key)
{
  g_return_if_fail (GC_IS_BEACON_SERVICE (self));

  g_clear_pointer (&self->key, g_bytes_unref);
  self->key = key != NULL && g_bytes_get_size (key) > 0 ? g_bytes_ref (key) : NULL;
  if (self->send && self->self_announcement != NULL)
    send_beacon (self, 0);
}

/* new contents go out at once, not a whole interval later */
void
gc_beacon_service_set_announcement (GcBeaconService *self, const GcAnnouncement *a)
{
  g_return_if_fail (GC_IS_BEACON_SERVICE (self));
  g_return_if_fail (a != NULL);

  g_clear_pointer (&self->self_announcement, gc_announcement_free);
  self->self_announcement = gc_announcement_copy (a);
  if (self->send)
    send_beacon (self, 0);
}

/* beacons go by unicast beyond the subnet too (@far: owned by the service
 * from now on; NULL: none); set before start */
void
gc_beacon_service_set_far_peers (GcBeaconService *self, GcFarPeers *far)
{
  g_return_if_fail (GC_IS_BEACON_SERVICE (self));

  g_clear_pointer (&self->far, gc_far_peers_free);
  self->far = far;
  if (far != NULL)
    gc_far_peers_set_local (far, self->local, self->netmask);
}

void
gc_beacon_service_stop (GcBeaconService *self)
{
  g_return_if_fail (GC_IS_BEACON_SERVICE (self));

  /* a goodbye, so peers drop us now rather than after 3 missed beacons */
  if (self->send_id != 0)
    send_beacon (self, GC_BEACON_FLAG_LEAVING);
  g_clear_handle_id (&self->send_id, g_source_remove);
  g_clear_handle_id (&self->soon_id, g_source_remove);
  if (self->recv_source != NULL)
    {
      g_source_destroy (self->recv_source);
      g_clear_pointer (&self->recv_source, g_source_unref);
    }
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->broadcast);
  g_hash_table_remove_all (self->senders);
}

guint16
gc_beacon_service_get_port (GcBeaconService *self)
{
  g_return_val_if_fail (GC_IS_BEACON_SERVICE (self), 0);
  return self->port;
}

guint64
gc_beacon_service_get_dropped (GcBeaconService *self)
{
  g_return_val_if_fail (GC_IS_BEACON_SERVICE (self), 0);
  return self->dropped;
}

guint64
gc_beacon_service_get_rejected (GcBeaconService *self)
{
  g_return_val_if_fail (GC_IS_BEACON_SERVICE (self), 0);
  return self->rejected;
}
