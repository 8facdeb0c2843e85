/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the states of the model objects, shared by the agent and the panel. each
 * value's nick is the string the D-Bus API documents, so the enum types
 * registered here are the one place that maps a state to its D-Bus word.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  GC_RECEIVER_STATE_IDLE,        /* "idle": not asked to show anything */
  GC_RECEIVER_STATE_CONNECTING,  /* "connecting": RTSP and join under way */
  GC_RECEIVER_STATE_PLAYING,     /* "playing": frames are decoded */
  GC_RECEIVER_STATE_NO_SIGNAL,   /* "no-signal": it played, packets stopped */
  GC_RECEIVER_STATE_ERROR,       /* "error": it never played; see Error */
} GcReceiverState;

typedef enum
{
  GC_SOURCE_STATE_STOPPED,       /* "stopped": not serving */
  GC_SOURCE_STATE_READY,         /* "ready": serving, no member plays */
  GC_SOURCE_STATE_STREAMING,     /* "streaming": at least one member plays */
} GcSourceState;

typedef enum
{
  GC_MEMBER_STATE_SETUP,         /* "setup": SETUP done, no PLAY yet */
  GC_MEMBER_STATE_PLAYING,       /* "playing" */
} GcMemberState;

/* how a receiver's stream reaches it */
typedef enum
{
  GC_TRANSPORT_MULTICAST,        /* "multicast": the source's group */
  GC_TRANSPORT_UNICAST,          /* "unicast": UDP to this receiver alone */
  GC_TRANSPORT_TCP,              /* "tcp": interleaved in its RTSP connection */
} GcTransport;

#define GC_TYPE_RECEIVER_STATE (gc_receiver_state_get_type ())
#define GC_TYPE_SOURCE_STATE (gc_source_state_get_type ())
#define GC_TYPE_MEMBER_STATE (gc_member_state_get_type ())
#define GC_TYPE_TRANSPORT (gc_transport_get_type ())

GType            gc_receiver_state_get_type    (void) G_GNUC_CONST;
GType            gc_source_state_get_type      (void) G_GNUC_CONST;
GType            gc_member_state_get_type      (void) G_GNUC_CONST;
GType            gc_transport_get_type         (void) G_GNUC_CONST;

const gchar     *gc_receiver_state_to_string   (GcReceiverState state);
gboolean         gc_receiver_state_from_string (const gchar     *s,
                                                GcReceiverState *out);
const gchar     *gc_source_state_to_string     (GcSourceState state);
gboolean         gc_source_state_from_string   (const gchar   *s,
                                                GcSourceState *out);
const gchar     *gc_member_state_to_string     (GcMemberState state);
gboolean         gc_member_state_from_string   (const gchar   *s,
                                                GcMemberState *out);
const gchar     *gc_transport_to_string        (GcTransport    transport);
gboolean         gc_transport_from_string      (const gchar   *s,
                                                GcTransport   *out);

G_END_DECLS
