/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the agent's insides, shared by its files: gc-agent.c (roles, discovery,
 * start and stop) and gc-agent-pairing.c (the key a receiver is paired with)
 */
#pragma once

#include "gc-agent.h"
#include "gc-control-server.h"
#include "gc-discovery.h"
#include "gc-pairing.h"

G_BEGIN_DECLS

struct _GcAgent
{
  GObject parent_instance;

  GcConfig *config;
  gchar *id;
  GBytes *key;
  GcSource *source;
  GcReceiver *receiver;
  GcDiscovery *discovery;
  GcPeerTable *peers;       /* an empty table when discovery is off */
  GcControlServer *control;
  GcSwitch *sw;
  GcPairingServer *pairing; /* receivers: shows a code, takes a key */
  gchar *instance;          /* this run: start time and a random part, in hex */
  gboolean id_moved;        /* took a new id after a collision (once a run) */
  gboolean collision_logged;
};

/* gc-agent.c */
void gc_agent_keep_replay_cache    (GcAgent *self);

/* gc-agent-pairing.c */
void gc_agent_start_pairing_server (GcAgent *self);

G_END_DECLS
