/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-control-message.h"

G_BEGIN_DECLS

#define GC_CONTROL_SERVER_DEFAULT_MAX_CONNECTIONS 64
#define GC_CONTROL_SERVER_DEFAULT_MAX_PER_HOST 8
#define GC_CONTROL_SERVER_DEFAULT_IDLE_TIMEOUT_MS 5000
#define GC_CONTROL_SERVER_DEFAULT_REPLY_TIMEOUT_MS 30000

/* a request waiting for its answer; see the GcControlServer::request
 * signal */
typedef struct _GcControlReply GcControlReply;

#define GC_TYPE_CONTROL_REPLY (gc_control_reply_get_type ())
GType                   gc_control_reply_get_type         (void) G_GNUC_CONST;
GcControlReply         *gc_control_reply_ref              (GcControlReply *reply);
void                    gc_control_reply_unref            (GcControlReply *reply);
const GcControlRequest *gc_control_reply_get_request      (GcControlReply *reply);
const gchar            *gc_control_reply_get_peer_address (GcControlReply *reply);
gboolean                gc_control_reply_is_returned      (GcControlReply *reply);
void                    gc_control_reply_return           (GcControlReply          *reply,
                                                           const GcControlResponse *resp);
void                    gc_control_reply_return_error     (GcControlReply *reply,
                                                           const GError   *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcControlReply, gc_control_reply_unref)

/* decides whether a host is known (its beacons were seen) */
typedef gboolean (*GcControlPeerFilter) (const gchar *address,
                                         gpointer     data);

#define GC_TYPE_CONTROL_SERVER (gc_control_server_get_type ())
G_DECLARE_FINAL_TYPE (GcControlServer, gc_control_server, GC, CONTROL_SERVER, GObject)

GcControlServer *gc_control_server_new             (guint16      port,
                                                    const gchar *bind_address,
                                                    GBytes      *key,
                                                    gboolean     allow_unauthenticated);
gboolean         gc_control_server_start           (GcControlServer *self,
                                                    GError         **error);
void             gc_control_server_stop            (GcControlServer *self);
guint16          gc_control_server_get_port        (GcControlServer *self);
/* the site key from now on (pairing gave it one) */
void             gc_control_server_set_key         (GcControlServer *self,
                                                    GBytes          *key);
guint            gc_control_server_get_n_connections (GcControlServer *self);
gboolean         gc_control_server_set_replay_file (GcControlServer *self,
                                                    const gchar     *path,
                                                    GError         **error);
void             gc_control_server_set_peer_filter (GcControlServer     *self,
                                                    GcControlPeerFilter  func,
                                                    gpointer             data,
                                                    GDestroyNotify       destroy);

G_END_DECLS
