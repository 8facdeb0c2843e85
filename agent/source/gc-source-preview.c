/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source-preview.h"

#include <gst/app/gstappsink.h>

struct _GcSourcePreview
{
  GObject parent_instance;

  GMainContext *context;     /* where ::changed is emitted */
  GBytes *bytes;             /* the last picture; empty when none */
  guint64 count;             /* pictures so far */
  gint64 taken;              /* the last one's wall-clock time, µs; 0: none */
  gint generation;           /* a clear makes older pictures in flight stale */
};

G_DEFINE_FINAL_TYPE (GcSourcePreview, gc_source_preview, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

typedef struct
{
  GcSourcePreview *self;
  GBytes *bytes;
  gint64 taken;
  gint generation;
} Arrival;

static void
arrival_free (gpointer data)
{
  Arrival *a = data;

  g_object_unref (a->self);
  g_bytes_unref (a->bytes);
  g_free (a);
}

static gboolean
arrived (gpointer data)
{
  Arrival *a = data;
  GcSourcePreview *self = a->self;

  /* a picture of a pipeline that has stopped since */
  if (a->generation != self->generation)
    return G_SOURCE_REMOVE;
  g_bytes_unref (self->bytes);
  self->bytes = g_bytes_ref (a->bytes);
  self->taken = a->taken;
  self->count++;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* streaming thread: one JPEG, copied and sent to the main loop */
static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer data)
{
  GcSourcePreview *self = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = sample != NULL ? gst_sample_get_buffer (sample) : NULL;
  GstMapInfo map;
  Arrival *a;

  if (buf == NULL || !gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  a = g_new0 (Arrival, 1);
  a->self = g_object_ref (self);
  a->bytes = g_bytes_new (map.data, map.size);
  a->taken = g_get_real_time ();
  a->generation = g_atomic_int_get (&self->generation);
  gst_buffer_unmap (buf, &map);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, arrived, a, arrival_free);
  return GST_FLOW_OK;
}

static void
on_media_configure (GstRTSPMediaFactory *factory, GstRTSPMedia *media, GcSourcePreview *self)
{
  g_autoptr (GstElement) top = gst_rtsp_media_get_element (media);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (top), "gcpreview");

  /* no preview branch: --preview-width=0 */
  if (sink == NULL)
    return;
  /* the handler lives as long as the media's pipeline; the preview is
   * held by each picture in flight, not by the pipeline */
  g_signal_connect_data (sink, "new-sample", G_CALLBACK (on_new_sample),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref,
                         0);
}

GcSourcePreview *
gc_source_preview_new (void)
{
  return g_object_new (GC_TYPE_SOURCE_PREVIEW, NULL);
}

/* the media @factory makes from now on feed this preview */
void
gc_source_preview_watch (GcSourcePreview *self, GstRTSPMediaFactory *factory)
{
  g_return_if_fail (GC_IS_SOURCE_PREVIEW (self));
  g_return_if_fail (GST_IS_RTSP_MEDIA_FACTORY (factory));

  g_signal_connect_object (factory, "media-configure", G_CALLBACK (on_media_configure), self, 0);
}

/* no picture (the source stopped); pictures still on their way are dropped */
void
gc_source_preview_clear (GcSourcePreview *self)
{
  g_return_if_fail (GC_IS_SOURCE_PREVIEW (self));

  g_atomic_int_inc (&self->generation);
  if (g_bytes_get_size (self->bytes) == 0)
    return;
  self->taken = 0;
  g_bytes_unref (self->bytes);
  self->bytes = g_bytes_new (NULL, 0);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* the last picture (GC_PREVIEW_FORMAT), empty when there is none */
GBytes *
gc_source_preview_get_bytes (GcSourcePreview *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_PREVIEW (self), NULL);
  return self->bytes;
}

/* when the last picture was taken (µs since the epoch), 0 for none */
gint64
gc_source_preview_get_taken (GcSourcePreview *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_PREVIEW (self), 0);
  return self->taken;
}

guint64
gc_source_preview_get_count (GcSourcePreview *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_PREVIEW (self), 0);
  return self->count;
}

static void
gc_source_preview_finalize (GObject *object)
{
  GcSourcePreview *self = GC_SOURCE_PREVIEW (object);

  g_bytes_unref (self->bytes);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (gc_source_preview_parent_class)->finalize (object);
}

static void
gc_source_preview_class_init (GcSourcePreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gc_source_preview_finalize;

  /* a new picture, or none any more */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gc_source_preview_init (GcSourcePreview *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->bytes = g_bytes_new (NULL, 0);
}
