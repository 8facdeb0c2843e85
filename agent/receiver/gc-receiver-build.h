/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what a receive pipeline is built of: the decoder chosen, the elements
 * loaded once at start, and which of rtspsrc's pads is which
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* the H.264 decoder's launch words: hardware first, then libav */
const gchar *gc_receiver_pick_decoder (void);
/* the port of a udpsrc (a message's source), -1 for anything else */
gint         gc_receiver_udpsrc_port  (GstObject *object);
/* the picture's H.264 (no caps to tell by: taken as it) */
gboolean     gc_receiver_pad_is_h264  (GstPad    *pad);
/* the picture's FEC packets (ULPFEC) */
gboolean     gc_receiver_pad_is_fec   (GstPad    *pad);

G_END_DECLS
