/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pure readers of GStreamer's RTP statistics: the "stats" structure of an
 * rtpsession (one entry per source, local and remote) and of an
 * rtpjitterbuffer. both roles read their counters here; nothing here walks
 * a pipeline or opens a socket.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* one source of an RTP session, as rtpsession's "source-stats" gives it */
typedef struct
{
  guint32 ssrc;
  gboolean internal;         /* one of ours */
  gboolean is_sender;
  gchar *rtcp_from;          /* "address:port" RTCP came from, or NULL */
  guint64 packets_received;
  guint64 octets_received;
  guint64 packets_lost;      /* as this session counts them; never negative */
  gdouble jitter_ms;         /* this session's estimate of the source's jitter */
  /* the source's last receiver report about us, when have_rb */
  gboolean have_rb;
  gdouble rb_fraction_lost;  /* 0..1 */
  gint64 rb_packets_lost;
  gdouble rb_jitter_ms;
  gdouble rb_rtt_ms;
} GcRtpSourceStats;

typedef struct
{
  guint64 pushed;
  guint64 lost;
  guint64 late;
  guint64 duplicates;
} GcJitterStats;

void       gc_rtp_source_stats_clear        (GcRtpSourceStats *s);
GArray    *gc_rtp_stats_read_session        (const GstStructure *session_stats,
                                             guint               clock_rate);
void       gc_rtp_stats_read_jitterbuffer   (const GstStructure *stats,
                                             GcJitterStats      *out);
gchar     *gc_rtp_stats_address_of          (const gchar *address_port);

G_END_DECLS
