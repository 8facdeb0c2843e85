/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-dbus-generated.h"

G_BEGIN_DECLS

typedef enum
{
  GC_AGENT_STATE_CONNECTING, /* reaching the bus, or asking the agent */
  GC_AGENT_STATE_ABSENT,     /* on the bus, but no agent owns the name */
  GC_AGENT_STATE_PRESENT,    /* the agent's objects are here */
  GC_AGENT_STATE_FAILED,     /* the bus cannot be reached; see error */
} GcAgentState;

#define GC_TYPE_AGENT_STATE (gc_agent_state_get_type ())
GType gc_agent_state_get_type (void);

#define GC_TYPE_AGENT_CLIENT (gc_agent_client_get_type ())
G_DECLARE_FINAL_TYPE (GcAgentClient, gc_agent_client, GC, AGENT_CLIENT, GObject)

GcAgentClient      *gc_agent_client_new            (GBusType       bus_type,
                                                    const gchar   *address);
GBusType            gc_agent_client_get_bus_type   (GcAgentClient *self);
const gchar        *gc_agent_client_get_address    (GcAgentClient *self);
GcAgentState        gc_agent_client_get_state      (GcAgentClient *self);
const gchar        *gc_agent_client_get_error      (GcAgentClient *self);
GDBusConnection    *gc_agent_client_get_connection (GcAgentClient *self);
GDBusObjectManager *gc_agent_client_get_manager    (GcAgentClient *self);
GcDBusAgent1       *gc_agent_client_get_agent      (GcAgentClient *self);
GcDBusSource1      *gc_agent_client_get_source     (GcAgentClient *self);
GcDBusReceiver1    *gc_agent_client_get_receiver   (GcAgentClient *self);

G_END_DECLS
