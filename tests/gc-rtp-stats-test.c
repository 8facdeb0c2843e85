/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the pure RTP statistics both roles read their counters from, the rate
 * meter, the receiver's counters across reconnects and the source's member
 * table, fed with statistics structures shaped as rtpsession and
 * rtpjitterbuffer make them
 */
#include "config.h"

#include <gst/gst.h>

#include "gc-rate.h"
#include "gc-receiver-stats.h"
#include "gc-rtp-stats.h"
#include "gc-source-members.h"

/* one entry of rtpsession's "source-stats" */
static GstStructure *
source_entry (guint ssrc, gboolean internal, gboolean sender, const gchar *rtcp_from,
              guint64 packets, guint64 octets, gint lost, guint jitter)
{
  GstStructure *s = gst_structure_new ("application/x-rtp-source-stats",
                                       "ssrc", G_TYPE_UINT, ssrc,
                                       "internal", G_TYPE_BOOLEAN, internal,
                                       "is-sender", G_TYPE_BOOLEAN, sender,
                                       "packets-received", G_TYPE_UINT64, packets,
                                       "octets-received", G_TYPE_UINT64, octets,
                                       "packets-lost", G_TYPE_INT, lost,
                                       "jitter", G_TYPE_UINT, jitter,
                                       NULL);

  if (rtcp_from != NULL)
    gst_structure_set (s, "rtcp-from", G_TYPE_STRING, rtcp_from, NULL);
  return s;
}

static void
add_rb (GstStructure *s, guint fraction, gint lost, guint jitter, guint rtt)
{
  gst_structure_set (s, "have-rb", G_TYPE_BOOLEAN, TRUE,
                     "rb-fractionlost", G_TYPE_UINT, fraction,
                     "rb-packetslost", G_TYPE_INT, lost,
                     "rb-jitter", G_TYPE_UINT, jitter,
                     "rb-round-trip", G_TYPE_UINT, rtt, NULL);
}

/* rtpsession's "stats": its sources as a GValueArray of structures */
static GstStructure *
session_stats (GstStructure *first, ...)
{
  GstStructure *stats = gst_structure_new_empty ("application/x-rtp-session-stats");
  GValue arr = G_VALUE_INIT;
  va_list ap;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_value_init (&arr, g_value_array_get_type ());
  g_value_take_boxed (&arr, g_value_array_new (4));
  va_start (ap, first);
  for (GstStructure *s = first; s != NULL; s = va_arg (ap, GstStructure *))
    {
      GValue v = G_VALUE_INIT;

      g_value_init (&v, GST_TYPE_STRUCTURE);
      g_value_take_boxed (&v, s);
      g_value_array_append (g_value_get_boxed (&arr), &v);
      g_value_unset (&v);
    }
  va_end (ap);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gst_structure_take_value (stats, "source-stats", &arr);
  return stats;
}

static void
test_read_session (void)
{
  GstStructure *remote = source_entry (0x1234, FALSE, TRUE, "10.0.0.2:15551", 900, 1200000, 3, 900);
  g_autoptr (GstStructure) stats = NULL;
  g_autoptr (GArray) sources = NULL;
  const GcRtpSourceStats *s;

  add_rb (remote, 64, 7, 180, 65536 / 100);
  stats = session_stats (source_entry (0x99, TRUE, TRUE, NULL, 0, 0, 0, 0), remote,
                         /* a host that lost more than it got reports a negative count */
                         source_entry (0x55, FALSE, FALSE, "10.0.0.3:15551", 0, 0, -4, 0),
                         NULL);
  sources = gc_rtp_stats_read_session (stats, 90000);
  g_assert_cmpuint (sources->len, ==, 3);
  s = &g_array_index (sources, GcRtpSourceStats, 0);
  g_assert_true (s->internal);
  g_assert_null (s->rtcp_from);
  s = &g_array_index (sources, GcRtpSourceStats, 1);
  g_assert_cmpuint (s->ssrc, ==, 0x1234);
  g_assert_false (s->internal);
  g_assert_true (s->is_sender);
  g_assert_cmpstr (s->rtcp_from, ==, "10.0.0.2:15551");
  g_assert_cmpuint (s->packets_received, ==, 900);
  g_assert_cmpuint (s->octets_received, ==, 1200000);
  g_assert_cmpuint (s->packets_lost, ==, 3);
  /* 900 ticks of the 90 kHz video clock */
  g_assert_cmpfloat_with_epsilon (s->jitter_ms, 10.0, 1e-9);
  g_assert_true (s->have_rb);
  g_assert_cmpfloat_with_epsilon (s->rb_fraction_lost, 0.25, 1e-9);
  g_assert_cmpint (s->rb_packets_lost, ==, 7);
  g_assert_cmpfloat_with_epsilon (s->rb_jitter_ms, 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s->rb_rtt_ms, 10.0, 0.02);
  s = &g_array_index (sources, GcRtpSourceStats, 2);
  g_assert_cmpuint (s->packets_lost, ==, 0);
  g_assert_false (s->have_rb);
}

static void
test_read_odd (void)
{
  g_autoptr (GstStructure) empty = gst_structure_new_empty ("application/x-rtp-session-stats");
  g_autoptr (GstStructure) wrong = gst_structure_new ("application/x-rtp-session-stats",
                                                      "source-stats", G_TYPE_STRING, "no",
                                                      NULL);
  g_autoptr (GArray) a = gc_rtp_stats_read_session (NULL, 90000);
  g_autoptr (GArray) b = gc_rtp_stats_read_session (empty, 90000);
  g_autoptr (GArray) c = gc_rtp_stats_read_session (wrong, 90000);
  g_autoptr (GstStructure) jb = gst_structure_new ("application/x-rtp-jitterbuffer-stats",
                                                   "num-pushed", G_TYPE_UINT64, (guint64) 10,
                                                   "num-lost", G_TYPE_UINT64, (guint64) 2,
                                                   "num-late", G_TYPE_UINT64, (guint64) 1,
                                                   "num-duplicates", G_TYPE_UINT64, (guint64) 4,
                                                   NULL);
  GcJitterStats j;

  g_assert_cmpuint (a->len + b->len + c->len, ==, 0);
  gc_rtp_stats_read_jitterbuffer (jb, &j);
  g_assert_cmpuint (j.pushed, ==, 10);
  g_assert_cmpuint (j.lost, ==, 2);
  g_assert_cmpuint (j.late, ==, 1);
  g_assert_cmpuint (j.duplicates, ==, 4);
  gc_rtp_stats_read_jitterbuffer (NULL, &j);
  g_assert_cmpuint (j.pushed + j.lost + j.late + j.duplicates, ==, 0);
}

static void
test_address_of (void)
{
  const gchar *cases[][2] = {
    { "10.0.0.2:15551", "10.0.0.2" }, { "10.0.0.2", "10.0.0.2" },
    { "[fe80::1]:5004", "fe80::1" }, { "fe80::1", "fe80::1" }, { "[bad", "[bad" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *a = gc_rtp_stats_address_of (cases[i][0]);

      g_assert_cmpstr (a, ==, cases[i][1]);
    }
  g_assert_null (gc_rtp_stats_address_of (NULL));
}

static void
test_rate (void)
{
  GcRate r = { 0 };
  const gint64 t0 = 1000 * G_USEC_PER_SEC;

  g_assert_false (gc_rate_update (&r, 100, t0));
  /* a window closes only after 900 ms */
  g_assert_false (gc_rate_update (&r, 200, t0 + 500000));
  g_assert_true (gc_rate_update (&r, 1100, t0 + 1000000));
  g_assert_cmpfloat_with_epsilon (r.rate, 1000.0, 1e-9);
  g_assert_true (gc_rate_update (&r, 1600, t0 + 2000000));
  g_assert_cmpfloat_with_epsilon (r.rate, 500.0, 1e-9);
  /* a counter that restarted opens a new window and keeps the last rate */
  g_assert_false (gc_rate_update (&r, 10, t0 + 2500000));
  g_assert_cmpfloat_with_epsilon (r.rate, 500.0, 1e-9);
  g_assert_true (gc_rate_update (&r, 310, t0 + 3500000));
  g_assert_cmpfloat_with_epsilon (r.rate, 300.0, 1e-9);
  gc_rate_reset (&r);
  g_assert_cmpfloat (r.rate, ==, 0);
}

static void
test_receiver_stats (void)
{
  g_autoptr (GcReceiverStats) stats = gc_receiver_stats_new ();
  GcRtpSourceStats sender = { .is_sender = TRUE, .packets_received = 100,
                              .octets_received = 125000, .packets_lost = 2, .jitter_ms = 1.5 };
  GcJitterStats jb = { .late = 1, .duplicates = 3 };
  GcReceiverCounters c;
  gint64 now = 50 * G_USEC_PER_SEC;

  gc_receiver_stats_get (stats, &c);
  g_assert_cmpfloat (c.first_frame_ms, ==, -1);
  g_assert_cmpfloat (c.latency_ms, ==, -1);
  gc_receiver_stats_update (stats, &jb, &sender, now);
  for (guint i = 0; i < 5; i++)
    gc_receiver_stats_add_frame (stats, TRUE, 10.0 + i, now);
  gc_receiver_stats_add_frame (stats, FALSE, 0, now);
  gc_receiver_stats_set_first_frame (stats, 48.5);
  gc_receiver_stats_set_first_frame (stats, 99); /* the first one stays */
  sender.octets_received += 250000;             /* 2 Mbit in one second */
  gc_receiver_stats_update (stats, &jb, &sender, now + G_USEC_PER_SEC);
  gc_receiver_stats_get (stats, &c);
  g_assert_cmpuint (c.packets_received, ==, 100);
  g_assert_cmpuint (c.packets_lost, ==, 2);
  g_assert_cmpuint (c.packets_late, ==, 1);
  g_assert_cmpuint (c.duplicates, ==, 3);
  g_assert_cmpuint (c.frames_decoded, ==, 6);
  g_assert_cmpfloat (c.first_frame_ms, ==, 48.5);
  g_assert_cmpuint (c.bitrate, ==, 2000000);
  /* the samples are a second old now: none left for the p50 */
  g_assert_cmpfloat (c.latency_ms, ==, -1);
  gc_receiver_stats_update (stats, NULL, NULL, now + 100000);
  gc_receiver_stats_get (stats, &c);
  g_assert_cmpfloat (c.latency_ms, ==, 12.0);

  /* a reconnect: the next pipeline's counts add to this one's */
  gc_receiver_stats_end_pipeline (stats);
  sender.packets_received = 40;
  sender.packets_lost = 1;
  gc_receiver_stats_update (stats, &jb, &sender, now + 3 * G_USEC_PER_SEC);
  gc_receiver_stats_get (stats, &c);
  g_assert_cmpuint (c.packets_received, ==, 140);
  g_assert_cmpuint (c.packets_lost, ==, 3);
  g_assert_cmpuint (c.packets_late, ==, 2);

  /* a new URL: from zero */
  gc_receiver_stats_reset (stats);
  gc_receiver_stats_get (stats, &c);
  g_assert_cmpuint (c.packets_received + c.frames_decoded + c.bitrate, ==, 0);
  g_assert_cmpfloat (c.first_frame_ms, ==, -1);
}

static void
on_joined (GcMemberTable *table, const gchar *address, GPtrArray *log)
{
  g_ptr_array_add (log, g_strdup_printf ("+%s", address));
}

static void
on_left (GcMemberTable *table, const gchar *address, const gchar *reason, GPtrArray *log)
{
  g_ptr_array_add (log, g_strdup_printf ("-%s %s", address, reason));
}

static const gchar *
name_of (const gchar *address, gpointer data)
{
  return g_str_equal (address, "10.0.0.2") ? "Lobby" : NULL;
}

static void
test_member_table (void)
{
  g_autoptr (GcMemberTable) table = gc_member_table_new ();
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GstStructure) stats = NULL;
  g_autoptr (GcMemberInfo) lobby = NULL;
  g_autoptr (GcMemberInfo) other = NULL;
  g_autoptr (GPtrArray) all = NULL;
  GstStructure *rr = source_entry (0x77, FALSE, FALSE, "10.0.0.2:15551", 0, 0, 0, 0);
  g_autoptr (GcMemberInfo) moved = NULL;
  gint client_a, client_b, client_c;

  gc_member_table_set_name_func (table, name_of, NULL);
  g_signal_connect (table, "member-joined", G_CALLBACK (on_joined), log);
  g_signal_connect (table, "member-left", G_CALLBACK (on_left), log);
  gc_member_table_play (table, "10.0.0.2", &client_a, "s1", GC_TRANSPORT_MULTICAST);
  /* a PLAY again: no second join */
  gc_member_table_play (table, "10.0.0.2", &client_a, "s1", GC_TRANSPORT_MULTICAST);
  gc_member_table_play (table, "10.0.0.3", &client_b, NULL, GC_TRANSPORT_MULTICAST);
  g_assert_cmpuint (gc_member_table_get_size (table), ==, 2);
  g_assert_cmpuint (gc_member_table_get_n_playing (table), ==, 2);
  g_assert_true (gc_member_table_is_playing (table, "10.0.0.3"));
  g_assert_false (gc_member_table_is_playing (table, "10.0.0.9"));

  /* receiver reports: a member's, and one from a host with no session */
  add_rb (rr, 128, 12, 90, 65536 / 50);
  stats = session_stats (rr, source_entry (0x88, FALSE, FALSE, "10.0.0.9:15551", 0, 0, 0, 0),
                         NULL);
  gc_member_table_note_report (table, 0x77);
  gc_member_table_update (table, stats, 90000);
  lobby = gc_member_table_dup_info (table, "10.0.0.2");
  g_assert_cmpstr (lobby->name, ==, "Lobby");
  g_assert_cmpint (lobby->state, ==, GC_MEMBER_STATE_PLAYING);
  g_assert_cmpstr (lobby->session, ==, "s1");
  g_assert_cmpfloat_with_epsilon (lobby->fraction_lost, 0.5, 1e-9);
  g_assert_cmpint (lobby->packets_lost, ==, 12);
  g_assert_cmpfloat_with_epsilon (lobby->jitter_ms, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (lobby->rtt_ms, 20.0, 0.05);
  g_assert_cmpint (lobby->report_age_ms, >=, 0);
  other = gc_member_table_dup_info (table, "10.0.0.3");
  g_assert_cmpstr (other->name, ==, "10.0.0.3");
  g_assert_cmpint (other->report_age_ms, ==, -1);
  g_assert_null (gc_member_table_dup_info (table, "10.0.0.9"));
  all = gc_member_table_dup_infos (table);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpint (lobby->transport, ==, GC_TRANSPORT_MULTICAST);

  /* a receiver the group missed gets a stream of its own (a second
   * session for a moment, the first one torn down after): it stays, with
   * the newer session, and no one joined or left */
  gc_member_table_play (table, "10.0.0.3", &client_c, "s3", GC_TRANSPORT_UNICAST);
  gc_member_table_remove_client (table, &client_b, "teardown");
  moved = gc_member_table_dup_info (table, "10.0.0.3");
  g_assert_nonnull (moved);
  g_assert_cmpint (moved->transport, ==, GC_TRANSPORT_UNICAST);
  g_assert_cmpstr (moved->session, ==, "s3");

  /* a teardown, a closed connection, a stop */
  gc_member_table_remove (table, "10.0.0.2", "teardown");
  gc_member_table_remove (table, "10.0.0.2", "teardown");
  gc_member_table_play (table, "10.0.0.4", &client_a, NULL, GC_TRANSPORT_TCP);
  gc_member_table_remove_client (table, &client_c, "closed");
  gc_member_table_clear (table, "stopped");
  g_assert_cmpuint (gc_member_table_get_size (table), ==, 0);
  g_assert_cmpuint (log->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, "+10.0.0.2");
  g_assert_cmpstr (g_ptr_array_index (log, 1), ==, "+10.0.0.3");
  g_assert_cmpstr (g_ptr_array_index (log, 2), ==, "-10.0.0.2 teardown");
  g_assert_cmpstr (g_ptr_array_index (log, 3), ==, "+10.0.0.4");
  g_assert_cmpstr (g_ptr_array_index (log, 4), ==, "-10.0.0.3 closed");
  g_assert_cmpstr (g_ptr_array_index (log, 5), ==, "-10.0.0.4 stopped");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/rtp-stats/read-session", test_read_session);
  g_test_add_func ("/groupcast/rtp-stats/read-odd", test_read_odd);
  g_test_add_func ("/groupcast/rtp-stats/address-of", test_address_of);
  g_test_add_func ("/groupcast/rtp-stats/rate", test_rate);
  g_test_add_func ("/groupcast/receiver/stats", test_receiver_stats);
  g_test_add_func ("/groupcast/source/member-table", test_member_table);
  return g_test_run ();
}
