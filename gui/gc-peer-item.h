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

#define GC_TYPE_PEER_ITEM (gc_peer_item_get_type ())
G_DECLARE_FINAL_TYPE (GcPeerItem, gc_peer_item, GC, PEER_ITEM, GObject)

GcPeerItem   *gc_peer_item_new                (GcDBusPeer1  *proxy);
GcDBusPeer1  *gc_peer_item_get_proxy          (GcPeerItem   *self);
const gchar  *gc_peer_item_get_id             (GcPeerItem   *self);
const gchar  *gc_peer_item_get_name           (GcPeerItem   *self);
const gchar  *gc_peer_item_get_address        (GcPeerItem   *self);
const gchar  *gc_peer_item_get_url            (GcPeerItem   *self);
const gchar  *gc_peer_item_get_current_source (GcPeerItem   *self);
gboolean      gc_peer_item_get_verified       (GcPeerItem   *self);
gint64        gc_peer_item_get_offline_since  (GcPeerItem   *self);
const gchar  *gc_peer_item_get_result_detail  (GcPeerItem   *self);
void          gc_peer_item_set_offline_since  (GcPeerItem   *self,
                                               gint64        since);
gboolean      gc_peer_item_get_not_paired     (GcPeerItem   *self);
void          gc_peer_item_set_not_paired     (GcPeerItem   *self,
                                               gboolean      not_paired);
const gchar  *gc_peer_item_get_source_name    (GcPeerItem   *self);
void          gc_peer_item_set_source_name    (GcPeerItem   *self,
                                               const gchar  *name);
gboolean      gc_peer_item_has_role           (GcPeerItem   *self,
                                               const gchar  *role);
gboolean      gc_peer_item_matches            (GcPeerItem   *self,
                                               const gchar  *id_or_address);
gchar        *gc_peer_item_dup_seen_by        (GcPeerItem   *self);
GcSwitchState gc_peer_item_get_switch_state   (GcPeerItem   *self);
const gchar  *gc_peer_item_get_result         (GcPeerItem   *self);
void          gc_peer_item_set_switch_state   (GcPeerItem   *self,
                                               GcSwitchState state,
                                               const gchar  *result);
void          gc_peer_item_set_switch_result  (GcPeerItem   *self,
                                               gboolean      ok,
                                               const gchar  *message,
                                               gdouble       ms);

G_END_DECLS
