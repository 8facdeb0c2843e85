/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-srtp.h"
#include "gc-srtp.h"

/* SSRCs tried at once before the source's decrypts */
#define MAX_PENDING 8
/* the streams: picture and sound */
#define MAX_SESSIONS 2

struct _GcReceiverSrtp
{
  GObject parent_instance;

  GBytes *site_key;       /* NULL: this receiver has none */
  gboolean plain_too;     /* with a key, plain streams are taken too */
  GMutex lock;
  GBytes *master;         /* the stream's key; NULL: plain RTP */
  gchar *refusal;         /* why the SDP was refused, or NULL */
  GstElement *decoder[MAX_SESSIONS]; /* a srtpdec for each session's RTP and RTCP */
  GstElement *encoder;    /* one srtpenc for the receiver's reports */
  GcSrtpGuard *guard[MAX_SESSIONS]; /* each session's one sender */
};

G_DEFINE_FINAL_TYPE (GcReceiverSrtp, gc_receiver_srtp, G_TYPE_OBJECT)

GcReceiverSrtp *
gc_receiver_srtp_new (GBytes *site_key, gboolean plain_too)
{
  GcReceiverSrtp *self = g_object_new (GC_TYPE_RECEIVER_SRTP, NULL);

  self->site_key = site_key != NULL ? g_bytes_ref (site_key) : NULL;
  self->plain_too = plain_too;
  return self;
}

static void
refuse (GcReceiverSrtp *self, gchar *why)
{
  g_message ("%s", why);
  g_free (self->refusal);
  self->refusal = why;
}

/* the SDP says whether the stream is encrypted, and with which key. FALSE
 * when the stream is refused (gc_receiver_srtp_dup_refusal says why):
 * encrypted without a site key here, in clear with one, or named in a
 * form not known. @where is "host:port" of the source, for the words. */
gboolean
gc_receiver_srtp_read_sdp (GcReceiverSrtp *self, const GstSDPMessage *sdp, const gchar *where)
{
  const gchar *value = sdp != NULL ? gst_sdp_message_get_attribute_val (sdp, GC_SRTP_SDP_ATTRIBUTE)
                                   : NULL;
  g_autofree gchar *id = NULL;
  g_autoptr (GError) error = NULL;
  guint64 epoch = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (GC_IS_RECEIVER_SRTP (self), FALSE);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->master, g_bytes_unref);
  if (value == NULL && (self->site_key == NULL || self->plain_too))
    ok = TRUE;
  else if (value == NULL)
    refuse (self, g_strdup_printf ("%s sends its picture unencrypted; this receiver has the "
                                   "site key and shows only encrypted streams: refused", where));
  else if (self->site_key == NULL)
    refuse (self, g_strdup_printf ("%s encrypts its picture with a site key this receiver does "
                                   "not have: give it the site key (key-file)", where));
  else if (!gc_srtp_sdp_parse (value, &id, &epoch, &error))
    refuse (self, g_strdup_printf ("%s: %s", where, error->message));
  else if ((self->master = gc_srtp_derive (self->site_key, id, epoch, &error)) == NULL)
    refuse (self, g_strdup_printf ("%s: %s", where, error->message));
  else
    {
      g_info ("%s: encrypted stream (key epoch %016" G_GINT64_MODIFIER "x)", where, epoch);
      ok = TRUE;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/* ---- rtpbin (rtspsrc's threads) ------------------------------------------ */

static GstElement *
on_request_decoder (GstElement *rtpbin, guint session, GcReceiverSrtp *self)
{
  GstElement *dec = NULL;

  if (session >= MAX_SESSIONS)
    return NULL;
  g_mutex_lock (&self->lock);
  if (self->master != NULL && self->decoder[session] == NULL)
    {
      self->guard[session] = gc_srtp_guard_new (TRUE, MAX_PENDING);
      self->decoder[session] = gst_object_ref_sink (gc_srtp_new_decoder (self->master,
                                                                         self->guard[session]));
    }
  if (self->decoder[session] != NULL)
    dec = gst_object_ref (self->decoder[session]);
  g_mutex_unlock (&self->lock);
  return dec;
}

static GstElement *
on_request_encoder (GstElement *rtpbin, guint session, GcReceiverSrtp *self)
{
  GstElement *enc = NULL;

  g_mutex_lock (&self->lock);
  if (self->master != NULL && self->encoder == NULL)
    self->encoder = gst_object_ref_sink (gc_srtp_new_encoder (self->master));
  if (self->encoder != NULL)
    enc = gc_srtp_encoder_for (self->encoder, session, TRUE);
  g_mutex_unlock (&self->lock);
  return enc;
}

/* rtspsrc's rtpbin: the decoder before its session, the encoder after its
 * reports; with plain RTP both answers are none */
/* over TCP the packets come from rtspsrc's own pads, with the plain
 * caps of the SDP's RTP/AVP: an encrypted stream's are said to be SRTP and
 * SRTCP on their way into rtpbin (over UDP the sockets' caps say it) */
static GstPadProbeReturn
rename_caps_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps = NULL;
  g_autoptr (GstCaps) renamed = NULL;
  const gchar *name;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return GST_PAD_PROBE_OK;
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (!g_str_equal (name, "application/x-rtp") && !g_str_equal (name, "application/x-rtcp"))
    return GST_PAD_PROBE_OK;
  renamed = gst_caps_copy (caps);
  gst_structure_set_name (gst_caps_get_structure (renamed, 0),
                          g_str_equal (name, "application/x-rtp") ? "application/x-srtp"
                                                                  : "application/x-srtcp");
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (renamed);
  gst_event_unref (event);
  return GST_PAD_PROBE_OK;
}

static void
on_manager_pad (GstElement *rtpbin, GstPad *pad, GcReceiverSrtp *self)
{
  const gchar *name = GST_PAD_NAME (pad);
  gboolean encrypted;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SINK
      || (!g_str_has_prefix (name, "recv_rtp_sink_") && !g_str_has_prefix (name, "recv_rtcp_sink_")))
    return;
  g_mutex_lock (&self->lock);
  encrypted = self->master != NULL;
  g_mutex_unlock (&self->lock);
  if (encrypted)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, rename_caps_event, NULL, NULL);
}

void
gc_receiver_srtp_hook_manager (GcReceiverSrtp *self, GstElement *rtpbin)
{
  g_return_if_fail (GC_IS_RECEIVER_SRTP (self));

  if (g_signal_lookup ("request-rtp-decoder", G_OBJECT_TYPE (rtpbin)) == 0)
    return;
  g_signal_connect_object (rtpbin, "pad-added", G_CALLBACK (on_manager_pad), self, 0);
  g_signal_connect_object (rtpbin, "request-rtp-decoder", G_CALLBACK (on_request_decoder), self,
                           0);
  g_signal_connect_object (rtpbin, "request-rtcp-decoder", G_CALLBACK (on_request_decoder), self,
                           0);
  g_signal_connect_object (rtpbin, "request-rtcp-encoder", G_CALLBACK (on_request_encoder), self,
                           0);
}

/* rtspsrc's UDP sources carry SRTP and SRTCP when the stream is encrypted */
void
gc_receiver_srtp_hook_udpsrc (GcReceiverSrtp *self, GstElement *udpsrc)
{
  gboolean encrypted;

  g_return_if_fail (GC_IS_RECEIVER_SRTP (self));
  g_mutex_lock (&self->lock);
  encrypted = self->master != NULL;
  g_mutex_unlock (&self->lock);
  if (encrypted)
    gc_srtp_mark_udpsrc (udpsrc);
}

gchar *
gc_receiver_srtp_dup_refusal (GcReceiverSrtp *self)
{
  gchar *s;

  g_return_val_if_fail (GC_IS_RECEIVER_SRTP (self), NULL);
  g_mutex_lock (&self->lock);
  s = g_strdup (self->refusal);
  g_mutex_unlock (&self->lock);
  return s;
}

gboolean
gc_receiver_srtp_encrypted (GcReceiverSrtp *self)
{
  gboolean e;

  g_return_val_if_fail (GC_IS_RECEIVER_SRTP (self), FALSE);
  g_mutex_lock (&self->lock);
  e = self->master != NULL;
  g_mutex_unlock (&self->lock);
  return e;
}

/* RTP packets refused: another key or none, forged, replayed */
guint64
gc_receiver_srtp_rejected (GcReceiverSrtp *self)
{
  guint64 n;

  g_return_val_if_fail (GC_IS_RECEIVER_SRTP (self), 0);
  g_mutex_lock (&self->lock);
  n = 0;
  for (guint i = 0; i < MAX_SESSIONS; i++)
    n += self->guard[i] != NULL ? gc_srtp_guard_rejected (self->guard[i]) : 0;
  g_mutex_unlock (&self->lock);
  return n;
}

static void
gc_receiver_srtp_finalize (GObject *object)
{
  GcReceiverSrtp *self = GC_RECEIVER_SRTP (object);

  for (guint i = 0; i < MAX_SESSIONS; i++)
    {
      gst_clear_object (&self->decoder[i]);
      g_clear_pointer (&self->guard[i], gc_srtp_guard_unref);
    }
  gst_clear_object (&self->encoder);
  g_clear_pointer (&self->master, g_bytes_unref);
  g_clear_pointer (&self->site_key, g_bytes_unref);
  g_free (self->refusal);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gc_receiver_srtp_parent_class)->finalize (object);
}

static void
gc_receiver_srtp_class_init (GcReceiverSrtpClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gc_receiver_srtp_finalize;
}

static void
gc_receiver_srtp_init (GcReceiverSrtp *self)
{
  g_mutex_init (&self->lock);
}
