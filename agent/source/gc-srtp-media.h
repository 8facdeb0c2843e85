/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source's RTSP media with its stream encrypted (SRTP) when the site
 * has a key: a GstRTSPMedia whose rtpbin gets srtpenc for RTP and RTCP and
 * srtpdec (behind a GcSrtpGuard) for the members' RTCP, and whose SDP
 * names the source id and key epoch (gc-srtp.h). The transport stays
 * RTP/AVP in the SDP: the key is never sent, so gst-rtsp-server's own SRTP
 * (MIKEY in the SDP, in clear) is not used. Without a key it is a plain
 * GstRTSPMedia.
 */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

G_BEGIN_DECLS

#define GC_TYPE_SRTP_MEDIA (gc_srtp_media_get_type ())
G_DECLARE_FINAL_TYPE (GcSrtpMedia, gc_srtp_media, GC, SRTP_MEDIA, GstRTSPMedia)

gboolean  gc_srtp_media_set_key   (GcSrtpMedia *self,
                                   GBytes      *site_key,
                                   const gchar *source_id,
                                   GError     **error);
gboolean  gc_srtp_media_encrypted (GcSrtpMedia *self);
guint64   gc_srtp_media_rejected  (GcSrtpMedia *self);
void      gc_srtp_media_set_fec   (GcSrtpMedia *self,
                                   guint        pt,
                                   guint        percentage);

G_END_DECLS
