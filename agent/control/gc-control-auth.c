/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcControl"

#include "config.h"

#include "gc-control-auth.h"

#include <string.h>
#include <sys/random.h>

#define MAC_CONTEXT "groupcast-control-1"
#define MAC_HEX_LEN 64

/* a nonce only has to be unique, but take it from the kernel's random pool
 * anyway so it cannot be predicted either */
static void
random_bytes (guint8 *buf, gsize len)
{
  gsize got = 0;

  while (got < len)
    {
      gssize r = getrandom (buf + got, len - got, GRND_NONBLOCK);

      if (r <= 0)
        break;
      got += r;
    }
  for (; got < len; got++)
    buf[got] = g_random_int_range (0, 256);
}

/* gives @req its timestamp (@now_us, wall clock) and a fresh nonce */
void
gc_control_request_stamp (GcControlRequest *req, gint64 now_us)
{
  guint8 raw[16];
  GString *hex = g_string_sized_new (2 * sizeof raw + 1);

  g_return_if_fail (req != NULL);

  random_bytes (raw, sizeof raw);
  for (gsize i = 0; i < sizeof raw; i++)
    g_string_append_printf (hex, "%02x", raw[i]);
  req->timestamp_us = now_us;
  g_free (req->nonce);
  req->nonce = g_string_free (hex, FALSE);
}

/* the MAC of @req for the receiver at @address ("address:port"), as hex */
gchar *
gc_control_auth_sign (GBytes *key, const GcControlRequest *req, const gchar *address)
{
  g_autoptr (GHmac) hmac = NULL;
  g_autofree gchar *canon = NULL;
  gsize key_len;
  const guchar *key_data;

  g_return_val_if_fail (key != NULL && req != NULL && address != NULL, NULL);

  key_data = g_bytes_get_data (key, &key_len);
  /* one field per line, in a fixed order; fields cannot hold a line break,
   * so two different requests never give the same input. the receiver's
   * address:port is part of it, so a request copied to another receiver is
   * refused there */
  canon = g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%" G_GINT64_FORMAT "\n%s\n%s\n", MAC_CONTEXT,
                           gc_control_verb_to_string (req->verb),
                           req->url != NULL ? req->url : "",
                           req->source_name != NULL ? req->source_name : "",
                           req->source_id != NULL ? req->source_id : "", req->timestamp_us,
                           req->nonce != NULL ? req->nonce : "", address);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_len);
  g_hmac_update (hmac, (const guchar *) canon, -1);
  /* the verbs that carry more sign it too, on a line of its own */
  if (req->verb == GC_CONTROL_VERB_IDENTIFY)
    {
      g_autofree gchar *more = g_strdup_printf ("%u\n", req->seconds);

      g_hmac_update (hmac, (const guchar *) more, -1);
    }
  if (req->verb == GC_CONTROL_VERB_RENAME)
    {
      g_autofree gchar *more = g_strdup_printf ("%s\n", req->new_name != NULL ? req->new_name : "");

      g_hmac_update (hmac, (const guchar *) more, -1);
    }
  if (req->verb == GC_CONTROL_VERB_MUTE)
    g_hmac_update (hmac, (const guchar *) (req->muted ? "yes\n" : "no\n"), -1);
  /* the group a switch names: the receiver refuses a SETUP answer with
   * another one, so a host that answers for the source's URL cannot send
   * it elsewhere */
  if (req->verb == GC_CONTROL_VERB_SWITCH)
    {
      g_autofree gchar *more = g_strdup_printf ("%s\n", req->group != NULL ? req->group : "");

      g_hmac_update (hmac, (const guchar *) more, -1);
    }
  return g_strdup (g_hmac_get_string (hmac));
}

static gboolean
mac_equal (const gchar *a, const gchar *b)
{
  guint diff = 0;

  if (strlen (a) != MAC_HEX_LEN || strlen (b) != MAC_HEX_LEN)
    return FALSE;
  /* constant time, so the time to refuse says nothing about the MAC */
  for (gsize i = 0; i < MAC_HEX_LEN; i++)
    diff |= (guchar) g_ascii_tolower (a[i]) ^ (guchar) g_ascii_tolower (b[i]);
  return diff == 0;
}

static gboolean
check_skew (gint64 timestamp, gint64 now_us, GError **error)
{
  /* in floating point: @now_us comes from the caller, and a difference of
   * two arbitrary 64-bit values may overflow */
  gdouble skew = ((gdouble) timestamp - (gdouble) now_us) / G_USEC_PER_SEC;
  gdouble max = GC_CONTROL_MAX_SKEW_US / G_USEC_PER_SEC;

  if (skew <= max && skew >= -max)
    return TRUE;
  g_set_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
               "request timestamp is %.1f s %s this receiver's clock (at most %d s allowed): "
               "stale, replayed, or clocks out of step",
               skew < 0 ? -skew : skew, skew < 0 ? "behind" : "ahead of", (gint) max);
  return FALSE;
}

/* with @key, @req must carry a valid @mac over its fields and
 * @local_address (the "address:port" it was received on), a timestamp
 * within 30 s of @now_us, and a nonce not seen in @cache (nullable; the
 * nonce goes in it). failures are GC_ERROR_NOT_AUTHORIZED. without a key
 * nothing is verified: the caller decides what unsigned requests may do. */
gboolean
gc_control_auth_check (GBytes *key, GcReplayCache *cache, gint64 now_us,
                       const gchar *local_address, const GcControlRequest *req,
                       const gchar *mac, GError **error)
{
  g_autofree gchar *expected = NULL;

  g_return_val_if_fail (req != NULL, FALSE);
  g_return_val_if_fail (key == NULL || local_address != NULL, FALSE);

  if (key == NULL)
    return TRUE;
  if (mac == NULL)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                           "request is not signed: the sender has no site key, and this "
                           "receiver has one (no groupcast_mac)");
      return FALSE;
    }
  if (req->timestamp_us == 0 || req->nonce == NULL)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                           "signed request without timestamp or nonce");
      return FALSE;
    }
  expected = gc_control_auth_sign (key, req, local_address);
  if (!mac_equal (mac, expected))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                   "wrong MAC: signed with another key, altered, or meant for a receiver "
                   "other than %s", local_address);
      return FALSE;
    }
  if (!check_skew (req->timestamp_us, now_us, error))
    return FALSE;
  return cache == NULL || gc_replay_cache_add (cache, req->nonce, now_us, error);
}

/* the request as bytes for the receiver at @remote_address, signed with
 * @key when it is set (then @req needs a timestamp and a nonce: see
 * gc_control_request_stamp()) */
GBytes *
gc_control_request_build (const GcControlRequest *req, GBytes *key, const gchar *remote_address,
                          GError **error)
{
  g_autofree gchar *mac = NULL;

  g_return_val_if_fail (req != NULL && remote_address != NULL, NULL);

  if (key != NULL && (req->nonce == NULL || req->timestamp_us <= 0))
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "a signed request needs a timestamp and a nonce");
      return NULL;
    }
  /* an unknown verb is refused by serialize, before any MAC is looked at */
  if (key != NULL && gc_control_verb_to_string (req->verb) != NULL)
    mac = gc_control_auth_sign (key, req, remote_address);
  return gc_control_request_serialize (req, mac, remote_address, error);
}

/* decodes and checks a request from @msg (see gc_control_auth_check) */
gboolean
gc_control_request_check_message (GstRTSPMessage *msg, GBytes *key, GcReplayCache *cache,
                                  gint64 now_us, const gchar *local_address,
                                  GcControlRequest *out, GError **error)
{
  g_autofree gchar *mac = NULL;

  g_return_val_if_fail (msg != NULL && out != NULL, FALSE);

  if (!gc_control_request_from_message (msg, out, &mac, error))
    return FALSE;
  if (!gc_control_auth_check (key, cache, now_us, local_address, out, mac, error))
    {
      gc_control_request_clear (out);
      return FALSE;
    }
  return TRUE;
}

/* decodes and checks the one request @data holds */
gboolean
gc_control_request_parse (const guint8 *data, gsize len, GBytes *key, GcReplayCache *cache,
                          gint64 now_us, const gchar *local_address, GcControlRequest *out,
                          GError **error)
{
  g_autoptr (GstRTSPMessage) msg = NULL;

  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  msg = gc_control_message_read_complete (data, len, error);
  return msg != NULL
         && gc_control_request_check_message (msg, key, cache, now_us, local_address, out, error);
}
