/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * media keys and the guard before srtpdec: the key derivation, the SDP
 * attribute, the guard's choices, and real srtpenc → srtpdec chains: what
 * the key encrypts decrypts, what another key (or none) sent is dropped
 * and counted, and a flood of made-up SSRCs never grows the decoder.
 */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include "gc-srtp.h"
#include "gc-error.h"

#include <gst/app/app.h>
#include <gst/rtp/rtp.h>
#include <string.h>

#define SOURCE_ID "5f0c1a7e-9d2b-4c3a-8e6f-1d0b2a3c4d5e"

static GBytes *
site_key (const gchar *s)
{
  return g_bytes_new_static (s, strlen (s));
}

static GBytes *
derive (const gchar *key, const gchar *id, guint64 epoch)
{
  g_autoptr (GBytes) k = site_key (key);
  g_autoptr (GError) error = NULL;
  GBytes *m = gc_srtp_derive (k, id, epoch, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  g_assert_cmpuint (g_bytes_get_size (m), ==, GC_SRTP_MASTER_LEN);
  return m;
}

static void
test_derive (void)
{
  g_autoptr (GBytes) a = derive ("site key one", SOURCE_ID, 1);
  g_autoptr (GBytes) again = derive ("site key one", SOURCE_ID, 1);
  g_autoptr (GBytes) other_epoch = derive ("site key one", SOURCE_ID, 2);
  g_autoptr (GBytes) other_id = derive ("site key one", "another-source", 1);
  g_autoptr (GBytes) other_key = derive ("site key two", SOURCE_ID, 1);

  /* the same inputs, the same key: receivers derive what the source did */
  g_assert_true (g_bytes_equal (a, again));
  g_assert_false (g_bytes_equal (a, other_epoch));
  g_assert_false (g_bytes_equal (a, other_id));
  g_assert_false (g_bytes_equal (a, other_key));
  /* the site key is not in it */
  g_assert_null (memmem (g_bytes_get_data (a, NULL), GC_SRTP_MASTER_LEN, "site key", 8));
  g_assert_cmpuint (gc_srtp_new_epoch (), !=, gc_srtp_new_epoch ());
}

static void
test_sdp (void)
{
  g_autofree gchar *v = gc_srtp_sdp_value (SOURCE_ID, G_GUINT64_CONSTANT (0x0123456789abcdef));
  g_autofree gchar *id = NULL;
  guint64 epoch = 0;
  g_autoptr (GError) error = NULL;
  const gchar *bad[] = { "", "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32 source=a epoch=1",
                         "AES_CM_128_HMAC_SHA1_80 source=a", "AES_CM_128_HMAC_SHA1_80 epoch=1",
                         "AES_CM_128_HMAC_SHA1_80 source=a epoch=", "AES_CM_128_HMAC_SHA1_80 source=a epoch=xyz",
                         "AES_CM_128_HMAC_SHA1_80 source=a epoch=00000000000000001",
                         "AES_CM_128_HMAC_SHA1_80 source=a/b epoch=1",
                         "AES_CM_128_HMAC_SHA1_80 source=a epoch=1 more" };

  g_assert_cmpstr (v, ==, "AES_CM_128_HMAC_SHA1_80 source=" SOURCE_ID " epoch=0123456789abcdef");
  g_assert_true (gc_srtp_sdp_parse (v, &id, &epoch, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, SOURCE_ID);
  g_assert_cmpuint (epoch, ==, G_GUINT64_CONSTANT (0x0123456789abcdef));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree gchar *bid = NULL;

      g_assert_false (gc_srtp_sdp_parse (bad[i], &bid, &epoch, &error));
      g_assert_error (error, GC_ERROR, GC_ERROR_STREAM);
      g_assert_null (bid);
      g_clear_error (&error);
    }
  {
    g_autofree gchar *none = NULL;

    g_assert_false (gc_srtp_sdp_parse (NULL, &none, &epoch, NULL));
    g_assert_null (none);
  }
}

/* a bare RTP header (12 bytes) with @ssrc, and RTCP's first 8 bytes */
static void
rtp_head (guint8 *p, guint32 ssrc)
{
  memset (p, 0, 12);
  p[0] = 0x80;
  p[1] = 96;
  p[8] = ssrc >> 24;
  p[9] = ssrc >> 16;
  p[10] = ssrc >> 8;
  p[11] = ssrc;
}

static void
rtcp_head (guint8 *p, guint32 ssrc)
{
  p[0] = 0x80;
  p[1] = 201;
  p[2] = 0;
  p[3] = 1;
  p[4] = ssrc >> 24;
  p[5] = ssrc >> 16;
  p[6] = ssrc >> 8;
  p[7] = ssrc;
}

static void
test_guard_receiver (void)
{
  g_autoptr (GcSrtpGuard) g = gc_srtp_guard_new (TRUE, 4);
  guint8 p[12];
  guint32 evict = 0;

  /* before any decrypted: up to 4 SSRCs are tried, then the oldest goes */
  for (guint32 s = 1; s <= 4; s++)
    {
      rtp_head (p, s);
      g_assert_cmpint (gc_srtp_guard_check (g, p, 12, FALSE, &evict), ==, GC_SRTP_PASS);
    }
  rtp_head (p, 5);
  g_assert_cmpint (gc_srtp_guard_check (g, p, 12, FALSE, &evict), ==, GC_SRTP_PASS_EVICT);
  g_assert_cmpuint (evict, ==, 1);
  g_assert_cmpuint (gc_srtp_guard_pending (g), ==, 4);
  /* RTCP before the sender is known: not read */
  rtcp_head (p, 5);
  g_assert_cmpint (gc_srtp_guard_check (g, p, 8, TRUE, &evict), ==, GC_SRTP_DROP);
  /* 5 decrypts: from now on only 5 */
  rtp_head (p, 5);
  gc_srtp_guard_decrypted (g, p, 12, FALSE);
  g_assert_cmpint (gc_srtp_guard_check (g, p, 12, FALSE, &evict), ==, GC_SRTP_PASS);
  rtp_head (p, 2);
  g_assert_cmpint (gc_srtp_guard_check (g, p, 12, FALSE, &evict), ==, GC_SRTP_DROP);
  rtcp_head (p, 5);
  g_assert_cmpint (gc_srtp_guard_check (g, p, 8, TRUE, &evict), ==, GC_SRTP_PASS);
  rtcp_head (p, 9);
  g_assert_cmpint (gc_srtp_guard_check (g, p, 8, TRUE, &evict), ==, GC_SRTP_DROP);
  /* not RTP at all */
  g_assert_cmpint (gc_srtp_guard_check (g, p, 3, FALSE, &evict), ==, GC_SRTP_DROP);
  p[0] = 0x40;
  g_assert_cmpint (gc_srtp_guard_check (g, p, 12, FALSE, &evict), ==, GC_SRTP_DROP);
  /* rejected: 3 dropped RTP, and 5 tried that did not come out (1-4, and one
   * of 5's two) */
  g_assert_cmpuint (gc_srtp_guard_rejected (g), ==, 3 + 6 - 1);
}

static void
test_guard_source (void)
{
  g_autoptr (GcSrtpGuard) g = gc_srtp_guard_new (FALSE, 2);
  guint8 p[8];
  guint32 evict = 0;

  /* a source reads RTCP of every member that decrypts */
  for (guint32 s = 10; s < 13; s++)
    {
      rtcp_head (p, s);
      g_assert_cmpint (gc_srtp_guard_check (g, p, 8, TRUE, &evict), !=, GC_SRTP_DROP);
      gc_srtp_guard_decrypted (g, p, 8, TRUE);
    }
  g_assert_cmpuint (gc_srtp_guard_pending (g), ==, 0);
  for (guint32 s = 10; s < 13; s++)
    {
      rtcp_head (p, s);
      g_assert_cmpint (gc_srtp_guard_check (g, p, 8, TRUE, &evict), ==, GC_SRTP_PASS);
    }
  /* strangers: at most 2 pending at a time */
  for (guint32 s = 100; s < 1100; s++)
    {
      rtcp_head (p, s);
      gc_srtp_guard_check (g, p, 8, TRUE, &evict);
      g_assert_cmpuint (gc_srtp_guard_pending (g), <=, 2);
    }
  rtcp_head (p, 11);
  g_assert_cmpint (gc_srtp_guard_check (g, p, 8, TRUE, &evict), ==, GC_SRTP_PASS);
}

/* ---- real elements --------------------------------------------------------- */

typedef struct
{
  GstElement *pipe;
  GstAppSrc *in;
  GstAppSink *out;
  GstElement *codec;
} Chain;

/* appsrc → srtpenc or srtpdec → appsink, on its rtp pads */
static void
chain_init (Chain *c, GstElement *codec, gboolean encode)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string ("application/x-rtp, media=video, clock-rate=90000, "
                                                   "encoding-name=H264, payload=96");
  g_autoptr (GstPad) sink = NULL;
  g_autoptr (GstPad) src = NULL;
  g_autoptr (GstPad) in_src = NULL;
  g_autoptr (GstPad) out_sink = NULL;

  c->pipe = gst_pipeline_new (NULL);
  c->in = GST_APP_SRC (gst_element_factory_make ("appsrc", NULL));
  c->out = GST_APP_SINK (gst_element_factory_make ("appsink", NULL));
  c->codec = codec;
  g_object_set (c->in, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE, NULL);
  g_object_set (c->out, "sync", FALSE, "emit-signals", FALSE, NULL);
  gst_bin_add_many (GST_BIN (c->pipe), GST_ELEMENT (c->in), codec, GST_ELEMENT (c->out), NULL);
  if (encode)
    gst_object_unref (gc_srtp_encoder_for (codec, 0, FALSE)); /* as rtpbin asks for it */
  sink = gst_element_get_static_pad (codec, encode ? "rtp_sink_0" : "rtp_sink");
  src = gst_element_get_static_pad (codec, encode ? "rtp_src_0" : "rtp_src");
  in_src = gst_element_get_static_pad (GST_ELEMENT (c->in), "src");
  out_sink = gst_element_get_static_pad (GST_ELEMENT (c->out), "sink");
  g_assert_cmpint (gst_pad_link (in_src, sink), ==, GST_PAD_LINK_OK);
  g_assert_cmpint (gst_pad_link (src, out_sink), ==, GST_PAD_LINK_OK);
  g_assert_cmpint (gst_element_set_state (c->pipe, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
}

static void
chain_clear (Chain *c)
{
  gst_element_set_state (c->pipe, GST_STATE_NULL);
  gst_clear_object (&c->pipe);
}

static GstBuffer *
make_rtp (guint32 ssrc, guint16 seq, const gchar *payload)
{
  GstBuffer *b = gst_rtp_buffer_new_allocate (strlen (payload), 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

  gst_rtp_buffer_map (b, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_ssrc (&rtp, ssrc);
  gst_rtp_buffer_set_seq (&rtp, seq);
  gst_rtp_buffer_set_payload_type (&rtp, 96);
  gst_rtp_buffer_set_timestamp (&rtp, seq * 3000u);
  memcpy (gst_rtp_buffer_get_payload (&rtp), payload, strlen (payload));
  gst_rtp_buffer_unmap (&rtp);
  GST_BUFFER_PTS (b) = seq * GST_MSECOND;
  return b;
}

/* @n packets of @ssrc through an encoder with @master: the SRTP packets */
static GPtrArray *
encrypt (GBytes *master, guint32 ssrc, guint16 first, guint n, const gchar *payload)
{
  Chain c;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);

  chain_init (&c, gc_srtp_new_encoder (master), TRUE);
  for (guint i = 0; i < n; i++)
    {
      GstSample *s;

      g_assert_cmpint (gst_app_src_push_buffer (c.in, make_rtp (ssrc, first + i, payload)), ==,
                       GST_FLOW_OK);
      s = gst_app_sink_try_pull_sample (c.out, 2 * GST_SECOND);
      g_assert_nonnull (s);
      /* the key never travels in the caps (gst-rtsp-server would put caps
       * with srtp-key into the SDP) */
      g_assert_false (gst_structure_has_field (gst_caps_get_structure (gst_sample_get_caps (s), 0),
                                               "srtp-key"));
      g_ptr_array_add (out, gst_buffer_ref (gst_sample_get_buffer (s)));
      gst_sample_unref (s);
    }
  chain_clear (&c);
  return out;
}

static gboolean
buffer_has (GstBuffer *b, const gchar *text)
{
  GstMapInfo map;
  gboolean has;

  gst_buffer_map (b, &map, GST_MAP_READ);
  has = memmem (map.data, map.size, text, strlen (text)) != NULL;
  gst_buffer_unmap (b, &map);
  return has;
}

/* srtpdec decrypts in place: what it is given must be writable, as a
 * buffer from udpsrc is (1.22 passes on the still encrypted original when
 * it had to copy) */
static GstBuffer *
copy_of (GstBuffer *b)
{
  return gst_buffer_copy_deep (b);
}

/* what comes out: @expected samples are waited for (valgrind is slow),
 * then a short look for more; each holds @payload */
static guint
pull_all (Chain *c, const gchar *payload, guint expected)
{
  guint n = 0;
  GstSample *s;

  while ((s = gst_app_sink_try_pull_sample (c->out, n < expected ? 20 * GST_SECOND
                                                                  : 200 * GST_MSECOND)) != NULL)
    {
      g_assert_true (buffer_has (gst_sample_get_buffer (s), payload));
      n++;
      gst_sample_unref (s);
    }
  return n;
}

static void
test_elements (void)
{
  g_autoptr (GBytes) master = derive ("site", SOURCE_ID, 7);
  g_autoptr (GBytes) wrong = derive ("not the site", SOURCE_ID, 7);
  g_autoptr (GPtrArray) good = encrypt (master, 0x1234, 100, 20, "the picture, in clear");
  g_autoptr (GPtrArray) forged = encrypt (wrong, 0x1234, 120, 20, "an attacker's picture");
  g_autoptr (GcSrtpGuard) guard = gc_srtp_guard_new (TRUE, 4);
  Chain c;

  /* on the wire, the payload is not readable */
  for (guint i = 0; i < good->len; i++)
    g_assert_false (buffer_has (g_ptr_array_index (good, i), "the picture"));
  chain_init (&c, gc_srtp_new_decoder (master, guard), FALSE);
  /* the genuine stream decrypts; packets with its SSRC and the next
   * sequence numbers, made with another key, are dropped and counted */
  for (guint i = 0; i < 10; i++)
    gst_app_src_push_buffer (c.in, copy_of (g_ptr_array_index (good, i)));
  g_assert_cmpuint (pull_all (&c, "the picture, in clear", 10), ==, 10);
  for (guint i = 0; i < forged->len; i++)
    gst_app_src_push_buffer (c.in, copy_of (g_ptr_array_index (forged, i)));
  g_assert_cmpuint (pull_all (&c, "the picture, in clear", 0), ==, 0);
  /* a flood of made-up SSRCs: dropped before the decoder, none pending */
  for (guint32 s = 1; s <= 500; s++)
    gst_app_src_push_buffer (c.in, make_rtp (0x10000 + s, s, "plain packet"));
  /* the genuine stream goes on */
  for (guint i = 10; i < good->len; i++)
    gst_app_src_push_buffer (c.in, copy_of (g_ptr_array_index (good, i)));
  g_assert_cmpuint (pull_all (&c, "the picture, in clear", 10), ==, 10);
  g_assert_cmpuint (gc_srtp_guard_rejected (guard), ==, 20 + 500);
  g_assert_cmpuint (gc_srtp_guard_pending (guard), ==, 0);
  /* replayed genuine packets are refused too */
  gst_app_src_push_buffer (c.in, copy_of (g_ptr_array_index (good, 3)));
  g_assert_cmpuint (pull_all (&c, "the picture", 0), ==, 0);
  for (guint i = 0; i < 100 && gc_srtp_guard_rejected (guard) < 521; i++)
    g_usleep (50 * 1000);
  g_assert_cmpuint (gc_srtp_guard_rejected (guard), ==, 521);
  chain_clear (&c);
}

/* before the genuine stream is known, a flood of strangers keeps at most
 * max_pending keys in the decoder, and the genuine stream still gets in */
static void
test_elements_flood_first (void)
{
  g_autoptr (GBytes) master = derive ("site", SOURCE_ID, 8);
  g_autoptr (GPtrArray) good = encrypt (master, 0xabcd, 1, 5, "genuine");
  g_autoptr (GcSrtpGuard) guard = gc_srtp_guard_new (TRUE, 4);
  Chain c;

  chain_init (&c, gc_srtp_new_decoder (master, guard), FALSE);
  for (guint32 s = 1; s <= 300; s++)
    gst_app_src_push_buffer (c.in, make_rtp (0x20000 + s, s, "stranger"));
  g_assert_cmpuint (pull_all (&c, "stranger", 0), ==, 0);
  g_assert_cmpuint (gc_srtp_guard_pending (guard), <=, 4);
  {
    g_autoptr (GstStructure) stats = NULL;
    const GValue *streams;

    g_object_get (c.codec, "stats", &stats, NULL);
    streams = gst_structure_get_value (stats, "streams");
    g_test_message ("srtpdec holds %u streams after 300 strangers", gst_value_array_get_size (streams));
    g_assert_cmpuint (gst_value_array_get_size (streams), <=, 4);
  }
  for (guint i = 0; i < good->len; i++)
    gst_app_src_push_buffer (c.in, copy_of (g_ptr_array_index (good, i)));
  g_assert_cmpuint (pull_all (&c, "genuine", 5), ==, 5);
  chain_clear (&c);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/srtp/derive", test_derive);
  g_test_add_func ("/groupcast/srtp/sdp", test_sdp);
  g_test_add_func ("/groupcast/srtp/guard-receiver", test_guard_receiver);
  g_test_add_func ("/groupcast/srtp/guard-source", test_guard_source);
  g_test_add_func ("/groupcast/srtp/elements", test_elements);
  g_test_add_func ("/groupcast/srtp/elements-flood-first", test_elements_flood_first);
  return g_test_run ();
}
