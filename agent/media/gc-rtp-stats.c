/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcRtpStats"

#include "config.h"

#include "gc-rtp-stats.h"

void
gc_rtp_source_stats_clear (GcRtpSourceStats *s)
{
  if (s != NULL)
    g_clear_pointer (&s->rtcp_from, g_free);
}

static void
read_source (const GstStructure *s, guint clock_rate, GcRtpSourceStats *out)
{
  guint ssrc = 0, jitter = 0, fraction = 0, rb_jitter = 0, rtt = 0;
  gint lost = 0, rb_lost = 0;

  gst_structure_get_uint (s, "ssrc", &ssrc);
  out->ssrc = ssrc;
  gst_structure_get_boolean (s, "internal", &out->internal);
  gst_structure_get_boolean (s, "is-sender", &out->is_sender);
  out->rtcp_from = g_strdup (gst_structure_get_string (s, "rtcp-from"));
  gst_structure_get_uint64 (s, "packets-received", &out->packets_received);
  gst_structure_get_uint64 (s, "octets-received", &out->octets_received);
  gst_structure_get_int (s, "packets-lost", &lost);
  out->packets_lost = lost > 0 ? (guint64) lost : 0;
  gst_structure_get_uint (s, "jitter", &jitter);
  out->jitter_ms = jitter * 1000.0 / clock_rate;
  gst_structure_get_boolean (s, "have-rb", &out->have_rb);
  if (!out->have_rb)
    return;
  gst_structure_get_uint (s, "rb-fractionlost", &fraction);
  gst_structure_get_int (s, "rb-packetslost", &rb_lost);
  gst_structure_get_uint (s, "rb-jitter", &rb_jitter);
  gst_structure_get_uint (s, "rb-round-trip", &rtt);
  out->rb_fraction_lost = fraction / 256.0;          /* 8-bit fixed point */
  out->rb_packets_lost = rb_lost;
  out->rb_jitter_ms = rb_jitter * 1000.0 / clock_rate;
  out->rb_rtt_ms = rtt * 1000.0 / 65536.0;           /* 16.16 seconds */
}

/* the sources of an rtpsession's "stats" structure, as an array of
 * GcRtpSourceStats (cleared with the array). @clock_rate is the RTP clock
 * of the media (90000 for video), for the jitter figures. a structure
 * without "source-stats", or entries that are not structures, give fewer
 * (or no) entries, never an error. */
GArray *
gc_rtp_stats_read_session (const GstStructure *session_stats, guint clock_rate)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (GcRtpSourceStats));
  const GValue *v;

  g_array_set_clear_func (out, (GDestroyNotify) gc_rtp_source_stats_clear);
  g_return_val_if_fail (clock_rate > 0, out);
  if (session_stats == NULL)
    return out;
  v = gst_structure_get_value (session_stats, "source-stats");
  /* rtpsession hands out a GValueArray, deprecated but its documented
   * type */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (v != NULL && G_VALUE_HOLDS_BOXED (v))
  {
    GValueArray *arr = g_value_get_boxed (v);

    for (guint i = 0; arr != NULL && i < arr->n_values; i++)
      {
        const GValue *item = g_value_array_get_nth (arr, i);
        GcRtpSourceStats s = { 0 };

        if (!GST_VALUE_HOLDS_STRUCTURE (item))
          continue;
        read_source (gst_value_get_structure (item), clock_rate, &s);
        g_array_append_val (out, s);
      }
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  return out;
}

void
gc_rtp_stats_read_jitterbuffer (const GstStructure *stats, GcJitterStats *out)
{
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  if (stats == NULL)
    return;
  gst_structure_get_uint64 (stats, "num-pushed", &out->pushed);
  gst_structure_get_uint64 (stats, "num-lost", &out->lost);
  gst_structure_get_uint64 (stats, "num-late", &out->late);
  gst_structure_get_uint64 (stats, "num-duplicates", &out->duplicates);
}

/* "10.0.0.2:15551" -> "10.0.0.2"; "[::1]:5" -> "::1"; no port: as given */
gchar *
gc_rtp_stats_address_of (const gchar *address_port)
{
  const gchar *colon;

  if (address_port == NULL)
    return NULL;
  if (address_port[0] == '[')
    {
      const gchar *end = strchr (address_port, ']');

      return end != NULL ? g_strndup (address_port + 1, end - address_port - 1)
                         : g_strdup (address_port);
    }
  colon = strrchr (address_port, ':');
  if (colon == NULL || strchr (address_port, ':') != colon)
    return g_strdup (address_port);
  return g_strndup (address_port, colon - address_port);
}
