/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a receive pipeline's forward error correction: when the source's SDP
 * names ULPFEC packets (RFC 5109, "a=x-groupcast-fec:122 ulpfec/90000") in the
 * picture's stream, the rtpbin rtspsrc makes keeps the stream's recent
 * packets (rtpstorage), and a lost picture packet the jitter buffer
 * gives up on is rebuilt from them (rtpulpfecdec). A stream without FEC
 * plays as before. Called from rtspsrc's and rtpbin's threads; the count
 * is read from any.
 */
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

typedef struct _GcReceiverFec GcReceiverFec;

GcReceiverFec *gc_receiver_fec_new          (void);
void           gc_receiver_fec_free         (GcReceiverFec       *self);
/* the source's SDP, before the streams are set up */
void           gc_receiver_fec_read_sdp     (GcReceiverFec       *self,
                                             const GstSDPMessage *sdp);
void           gc_receiver_fec_hook_manager (GcReceiverFec       *self,
                                             GstElement          *rtpbin);
void           gc_receiver_fec_hook_ptdemux (GcReceiverFec       *self,
                                             GstElement          *ptdemux);
/* the FEC payload type the source announced; 0: none */
guint          gc_receiver_fec_pt           (GcReceiverFec       *self);
/* picture packets rebuilt so far, and those the FEC could not */
guint64        gc_receiver_fec_recovered    (GcReceiverFec       *self);
guint64        gc_receiver_fec_unrecovered  (GcReceiverFec       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcReceiverFec, gc_receiver_fec_free)

G_END_DECLS
