/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the receiver's checks of a source's answers: the
 * input's first line is a SETUP answer's Transport header, the rest its
 * DESCRIBE answer's SDP. both are parsed by GStreamer as rtspsrc does,
 * then run through the receiver's pure checks (gc-receiver-checks.c) and
 * the SDP's media key attribute through gc_srtp_sdp_parse, and
 * the input also serves as the text of an error. seeds:
 * tests/fuzz/corpus/receiver-checks/; run with tools/fuzz. */
#include "config.h"

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>
#include <gst/sdp/sdp.h>
#include <string.h>

#include "gc-error.h"
#include "gc-receiver-checks.h"
#include "gc-srtp.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:_dl_init\n";
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const gchar warm[] = "RTP/AVP;multicast;destination=239.0.0.11;port=15550-15551\n"
                              "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";

  gst_init (NULL, NULL);
  LLVMFuzzerTestOneInput ((const guint8 *) warm, sizeof warm - 1);
  return 0;
}

/* the UDP elements rtspsrc makes for a transport: for multicast a udpsrc
 * on the group's RTP and RTCP ports and an RTCP udpsink to the group; for
 * unicast only the udpsink towards the server */
static void
check_transport (const gchar *header, gboolean signed_group)
{
  GstRTSPTransport *t = NULL;
  GcTransportEndpoint eps[3];
  g_autofree gchar *group = NULL;
  GError *error = NULL;
  guint16 port = 0;
  guint n = 0;

  if (gst_rtsp_transport_new (&t) != GST_RTSP_OK)
    return;
  if (gst_rtsp_transport_parse (header, t) == GST_RTSP_OK)
    {
      if (t->lower_transport == GST_RTSP_LOWER_TRANS_UDP_MCAST)
        {
          eps[n++] = (GcTransportEndpoint) { TRUE, t->destination, t->port.min };
          eps[n++] = (GcTransportEndpoint) { TRUE, t->destination, t->port.max };
        }
      eps[n++] = (GcTransportEndpoint) { FALSE, t->destination, t->port.max };
      /* half the inputs against an expected group (the switch's signed one) */
      if (gc_receiver_check_transport (eps, n, "rtsp://192.0.2.1:7236/screen",
                                       signed_group ? "239.0.0.11:15550" : NULL,
                                       signed_group ? 15552 : 0, &group, &port, &error))
        g_assert (group == NULL || (port % 2 == 0 && g_utf8_validate (group, -1, NULL)));
      else
        {
          g_assert (g_error_matches (error, GC_ERROR, GC_ERROR_STREAM));
          g_assert (group == NULL && g_utf8_validate (error->message, -1, NULL));
          g_error_free (error);
        }
    }
  gst_rtsp_transport_free (t);
}

/* the media key's attribute, as the receiver reads it */
static void
check_key_attribute (const GstSDPMessage *sdp)
{
  g_autofree gchar *id = NULL;
  guint64 epoch = 0;
  GError *error = NULL;

  if (gc_srtp_sdp_parse (gst_sdp_message_get_attribute_val (sdp, GC_SRTP_SDP_ATTRIBUTE), &id,
                         &epoch, &error))
    g_assert (id != NULL && g_utf8_validate (id, -1, NULL));
  else
    {
      g_assert (id == NULL && g_error_matches (error, GC_ERROR, GC_ERROR_STREAM));
      g_error_free (error);
    }
}

/* each stream's caps as select-stream gets them */
static void
check_sdp (const guint8 *data, gsize len)
{
  GstSDPMessage *sdp = NULL;

  if (gst_sdp_message_new (&sdp) != GST_SDP_OK)
    return;
  if (gst_sdp_message_parse_buffer (data, len, sdp) != GST_SDP_OK)
    {
      gst_sdp_message_free (sdp);
      return;
    }
  check_key_attribute (sdp);
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
      GstCaps *caps = NULL;
      g_autofree gchar *why = NULL;
      gint pt;

      if (m == NULL || gst_sdp_media_formats_len (m) == 0)
        continue;
      pt = atoi (gst_sdp_media_get_format (m, 0));
      caps = gst_sdp_media_get_caps_from_media (m, pt);
      if (caps == NULL)
        continue;
      if (gst_caps_get_size (caps) > 0
          && !gc_receiver_check_stream (gst_caps_get_structure (caps, 0), NULL, &why))
        g_assert (why != NULL && g_utf8_validate (why, -1, NULL));
      gst_caps_unref (caps);
    }
  gst_sdp_message_free (sdp);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const guint8 *nl = memchr (data, '\n', size);
  gsize head = nl != NULL ? (gsize) (nl - data) : size;
  g_autofree gchar *header = g_strndup ((const gchar *) data, head);
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_autofree gchar *said = NULL;

  if (size > 16384)
    return 0;
  /* half the inputs against a signed group */
  check_transport (header, size % 2 == 0);
  if (nl != NULL)
    check_sdp (nl + 1, size - head - 1);
  said = gc_receiver_describe_error (text, text, text);
  g_assert (said != NULL);
  return 0;
}
