/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-h264.h"

#define STAP_A 24
#define FU_A 28

/* the first NAL unit of an RTP payload: a single NAL unit packet, the
 * first one an aggregation (STAP-A, after its 16-bit size) holds, or the
 * one a fragment (FU-A) is of. FALSE when the payload is too short to
 * say */
gboolean
gc_h264_first_nal (const guint8 *payload, gsize len, GcH264Nal *out)
{
  guint type;

  g_return_val_if_fail (out != NULL, FALSE);

  *out = (GcH264Nal) { 0, FALSE, NULL, 0 };
  if (payload == NULL || len < 1)
    return FALSE;
  type = payload[0] & 0x1f;
  if (type == STAP_A)
    {
      if (len < 4)
        return FALSE;
      *out = (GcH264Nal) { payload[3] & 0x1f, TRUE, payload + 4, len - 4 };
      return TRUE;
    }
  if (type == FU_A)
    {
      if (len < 2)
        return FALSE;
      *out = (GcH264Nal) { payload[1] & 0x1f, (payload[1] & 0x80) != 0, payload + 2, len - 2 };
      return TRUE;
    }
  *out = (GcH264Nal) { type, TRUE, payload + 1, len - 1 };
  return TRUE;
}
