/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-config.h"
#include "gc-display.h"
#include "gc-receiver-stats.h"
#include "gc-state.h"

G_BEGIN_DECLS

#define GC_TYPE_RECEIVER (gc_receiver_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiver, gc_receiver, GC, RECEIVER, GObject)

GcReceiver      *gc_receiver_new              (const GcConfig *config,
                                               GError        **error);
gboolean         gc_receiver_connect          (GcReceiver *self,
                                               const gchar *url,
                                               const gchar *source_name,
                                               const gchar *expected_group,
                                               GError **error);
void             gc_receiver_disconnect       (GcReceiver *self);
void             gc_receiver_shutdown         (GcReceiver *self);
gboolean         gc_receiver_retry_now        (GcReceiver  *self,
                                               const gchar *announced_group);
void             gc_receiver_set_site_key     (GcReceiver *self,
                                               GBytes     *site_key,
                                               gboolean    plain_too);
gboolean         gc_receiver_get_encrypted    (GcReceiver *self);
gboolean         gc_receiver_get_source_specific (GcReceiver *self);
GcTransport      gc_receiver_get_transport    (GcReceiver *self);
void             gc_receiver_identify         (GcReceiver *self,
                                               guint       seconds);
void             gc_receiver_set_name         (GcReceiver  *self,
                                               const gchar *name);
void             gc_receiver_wait_async       (GcReceiver *self,
                                               guint timeout_ms,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
gboolean         gc_receiver_wait_finish      (GcReceiver *self,
                                               GAsyncResult *result,
                                               gdouble *first_frame_ms,
                                               GError **error);

GcReceiverState  gc_receiver_get_state        (GcReceiver *self);
const gchar     *gc_receiver_get_error        (GcReceiver *self);
const gchar     *gc_receiver_get_source_url   (GcReceiver *self);
const gchar     *gc_receiver_get_source_name  (GcReceiver *self);
const gchar     *gc_receiver_get_group        (GcReceiver *self);
guint16          gc_receiver_get_rtp_port     (GcReceiver *self);
void             gc_receiver_get_counters     (GcReceiver *self,
                                               GcReceiverCounters *out);
const gchar * const *gc_receiver_get_kernel_groups (GcReceiver *self);
GcDisplay       *gc_receiver_get_display      (GcReceiver *self);

G_END_DECLS
