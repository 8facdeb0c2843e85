/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * which H.264 frames miss data: fed the picture's RTP packets in sequence
 * order (after the jitter buffer), it gives each frame a verdict when the
 * frame ends. a frame is damaged when one of its packets was lost, and so
 * is every frame after a loss until a key frame arrives whole (the later
 * frames refer to what was lost); the decoder would hide the hole by
 * concealment, a smeared picture, so a damaged frame is not shown.
 * pure, and locked inside: packets come in one streaming thread, decoded
 * frames are asked about in another.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* verdicts kept for frames not yet decoded (about 4 s at 30 fps) */
#define GC_FRAME_DAMAGE_KEEP 128

typedef struct _GcFrameDamage GcFrameDamage;

GcFrameDamage *gc_frame_damage_new      (void);
void           gc_frame_damage_free     (GcFrameDamage *self);
/* one RTP packet of the picture: @payload is its RTP payload */
void           gc_frame_damage_packet   (GcFrameDamage *self,
                                         guint16        seq,
                                         guint32        rtp_time,
                                         gboolean       marker,
                                         const guint8  *payload,
                                         gsize          len,
                                         GstClockTime   pts);
/* a packet was lost before the next one: the jitter buffer's lost-packet
 * event, which says so where the sequence numbers cannot (the FEC decoder
 * numbers what it passes on afresh, and a lost FEC packet leaves a gap
 * in them that is no loss of the picture's) */
void           gc_frame_damage_lost     (GcFrameDamage *self);
/* a decoded frame with @pts: TRUE when it misses data (never shown).
 * frames the decoder dropped are passed over; a frame with no verdict
 * is taken as intact */
gboolean       gc_frame_damage_is_damaged (GcFrameDamage *self,
                                           GstClockTime   pts);
/* frames found damaged so far (those the decoder dropped too), from the
 * first whole key frame on: the frames of a GOP joined midway are not
 * shown, but they are no loss */
guint64        gc_frame_damage_count    (GcFrameDamage *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcFrameDamage, gc_frame_damage_free)

G_END_DECLS
