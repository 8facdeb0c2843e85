/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-control-message.h"

G_BEGIN_DECLS

void     gc_control_client_request_async  (const gchar            *address,
                                           guint16                 port,
                                           const GcControlRequest *req,
                                           GBytes                 *key,
                                           guint                   timeout_ms,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data);
gboolean gc_control_client_request_finish (GAsyncResult      *result,
                                           GcControlResponse *out,
                                           GError           **error);

G_END_DECLS
