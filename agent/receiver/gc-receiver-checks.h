/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what a receiver checks in a source's answers, as pure functions over
 * what the answers carry: the URL it is given, the streams the SDP offers,
 * the transport SETUP gave, and the words of an error. unit-tested and
 * fuzzed (tests/fuzz/fuzz-receiver-checks.c).
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* one UDP element the transport gave the receiver: a udpsrc listening on
 * (address, port), or rtspsrc's RTCP udpsink sending to it */
typedef struct
{
  gboolean is_src;
  const gchar *address;   /* NULL when it has none */
  gint port;
} GcTransportEndpoint;

gboolean  gc_receiver_check_url        (const gchar *url,
                                        GError     **error);
gchar    *gc_receiver_url_where        (const gchar *url);
gboolean  gc_receiver_check_stream     (const GstStructure *caps,
                                        gboolean           *is_audio,
                                        gchar             **reason);
gboolean  gc_receiver_check_transport  (const GcTransportEndpoint *endpoints,
                                        guint                      n,
                                        const gchar               *url,
                                        const gchar               *expected,
                                        guint16                    audio_port,
                                        gchar                    **group,
                                        guint16                   *rtp_port,
                                        GError                   **error);
gchar    *gc_receiver_describe_silence (const gchar *url,
                                        const gchar *group,
                                        guint        ttl,
                                        gboolean     beyond_router,
                                        gboolean     packets_in,
                                        gboolean     packets_through,
                                        guint64      rejected);
gboolean  gc_receiver_url_beyond_subnet (const gchar *url,
                                         const gchar *interface);
gchar    *gc_receiver_describe_error   (const gchar *url,
                                        const gchar *message,
                                        const gchar *debug);

G_END_DECLS
