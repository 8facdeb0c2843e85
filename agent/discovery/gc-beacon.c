/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcBeacon"

#include "config.h"

#include "gc-beacon.h"

#include "gc-error.h"

#include <string.h>

/* beacons come from anyone on the LAN: every length is checked before it is
 * read, and nothing here logs, allocates without bound, or trusts a field */

#define FLAG_MAC GC_BEACON_FLAG_SIGNED

enum
{
  TLV_NAME = 1,
  TLV_URL = 2,
  TLV_GROUP = 3,
  TLV_CURRENT_SOURCE = 4,
  TLV_INSTANCE = 5,
  TLV_ADDRESS = 6,
};

static const guint8 magic[2] = { 'G', 'C' };

/* UTF-8, no NUL, no control characters (they would end up in logs and
 * widgets), at most max_len bytes */
gboolean
gc_beacon_string_is_valid (const gchar *s, gssize len, gsize max_len)
{
  const gchar *end;

  if (s == NULL)
    return FALSE;
  if (len < 0)
    len = strlen (s);
  if ((gsize) len > max_len)
    return FALSE;
  if (!g_utf8_validate_len (s, len, &end))
    return FALSE;
  for (const gchar *p = s; p < s + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        return FALSE;
    }
  return TRUE;
}

static gboolean
uuid_to_bytes (const gchar *id, guint8 out[16])
{
  guint n = 0;

  if (id == NULL || !g_uuid_string_is_valid (id))
    return FALSE;
  for (const gchar *p = id; *p != '\0' && n < 32; p++)
    {
      gint v;

      if (*p == '-')
        continue;
      v = g_ascii_xdigit_value (*p);
      if (v < 0)
        return FALSE;
      if (n % 2 == 0)
        out[n / 2] = (guint8) (v << 4);
      else
        out[n / 2] |= (guint8) v;
      n++;
    }
  return n == 32;
}

static gchar *
uuid_from_bytes (const guint8 b[16])
{
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void
compute_mac (GBytes *key, const guint8 *data, gsize len, guint8 out[GC_BEACON_MAC_SIZE])
{
  gsize key_len = 0;
  const guint8 *key_data = g_bytes_get_data (key, &key_len);
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_len);
  gsize out_len = GC_BEACON_MAC_SIZE;

  g_hmac_update (hmac, data, len);
  g_hmac_get_digest (hmac, out, &out_len);
  g_hmac_unref (hmac);
}

/* constant time, so a forger learns nothing from how long a reject takes */
static gboolean
mac_equal (const guint8 *a, const guint8 *b)
{
  guint8 diff = 0;

  for (guint i = 0; i < GC_BEACON_MAC_SIZE; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

static gboolean
add_tlv (GByteArray *buf, guint8 type, const gchar *value, gsize max_len,
         const gchar *what, GError **error)
{
  guint8 hdr[2];
  gsize len;

  if (value == NULL)
    return TRUE;
  len = strlen (value);
  if (!gc_beacon_string_is_valid (value, len, max_len))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "%s is not valid UTF-8 text of at most %" G_GSIZE_FORMAT " bytes",
                   what, max_len);
      return FALSE;
    }
  hdr[0] = type;
  hdr[1] = (guint8) len;
  g_byte_array_append (buf, hdr, 2);
  g_byte_array_append (buf, (const guint8 *) value, len);
  return TRUE;
}

GBytes *
gc_beacon_build_full (const GcAnnouncement *a, GBytes *key, gint64 timestamp_us,
                      guint flags, GError **error)
{
  g_autoptr (GByteArray) buf = NULL;
  guint8 hdr[GC_BEACON_HEADER_SIZE] = { 0 };
  guint64 ts = (guint64) timestamp_us;
  gsize total;

  g_return_val_if_fail (a != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (a->control_port == 0)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "control port must not be 0");
      return NULL;
    }
  if (a->name == NULL || a->name[0] == '\0')
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "name is empty");
      return NULL;
    }
  memcpy (hdr, magic, sizeof magic);
  hdr[2] = GC_BEACON_VERSION;
  hdr[3] = (flags & GC_BEACON_FLAG_LEAVING) | (key != NULL ? FLAG_MAC : 0);
  /* hdr[4..5], the total length, is filled in at the end */
  hdr[6] = a->control_port >> 8;
  hdr[7] = a->control_port & 0xff;
  hdr[8] = (guint8) (a->roles & GC_ROLE_ALL);
  hdr[9] = 0; /* reserved */
  if (!uuid_to_bytes (a->id, hdr + 10))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "id “%s” is not a UUID",
                   a->id != NULL ? a->id : "(null)");
      return NULL;
    }
  for (guint i = 0; i < 8; i++)
    hdr[26 + i] = (guint8) (ts >> (56 - 8 * i));

  buf = g_byte_array_sized_new (256);
  g_byte_array_append (buf, hdr, sizeof hdr);
  if (!add_tlv (buf, TLV_NAME, a->name, GC_BEACON_MAX_NAME, "name", error)
      || !add_tlv (buf, TLV_URL, a->url, GC_BEACON_MAX_URL, "url", error)
      || !add_tlv (buf, TLV_GROUP, a->group, GC_BEACON_MAX_GROUP, "group", error)
      || !add_tlv (buf, TLV_CURRENT_SOURCE, a->current_source, GC_BEACON_MAX_URL,
                   "current source", error)
      || !add_tlv (buf, TLV_INSTANCE, a->instance, GC_BEACON_MAX_INSTANCE, "instance", error)
      || !add_tlv (buf, TLV_ADDRESS, a->address, GC_BEACON_MAX_ADDRESS, "address", error))
    return NULL;
  /* cannot happen with the limits above, but the limit is the contract */
  if (buf->len + (key != NULL ? GC_BEACON_MAC_SIZE : 0) > GC_BEACON_MAX_SIZE)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "beacon too large");
      return NULL;
    }
  total = buf->len + (key != NULL ? GC_BEACON_MAC_SIZE : 0);
  buf->data[4] = (guint8) (total >> 8);
  buf->data[5] = (guint8) (total & 0xff);
  if (key != NULL)
    {
      guint8 mac[GC_BEACON_MAC_SIZE];

      compute_mac (key, buf->data, buf->len, mac);
      g_byte_array_append (buf, mac, sizeof mac);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

GBytes *
gc_beacon_build (const GcAnnouncement *a, GBytes *key, GError **error)
{
  return gc_beacon_build_full (a, key, g_get_real_time (), 0, error);
}

static gboolean
fail (GError **error, gint code, const gchar *msg)
{
  g_set_error_literal (error, GC_ERROR, code, msg);
  return FALSE;
}

/* the type-length-value fields between the header and the MAC */
static gboolean
parse_fields (const guint8 *data, gsize body_end, GcAnnouncement *a, GError **error)
{
  for (gsize pos = GC_BEACON_HEADER_SIZE; pos < body_end;)
    {
      guint8 type, vlen;
      gchar **field = NULL;
      gsize max = 0;

      if (body_end - pos < 2)
        return fail (error, GC_ERROR_INVALID_ARGS, "truncated field header");
      type = data[pos];
      vlen = data[pos + 1];
      pos += 2;
      if (body_end - pos < vlen)
        return fail (error, GC_ERROR_INVALID_ARGS, "truncated field");
      switch (type)
        {
        case TLV_NAME:
          field = &a->name;
          max = GC_BEACON_MAX_NAME;
          break;
        case TLV_URL:
          field = &a->url;
          max = GC_BEACON_MAX_URL;
          break;
        case TLV_GROUP:
          field = &a->group;
          max = GC_BEACON_MAX_GROUP;
          break;
        case TLV_CURRENT_SOURCE:
          field = &a->current_source;
          max = GC_BEACON_MAX_URL;
          break;
        case TLV_INSTANCE:
          field = &a->instance;
          max = GC_BEACON_MAX_INSTANCE;
          break;
        case TLV_ADDRESS:
          field = &a->address;
          max = GC_BEACON_MAX_ADDRESS;
          break;
        default:
          /* a newer agent's field: skipped, its length is known */
          break;
        }
      if (field != NULL)
        {
          if (*field != NULL)
            return fail (error, GC_ERROR_INVALID_ARGS, "field repeated");
          if (!gc_beacon_string_is_valid ((const gchar *) data + pos, vlen, max))
            return fail (error, GC_ERROR_INVALID_ARGS, "field is not valid text");
          *field = g_strndup ((const gchar *) data + pos, vlen);
        }
      pos += vlen;
    }
  return TRUE;
}

/* the cheap part of the checks (magic, version, length), done before a
 * datagram costs a parse or a MAC */
gboolean
gc_beacon_looks_valid (const guint8 *data, gsize len)
{
  return data != NULL && len >= GC_BEACON_HEADER_SIZE && len <= GC_BEACON_MAX_SIZE
         && memcmp (data, magic, sizeof magic) == 0 && data[2] == GC_BEACON_VERSION
         && (gsize) (data[4] << 8 | data[5]) == len;
}

gboolean
gc_beacon_parse_full (const guint8 *data, gsize len, GBytes *key, GcAnnouncement *out,
                      gint64 *timestamp_us, guint *flags, GError **error)
{
  g_auto (GcAnnouncement) a = { 0 };
  gsize body_end;
  guint64 ts = 0;
  gboolean has_mac;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len > GC_BEACON_MAX_SIZE)
    return fail (error, GC_ERROR_INVALID_ARGS, "beacon too large");
  if (len < GC_BEACON_HEADER_SIZE)
    return fail (error, GC_ERROR_INVALID_ARGS, "beacon too short");
  if (memcmp (data, magic, sizeof magic) != 0)
    return fail (error, GC_ERROR_INVALID_ARGS, "not a beacon");
  if (data[2] != GC_BEACON_VERSION)
    return fail (error, GC_ERROR_NOT_SUPPORTED, "unknown beacon version");
  /* the length says where the beacon ends, so a cut at a field boundary is
   * seen as a cut */
  if ((gsize) (data[4] << 8 | data[5]) != len)
    return fail (error, GC_ERROR_INVALID_ARGS, "beacon length does not match");

  has_mac = (data[3] & FLAG_MAC) != 0;
  body_end = len;
  if (has_mac)
    {
      if (len < GC_BEACON_HEADER_SIZE + GC_BEACON_MAC_SIZE)
        return fail (error, GC_ERROR_INVALID_ARGS, "beacon too short for its MAC");
      body_end = len - GC_BEACON_MAC_SIZE;
    }
  /* authenticate before reading anything else */
  if (key != NULL)
    {
      guint8 mac[GC_BEACON_MAC_SIZE];

      if (!has_mac)
        return fail (error, GC_ERROR_NOT_AUTHORIZED, "beacon is not signed");
      compute_mac (key, data, body_end, mac);
      if (!mac_equal (mac, data + body_end))
        return fail (error, GC_ERROR_NOT_AUTHORIZED, "beacon signature does not match");
    }

  a.control_port = (guint16) (data[6] << 8 | data[7]);
  if (a.control_port == 0)
    return fail (error, GC_ERROR_INVALID_ARGS, "control port is 0");
  a.roles = data[8] & GC_ROLE_ALL;
  a.id = uuid_from_bytes (data + 10);
  for (guint i = 0; i < 8; i++)
    ts = ts << 8 | data[26 + i];

  if (!parse_fields (data, body_end, &a, error))
    return FALSE;
  if (a.name == NULL || a.name[0] == '\0')
    return fail (error, GC_ERROR_INVALID_ARGS, "beacon has no name");

  gc_announcement_clear (out);
  *out = a;
  memset (&a, 0, sizeof a);
  if (timestamp_us != NULL)
    *timestamp_us = (gint64) ts;
  /* unknown bits are for later versions of v1 and ignored */
  if (flags != NULL)
    *flags = data[3] & (GC_BEACON_FLAG_SIGNED | GC_BEACON_FLAG_LEAVING);
  return TRUE;
}

gboolean
gc_beacon_parse (const guint8 *data, gsize len, GBytes *key, GcAnnouncement *out,
                 GError **error)
{
  return gc_beacon_parse_full (data, len, key, out, NULL, NULL, error);
}
