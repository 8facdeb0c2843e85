/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the receiver's screen: one output pipeline for the agent's whole life
 * (appsrc → scale → overlay → sink), fed with the decoded frames of
 * whichever stream is shown. streams come and go (a switch, a reconnect);
 * the window, KMS plane or sink never does. it cuts from one stream to the
 * next on a frame boundary, and draws the idle, no-signal and Identify
 * screens itself (gc-display-overlay.c).
 */
#pragma once

#include <gst/gst.h>

#include "gc-display-overlay.h"
#include "gc-display-sound.h"

G_BEGIN_DECLS

typedef struct
{
  const gchar *sink;        /* auto, x11, wayland, kms, fake, or an element name */
  const gchar *output;      /* X11 monitor name or KMS connector id; NULL: the primary */
  gboolean windowed;
  const gchar *name;
  const gchar *address;
  const gchar *site_text;
  const gchar *audio_sink;  /* auto, pulse, alsa:DEVICE, fake, none; NULL: fake with the
                             * fake sink, else auto */
} GcDisplayOptions;

/* lip sync holds a frame at most this long: a sound later than that is
 * out of step, and the picture does not wait for it */
#define GC_DISPLAY_MAX_HOLD_MS 150.0

#define GC_TYPE_DISPLAY (gc_display_get_type ())
G_DECLARE_FINAL_TYPE (GcDisplay, gc_display, GC, DISPLAY, GObject)

GcDisplay   *gc_display_new            (const GcDisplayOptions *options,
                                        GError                **error);
const gchar *gc_display_get_kind       (GcDisplay *self);
guint        gc_display_new_stream     (GcDisplay *self);
void         gc_display_expect         (GcDisplay *self,
                                        guint      stream);
gboolean     gc_display_offer          (GcDisplay *self,
                                        guint      stream,
                                        GstSample *sample);
void         gc_display_forget         (GcDisplay *self,
                                        guint      stream);
guint        gc_display_get_shown      (GcDisplay *self);
gboolean     gc_display_is_active      (GcDisplay *self,
                                        guint      stream);
const gchar *gc_display_get_audio_sink (GcDisplay *self);
void         gc_display_set_volume     (GcDisplay *self,
                                        gdouble    volume,
                                        gboolean   muted);
gdouble      gc_display_get_volume     (GcDisplay *self,
                                        gboolean  *muted);
void         gc_display_play_sound     (GcDisplay *self,
                                        guint      stream,
                                        GstBuffer *buffer);
void         gc_display_read_sound     (GcDisplay       *self,
                                        guint            stream,
                                        gint64           now_us,
                                        GcAudioReadings *out);
void         gc_display_set_screen     (GcDisplay       *self,
                                        GcDisplayScreen  screen,
                                        const gchar     *status);
void         gc_display_identify       (GcDisplay *self,
                                        guint      seconds);
void             gc_display_set_pairing_code (GcDisplay   *self,
                                             const gchar *code,
                                             guint        locked_s);
void             gc_display_set_name        (GcDisplay   *self,
                                             const gchar *name);
gboolean     gc_display_is_identifying (GcDisplay *self);
gint64       gc_display_get_last_frame_time (GcDisplay *self);
gdouble      gc_display_get_hold_ms    (GcDisplay *self);

G_END_DECLS
