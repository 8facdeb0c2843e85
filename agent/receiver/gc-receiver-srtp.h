/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a receive pipeline's media key (SRTP): read from the source's SDP (the
 * x-groupcast-srtp attribute names the source id and key epoch; the key is
 * derived from the site key, gc-srtp.h), given to the rtpbin rtspsrc makes
 * as srtpdec behind a guard (its RTP and RTCP) and srtpenc (its reports).
 * A receiver with the site key takes only encrypted streams; one without
 * it refuses an encrypted one with the reason. Called from rtspsrc's and
 * rtpbin's threads.
 */
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

#define GC_TYPE_RECEIVER_SRTP (gc_receiver_srtp_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiverSrtp, gc_receiver_srtp, GC, RECEIVER_SRTP, GObject)

GcReceiverSrtp *gc_receiver_srtp_new          (GBytes   *site_key,
                                               gboolean  plain_too);
gboolean        gc_receiver_srtp_read_sdp     (GcReceiverSrtp      *self,
                                               const GstSDPMessage *sdp,
                                               const gchar         *where);
void            gc_receiver_srtp_hook_manager (GcReceiverSrtp *self,
                                               GstElement     *rtpbin);
void            gc_receiver_srtp_hook_udpsrc  (GcReceiverSrtp *self,
                                               GstElement     *udpsrc);
gchar          *gc_receiver_srtp_dup_refusal  (GcReceiverSrtp *self);
gboolean        gc_receiver_srtp_encrypted    (GcReceiverSrtp *self);
guint64         gc_receiver_srtp_rejected     (GcReceiverSrtp *self);

G_END_DECLS
