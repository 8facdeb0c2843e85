/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcTxt"

#include "config.h"

#include "gc-txt.h"

#include "gc-beacon.h"
#include "gc-error.h"

#include <string.h>

/* TXT records come from anyone on the LAN: every string is checked before
 * it is kept, and nothing here logs or trusts a field */

#define MAC_CONTEXT "groupcast-txt-1"

static void
strv_builder_take (GStrvBuilder *b, gchar *s)
{
  g_strv_builder_add (b, s);
  g_free (s);
}

static gchar **
build (const GcAnnouncement *a, gint64 timestamp_us, const gchar *mac)
{
  GStrvBuilder *b;
  g_autofree gchar *roles = NULL;
  gchar **strv;

  b = g_strv_builder_new ();
  roles = gc_roles_to_string (a->roles);
  strv_builder_take (b, g_strdup ("v=" GC_TXT_VERSION));
  strv_builder_take (b, g_strdup_printf ("id=%s", a->id));
  strv_builder_take (b, g_strdup_printf ("name=%s", a->name));
  strv_builder_take (b, g_strdup_printf ("roles=%s", roles));
  if (a->url != NULL)
    strv_builder_take (b, g_strdup_printf ("url=%s", a->url));
  if (a->group != NULL)
    strv_builder_take (b, g_strdup_printf ("group=%s", a->group));
  if (a->current_source != NULL)
    strv_builder_take (b, g_strdup_printf ("src=%s", a->current_source));
  if (a->instance != NULL)
    strv_builder_take (b, g_strdup_printf ("inst=%s", a->instance));
  if (mac != NULL)
    {
      strv_builder_take (b, g_strdup_printf ("ts=%" G_GINT64_FORMAT, timestamp_us));
      strv_builder_take (b, g_strdup_printf ("mac=%s", mac));
    }
  strv = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return strv;
}

/* "key=value" strings in the order they are published */
gchar **
gc_txt_build (const GcAnnouncement *a)
{
  g_return_val_if_fail (a != NULL, NULL);
  return build (a, 0, NULL);
}

/* the MAC (hex) of @a as published by the agent at @address (its control
 * port is @a's) at @timestamp_us. one field per line in a fixed order;
 * fields hold no line breaks, so two records never give the same input */
gchar *
gc_txt_mac (const GcAnnouncement *a, GBytes *key, const gchar *address, gint64 timestamp_us)
{
  g_autoptr (GHmac) hmac = NULL;
  g_autofree gchar *roles = NULL;
  g_autofree gchar *canon = NULL;
  gsize key_len;
  const guchar *key_data;

  g_return_val_if_fail (a != NULL && key != NULL && address != NULL, NULL);

  roles = gc_roles_to_string (a->roles);
  canon = g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%u\n%s\n%s\n%s\n%s\n%" G_GINT64_FORMAT "\n",
                           MAC_CONTEXT, a->id != NULL ? a->id : "",
                           a->name != NULL ? a->name : "", roles, address, a->control_port,
                           a->url != NULL ? a->url : "", a->group != NULL ? a->group : "",
                           a->current_source != NULL ? a->current_source : "",
                           a->instance != NULL ? a->instance : "", timestamp_us);
  key_data = g_bytes_get_data (key, &key_len);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_len);
  g_hmac_update (hmac, (const guchar *) canon, -1);
  return g_strdup (g_hmac_get_string (hmac));
}

/* the record of @a signed for @address at @timestamp_us */
gchar **
gc_txt_build_signed (const GcAnnouncement *a, GBytes *key, const gchar *address,
                     gint64 timestamp_us)
{
  g_autofree gchar *mac = NULL;

  g_return_val_if_fail (a != NULL && key != NULL && address != NULL, NULL);
  mac = gc_txt_mac (a, key, address, timestamp_us);
  return build (a, timestamp_us, mac);
}

/* TRUE when @mac is @a's MAC with @key as published from @address (the
 * address the record resolved to) at @timestamp_us; constant time */
gboolean
gc_txt_verify (const GcAnnouncement *a, GBytes *key, const gchar *address, gint64 timestamp_us,
               const gchar *mac)
{
  g_autofree gchar *expected = NULL;
  guint diff = 0;

  g_return_val_if_fail (a != NULL && key != NULL, FALSE);
  if (mac == NULL || address == NULL || timestamp_us <= 0
      || strlen (mac) != GC_TXT_MAC_HEX_LEN)
    return FALSE;
  expected = gc_txt_mac (a, key, address, timestamp_us);
  for (gsize i = 0; i < GC_TXT_MAC_HEX_LEN; i++)
    diff |= (guchar) g_ascii_tolower (mac[i]) ^ (guchar) expected[i];
  return diff == 0;
}

/* the DNS wire form: each string behind a length byte (strings longer than
 * 255 bytes are cut, as DNS would) */
GBytes *
gc_txt_encode (const gchar * const *strings)
{
  GByteArray *buf = g_byte_array_new ();

  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    {
      gsize len = MIN (strlen (strings[i]), 255);
      guint8 l = (guint8) len;

      g_byte_array_append (buf, &l, 1);
      g_byte_array_append (buf, (const guint8 *) strings[i], len);
    }
  return g_byte_array_free_to_bytes (buf);
}

static gboolean
txt_fail (GError **error, gint code, const gchar *msg)
{
  g_set_error_literal (error, GC_ERROR, code, msg);
  return FALSE;
}

static gboolean
key_is (const guint8 *s, gsize key_len, const gchar *key)
{
  return key_len == strlen (key) && g_ascii_strncasecmp ((const gchar *) s, key, key_len) == 0;
}

/* the strings of a record, before they are checked as a whole */
typedef struct
{
  GcAnnouncement a;
  gchar *version;
  gchar *roles;
  gchar *ts;
  gchar *mac;
} Strings;

static void
strings_clear (Strings *st)
{
  gc_announcement_clear (&st->a);
  g_free (st->version);
  g_free (st->roles);
  g_free (st->ts);
  g_free (st->mac);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Strings, strings_clear)

/* where the value of key @s (@key_len bytes) goes, and its longest; NULL
 * for a key that is none of ours */
static gchar **
field_for (Strings *st, const guint8 *s, gsize key_len, gsize *max)
{
  static const struct
  {
    const gchar *key;
    gsize offset;
    gsize max;
  } keys[] = {
    { "v", G_STRUCT_OFFSET (Strings, version), 8 },
    { "id", G_STRUCT_OFFSET (Strings, a.id), 36 },
    { "name", G_STRUCT_OFFSET (Strings, a.name), GC_BEACON_MAX_NAME },
    { "roles", G_STRUCT_OFFSET (Strings, roles), 64 },
    { "url", G_STRUCT_OFFSET (Strings, a.url), GC_BEACON_MAX_URL },
    { "group", G_STRUCT_OFFSET (Strings, a.group), GC_BEACON_MAX_GROUP },
    { "src", G_STRUCT_OFFSET (Strings, a.current_source), GC_BEACON_MAX_URL },
    { "inst", G_STRUCT_OFFSET (Strings, a.instance), GC_BEACON_MAX_INSTANCE },
    { "ts", G_STRUCT_OFFSET (Strings, ts), 20 },
    { "mac", G_STRUCT_OFFSET (Strings, mac), GC_TXT_MAC_HEX_LEN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (key_is (s, key_len, keys[i].key))
      {
        *max = keys[i].max;
        return G_STRUCT_MEMBER_P (st, keys[i].offset);
      }
  return NULL;
}

/* the "key=value" strings of the record into @st */
static gboolean
read_strings (const guint8 *data, gsize len, Strings *st, GError **error)
{
  for (gsize pos = 0; pos < len;)
    {
      gsize slen = data[pos++];
      const guint8 *s = data + pos;
      const guint8 *eq;
      gsize key_len, vlen, max = 0;
      gchar **field;

      if (len - pos < slen)
        return txt_fail (error, GC_ERROR_INVALID_ARGS, "truncated TXT string");
      pos += slen;
      if (slen == 0)
        continue;
      eq = memchr (s, '=', slen);
      /* a key without "=" is a boolean attribute: none of ours */
      if (eq == NULL || eq == s)
        continue;
      key_len = eq - s;
      vlen = slen - key_len - 1;
      field = field_for (st, s, key_len, &max);
      if (field == NULL || *field != NULL)
        continue;
      if (!gc_beacon_string_is_valid ((const gchar *) eq + 1, vlen, max))
        return txt_fail (error, GC_ERROR_INVALID_ARGS, "TXT value is not valid text");
      *field = g_strndup ((const gchar *) eq + 1, vlen);
    }
  return TRUE;
}

/* RFC 6763 §6: keys are case-insensitive, only the first of a repeated key
 * counts, empty strings are ignored. control_port is left 0: it is the SRV
 * record's port, not a TXT key */
gboolean
gc_txt_parse_full (const guint8 *data, gsize len, GcAnnouncement *out, gint64 *timestamp_us,
                   gchar **mac_out, GError **error)
{
  g_auto (Strings) st = { 0 };

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len > GC_TXT_MAX_SIZE)
    return txt_fail (error, GC_ERROR_INVALID_ARGS, "TXT record too large");
  if (!read_strings (data, len, &st, error))
    return FALSE;
  if (st.version == NULL)
    return txt_fail (error, GC_ERROR_INVALID_ARGS, "TXT record has no version");
  if (g_strcmp0 (st.version, GC_TXT_VERSION) != 0)
    return txt_fail (error, GC_ERROR_NOT_SUPPORTED, "unknown TXT record version");
  if (st.a.id == NULL || !g_uuid_string_is_valid (st.a.id))
    return txt_fail (error, GC_ERROR_INVALID_ARGS, "TXT record has no valid id");
  if (st.a.name == NULL || st.a.name[0] == '\0')
    return txt_fail (error, GC_ERROR_INVALID_ARGS, "TXT record has no name");

  /* ids compare as strings: beacons give lower case */
  {
    gchar *lower = g_ascii_strdown (st.a.id, -1);

    g_free (st.a.id);
    st.a.id = lower;
  }
  st.a.roles = gc_roles_from_string (st.roles);
  gc_announcement_clear (out);
  *out = st.a;
  memset (&st.a, 0, sizeof st.a);
  /* a malformed stamp is no stamp: the record then counts as unsigned */
  if (timestamp_us != NULL)
    {
      guint64 v = 0;

      *timestamp_us = st.ts != NULL
                      && g_ascii_string_to_unsigned (st.ts, 10, 1, G_MAXINT64, &v, NULL)
                      ? (gint64) v : 0;
    }
  if (mac_out != NULL)
    *mac_out = g_steal_pointer (&st.mac);
  return TRUE;
}

gboolean
gc_txt_parse (const guint8 *data, gsize len, GcAnnouncement *out, GError **error)
{
  return gc_txt_parse_full (data, len, out, NULL, NULL, error);
}
