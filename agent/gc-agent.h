/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-config.h"
#include "gc-peer-table.h"
#include "gc-receiver.h"
#include "gc-source.h"
#include "gc-switch.h"

G_BEGIN_DECLS

#define GC_TYPE_AGENT (gc_agent_get_type ())
G_DECLARE_FINAL_TYPE (GcAgent, gc_agent, GC, AGENT, GObject)

GcAgent        *gc_agent_new               (GcConfig *config);
void            gc_agent_start_async       (GcAgent *self,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean        gc_agent_start_finish      (GcAgent *self,
                                            GAsyncResult *result,
                                            GError **error);
void            gc_agent_stop              (GcAgent *self);
const GcConfig *gc_agent_get_config        (GcAgent *self);
const gchar    *gc_agent_get_id            (GcAgent *self);
const gchar    *gc_agent_get_name          (GcAgent *self);
gboolean        gc_agent_set_name          (GcAgent      *self,
                                            const gchar  *name,
                                            GError      **error);
gchar         **gc_agent_dup_roles         (GcAgent *self);
gboolean        gc_agent_is_authenticated  (GcAgent *self);
GcSource       *gc_agent_get_source        (GcAgent *self);
GcReceiver     *gc_agent_get_receiver      (GcAgent *self);
GcPeerTable    *gc_agent_get_peer_table    (GcAgent *self);
GcSwitch       *gc_agent_get_switch        (GcAgent *self);
gboolean        gc_agent_connect           (GcAgent *self,
                                            const gchar *url,
                                            GError **error);
/* pairing: a receiver shows a code; a keyed agent gives it the key */
gboolean        gc_agent_create_site_key   (GcAgent *self,
                                            GError **error);
gboolean        gc_agent_start_pairing     (GcAgent *self,
                                            GError **error);
void            gc_agent_stop_pairing      (GcAgent *self);
gboolean        gc_agent_is_pairing        (GcAgent *self);
gchar          *gc_agent_dup_pairing_code  (GcAgent *self);
void            gc_agent_pair_async        (GcAgent             *self,
                                            const gchar         *peer_id,
                                            const gchar         *code,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean        gc_agent_pair_finish       (GcAgent       *self,
                                            GAsyncResult  *result,
                                            GError       **error);

G_END_DECLS
