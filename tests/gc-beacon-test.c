/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * beacons and TXT records are read from the network: every malformed input
 * is refused with an error, never a crash, and good ones round-trip.
 */
#include "config.h"

#include "gc-announcement.h"
#include "gc-avahi.h"
#include "gc-beacon.h"
#include "gc-beacon-service.h"
#include "gc-error.h"
#include "gc-identity.h"

#include <glib/gstdio.h>
#include <string.h>

#define ID "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"

static void
fill_source (GcAnnouncement *a)
{
  a->id = g_strdup (ID);
  a->name = g_strdup ("Lecture hall");
  a->roles = GC_ROLE_SOURCE | GC_ROLE_RECEIVER;
  a->control_port = 7237;
  a->url = g_strdup ("rtsp://10.99.0.1:7236/screen");
  a->group = g_strdup ("239.0.0.11:15550");
  a->current_source = g_strdup ("rtsp://10.99.0.9:7236/screen");
}

/* a beacon's length field (bytes 4-5) after the test grew or cut it */
static void
set_length (guint8 *data, gsize len)
{
  data[4] = (guint8) ((len >> 8) & 0xff);
  data[5] = (guint8) (len & 0xff);
}

static GBytes *
test_key (void)
{
  return g_bytes_new_static ("correct horse battery staple", 28);
}

static void
test_beacon_round_trip (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) beacon = NULL;
  const guint8 *data;
  gsize len;

  fill_source (&a);
  beacon = gc_beacon_build (&a, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (beacon, &len);
  g_assert_cmpuint (len, <=, GC_BEACON_MAX_SIZE);
  g_assert_cmpmem (data, 3, "GC\x01", 3);
  g_assert_cmpuint (data[4] << 8 | data[5], ==, len);
  g_assert_true (gc_beacon_parse (data, len, NULL, &b, &error));
  g_assert_no_error (error);
  g_assert_true (gc_announcement_equal (&a, &b));
  g_assert_cmpstr (b.name, ==, "Lecture hall");
  g_assert_cmpuint (b.control_port, ==, 7237);

  /* a receiver with nothing optional */
  gc_announcement_clear (&a);
  a.id = g_strdup (ID);
  a.name = g_strdup ("Room 12 — ☃");
  a.roles = GC_ROLE_RECEIVER;
  a.control_port = 1;
  g_clear_pointer (&beacon, g_bytes_unref);
  beacon = gc_beacon_build (&a, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (beacon, &len);
  g_assert_true (gc_beacon_parse (data, len, NULL, &b, &error));
  g_assert_no_error (error);
  g_assert_true (gc_announcement_equal (&a, &b));
  g_assert_null (b.url);
  g_assert_null (b.current_source);
}

static void
test_beacon_keyed (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = test_key ();
  g_autoptr (GBytes) other = g_bytes_new_static ("wrong key", 9);
  g_autoptr (GBytes) signed_beacon = NULL;
  g_autoptr (GBytes) plain = NULL;
  g_autofree guint8 *copy = NULL;
  const guint8 *data;
  gsize len;
  gint64 ts = 0;
  guint flags = 0;

  fill_source (&a);
  signed_beacon = gc_beacon_build_full (&a, key, 1234567890123456, GC_BEACON_FLAG_LEAVING,
                                        &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (signed_beacon, &len);
  g_assert_true (gc_beacon_parse_full (data, len, key, &b, &ts, &flags, &error));
  g_assert_no_error (error);
  g_assert_true (gc_announcement_equal (&a, &b));
  g_assert_cmpint (ts, ==, 1234567890123456);
  g_assert_cmpuint (flags, ==, GC_BEACON_FLAG_SIGNED | GC_BEACON_FLAG_LEAVING);

  /* without a key configured, a signed beacon still reads */
  g_assert_true (gc_beacon_parse (data, len, NULL, &b, &error));
  g_assert_no_error (error);

  /* the wrong key */
  g_assert_false (gc_beacon_parse (data, len, other, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);

  /* any flipped bit, in the body or in the MAC */
  copy = g_memdup2 (data, len);
  for (gsize i = 0; i < len; i++)
    {
      copy[i] ^= 0x01;
      g_assert_false (gc_beacon_parse (copy, len, key, &b, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      copy[i] ^= 0x01;
    }

  /* a MAC cut off */
  g_assert_false (gc_beacon_parse (data, len - GC_BEACON_MAC_SIZE, key, &b, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* an unsigned beacon when a key is configured */
  plain = gc_beacon_build (&a, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (plain, &len);
  g_assert_false (gc_beacon_parse (data, len, key, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);

  /* failed parses leave the output as it was */
  g_assert_true (gc_announcement_equal (&a, &b));
}

static void
test_beacon_truncated (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = test_key ();

  fill_source (&a);
  for (guint keyed = 0; keyed < 2; keyed++)
    {
      g_autoptr (GBytes) beacon = gc_beacon_build (&a, keyed ? key : NULL, &error);
      gsize len;
      const guint8 *data = g_bytes_get_data (beacon, &len);

      g_assert_no_error (error);
      /* every shorter prefix, copied so a read past the end is caught by
       * valgrind / ASan */
      for (gsize n = 0; n < len; n++)
        {
          g_autofree guint8 *prefix = g_memdup2 (data, n);

          g_assert_false (gc_beacon_parse (prefix, n, keyed ? key : NULL, &b, &error));
          g_assert_nonnull (error);
          g_assert_true (error->domain == GC_ERROR);
          g_clear_error (&error);
        }
    }
}

static void
test_beacon_oversized (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) beacon = NULL;
  g_autoptr (GByteArray) big = g_byte_array_new ();
  gsize len;
  const guint8 *data;
  guint8 filler[4] = { 99, 2, 'x', 'y' }; /* an unknown field, skipped */

  fill_source (&a);
  beacon = gc_beacon_build (&a, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (beacon, &len);
  g_byte_array_append (big, data, len);
  /* unknown fields are skipped while the total stays in bounds */
  g_byte_array_append (big, filler, sizeof filler);
  set_length (big->data, big->len);
  g_assert_true (gc_beacon_parse (big->data, big->len, NULL, &b, &error));
  g_assert_no_error (error);
  while (big->len <= GC_BEACON_MAX_SIZE)
    g_byte_array_append (big, filler, sizeof filler);
  set_length (big->data, big->len);
  g_assert_false (gc_beacon_parse (big->data, big->len, NULL, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* fields over their own limit are refused on both sides */
  g_free (a.name);
  a.name = g_strnfill (GC_BEACON_MAX_NAME + 1, 'n');
  g_assert_null (gc_beacon_build (&a, NULL, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  {
    guint8 raw[GC_BEACON_HEADER_SIZE + 2 + 100] = { 'G', 'C', 1, 0, 0, 0, 0x1c, 0x45, 2 };

    set_length (raw, sizeof raw);
    raw[GC_BEACON_HEADER_SIZE] = 1; /* name */
    raw[GC_BEACON_HEADER_SIZE + 1] = 100;
    memset (raw + GC_BEACON_HEADER_SIZE + 2, 'n', 100);
    g_assert_false (gc_beacon_parse (raw, sizeof raw, NULL, &b, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_clear_error (&error);
  }
}

static void
test_beacon_bad_fields (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) beacon = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len, name_at;
  const guint8 *data;

  fill_source (&a);
  beacon = gc_beacon_build (&a, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (beacon, &len);
  copy = g_memdup2 (data, len);

  /* wrong version */
  copy[2] = 2;
  g_assert_false (gc_beacon_parse (copy, len, NULL, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  copy[2] = GC_BEACON_VERSION;

  /* wrong magic */
  copy[0] = 'X';
  g_assert_false (gc_beacon_parse (copy, len, NULL, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  copy[0] = 'G';

  /* control port 0 */
  copy[6] = copy[7] = 0;
  g_assert_false (gc_beacon_parse (copy, len, NULL, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  copy[6] = data[6];
  copy[7] = data[7];

  /* the name is the first field: make it invalid UTF-8, then a control char */
  name_at = GC_BEACON_HEADER_SIZE + 2;
  g_assert_cmpuint (copy[GC_BEACON_HEADER_SIZE], ==, 1);
  copy[name_at] = 0xff;
  g_assert_false (gc_beacon_parse (copy, len, NULL, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  copy[name_at] = 0xc3; /* a lone lead byte */
  g_assert_false (gc_beacon_parse (copy, len, NULL, &b, &error));
  g_clear_error (&error);
  copy[name_at] = '\n';
  g_assert_false (gc_beacon_parse (copy, len, NULL, &b, &error));
  g_clear_error (&error);
  copy[name_at] = '\0';
  g_assert_false (gc_beacon_parse (copy, len, NULL, &b, &error));
  g_clear_error (&error);
  copy[name_at] = data[name_at];

  /* a repeated field */
  {
    g_autoptr (GByteArray) dup = g_byte_array_new ();
    guint8 extra[] = { 1, 1, 'z' };

    g_byte_array_append (dup, data, len);
    g_byte_array_append (dup, extra, sizeof extra);
    set_length (dup->data, dup->len);
    g_assert_false (gc_beacon_parse (dup->data, dup->len, NULL, &b, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_clear_error (&error);
  }

  /* no name at all: header only */
  set_length (copy, GC_BEACON_HEADER_SIZE);
  g_assert_false (gc_beacon_parse (copy, GC_BEACON_HEADER_SIZE, NULL, &b, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* the builder refuses what the parser would */
  g_free (a.id);
  a.id = g_strdup ("not-a-uuid");
  g_assert_null (gc_beacon_build (&a, NULL, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_free (a.id);
  a.id = g_strdup (ID);
  g_free (a.url);
  a.url = g_strdup ("rtsp://\xff/");
  g_assert_null (gc_beacon_build (&a, NULL, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);
}

/* parse must either fail with an error or give a fully valid announcement */
static void
check_any_input (const guint8 *data, gsize len, GBytes *key)
{
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;

  if (gc_beacon_parse (data, len, key, &b, &error))
    {
      g_assert_no_error (error);
      g_assert_true (g_uuid_string_is_valid (b.id));
      g_assert_true (gc_beacon_string_is_valid (b.name, -1, GC_BEACON_MAX_NAME));
      g_assert_cmpuint (b.control_port, !=, 0);
      g_assert_cmpuint (b.roles & ~GC_ROLE_ALL, ==, 0);
    }
  else
    g_assert_nonnull (error);
}

static void
test_beacon_random (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = test_key ();
  g_autoptr (GBytes) beacon = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (0x6763);
  const guint8 *data;
  gsize len;
  guint parsed = 0;

  fill_source (&a);
  beacon = gc_beacon_build (&a, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (beacon, &len);

  /* pure noise, of every size up to past the limit */
  for (guint i = 0; i < 1000; i++)
    {
      gsize n = g_rand_int_range (rand, 0, GC_BEACON_MAX_SIZE + 64);
      g_autofree guint8 *buf = g_malloc (MAX (n, 1));

      for (gsize j = 0; j < n; j++)
        buf[j] = g_rand_int_range (rand, 0, 256);
      /* half of them with a valid head, so the field parser is reached */
      if (i % 2 == 0 && n >= 6)
        {
          memcpy (buf, "GC\x01", 3);
          set_length (buf, n);
        }
      check_any_input (buf, n, NULL);
      check_any_input (buf, n, key);
    }

  /* mutations of a good beacon: flips, cuts, inserted bytes */
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr (GByteArray) m = g_byte_array_new ();
      guint edits = g_rand_int_range (rand, 1, 5);
      g_auto (GcAnnouncement) b = { 0 };

      g_byte_array_append (m, data, len);
      for (guint e = 0; e < edits && m->len > 0; e++)
        {
          guint at = g_rand_int_range (rand, 0, m->len);

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              m->data[at] ^= 1 << g_rand_int_range (rand, 0, 8);
              break;
            case 1:
              m->data[at] = g_rand_int_range (rand, 0, 256);
              break;
            case 2:
              g_byte_array_set_size (m, at);
              break;
            default:
              {
                guint8 v = g_rand_int_range (rand, 0, 256);

                g_byte_array_append (m, &v, 1);
                memmove (m->data + at + 1, m->data + at, m->len - at - 1);
                m->data[at] = v;
              }
            }
        }
      check_any_input (m->data, m->len, NULL);
      if (gc_beacon_parse (m->data, m->len, NULL, &b, NULL))
        parsed++;
    }
  /* the mutations reach deep: some still parse (a changed letter in a name) */
  g_assert_cmpuint (parsed, >, 0);
}

static void
test_beacon_corpus (void)
{
  g_autofree gchar *dir_path = g_build_filename (GC_SOURCE_DIR, "tests", "fuzz", "corpus",
                                                 "beacon", NULL);
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = test_key ();
  const gchar *name;
  guint n = 0, good = 0;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir_path, name, NULL);
      g_autofree gchar *contents = NULL;
      g_auto (GcAnnouncement) b = { 0 };
      g_auto (GcAnnouncement) t = { 0 };
      gsize len = 0;

      g_file_get_contents (path, &contents, &len, &error);
      g_assert_no_error (error);
      /* the same three parsers the fuzz target runs */
      check_any_input ((const guint8 *) contents, len, NULL);
      check_any_input ((const guint8 *) contents, len, key);
      if (gc_beacon_parse ((const guint8 *) contents, len, NULL, &b, NULL))
        good++;
      if (gc_txt_parse ((const guint8 *) contents, len, &t, NULL))
        {
          g_assert_true (g_uuid_string_is_valid (t.id));
          good++;
        }
      n++;
    }
  /* the corpus holds good seeds of both kinds and broken ones */
  g_assert_cmpuint (n, >=, 8);
  g_assert_cmpuint (good, >=, 3);
  g_assert_cmpuint (good, <, n);
}

static void
test_txt_round_trip (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) txt = NULL;
  g_autoptr (GBytes) wire = NULL;
  const guint8 *data;
  gsize len;

  fill_source (&a);
  txt = gc_txt_build (&a);
  g_assert_cmpstr (txt[0], ==, "v=1");
  g_assert_true (g_strv_contains ((const gchar * const *) txt, "id=" ID));
  g_assert_true (g_strv_contains ((const gchar * const *) txt, "roles=source,receiver"));
  g_assert_true (g_strv_contains ((const gchar * const *) txt, "group=239.0.0.11:15550"));
  g_assert_true (g_strv_contains ((const gchar * const *) txt,
                                  "src=rtsp://10.99.0.9:7236/screen"));
  wire = gc_txt_encode ((const gchar * const *) txt);
  data = g_bytes_get_data (wire, &len);
  g_assert_true (gc_txt_parse (data, len, &b, &error));
  g_assert_no_error (error);
  /* the port travels in the SRV record, not the TXT */
  g_assert_cmpuint (b.control_port, ==, 0);
  b.control_port = a.control_port;
  g_assert_true (gc_announcement_equal (&a, &b));
}

static void
parse_strings (const gchar * const *strings, GcAnnouncement *out, GError **error,
               gboolean *ok)
{
  g_autoptr (GBytes) wire = gc_txt_encode (strings);
  gsize len;
  const guint8 *data = g_bytes_get_data (wire, &len);

  *ok = gc_txt_parse (data, len, out, error);
}

static void
test_txt_rules (void)
{
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean ok;

  /* keys are case-insensitive, the first of a repeated key wins, unknown
   * keys, boolean keys and empty strings are ignored, ids go lower case */
  {
    const gchar *s[] = { "V=1", "", "ID=3F2B8C1E-5D4A-4E6F-9A7B-1C2D3E4F5A6B", "name=A",
                         "name=B", "flag", "future=x", "roles=receiver,projector", NULL };

    parse_strings (s, &b, &error, &ok);
    g_assert_no_error (error);
    g_assert_true (ok);
    g_assert_cmpstr (b.id, ==, ID);
    g_assert_cmpstr (b.name, ==, "A");
    g_assert_cmpuint (b.roles, ==, GC_ROLE_RECEIVER);
    g_assert_null (b.url);
  }
  /* no version, another version, no id, a bad id, no name, bad text */
  {
    const gchar *nov[] = { "id=" ID, "name=A", NULL };
    const gchar *v2[] = { "v=2", "id=" ID, "name=A", NULL };
    const gchar *noid[] = { "v=1", "name=A", NULL };
    const gchar *badid[] = { "v=1", "id=xyz", "name=A", NULL };
    const gchar *noname[] = { "v=1", "id=" ID, "name=", NULL };
    const gchar *ctrl[] = { "v=1", "id=" ID, "name=A\tB", NULL };
    const gchar *utf[] = { "v=1", "id=" ID, "name=\xc3\x28", NULL };
    const gchar * const *bad[] = { nov, v2, noid, badid, noname, ctrl, utf };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        parse_strings (bad[i], &b, &error, &ok);
        g_assert_false (ok);
        {
          gint code = (i == 1) ? GC_ERROR_NOT_SUPPORTED : GC_ERROR_INVALID_ARGS;

          g_assert_error (error, GC_ERROR, code);
        }
        g_clear_error (&error);
      }
  }
  /* a string length running past the end */
  {
    const guint8 wire[] = { 3, 'v', '=', '1', 40, 'i', 'd' };

    g_assert_false (gc_txt_parse (wire, sizeof wire, &b, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_clear_error (&error);
  }
}

static void
test_txt_random (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GStrv) txt = NULL;
  g_autoptr (GBytes) wire = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (0x747874);
  const guint8 *data;
  gsize len;

  fill_source (&a);
  txt = gc_txt_build (&a);
  wire = gc_txt_encode ((const gchar * const *) txt);
  data = g_bytes_get_data (wire, &len);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree guint8 *m = g_memdup2 (data, len);
      gsize n = len;
      g_auto (GcAnnouncement) b = { 0 };
      g_autoptr (GError) error = NULL;

      for (guint e = 0; e < 3; e++)
        m[g_rand_int_range (rand, 0, len)] = g_rand_int_range (rand, 0, 256);
      if (i % 3 == 0)
        n = g_rand_int_range (rand, 0, len);
      if (gc_txt_parse (m, n, &b, &error))
        {
          g_assert_true (g_uuid_string_is_valid (b.id));
          g_assert_true (gc_beacon_string_is_valid (b.name, -1, GC_BEACON_MAX_NAME));
        }
      else
        g_assert_nonnull (error);
    }
}

static void
test_identity (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("gc-identity-XXXXXX", NULL);
  g_autofree gchar *state = g_build_filename (dir, "state", NULL);
  g_autofree gchar *path = g_build_filename (state, "id", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *id1 = NULL;
  g_autofree gchar *id2 = NULL;
  g_autofree gchar *id3 = NULL;

  /* made once, in a directory that did not exist */
  id1 = gc_identity_load_or_create (state, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id1));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  /* then kept */
  id2 = gc_identity_load_or_create (state, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id1, ==, id2);
  /* a damaged file is refused, not replaced */
  g_file_set_contents (path, "garbage\n", -1, &error);
  g_assert_no_error (error);
  id3 = gc_identity_load_or_create (state, &error);
  g_assert_error (error, GC_ERROR, GC_ERROR_FAILED);
  g_assert_null (id3);

  g_unlink (path);
  g_rmdir (state);
  g_rmdir (dir);
}

static void
test_roles (void)
{
  g_auto (GStrv) both = gc_roles_to_strv (GC_ROLE_SOURCE | GC_ROLE_RECEIVER);
  g_auto (GStrv) none = gc_roles_to_strv (0);

  g_assert_cmpuint (g_strv_length (both), ==, 2);
  g_assert_cmpstr (both[0], ==, "source");
  g_assert_cmpstr (both[1], ==, "receiver");
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (gc_roles_from_string ("receiver,source"), ==, GC_ROLE_ALL);
  g_assert_cmpuint (gc_roles_from_string (""), ==, 0);
}

static guint32
ip4 (const gchar *s)
{
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (s);
  guint32 v;

  g_assert_nonnull (a);
  memcpy (&v, g_inet_address_to_bytes (a), 4);
  return v;
}

/* an address added without "brd" reports 0.0.0.0: beacons must still go
 * to the subnet, not to this host alone */
static void
test_beacon_destination (void)
{
  const gchar *how = NULL;

  g_assert_cmphex (gc_beacon_service_destination (ip4 ("10.0.0.21"), ip4 ("255.255.255.0"),
                                                  ip4 ("10.0.0.255"), &how),
                   ==, ip4 ("10.0.0.255"));
  g_assert_true (strstr (how, "interface's broadcast") != NULL);
  g_assert_cmphex (gc_beacon_service_destination (ip4 ("10.0.0.21"), ip4 ("255.255.255.0"),
                                                  0, &how),
                   ==, ip4 ("10.0.0.255"));
  g_assert_true (strstr (how, "directed broadcast") != NULL);
  /* what getifaddrs() gives for "ip addr add 10.0.0.21/24 dev eth0" */
  g_assert_cmphex (gc_beacon_service_destination (ip4 ("10.0.0.21"), ip4 ("255.255.255.0"),
                                                  ip4 ("10.0.0.21"), &how),
                   ==, ip4 ("10.0.0.255"));
  g_assert_true (strstr (how, "directed broadcast") != NULL);
  g_assert_cmphex (gc_beacon_service_destination (ip4 ("172.16.5.9"), ip4 ("255.255.240.0"),
                                                  0, NULL),
                   ==, ip4 ("172.16.15.255"));
  /* a /32 or /31 has no subnet to broadcast to */
  g_assert_cmphex (gc_beacon_service_destination (ip4 ("10.0.0.21"), ip4 ("255.255.255.255"),
                                                  0, &how),
                   ==, ip4 ("255.255.255.255"));
  g_assert_true (strstr (how, "limited") != NULL);
  g_assert_cmphex (gc_beacon_service_destination (ip4 ("10.0.0.20"), ip4 ("255.255.255.254"),
                                                  0, NULL),
                   ==, ip4 ("255.255.255.255"));
  g_assert_cmphex (gc_beacon_service_destination (0, 0, 0, NULL), ==, ip4 ("255.255.255.255"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/beacon/round-trip", test_beacon_round_trip);
  g_test_add_func ("/groupcast/beacon/keyed", test_beacon_keyed);
  g_test_add_func ("/groupcast/beacon/truncated", test_beacon_truncated);
  g_test_add_func ("/groupcast/beacon/oversized", test_beacon_oversized);
  g_test_add_func ("/groupcast/beacon/bad-fields", test_beacon_bad_fields);
  g_test_add_func ("/groupcast/beacon/random", test_beacon_random);
  g_test_add_func ("/groupcast/beacon/corpus", test_beacon_corpus);
  g_test_add_func ("/groupcast/beacon/destination", test_beacon_destination);
  g_test_add_func ("/groupcast/txt/round-trip", test_txt_round_trip);
  g_test_add_func ("/groupcast/txt/rules", test_txt_rules);
  g_test_add_func ("/groupcast/txt/random", test_txt_random);
  g_test_add_func ("/groupcast/identity/load-or-create", test_identity);
  g_test_add_func ("/groupcast/announcement/roles", test_roles);
  return g_test_run ();
}
