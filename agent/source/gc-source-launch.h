/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "gc-config.h"

G_BEGIN_DECLS

typedef enum
{
  GC_CAPTURE_KIND_TEST,      /* the built-in test pattern */
  GC_CAPTURE_KIND_X11,       /* ximagesrc on DISPLAY */
  GC_CAPTURE_KIND_PORTAL,    /* the ScreenCast portal and PipeWire (Wayland) */
  GC_CAPTURE_KIND_V4L2,      /* a capture device (HDMI, camera) */
  GC_CAPTURE_KIND_FILE,      /* a file, paced to real time */
  GC_CAPTURE_KIND_PIPELINE,  /* a pipeline description that ends in raw video */
} GcCaptureKind;

/* a PipeWire stream that the portal opened: its remote's fd and node */
typedef struct
{
  gint fd;
  guint32 node;
} GcCaptureStream;

/* what the source's pipeline is: pure functions, unit-tested */
gboolean gc_capture_is_choice   (const gchar *word);
gboolean gc_capture_screen_kind (const gchar *session_type,
                                 const gchar *wayland_display,
                                 const gchar *display,
                                 GcCaptureKind *kind,
                                 GError **error);
gboolean gc_capture_kind        (const gchar *capture,
                                 GcCaptureKind *kind,
                                 GError **error);
void     gc_source_preview_size (const GcConfig *config,
                                 guint *width,
                                 guint *height);
gchar *gc_source_build_launch_for (const GcConfig *config,
                                   const gchar *capture,
                                   const gchar *encoder,
                                   const GcCaptureStream *stream,
                                   const gchar *audio,
                                   GError **error);
const gchar *gc_source_audio_word (const GcConfig *config,
                                   const gchar *capture);
gboolean gc_source_audio_is_choice (const gchar *word);
gboolean gc_source_audio_works   (const gchar *audio,
                                  GError **error);
gchar *gc_source_build_launch (const GcConfig *config,
                               const gchar *encoder,
                               GError **error);
gchar *gc_source_pick_encoder (const gchar *requested,
                               GError **error);

G_END_DECLS
