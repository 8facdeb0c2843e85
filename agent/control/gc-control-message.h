/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/rtsp/gstrtspmessage.h>

#include "gc-control-frame.h"
#include "gc-error.h"

G_BEGIN_DECLS

/* the wire format of control messages: RTSP/1.0 requests and responses
 * with a text/parameters body, as Wi-Fi Display uses; docs/protocol.md has
 * the format. framing is in gc-control-frame.c, signing and checking in
 * gc-control-auth.c. */

#define GC_CONTROL_MAX_FIELD_LENGTH 2048
#define GC_CONTROL_MAX_SKEW_US      (30 * G_USEC_PER_SEC)
#define GC_CONTROL_PATH             "/groupcast"

typedef enum
{
  GC_CONTROL_VERB_INVALID = 0,
  GC_CONTROL_VERB_SWITCH,
  GC_CONTROL_VERB_RELEASE,
  GC_CONTROL_VERB_STATUS,
  GC_CONTROL_VERB_IDENTIFY,
  GC_CONTROL_VERB_RENAME,
  GC_CONTROL_VERB_MUTE,
} GcControlVerb;

/* how long an identify request may show the name */
#define GC_CONTROL_MAX_IDENTIFY_S 600

typedef struct
{
  GcControlVerb verb;
  gchar *url;           /* the source's RTSP URL */
  gchar *source_name;
  gchar *source_id;     /* the source's agent id */
  gint64 timestamp_us;  /* wall clock, microseconds since the epoch */
  guint seconds;        /* identify: how long, 1 to GC_CONTROL_MAX_IDENTIFY_S */
  gchar *new_name;      /* rename: the receiver's new name (gc_name_is_valid) */
  gboolean muted;       /* mute: TRUE to mute the sound, FALSE to unmute it */
  gchar *group;         /* switch: the source's multicast "group:port", or NULL */
  gchar *nonce;
} GcControlRequest;

typedef struct
{
  gboolean ok;
  GcError code;           /* meaningful when !ok */
  gchar *message;         /* words for people */
  gdouble first_frame_ms; /* 0 when not known */
  gchar *state;           /* the receiver's state, e.g. "playing" */
  gchar *current_url;     /* what the receiver shows now, or NULL */
} GcControlResponse;

const gchar    *gc_control_verb_to_string     (GcControlVerb verb);
GcControlVerb   gc_control_verb_from_string   (const gchar *s);
const gchar    *gc_control_error_to_token     (GcError code);

void            gc_control_request_clear      (GcControlRequest *req);
void            gc_control_request_copy       (GcControlRequest       *dest,
                                               const GcControlRequest *src);
GBytes         *gc_control_request_serialize  (const GcControlRequest *req,
                                               const gchar            *mac,
                                               const gchar            *remote_address,
                                               GError                **error);
gboolean        gc_control_request_from_message (GstRTSPMessage   *msg,
                                                 GcControlRequest *out,
                                                 gchar           **mac,
                                                 GError          **error);

void            gc_control_response_clear     (GcControlResponse *resp);
void            gc_control_response_free      (GcControlResponse *resp);
void            gc_control_response_set_error (GcControlResponse *resp,
                                               GcError            code,
                                               const gchar       *message);
GBytes         *gc_control_response_build     (const GcControlResponse *resp,
                                               guint                    cseq);
gboolean        gc_control_response_parse     (const guint8      *data,
                                               gsize              len,
                                               GcControlResponse *out,
                                               GError           **error);
gboolean        gc_control_response_from_message (GstRTSPMessage    *msg,
                                                  GcControlResponse *out,
                                                  GError           **error);
gboolean        gc_control_response_to_error  (const GcControlResponse *resp,
                                               GError                 **error);

GstRTSPMessage *gc_control_message_read_complete (const guint8 *data,
                                                 gsize         len,
                                                 GError      **error);
gchar          *gc_control_address_to_string  (GSocketAddress *address,
                                               gboolean        with_port);

gboolean        gc_control_nonce_is_valid     (const gchar *nonce);
gboolean        gc_control_group_is_valid     (const gchar *group);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GcControlRequest, gc_control_request_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GcControlResponse, gc_control_response_clear)

G_END_DECLS
