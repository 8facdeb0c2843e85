/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-srtp-media.h"
#include "gc-srtp.h"

/* members' report SSRCs tried at once before they decrypt */
#define MAX_PENDING_MEMBERS 64
/* the media's streams: picture and sound */
#define MAX_SESSIONS 2

struct _GcSrtpMedia
{
  GstRTSPMedia parent_instance;

  GBytes *master;         /* NULL: plain RTP */
  gchar *sdp_value;
  GMutex lock;
  GstElement *encoder;    /* one srtpenc for the session's RTP and RTCP */
  GstElement *decoder[MAX_SESSIONS]; /* a srtpdec for each stream's members' RTCP */
  GcSrtpGuard *guard[MAX_SESSIONS];
  guint fec_pt;           /* the picture's FEC packets (ULPFEC); 0: none */
  guint fec_percentage;
};

G_DEFINE_FINAL_TYPE (GcSrtpMedia, gc_srtp_media, GST_TYPE_RTSP_MEDIA)

/* a fresh epoch, and the key of this stream start from it; the SDP will
 * name both. call before the media is prepared. */
gboolean
gc_srtp_media_set_key (GcSrtpMedia *self, GBytes *site_key, const gchar *source_id,
                       GError **error)
{
  guint64 epoch;

  g_return_val_if_fail (GC_IS_SRTP_MEDIA (self), FALSE);
  g_return_val_if_fail (site_key != NULL && source_id != NULL, FALSE);

  epoch = gc_srtp_new_epoch ();
  g_clear_pointer (&self->master, g_bytes_unref);
  self->master = gc_srtp_derive (site_key, source_id, epoch, error);
  if (self->master == NULL)
    return FALSE;
  g_free (self->sdp_value);
  self->sdp_value = gc_srtp_sdp_value (source_id, epoch);
  g_info ("media encrypted (SRTP " GC_SRTP_PROFILE ", key epoch %016" G_GINT64_MODIFIER "x)",
          epoch);
  return TRUE;
}

gboolean
gc_srtp_media_encrypted (GcSrtpMedia *self)
{
  g_return_val_if_fail (GC_IS_SRTP_MEDIA (self), FALSE);
  return self->master != NULL;
}

/* members' RTCP packets refused (another key, forged) */
guint64
gc_srtp_media_rejected (GcSrtpMedia *self)
{
  guint64 n;

  g_return_val_if_fail (GC_IS_SRTP_MEDIA (self), 0);
  g_mutex_lock (&self->lock);
  n = 0;
  for (guint i = 0; i < MAX_SESSIONS; i++)
    n += self->guard[i] != NULL ? gc_srtp_guard_rejected (self->guard[i]) : 0;
  g_mutex_unlock (&self->lock);
  return n;
}

/* the picture (session 0) gets ULPFEC packets (RFC 5109) of payload type
 * @pt, @percentage of its packets' count; 0 for none. call before the
 * media is prepared. */
void
gc_srtp_media_set_fec (GcSrtpMedia *self, guint pt, guint percentage)
{
  g_return_if_fail (GC_IS_SRTP_MEDIA (self));
  g_return_if_fail (percentage <= 100 && pt < 128);
  self->fec_pt = percentage > 0 ? pt : 0;
  self->fec_percentage = percentage;
}

/* ---- rtpbin (its threads) ------------------------------------------------- */

/* rtpbin puts it before the session: the FEC packets take their place in
 * the stream's sequence numbers and are encrypted like the rest.
 * gst-rtsp-server 1.22 connects no handler of its own (and asking it for
 * its stream here would wait on the media's lock, held while streams join) */
static GstElement *
on_request_fec_encoder (GstElement *rtpbin, guint session, GcSrtpMedia *self)
{
  GstElement *enc;

  if (session != 0 || self->fec_percentage == 0)
    return NULL;
  enc = gst_element_factory_make ("rtpulpfecenc", NULL);
  if (enc == NULL)
    {
      g_warning ("no rtpulpfecenc (gst-plugins-good): the picture goes without FEC");
      return NULL;
    }
  /* a frame's packets (up to its marker) are protected together; a key
   * frame's (flagged non-droppable by the source) twice as much: it is
   * the largest, and what every frame after it refers to */
  g_object_set (enc, "pt", self->fec_pt, "percentage", self->fec_percentage,
                "percentage-important", MIN (self->fec_percentage * 2, 100u), "multipacket", TRUE,
                NULL);
  return enc;
}

static GstElement *
request_encoder (GcSrtpMedia *self, guint session, gboolean rtcp)
{
  GstElement *enc;

  g_mutex_lock (&self->lock);
  if (self->encoder == NULL)
    self->encoder = gst_object_ref_sink (gc_srtp_new_encoder (self->master));
  enc = gc_srtp_encoder_for (self->encoder, session, rtcp);
  g_mutex_unlock (&self->lock);
  return enc;
}

static GstElement *
on_request_rtp_encoder (GstElement *rtpbin, guint session, GcSrtpMedia *self)
{
  return request_encoder (self, session, FALSE);
}

static GstElement *
on_request_rtcp_encoder (GstElement *rtpbin, guint session, GcSrtpMedia *self)
{
  return request_encoder (self, session, TRUE);
}

static GstElement *
on_request_rtcp_decoder (GstElement *rtpbin, guint session, GcSrtpMedia *self)
{
  GstElement *dec;

  /* a srtpdec serves one session: each stream has its own */
  if (session >= MAX_SESSIONS)
    return NULL;
  g_mutex_lock (&self->lock);
  if (self->decoder[session] == NULL)
    {
      self->guard[session] = gc_srtp_guard_new (FALSE, MAX_PENDING_MEMBERS);
      self->decoder[session] = gst_object_ref_sink (gc_srtp_new_decoder (self->master,
                                                                         self->guard[session]));
    }
  dec = gst_object_ref (self->decoder[session]);
  g_mutex_unlock (&self->lock);
  return dec;
}

static gboolean
gc_srtp_media_setup_rtpbin (GstRTSPMedia *media, GstElement *rtpbin)
{
  GcSrtpMedia *self = GC_SRTP_MEDIA (media);
  GstRTSPMediaClass *parent = GST_RTSP_MEDIA_CLASS (gc_srtp_media_parent_class);

  if (parent->setup_rtpbin != NULL && !parent->setup_rtpbin (media, rtpbin))
    return FALSE;
  /* the NTP-64 extension carries the capture stamps the payloaders wrote:
   * by default each RTP session rewrites it with its own NTP time of the
   * packet's send (zeros in the first packets, seen on the wire), which
   * hides the encoder's delay from every receiver's latency and lip sync */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (rtpbin), "update-ntp64-header-ext"))
    g_object_set (rtpbin, "update-ntp64-header-ext", FALSE, NULL);
  g_signal_connect_object (rtpbin, "request-fec-encoder", G_CALLBACK (on_request_fec_encoder),
                           self, 0);
  if (self->master == NULL)
    return TRUE;
  /* RTP profile AVP: gst-rtsp-server connects none of these itself */
  g_signal_connect_object (rtpbin, "request-rtp-encoder", G_CALLBACK (on_request_rtp_encoder),
                           self, 0);
  g_signal_connect_object (rtpbin, "request-rtcp-encoder", G_CALLBACK (on_request_rtcp_encoder),
                           self, 0);
  g_signal_connect_object (rtpbin, "request-rtcp-decoder", G_CALLBACK (on_request_rtcp_decoder),
                           self, 0);
  return TRUE;
}

/* the picture's m= section names its FEC packets in an attribute of
 * Groupcast's own, "a=x-groupcast-fec:122 ulpfec/90000", not in its
 * format list: a receiver that knows the payload type from the SDP but no
 * FEC (a plain GStreamer rtspsrc) would get a pad for it that nothing
 * takes, and its jitter buffer stops at the first FEC packet; one that
 * does not know it drops those packets and plays the picture. (gst-rtsp-
 * server 1.22 writes none for its streams either.) */
static void
announce_fec (GcSrtpMedia *self, GstSDPMessage *sdp)
{
  g_autofree gchar *value = g_strdup_printf ("%u ulpfec/90000", self->fec_pt);

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      GstSDPMedia *m = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);

      if (g_strcmp0 (gst_sdp_media_get_media (m), "video") != 0)
        continue;
      gst_sdp_media_add_attribute (m, GC_FEC_SDP_ATTRIBUTE, value);
      return;
    }
}

static gboolean
gc_srtp_media_setup_sdp (GstRTSPMedia *media, GstSDPMessage *sdp, GstSDPInfo *info)
{
  GcSrtpMedia *self = GC_SRTP_MEDIA (media);

  if (!GST_RTSP_MEDIA_CLASS (gc_srtp_media_parent_class)->setup_sdp (media, sdp, info))
    return FALSE;
  if (self->fec_percentage > 0)
    announce_fec (self, sdp);
  if (self->sdp_value == NULL)
    return TRUE;
  /* the key stays off the wire: no key-mgmt of gst-rtsp-server's own */
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    if (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (sdp, i), "key-mgmt") != NULL)
      {
        g_critical ("the SDP would carry a media key: not sent");
        return FALSE;
      }
  gst_sdp_message_add_attribute (sdp, GC_SRTP_SDP_ATTRIBUTE, self->sdp_value);
  return TRUE;
}

static void
gc_srtp_media_finalize (GObject *object)
{
  GcSrtpMedia *self = GC_SRTP_MEDIA (object);

  gst_clear_object (&self->encoder);
  for (guint i = 0; i < MAX_SESSIONS; i++)
    {
      gst_clear_object (&self->decoder[i]);
      g_clear_pointer (&self->guard[i], gc_srtp_guard_unref);
    }
  g_clear_pointer (&self->master, g_bytes_unref);
  g_free (self->sdp_value);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gc_srtp_media_parent_class)->finalize (object);
}

static void
gc_srtp_media_class_init (GcSrtpMediaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstRTSPMediaClass *media_class = GST_RTSP_MEDIA_CLASS (klass);

  object_class->finalize = gc_srtp_media_finalize;
  media_class->setup_rtpbin = gc_srtp_media_setup_rtpbin;
  media_class->setup_sdp = gc_srtp_media_setup_sdp;
}

static void
gc_srtp_media_init (GcSrtpMedia *self)
{
  g_mutex_init (&self->lock);
}
