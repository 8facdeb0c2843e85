/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the switch, both ends: the source's fan-out to the receivers it names,
 * and the receiver's apply of a switch, release or status request. the
 * agent's own receiver is switched through the same apply as a remote one,
 * without the network in between.
 */
#pragma once

#include <gio/gio.h>

#include "gc-config.h"
#include "gc-control-message.h"
#include "gc-control-server.h"
#include "gc-peer-table.h"
#include "gc-receiver.h"
#include "gc-source.h"

G_BEGIN_DECLS

#define GC_SWITCH_MAX_TARGETS 256

/* one receiver's outcome, in the order the caller named them */
typedef struct
{
  gchar *id;          /* as the caller named it */
  gboolean ok;
  gchar *message;     /* words for people */
  gdouble ms;         /* time to first frame; 0 when not known */
} GcSwitchResult;

void gc_switch_result_free (GcSwitchResult *result);

#define GC_TYPE_SWITCH (gc_switch_get_type ())
G_DECLARE_FINAL_TYPE (GcSwitch, gc_switch, GC, SWITCH, GObject)

GcSwitch  *gc_switch_new            (const gchar    *agent_id,
                                     const GcConfig *config,
                                     GBytes         *key,
                                     GcSource       *source,
                                     GcReceiver     *receiver,
                                     GcPeerTable    *peers);
void       gc_switch_set_peers      (GcSwitch    *self,
                                     GcPeerTable *peers);
void       gc_switch_set_agent_id   (GcSwitch    *self,
                                     const gchar *agent_id);
void       gc_switch_set_name       (GcSwitch    *self,
                                     const gchar *name);
void       gc_switch_set_key        (GcSwitch    *self,
                                     GBytes      *key);

/* the source's side */
void       gc_switch_run_async      (GcSwitch            *self,
                                     const gchar * const *receivers,
                                     GcControlVerb        verb,
                                     guint                seconds,
                                     const gchar         *new_name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GPtrArray *gc_switch_run_finish     (GcSwitch     *self,
                                     GAsyncResult *result,
                                     GError      **error);

/* the receiver's side */
void       gc_switch_apply_async    (GcSwitch               *self,
                                     const GcControlRequest *request,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data);
gboolean   gc_switch_apply_finish   (GcSwitch          *self,
                                     GAsyncResult      *result,
                                     GcControlResponse *out);
void       gc_switch_serve          (GcSwitch        *self,
                                     GcControlServer *server);

G_END_DECLS
