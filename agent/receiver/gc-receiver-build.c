/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-build.h"
#include "gc-receiver-pipeline.h"

/* the port of a udpsrc (a message's source), -1 for anything else */
gint
gc_receiver_udpsrc_port (GstObject *object)
{
  GstElementFactory *f = GST_IS_ELEMENT (object) ? gst_element_get_factory (GST_ELEMENT (object))
                                                 : NULL;
  gint port = -1;

  if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), "udpsrc"))
    g_object_get (object, "port", &port, NULL);
  return port;
}

const gchar *
gc_receiver_pick_decoder (void)
{
  /* hardware first, then libav (single-frame threading: no frame delay) */
  static const gchar *const order[] = { "v4l2h264dec", "vah264dec", "vaapih264dec" };

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr (GstElementFactory) f = gst_element_factory_find (order[i]);

      if (f != NULL && g_file_test ("/dev/dri", G_FILE_TEST_IS_DIR))
        return order[i];
    }
  {
    g_autoptr (GstElementFactory) av = gst_element_factory_find ("avdec_h264");

    /* a frame decoded without its references is never output */
    if (av != NULL)
      return "avdec_h264 thread-type=slice output-corrupt=false";
  }
  return "openh264dec";
}

/* make each element of the receive chain once, at start: the first Connect
 * would otherwise pay for loading the plugins (libav is large), ~100 ms */
void
gc_receiver_pipeline_warm_up (void)
{
  /* srtpdec and srtpenc too: libsrtp and its crypto library take tens of
   * ms to load, at the first encrypted connect otherwise */
  static const gchar *const inner[] = { "rtpbin", "rtpsession", "rtpjitterbuffer",
                                        "rtpssrcdemux", "rtpptdemux", "udpsrc", "udpsink",
                                        "srtpdec", "srtpenc", "rtpstorage", "rtpulpfecdec" };
  g_autofree gchar *desc = g_strdup_printf ("rtspsrc ! rtph264depay ! h264parse ! %s ! fakesink",
                                            gc_receiver_pick_decoder ());
  g_autoptr (GstElement) chain = gst_parse_launch (desc, NULL);

  if (chain != NULL)
    gst_object_ref_sink (chain);
  for (gsize i = 0; i < G_N_ELEMENTS (inner); i++)
    {
      g_autoptr (GstElement) e = gst_element_factory_make (inner[i], NULL);

      if (e != NULL)
        gst_object_ref_sink (e);
    }
}

static gchar *
dup_encoding (GstPad *pad)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);

  return caps != NULL && gst_caps_get_size (caps) > 0
         ? g_strdup (gst_structure_get_string (gst_caps_get_structure (caps, 0), "encoding-name"))
         : NULL;
}

gboolean
gc_receiver_pad_is_h264 (GstPad *pad)
{
  g_autofree gchar *name = dup_encoding (pad);

  /* no caps to tell by: as before, the first one */
  return name == NULL || g_ascii_strcasecmp (name, "H264") == 0;
}

gboolean
gc_receiver_pad_is_fec (GstPad *pad)
{
  g_autofree gchar *name = dup_encoding (pad);

  return name != NULL && g_ascii_strcasecmp (name, "ULPFEC") == 0;
}
