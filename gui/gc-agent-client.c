/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcAgentClient"

#include "config.h"

#include "gc-agent-client.h"

#include <glib/gi18n.h>

/* the panel's one link to the agent: a bus connection, a watch on the
 * agent's well-known name, and an ObjectManager client that is built anew
 * each time the name appears. widgets follow the "state", "manager",
 * "agent", "source" and "receiver" properties and never touch the bus */
struct _GcAgentClient
{
  GObject parent_instance;

  GBusType bus_type;
  gchar *address;
  GCancellable *cancellable;     /* for the whole life of the client */
  GCancellable *manager_cancel;  /* for the manager being built */
  GDBusConnection *connection;
  guint watch_id;
  GcAgentState state;
  gchar *error;
  GDBusObjectManager *manager;
  GcDBusAgent1 *agent;
  GcDBusSource1 *source;
  GcDBusReceiver1 *receiver;
};

G_DEFINE_FINAL_TYPE (GcAgentClient, gc_agent_client, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (GcAgentState, gc_agent_state,
                    G_DEFINE_ENUM_VALUE (GC_AGENT_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (GC_AGENT_STATE_ABSENT, "absent"),
                    G_DEFINE_ENUM_VALUE (GC_AGENT_STATE_PRESENT, "present"),
                    G_DEFINE_ENUM_VALUE (GC_AGENT_STATE_FAILED, "failed"))

enum
{
  PROP_0,
  PROP_BUS_TYPE,
  PROP_ADDRESS,
  PROP_STATE,
  PROP_ERROR,
  PROP_CONNECTION,
  PROP_MANAGER,
  PROP_AGENT,
  PROP_SOURCE,
  PROP_RECEIVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (GcAgentClient *self,
           GcAgentState   state,
           const gchar   *error)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->error, error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  if (self->state != state)
    {
      g_debug ("agent state %d → %d", self->state, state);
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* set *slot to the interface at path, or NULL; notify when it changed */
static void
update_interface (GcAgentClient *self,
                  gpointer      *slot,
                  const gchar   *path,
                  const gchar   *interface_name,
                  guint          prop)
{
  g_autoptr (GDBusInterface) iface = NULL;

  if (self->manager != NULL)
    iface = g_dbus_object_manager_get_interface (self->manager, path, interface_name);
  if (*slot == (gpointer) iface)
    return;
  g_clear_object (slot);
  *slot = g_steal_pointer (&iface);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_interfaces (GcAgentClient *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  update_interface (self, (gpointer *) &self->source, GC_DBUS_PATH "/source",
                    "io.github.Groupcast.Source1", PROP_SOURCE);
  update_interface (self, (gpointer *) &self->receiver, GC_DBUS_PATH "/receiver",
                    "io.github.Groupcast.Receiver1", PROP_RECEIVER);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_manager (GcAgentClient      *self,
             GDBusObjectManager *manager)
{
  if (self->manager == manager)
    return;
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_set_object (&self->manager, manager);
  if (manager != NULL)
    {
      /* the source and receiver roles come and go with the agent's objects */
      g_signal_connect_swapped (manager, "object-added",
                                G_CALLBACK (update_interfaces), self);
      g_signal_connect_swapped (manager, "object-removed",
                                G_CALLBACK (update_interfaces), self);
      g_signal_connect_swapped (manager, "interface-added",
                                G_CALLBACK (update_interfaces), self);
      g_signal_connect_swapped (manager, "interface-removed",
                                G_CALLBACK (update_interfaces), self);
    }
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MANAGER]);
  update_interfaces (self);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_agent (GcAgentClient *self,
           GcDBusAgent1  *agent)
{
  if (g_set_object (&self->agent, agent))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT]);
}

static void
on_agent_ready (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GcAgentClient) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GcDBusAgent1) agent = NULL;

  agent = gc_dbus_agent1_proxy_new_finish (result, &error);
  if (agent == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("cannot read the agent's properties: %s", error->message);
      return;
    }
  set_agent (self, agent);
}

static void
on_manager_ready (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GcAgentClient) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusObjectManager) manager = NULL;

  manager = gc_dbus_object_manager_client_new_finish (result, &error);
  if (manager == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("cannot watch the agent's objects: %s", error->message);
      set_state (self, GC_AGENT_STATE_FAILED, error->message);
      return;
    }
  g_clear_object (&self->manager_cancel);
  set_manager (self, manager);
  set_state (self, GC_AGENT_STATE_PRESENT, NULL);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const gchar     *name,
                  const gchar     *name_owner,
                  gpointer         user_data)
{
  GcAgentClient *self = user_data;

  g_debug ("%s appeared as %s", name, name_owner);

  /* a new agent process: start from a fresh client, so nothing of the old
   * one's objects lingers */
  g_cancellable_cancel (self->manager_cancel);
  g_clear_object (&self->manager_cancel);
  set_manager (self, NULL);
  set_agent (self, NULL);
  set_state (self, GC_AGENT_STATE_CONNECTING, NULL);

  self->manager_cancel = g_cancellable_new ();
  /* Agent1 lives on the manager's own path, which GetManagedObjects does
   * not list, so it gets a proxy of its own */
  gc_dbus_agent1_proxy_new (connection, G_DBUS_PROXY_FLAGS_NONE, GC_DBUS_NAME, GC_DBUS_PATH,
                            self->manager_cancel, on_agent_ready, g_object_ref (self));
  gc_dbus_object_manager_client_new (connection,
                                     G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                     GC_DBUS_NAME, GC_DBUS_PATH,
                                     self->manager_cancel,
                                     on_manager_ready, g_object_ref (self));
}

static void
on_name_vanished (GDBusConnection *connection,
                  const gchar     *name,
                  gpointer         user_data)
{
  GcAgentClient *self = user_data;

  /* connection is NULL when the bus itself is gone; on_closed says so */
  if (connection == NULL)
    return;
  g_debug ("%s vanished", name);
  g_cancellable_cancel (self->manager_cancel);
  g_clear_object (&self->manager_cancel);
  set_manager (self, NULL);
  set_agent (self, NULL);
  set_state (self, GC_AGENT_STATE_ABSENT, NULL);
}

static void
on_closed (GDBusConnection *connection,
           gboolean         remote_peer_vanished,
           GError          *error,
           GcAgentClient   *self)
{
  g_cancellable_cancel (self->manager_cancel);
  g_clear_object (&self->manager_cancel);
  set_manager (self, NULL);
  set_agent (self, NULL);
  set_state (self, GC_AGENT_STATE_FAILED, _("The connection to the bus was closed."));
}

static void
on_connection (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GcAgentClient) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) connection = NULL;

  if (self->address != NULL)
    connection = g_dbus_connection_new_for_address_finish (result, &error);
  else
    connection = g_bus_get_finish (result, &error);
  if (connection == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("cannot reach the bus: %s", error->message);
      set_state (self, GC_AGENT_STATE_FAILED, error->message);
      return;
    }

  /* the shared bus connection would end the process when the bus goes */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  g_signal_connect_object (connection, "closed", G_CALLBACK (on_closed), self, 0);
  self->connection = g_steal_pointer (&connection);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);

  self->watch_id = g_bus_watch_name_on_connection (self->connection, GC_DBUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_name_appeared, on_name_vanished,
                                                   self, NULL);
}

static void
gc_agent_client_constructed (GObject *object)
{
  GcAgentClient *self = GC_AGENT_CLIENT (object);

  G_OBJECT_CLASS (gc_agent_client_parent_class)->constructed (object);

  if (self->address != NULL)
    g_dbus_connection_new_for_address (self->address,
                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                       | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                       NULL, self->cancellable, on_connection,
                                       g_object_ref (self));
  else
    g_bus_get (self->bus_type, self->cancellable, on_connection, g_object_ref (self));
}

GcAgentClient *
gc_agent_client_new (GBusType     bus_type,
                     const gchar *address)
{
  return g_object_new (GC_TYPE_AGENT_CLIENT,
                       "bus-type", bus_type,
                       "address", address,
                       NULL);
}

GBusType
gc_agent_client_get_bus_type (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), G_BUS_TYPE_NONE);
  return self->bus_type;
}

const gchar *
gc_agent_client_get_address (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), NULL);
  return self->address;
}

GcAgentState
gc_agent_client_get_state (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), GC_AGENT_STATE_FAILED);
  return self->state;
}

const gchar *
gc_agent_client_get_error (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), NULL);
  return self->error;
}

GDBusConnection *
gc_agent_client_get_connection (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), NULL);
  return self->connection;
}

GDBusObjectManager *
gc_agent_client_get_manager (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), NULL);
  return self->manager;
}

GcDBusAgent1 *
gc_agent_client_get_agent (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), NULL);
  return self->agent;
}

GcDBusSource1 *
gc_agent_client_get_source (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), NULL);
  return self->source;
}

GcDBusReceiver1 *
gc_agent_client_get_receiver (GcAgentClient *self)
{
  g_return_val_if_fail (GC_IS_AGENT_CLIENT (self), NULL);
  return self->receiver;
}

static void
gc_agent_client_dispose (GObject *object)
{
  GcAgentClient *self = GC_AGENT_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->manager_cancel);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->agent);
  g_clear_object (&self->source);
  g_clear_object (&self->receiver);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (gc_agent_client_parent_class)->dispose (object);
}

static void
gc_agent_client_finalize (GObject *object)
{
  GcAgentClient *self = GC_AGENT_CLIENT (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager_cancel);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->error, g_free);
  G_OBJECT_CLASS (gc_agent_client_parent_class)->finalize (object);
}

static void
gc_agent_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  GcAgentClient *self = GC_AGENT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BUS_TYPE:
      g_value_set_enum (value, self->bus_type);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_AGENT:
      g_value_set_object (value, self->agent);
      break;
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_RECEIVER:
      g_value_set_object (value, self->receiver);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_agent_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  GcAgentClient *self = GC_AGENT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BUS_TYPE:
      self->bus_type = g_value_get_enum (value);
      break;
    case PROP_ADDRESS:
      self->address = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_agent_client_class_init (GcAgentClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = gc_agent_client_constructed;
  object_class->dispose = gc_agent_client_dispose;
  object_class->finalize = gc_agent_client_finalize;
  object_class->get_property = gc_agent_client_get_property;
  object_class->set_property = gc_agent_client_set_property;

  properties[PROP_BUS_TYPE] =
    g_param_spec_enum ("bus-type", NULL, NULL, G_TYPE_BUS_TYPE, G_BUS_TYPE_SESSION, co);
  /* when set, this bus address is used instead of bus-type */
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, co);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GC_TYPE_AGENT_STATE,
                       GC_AGENT_STATE_CONNECTING, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION, ro);
  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, G_TYPE_DBUS_OBJECT_MANAGER, ro);
  properties[PROP_AGENT] =
    g_param_spec_object ("agent", NULL, NULL, GC_DBUS_TYPE_AGENT1, ro);
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, GC_DBUS_TYPE_SOURCE1, ro);
  properties[PROP_RECEIVER] =
    g_param_spec_object ("receiver", NULL, NULL, GC_DBUS_TYPE_RECEIVER1, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_agent_client_init (GcAgentClient *self)
{
  self->cancellable = g_cancellable_new ();
}
