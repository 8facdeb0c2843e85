/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * encrypted and authenticated media (SRTP) keyed from the site key: the
 * master key of a stream is HKDF-SHA256 (GnuTLS) over the site key, the
 * source's agent id and a key epoch the source draws at each stream
 * start; the SDP names the id and the epoch, never a key. GStreamer's
 * srtpenc and srtpdec do the SRTP; this file derives the key, reads and
 * writes the SDP attribute, and guards the decoder (GcSrtpGuard): which
 * SSRCs may reach it, so packets of a host without the key are dropped
 * and counted without filling the decoder with streams.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* AES_CM_128_HMAC_SHA1_80 (RFC 3711): a 16-byte key and a 14-byte salt */
#define GC_SRTP_MASTER_LEN     30
#define GC_SRTP_PROFILE        "AES_CM_128_HMAC_SHA1_80"
/* the session-level SDP attribute: "a=x-groupcast-srtp:PROFILE source=ID epoch=HEX" */
#define GC_SRTP_SDP_ATTRIBUTE  "x-groupcast-srtp"

GBytes     *gc_srtp_derive      (GBytes      *site_key,
                                 const gchar *source_id,
                                 guint64      epoch,
                                 GError     **error);
guint64     gc_srtp_new_epoch   (void);
gchar      *gc_srtp_sdp_value   (const gchar *source_id,
                                 guint64      epoch);
gboolean    gc_srtp_sdp_parse   (const gchar *value,
                                 gchar      **source_id,
                                 guint64     *epoch,
                                 GError     **error);
GstElement *gc_srtp_new_encoder (GBytes *master);
GstElement *gc_srtp_encoder_for (GstElement *encoder,
                                 guint       session,
                                 gboolean    rtcp);

/* ---- the guard before a decoder ------------------------------------------ */

typedef struct _GcSrtpGuard GcSrtpGuard;

typedef enum
{
  GC_SRTP_PASS,       /* to the decoder */
  GC_SRTP_DROP,       /* not even tried */
  GC_SRTP_PASS_EVICT, /* to the decoder, once the key of *evict is removed */
} GcSrtpVerdict;

/* @one_sender: a receiver, which takes RTP from one SSRC (the first that
 * decrypts) and RTCP only from it; else a source, which takes RTCP from
 * any SSRC that decrypts. @max_pending bounds the SSRCs tried and not yet
 * decrypted: over it, the oldest one's key goes. */
GcSrtpGuard  *gc_srtp_guard_new      (gboolean one_sender,
                                      guint    max_pending);
GcSrtpGuard  *gc_srtp_guard_ref      (GcSrtpGuard *guard);
void          gc_srtp_guard_unref    (GcSrtpGuard *guard);
GcSrtpVerdict gc_srtp_guard_check    (GcSrtpGuard *guard,
                                      const guint8 *data,
                                      gsize         len,
                                      gboolean      rtcp,
                                      guint32      *evict);
void          gc_srtp_guard_decrypted (GcSrtpGuard *guard,
                                       const guint8 *data,
                                       gsize         len,
                                       gboolean      rtcp);
guint64       gc_srtp_guard_rejected (GcSrtpGuard *guard);
guint         gc_srtp_guard_pending  (GcSrtpGuard *guard);

GstElement   *gc_srtp_new_decoder    (GBytes      *master,
                                      GcSrtpGuard *guard);
void          gc_srtp_mark_udpsrc    (GstElement  *udpsrc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcSrtpGuard, gc_srtp_guard_unref)

G_END_DECLS
