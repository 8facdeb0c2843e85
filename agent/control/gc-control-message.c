/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcControlMessage"

#include "config.h"

#include "gc-control-message.h"
#include "gc-name.h"

#include <gst/gst.h>
#include <string.h>

#define NONCE_MIN_LEN 16
#define NONCE_MAX_LEN 64
#define CONTENT_TYPE  "text/parameters"

#define P_VERB      "groupcast_verb"
#define P_URL       "groupcast_url"
#define P_NAME      "groupcast_source_name"
#define P_ID        "groupcast_source_id"
#define P_TIMESTAMP "groupcast_timestamp"
#define P_NONCE     "groupcast_nonce"
#define P_SECONDS   "groupcast_seconds"
#define P_NEW_NAME  "groupcast_new_name"
#define P_MUTED     "groupcast_muted"
#define P_GROUP     "groupcast_group"
#define P_MAC       "groupcast_mac"
#define P_RESULT    "groupcast_result"
#define P_MESSAGE   "groupcast_message"
#define P_FIRST     "groupcast_first_frame_ms"
#define P_STATE     "groupcast_state"
#define P_CURRENT   "groupcast_current_url"

static const struct
{
  GcError code;
  const gchar *token;
  GstRTSPStatusCode status;
} error_table[] = {
  { GC_ERROR_FAILED, "failed", GST_RTSP_STS_INTERNAL_SERVER_ERROR },
  { GC_ERROR_INVALID_ARGS, "invalid-args", GST_RTSP_STS_BAD_REQUEST },
  { GC_ERROR_NOT_FOUND, "not-found", GST_RTSP_STS_NOT_FOUND },
  { GC_ERROR_NOT_AUTHORIZED, "not-authorized", GST_RTSP_STS_UNAUTHORIZED },
  { GC_ERROR_TIMEOUT, "timeout", GST_RTSP_STS_GATEWAY_TIMEOUT },
  { GC_ERROR_UNREACHABLE, "unreachable", GST_RTSP_STS_SERVICE_UNAVAILABLE },
  { GC_ERROR_NOT_SUPPORTED, "not-supported", GST_RTSP_STS_NOT_IMPLEMENTED },
  { GC_ERROR_REFUSED, "refused", GST_RTSP_STS_FORBIDDEN },
  { GC_ERROR_STREAM, "stream", GST_RTSP_STS_BAD_GATEWAY },
};

const gchar *
gc_control_verb_to_string (GcControlVerb verb)
{
  switch (verb)
    {
    case GC_CONTROL_VERB_SWITCH: return "switch";
    case GC_CONTROL_VERB_RELEASE: return "release";
    case GC_CONTROL_VERB_STATUS: return "status";
    case GC_CONTROL_VERB_IDENTIFY: return "identify";
    case GC_CONTROL_VERB_RENAME: return "rename";
    case GC_CONTROL_VERB_MUTE: return "mute";
    case GC_CONTROL_VERB_INVALID:
    default: return NULL;
    }
}

GcControlVerb
gc_control_verb_from_string (const gchar *s)
{
  if (g_strcmp0 (s, "switch") == 0)
    return GC_CONTROL_VERB_SWITCH;
  if (g_strcmp0 (s, "release") == 0)
    return GC_CONTROL_VERB_RELEASE;
  if (g_strcmp0 (s, "status") == 0)
    return GC_CONTROL_VERB_STATUS;
  if (g_strcmp0 (s, "identify") == 0)
    return GC_CONTROL_VERB_IDENTIFY;
  if (g_strcmp0 (s, "rename") == 0)
    return GC_CONTROL_VERB_RENAME;
  if (g_strcmp0 (s, "mute") == 0)
    return GC_CONTROL_VERB_MUTE;
  return GC_CONTROL_VERB_INVALID;
}

const gchar *
gc_control_error_to_token (GcError code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (error_table[i].code == code)
      return error_table[i].token;
  return "failed";
}

static gboolean
error_from_token (const gchar *token, GcError *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (g_strcmp0 (error_table[i].token, token) == 0)
      {
        *code = error_table[i].code;
        return TRUE;
      }
  return FALSE;
}

static GstRTSPStatusCode
error_to_status (GcError code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (error_table[i].code == code)
      return error_table[i].status;
  return GST_RTSP_STS_INTERNAL_SERVER_ERROR;
}

static GcError
error_from_status (GstRTSPStatusCode status)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (error_table[i].status == status)
      return error_table[i].code;
  return GC_ERROR_FAILED;
}

/* ------------------------------------------------------------------ */
/* requests and responses as structs */

void
gc_control_request_clear (GcControlRequest *req)
{
  if (req == NULL)
    return;
  g_clear_pointer (&req->url, g_free);
  g_clear_pointer (&req->source_name, g_free);
  g_clear_pointer (&req->source_id, g_free);
  g_clear_pointer (&req->nonce, g_free);
  g_clear_pointer (&req->new_name, g_free);
  g_clear_pointer (&req->group, g_free);
  req->verb = GC_CONTROL_VERB_INVALID;
  req->timestamp_us = 0;
  req->seconds = 0;
  req->muted = FALSE;
}

void
gc_control_request_copy (GcControlRequest *dest, const GcControlRequest *src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  dest->verb = src->verb;
  dest->url = g_strdup (src->url);
  dest->source_name = g_strdup (src->source_name);
  dest->source_id = g_strdup (src->source_id);
  dest->timestamp_us = src->timestamp_us;
  dest->nonce = g_strdup (src->nonce);
  dest->seconds = src->seconds;
  dest->muted = src->muted;
  dest->new_name = g_strdup (src->new_name);
  dest->group = g_strdup (src->group);
}

void
gc_control_response_clear (GcControlResponse *resp)
{
  if (resp == NULL)
    return;
  g_clear_pointer (&resp->message, g_free);
  g_clear_pointer (&resp->state, g_free);
  g_clear_pointer (&resp->current_url, g_free);
  resp->ok = FALSE;
  resp->code = GC_ERROR_FAILED;
  resp->first_frame_ms = 0;
}

void
gc_control_response_free (GcControlResponse *resp)
{
  gc_control_response_clear (resp);
  g_free (resp);
}

/* makes @resp a failure with @code and @message (nullable: the code's
 * words are used) */
void
gc_control_response_set_error (GcControlResponse *resp,
                               GcError            code,
                               const gchar       *message)
{
  g_return_if_fail (resp != NULL);

  resp->ok = FALSE;
  resp->code = code;
  g_free (resp->message);
  resp->message = g_strdup (message != NULL ? message
                                            : gc_error_to_string (code));
}

gboolean
gc_control_response_to_error (const GcControlResponse *resp, GError **error)
{
  g_return_val_if_fail (resp != NULL, FALSE);

  if (resp->ok)
    return TRUE;
  g_set_error (error, GC_ERROR, resp->code, "%s",
               resp->message != NULL && *resp->message != '\0'
                   ? resp->message
                   : gc_error_to_string (resp->code));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* field checks */

/* a field is one line of printable UTF-8: no control characters, since a
 * line break would split the parameter and the canonical MAC input */
static gboolean
field_is_valid (const gchar *s, gsize max_len)
{
  gsize len = strlen (s);

  if (len > max_len || !g_utf8_validate (s, len, NULL))
    return FALSE;
  for (const guchar *p = (const guchar *) s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

gboolean
gc_control_nonce_is_valid (const gchar *s)
{
  gsize len = strlen (s);

  if (len < NONCE_MIN_LEN || len > NONCE_MAX_LEN)
    return FALSE;
  for (const gchar *p = s; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

/* a multicast "address:port" ("[address]:port" for IPv6) with an even
 * RTP port, as a source announces its group */
gboolean
gc_control_group_is_valid (const gchar *group)
{
  g_autoptr (GInetAddress) ia = NULL;
  g_autofree gchar *host = NULL;
  const gchar *colon;
  guint64 port = 0;

  if (group == NULL || strlen (group) > 64)
    return FALSE;
  colon = strrchr (group, ':');
  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 2, 65534, &port, NULL)
      || port % 2 != 0)
    return FALSE;
  if (group[0] == '[' && colon > group + 1 && colon[-1] == ']')
    host = g_strndup (group + 1, colon - group - 2);
  else
    host = g_strndup (group, colon - group);
  ia = g_inet_address_new_from_string (host);
  return ia != NULL && g_inet_address_get_is_multicast (ia);
}

/* replaces what a field may not hold, for text we send but do not sign */
static gchar *
sanitize (const gchar *s)
{
  g_autofree gchar *valid = NULL;
  GString *out;

  if (s == NULL)
    return NULL;
  valid = g_utf8_make_valid (s, -1);
  out = g_string_new (NULL);
  for (const guchar *p = (const guchar *) valid; *p; p++)
    {
      if (out->len >= GC_CONTROL_MAX_FIELD_LENGTH - 4)
        break;
      g_string_append_c (out, (*p < 0x20 || *p == 0x7f) ? ' ' : (gchar) *p);
    }
  /* cutting may have split a character */
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      const gchar *end = NULL;

      g_utf8_validate (out->str, out->len, &end);
      g_string_truncate (out, end - out->str);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* building */

static void
append_param (GString *body, const gchar *name, const gchar *value)
{
  if (value != NULL)
    g_string_append_printf (body, "%s: %s\r\n", name, value);
}

static GBytes *
finish_message (GString *head, GString *body)
{
  g_string_append_printf (head, "Content-Type: " CONTENT_TYPE "\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                          body->len);
  g_string_append_len (head, body->str, body->len);
  return g_string_free_to_bytes (head);
}

/* @remote_address is the receiver's "address:port" as the sender connects
 * to it ("[addr]:port" for IPv6); it names the receiver in the MAC. the
 * request must carry a timestamp and a nonce when @key is set: see
 * gc_control_request_stamp(). */
GBytes *
gc_control_request_serialize (const GcControlRequest *req,
                              const gchar            *mac,
                              const gchar            *remote_address,
                              GError                **error)
{
  const gchar *verb;
  g_autoptr (GString) body = NULL;
  GString *head;
  GBytes *bytes;
  const gchar *fields[] = { req->url, req->source_name, req->source_id };

  g_return_val_if_fail (req != NULL, NULL);
  g_return_val_if_fail (remote_address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  verb = gc_control_verb_to_string (req->verb);
  if (verb == NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "unknown control verb %d", (gint) req->verb);
      return NULL;
    }
  if (req->verb != GC_CONTROL_VERB_STATUS &&
      (req->url == NULL || *req->url == '\0'))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a %s request needs the source's URL", verb);
      return NULL;
    }
  if (req->verb == GC_CONTROL_VERB_IDENTIFY &&
      (req->seconds == 0 || req->seconds > GC_CONTROL_MAX_IDENTIFY_S))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "identify lasts 1 to %u seconds", GC_CONTROL_MAX_IDENTIFY_S);
      return NULL;
    }
  if (req->verb == GC_CONTROL_VERB_RENAME && !gc_name_is_valid (req->new_name))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a name is 1 to %u bytes of UTF-8 on one line", GC_NAME_MAX_BYTES);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i] != NULL &&
        !field_is_valid (fields[i], GC_CONTROL_MAX_FIELD_LENGTH))
      {
        g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                     "control request fields must be one line of UTF-8 of "
                     "at most %u bytes", GC_CONTROL_MAX_FIELD_LENGTH);
        return NULL;
      }
  if (!field_is_valid (remote_address, 256))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "invalid receiver address");
      return NULL;
    }
  if (req->nonce != NULL && !gc_control_nonce_is_valid (req->nonce))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a nonce is %u to %u hex digits", NONCE_MIN_LEN,
                   NONCE_MAX_LEN);
      return NULL;
    }
  if (req->group != NULL && (req->verb != GC_CONTROL_VERB_SWITCH
                             || !gc_control_group_is_valid (req->group)))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a switch request may name its multicast group as address:even-port");
      return NULL;
    }
  if (mac != NULL && (req->nonce == NULL || req->timestamp_us <= 0))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a signed request needs a timestamp and a nonce");
      return NULL;
    }

  body = g_string_new (NULL);
  append_param (body, P_VERB, verb);
  append_param (body, P_URL, req->url);
  append_param (body, P_NAME, req->source_name);
  append_param (body, P_ID, req->source_id);
  if (req->timestamp_us > 0)
    g_string_append_printf (body, P_TIMESTAMP ": %" G_GINT64_FORMAT "\r\n",
                            req->timestamp_us);
  append_param (body, P_NONCE, req->nonce);
  if (req->verb == GC_CONTROL_VERB_IDENTIFY)
    g_string_append_printf (body, P_SECONDS ": %u\r\n", req->seconds);
  if (req->verb == GC_CONTROL_VERB_RENAME)
    append_param (body, P_NEW_NAME, req->new_name);
  if (req->verb == GC_CONTROL_VERB_MUTE)
    append_param (body, P_MUTED, req->muted ? "yes" : "no");
  append_param (body, P_GROUP, req->group);
  append_param (body, P_MAC, mac);

  /* one request per connection, so the sequence number is always 1 */
  head = g_string_new (NULL);
  g_string_append_printf (head, "%s rtsp://%s" GC_CONTROL_PATH " RTSP/1.0\r\n"
                          "CSeq: 1\r\n"
                          "User-Agent: groupcast/" PACKAGE_VERSION "\r\n",
                          req->verb == GC_CONTROL_VERB_STATUS
                              ? "GET_PARAMETER"
                              : "SET_PARAMETER",
                          remote_address);
  bytes = finish_message (head, body);

  if (g_bytes_get_size (bytes) > GC_CONTROL_MAX_MESSAGE_SIZE)
    {
      g_bytes_unref (bytes);
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "control request would be larger than %u bytes",
                   GC_CONTROL_MAX_MESSAGE_SIZE);
      return NULL;
    }
  return bytes;
}

GBytes *
gc_control_response_build (const GcControlResponse *resp, guint cseq)
{
  g_autoptr (GString) body = NULL;
  g_autofree gchar *message = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *current = NULL;
  GstRTSPStatusCode status;
  GString *head;

  g_return_val_if_fail (resp != NULL, NULL);

  message = sanitize (resp->message);
  state = sanitize (resp->state);
  current = sanitize (resp->current_url);

  body = g_string_new (NULL);
  append_param (body, P_RESULT,
                resp->ok ? "ok" : gc_control_error_to_token (resp->code));
  append_param (body, P_MESSAGE, message);
  if (resp->first_frame_ms > 0 && resp->first_frame_ms < 1e9)
    {
      gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

      append_param (body, P_FIRST,
                    g_ascii_formatd (buf, sizeof buf, "%.1f",
                                     resp->first_frame_ms));
    }
  append_param (body, P_STATE, state);
  append_param (body, P_CURRENT, current);

  status = resp->ok ? GST_RTSP_STS_OK : error_to_status (resp->code);
  head = g_string_new (NULL);
  g_string_append_printf (head, "RTSP/1.0 %u %s\r\nCSeq: %u\r\n",
                          (guint) status, gst_rtsp_status_as_text (status),
                          cseq);
  return finish_message (head, body);
}

/* ------------------------------------------------------------------ */
/* parsing */

/* the one message @data holds, whole */
GstRTSPMessage *
gc_control_message_read_complete (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GstRTSPMessage *msg = NULL;

  if (len > GC_CONTROL_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "message too large (%" G_GSIZE_FORMAT " bytes, at most %u)",
                   len, GC_CONTROL_MAX_MESSAGE_SIZE);
      return NULL;
    }
  if (data != NULL && memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "malformed message: it holds a NUL byte");
      return NULL;
    }
  msg = gc_control_frame_read (data, len, NULL, &local_error);

  if (msg != NULL)
    return msg;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                 "truncated message: %s", local_error->message);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* the body's "name: value" lines, in a table; a name given twice is an
 * error, so a signed value cannot be shadowed by a second one */
static GHashTable *
parse_parameters (GstRTSPMessage *msg, GError **error)
{
  g_autoptr (GHashTable) params = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree gchar *text = NULL;
  guint8 *data = NULL;
  guint size = 0;
  gchar *content_type = NULL;

  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  gst_rtsp_message_get_body (msg, &data, &size);
  /* the library keeps a NUL after a body it read */
  if (size > 0 && data[size - 1] == '\0')
    size--;
  if (size == 0)
    return g_steal_pointer (&params);

  if (gst_rtsp_message_get_header (msg, GST_RTSP_HDR_CONTENT_TYPE,
                                   &content_type, 0) != GST_RTSP_OK ||
      g_ascii_strncasecmp (content_type, CONTENT_TYPE,
                           strlen (CONTENT_TYPE)) != 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "malformed message: body is not " CONTENT_TYPE);
      return NULL;
    }
  if (memchr (data, '\0', size) != NULL ||
      !g_utf8_validate ((const gchar *) data, size, NULL))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "malformed message: body is not UTF-8 text");
      return NULL;
    }

  text = g_strndup ((const gchar *) data, size);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gchar *line = lines[i];
      gsize line_len = strlen (line);
      gchar *colon;

      if (line_len > 0 && line[line_len - 1] == '\r')
        line[--line_len] = '\0';
      if (line_len == 0)
        continue;

      colon = strchr (line, ':');
      if (colon == NULL || colon == line)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "malformed message: body line %u is not "
                       "\"name: value\"", i + 1);
          return NULL;
        }
      *colon = '\0';
      /* the value starts after one optional space and is kept as it is */
      if (colon[1] == ' ')
        colon++;
      if (g_hash_table_contains (params, line))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "malformed message: parameter %s given twice", line);
          return NULL;
        }
      g_hash_table_insert (params, g_strdup (line), g_strdup (colon + 1));
    }
  return g_steal_pointer (&params);
}

static const gchar *
get_field (GHashTable *params, const gchar *name, GError **error)
{
  const gchar *value = g_hash_table_lookup (params, name);

  if (value != NULL && !field_is_valid (value, GC_CONTROL_MAX_FIELD_LENGTH))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "malformed message: invalid %s", name);
      return NULL;
    }
  return value;
}

/* a control request is SET_PARAMETER (or GET_PARAMETER for status) on
 * rtsp://HOST:PORT/groupcast */
static gboolean
check_request_line (GstRTSPMessage *msg, GstRTSPMethod *method, GError **error)
{
  const gchar *uri = NULL;
  GstRTSPVersion version;

  if (gst_rtsp_message_get_type (msg) != GST_RTSP_MESSAGE_REQUEST ||
      gst_rtsp_message_parse_request (msg, method, &uri, &version) != GST_RTSP_OK)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "malformed message: not a request");
      return FALSE;
    }
  if (*method != GST_RTSP_SET_PARAMETER && *method != GST_RTSP_GET_PARAMETER)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "unexpected method %s", gst_rtsp_method_as_text (*method));
      return FALSE;
    }
  if (uri == NULL || !g_str_has_prefix (uri, "rtsp://") ||
      !g_str_has_suffix (uri, GC_CONTROL_PATH))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "unexpected request URI (expected rtsp://HOST:PORT"
                   GC_CONTROL_PATH ")");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_verb (GHashTable *params, GstRTSPMethod method, GcControlVerb *verb, GError **error)
{
  *verb = gc_control_verb_from_string (g_hash_table_lookup (params, P_VERB));
  if (*verb == GC_CONTROL_VERB_INVALID)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "missing or unknown " P_VERB);
      return FALSE;
    }
  if ((*verb == GC_CONTROL_VERB_STATUS) != (method == GST_RTSP_GET_PARAMETER))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "verb %s does not go with method %s",
                   gc_control_verb_to_string (*verb), gst_rtsp_method_as_text (method));
      return FALSE;
    }
  return TRUE;
}

/* the signed fields, each checked for what a field may hold */
static gboolean
read_fields (GHashTable *params, GcControlRequest *out, GError **error)
{
  const gchar *url, *name = NULL, *id = NULL, *ts, *nonce, *group;
  GError *local_error = NULL;

  url = get_field (params, P_URL, &local_error);
  if (local_error == NULL)
    name = get_field (params, P_NAME, &local_error);
  if (local_error == NULL)
    id = get_field (params, P_ID, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (out->verb != GC_CONTROL_VERB_STATUS && (url == NULL || !g_str_has_prefix (url, "rtsp://")))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "a %s request needs an rtsp:// URL",
                   gc_control_verb_to_string (out->verb));
      return FALSE;
    }
  ts = g_hash_table_lookup (params, P_TIMESTAMP);
  if (ts != NULL)
    {
      guint64 v = 0;

      if (!g_ascii_string_to_unsigned (ts, 10, 1, G_MAXINT64, &v, NULL))
        {
          g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "malformed message: invalid " P_TIMESTAMP);
          return FALSE;
        }
      out->timestamp_us = (gint64) v;
    }
  if (out->verb == GC_CONTROL_VERB_IDENTIFY)
    {
      const gchar *secs = g_hash_table_lookup (params, P_SECONDS);
      guint64 v = 0;

      if (secs == NULL
          || !g_ascii_string_to_unsigned (secs, 10, 1, GC_CONTROL_MAX_IDENTIFY_S, &v, NULL))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "an identify request needs " P_SECONDS " from 1 to %u",
                       GC_CONTROL_MAX_IDENTIFY_S);
          return FALSE;
        }
      out->seconds = (guint) v;
    }
  if (out->verb == GC_CONTROL_VERB_RENAME)
    {
      const gchar *new_name = g_hash_table_lookup (params, P_NEW_NAME);

      if (!gc_name_is_valid (new_name))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "a rename request needs " P_NEW_NAME ": 1 to %u bytes of UTF-8 "
                       "on one line", GC_NAME_MAX_BYTES);
          return FALSE;
        }
      out->new_name = g_strdup (new_name);
    }
  if (out->verb == GC_CONTROL_VERB_MUTE)
    {
      const gchar *muted = g_hash_table_lookup (params, P_MUTED);

      if (g_strcmp0 (muted, "yes") != 0 && g_strcmp0 (muted, "no") != 0)
        {
          g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "a mute request needs " P_MUTED ": yes or no");
          return FALSE;
        }
      out->muted = g_str_equal (muted, "yes");
    }
  group = g_hash_table_lookup (params, P_GROUP);
  if (group != NULL && (out->verb != GC_CONTROL_VERB_SWITCH || !gc_control_group_is_valid (group)))
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "malformed message: " P_GROUP " is a switch's multicast "
                           "address:even-port");
      return FALSE;
    }
  nonce = g_hash_table_lookup (params, P_NONCE);
  if (nonce != NULL && !gc_control_nonce_is_valid (nonce))
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "malformed message: invalid " P_NONCE);
      return FALSE;
    }
  out->url = g_strdup (url);
  out->source_name = g_strdup (name);
  out->source_id = g_strdup (id);
  out->nonce = g_strdup (nonce);
  out->group = g_strdup (group);
  return TRUE;
}

/* decodes the fields of a request from @msg, and its MAC (NULL when it
 * carries none) into @mac; nothing is verified here (gc-control-auth.c
 * does that). malformed requests are GC_ERROR_INVALID_ARGS. */
gboolean
gc_control_request_from_message (GstRTSPMessage   *msg,
                                 GcControlRequest *out,
                                 gchar           **mac,
                                 GError          **error)
{
  g_autoptr (GHashTable) params = NULL;
  GstRTSPMethod method;
  const gchar *m;

  g_return_val_if_fail (msg != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (mac != NULL)
    *mac = NULL;
  if (!check_request_line (msg, &method, error))
    return FALSE;
  params = parse_parameters (msg, error);
  if (params == NULL || !read_verb (params, method, &out->verb, error)
      || !read_fields (params, out, error))
    {
      gc_control_request_clear (out);
      return FALSE;
    }
  m = g_hash_table_lookup (params, P_MAC);
  if (mac != NULL)
    *mac = g_strdup (m);
  return TRUE;
}

gboolean
gc_control_response_from_message (GstRTSPMessage    *msg,
                                  GcControlResponse *out,
                                  GError           **error)
{
  g_autoptr (GHashTable) params = NULL;
  GstRTSPStatusCode status;
  const gchar *reason = NULL;
  GstRTSPVersion version;
  const gchar *result, *first;
  GError *local_error = NULL;
  const gchar *message = NULL, *state = NULL, *current = NULL;

  g_return_val_if_fail (msg != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);

  if (gst_rtsp_message_get_type (msg) != GST_RTSP_MESSAGE_RESPONSE ||
      gst_rtsp_message_parse_response (msg, &status, &reason, &version)
      != GST_RTSP_OK)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "malformed answer: not a response");
      return FALSE;
    }

  params = parse_parameters (msg, error);
  if (params == NULL)
    return FALSE;

  message = get_field (params, P_MESSAGE, &local_error);
  if (local_error == NULL)
    state = get_field (params, P_STATE, &local_error);
  if (local_error == NULL)
    current = get_field (params, P_CURRENT, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  result = g_hash_table_lookup (params, P_RESULT);
  if (result == NULL)
    {
      /* a plain RTSP answer, e.g. from something that is not a receiver */
      out->ok = status == GST_RTSP_STS_OK;
      out->code = error_from_status (status);
      if (message == NULL && !out->ok)
        message = reason;
    }
  else if (g_strcmp0 (result, "ok") == 0)
    {
      out->ok = TRUE;
      out->code = GC_ERROR_FAILED;
    }
  else if (!error_from_token (result, &out->code))
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                           "malformed answer: unknown " P_RESULT);
      return FALSE;
    }

  first = g_hash_table_lookup (params, P_FIRST);
  if (first != NULL)
    {
      gchar *end = NULL;
      gdouble v = g_ascii_strtod (first, &end);

      if (end == first || *end != '\0' || !(v >= 0 && v < 1e9))
        {
          g_set_error_literal (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "malformed answer: invalid " P_FIRST);
          return FALSE;
        }
      out->first_frame_ms = v;
    }

  out->message = g_strdup (message);
  out->state = g_strdup (state);
  out->current_url = g_strdup (current);
  return TRUE;
}

gboolean
gc_control_response_parse (const guint8      *data,
                           gsize              len,
                           GcControlResponse *out,
                           GError           **error)
{
  GstRTSPMessage *msg;
  gboolean ok;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  msg = gc_control_message_read_complete (data, len, error);
  if (msg == NULL)
    return FALSE;
  ok = gc_control_response_from_message (msg, out, error);
  gst_rtsp_message_free (msg);
  return ok;
}

/* "a.b.c.d:port" or "[v6]:port" (or the address alone), with IPv4 shown as
 * IPv4 also when it reached a dual-stack socket as ::ffff:a.b.c.d */
gchar *
gc_control_address_to_string (GSocketAddress *address, gboolean with_port)
{
  GInetAddress *inet;
  g_autoptr (GInetAddress) v4 = NULL;
  g_autofree gchar *ip = NULL;
  guint16 port;

  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *b = g_inet_address_to_bytes (inet);
      static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0xff, 0xff };

      if (memcmp (b, mapped, sizeof mapped) == 0)
        {
          v4 = g_inet_address_new_from_bytes (b + 12, G_SOCKET_FAMILY_IPV4);
          inet = v4;
        }
    }

  ip = g_inet_address_to_string (inet);
  if (!with_port)
    return g_steal_pointer (&ip);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip, port);
  return g_strdup_printf ("%s:%u", ip, port);
}
