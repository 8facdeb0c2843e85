/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gst/gst.h>

#include "gc-config.h"
#include "gc-error.h"
#include "gc-igmp.h"
#include "gc-frame-damage.h"
#include "gc-receiver-checks.h"
#include "gc-source.h"

static const gchar igmp[] =
  "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
  "1\tlo        :     1      V3\n"
  "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
  "2\teth0      :     3      V3\n"
  "\t\t\t\t0B0000EF     1 0:00000000\t\t0\n"
  "\t\t\t\t0C0000EF     2 0:00000000\t\t0\n"
  "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
  "3\twlan0     :     1      V3\n"
  "\t\t\t\t0D0000EF     1 0:00000000\t\t0\n";

static void
test_igmp_parse (void)
{
  g_auto (GStrv) eth0 = gc_igmp_parse_groups (igmp, "eth0");
  g_auto (GStrv) all = gc_igmp_parse_groups (igmp, NULL);
  g_auto (GStrv) none = gc_igmp_parse_groups (igmp, "eth9");
  g_auto (GStrv) junk = gc_igmp_parse_groups ("2\teth0 :\n\tZZZZ\n\t12\n", "eth0");
  g_auto (GStrv) empty = gc_igmp_parse_groups (NULL, NULL);

  g_assert_cmpuint (g_strv_length (eth0), ==, 2);
  g_assert_cmpstr (eth0[0], ==, "239.0.0.11");
  g_assert_cmpstr (eth0[1], ==, "239.0.0.12");
  /* without an interface: all but loopback, never all-hosts */
  g_assert_cmpuint (g_strv_length (all), ==, 3);
  g_assert_cmpstr (all[2], ==, "239.0.0.13");
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (g_strv_length (junk), ==, 0);
  g_assert_cmpuint (g_strv_length (empty), ==, 0);
}

static const gchar udp[] =
  "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
  "inode ref pointer drops            \n"
  "  371: 0B0000EF:3CAE 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 "
  "4242 2 0000000000000000 17\n"
  "  372: 0B0000EF:3CAF 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
  "4243 2 0000000000000000 3\n"
  "  999: 00000000:1C45 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
  "9999 2 0000000000000000 500\n"
  "  bad line\n"
  "  1: x y z 07 a b c 0 0 notanumber 2 p 5\n";

static void
test_udp_drops (void)
{
  const guint64 ours[] = { 4242, 4243 };
  const guint64 other[] = { 1 };
  const guint64 zero[] = { 0 };

  /* the sockets' own drops, not another socket's */
  g_assert_cmpuint (gc_udp_parse_drops (udp, ours, 2), ==, 20);
  g_assert_cmpuint (gc_udp_parse_drops (udp, ours, 1), ==, 17);
  g_assert_cmpuint (gc_udp_parse_drops (udp, other, 1), ==, 0);
  g_assert_cmpuint (gc_udp_parse_drops (udp, zero, 1), ==, 0);
  g_assert_cmpuint (gc_udp_parse_drops (NULL, ours, 2), ==, 0);
  g_assert_cmpuint (gc_udp_parse_drops (udp, NULL, 0), ==, 0);
}

/* ---- which frames miss data ---------------------------------------------- */

typedef struct
{
  GcFrameDamage *d;
  guint16 seq;
} Feed;

/* one frame of @n packets at @ms: an IDR (FU-A, or a STAP-A when @stap)
 * or a P-frame; packet @lose (1-based, 0: none) never arrives */
static void
feed_frame (Feed *f, guint ms, gboolean idr, guint n, guint lose, gboolean stap)
{
  for (guint i = 1; i <= n; i++)
    {
      /* FU-A: indicator type 28, header start bit on the first, then the
       * slice header: first_mb_in_slice 0 (a single 1 bit) */
      guint8 fu[3] = { 0x7c, (guint8) ((i == 1 ? 0x80 : 0) | (i == n ? 0x40 : 0) | (idr ? 5 : 1)),
                       i == 1 ? 0x80 : 0x12 };
      /* STAP-A: an SPS (7) of 2 bytes, then the IDR (5) of 2 bytes */
      guint8 st[9] = { 0x78, 0, 2, 0x67, 0, 0, 2, 0x65, 0 };
      guint8 single[2] = { (guint8) (idr ? 0x65 : 0x41), 0x80 };
      const guint8 *payload = n == 1 ? (stap ? st : single) : fu;
      gsize len = n == 1 ? (stap ? sizeof st : sizeof single) : sizeof fu;

      if (i != lose)
        gc_frame_damage_packet (f->d, f->seq, ms * 90, i == n, payload, len, ms * GST_MSECOND);
      f->seq++;
    }
}

static gboolean
damaged_at (Feed *f, guint ms)
{
  return gc_frame_damage_is_damaged (f->d, ms * GST_MSECOND);
}

static void
test_frame_damage (void)
{
  g_autoptr (GcFrameDamage) d = gc_frame_damage_new ();
  Feed f = { d, 65530 }; /* the numbers wrap on the way */

  /* a P-frame before any key frame: nothing to decode it from */
  feed_frame (&f, 0, FALSE, 3, 0, FALSE);
  /* a whole key frame, then whole P-frames: intact */
  feed_frame (&f, 33, TRUE, 4, 0, FALSE);
  feed_frame (&f, 66, FALSE, 3, 0, FALSE);
  feed_frame (&f, 100, FALSE, 1, 0, FALSE);
  g_assert_true (damaged_at (&f, 0));
  g_assert_false (damaged_at (&f, 33));
  g_assert_false (damaged_at (&f, 66));
  g_assert_false (damaged_at (&f, 100));
  /* not shown, but no loss: not counted */
  g_assert_cmpuint (gc_frame_damage_count (d), ==, 0);

  /* a packet lost in the middle of a P-frame: it and what follows are
   * damaged until a whole key frame (here a STAP-A: SPS and IDR) */
  feed_frame (&f, 133, FALSE, 3, 2, FALSE);
  feed_frame (&f, 166, FALSE, 3, 0, FALSE);
  feed_frame (&f, 200, TRUE, 1, 0, TRUE);
  feed_frame (&f, 233, FALSE, 3, 0, FALSE);
  g_assert_true (damaged_at (&f, 133));
  g_assert_true (damaged_at (&f, 166));
  g_assert_false (damaged_at (&f, 200));
  g_assert_false (damaged_at (&f, 233));

  /* the last packet of a frame lost (the next frame starts after the gap):
   * that frame is damaged; a key frame that lost a packet mends nothing */
  feed_frame (&f, 266, FALSE, 3, 3, FALSE);
  feed_frame (&f, 300, TRUE, 4, 2, FALSE);
  feed_frame (&f, 333, FALSE, 2, 0, FALSE);
  feed_frame (&f, 366, TRUE, 4, 0, FALSE);
  g_assert_true (damaged_at (&f, 266));
  g_assert_true (damaged_at (&f, 300));
  g_assert_true (damaged_at (&f, 333));
  g_assert_false (damaged_at (&f, 366));

  /* a whole frame lost: the next one refers to it */
  feed_frame (&f, 400, FALSE, 2, 0, FALSE);
  f.seq += 2;
  feed_frame (&f, 466, FALSE, 2, 0, FALSE);
  g_assert_false (damaged_at (&f, 400));
  g_assert_true (damaged_at (&f, 466));
  g_assert_cmpuint (gc_frame_damage_count (d), ==, 6);

  /* frames the decoder dropped are passed over; no verdict: intact */
  feed_frame (&f, 500, TRUE, 2, 0, FALSE);
  feed_frame (&f, 533, FALSE, 2, 1, FALSE);
  feed_frame (&f, 566, FALSE, 2, 0, FALSE);
  g_assert_true (damaged_at (&f, 566));
  g_assert_false (damaged_at (&f, 900));
  g_assert_false (gc_frame_damage_is_damaged (d, GST_CLOCK_TIME_NONE));
}

/* a joiner gets the end of a frame, then the key frame the source made by
 * repeating its last picture, 1 ms later: the decoder's first frame is
 * that key frame, and it is intact (it was once judged by the frame
 * before it, within the time slack, and the switch waited a frame more) */
static void
test_frame_damage_repeat (void)
{
  g_autoptr (GcFrameDamage) d = gc_frame_damage_new ();
  Feed f = { d, 100 };

  feed_frame (&f, 0, FALSE, 3, 0, FALSE);
  feed_frame (&f, 1, TRUE, 4, 0, FALSE);
  feed_frame (&f, 34, FALSE, 3, 0, FALSE);
  g_assert_false (damaged_at (&f, 1));
  g_assert_false (damaged_at (&f, 34));
  g_assert_cmpuint (gc_frame_damage_count (d), ==, 0);
}

/* FEC packets share the picture's sequence numbers, between frames: their
 * gaps are no loss; a frame's first slice lost whole still is */
static void
test_frame_damage_fec (void)
{
  g_autoptr (GcFrameDamage) d = gc_frame_damage_new ();
  Feed f = { d, 100 };
  const guint8 second_slice[2] = { 0x41, 0x12 }; /* first_mb_in_slice 1 */
  const guint8 first_slice[2] = { 0x41, 0x80 };

  feed_frame (&f, 0, TRUE, 4, 0, FALSE);
  f.seq += 1;
  feed_frame (&f, 33, FALSE, 3, 0, FALSE);
  f.seq += 2;
  feed_frame (&f, 66, FALSE, 1, 0, FALSE);
  f.seq += 1;
  feed_frame (&f, 100, FALSE, 3, 0, FALSE);
  g_assert_false (damaged_at (&f, 0));
  g_assert_false (damaged_at (&f, 33));
  g_assert_false (damaged_at (&f, 66));
  g_assert_false (damaged_at (&f, 100));
  g_assert_cmpuint (gc_frame_damage_count (d), ==, 0);

  /* after an FEC packet, the frame's first slice lost: what came starts no
   * picture */
  f.seq += 2;
  gc_frame_damage_packet (d, f.seq++, 133 * 90, FALSE, second_slice, 2, 133 * GST_MSECOND);
  gc_frame_damage_packet (d, f.seq++, 133 * 90, TRUE, second_slice, 2, 133 * GST_MSECOND);
  g_assert_true (damaged_at (&f, 133));
  /* a whole frame and the FEC packet after it lost: the time between the
   * frames shows it */
  feed_frame (&f, 166, TRUE, 3, 0, FALSE);
  f.seq += 3;
  gc_frame_damage_packet (d, f.seq++, 233 * 90, TRUE, first_slice, 2, 233 * GST_MSECOND);
  g_assert_false (damaged_at (&f, 166));
  g_assert_true (damaged_at (&f, 233));
  g_assert_cmpuint (gc_frame_damage_count (d), ==, 2);
}

/* a stream that shows nothing: why, by what came */
static void
test_describe_silence (void)
{
  g_autofree gchar *none = gc_receiver_describe_silence ("rtsp://10.0.0.1:7236/screen",
                                                         "239.0.0.11", 1, FALSE, FALSE, FALSE, 0);
  g_autofree gchar *refused = gc_receiver_describe_silence ("rtsp://10.0.0.1:7236/screen",
                                                            "239.0.0.11", 1, FALSE, TRUE, FALSE,
                                                            42);
  g_autofree gchar *undecoded = gc_receiver_describe_silence ("rtsp://10.0.0.1:7236/screen",
                                                              NULL, 1, FALSE, TRUE, TRUE, 0);
  g_autofree gchar *nogroup = gc_receiver_describe_silence ("rtsp://10.0.0.1:7236/screen", "",
                                                            0, FALSE, FALSE, FALSE, 0);
  /* beyond a router: TTL 1 is the reason; TTL 2 that still gets nothing
   * is blocked somewhere else */
  g_autofree gchar *ttl = gc_receiver_describe_silence ("rtsp://10.0.0.1:7236/screen",
                                                        "239.0.0.11", 1, TRUE, FALSE, FALSE, 0);
  g_autofree gchar *ttl2 = gc_receiver_describe_silence ("rtsp://10.0.0.1:7236/screen",
                                                         "239.0.0.11", 2, TRUE, FALSE, FALSE, 0);

  g_assert_nonnull (strstr (ttl, "the source's TTL does not reach this subnet"));
  g_assert_nonnull (strstr (ttl, "--ttl=2"));
  g_assert_nonnull (strstr (ttl2, "multicast is blocked on the way"));
  /* loopback's own subnet, and an address beyond it */
  g_assert_false (gc_receiver_url_beyond_subnet ("rtsp://127.0.0.1:7236/screen", "lo"));
  g_assert_true (gc_receiver_url_beyond_subnet ("rtsp://10.0.0.1:7236/screen", "lo"));
  g_assert_false (gc_receiver_url_beyond_subnet ("rtsp://10.0.0.1:7236/screen", "no-such-if"));
  g_assert_false (gc_receiver_url_beyond_subnet ("rtsp://board.local:7236/screen", "lo"));

  g_assert_nonnull (strstr (none, "10.0.0.1:7236 answered and this receiver joined 239.0.0.11"));
  g_assert_nonnull (strstr (none, "multicast is blocked on the way"));
  g_assert_nonnull (strstr (refused, "42 refused"));
  g_assert_nonnull (strstr (undecoded, "no picture decodes"));
  g_assert_nonnull (strstr (nogroup, "joined its group"));
}

static void
test_check_url (void)
{
  const gchar *good[] = { "rtsp://10.0.0.1:7236/screen", "rtsp://host/screen", "rtsp://[::1]:7236/x" };
  const gchar *bad[] = { "", "http://10.0.0.1/", "rtsp://", "rtsp:///screen", "rtsp://a b/",
                         "rtsp://x/\"y", "screen", "rtsp://h/\r\nInject: 1" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (gc_receiver_check_url (good[i], &error));
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (gc_receiver_check_url (bad[i], &error));
      g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    }
  g_assert_false (gc_receiver_check_url (NULL, NULL));
}

static void
test_check_transport (void)
{
  const GcTransportEndpoint good[] = {
    { TRUE, "239.0.0.11", 15551 }, { TRUE, "239.0.0.11", 15550 }, { FALSE, "239.0.0.11", 15551 },
  };
  const GcTransportEndpoint unicast[] = { { FALSE, "10.0.0.1", 15551 } };
  const GcTransportEndpoint none[] = { { TRUE, NULL, 15550 } };
  const GcTransportEndpoint junk[] = { { TRUE, "239.0.0.11", 15550 }, { TRUE, "\xff\xfe", 15550 } };
  const GcTransportEndpoint *bad[] = { unicast, none, junk };
  const guint n_bad[] = { 1, 1, 2 };
  g_autofree gchar *group = NULL;
  guint16 port = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (gc_receiver_check_transport (good, G_N_ELEMENTS (good), "rtsp://10.0.0.1:7236/screen",
                                              NULL, 0, &group, &port, &error));
  g_assert_no_error (error);
  /* the RTP port is the even one, whatever the order */
  g_assert_cmpstr (group, ==, "239.0.0.11");
  g_assert_cmpuint (port, ==, 15550);
  g_clear_pointer (&group, g_free);
  /* nothing set up yet: fine, no group */
  g_assert_true (gc_receiver_check_transport (NULL, 0, NULL, NULL, 0, &group, &port, &error));
  g_assert_null (group);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (gc_receiver_check_transport (bad[i], n_bad[i], "rtsp://10.0.0.1:7236/screen",
                                                   NULL, 0, &group, &port, &error));
      g_assert_error (error, GC_ERROR, GC_ERROR_STREAM);
      g_assert_nonnull (strstr (error->message, "10.0.0.1:7236 offered no multicast group"));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_null (group);
      g_clear_error (&error);
    }
  /* the signed group: the same transport passes when it names it, and is
   * refused when another group or port was signed */
  g_assert_true (gc_receiver_check_transport (good, G_N_ELEMENTS (good), "rtsp://10.0.0.1:7236/screen",
                                              "239.0.0.11:15550", 0, &group, &port, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (group, ==, "239.0.0.11");
  g_clear_pointer (&group, g_free);
  /* the sound on the signed group, on the port its SDP named: taken, and
   * the group's RTP port stays the picture's whatever the order; on
   * another group, or another port than the SDP's, refused */
  {
    const GcTransportEndpoint with_sound[] = { { TRUE, "239.0.0.11", 15552 },
                                               { TRUE, "239.0.0.11", 15553 },
                                               { TRUE, "239.0.0.11", 15550 },
                                               { TRUE, "239.0.0.11", 15551 },
                                               { FALSE, "239.0.0.11", 15553 } };
    const GcTransportEndpoint sound_elsewhere[] = { { TRUE, "239.0.0.11", 15550 },
                                                    { TRUE, "239.0.0.12", 15552 } };

    g_assert_true (gc_receiver_check_transport (with_sound, G_N_ELEMENTS (with_sound),
                                                "rtsp://10.0.0.1:7236/screen", "239.0.0.11:15550",
                                                15552, &group, &port, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (group, ==, "239.0.0.11");
    g_assert_cmpuint (port, ==, 15550);
    g_clear_pointer (&group, g_free);
    g_assert_false (gc_receiver_check_transport (with_sound, G_N_ELEMENTS (with_sound),
                                                 "rtsp://10.0.0.1:7236/screen", "239.0.0.11:15550",
                                                 15554, &group, &port, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_STREAM);
    g_clear_error (&error);
    g_assert_false (gc_receiver_check_transport (sound_elsewhere, G_N_ELEMENTS (sound_elsewhere),
                                                 "rtsp://10.0.0.1:7236/screen", "239.0.0.11:15550",
                                                 15552, &group, &port, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_STREAM);
    g_assert_nonnull (strstr (error->message, "offered group 239.0.0.12:15552"));
    g_clear_error (&error);
  }
  {
    const gchar *others[] = { "239.0.0.12:15550", "239.0.0.11:15560", "[ff15::11]:15550",
                              "not a group" };

    for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
      {
        g_assert_false (gc_receiver_check_transport (good, G_N_ELEMENTS (good),
                                                     "rtsp://10.0.0.1:7236/screen", others[i], 0,
                                                     &group, &port, &error));
        g_assert_error (error, GC_ERROR, GC_ERROR_STREAM);
        g_test_message ("%s signed: %s", others[i], error->message);
        g_assert_nonnull (strstr (error->message, "offered group 239.0.0.11:1555"));
        g_assert_nonnull (strstr (error->message, others[i]));
        g_assert_null (group);
        g_assert_cmpuint (port, ==, 0);
        g_clear_error (&error);
      }
  }
  /* the RTCP sender to another group is refused as well */
  {
    const GcTransportEndpoint rtcp_elsewhere[] = { { TRUE, "239.0.0.11", 15550 },
                                                   { FALSE, "239.0.0.99", 15551 } };

    g_assert_false (gc_receiver_check_transport (rtcp_elsewhere, 2, "rtsp://10.0.0.1:7236/screen",
                                                 "239.0.0.11:15550", 0, &group, &port, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_STREAM);
    g_clear_error (&error);
  }
}

static void
test_check_stream (void)
{
  g_autoptr (GstStructure) h264 = gst_structure_new ("application/x-rtp", "media", G_TYPE_STRING,
                                                     "video", "encoding-name", G_TYPE_STRING,
                                                     "H264", NULL);
  g_autoptr (GstStructure) opus = gst_structure_new ("application/x-rtp", "media", G_TYPE_STRING,
                                                     "audio", "encoding-name", G_TYPE_STRING,
                                                     "OPUS", "clock-rate", G_TYPE_INT, 48000, NULL);
  g_autoptr (GstStructure) opus_8k = gst_structure_new ("application/x-rtp", "media",
                                                        G_TYPE_STRING, "audio", "encoding-name",
                                                        G_TYPE_STRING, "OPUS", "clock-rate",
                                                        G_TYPE_INT, 8000, NULL);
  g_autoptr (GstStructure) pcma = gst_structure_new ("application/x-rtp", "media", G_TYPE_STRING,
                                                     "audio", "encoding-name", G_TYPE_STRING,
                                                     "PCMA", "clock-rate", G_TYPE_INT, 8000, NULL);
  g_autoptr (GstStructure) bare = gst_structure_new_empty ("application/x-rtp");
  g_autofree gchar *why = NULL;
  gboolean audio = TRUE;

  g_assert_true (gc_receiver_check_stream (h264, &audio, NULL));
  g_assert_false (audio);
  /* the sound: Opus, named at 48 kHz as RFC 7587 says */
  g_assert_true (gc_receiver_check_stream (opus, &audio, NULL));
  g_assert_true (audio);
  g_assert_false (gc_receiver_check_stream (opus_8k, &audio, &why));
  g_assert_false (audio);
  g_clear_pointer (&why, g_free);
  g_assert_false (gc_receiver_check_stream (pcma, NULL, &why));
  g_assert_cmpstr (why, ==, "audio PCMA, neither H.264 video nor Opus audio");
  g_clear_pointer (&why, g_free);
  g_assert_false (gc_receiver_check_stream (bare, NULL, &why));
  g_assert_cmpstr (why, ==, "? ?, neither H.264 video nor Opus audio");
  g_assert_false (gc_receiver_check_stream (NULL, NULL, NULL));
}

static void
test_describe_error (void)
{
  const gchar *url = "rtsp://10.0.0.1:7236/screen";
  const struct
  {
    const gchar *message, *debug, *want;
  } cases[] = {
    { "Could not open", "Failed to connect. (Generic error)",
      "cannot connect to 10.0.0.1:7236: nothing listens there, or the host is down" },
    { "x", "Parse error", "10.0.0.1:7236 did not answer as an RTSP server" },
    { "x", "Timeout while waiting", "10.0.0.1:7236 did not answer in time" },
    { "x", "Not Found (404)", "10.0.0.1:7236 has no stream at that path" },
    { "No supported stream was found", NULL,
      "10.0.0.1:7236 offers no H.264 video on a multicast group: not a Groupcast source" },
    { "x", "Unsupported transport", "10.0.0.1:7236 does not offer a multicast stream" },
    { "Unhandled error", "Not Enough Bandwidth (453)",
      "10.0.0.1:7236 sends as many copies of its stream as it allows (max-unicast)" },
    { "Could not read from resource.", "Could not connect to server, no protocols left",
      "10.0.0.1:7236 does not send the stream that way (a source set to unicast=false sends "
      "to its group only)" },
    { "Internal data stream error", NULL, "10.0.0.1:7236: Internal data stream error" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *text = gc_receiver_describe_error (url, cases[i].message, cases[i].debug);

      g_assert_cmpstr (text, ==, cases[i].want);
    }
  {
    g_autofree gchar *text = gc_receiver_describe_error (NULL, NULL, NULL);

    g_assert_cmpstr (text, ==, "the source: stream error");
  }
}

static void
test_launch (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *launch = NULL;
  g_autofree gchar *enc = gc_source_pick_encoder ("auto", &error);

  g_assert_no_error (error);
  g_assert_nonnull (enc);
  launch = gc_source_build_launch (c, enc, &error);
  g_assert_no_error (error);
  /* low latency, forced-key-frame friendly, payloader the server finds */
  g_assert_nonnull (strstr (launch, "name=pay0"));
  g_assert_nonnull (strstr (launch, "width=1280,height=720,framerate=30/1"));
  if (g_str_equal (enc, "x264enc"))
    {
      g_assert_nonnull (strstr (launch, "tune=zerolatency"));
      g_assert_nonnull (strstr (launch, "bframes=0"));
      g_assert_nonnull (strstr (launch, "intra-refresh=false"));
    }
}

static void
test_launch_errors (void)
{
  const gchar *captures[] = { "v4l2:/dev/nonexistent-video", "file:/nonexistent/clip.mp4",
                              "notanelement ! alsoNot", "videotestsrc ! ! !" };

  for (gsize i = 0; i < G_N_ELEMENTS (captures); i++)
    {
      g_autoptr (GcConfig) c = gc_config_new_default ();
      g_autoptr (GError) error = NULL;
      g_autofree gchar *launch = NULL;

      g_free (c->capture);
      c->capture = g_strdup (captures[i]);
      launch = gc_source_build_launch (c, "x264enc", &error);
      g_assert_null (launch);
      g_assert_nonnull (error);
      g_test_message ("%s -> %s", captures[i], error->message);
    }
  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *e = gc_source_pick_encoder ("nosuchenc", &error);

    g_assert_null (e);
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_assert_nonnull (strstr (error->message, "nosuchenc"));
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/receiver/igmp-parse", test_igmp_parse);
  g_test_add_func ("/groupcast/receiver/udp-drops", test_udp_drops);
  g_test_add_func ("/groupcast/receiver/describe-silence", test_describe_silence);
  g_test_add_func ("/groupcast/receiver/frame-damage", test_frame_damage);
  g_test_add_func ("/groupcast/receiver/frame-damage-fec", test_frame_damage_fec);
  g_test_add_func ("/groupcast/receiver/frame-damage-repeat", test_frame_damage_repeat);
  g_test_add_func ("/groupcast/receiver/check-url", test_check_url);
  g_test_add_func ("/groupcast/receiver/check-transport", test_check_transport);
  g_test_add_func ("/groupcast/receiver/check-stream", test_check_stream);
  g_test_add_func ("/groupcast/receiver/describe-error", test_describe_error);
  g_test_add_func ("/groupcast/source/launch", test_launch);
  g_test_add_func ("/groupcast/source/launch-errors", test_launch_errors);
  return g_test_run ();
}
