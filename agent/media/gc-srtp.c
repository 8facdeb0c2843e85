/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSrtp"

#include "config.h"

#include "gc-srtp.h"
#include "gc-error.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

/* the HKDF salt, and the first line of its info: a key for this use only */
#define KDF_CONTEXT "groupcast-srtp-1"
#define MAX_ID_LEN  64
/* a source's members that decrypted; more are not remembered */
#define MAX_CONFIRMED 4096

/* ---- key ------------------------------------------------------------------ */

/* the stream's master key and salt: HKDF-SHA256 (RFC 5869) with the site
 * key as input, over the source's id and the stream's epoch */
GBytes *
gc_srtp_derive (GBytes *site_key, const gchar *source_id, guint64 epoch, GError **error)
{
  g_autofree gchar *info = NULL;
  gsize key_len = 0;
  const guint8 *key_data;
  guint8 prk[32];
  guint8 out[GC_SRTP_MASTER_LEN];
  gnutls_datum_t ikm, salt = { (guchar *) KDF_CONTEXT, strlen (KDF_CONTEXT) }, prk_d, info_d;
  int rc;

  g_return_val_if_fail (site_key != NULL && source_id != NULL, NULL);

  key_data = g_bytes_get_data (site_key, &key_len);
  ikm = (gnutls_datum_t) { (guchar *) key_data, (guint) key_len };
  info = g_strdup_printf (KDF_CONTEXT "\n" GC_SRTP_PROFILE "\n%s\n%016" G_GINT64_MODIFIER "x",
                          source_id, epoch);
  prk_d = (gnutls_datum_t) { prk, sizeof prk };
  info_d = (gnutls_datum_t) { (guchar *) info, (guint) strlen (info) };
  rc = gnutls_hkdf_extract (GNUTLS_MAC_SHA256, &ikm, &salt, prk);
  if (rc >= 0)
    rc = gnutls_hkdf_expand (GNUTLS_MAC_SHA256, &prk_d, &info_d, out, sizeof out);
  gnutls_memset (prk, 0, sizeof prk);
  if (rc < 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot derive the media key: %s",
                   gnutls_strerror (rc));
      return NULL;
    }
  {
    GBytes *b = g_bytes_new (out, sizeof out);

    gnutls_memset (out, 0, sizeof out);
    return b;
  }
}

/* a fresh epoch for a stream start: with the same key, a restarted
 * stream's sequence numbers would otherwise reuse the key stream */
guint64
gc_srtp_new_epoch (void)
{
  guint64 epoch = 0;

  if (gnutls_rnd (GNUTLS_RND_NONCE, &epoch, sizeof epoch) < 0)
    g_error ("no random numbers for the media key epoch");
  return epoch;
}

/* ---- the SDP attribute ---------------------------------------------------- */

static gboolean
id_is_valid (const gchar *id, gsize len)
{
  if (len == 0 || len > MAX_ID_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-')
      return FALSE;
  return TRUE;
}

gchar *
gc_srtp_sdp_value (const gchar *source_id, guint64 epoch)
{
  g_return_val_if_fail (source_id != NULL, NULL);
  return g_strdup_printf (GC_SRTP_PROFILE " source=%s epoch=%016" G_GINT64_MODIFIER "x",
                          source_id, epoch);
}

/* "PROFILE source=ID epoch=HEX": the profile must be ours, the id an
 * agent id, the epoch 1 to 16 hex digits */
gboolean
gc_srtp_sdp_parse (const gchar *value, gchar **source_id, guint64 *epoch, GError **error)
{
  g_auto (GStrv) words = NULL;
  const gchar *id = NULL, *ep = NULL;
  guint64 e = 0;

  g_return_val_if_fail (source_id != NULL && epoch != NULL, FALSE);

  *source_id = NULL;
  if (value == NULL || strlen (value) > 256)
    goto bad;
  words = g_strsplit (value, " ", 4);
  if (g_strv_length (words) != 3 || !g_str_equal (words[0], GC_SRTP_PROFILE))
    goto bad;
  for (guint i = 1; i < 3; i++)
    {
      if (g_str_has_prefix (words[i], "source="))
        id = words[i] + strlen ("source=");
      else if (g_str_has_prefix (words[i], "epoch="))
        ep = words[i] + strlen ("epoch=");
    }
  if (id == NULL || !id_is_valid (id, strlen (id)) || ep == NULL || *ep == '\0'
      || strlen (ep) > 16 || !g_ascii_string_to_unsigned (ep, 16, 0, G_MAXUINT64, &e, NULL))
    goto bad;
  *source_id = g_strdup (id);
  *epoch = e;
  return TRUE;

bad:
  g_set_error (error, GC_ERROR, GC_ERROR_STREAM,
               "the source's SDP names its media key in a form this receiver does not know");
  return FALSE;
}

/* ---- elements ------------------------------------------------------------- */

static GstBuffer *
key_buffer (GBytes *master)
{
  return gst_buffer_new_wrapped_bytes (master);
}

GstElement *
gc_srtp_new_encoder (GBytes *master)
{
  GstElement *enc = gst_element_factory_make ("srtpenc", NULL);
  g_autoptr (GstBuffer) key = NULL;

  g_return_val_if_fail (master != NULL && g_bytes_get_size (master) == GC_SRTP_MASTER_LEN, NULL);
  if (enc == NULL)
    return NULL;
  key = key_buffer (master);
  gst_util_set_object_arg (G_OBJECT (enc), "rtp-cipher", "aes-128-icm");
  gst_util_set_object_arg (G_OBJECT (enc), "rtp-auth", "hmac-sha1-80");
  gst_util_set_object_arg (G_OBJECT (enc), "rtcp-cipher", "aes-128-icm");
  gst_util_set_object_arg (G_OBJECT (enc), "rtcp-auth", "hmac-sha1-80");
  g_object_set (enc, "key", key, NULL);
  return enc;
}

/* srtpenc puts the key in its output caps (srtp-key and the ciphers).
 * downstream of it they would reach the stream's caps, and from there
 * gst-rtsp-server would write the key into the SDP (MIKEY, in clear):
 * the caps leave without them */
static GstPadProbeReturn
strip_key_caps (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps = NULL;
  GstCaps *bare;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  bare = gst_caps_copy (caps);
  for (guint i = 0; i < gst_caps_get_size (bare); i++)
    gst_structure_remove_fields (gst_caps_get_structure (bare, i), "srtp-key", "srtp-cipher",
                                 "srtp-auth", "srtcp-cipher", "srtcp-auth", "mki", NULL);
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (bare);
  gst_event_unref (event);
  gst_caps_unref (bare);
  return GST_PAD_PROBE_OK;
}

/* @encoder for rtpbin's request-rtp(c)-encoder of @session: rtpbin looks
 * for its source pad first, which srtpenc makes with the sink pad, so that
 * one is asked for here; its output caps never carry the key. a new
 * reference. */
GstElement *
gc_srtp_encoder_for (GstElement *encoder, guint session, gboolean rtcp)
{
  g_autofree gchar *name = g_strdup_printf (rtcp ? "rtcp_sink_%u" : "rtp_sink_%u", session);
  g_autofree gchar *src_name = g_strdup_printf (rtcp ? "rtcp_src_%u" : "rtp_src_%u", session);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (encoder, name);
  g_autoptr (GstPad) src = NULL;

  if (pad == NULL)
    {
      pad = gst_element_request_pad_simple (encoder, name);
      src = gst_element_get_static_pad (encoder, src_name);
      if (src != NULL)
        gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, strip_key_caps, NULL, NULL);
    }
  return gst_object_ref (encoder);
}

/* ---- the guard ------------------------------------------------------------- */

struct _GcSrtpGuard
{
  gatomicrefcount ref;
  GMutex lock;
  gboolean one_sender;
  guint max_pending;
  GArray *pending;        /* guint32 SSRCs tried, not yet decrypted, oldest first */
  gboolean have_sender;   /* one_sender: the SSRC below decrypted */
  guint32 sender;
  GHashTable *confirmed;  /* !one_sender: SSRCs that decrypted */
  guint64 rtp_in, rtp_out, rtp_dropped;
};

GcSrtpGuard *
gc_srtp_guard_new (gboolean one_sender, guint max_pending)
{
  GcSrtpGuard *g = g_new0 (GcSrtpGuard, 1);

  g_atomic_ref_count_init (&g->ref);
  g_mutex_init (&g->lock);
  g->one_sender = one_sender;
  g->max_pending = MAX (max_pending, 1);
  g->pending = g_array_new (FALSE, FALSE, sizeof (guint32));
  g->confirmed = g_hash_table_new (NULL, NULL);
  return g;
}

GcSrtpGuard *
gc_srtp_guard_ref (GcSrtpGuard *guard)
{
  g_atomic_ref_count_inc (&guard->ref);
  return guard;
}

void
gc_srtp_guard_unref (GcSrtpGuard *guard)
{
  if (guard == NULL || !g_atomic_ref_count_dec (&guard->ref))
    return;
  g_array_unref (guard->pending);
  g_hash_table_unref (guard->confirmed);
  g_mutex_clear (&guard->lock);
  g_free (guard);
}

/* the SSRC in the clear part of an SRTP or SRTCP packet */
static gboolean
read_ssrc (const guint8 *data, gsize len, gboolean rtcp, guint32 *ssrc)
{
  gsize at = rtcp ? 4 : 8;

  if (data == NULL || len < at + 4 || (data[0] >> 6) != 2)
    return FALSE;
  *ssrc = ((guint32) data[at] << 24) | ((guint32) data[at + 1] << 16)
          | ((guint32) data[at + 2] << 8) | data[at + 3];
  return TRUE;
}

static gboolean
is_pending (GcSrtpGuard *g, guint32 ssrc)
{
  for (guint i = 0; i < g->pending->len; i++)
    if (g_array_index (g->pending, guint32, i) == ssrc)
      return TRUE;
  return FALSE;
}

static GcSrtpVerdict
try_new (GcSrtpGuard *g, guint32 ssrc, guint32 *evict)
{
  GcSrtpVerdict v = GC_SRTP_PASS;

  if (is_pending (g, ssrc))
    return GC_SRTP_PASS;
  if (g->pending->len >= g->max_pending)
    {
      *evict = g_array_index (g->pending, guint32, 0);
      g_array_remove_index (g->pending, 0);
      v = GC_SRTP_PASS_EVICT;
    }
  g_array_append_val (g->pending, ssrc);
  return v;
}

/* whether a packet may reach the decoder. a receiver's RTP: once one SSRC
 * decrypted, only it (others are rejected); before, up to max_pending
 * SSRCs are tried. its RTCP: only the sender's (other receivers' reports
 * need not be read). a source's RTCP: the SSRCs that decrypted, and up to
 * max_pending new ones. */
GcSrtpVerdict
gc_srtp_guard_check (GcSrtpGuard *g, const guint8 *data, gsize len, gboolean rtcp,
                     guint32 *evict)
{
  guint32 ssrc = 0;
  GcSrtpVerdict v;

  g_return_val_if_fail (g != NULL && evict != NULL, GC_SRTP_DROP);

  g_mutex_lock (&g->lock);
  if (!read_ssrc (data, len, rtcp, &ssrc))
    v = GC_SRTP_DROP;
  else if (g->one_sender && rtcp)
    v = g->have_sender && ssrc == g->sender ? GC_SRTP_PASS : GC_SRTP_DROP;
  else if (g->one_sender && g->have_sender)
    v = ssrc == g->sender ? GC_SRTP_PASS : GC_SRTP_DROP;
  else if (!g->one_sender && g_hash_table_contains (g->confirmed, GUINT_TO_POINTER (ssrc)))
    v = GC_SRTP_PASS;
  else
    v = try_new (g, ssrc, evict);
  if (!rtcp)
    {
      if (v == GC_SRTP_DROP)
        g->rtp_dropped++;
      else
        g->rtp_in++;
    }
  g_mutex_unlock (&g->lock);
  return v;
}

/* a packet came out of the decoder: its SSRC holds the key */
void
gc_srtp_guard_decrypted (GcSrtpGuard *g, const guint8 *data, gsize len, gboolean rtcp)
{
  guint32 ssrc = 0;

  g_return_if_fail (g != NULL);

  g_mutex_lock (&g->lock);
  if (!rtcp)
    g->rtp_out++;
  if (read_ssrc (data, len, rtcp, &ssrc))
    {
      for (guint i = 0; i < g->pending->len; i++)
        if (g_array_index (g->pending, guint32, i) == ssrc)
          {
            g_array_remove_index (g->pending, i);
            break;
          }
      if (g->one_sender && !rtcp && !g->have_sender)
        {
          g->have_sender = TRUE;
          g->sender = ssrc;
        }
      else if (!g->one_sender && g_hash_table_size (g->confirmed) < MAX_CONFIRMED)
        g_hash_table_add (g->confirmed, GUINT_TO_POINTER (ssrc));
    }
  g_mutex_unlock (&g->lock);
}

/* RTP packets dropped before the decoder, and those it refused (wrong
 * key, forged, replayed) */
guint64
gc_srtp_guard_rejected (GcSrtpGuard *g)
{
  guint64 n;

  g_return_val_if_fail (g != NULL, 0);
  g_mutex_lock (&g->lock);
  n = g->rtp_dropped + (g->rtp_in > g->rtp_out ? g->rtp_in - g->rtp_out : 0);
  g_mutex_unlock (&g->lock);
  return n;
}

guint
gc_srtp_guard_pending (GcSrtpGuard *g)
{
  guint n;

  g_return_val_if_fail (g != NULL, 0);
  g_mutex_lock (&g->lock);
  n = g->pending->len;
  g_mutex_unlock (&g->lock);
  return n;
}

/* ---- the decoder ------------------------------------------------------------- */

/* srtpdec reads application/x-srtp(c); the UDP sources say x-rtp(c) */
static void
rename_caps (GstPadProbeInfo *info, gboolean rtcp)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps = NULL;
  GstCaps *renamed;

  gst_event_parse_caps (event, &caps);
  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return;
  renamed = gst_caps_copy (caps);
  gst_structure_set_name (gst_caps_get_structure (renamed, 0),
                          rtcp ? "application/x-srtcp" : "application/x-srtp");
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (renamed);
  gst_event_unref (event);
  gst_caps_unref (renamed);
}

static gboolean
check_buffer (GcSrtpGuard *guard, GstElement *dec, GstBuffer *buf, gboolean rtcp)
{
  GstMapInfo map;
  guint32 evict = 0;
  GcSrtpVerdict v;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return FALSE;
  v = gc_srtp_guard_check (guard, map.data, map.size, rtcp, &evict);
  gst_buffer_unmap (buf, &map);
  /* on the streaming thread, before srtpdec takes its lock */
  if (v == GC_SRTP_PASS_EVICT)
    g_signal_emit_by_name (dec, "remove-key", evict);
  return v != GC_SRTP_DROP;
}

static gboolean
drop_refused (GstBuffer **buf, guint idx, gpointer data)
{
  gpointer *ctx = data;

  if (!check_buffer (ctx[0], ctx[1], *buf, GPOINTER_TO_INT (ctx[2])))
    gst_clear_buffer (buf);
  return TRUE;
}

static GstPadProbeReturn
guard_sink (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcSrtpGuard *guard = data;
  g_autoptr (GstElement) dec = GST_ELEMENT (gst_pad_get_parent (pad));
  gboolean rtcp = g_str_has_prefix (GST_PAD_NAME (pad), "rtcp");

  if (dec == NULL)
    return GST_PAD_PROBE_DROP;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    {
      if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_CAPS)
        rename_caps (info, rtcp);
      return GST_PAD_PROBE_OK;
    }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return check_buffer (guard, dec, GST_PAD_PROBE_INFO_BUFFER (info), rtcp) ? GST_PAD_PROBE_OK
                                                                              : GST_PAD_PROBE_DROP;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
      GstBufferList *list = gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
      gpointer ctx[3] = { guard, dec, GINT_TO_POINTER (rtcp) };

      gst_buffer_list_foreach (list, drop_refused, ctx);
      GST_PAD_PROBE_INFO_DATA (info) = list;
      return gst_buffer_list_length (list) > 0 ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
    }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
guard_src (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcSrtpGuard *guard = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gboolean rtcp = g_str_has_prefix (GST_PAD_NAME (pad), "rtcp");
  GstMapInfo map;

  if (gst_buffer_map (buf, &map, GST_MAP_READ))
    {
      gc_srtp_guard_decrypted (guard, map.data, map.size, rtcp);
      gst_buffer_unmap (buf, &map);
    }
  return GST_PAD_PROBE_OK;
}

static GstCaps *
on_request_key (GstElement *dec, guint ssrc, gpointer data)
{
  GstBuffer *key = data;

  /* the guard let this SSRC through: it gets the stream's key */
  return gst_caps_new_simple ("application/x-srtp", "srtp-key", GST_TYPE_BUFFER, key,
                              "srtp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtp-auth", G_TYPE_STRING, "hmac-sha1-80",
                              "srtcp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80", NULL);
}

static void
add_guard (GstElement *dec, const gchar *pad_name, GcSrtpGuard *guard, gboolean sink)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (dec, pad_name);

  if (sink)
    gst_pad_add_probe (pad,
                       GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST
                           | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                       guard_sink, gc_srtp_guard_ref (guard),
                       (GDestroyNotify) gc_srtp_guard_unref);
  else
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, guard_src, gc_srtp_guard_ref (guard),
                       (GDestroyNotify) gc_srtp_guard_unref);
}

/* a udpsrc's caps say application/x-rtp(c); behind it srtpdec reads only
 * application/x-srtp(c): the name is changed now and whenever the caps are
 * set again (rtspsrc sets them after adding it) */
static void
rename_udpsrc_caps (GObject *udpsrc, GParamSpec *pspec, gpointer data)
{
  g_autoptr (GstCaps) caps = NULL;
  GstStructure *s;
  const gchar *name;

  g_object_get (udpsrc, "caps", &caps, NULL);
  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return;
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (!g_str_equal (name, "application/x-rtp") && !g_str_equal (name, "application/x-rtcp"))
    return;
  caps = gst_caps_make_writable (caps);
  s = gst_caps_get_structure (caps, 0);
  gst_structure_set_name (s, g_str_equal (gst_structure_get_name (s), "application/x-rtp")
                                 ? "application/x-srtp" : "application/x-srtcp");
  g_object_set (udpsrc, "caps", caps, NULL);
}

void
gc_srtp_mark_udpsrc (GstElement *udpsrc)
{
  g_return_if_fail (GST_IS_ELEMENT (udpsrc));
  rename_udpsrc_caps (G_OBJECT (udpsrc), NULL, NULL);
  g_signal_connect (udpsrc, "notify::caps", G_CALLBACK (rename_udpsrc_caps), NULL);
}

/* an srtpdec with the stream's key, behind @guard: what the guard drops
 * never reaches it, and what comes out tells the guard which SSRCs hold
 * the key */
GstElement *
gc_srtp_new_decoder (GBytes *master, GcSrtpGuard *guard)
{
  GstElement *dec = gst_element_factory_make ("srtpdec", NULL);

  g_return_val_if_fail (master != NULL && g_bytes_get_size (master) == GC_SRTP_MASTER_LEN, NULL);
  g_return_val_if_fail (guard != NULL, NULL);
  if (dec == NULL)
    return NULL;
  g_signal_connect_data (dec, "request-key", G_CALLBACK (on_request_key),
                         key_buffer (master), (GClosureNotify) gst_buffer_unref, 0);
  add_guard (dec, "rtp_sink", guard, TRUE);
  add_guard (dec, "rtcp_sink", guard, TRUE);
  add_guard (dec, "rtp_src", guard, FALSE);
  add_guard (dec, "rtcp_src", guard, FALSE);
  return dec;
}
