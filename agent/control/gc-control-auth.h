/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * authentication of control requests with the site key: an HMAC-SHA256
 * over the request's fields, its timestamp and nonce, and the receiver's
 * address; a bound on clock skew; and a replay cache of nonces.
 */
#pragma once

#include <gio/gio.h>

#include "gc-control-message.h"
#include "gc-replay-cache.h"

G_BEGIN_DECLS

#define GC_CONTROL_MAX_SKEW_US (30 * G_USEC_PER_SEC)

void      gc_control_request_stamp   (GcControlRequest *req,
                                      gint64            now_us);
gchar    *gc_control_auth_sign       (GBytes                 *key,
                                      const GcControlRequest *req,
                                      const gchar            *address);
gboolean  gc_control_auth_check      (GBytes                 *key,
                                      GcReplayCache          *cache,
                                      gint64                  now_us,
                                      const gchar            *local_address,
                                      const GcControlRequest *req,
                                      const gchar            *mac,
                                      GError                **error);

GBytes   *gc_control_request_build   (const GcControlRequest *req,
                                      GBytes                 *key,
                                      const gchar            *remote_address,
                                      GError                **error);
gboolean  gc_control_request_check_message (GstRTSPMessage   *msg,
                                            GBytes           *key,
                                            GcReplayCache    *cache,
                                            gint64            now_us,
                                            const gchar      *local_address,
                                            GcControlRequest *out,
                                            GError          **error);
gboolean  gc_control_request_parse   (const guint8     *data,
                                      gsize             len,
                                      GBytes           *key,
                                      GcReplayCache    *cache,
                                      gint64            now_us,
                                      const gchar      *local_address,
                                      GcControlRequest *out,
                                      GError          **error);

G_END_DECLS
