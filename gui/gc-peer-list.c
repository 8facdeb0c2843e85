/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPeerList"

#include "config.h"

#include "gc-peer-list.h"

#include <gtk/gtk.h>

/* the peers an agent knows, as a GListStore of GcPeerItem kept in step
 * with the agent's ObjectManager: peers appear and vanish by themselves,
 * and change in place (the item notifies) when their properties change.
 * the lists of one role are GtkFilterListModels over the store, refiltered
 * when a peer's Roles change */
struct _GcPeerList
{
  GObject parent_instance;

  GDBusObjectManager *manager;
  GListStore *store;   /* of GcPeerItem, in the order they came */
  GHashTable *peers;   /* object path → GcPeerItem, the same items */
  GPtrArray *filters;  /* of GtkFilter: the role models' filters */
  gboolean site_key;   /* the agent holds a site key: unverified is not paired */
  gchar *self_url;     /* the agent's own source, which is not among its peers */
  gchar *self_name;
  guint sweep_id;      /* drops offline items once they are old enough */
};

/* how long a peer the agent no longer lists stays, greyed ("Offline since
 * 10:42"): a board that lost its network for a lesson is still there to
 * be seen; GC_PEER_LIST_OFFLINE_KEEP_S overrides it (tests) */
#define OFFLINE_KEEP_S 600
#define SWEEP_S 10

G_DEFINE_FINAL_TYPE (GcPeerList, gc_peer_list, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MANAGER,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_peer_roles (GcPeerItem *peer,
               GParamSpec *pspec,
               GcPeerList *self)
{
  /* the filters read Roles, which the filter models do not watch */
  for (guint i = 0; i < self->filters->len; i++)
    gtk_filter_changed (g_ptr_array_index (self->filters, i), GTK_FILTER_CHANGE_DIFFERENT);
}

/* what each item says of the others: the name of the source it shows, and
 * whether it is paired with this site. a room has a few dozen peers at
 * most, so all of them are looked at again on each change */
enum
{
  SIGNAL_PEER_NOTIFY,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
relate (GcPeerList *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GcPeerItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      const gchar *current = gc_peer_item_get_current_source (item);
      const gchar *name = NULL;

      if (*current != '\0' && g_strcmp0 (current, self->self_url) == 0)
        name = self->self_name;
      for (guint j = 0; j < n && *current != '\0' && name == NULL; j++)
        {
          g_autoptr (GcPeerItem) other = g_list_model_get_item (G_LIST_MODEL (self->store), j);

          if (g_strcmp0 (gc_peer_item_get_url (other), current) == 0)
            name = gc_peer_item_get_name (other);
        }
      gc_peer_item_set_source_name (item, name);
      gc_peer_item_set_not_paired (item, self->site_key && !gc_peer_item_get_verified (item));
    }
  g_signal_emit (self, signals[SIGNAL_PEER_NOTIFY], 0);
}

static gint64
offline_keep_us (void)
{
  const gchar *s = g_getenv ("GC_PEER_LIST_OFFLINE_KEEP_S");
  guint64 v = OFFLINE_KEEP_S;

  if (s != NULL)
    g_ascii_string_to_unsigned (s, 10, 0, 86400, &v, NULL);
  return (gint64) v * G_USEC_PER_SEC;
}

static void drop_item (GcPeerList *self, const gchar *path);

static gboolean
sweep_cb (gpointer data)
{
  GcPeerList *self = data;
  gint64 now = g_get_real_time ();
  gint64 keep = offline_keep_us ();
  g_autoptr (GPtrArray) old = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;
  guint still_offline = 0;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 since = gc_peer_item_get_offline_since (value);

      if (since != 0 && now - since >= keep)
        g_ptr_array_add (old, g_strdup (key));
      else if (since != 0)
        still_offline++;
    }
  for (guint i = 0; i < old->len; i++)
    drop_item (self, g_ptr_array_index (old, i));
  /* nothing left to wait for: the next board that goes starts it again */
  if (still_offline == 0)
    {
      self->sweep_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_peer_related (GcPeerItem *peer,
                 GParamSpec *pspec,
                 GcPeerList *self)
{
  relate (self);
}

/* the agent's Authenticated: with a key, a peer that is not verified is
 * "not paired with this site" */
void
gc_peer_list_set_site_key (GcPeerList *self,
                           gboolean    site_key)
{
  g_return_if_fail (GC_IS_PEER_LIST (self));
  self->site_key = site_key;
  relate (self);
}

/* the agent's own source (its Url and Name): receivers showing it are
 * "Showing NAME" too */
void
gc_peer_list_set_self (GcPeerList  *self,
                       const gchar *url,
                       const gchar *name)
{
  g_return_if_fail (GC_IS_PEER_LIST (self));
  g_free (self->self_url);
  self->self_url = url != NULL && *url != '\0' ? g_strdup (url) : NULL;
  g_free (self->self_name);
  self->self_name = g_strdup (name);
  relate (self);
}

static void
add_object (GcPeerList  *self,
            GDBusObject *object)
{
  const gchar *path = g_dbus_object_get_object_path (object);
  GcDBusPeer1 *proxy;
  g_autoptr (GcPeerItem) peer = NULL;

  if (!GC_DBUS_IS_OBJECT (object))
    return;
  proxy = gc_dbus_object_peek_peer1 (GC_DBUS_OBJECT (object));
  if (proxy == NULL)
    return;
  /* back from offline: a fresh item takes its place */
  {
    GcPeerItem *old = g_hash_table_lookup (self->peers, path);

    if (old != NULL && gc_peer_item_get_offline_since (old) == 0)
      return;
    if (old != NULL)
      drop_item (self, path);
  }

  peer = gc_peer_item_new (proxy);
  g_signal_connect_object (peer, "notify::roles", G_CALLBACK (on_peer_roles), self, 0);
  g_signal_connect_object (peer, "notify::url", G_CALLBACK (on_peer_related), self, 0);
  g_signal_connect_object (peer, "notify::name", G_CALLBACK (on_peer_related), self, 0);
  g_signal_connect_object (peer, "notify::current-source", G_CALLBACK (on_peer_related), self,
                           0);
  g_signal_connect_object (peer, "notify::verified", G_CALLBACK (on_peer_related), self, 0);
  g_hash_table_insert (self->peers, g_strdup (path), g_object_ref (peer));
  g_list_store_append (self->store, peer);
  relate (self);
}

/* the agent no longer lists it: it stays, greyed, for a while */
static void
remove_path (GcPeerList  *self,
             const gchar *path)
{
  GcPeerItem *peer = g_hash_table_lookup (self->peers, path);

  if (peer == NULL || gc_peer_item_get_offline_since (peer) != 0)
    return;
  gc_peer_item_set_offline_since (peer, g_get_real_time ());
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add_seconds (MIN (SWEEP_S, MAX (1, offline_keep_us ()
                                                                  / G_USEC_PER_SEC)),
                                            sweep_cb, self);
  relate (self);
}

static void
drop_item (GcPeerList  *self,
           const gchar *path)
{
  GcPeerItem *peer = g_hash_table_lookup (self->peers, path);
  guint position;

  if (peer == NULL)
    return;
  g_signal_handlers_disconnect_by_func (peer, on_peer_roles, self);
  g_signal_handlers_disconnect_by_func (peer, on_peer_related, self);
  if (g_list_store_find (self->store, peer, &position))
    g_list_store_remove (self->store, position);
  g_hash_table_remove (self->peers, path);
  relate (self);
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 GcPeerList         *self)
{
  add_object (self, object);
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   GcPeerList         *self)
{
  remove_path (self, g_dbus_object_get_object_path (object));
}

static void
on_interface_added (GDBusObjectManager *manager,
                    GDBusObject        *object,
                    GDBusInterface     *interface,
                    GcPeerList         *self)
{
  add_object (self, object);
}

static void
on_interface_removed (GDBusObjectManager *manager,
                      GDBusObject        *object,
                      GDBusInterface     *interface,
                      GcPeerList         *self)
{
  if (GC_DBUS_IS_PEER1 (interface))
    remove_path (self, g_dbus_object_get_object_path (object));
}

static void
clear (GcPeerList *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_signal_handlers_disconnect_by_func (value, on_peer_roles, self);
      g_signal_handlers_disconnect_by_func (value, on_peer_related, self);
    }
  g_hash_table_remove_all (self->peers);
  g_list_store_remove_all (self->store);
}

GcPeerList *
gc_peer_list_new (void)
{
  return g_object_new (GC_TYPE_PEER_LIST, NULL);
}

GDBusObjectManager *
gc_peer_list_get_manager (GcPeerList *self)
{
  g_return_val_if_fail (GC_IS_PEER_LIST (self), NULL);

  return self->manager;
}

/* follow this manager's objects; NULL empties the list */
void
gc_peer_list_set_manager (GcPeerList         *self,
                          GDBusObjectManager *manager)
{
  g_autolist (GDBusObject) objects = NULL;

  g_return_if_fail (GC_IS_PEER_LIST (self));
  g_return_if_fail (manager == NULL || G_IS_DBUS_OBJECT_MANAGER (manager));

  if (self->manager == manager)
    return;
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  clear (self);
  g_set_object (&self->manager, manager);

  if (manager != NULL)
    {
      g_signal_connect (manager, "object-added", G_CALLBACK (on_object_added), self);
      g_signal_connect (manager, "object-removed", G_CALLBACK (on_object_removed), self);
      g_signal_connect (manager, "interface-added", G_CALLBACK (on_interface_added), self);
      g_signal_connect (manager, "interface-removed", G_CALLBACK (on_interface_removed), self);
      objects = g_dbus_object_manager_get_objects (manager);
      for (GList *l = objects; l != NULL; l = l->next)
        add_object (self, l->data);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MANAGER]);
}

/* every peer, whatever its roles; owned by the list */
GListModel *
gc_peer_list_get_model (GcPeerList *self)
{
  g_return_val_if_fail (GC_IS_PEER_LIST (self), NULL);

  return G_LIST_MODEL (self->store);
}

static gboolean
has_role (gpointer item,
          gpointer user_data)
{
  return gc_peer_item_has_role (GC_PEER_ITEM (item), user_data);
}

/* the peers that announce role ("receiver", "source"), as a new
 * GtkFilterListModel over the list; a peer moves in or out of it when its
 * Roles change */
GListModel *
gc_peer_list_new_role_model (GcPeerList  *self,
                             const gchar *role)
{
  GtkCustomFilter *filter;

  g_return_val_if_fail (GC_IS_PEER_LIST (self), NULL);
  g_return_val_if_fail (role != NULL, NULL);

  filter = gtk_custom_filter_new (has_role, g_strdup (role), g_free);
  g_ptr_array_add (self->filters, g_object_ref (filter));
  return G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                                  GTK_FILTER (filter)));
}

/* the peer with this id or address, whatever its roles; NULL when none */
GcPeerItem *
gc_peer_list_find (GcPeerList  *self,
                   const gchar *id_or_address)
{
  guint n;

  g_return_val_if_fail (GC_IS_PEER_LIST (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GcPeerItem) peer = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      /* the store keeps its own reference */
      if (gc_peer_item_matches (peer, id_or_address))
        return peer;
    }
  return NULL;
}

static void
gc_peer_list_dispose (GObject *object)
{
  GcPeerList *self = GC_PEER_LIST (object);

  g_clear_handle_id (&self->sweep_id, g_source_remove);

  if (self->manager != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->manager, self);
      g_clear_object (&self->manager);
    }
  if (self->peers != NULL)
    clear (self);
  G_OBJECT_CLASS (gc_peer_list_parent_class)->dispose (object);
}

static void
gc_peer_list_finalize (GObject *object)
{
  GcPeerList *self = GC_PEER_LIST (object);

  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->filters, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_free (self->self_url);
  g_free (self->self_name);
  G_OBJECT_CLASS (gc_peer_list_parent_class)->finalize (object);
}

static void
gc_peer_list_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GcPeerList *self = GC_PEER_LIST (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_MODEL:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_list_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GcPeerList *self = GC_PEER_LIST (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      gc_peer_list_set_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_list_class_init (GcPeerListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_peer_list_dispose;
  object_class->finalize = gc_peer_list_finalize;
  object_class->get_property = gc_peer_list_get_property;
  object_class->set_property = gc_peer_list_set_property;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, G_TYPE_DBUS_OBJECT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* something the window shows of a peer changed (its source, pairing,
   * whether it is online) */
  signals[SIGNAL_PEER_NOTIFY] =
    g_signal_new ("peer-notify", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
gc_peer_list_init (GcPeerList *self)
{
  self->store = g_list_store_new (GC_TYPE_PEER_ITEM);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->filters = g_ptr_array_new_with_free_func (g_object_unref);
}
