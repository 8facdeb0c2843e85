/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the H.264 RTP payload (RFC 6184) as both roles read it: which NAL unit a
 * packet begins with. pure, no allocation.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* what a packet's first NAL unit is */
typedef struct
{
  guint type;           /* nal_unit_type (5 IDR, 7 SPS, 8 PPS...), 0 if none */
  gboolean start;       /* the packet holds its start (a FU-A's start fragment) */
  const guint8 *rest;   /* the bytes after its NAL header */
  gsize rest_len;
} GcH264Nal;

gboolean gc_h264_first_nal (const guint8 *payload,
                            gsize         len,
                            GcH264Nal    *out);

G_END_DECLS
