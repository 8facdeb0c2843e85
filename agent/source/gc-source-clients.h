/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source's guard on RTSP clients: one without a session after a few
 * seconds is closed, and over the cap (256) the oldest idle one makes
 * room, so idle connections cannot lock receivers out. main loop only.
 */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "gc-state.h"

G_BEGIN_DECLS

void   gc_source_clients_guard       (GstRTSPServer *server,
                                      GstRTSPClient *client);
void   gc_source_clients_has_session (GstRTSPClient *client);
gchar *gc_source_client_address      (GstRTSPClient *client);
/* PLAY answers without the RTP-Info sequence numbers (the FEC encoder
 * numbers the stream afresh) */
void   gc_source_clients_drop_rtp_seq (GstRTSPClient *client);
GcTransport gc_source_clients_transport (GstRTSPSessionMedia *sessmedia);
gboolean    gc_source_clients_wants_copy (GstRTSPContext *ctx);
guint       gc_source_clients_count_copies (GstRTSPServer *server,
                                            const gchar   *address);

G_END_DECLS
