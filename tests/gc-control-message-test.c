/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "gc-control-auth.h"
#include "gc-replay-cache.h"

/* the same parameters as tests/fuzz/fuzz-control.c, so the checked-in
 * corpus verifies here */
#define FUZZ_KEY     "groupcast-fuzz-site-key"
#define FUZZ_ADDRESS "192.0.2.1:7237"
#define FUZZ_NOW_US  G_GINT64_CONSTANT (1700000000000000)

#define ADDRESS "192.0.2.7:7237"
#define NOW_US  G_GINT64_CONSTANT (1763780000000000)

static GBytes *
test_key (void)
{
  return g_bytes_new_static ("site-key-for-tests", 18);
}

static void
fill_request (GcControlRequest *req, GcControlVerb verb, gint64 now_us)
{
  memset (req, 0, sizeof *req);
  req->verb = verb;
  if (verb != GC_CONTROL_VERB_STATUS)
    req->url = g_strdup ("rtsp://192.0.2.3:7236/screen");
  req->source_name = g_strdup ("Desk 4 — “Ünïcode”  two  spaces ");
  req->source_id = g_strdup ("5f0c1a7e9d2b4c3a8e6f1d0b2a3c4d5e");
  gc_control_request_stamp (req, now_us);
}

static GBytes *
build (const GcControlRequest *req, GBytes *key, const gchar *address)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = gc_control_request_build (req, key, address, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static gboolean
parse (GBytes *bytes, GBytes *key, GcReplayCache *cache, gint64 now_us,
       const gchar *local, GcControlRequest *out, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return gc_control_request_parse (data, len, key, cache, now_us, local, out,
                                   error);
}

static void
test_round_trip (void)
{
  const GcControlVerb verbs[] = { GC_CONTROL_VERB_SWITCH,
                                  GC_CONTROL_VERB_RELEASE,
                                  GC_CONTROL_VERB_STATUS };
  g_autoptr (GBytes) key = test_key ();

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    for (guint signed_ = 0; signed_ < 2; signed_++)
      {
        g_auto (GcControlRequest) req = { 0 };
        g_auto (GcControlRequest) out = { 0 };
        g_autoptr (GcReplayCache) cache = gc_replay_cache_new (16, 60 * G_USEC_PER_SEC);
        g_autoptr (GBytes) bytes = NULL;
        g_autoptr (GError) error = NULL;
        GBytes *k = signed_ ? key : NULL;

        fill_request (&req, verbs[i], NOW_US);
        bytes = build (&req, k, ADDRESS);
        g_assert_true (parse (bytes, k, cache, NOW_US, ADDRESS, &out, &error));
        g_assert_no_error (error);
        g_assert_cmpint (out.verb, ==, verbs[i]);
        g_assert_cmpstr (out.url, ==, req.url);
        g_assert_cmpstr (out.source_name, ==, req.source_name);
        g_assert_cmpstr (out.source_id, ==, req.source_id);
        g_assert_cmpint (out.timestamp_us, ==, NOW_US);
        g_assert_cmpstr (out.nonce, ==, req.nonce);
        g_assert_cmpuint (gc_replay_cache_get_size (cache), ==, signed_ ? 1 : 0);

        /* it is RTSP, as WFD does it: the method names the verb's kind */
        g_assert_true (g_str_has_prefix (g_bytes_get_data (bytes, NULL),
                                         verbs[i] == GC_CONTROL_VERB_STATUS
                                           ? "GET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\n"
                                           : "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\n"));
      }
}

static void
assert_refused (GBytes *bytes, GBytes *key, GcReplayCache *cache,
                gint64 now_us, const gchar *local, gint code,
                const gchar *words)
{
  g_auto (GcControlRequest) out = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_false (parse (bytes, key, cache, now_us, local, &out, &error));
  g_assert_error (error, GC_ERROR, code);
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("expected \"%s\" in \"%s\"", words, error->message);
  g_assert_null (out.url);
  g_assert_null (out.nonce);
}

static void
test_wrong_key (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_autoptr (GBytes) other = g_bytes_new_static ("another-site-key", 16);
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) bytes = NULL;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, other, ADDRESS);
  assert_refused (bytes, key, NULL, NOW_US, ADDRESS, GC_ERROR_NOT_AUTHORIZED,
                  "wrong MAC");
}

static void
test_missing_mac (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) bytes = NULL;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, NULL, ADDRESS);
  assert_refused (bytes, key, NULL, NOW_US, ADDRESS, GC_ERROR_NOT_AUTHORIZED,
                  "not signed");

  /* status too: a receiver with a key checks every request */
  g_clear_pointer (&bytes, g_bytes_unref);
  gc_control_request_clear (&req);
  fill_request (&req, GC_CONTROL_VERB_STATUS, NOW_US);
  bytes = build (&req, NULL, ADDRESS);
  assert_refused (bytes, key, NULL, NOW_US, ADDRESS, GC_ERROR_NOT_AUTHORIZED,
                  "not signed");
}

static void
test_altered (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autofree gchar *text = NULL;
  gchar *at;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, key, ADDRESS);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  /* point the receiver at another source, same length */
  at = strstr (text, "rtsp://192.0.2.3:7236/screen");
  g_assert_nonnull (at);
  at[17] = '9';
  {
    g_autoptr (GBytes) altered = g_bytes_new (text, strlen (text));

    assert_refused (altered, key, NULL, NOW_US, ADDRESS,
                    GC_ERROR_NOT_AUTHORIZED, "wrong MAC");
  }
}

/* rename carries the new name, signed: changed on the way it is refused;
 * a name that is not one line (or too long) is not built, and not read */
static void
test_rename (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_auto (GcControlRequest) out = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  gchar *at;

  fill_request (&req, GC_CONTROL_VERB_RENAME, NOW_US);
  req.new_name = g_strdup ("Room 3 left");
  bytes = build (&req, key, ADDRESS);
  g_assert_true (parse (bytes, key, NULL, NOW_US, ADDRESS, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out.verb, ==, GC_CONTROL_VERB_RENAME);
  g_assert_cmpstr (out.new_name, ==, "Room 3 left");

  /* another name, same length: the MAC no longer fits */
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  at = strstr (text, "Room 3 left");
  g_assert_nonnull (at);
  at[5] = '4';
  {
    g_autoptr (GBytes) altered = g_bytes_new (text, strlen (text));

    assert_refused (altered, key, NULL, NOW_US, ADDRESS, GC_ERROR_NOT_AUTHORIZED, "wrong MAC");
  }
  /* no name at all */
  at = strstr (text, "groupcast_new_name");
  g_assert_nonnull (at);
  at[0] = 'x';
  {
    g_autoptr (GBytes) nameless = g_bytes_new (text, strlen (text));

    assert_refused (nameless, key, NULL, NOW_US, ADDRESS, GC_ERROR_INVALID_ARGS,
                    "needs groupcast_new_name");
  }
  /* names a receiver cannot take are not sent */
  {
    const gchar *bad[] = { "", " ", "a\tb",
                           "0123456789012345678901234567890123456789012345678901234567890123" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (GBytes) none = NULL;

        g_clear_error (&error);
        g_free (req.new_name);
        req.new_name = g_strdup (bad[i]);
        none = gc_control_request_build (&req, key, ADDRESS, &error);
        g_assert_null (none);
        g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
      }
  }
}

/* mute and unmute: the flag is signed; flipped on the way, the MAC no
 * longer fits; missing or another word, refused */
static void
test_mute (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GError) error = NULL;

  for (guint muted = 0; muted < 2; muted++)
    {
      g_auto (GcControlRequest) out = { 0 };
      g_autoptr (GBytes) bytes = NULL;
      g_autofree gchar *text = NULL;
      gchar *at;

      gc_control_request_clear (&req);
      fill_request (&req, GC_CONTROL_VERB_MUTE, NOW_US);
      req.muted = muted;
      bytes = build (&req, key, ADDRESS);
      g_assert_true (parse (bytes, key, NULL, NOW_US, ADDRESS, &out, &error));
      g_assert_no_error (error);
      g_assert_cmpint (out.verb, ==, GC_CONTROL_VERB_MUTE);
      g_assert_cmpint (out.muted, ==, muted);
      text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      at = strstr (text, muted ? "groupcast_muted: yes" : "groupcast_muted: no");
      g_assert_nonnull (at);
      /* the other answer, the same length ("yes" / "no " keeps the body
       * length only for one way: write the other word in place) */
      {
        g_autofree gchar *other = NULL;
        g_autoptr (GBytes) flipped = NULL;

        if (muted)
          other = g_strdup_printf ("%.*sgroupcast_muted: no%s", (int) (at - text), text,
                                   at + strlen ("groupcast_muted: yes"));
        else
          other = g_strdup_printf ("%.*sgroupcast_muted: yes%s", (int) (at - text), text,
                                   at + strlen ("groupcast_muted: no"));
        /* Content-Length no longer fits either way: fixing it is what an
         * attacker would do, so fix it and see the MAC refuse */
        {
          gchar *cl = strstr (other, "Content-Length: ");
          gchar *body = strstr (other, "\r\n\r\n");
          g_autofree gchar *fixed = NULL;
          gchar *eol;

          g_assert_nonnull (cl);
          g_assert_nonnull (body);
          eol = strstr (cl, "\r\n");
          fixed = g_strdup_printf ("%.*sContent-Length: %zu%s", (int) (cl - other), other,
                                   strlen (body + 4), eol);
          flipped = g_bytes_new (fixed, strlen (fixed));
        }
        assert_refused (flipped, key, NULL, NOW_US, ADDRESS, GC_ERROR_NOT_AUTHORIZED,
                        "wrong MAC");
      }
      /* another word */
      at[strlen ("groupcast_muted: ")] = 'X';
      {
        g_autoptr (GBytes) bad = g_bytes_new (text, strlen (text));

        assert_refused (bad, key, NULL, NOW_US, ADDRESS, GC_ERROR_INVALID_ARGS,
                        "groupcast_muted: yes or no");
      }
    }
}

/* a switch names its group, signed: another group on the way is refused;
 * a group that is no multicast address:even-port is not built, and not
 * read; other verbs carry none */
static void
test_group (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_auto (GcControlRequest) out = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;
  gchar *at;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  req.group = g_strdup ("239.0.0.11:15550");
  bytes = build (&req, key, ADDRESS);
  g_assert_true (parse (bytes, key, NULL, NOW_US, ADDRESS, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out.group, ==, "239.0.0.11:15550");

  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  at = strstr (text, "239.0.0.11:15550");
  g_assert_nonnull (at);
  at[8] = '9'; /* 239.0.0.19 */
  {
    g_autoptr (GBytes) altered = g_bytes_new (text, strlen (text));

    assert_refused (altered, key, NULL, NOW_US, ADDRESS, GC_ERROR_NOT_AUTHORIZED, "wrong MAC");
  }
  /* the group taken out: the MAC signed one, so it no longer fits */
  at = strstr (text, "groupcast_group");
  g_assert_nonnull (at);
  at[0] = 'x';
  {
    g_autoptr (GBytes) groupless = g_bytes_new (text, strlen (text));

    assert_refused (groupless, key, NULL, NOW_US, ADDRESS, GC_ERROR_NOT_AUTHORIZED, "wrong MAC");
  }
  {
    const gchar *bad[] = { "10.0.0.1:15550", "239.0.0.11:15551", "239.0.0.11", "239.0.0.11:0",
                           "239.0.0.11:70000", "[ff15::11]:15551", "group:15550", "" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (GBytes) none = NULL;

        g_clear_error (&error);
        g_free (req.group);
        req.group = g_strdup (bad[i]);
        none = gc_control_request_build (&req, key, ADDRESS, &error);
        g_assert_null (none);
        g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
      }
  }
  g_assert_true (gc_control_group_is_valid ("[ff15::11]:15550"));
  /* a release names no group */
  {
    g_auto (GcControlRequest) rel = { 0 };

    g_clear_error (&error);
    fill_request (&rel, GC_CONTROL_VERB_RELEASE, NOW_US);
    rel.group = g_strdup ("239.0.0.11:15550");
    g_assert_null (gc_control_request_build (&rel, key, ADDRESS, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  }
  /* read: an unsigned request with a bad group is refused as malformed */
  {
    g_autofree gchar *raw = NULL;
    g_autoptr (GBytes) unsigned_ok = NULL;
    g_autoptr (GBytes) bad_group = NULL;
    g_autofree gchar *body = NULL;

    g_free (req.group);
    req.group = g_strdup ("239.0.0.11:15550");
    unsigned_ok = build (&req, NULL, ADDRESS);
    raw = g_strndup (g_bytes_get_data (unsigned_ok, NULL), g_bytes_get_size (unsigned_ok));
    at = strstr (raw, "239.0.0.11:15550");
    memcpy (at, "10.00.0.11", 10);
    bad_group = g_bytes_new (raw, strlen (raw));
    assert_refused (bad_group, NULL, NULL, NOW_US, ADDRESS, GC_ERROR_INVALID_ARGS, "groupcast_group");
  }
}

static void
test_stale (void)
{
  g_autoptr (GBytes) key = test_key ();
  const gint64 offsets_s[] = { -31, 31, -3600, 3600 };

  for (guint i = 0; i < G_N_ELEMENTS (offsets_s); i++)
    {
      g_auto (GcControlRequest) req = { 0 };
      g_autoptr (GBytes) bytes = NULL;

      fill_request (&req, GC_CONTROL_VERB_SWITCH,
                    NOW_US + offsets_s[i] * G_USEC_PER_SEC);
      bytes = build (&req, key, ADDRESS);
      assert_refused (bytes, key, NULL, NOW_US, ADDRESS,
                      GC_ERROR_NOT_AUTHORIZED, "timestamp");
    }

  /* within the window is fine either way */
  for (gint s = -29; s <= 29; s += 58)
    {
      g_auto (GcControlRequest) req = { 0 };
      g_auto (GcControlRequest) out = { 0 };
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GError) error = NULL;

      fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US + s * G_USEC_PER_SEC);
      bytes = build (&req, key, ADDRESS);
      g_assert_true (parse (bytes, key, NULL, NOW_US, ADDRESS, &out, &error));
      g_assert_no_error (error);
    }
}

static void
test_replay (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_autoptr (GcReplayCache) cache = gc_replay_cache_new (64, 60 * G_USEC_PER_SEC);
  g_auto (GcControlRequest) req = { 0 };
  g_auto (GcControlRequest) out = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, key, ADDRESS);
  g_assert_true (parse (bytes, key, cache, NOW_US, ADDRESS, &out, &error));
  g_assert_no_error (error);

  /* the same bytes again, a moment or 29 s later */
  assert_refused (bytes, key, cache, NOW_US + 1000, ADDRESS,
                  GC_ERROR_NOT_AUTHORIZED, "replayed");
  assert_refused (bytes, key, cache, NOW_US + 29 * G_USEC_PER_SEC, ADDRESS,
                  GC_ERROR_NOT_AUTHORIZED, "replayed");
  /* and once the timestamp is out of the window, the clock refuses it */
  assert_refused (bytes, key, cache, NOW_US + 61 * G_USEC_PER_SEC, ADDRESS,
                  GC_ERROR_NOT_AUTHORIZED, "timestamp");
}

static void
test_other_receiver (void)
{
  g_autoptr (GBytes) key = test_key ();
  const gchar *others[] = { "192.0.2.8:7237", "192.0.2.7:7238",
                            "[2001:db8::7]:7237" };
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) bytes = NULL;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, key, ADDRESS);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    assert_refused (bytes, key, NULL, NOW_US, others[i],
                    GC_ERROR_NOT_AUTHORIZED, others[i]);
}

static void
test_truncated (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  gsize len;
  const guint8 *data;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, key, ADDRESS);
  data = g_bytes_get_data (bytes, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_auto (GcControlRequest) out = { 0 };
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) read_error = NULL;
      GstRTSPMessage *msg;

      g_assert_false (gc_control_request_parse (data, cut, key, NULL, NOW_US,
                                                ADDRESS, &out, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == GC_ERROR);
      g_assert_true (error->code == GC_ERROR_INVALID_ARGS ||
                     error->code == GC_ERROR_NOT_AUTHORIZED);

      /* a prefix of a message is incomplete, not garbage: the server keeps
       * reading */
      msg = gc_control_frame_read (data, cut, NULL, &read_error);
      g_assert_null (msg);
      g_assert_error (read_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
    }
}

static void
test_oversized (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_auto (GcControlRequest) out = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GString) big = g_string_new (NULL);
  g_autofree gchar *pad = g_strnfill (GC_CONTROL_MAX_MESSAGE_SIZE, 'x');

  /* over the size limit in total */
  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, key, ADDRESS);
  g_string_append_len (big, g_bytes_get_data (bytes, NULL),
                       g_bytes_get_size (bytes));
  g_string_append (big, pad);
  g_assert_false (gc_control_request_parse ((const guint8 *) big->str,
                                            big->len, key, NULL, NOW_US,
                                            ADDRESS, &out, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_clear_error (&error);

  /* a Content-Length promising more than the limit */
  {
    const gchar *text = "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\n"
                        "CSeq: 1\r\nContent-Type: text/parameters\r\n"
                        "Content-Length: 100000\r\n\r\ngroupcast_verb: switch\r\n";

    g_assert_false (gc_control_request_parse ((const guint8 *) text,
                                              strlen (text), key, NULL,
                                              NOW_US, ADDRESS, &out, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_clear_error (&error);
  }

  /* fields over their limit cannot be built */
  g_free (req.source_name);
  req.source_name = g_strnfill (GC_CONTROL_MAX_FIELD_LENGTH + 1, 'n');
  g_assert_null (gc_control_request_build (&req, key, ADDRESS, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
}

static void
test_garbage (void)
{
  g_autoptr (GBytes) key = test_key ();
  const gchar *cases[] = {
    "garbage\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nCSeq: 1\r\n\r\n",
    "$\x01\x00\x04" "abcd",
    "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\n\r\n",
    "DESCRIBE rtsp://" ADDRESS "/groupcast RTSP/1.0\r\nCSeq: 1\r\n\r\n",
    "SET_PARAMETER rtsp://" ADDRESS "/other RTSP/1.0\r\nCSeq: 1\r\n\r\n",
    "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\nCSeq: 1\r\n"
    "Content-Type: text/parameters\r\nContent-Length: 24\r\n\r\n"
    "groupcast_verb: dance\r\n",
    "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\nCSeq: 1\r\n"
    "Content-Type: text/parameters\r\nContent-Length: 23\r\n\r\n"
    "groupcast_verb: status\r\n",
    "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\nCSeq: 1\r\n"
    "Content-Type: text/parameters\r\nContent-Length: 46\r\n\r\n"
    "groupcast_verb: switch\r\ngroupcast_verb: switch\r\n",
    "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\nCSeq: 1\r\n"
    "Content-Type: text/parameters\r\nContent-Length: 12\r\n\r\n"
    "no colon\r\nxx",
    "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\nCSeq: 1\r\n"
    "Content-Type: application/sdp\r\nContent-Length: 24\r\n\r\n"
    "groupcast_verb: switch\r\n",
    "SET_PARAMETER rtsp://" ADDRESS "/groupcast RTSP/1.0\r\nCSeq: -5\r\n\r\n",
    "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n",
    "\r\n\r\n\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = i == 2 ? 8 : strlen (cases[i]);
      g_auto (GcControlRequest) out = { 0 };
      g_autoptr (GError) error = NULL;

      /* with and without a key: malformed is malformed */
      g_assert_false (gc_control_request_parse ((const guint8 *) cases[i],
                                                len, key, NULL, NOW_US,
                                                ADDRESS, &out, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_false (gc_control_request_parse ((const guint8 *) cases[i],
                                                len, NULL, NULL, NOW_US,
                                                ADDRESS, &out, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == GC_ERROR);
      g_assert_cmpint (error->code, ==, GC_ERROR_INVALID_ARGS);
    }

  /* a NUL byte inside */
  {
    static const guint8 nul[] = "SET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\n\0CSeq: 1\r\n\r\n";
    g_auto (GcControlRequest) out = { 0 };
    g_autoptr (GError) error = NULL;

    g_assert_false (gc_control_request_parse (nul, sizeof nul - 1, NULL, NULL,
                                              NOW_US, ADDRESS, &out, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  }
}

/* the server's reader, fed as TCP may deliver: one byte at a time */
static void
test_frame_incremental (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  const guint8 *data;
  gsize len, used = 0;

  fill_request (&req, GC_CONTROL_VERB_SWITCH, NOW_US);
  bytes = build (&req, key, ADDRESS);
  data = g_bytes_get_data (bytes, &len);
  for (gsize i = 0; i < len; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GstRTSPMessage) msg = NULL;

      g_byte_array_append (buf, data + i, 1);
      msg = gc_control_frame_read (buf->data, buf->len, &used, &error);
      if (i + 1 < len)
        {
          g_assert_null (msg);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
          continue;
        }
      g_assert_no_error (error);
      g_assert_nonnull (msg);
      g_assert_cmpuint (used, ==, len);
    }
  /* what follows a message is not part of it */
  g_byte_array_append (buf, (const guint8 *) "SET_PARAM", 9);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GstRTSPMessage) msg = gc_control_frame_read (buf->data, buf->len, &used, &error);
    g_auto (GcControlRequest) out = { 0 };

    g_assert_no_error (error);
    g_assert_cmpuint (used, ==, len);
    g_assert_true (gc_control_request_check_message (msg, key, NULL, NOW_US, ADDRESS, &out,
                                                     &error));
    g_assert_no_error (error);
    g_assert_cmpstr (out.url, ==, req.url);
  }
}

/* what the framing accepts and refuses, whatever the fields say */
static void
test_frame_shapes (void)
{
  const struct
  {
    const gchar *text;
    gint outcome; /* 0 a message, 1 more is needed, 2 malformed */
  } cases[] = {
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\nCSeq: 1\n\n", 0 },
    { "\r\n\r\nGET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\nCSeq: 1\r\n\r\n", 0 },
    { "RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 3\r\n\r\nabc", 0 },
    { "RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 3\r\n\r\nab", 1 },
    { "RTSP/1.0 200", 1 },
    { "", 1 },
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\n Folded: 1\r\n\r\n", 2 },
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\nNo colon\r\n\r\n", 2 },
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\nBad Name: 1\r\n\r\n", 2 },
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\nContent-Length: 1\r\n"
      "Content-Length: 1\r\n\r\nxx", 2 },
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\nContent-Length: -1\r\n\r\n", 2 },
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\nContent-Length: 9000\r\n\r\n", 2 },
    { "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\rCSeq: 1\r\n\r\n", 2 },
    { "GET_PARAMETER rtsp://x/groupcast HTTP/1.1\r\n\r\n", 2 },
    { "FROBNICATE rtsp://x/groupcast RTSP/1.0\r\n\r\n", 2 },
    { "RTSP/1.0 abc OK\r\n\r\n", 2 },
    { "$\x01\x02\x04" "abcd", 2 },
    { "lonely\r\n\r\n", 2 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GstRTSPMessage) msg =
        gc_control_frame_read ((const guint8 *) cases[i].text, strlen (cases[i].text), NULL,
                               &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, error != NULL ? error->message : "ok");
      if (cases[i].outcome == 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (msg);
        }
      else if (cases[i].outcome == 1)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
      else
        g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    }
  /* more headers than a control message has */
  {
    g_autoptr (GString) many = g_string_new ("GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\n");
    g_autoptr (GError) error = NULL;
    g_autoptr (GstRTSPMessage) msg = NULL;

    for (guint i = 0; i <= GC_CONTROL_MAX_HEADERS; i++)
      g_string_append_printf (many, "X-%u: 1\r\n", i);
    g_string_append (many, "\r\n");
    msg = gc_control_frame_read ((const guint8 *) many->str, many->len, NULL, &error);
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  }
  /* a head that never ends is too large once it passes the limit */
  {
    g_autofree gchar *endless = g_strnfill (GC_CONTROL_MAX_MESSAGE_SIZE + 1, 'x');
    g_autoptr (GError) error = NULL;
    g_autoptr (GstRTSPMessage) msg = gc_control_frame_read ((const guint8 *) endless,
                                                            strlen (endless), NULL, &error);

    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_assert_nonnull (strstr (error->message, "too large"));
  }
}

/* one random change to @s: flip, insert, delete, duplicate or splice */
static void
mutate (GString *s, GRand *rand)
{
  static const gchar *tokens[] = { "\r\n", ": ", "\n", "\r", "Content-Length: ",
                                   "9999", "-1", "groupcast_mac: ", "$",
                                   "RTSP/1.0", "\xff\xfe", "\x01", " ", "" };
  guint op = g_rand_int_range (rand, 0, 6);
  gsize pos = s->len > 0 ? g_rand_int_range (rand, 0, s->len) : 0;

  switch (op)
    {
    case 0:
      if (s->len > 0)
        s->str[pos] ^= 1 << g_rand_int_range (rand, 0, 8);
      break;
    case 1:
      g_string_insert_c (s, pos, g_rand_int_range (rand, 1, 256));
      break;
    case 2:
      if (s->len > 0)
        {
          gsize n = g_rand_int_range (rand, 1, 40);

          g_string_erase (s, pos, MIN (s->len - pos, n));
        }
      break;
    case 3:
      g_string_insert (s, pos, tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))]);
      break;
    case 4:
      g_string_truncate (s, pos);
      break;
    default:
      if (s->len > 0)
        {
          gsize from = g_rand_int_range (rand, 0, s->len);
          gsize n = g_rand_int_range (rand, 1, 64);
          g_autofree gchar *piece = g_strndup (s->str + from,
                                               MIN (s->len - from, n));

          g_string_insert (s, pos, piece);
        }
    }
}

static void
check_any (const guint8 *data, gsize len, GBytes *key, GcReplayCache *cache,
           guint *n_ok)
{
  g_auto (GcControlRequest) out = { 0 };
  g_auto (GcControlResponse) resp = { 0 };
  g_autoptr (GError) error = NULL;

  if (gc_control_request_parse (data, len, key, cache, NOW_US, ADDRESS, &out,
                                &error))
    {
      g_assert_no_error (error);
      g_assert_cmpint (out.verb, !=, GC_CONTROL_VERB_INVALID);
      (*n_ok)++;
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == GC_ERROR);
      g_assert_true (error->code == GC_ERROR_INVALID_ARGS ||
                     error->code == GC_ERROR_NOT_AUTHORIZED);
    }
  g_clear_error (&error);

  if (!gc_control_response_parse (data, len, &resp, &error))
    g_assert_nonnull (error);
}

static void
test_random_corpus (void)
{
  g_autoptr (GBytes) key = test_key ();
  g_autoptr (GcReplayCache) cache = gc_replay_cache_new (100000, 60 * G_USEC_PER_SEC);
  g_autoptr (GRand) rand = g_rand_new_with_seed (0x67c0);
  g_autoptr (GPtrArray) seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint n_ok = 0, n_total = 0;

  for (guint v = GC_CONTROL_VERB_SWITCH; v <= GC_CONTROL_VERB_STATUS; v++)
    for (guint k = 0; k < 2; k++)
      {
        g_auto (GcControlRequest) req = { 0 };

        fill_request (&req, v, NOW_US);
        g_ptr_array_add (seeds, build (&req, k ? key : NULL, ADDRESS));
      }
  {
    g_auto (GcControlResponse) resp = { 0 };

    resp.ok = TRUE;
    resp.message = g_strdup ("switched");
    resp.first_frame_ms = 321.5;
    resp.state = g_strdup ("playing");
    resp.current_url = g_strdup ("rtsp://192.0.2.3:7236/screen");
    g_ptr_array_add (seeds, gc_control_response_build (&resp, 1));
  }

  /* pure noise */
  for (guint i = 0; i < 300; i++)
    {
      gsize len = g_rand_int_range (rand, 0, 600);
      g_autofree guint8 *buf = g_malloc (len + 1);

      for (gsize j = 0; j < len; j++)
        buf[j] = g_rand_int_range (rand, 0, 256);
      check_any (buf, len, key, cache, &n_ok);
      n_total++;
    }

  /* mutations of valid messages, one to eight changes each */
  for (guint i = 0; i < 1500; i++)
    {
      GBytes *seed = seeds->pdata[i % seeds->len];
      g_autoptr (GString) s = g_string_new_len (g_bytes_get_data (seed, NULL),
                                                g_bytes_get_size (seed));
      guint n = g_rand_int_range (rand, 1, 9);

      for (guint j = 0; j < n; j++)
        mutate (s, rand);
      check_any ((const guint8 *) s->str, s->len, key, cache, &n_ok);
      check_any ((const guint8 *) s->str, s->len, NULL, cache, &n_ok);
      n_total += 2;
    }

  g_assert_cmpuint (n_total, >=, 1000);
  /* some mutations land in unsigned text (a header, the body's end) and
   * still parse without a key; most are refused */
  g_test_message ("%u of %u random or mutated messages parsed", n_ok, n_total);
  g_assert_cmpuint (n_ok, <, n_total / 2);
}

static void
test_checked_in_corpus (void)
{
  g_autoptr (GBytes) key = g_bytes_new_static (FUZZ_KEY, strlen (FUZZ_KEY));
  g_autofree gchar *dir_path = g_build_filename (GC_SOURCE_DIR, "tests", "fuzz",
                                                 "corpus", "control", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &error);
  const gchar *name;
  guint n_files = 0, n_ok = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir_path, name, NULL);
      g_autofree gchar *data = NULL;
      g_autoptr (GcReplayCache) cache = gc_replay_cache_new (16, 60 * G_USEC_PER_SEC);
      g_auto (GcControlRequest) out = { 0 };
      g_auto (GcControlResponse) resp = { 0 };
      gsize len;
      gboolean ok;

      g_file_get_contents (path, &data, &len, &error);
      g_assert_no_error (error);
      n_files++;

      ok = gc_control_request_parse ((const guint8 *) data, len, key, cache,
                                     FUZZ_NOW_US, FUZZ_ADDRESS, &out, &error);
      /* seeds named "ok-*" are valid signed requests; "resp-*" valid
       * answers; the rest must be refused */
      if (g_str_has_prefix (name, "ok-"))
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          n_ok++;
        }
      else if (g_str_has_prefix (name, "resp-"))
        {
          g_assert_false (ok);
          g_clear_error (&error);
          gc_control_response_parse ((const guint8 *) data, len, &resp, &error);
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (ok);
          g_assert_nonnull (error);
        }
      g_clear_error (&error);
    }
  g_assert_cmpuint (n_files, >=, 10);
  g_assert_cmpuint (n_ok, >=, 3);
}

static void
test_response_round_trip (void)
{
  const GcError codes[] = { GC_ERROR_NOT_AUTHORIZED, GC_ERROR_REFUSED,
                            GC_ERROR_TIMEOUT, GC_ERROR_STREAM,
                            GC_ERROR_FAILED, GC_ERROR_INVALID_ARGS,
                            GC_ERROR_NOT_SUPPORTED };

  {
    g_auto (GcControlResponse) resp = { 0 };
    g_auto (GcControlResponse) out = { 0 };
    g_autoptr (GBytes) bytes = NULL;
    g_autoptr (GError) error = NULL;

    resp.ok = TRUE;
    resp.message = g_strdup ("showing Desk 4");
    resp.first_frame_ms = 187.4;
    resp.state = g_strdup ("playing");
    resp.current_url = g_strdup ("rtsp://192.0.2.3:7236/screen");
    bytes = gc_control_response_build (&resp, 1);
    g_assert_true (g_str_has_prefix (g_bytes_get_data (bytes, NULL),
                                     "RTSP/1.0 200 OK\r\nCSeq: 1\r\n"));
    g_assert_true (gc_control_response_parse (g_bytes_get_data (bytes, NULL),
                                              g_bytes_get_size (bytes), &out,
                                              &error));
    g_assert_no_error (error);
    g_assert_true (out.ok);
    g_assert_cmpstr (out.message, ==, "showing Desk 4");
    g_assert_cmpfloat_with_epsilon (out.first_frame_ms, 187.4, 0.01);
    g_assert_cmpstr (out.state, ==, "playing");
    g_assert_cmpstr (out.current_url, ==, resp.current_url);
    g_assert_true (gc_control_response_to_error (&out, &error));
  }

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_auto (GcControlResponse) resp = { 0 };
      g_auto (GcControlResponse) out = { 0 };
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GError) error = NULL;

      resp.ok = FALSE;
      resp.code = codes[i];
      /* line breaks in words from elsewhere must not break the framing */
      resp.message = g_strdup ("it went wrong\r\ngroupcast_result: ok");
      resp.state = g_strdup ("idle");
      bytes = gc_control_response_build (&resp, 1);
      g_assert_false (g_str_has_prefix (g_bytes_get_data (bytes, NULL),
                                        "RTSP/1.0 200"));
      g_assert_true (gc_control_response_parse (g_bytes_get_data (bytes, NULL),
                                                g_bytes_get_size (bytes),
                                                &out, &error));
      g_assert_no_error (error);
      g_assert_false (out.ok);
      g_assert_cmpint (out.code, ==, codes[i]);
      g_assert_cmpstr (out.message, ==, "it went wrong  groupcast_result: ok");
      g_assert_false (gc_control_response_to_error (&out, &error));
      g_assert_error (error, GC_ERROR, (gint) codes[i]);
    }
}

static void
test_replay_cache (void)
{
  g_autoptr (GcReplayCache) cache = gc_replay_cache_new (3, 60 * G_USEC_PER_SEC);
  g_autoptr (GError) error = NULL;

  g_assert_true (gc_replay_cache_add (cache, "aa", NOW_US, &error));
  g_assert_true (gc_replay_cache_add (cache, "bb", NOW_US + 10 * G_USEC_PER_SEC, &error));
  g_assert_true (gc_replay_cache_add (cache, "cc", NOW_US + 20 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);

  g_assert_false (gc_replay_cache_add (cache, "aa", NOW_US + 59 * G_USEC_PER_SEC, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);

  /* full of live entries: refuse rather than forget one */
  g_assert_false (gc_replay_cache_add (cache, "dd", NOW_US + 30 * G_USEC_PER_SEC, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_cmpuint (gc_replay_cache_get_size (cache), ==, 3);

  /* after 60 s the first one is gone, and there is room again */
  g_assert_false (gc_replay_cache_contains (cache, "aa", NOW_US + 60 * G_USEC_PER_SEC));
  g_assert_true (gc_replay_cache_contains (cache, "bb", NOW_US + 60 * G_USEC_PER_SEC));
  g_assert_true (gc_replay_cache_add (cache, "dd", NOW_US + 60 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gc_replay_cache_get_size (cache), ==, 3);
  g_assert_false (gc_replay_cache_contains (cache, "cc", NOW_US + 81 * G_USEC_PER_SEC));
  g_assert_cmpuint (gc_replay_cache_get_size (cache), ==, 1);
}

static void
test_address (void)
{
  const struct { const gchar *in; guint16 port; const gchar *out; } cases[] = {
    { "192.0.2.7", 7237, "192.0.2.7:7237" },
    { "::ffff:192.0.2.7", 7237, "192.0.2.7:7237" },
    { "2001:db8::7", 7237, "[2001:db8::7]:7237" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GSocketAddress) a =
        g_inet_socket_address_new_from_string (cases[i].in, cases[i].port);
      g_autofree gchar *s = gc_control_address_to_string (a, TRUE);

      g_assert_cmpstr (s, ==, cases[i].out);
    }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/groupcast/control-message/round-trip", test_round_trip);
  g_test_add_func ("/groupcast/control-message/wrong-key", test_wrong_key);
  g_test_add_func ("/groupcast/control-message/missing-mac", test_missing_mac);
  g_test_add_func ("/groupcast/control-message/altered", test_altered);
  g_test_add_func ("/groupcast/control-message/stale", test_stale);
  g_test_add_func ("/groupcast/control-message/rename", test_rename);
  g_test_add_func ("/groupcast/control-message/group", test_group);
  g_test_add_func ("/groupcast/control-message/mute", test_mute);
  g_test_add_func ("/groupcast/control-message/replay", test_replay);
  g_test_add_func ("/groupcast/control-message/other-receiver", test_other_receiver);
  g_test_add_func ("/groupcast/control-message/truncated", test_truncated);
  g_test_add_func ("/groupcast/control-frame/incremental", test_frame_incremental);
  g_test_add_func ("/groupcast/control-frame/shapes", test_frame_shapes);
  g_test_add_func ("/groupcast/control-message/oversized", test_oversized);
  g_test_add_func ("/groupcast/control-message/garbage", test_garbage);
  g_test_add_func ("/groupcast/control-message/random-corpus", test_random_corpus);
  g_test_add_func ("/groupcast/control-message/checked-in-corpus", test_checked_in_corpus);
  g_test_add_func ("/groupcast/control-message/response", test_response_round_trip);
  g_test_add_func ("/groupcast/control-message/replay-cache", test_replay_cache);
  g_test_add_func ("/groupcast/control-message/address", test_address);

  return g_test_run ();
}
