/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source-capture.h"
#include "gc-capture-portal.h"
#include "gc-error.h"
#include "gc-pipewire-watch.h"
#include "gc-source-pacer.h"

#include <gst/gst.h>

struct _GcSourceCapture
{
  GObject parent_instance;

  gchar *word;               /* as asked: "screen", "portal", "test", ... */
  gchar *token_path;
  GcCaptureKind kind;
  GcCapturePortal *portal;   /* a screen cast, for GC_CAPTURE_KIND_PORTAL */
  GcCaptureStream stream;
  GMainContext *context;
  gboolean ended;
  GcPipewireWatch *watch;    /* the portal's stream, in PipeWire's registry */
  GcSourcePacer *pacer;      /* the portal's frames, at the configured rate */
  guint framerate;
  GstElement *pipeline;      /* the portal's media, until the first frame */
  gint got_frame;            /* atomic */
  guint first_frame_id;
};

/* a desktop that never sends a first frame must not hold Start forever */
#define FIRST_FRAME_TIMEOUT_S 10

G_DEFINE_FINAL_TYPE (GcSourceCapture, gc_source_capture, G_TYPE_OBJECT)

enum
{
  SIGNAL_ENDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* once, on the main loop */
static void
end (GcSourceCapture *self, const gchar *reason)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, reason);
  g_object_unref (self);
}

static void
on_portal_closed (GcCapturePortal *portal, GcSourceCapture *self)
{
  end (self, "the screen cast was ended from the desktop");
}

static void
on_stream_gone (GcPipewireWatch *watch, GcSourceCapture *self)
{
  end (self, "the screen cast was ended from the desktop (its stream went away)");
}

/* ---- the pipeline's end (streaming threads → main loop) ------------------ */

typedef struct
{
  GcSourceCapture *self;
  gchar *reason;
} Ending;

static void
ending_free (gpointer data)
{
  Ending *e = data;

  g_object_unref (e->self);
  g_free (e->reason);
  g_free (e);
}

static gboolean
ended_on_loop (gpointer data)
{
  Ending *e = data;

  end (e->self, e->reason);
  return G_SOURCE_REMOVE;
}

static void
end_from_thread (GcSourceCapture *self, gchar *reason)
{
  Ending *e = g_new0 (Ending, 1);

  e->self = g_object_ref (self);
  e->reason = reason;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, ended_on_loop, e, ending_free);
}

static GstPadProbeReturn
on_capture_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  /* the stream's end: the PipeWire node or the display went away */
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
    end_from_thread (data, g_strdup ("the captured screen ended"));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_first_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GcSourceCapture *self = data;

  g_atomic_int_set (&self->got_frame, 1);
  return GST_PAD_PROBE_REMOVE;
}

static gboolean
first_frame_late (gpointer data)
{
  GcSourceCapture *self = data;
  g_autoptr (GError) error = NULL;

  self->first_frame_id = 0;
  if (g_atomic_int_get (&self->got_frame) || self->pipeline == NULL)
    return G_SOURCE_REMOVE;
  /* the media's own error path ends its preparation; ours ends the source */
  error = g_error_new (GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
                       "the desktop sent no picture within %d s (a wlroots desktop sends "
                       "none of a still screen to a second cast: change something on the "
                       "screen and share again)", FIRST_FRAME_TIMEOUT_S);
  gst_element_post_message (self->pipeline,
                            gst_message_new_error (GST_OBJECT (self->pipeline), error, NULL));
  return G_SOURCE_REMOVE;
}

static void
on_sync_error (GstBus *bus, GstMessage *message, gpointer data)
{
  g_autoptr (GError) error = NULL;

  gst_message_parse_error (message, &error, NULL);
  end_from_thread (data, g_strdup_printf ("the screen capture failed: %s",
                                          error != NULL ? error->message : "an error"));
}

static void
on_media_configure (GstRTSPMediaFactory *factory, GstRTSPMedia *media, GcSourceCapture *self)
{
  g_autoptr (GstElement) top = gst_rtsp_media_get_element (media);
  g_autoptr (GstElement) capture = gst_bin_get_by_name (GST_BIN (top), "gccapture");
  g_autoptr (GstPad) pad = capture != NULL ? gst_element_get_static_pad (capture, "src") : NULL;
  GstObject *pipeline = GST_OBJECT_PARENT (top);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) pace_in = gst_bin_get_by_name (GST_BIN (top), "gcpacein");
  g_autoptr (GstElement) pace_out = gst_bin_get_by_name (GST_BIN (top), "gcpaceout");

  /* media-configure comes on the thread that made the media; the pacer
   * belongs to the main loop's capture */
  if (pace_in != NULL && pace_out != NULL && self->pacer == NULL)
    self->pacer = gc_source_pacer_new (pace_in, pace_out, self->framerate);
  if (pad != NULL)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_capture_data,
                       g_object_ref (self), g_object_unref);
  if (pad != NULL && self->kind == GC_CAPTURE_KIND_PORTAL && pipeline != NULL
      && self->first_frame_id == 0)
    {
      g_autoptr (GSource) late = g_timeout_source_new_seconds (FIRST_FRAME_TIMEOUT_S);

      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_first_frame, g_object_ref (self),
                         g_object_unref);
      self->pipeline = gst_object_ref (GST_ELEMENT (pipeline));
      g_source_set_callback (late, first_frame_late, self, NULL);
      self->first_frame_id = g_source_attach (late, self->context);
    }
  /* the media watches its bus itself; errors come to us as sync messages
   * too (the capture's are the ones a desktop makes: a stream that went) */
  bus = gst_element_get_bus (pipeline != NULL ? GST_ELEMENT (pipeline) : top);
  if (bus == NULL)
    return;
  gst_bus_enable_sync_message_emission (bus);
  g_signal_connect_data (bus, "sync-message::error", G_CALLBACK (on_sync_error),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref,
                         0);
}

/* ---- API ------------------------------------------------------------------ */

/* @framerate: what the portal's frames are paced to */
GcSourceCapture *
gc_source_capture_new (const gchar *capture, const gchar *token_path, guint framerate)
{
  GcSourceCapture *self = g_object_new (GC_TYPE_SOURCE_CAPTURE, NULL);

  self->framerate = framerate;
  self->word = g_strdup (capture != NULL ? capture : "test");
  self->token_path = g_strdup (token_path);
  return self;
}

static void
portal_started (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GTask) task = data;
  GcSourceCapture *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!gc_capture_portal_start_finish (GC_CAPTURE_PORTAL (object), res, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->stream.fd = gc_capture_portal_get_fd (self->portal);
  self->stream.node = gc_capture_portal_get_node (self->portal);
  /* pipewiresrc (0.3.65) says nothing when the desktop destroys the
   * stream: its frames just stop. the node leaving PipeWire's registry
   * says it */
  if (gc_capture_portal_get_watch_fd (self->portal) < 0)
    g_set_error_literal (&error, GC_ERROR, GC_ERROR_FAILED, "the portal gave one remote only");
  else
    self->watch = gc_pipewire_watch_new (gc_capture_portal_get_watch_fd (self->portal),
                                         self->stream.node, &error);
  if (self->watch != NULL)
    g_signal_connect_object (self->watch, "gone", G_CALLBACK (on_stream_gone), self, 0);
  else
    {
      g_warning ("the end of the screen cast will not be seen: %s", error->message);
      g_clear_error (&error);
    }
  g_task_return_boolean (task, TRUE);
}

/* resolves the capture for this session; for the portal, opens the screen
 * cast (the desktop's dialog, unless the restore token brings the last
 * choice back) */
void
gc_source_capture_open_async (GcSourceCapture *self, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;

  g_return_if_fail (GC_IS_SOURCE_CAPTURE (self));

  g_task_set_source_tag (task, gc_source_capture_open_async);
  if (!gc_capture_kind (self->word, &self->kind, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->kind != GC_CAPTURE_KIND_PORTAL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->portal = gc_capture_portal_new (self->token_path);
  g_signal_connect_object (self->portal, "closed", G_CALLBACK (on_portal_closed), self, 0);
  gc_capture_portal_start_async (self->portal, portal_started, g_steal_pointer (&task));
}

gboolean
gc_source_capture_open_finish (GcSourceCapture *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* the media @factory makes from now on is watched for the capture's end;
 * only desktop captures end the source (a test pattern never ends, and a
 * file's end is its own business) */
void
gc_source_capture_watch (GcSourceCapture *self, GstRTSPMediaFactory *factory)
{
  g_return_if_fail (GC_IS_SOURCE_CAPTURE (self));

  if (self->kind == GC_CAPTURE_KIND_PORTAL || self->kind == GC_CAPTURE_KIND_X11)
    g_signal_connect_object (factory, "media-configure", G_CALLBACK (on_media_configure), self,
                             0);
}

/* ends the screen cast; no ::ended after this */
void
gc_source_capture_close (GcSourceCapture *self)
{
  g_return_if_fail (GC_IS_SOURCE_CAPTURE (self));

  self->ended = TRUE;
  if (self->first_frame_id != 0)
    g_source_destroy (g_main_context_find_source_by_id (self->context, self->first_frame_id));
  self->first_frame_id = 0;
  gst_clear_object (&self->pipeline);
  g_clear_object (&self->watch);
  if (self->pacer != NULL)
    gc_source_pacer_stop (self->pacer);
  g_clear_object (&self->pacer);
  if (self->portal != NULL)
    gc_capture_portal_close (self->portal);
  self->stream.fd = -1;
}

const gchar *
gc_source_capture_get_word (GcSourceCapture *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_CAPTURE (self), NULL);
  return self->word;
}

GcCaptureKind
gc_source_capture_get_kind (GcSourceCapture *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_CAPTURE (self), GC_CAPTURE_KIND_TEST);
  return self->kind;
}

/* the PipeWire stream of an open screen cast, or NULL */
const GcCaptureStream *
gc_source_capture_get_stream (GcSourceCapture *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_CAPTURE (self), NULL);
  return self->stream.fd >= 0 ? &self->stream : NULL;
}

static void
gc_source_capture_dispose (GObject *object)
{
  GcSourceCapture *self = GC_SOURCE_CAPTURE (object);

  gc_source_capture_close (self);
  g_clear_object (&self->portal);
  G_OBJECT_CLASS (gc_source_capture_parent_class)->dispose (object);
}

static void
gc_source_capture_finalize (GObject *object)
{
  GcSourceCapture *self = GC_SOURCE_CAPTURE (object);

  g_free (self->word);
  g_free (self->token_path);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (gc_source_capture_parent_class)->finalize (object);
}

static void
gc_source_capture_class_init (GcSourceCaptureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_source_capture_dispose;
  object_class->finalize = gc_source_capture_finalize;

  /* the desktop capture ended by itself; the reason is for a person */
  signals[SIGNAL_ENDED] = g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
gc_source_capture_init (GcSourceCapture *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->stream.fd = -1;
}
