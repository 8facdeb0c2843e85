/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-tuning.h"

#include <gio/gio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* the PLAY answer's RTP-Info gives the sequence number the server was at;
 * a receiver joining a running multicast stream gets its first packet a
 * few numbers later, and the jitter buffer would wait its whole latency
 * for the ones in between, which were never meant for it */
static GstPadProbeReturn
on_jitterbuffer_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps = NULL;
  GstCaps *fixed;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps); /* transfer none */
  if (gst_caps_get_size (caps) == 0
      || !gst_structure_has_field (gst_caps_get_structure (caps, 0), "seqnum-base"))
    return GST_PAD_PROBE_OK;
  fixed = gst_caps_copy (caps);
  gst_structure_remove_field (gst_caps_get_structure (fixed, 0), "seqnum-base");
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (fixed);
  gst_event_unref (event);
  gst_caps_unref (fixed);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_jitterbuffer_started (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_autoptr (GstObject) jitterbuffer = gst_pad_get_parent (pad);

  if (jitterbuffer != NULL)
    g_object_set (jitterbuffer, "latency", GPOINTER_TO_UINT (data), NULL);
  return GST_PAD_PROBE_REMOVE;
}

/* a jitter buffer rtspsrc's rtpbin made: RTP-Info's sequence number is
 * not waited for */
void
gc_receiver_tune_jitterbuffer (GstElement *jitterbuffer)
{
  g_autoptr (GstPad) sink = gst_element_get_static_pad (jitterbuffer, "sink");

  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_jitterbuffer_event, NULL, NULL);
}

/* the jitter buffer holds the first packet for its whole latency (it
 * cannot know that no older one is on the way): a switch would wait that
 * long for nothing. it starts with none and gets its latency back once the
 * first packet is through. (faststart-min-packets does not help: the
 * stream's first events sit at the head of its queue, so its check finds
 * no packet there.) call when rtpbin has set the latency (new-jitterbuffer) */
void
gc_receiver_start_jitterbuffer (GstElement *jitterbuffer)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (jitterbuffer, "src");
  guint latency = 0;

  g_object_get (jitterbuffer, "latency", &latency, NULL);
  g_object_set (jitterbuffer, "latency", 0u, NULL);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_jitterbuffer_started, GUINT_TO_POINTER (latency), NULL);
}

static void
give_back_thread (GTask *task, gpointer source, gpointer data, GCancellable *c)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  g_task_return_boolean (task, TRUE);
}

/* a board lives through thousands of switches: what the streams before
 * freed, in their threads' arenas that glibc keeps, goes back to the
 * system, so the agent stays the size of what it shows. in a thread (it
 * walks every arena); call it away from a switch. */
void
gc_receiver_give_back_memory (void)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_run_in_thread (task, give_back_thread);
}
