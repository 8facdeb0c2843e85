/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcControl"

#include "config.h"

#include "gc-control-frame.h"
#include "gc-error.h"

#include <gst/rtsp/gstrtspdefs.h>
#include <string.h>

/* where the head ends: the byte after the first empty line (lines end in
 * LF, with an optional CR before it), or 0 while there is none yet */
static gsize
head_end (const guint8 *data, gsize len)
{
  gsize line = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != '\n')
        continue;
      if (i == line || (i == line + 1 && data[line] == '\r'))
        return i + 1;
      line = i + 1;
    }
  return 0;
}

static gboolean
malformed (GError **error, const gchar *what)
{
  g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "malformed message: %s", what);
  return FALSE;
}

static gboolean
is_token (const gchar *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && strchr ("!#$%&'*+-.^_`|~", *s) == NULL)
      return FALSE;
  return TRUE;
}

/* "METHOD rtsp://host/path RTSP/1.0" or "RTSP/1.0 200 OK" */
static GstRTSPMessage *
start_line (const gchar *line, GError **error)
{
  g_auto (GStrv) f = g_strsplit (line, " ", 3);
  GstRTSPMessage *msg = NULL;
  guint64 code = 0;

  if (g_strv_length (f) < 2)
    return malformed (error, "not an RTSP request or response"), NULL;
  if (g_str_equal (f[0], "RTSP/1.0"))
    {
      if (!g_ascii_string_to_unsigned (f[1], 10, 100, 999, &code, NULL))
        return malformed (error, "invalid status code"), NULL;
      gst_rtsp_message_new_response (&msg, (GstRTSPStatusCode) code,
                                     f[2] != NULL ? f[2] : "", NULL);
      return msg;
    }
  if (f[2] == NULL || !g_str_equal (f[2], "RTSP/1.0") || !is_token (f[0]))
    return malformed (error, "not an RTSP request or response"), NULL;
  if (gst_rtsp_find_method (f[0]) == GST_RTSP_INVALID)
    return malformed (error, "unknown method"), NULL;
  if (gst_rtsp_message_new_request (&msg, gst_rtsp_find_method (f[0]), f[1]) != GST_RTSP_OK)
    return malformed (error, "invalid request line"), NULL;
  return msg;
}

/* "Name: value": added to @msg; Content-Length is returned, not added */
static gboolean
header_line (GstRTSPMessage *msg, gchar *line, gint64 *content_length, GError **error)
{
  gchar *colon = strchr (line, ':');
  const gchar *value;

  if (line[0] == ' ' || line[0] == '\t')
    return malformed (error, "folded header line");
  if (colon == NULL)
    return malformed (error, "header line without a colon");
  *colon = '\0';
  value = colon + 1;
  while (*value == ' ' || *value == '\t')
    value++;
  if (!is_token (line))
    return malformed (error, "invalid header name");
  if (g_ascii_strcasecmp (line, "Content-Length") == 0)
    {
      guint64 n = 0;

      if (*content_length >= 0)
        return malformed (error, "Content-Length given twice");
      if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT32, &n, NULL))
        return malformed (error, "invalid Content-Length");
      *content_length = (gint64) n;
      return TRUE;
    }
  gst_rtsp_message_add_header_by_name (msg, line, value);
  return TRUE;
}

/* the start line and headers of a complete head, its empty line last */
static GstRTSPMessage *
parse_head (const gchar *head, gint64 *content_length, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (head, "\n", -1);
  g_autoptr (GstRTSPMessage) msg = NULL;
  guint n = g_strv_length (lines);

  /* the last two elements are the empty line and what follows its LF:
   * nothing */
  for (guint i = 0; i + 1 < n; i++)
    {
      gsize l = strlen (lines[i]);

      if (l > 0 && lines[i][l - 1] == '\r')
        lines[i][--l] = '\0';
      if (memchr (lines[i], '\r', l) != NULL)
        return malformed (error, "a CR inside a line"), NULL;
    }
  if (n < 3 || (msg = start_line (lines[0], error)) == NULL)
    return n < 3 ? (malformed (error, "empty head"), NULL) : NULL;
  if (n - 3 > GC_CONTROL_MAX_HEADERS)
    return malformed (error, "too many headers"), NULL;
  for (guint i = 1; i + 2 < n; i++)
    if (!header_line (msg, lines[i], content_length, error))
      return NULL;
  return g_steal_pointer (&msg);
}

static gboolean
too_large (GError **error, gsize len)
{
  g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
               "message too large (%" G_GSIZE_FORMAT " bytes, at most %u)", len,
               GC_CONTROL_MAX_MESSAGE_SIZE);
  return FALSE;
}

static gboolean
partial (GError **error, const gchar *what)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, what);
  return FALSE;
}

/* reads the message at the start of @data (@len bytes so far). on success
 * *used is its length; whatever follows it is not looked at. fails with
 * G_IO_ERROR_PARTIAL_INPUT when @data ends before the message does (read
 * more and call again), and GC_ERROR_INVALID_ARGS when it is malformed or
 * larger than GC_CONTROL_MAX_MESSAGE_SIZE. empty lines before a message
 * are skipped, as RTSP allows. */
GstRTSPMessage *
gc_control_frame_read (const guint8 *data, gsize len, gsize *used, GError **error)
{
  g_autoptr (GstRTSPMessage) msg = NULL;
  g_autofree gchar *head = NULL;
  gint64 content_length = -1;
  gsize skip = 0, end;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (skip < len && (data[skip] == '\r' || data[skip] == '\n'))
    skip++;
  if (skip < len && data[skip] == '$')
    return malformed (error, "interleaved data is not a control message"), NULL;
  end = head_end (data + skip, MIN (len - skip, GC_CONTROL_MAX_MESSAGE_SIZE + 1));
  if (end == 0)
    {
      if (len - skip > GC_CONTROL_MAX_MESSAGE_SIZE)
        return too_large (error, len), NULL;
      return partial (error, len == skip ? "empty message" : "message ends early"), NULL;
    }
  /* control messages are text; the head is kept as a C string */
  if (memchr (data + skip, '\0', end) != NULL)
    return malformed (error, "it holds a NUL byte"), NULL;
  head = g_strndup ((const gchar *) data + skip, end);
  msg = parse_head (head, &content_length, error);
  if (msg == NULL)
    return NULL;
  content_length = MAX (content_length, 0);
  if (skip + end + (gsize) content_length > GC_CONTROL_MAX_MESSAGE_SIZE)
    return too_large (error, skip + end + (gsize) content_length), NULL;
  if (len < skip + end + (gsize) content_length)
    return partial (error, "message ends early"), NULL;
  gst_rtsp_message_set_body (msg, data + skip + end, (guint) content_length);
  if (used != NULL)
    *used = skip + end + (gsize) content_length;
  return g_steal_pointer (&msg);
}
