/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the source stamps each frame with its wall-clock capture time in the NTP
 * epoch (the RFC 6051 ntp-64 header extension); receivers compare it with
 * their own clock. both sides use these.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix) */
#define GC_NTP_UNIX_OFFSET_S G_GUINT64_CONSTANT (2208988800)

/* the wall clock now, in nanoseconds since the NTP epoch */
static inline guint64
gc_ntp_now_ns (void)
{
  return (guint64) g_get_real_time () * 1000 + GC_NTP_UNIX_OFFSET_S * GST_SECOND;
}

/* "timestamp/x-ntp": the reference caps of the capture stamp's meta
 * (transfer none, made once) */
GstCaps *gc_ntp_reference_caps (void);

G_END_DECLS
