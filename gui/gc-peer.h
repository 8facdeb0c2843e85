/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-dbus-generated.h"

G_BEGIN_DECLS

typedef enum
{
  GC_SWITCH_STATE_NONE,
  GC_SWITCH_STATE_RUNNING,
  GC_SWITCH_STATE_OK,
  GC_SWITCH_STATE_FAILED,
} GcSwitchState;

#define GC_TYPE_SWITCH_STATE (gc_switch_state_get_type ())
GType gc_switch_state_get_type (void);

#define GC_TYPE_PEER (gc_peer_get_type ())
G_DECLARE_FINAL_TYPE (GcPeer, gc_peer, GC, PEER, GObject)

GcPeer             *gc_peer_new              (GcDBusPeer1   *proxy);
GcDBusPeer1        *gc_peer_get_proxy        (GcPeer        *self);
const gchar        *gc_peer_get_id           (GcPeer        *self);
const gchar        *gc_peer_get_name         (GcPeer        *self);
const gchar        *gc_peer_get_address      (GcPeer        *self);
const gchar        *gc_peer_get_url          (GcPeer        *self);
const gchar        *gc_peer_get_current_source (GcPeer      *self);
gboolean            gc_peer_has_role         (GcPeer        *self,
                                              const gchar   *role);
gboolean            gc_peer_matches          (GcPeer        *self,
                                              const gchar   *id_or_address);
gchar              *gc_peer_dup_seen_by      (GcPeer        *self);
GcSwitchState       gc_peer_get_switch_state (GcPeer        *self);
const gchar        *gc_peer_get_result       (GcPeer        *self);
void                gc_peer_set_switch_state (GcPeer        *self,
                                              GcSwitchState  state,
                                              const gchar   *result);
void                gc_peer_set_switch_result (GcPeer       *self,
                                               gboolean      ok,
                                               const gchar  *message,
                                               gdouble       ms);

G_END_DECLS
