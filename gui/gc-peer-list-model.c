/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPeerListModel"

#include "config.h"

#include "gc-peer-list-model.h"

/* the peers an agent knows, as a GListModel of GcPeerItem kept in step with
 * the agent's ObjectManager: peers appear, change and vanish by themselves.
 * with a role set, only peers announcing that role are listed, and a peer
 * moves in or out of the list when its Roles change */
struct _GcPeerListModel
{
  GObject parent_instance;

  gchar *role;
  GDBusObjectManager *manager;
  GHashTable *peers; /* object path → GcPeerItem, listed or not */
  GPtrArray *items;  /* the listed GcPeers, in the order they came */
};

static void gc_peer_list_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GcPeerListModel, gc_peer_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      gc_peer_list_model_list_model_init))

enum
{
  PROP_0,
  PROP_ROLE,
  PROP_MANAGER,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
gc_peer_list_model_get_item_type (GListModel *model)
{
  return GC_TYPE_PEER_ITEM;
}

static guint
gc_peer_list_model_get_n_items (GListModel *model)
{
  return GC_PEER_LIST_MODEL (model)->items->len;
}

static gpointer
gc_peer_list_model_get_item (GListModel *model,
                             guint       position)
{
  GcPeerListModel *self = GC_PEER_LIST_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
gc_peer_list_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = gc_peer_list_model_get_item_type;
  iface->get_n_items = gc_peer_list_model_get_n_items;
  iface->get_item = gc_peer_list_model_get_item;
}

static void
emit_changed (GcPeerListModel *self,
              guint            position,
              guint            removed,
              guint            added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
update_membership (GcPeerListModel *self,
                   GcPeerItem      *peer)
{
  gboolean want = self->role == NULL || gc_peer_item_has_role (peer, self->role);
  guint position;
  gboolean listed = g_ptr_array_find (self->items, peer, &position);

  if (want && !listed)
    {
      g_ptr_array_add (self->items, g_object_ref (peer));
      emit_changed (self, self->items->len - 1, 0, 1);
    }
  else if (!want && listed)
    {
      g_ptr_array_remove_index (self->items, position);
      emit_changed (self, position, 1, 0);
    }
}

static void
on_peer_roles (GcPeerItem      *peer,
               GParamSpec      *pspec,
               GcPeerListModel *self)
{
  update_membership (self, peer);
}

static void
add_object (GcPeerListModel *self,
            GDBusObject     *object)
{
  const gchar *path = g_dbus_object_get_object_path (object);
  GcDBusPeer1 *proxy;
  g_autoptr (GcPeerItem) peer = NULL;

  if (!GC_DBUS_IS_OBJECT (object))
    return;
  proxy = gc_dbus_object_peek_peer1 (GC_DBUS_OBJECT (object));
  if (proxy == NULL || g_hash_table_contains (self->peers, path))
    return;

  peer = gc_peer_item_new (proxy);
  g_signal_connect_object (peer, "notify::roles", G_CALLBACK (on_peer_roles), self, 0);
  g_hash_table_insert (self->peers, g_strdup (path), g_object_ref (peer));
  update_membership (self, peer);
}

static void
remove_path (GcPeerListModel *self,
             const gchar     *path)
{
  GcPeerItem *peer = g_hash_table_lookup (self->peers, path);
  guint position;

  if (peer == NULL)
    return;
  g_signal_handlers_disconnect_by_func (peer, on_peer_roles, self);
  if (g_ptr_array_find (self->items, peer, &position))
    {
      g_ptr_array_remove_index (self->items, position);
      emit_changed (self, position, 1, 0);
    }
  g_hash_table_remove (self->peers, path);
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 GcPeerListModel    *self)
{
  add_object (self, object);
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   GcPeerListModel    *self)
{
  remove_path (self, g_dbus_object_get_object_path (object));
}

static void
on_interface_added (GDBusObjectManager *manager,
                    GDBusObject        *object,
                    GDBusInterface     *interface,
                    GcPeerListModel    *self)
{
  add_object (self, object);
}

static void
on_interface_removed (GDBusObjectManager *manager,
                      GDBusObject        *object,
                      GDBusInterface     *interface,
                      GcPeerListModel    *self)
{
  if (GC_DBUS_IS_PEER1 (interface))
    remove_path (self, g_dbus_object_get_object_path (object));
}

static void
clear (GcPeerListModel *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = self->items->len;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_signal_handlers_disconnect_by_func (value, on_peer_roles, self);
  g_hash_table_remove_all (self->peers);
  g_ptr_array_set_size (self->items, 0);
  if (n > 0)
    emit_changed (self, 0, n, 0);
}

GcPeerListModel *
gc_peer_list_model_new (const gchar *role)
{
  return g_object_new (GC_TYPE_PEER_LIST_MODEL, "role", role, NULL);
}

GDBusObjectManager *
gc_peer_list_model_get_manager (GcPeerListModel *self)
{
  g_return_val_if_fail (GC_IS_PEER_LIST_MODEL (self), NULL);

  return self->manager;
}

void
gc_peer_list_model_set_manager (GcPeerListModel    *self,
                                GDBusObjectManager *manager)
{
  g_autolist (GDBusObject) objects = NULL;

  g_return_if_fail (GC_IS_PEER_LIST_MODEL (self));
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

GcPeerItem *
gc_peer_list_model_find (GcPeerListModel *self,
                         const gchar     *id_or_address)
{
  g_return_val_if_fail (GC_IS_PEER_LIST_MODEL (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    if (gc_peer_item_matches (g_ptr_array_index (self->items, i), id_or_address))
      return g_ptr_array_index (self->items, i);
  return NULL;
}

static void
gc_peer_list_model_dispose (GObject *object)
{
  GcPeerListModel *self = GC_PEER_LIST_MODEL (object);

  if (self->manager != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->manager, self);
      g_clear_object (&self->manager);
    }
  G_OBJECT_CLASS (gc_peer_list_model_parent_class)->dispose (object);
}

static void
gc_peer_list_model_finalize (GObject *object)
{
  GcPeerListModel *self = GC_PEER_LIST_MODEL (object);

  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->role, g_free);
  G_OBJECT_CLASS (gc_peer_list_model_parent_class)->finalize (object);
}

static void
gc_peer_list_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  GcPeerListModel *self = GC_PEER_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_list_model_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  GcPeerListModel *self = GC_PEER_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      self->role = g_value_dup_string (value);
      break;
    case PROP_MANAGER:
      gc_peer_list_model_set_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_list_model_class_init (GcPeerListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_peer_list_model_dispose;
  object_class->finalize = gc_peer_list_model_finalize;
  object_class->get_property = gc_peer_list_model_get_property;
  object_class->set_property = gc_peer_list_model_set_property;

  /* "receiver" or "source"; NULL lists every peer */
  properties[PROP_ROLE] =
    g_param_spec_string ("role", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, G_TYPE_DBUS_OBJECT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_peer_list_model_init (GcPeerListModel *self)
{
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}
