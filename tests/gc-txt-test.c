/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * signed mDNS TXT records: a record signed with the site key verifies only
 * with that key, for the address it was published from, and unchanged.
 */
#include "config.h"

#include "gc-txt.h"

#include <string.h>

#define ID "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
#define TS G_GINT64_CONSTANT (1796000000000000)

static void
fill (GcAnnouncement *a)
{
  a->id = g_strdup (ID);
  a->name = g_strdup ("Lecture hall");
  a->roles = GC_ROLE_SOURCE | GC_ROLE_RECEIVER;
  a->control_port = 7237;
  a->url = g_strdup ("rtsp://10.99.0.1:7236/screen");
  a->group = g_strdup ("239.0.0.11:15550");
  a->instance = g_strdup ("0006600000000000deadbeef");
}

static GBytes *
key (const gchar *k)
{
  return g_bytes_new (k, strlen (k));
}

/* built, put on the wire, read back: what a peer's resolver gives */
static void
round_trip (gchar **strv, GcAnnouncement *out, gint64 *ts, gchar **mac)
{
  g_autoptr (GBytes) wire = gc_txt_encode ((const gchar * const *) strv);
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (wire, &len);

  g_assert_true (gc_txt_parse_full (data, len, out, ts, mac, &error));
  g_assert_no_error (error);
  out->control_port = 7237; /* the SRV record's */
}

static void
test_signed_round_trip (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GBytes) k = key ("correct horse battery staple");
  g_autoptr (GBytes) other = key ("another site's key");
  g_auto (GStrv) strv = NULL;
  g_autofree gchar *mac = NULL;
  gint64 ts = 0;

  fill (&a);
  strv = gc_txt_build_signed (&a, k, "10.99.0.1", TS);
  round_trip (strv, &b, &ts, &mac);
  g_assert_cmpint (ts, ==, TS);
  g_assert_cmpuint (strlen (mac), ==, GC_TXT_MAC_HEX_LEN);
  g_assert_cmpstr (b.instance, ==, a.instance);
  g_assert_true (gc_txt_verify (&b, k, "10.99.0.1", ts, mac));
  /* another key, another address (a record copied to a forger's host), or
   * another time stamp: no */
  g_assert_false (gc_txt_verify (&b, other, "10.99.0.1", ts, mac));
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.66", ts, mac));
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", ts + 1, mac));
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", ts, NULL));
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", 0, mac));
  /* any field changed: no */
  g_free (b.url);
  b.url = g_strdup ("rtsp://10.99.0.66:7236/screen");
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", ts, mac));
  g_free (b.url);
  b.url = g_strdup (a.url);
  b.control_port = 7238;
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", ts, mac));
  b.control_port = 7237;
  b.roles = GC_ROLE_RECEIVER;
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", ts, mac));
  b.roles = a.roles;
  g_assert_true (gc_txt_verify (&b, k, "10.99.0.1", ts, mac));
}

static void
test_unsigned (void)
{
  g_auto (GcAnnouncement) a = { 0 };
  g_auto (GcAnnouncement) b = { 0 };
  g_autoptr (GBytes) k = key ("correct horse battery staple");
  g_auto (GStrv) strv = NULL;
  g_autofree gchar *mac = NULL;
  gint64 ts = -1;

  fill (&a);
  strv = gc_txt_build (&a);
  for (guint i = 0; strv[i] != NULL; i++)
    g_assert_false (g_str_has_prefix (strv[i], "mac=") || g_str_has_prefix (strv[i], "ts="));
  round_trip (strv, &b, &ts, &mac);
  g_assert_cmpint (ts, ==, 0);
  g_assert_null (mac);
  g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", ts, mac));
}

/* a MAC that is no MAC, a stamp that is no number: parsed, never verified */
static void
test_malformed (void)
{
  g_autoptr (GBytes) k = key ("correct horse battery staple");
  const gchar *bad[][2] = {
    { "ts=12x4", "mac=00" },
    { "ts=-5", "mac=0000000000000000000000000000000000000000000000000000000000000000" },
    { "ts=99999999999999999999", "mac=zz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const gchar *strv[] = { "v=1", "id=" ID, "name=x", bad[i][0], bad[i][1], NULL };
      g_autoptr (GBytes) wire = gc_txt_encode (strv);
      g_auto (GcAnnouncement) b = { 0 };
      g_autofree gchar *mac = NULL;
      gint64 ts = -1;
      gsize len;
      const guint8 *data = g_bytes_get_data (wire, &len);

      g_assert_true (gc_txt_parse_full (data, len, &b, &ts, &mac, NULL));
      g_assert_false (gc_txt_verify (&b, k, "10.99.0.1", ts, mac));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/txt/signed", test_signed_round_trip);
  g_test_add_func ("/groupcast/txt/unsigned", test_unsigned);
  g_test_add_func ("/groupcast/txt/malformed-mac", test_malformed);
  return g_test_run ();
}
