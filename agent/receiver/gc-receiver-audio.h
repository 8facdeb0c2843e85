/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a receive pipeline's sound: the Opus stream rtspsrc gives, decoded
 * (with its in-band FEC and loss concealment) and handed to the display's
 * one sound output (gc-display-sound.c) while its stream's picture is the
 * one on screen, so a switch cuts sound and picture together.
 */
#pragma once

#include <gst/gst.h>

#include "gc-display.h"

G_BEGIN_DECLS

#define GC_TYPE_RECEIVER_AUDIO (gc_receiver_audio_get_type ())
G_DECLARE_FINAL_TYPE (GcReceiverAudio, gc_receiver_audio, GC, RECEIVER_AUDIO, GObject)

GcReceiverAudio *gc_receiver_audio_new        (GcDisplay   *display,
                                               guint        stream);
gboolean         gc_receiver_audio_link       (GcReceiverAudio *self,
                                               GstBin          *pipeline,
                                               GstPad          *pad);
gboolean         gc_receiver_audio_owns       (GcReceiverAudio *self,
                                               GstObject       *object);

G_END_DECLS
