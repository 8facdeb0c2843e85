/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pairing on the bus: Agent1.Pair and Authenticated, and Receiver1's
 * StartPairing, StopPairing, GetPairingCode and Pairing, mapped to the
 * agent's pairing calls.
 */
#pragma once

#include "gc-agent.h"
#include "gc-dbus-generated.h"

G_BEGIN_DECLS

/* @receiver_iface may be NULL (no receiver role) */
void gc_dbus_pairing_attach (GcAgent         *agent,
                             GcDBusAgent1    *agent_iface,
                             GcDBusReceiver1 *receiver_iface);

G_END_DECLS
