/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcAvahi"

#include "config.h"

#include "gc-avahi.h"

#include "gc-error.h"
#include "gc-txt.h"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-glib/glib-watch.h>
#include <net/if.h>
#include <string.h>

/* ---- publish and browse ---------------------------------------------- */

/* mDNS instance names are at most 63 bytes */
#define MAX_SERVICE_NAME 63

struct _GcAvahi
{
  GObject parent_instance;

  gchar *iface;
  GBytes *key;            /* records are signed and checked with it */
  AvahiIfIndex ifindex;
  GcAnnouncement *self_announcement;
  gchar *service_name; /* avahi-allocated: may be an alternative name */

  AvahiGLibPoll *poll;
  AvahiClient *client;
  AvahiEntryGroup *group;
  AvahiServiceBrowser *browser;
  GHashTable *services; /* "if/proto/name/domain" → Service */
  guint reconnect_id;
  guint republish_id;
  gboolean running;
  gboolean unavailable;   /* said once that the daemon is missing or gone */
};

G_DEFINE_FINAL_TYPE (GcAvahi, gc_avahi, G_TYPE_OBJECT)

enum
{
  SIGNAL_FOUND,
  SIGNAL_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GcAvahi *self;
  AvahiServiceResolver *resolver;
  gchar *id; /* from the TXT record, once resolved */
  gboolean verified; /* its record carried a valid MAC */
} Service;

static void
service_free (Service *s)
{
  if (s->resolver != NULL)
    avahi_service_resolver_free (s->resolver);
  g_free (s->id);
  g_free (s);
}

static void connect_client (GcAvahi *self);
static void create_services (GcAvahi *self, AvahiClient *client);

/* another service still names @id (a signed one, with @verified_only: a
 * forged record must not keep a signed peer's mDNS path alive) */
static gboolean
id_still_seen (GcAvahi *self, const gchar *id, gboolean verified_only)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->services);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (((Service *) value)->id, id) == 0
        && (!verified_only || ((Service *) value)->verified))
      return TRUE;
  return FALSE;
}

/* every service we saw is gone with the daemon: report each id once */
static void
forget_services (GcAvahi *self)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->services);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Service *s = value;

      if (s->id != NULL && !g_ptr_array_find_with_equal_func (ids, s->id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (s->id));
    }
  g_hash_table_remove_all (self->services);
  for (guint i = 0; i < ids->len; i++)
    g_signal_emit (self, signals[SIGNAL_LOST], 0, g_ptr_array_index (ids, i));
}

static void
free_client (GcAvahi *self)
{
  g_clear_handle_id (&self->republish_id, g_source_remove);
  forget_services (self);
  g_clear_pointer (&self->browser, avahi_service_browser_free);
  g_clear_pointer (&self->group, avahi_entry_group_free);
  g_clear_pointer (&self->client, avahi_client_free);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  GcAvahi *self = user_data;

  self->reconnect_id = 0;
  free_client (self);
  if (self->running)
    connect_client (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (GcAvahi *self, guint delay_ms)
{
  /* never from inside an avahi callback: the objects are still in use */
  if (self->reconnect_id == 0)
    self->reconnect_id = g_timeout_add (delay_ms, reconnect_cb, self);
}

static void
resolve_cb (AvahiServiceResolver *r, AvahiIfIndex interface, AvahiProtocol protocol,
            AvahiResolverEvent event, const char *name, const char *type,
            const char *domain, const char *host_name, const AvahiAddress *address,
            uint16_t port, AvahiStringList *txt, AvahiLookupResultFlags flags,
            void *userdata)
{
  Service *s = userdata;
  GcAvahi *self = s->self;
  g_auto (GcAnnouncement) a = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *mac = NULL;
  guint8 buf[GC_TXT_MAX_SIZE];
  gchar addr[AVAHI_ADDRESS_STR_MAX];
  gint64 ts = 0, signed_ts = 0;
  gsize len;

  if (event == AVAHI_RESOLVER_FAILURE)
    {
      g_debug ("resolving “%s”: %s", name,
               avahi_strerror (avahi_client_errno (avahi_service_resolver_get_client (r))));
      /* the record stays, so a later remove event still finds the id */
      avahi_service_resolver_free (r);
      s->resolver = NULL;
      return;
    }
  if (address == NULL || address->proto != AVAHI_PROTO_INET)
    return;
  len = avahi_string_list_serialize (txt, buf, sizeof buf);
  if (!gc_txt_parse_full (buf, len, &a, &ts, &mac, &error))
    {
      g_debug ("ignoring service “%s”: %s", name, error->message);
      return;
    }
  a.control_port = port;
  avahi_address_snprint (addr, sizeof addr, address);
  /* the MAC covers the address the record resolved to: a signed record
   * copied to another host does not verify there */
  if (self->key != NULL && gc_txt_verify (&a, self->key, addr, ts, mac))
    signed_ts = ts;
  else if (self->key != NULL)
    g_debug ("service “%s” at %s: record %s", name, addr,
             mac == NULL ? "is not signed" : "has a wrong MAC");

  if (s->id != NULL && g_strcmp0 (s->id, a.id) != 0)
    {
      g_autofree gchar *old = g_steal_pointer (&s->id);

      if (!id_still_seen (self, old, s->verified))
        g_signal_emit (self, signals[SIGNAL_LOST], 0, old);
    }
  if (s->id == NULL)
    s->id = g_strdup (a.id);
  s->verified = signed_ts > 0;
  g_signal_emit (self, signals[SIGNAL_FOUND], 0, &a, addr, signed_ts);
}

static gchar *
service_key (AvahiIfIndex interface, AvahiProtocol protocol, const char *name,
             const char *domain)
{
  return g_strdup_printf ("%d/%d/%s/%s", interface, protocol, name, domain);
}

static void
browse_cb (AvahiServiceBrowser *b, AvahiIfIndex interface, AvahiProtocol protocol,
           AvahiBrowserEvent event, const char *name, const char *type,
           const char *domain, AvahiLookupResultFlags flags, void *userdata)
{
  GcAvahi *self = userdata;
  g_autofree gchar *key = NULL;

  switch (event)
    {
    case AVAHI_BROWSER_NEW:
      {
        Service *s;

        /* our own service is resolved too (the table ignores our id): when
         * another agent takes over a name we gave up after a collision,
         * avahi folds the remove and the new into nothing, and only the
         * open resolver sees the change */
        key = service_key (interface, protocol, name, domain);
        if (g_hash_table_contains (self->services, key))
          return;
        s = g_new0 (Service, 1);
        s->self = self;
        /* kept open: it reports every later change of the TXT record */
        s->resolver = avahi_service_resolver_new (avahi_service_browser_get_client (b),
                                                  interface, protocol, name, type,
                                                  domain, AVAHI_PROTO_INET, 0,
                                                  resolve_cb, s);
        if (s->resolver == NULL)
          g_debug ("cannot resolve “%s”: %s", name,
                   avahi_strerror (avahi_client_errno (avahi_service_browser_get_client (b))));
        g_hash_table_insert (self->services, g_steal_pointer (&key), s);
        break;
      }
    case AVAHI_BROWSER_REMOVE:
      {
        Service *s;
        g_autofree gchar *id = NULL;
        gboolean verified;

        key = service_key (interface, protocol, name, domain);
        s = g_hash_table_lookup (self->services, key);
        if (s == NULL)
          return;
        id = g_steal_pointer (&s->id);
        verified = s->verified;
        g_hash_table_remove (self->services, key);
        if (id != NULL && !id_still_seen (self, id, verified))
          g_signal_emit (self, signals[SIGNAL_LOST], 0, id);
        break;
      }
    case AVAHI_BROWSER_FAILURE:
      g_warning ("browsing %s: %s", GC_MDNS_TYPE,
                 avahi_strerror (avahi_client_errno (avahi_service_browser_get_client (b))));
      schedule_reconnect (self, 5000);
      break;
    case AVAHI_BROWSER_CACHE_EXHAUSTED:
    case AVAHI_BROWSER_ALL_FOR_NOW:
    default:
      break;
    }
}

static gchar *truncate_name (const gchar *name);

/* the first alternative carries a piece of our id: two agents that started
 * together with one name would otherwise both move to "NAME #2", collide
 * again, and go on in step (avahi spaces re-registrations 1 s apart, which
 * keeps them in step). after that, avahi's own "#N" series */
static void
take_alternative_name (GcAvahi *self)
{
  gchar *base = truncate_name (self->self_announcement->name);
  gboolean first = g_strcmp0 (self->service_name, base) == 0;
  gchar *alt;

  avahi_free (base);
  if (first && self->self_announcement->id != NULL)
    {
      g_autofree gchar *with_id = g_strdup_printf ("%s (%.4s)", self->self_announcement->name,
                                                   self->self_announcement->id);
      gsize max = MAX_SERVICE_NAME - strlen (" (xxxx)");
      g_autofree gchar *short_name = NULL;

      /* keep the id piece when the name is long: cut the name, not the id */
      if (strlen (with_id) > MAX_SERVICE_NAME)
        {
          const gchar *end = self->self_announcement->name;

          for (const gchar *p = end; *p != '\0'; p = g_utf8_next_char (p))
            {
              if ((gsize) (g_utf8_next_char (p) - self->self_announcement->name) > max)
                break;
              end = g_utf8_next_char (p);
            }
          short_name = g_strndup (self->self_announcement->name,
                                  end - self->self_announcement->name);
          g_free (with_id);
          with_id = g_strdup_printf ("%s (%.4s)", short_name, self->self_announcement->id);
        }
      alt = avahi_strdup (with_id);
    }
  else
    alt = avahi_alternative_service_name (self->service_name);

  g_message ("service name “%s” is taken on the network, using “%s”",
             self->service_name, alt);
  avahi_free (self->service_name);
  self->service_name = alt;
}

static gboolean
republish_cb (gpointer user_data)
{
  GcAvahi *self = user_data;

  self->republish_id = 0;
  if (self->client != NULL && avahi_client_get_state (self->client) == AVAHI_CLIENT_S_RUNNING)
    create_services (self, self->client);
  return G_SOURCE_REMOVE;
}

static void
group_cb (AvahiEntryGroup *g, AvahiEntryGroupState state, void *userdata)
{
  GcAvahi *self = userdata;

  switch (state)
    {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
      g_info ("published “%s” (%s)", self->service_name, GC_MDNS_TYPE);
      break;
    case AVAHI_ENTRY_GROUP_COLLISION:
      /* the entries were withdrawn: pick the next name and publish again,
       * after a random pause, or two agents that started together with one
       * name keep taking the same next name and colliding again */
      take_alternative_name (self);
      avahi_entry_group_reset (g);
      g_clear_handle_id (&self->republish_id, g_source_remove);
      self->republish_id = g_timeout_add (g_random_int_range (50, 1000), republish_cb, self);
      break;
    case AVAHI_ENTRY_GROUP_FAILURE:
      g_warning ("publishing “%s”: %s", self->service_name,
                 avahi_strerror (avahi_client_errno (avahi_entry_group_get_client (g))));
      break;
    case AVAHI_ENTRY_GROUP_UNCOMMITED:
    case AVAHI_ENTRY_GROUP_REGISTERING:
    default:
      break;
    }
}

static AvahiStringList *
make_txt (GcAvahi *self)
{
  const GcAnnouncement *a = self->self_announcement;
  /* signed at the time it is made: a later record has a later stamp */
  g_auto (GStrv) strv = self->key != NULL && a->address != NULL
                        ? gc_txt_build_signed (a, self->key, a->address, g_get_real_time ())
                        : gc_txt_build (a);

  return avahi_string_list_new_from_array ((const char **) strv, -1);
}

static void
create_services (GcAvahi *self, AvahiClient *client)
{
  AvahiStringList *txt;
  int ret = 0;

  if (self->self_announcement == NULL)
    return;
  if (self->group == NULL)
    {
      /* the callback may run inside avahi_entry_group_new: it uses its argument */
      self->group = avahi_entry_group_new (client, group_cb, self);
      if (self->group == NULL)
        {
          g_warning ("cannot make avahi entry group: %s",
                     avahi_strerror (avahi_client_errno (client)));
          return;
        }
    }
  if (!avahi_entry_group_is_empty (self->group))
    return;

  txt = make_txt (self);
  /* bounded: a collision here is a name taken locally */
  for (guint tries = 0; tries < 16; tries++)
    {
      ret = avahi_entry_group_add_service_strlst (self->group, self->ifindex,
                                                  AVAHI_PROTO_INET, 0,
                                                  self->service_name, GC_MDNS_TYPE,
                                                  NULL, NULL,
                                                  self->self_announcement->control_port,
                                                  txt);
      if (ret != AVAHI_ERR_COLLISION)
        break;
      take_alternative_name (self);
      avahi_entry_group_reset (self->group);
    }
  avahi_string_list_free (txt);
  if (ret < 0)
    {
      g_warning ("adding service “%s”: %s", self->service_name, avahi_strerror (ret));
      return;
    }
  ret = avahi_entry_group_commit (self->group);
  if (ret < 0)
    g_warning ("publishing service “%s”: %s", self->service_name, avahi_strerror (ret));
}

static void
start_browser (GcAvahi *self, AvahiClient *client)
{
  if (self->browser != NULL)
    return;
  self->browser = avahi_service_browser_new (client, self->ifindex, AVAHI_PROTO_INET,
                                             GC_MDNS_TYPE, NULL, 0, browse_cb, self);
  if (self->browser == NULL)
    g_warning ("cannot browse %s: %s", GC_MDNS_TYPE,
               avahi_strerror (avahi_client_errno (client)));
}

/* a missing daemon is said once, when it starts (not at every retry), and
 * once more when the daemon is back */
static void
note_unavailable (GcAvahi *self, const gchar *why)
{
  if (self->unavailable)
    {
      g_debug ("avahi-daemon still unavailable: %s", why);
      return;
    }
  self->unavailable = TRUE;
  g_message ("avahi-daemon is not available (%s): no mDNS until it is back", why);
}

static void
client_cb (AvahiClient *c, AvahiClientState state, void *userdata)
{
  GcAvahi *self = userdata;

  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
      if (self->unavailable)
        g_message ("avahi-daemon is back: mDNS publishing and browsing again");
      else
        g_info ("avahi-daemon is running");
      self->unavailable = FALSE;
      create_services (self, c);
      start_browser (self, c);
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      /* the host name is being (re)registered: publish again once running */
      if (self->group != NULL)
        avahi_entry_group_reset (self->group);
      break;
    case AVAHI_CLIENT_FAILURE:
      note_unavailable (self, avahi_client_errno (c) == AVAHI_ERR_DISCONNECTED
                              ? "it went away"
                              : avahi_strerror (avahi_client_errno (c)));
      schedule_reconnect (self, avahi_client_errno (c) == AVAHI_ERR_DISCONNECTED ? 0 : 5000);
      break;
    case AVAHI_CLIENT_CONNECTING:
      /* NO_FAIL: the bus is there, the daemon is not (yet) */
      note_unavailable (self, "not running; waiting for it");
      break;
    default:
      break;
    }
}

static void
connect_client (GcAvahi *self)
{
  int err = 0;

  /* NO_FAIL: with no daemon the client waits in CONNECTING instead of failing */
  self->client = avahi_client_new (avahi_glib_poll_get (self->poll), AVAHI_CLIENT_NO_FAIL,
                                   client_cb, self, &err);
  if (self->client == NULL)
    {
      note_unavailable (self, avahi_strerror (err));
      schedule_reconnect (self, 5000);
    }
}

static void
gc_avahi_dispose (GObject *object)
{
  GcAvahi *self = GC_AVAHI (object);

  gc_avahi_stop (self);
  G_OBJECT_CLASS (gc_avahi_parent_class)->dispose (object);
}

static void
gc_avahi_finalize (GObject *object)
{
  GcAvahi *self = GC_AVAHI (object);

  g_clear_pointer (&self->services, g_hash_table_unref);
  g_clear_pointer (&self->self_announcement, gc_announcement_free);
  g_clear_pointer (&self->service_name, avahi_free);
  g_clear_pointer (&self->iface, g_free);
  g_clear_pointer (&self->key, g_bytes_unref);
  G_OBJECT_CLASS (gc_avahi_parent_class)->finalize (object);
}

static void
gc_avahi_class_init (GcAvahiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_avahi_dispose;
  object_class->finalize = gc_avahi_finalize;

  /* found (const GcAnnouncement *a, const gchar *address, gint64 signed_ts):
   * resolved or changed; signed_ts is the record's stamp when it carried a
   * valid MAC (with a key), else 0 */
  signals[SIGNAL_FOUND] =
    g_signal_new ("found", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_POINTER, G_TYPE_STRING,
                  G_TYPE_INT64);
  /* lost (const gchar *id): no service of that agent is seen any more */
  signals[SIGNAL_LOST] =
    g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
gc_avahi_init (GcAvahi *self)
{
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) service_free);
  self->ifindex = AVAHI_IF_UNSPEC;
}

GcAvahi *
gc_avahi_new (const gchar *iface)
{
  GcAvahi *self = g_object_new (GC_TYPE_AVAHI, NULL);

  self->iface = g_strdup (iface);
  return self;
}

static void
update_txt (GcAvahi *self)
{
  AvahiStringList *txt = make_txt (self);
  int ret;

  ret = avahi_entry_group_update_service_txt_strlst (self->group, self->ifindex, AVAHI_PROTO_INET,
                                                     0, self->service_name, GC_MDNS_TYPE, NULL,
                                                     txt);
  avahi_string_list_free (txt);
  if (ret < 0)
    g_warning ("updating TXT of “%s”: %s", self->service_name, avahi_strerror (ret));
}

/* our records are signed with @key (for the announcement's address), and
 * others' are checked with it; records already published are signed anew */
void
gc_avahi_set_key (GcAvahi *self, GBytes *key)
{
  g_return_if_fail (GC_IS_AVAHI (self));
  g_clear_pointer (&self->key, g_bytes_unref);
  self->key = key != NULL ? g_bytes_ref (key) : NULL;
  if (self->group != NULL && self->client != NULL && self->self_announcement != NULL
      && avahi_client_get_state (self->client) == AVAHI_CLIENT_S_RUNNING
      && !avahi_entry_group_is_empty (self->group))
    update_txt (self);
}

static gchar *
truncate_name (const gchar *name)
{
  /* avahi-allocated: freed with avahi_free */
  const gchar *end = name;

  /* at a character boundary, never inside one */
  for (const gchar *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      const gchar *next = g_utf8_next_char (p);

      if (next - name > MAX_SERVICE_NAME)
        break;
      end = next;
    }
  return avahi_strndup (name, end - name);
}

/* publishing and browsing start when avahi-daemon is there, now or later */
void
gc_avahi_start (GcAvahi *self, const GcAnnouncement *self_announcement)
{
  g_return_if_fail (GC_IS_AVAHI (self));
  g_return_if_fail (self_announcement != NULL);

  if (self->running)
    return;
  self->running = TRUE;
  g_clear_pointer (&self->self_announcement, gc_announcement_free);
  self->self_announcement = gc_announcement_copy (self_announcement);
  g_clear_pointer (&self->service_name, avahi_free);
  self->service_name = truncate_name (self_announcement->name);
  if (self->iface != NULL)
    {
      guint idx = if_nametoindex (self->iface);

      self->ifindex = idx != 0 ? (AvahiIfIndex) idx : AVAHI_IF_UNSPEC;
    }
  self->poll = avahi_glib_poll_new (NULL, G_PRIORITY_DEFAULT);
  connect_client (self);
}

/* a new TXT record goes out in place; a new name needs a new service */
void
gc_avahi_update (GcAvahi *self, const GcAnnouncement *self_announcement)
{
  gboolean renamed;

  g_return_if_fail (GC_IS_AVAHI (self));
  g_return_if_fail (self_announcement != NULL);

  if (self->self_announcement != NULL
      && gc_announcement_equal (self->self_announcement, self_announcement))
    return;
  renamed = self->self_announcement == NULL
            || g_strcmp0 (self->self_announcement->name, self_announcement->name) != 0
            || self->self_announcement->control_port != self_announcement->control_port;
  g_clear_pointer (&self->self_announcement, gc_announcement_free);
  self->self_announcement = gc_announcement_copy (self_announcement);
  if (renamed)
    {
      g_clear_pointer (&self->service_name, avahi_free);
      self->service_name = truncate_name (self_announcement->name);
    }
  if (self->group == NULL || self->client == NULL
      || avahi_client_get_state (self->client) != AVAHI_CLIENT_S_RUNNING)
    return;
  if (renamed || avahi_entry_group_is_empty (self->group))
    {
      avahi_entry_group_reset (self->group);
      create_services (self, self->client);
    }
  else
    update_txt (self);
}

void
gc_avahi_stop (GcAvahi *self)
{
  g_return_if_fail (GC_IS_AVAHI (self));

  self->running = FALSE;
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  /* freeing the group withdraws the service: peers get a goodbye at once */
  free_client (self);
  g_clear_pointer (&self->poll, avahi_glib_poll_free);
}

gboolean
gc_avahi_is_running (GcAvahi *self)
{
  g_return_val_if_fail (GC_IS_AVAHI (self), FALSE);
  return self->client != NULL
         && avahi_client_get_state (self->client) == AVAHI_CLIENT_S_RUNNING;
}

const gchar *
gc_avahi_get_service_name (GcAvahi *self)
{
  g_return_val_if_fail (GC_IS_AVAHI (self), NULL);
  return self->service_name;
}
