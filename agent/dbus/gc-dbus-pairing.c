/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcDBus"

#include "config.h"

#include "gc-dbus-pairing.h"

#include "gc-error.h"

static void
pair_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GDBusMethodInvocation *invocation = data;
  GError *error = NULL;

  if (gc_agent_pair_finish (GC_AGENT (source), result, &error))
    g_dbus_method_invocation_return_value (invocation, NULL);
  else
    g_dbus_method_invocation_take_error (invocation, error);
}

static gboolean
handle_pair (GcDBusAgent1 *iface, GDBusMethodInvocation *invocation, const gchar *peer,
             const gchar *code, GcAgent *agent)
{
  /* the invocation is completed in pair_done, on every path */
  gc_agent_pair_async (agent, peer, code, NULL, pair_done, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_create_site_key (GcDBusAgent1 *iface, GDBusMethodInvocation *invocation, GcAgent *agent)
{
  GError *error = NULL;

  if (gc_agent_create_site_key (agent, &error))
    gc_dbus_agent1_complete_create_site_key (iface, invocation);
  else
    g_dbus_method_invocation_take_error (invocation, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_start_pairing (GcDBusReceiver1 *iface, GDBusMethodInvocation *invocation, GcAgent *agent)
{
  GError *error = NULL;

  if (gc_agent_start_pairing (agent, &error))
    gc_dbus_receiver1_complete_start_pairing (iface, invocation);
  else
    g_dbus_method_invocation_take_error (invocation, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_stop_pairing (GcDBusReceiver1 *iface, GDBusMethodInvocation *invocation, GcAgent *agent)
{
  gc_agent_stop_pairing (agent);
  gc_dbus_receiver1_complete_stop_pairing (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_pairing_code (GcDBusReceiver1 *iface, GDBusMethodInvocation *invocation,
                         GcAgent *agent)
{
  g_autofree gchar *code = gc_agent_dup_pairing_code (agent);

  if (code != NULL)
    gc_dbus_receiver1_complete_get_pairing_code (iface, invocation, code);
  else
    g_dbus_method_invocation_return_error_literal (invocation, GC_ERROR, GC_ERROR_NOT_FOUND,
                                                   "this receiver is not pairing");
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_authenticated (GcAgent *agent, GParamSpec *pspec, GcDBusAgent1 *iface)
{
  gc_dbus_agent1_set_authenticated (iface, gc_agent_is_authenticated (agent));
}

static void
on_pairing (GcAgent *agent, GParamSpec *pspec, GcDBusReceiver1 *iface)
{
  gc_dbus_receiver1_set_pairing (iface, gc_agent_is_pairing (agent));
}

void
gc_dbus_pairing_attach (GcAgent *agent, GcDBusAgent1 *agent_iface,
                        GcDBusReceiver1 *receiver_iface)
{
  g_return_if_fail (GC_IS_AGENT (agent) && agent_iface != NULL);

  g_signal_connect_object (agent_iface, "handle-pair", G_CALLBACK (handle_pair), agent, 0);
  g_signal_connect_object (agent_iface, "handle-create-site-key",
                           G_CALLBACK (handle_create_site_key), agent, 0);
  g_signal_connect_object (agent, "notify::authenticated", G_CALLBACK (on_authenticated),
                           agent_iface, 0);
  if (receiver_iface == NULL)
    return;
  gc_dbus_receiver1_set_pairing (receiver_iface, gc_agent_is_pairing (agent));
  g_signal_connect_object (receiver_iface, "handle-start-pairing",
                           G_CALLBACK (handle_start_pairing), agent, 0);
  g_signal_connect_object (receiver_iface, "handle-stop-pairing",
                           G_CALLBACK (handle_stop_pairing), agent, 0);
  g_signal_connect_object (receiver_iface, "handle-get-pairing-code",
                           G_CALLBACK (handle_get_pairing_code), agent, 0);
  g_signal_connect_object (agent, "notify::pairing", G_CALLBACK (on_pairing), receiver_iface, 0);
}
