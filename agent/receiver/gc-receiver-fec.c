/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-fec.h"

#include <stdlib.h>

/* how long the storage keeps packets for a rebuild: well past the jitter
 * buffer's wait for a missing one, and a frame's FEC packets come at the
 * frame's end */
#define STORAGE_NS (250 * GST_MSECOND)

struct _GcReceiverFec
{
  GMutex lock;
  guint fec_pt;           /* from the SDP; 0: none */
  guint media_pt;         /* the picture's payload type it protects */
  GPtrArray *decoders;    /* rtpulpfecdec, under lock */
};

GcReceiverFec *
gc_receiver_fec_new (void)
{
  GcReceiverFec *self = g_new0 (GcReceiverFec, 1);

  g_mutex_init (&self->lock);
  self->decoders = g_ptr_array_new_with_free_func (gst_object_unref);
  return self;
}

void
gc_receiver_fec_free (GcReceiverFec *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->decoders);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* "122 ulpfec/90000": the payload type, when the encoding is ULPFEC */
static guint
ulpfec_pt_of (const gchar *rtpmap)
{
  gchar *end = NULL;
  guint64 pt = g_ascii_strtoull (rtpmap, &end, 10);

  if (end == rtpmap || pt == 0 || pt > 127)
    return 0;
  while (*end == ' ')
    end++;
  return g_ascii_strncasecmp (end, "ulpfec/", 7) == 0 ? (guint) pt : 0;
}

void
gc_receiver_fec_read_sdp (GcReceiverFec *self, const GstSDPMessage *sdp)
{
  guint fec_pt = 0, media_pt = 0;

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp) && fec_pt == 0; i++)
    {
      const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);

      if (g_strcmp0 (gst_sdp_media_get_media (m), "video") != 0)
        continue;
      for (guint a = 0; a < gst_sdp_media_attributes_len (m) && fec_pt == 0; a++)
        {
          const GstSDPAttribute *attr = gst_sdp_media_get_attribute (m, a);

          /* Groupcast's own attribute (see the source's gc-srtp-media.c),
           * or a standard rtpmap of a source that lists it */
          if ((g_strcmp0 (attr->key, GC_FEC_SDP_ATTRIBUTE) == 0
               || g_strcmp0 (attr->key, "rtpmap") == 0) && attr->value != NULL)
            fec_pt = ulpfec_pt_of (attr->value);
        }
      /* the protected format: the first that is not the FEC one */
      for (guint f = 0; f < gst_sdp_media_formats_len (m) && fec_pt != 0; f++)
        {
          guint pt = (guint) atoi (gst_sdp_media_get_format (m, f));

          if (pt != fec_pt)
            {
              media_pt = pt;
              break;
            }
        }
    }
  g_mutex_lock (&self->lock);
  self->fec_pt = media_pt != 0 ? fec_pt : 0;
  self->media_pt = media_pt;
  g_mutex_unlock (&self->lock);
  if (fec_pt != 0 && media_pt != 0)
    g_debug ("the picture (payload type %u) comes with FEC (payload type %u)", media_pt, fec_pt);
}

guint
gc_receiver_fec_pt (GcReceiverFec *self)
{
  guint pt;

  g_mutex_lock (&self->lock);
  pt = self->fec_pt;
  g_mutex_unlock (&self->lock);
  return pt;
}

/* ---- rtpbin (its threads) ------------------------------------------------- */

static void
on_new_storage (GstElement *rtpbin, GstElement *storage, guint session, GcReceiverFec *self)
{
  /* without FEC it keeps nothing, as before */
  if (gc_receiver_fec_pt (self) != 0)
    g_object_set (storage, "size-time", (guint64) STORAGE_NS, NULL);
}

/* once for each payload type of each sender, after the payload demuxer:
 * the picture's gets the decoder; the FEC packets' own pad none (they
 * were kept in the storage, before the jitter buffer) */
static GstElement *
on_request_fec_decoder (GstElement *rtpbin, guint session, guint ssrc, guint pt,
                        GcReceiverFec *self)
{
  GstElement *dec;
  GObject *storage = NULL;
  guint fec_pt, media_pt;

  g_mutex_lock (&self->lock);
  fec_pt = self->fec_pt;
  media_pt = self->media_pt;
  g_mutex_unlock (&self->lock);
  if (fec_pt == 0 || pt != media_pt)
    return NULL;
  g_signal_emit_by_name (rtpbin, "get-internal-storage", session, &storage);
  if (storage == NULL)
    return NULL;
  dec = gst_element_factory_make ("rtpulpfecdec", NULL);
  if (dec == NULL)
    {
      g_object_unref (storage);
      g_warning ("no rtpulpfecdec (gst-plugins-good): lost packets are not rebuilt");
      return NULL;
    }
  g_object_set (dec, "pt", fec_pt, "storage", storage, NULL);
  g_object_unref (storage);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->decoders, gst_object_ref (dec));
  g_mutex_unlock (&self->lock);
  g_debug ("FEC decoder for session %u, SSRC %08x", session, ssrc);
  return dec;
}

/* the FEC payload type's caps, without the RTP-Info numbers rtspsrc adds
 * to its own (seqnum-base: the payloader's count, which the FEC encoder
 * numbers afresh): a jitter buffer whose first packet is an FEC one would
 * wait for that number and never pass a packet */
static GstCaps *
on_request_pt_map (GstElement *rtpbin, guint session, guint pt, GcReceiverFec *self)
{
  if (pt == 0 || pt != gc_receiver_fec_pt (self))
    return NULL;
  return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "video",
                              "payload", G_TYPE_INT, (gint) pt, "clock-rate", G_TYPE_INT, 90000,
                              "encoding-name", G_TYPE_STRING, "ULPFEC", NULL);
}

void
gc_receiver_fec_hook_manager (GcReceiverFec *self, GstElement *rtpbin)
{
  if (g_signal_lookup ("request-fec-decoder-full", G_OBJECT_TYPE (rtpbin)) == 0)
    return;
  /* the lost-packet events a decoder rebuilds from */
  g_object_set (rtpbin, "do-lost", TRUE, NULL);
  g_signal_connect (rtpbin, "new-storage", G_CALLBACK (on_new_storage), self);
  g_signal_connect (rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), self);
  g_signal_connect (rtpbin, "request-fec-decoder-full", G_CALLBACK (on_request_fec_decoder),
                    self);
}

/* rtpbin's payload demuxer: the FEC packets stop there (they were kept in
 * the storage before the jitter buffer). it sends a lost-packet event to
 * the payload type that came last, and a loss right after an FEC packet
 * would otherwise reach its pad, not the picture's decoder */
void
gc_receiver_fec_hook_ptdemux (GcReceiverFec *self, GstElement *ptdemux)
{
  GValue list = G_VALUE_INIT;
  GValue pt = G_VALUE_INIT;
  guint fec_pt = gc_receiver_fec_pt (self);

  if (fec_pt == 0 || !g_object_class_find_property (G_OBJECT_GET_CLASS (ptdemux),
                                                    "ignored-payload-types"))
    return;
  g_value_init (&list, GST_TYPE_ARRAY);
  g_value_init (&pt, G_TYPE_INT);
  g_value_set_int (&pt, (gint) fec_pt);
  gst_value_array_append_value (&list, &pt);
  g_object_set_property (G_OBJECT (ptdemux), "ignored-payload-types", &list);
  g_value_unset (&pt);
  g_value_unset (&list);
}

static guint64
sum (GcReceiverFec *self, const gchar *property)
{
  guint64 n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->decoders->len; i++)
    {
      guint v = 0;

      g_object_get (g_ptr_array_index (self->decoders, i), property, &v, NULL);
      n += v;
    }
  g_mutex_unlock (&self->lock);
  return n;
}

guint64
gc_receiver_fec_recovered (GcReceiverFec *self)
{
  return sum (self, "recovered");
}

guint64
gc_receiver_fec_unrecovered (GcReceiverFec *self)
{
  return sum (self, "unrecovered");
}
