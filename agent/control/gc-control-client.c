/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcControlClient"

#include "config.h"

#include "gc-control-client.h"
#include "gc-control-auth.h"

#include <string.h>

/* the source's end of the control protocol: connect, send one signed
 * request, read one answer. every step is async, so any number of requests
 * run side by side on the main loop; one timer bounds the whole exchange. */

typedef struct
{
  gchar *address;
  guint16 port;
  GcControlRequest req;
  GBytes *key;
  guint timeout_ms;

  GCancellable *cancellable;    /* ours: cancelled on timeout, or with the
                                 * caller's */
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *timer;
  gboolean timed_out;

  GSocketConnection *stream;
  gchar *remote;                /* address:port connected to */
  GBytes *request_bytes;
  gsize len;
  guint8 buf[GC_CONTROL_MAX_MESSAGE_SIZE + 1];

  gboolean answered;
  GcControlResponse resp;
} Request;

static void
request_free (Request *r)
{
  if (r->timer != NULL)
    {
      g_source_destroy (r->timer);
      g_source_unref (r->timer);
    }
  if (r->caller_cancellable != NULL)
    {
      g_cancellable_disconnect (r->caller_cancellable, r->caller_handler);
      g_object_unref (r->caller_cancellable);
    }
  if (r->stream != NULL)
    g_io_stream_close (G_IO_STREAM (r->stream), NULL, NULL);
  g_clear_object (&r->stream);
  g_clear_object (&r->cancellable);
  g_clear_pointer (&r->key, g_bytes_unref);
  g_clear_pointer (&r->request_bytes, g_bytes_unref);
  gc_control_request_clear (&r->req);
  gc_control_response_clear (&r->resp);
  g_free (r->remote);
  g_free (r->address);
  g_free (r);
}

/* every failure goes through here: it tells a timeout from the caller's
 * cancellation, and names the receiver */
static void
fail (GTask *task, GcError code, GError *cause)
{
  Request *r = g_task_get_task_data (task);
  g_autoptr (GError) owned = cause;

  if (r->timed_out)
    g_task_return_new_error (task, GC_ERROR, GC_ERROR_TIMEOUT,
                             "no answer from %s port %u within %u ms",
                             r->address, r->port, r->timeout_ms);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&owned));
  else
    g_task_return_new_error (task, GC_ERROR, code, "%s port %u: %s",
                             r->address, r->port, cause->message);
  g_object_unref (task);
}

static void read_more (GTask *task);

static void
on_read (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  Request *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  GstRTSPMessage *msg;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);
  if (n < 0)
    {
      g_prefix_error (&error, "connection lost before an answer: ");
      fail (task, GC_ERROR_REFUSED, g_steal_pointer (&error));
      return;
    }
  if (n == 0)
    {
      /* e.g. the receiver was at its connection limit */
      fail (task, GC_ERROR_REFUSED,
            g_error_new_literal (GC_ERROR, GC_ERROR_REFUSED,
                                 "the receiver closed the connection "
                                 "without an answer"));
      return;
    }

  r->len += n;
  msg = gc_control_frame_read (r->buf, r->len, NULL, &error);
  if (msg == NULL &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    {
      read_more (task);
      return;
    }
  if (msg == NULL)
    {
      fail (task, GC_ERROR_FAILED,
            g_error_new (GC_ERROR, GC_ERROR_FAILED, "malformed answer: %s",
                         error->message));
      return;
    }
  if (!gc_control_response_from_message (msg, &r->resp, &error))
    {
      gst_rtsp_message_free (msg);
      fail (task, GC_ERROR_FAILED, g_steal_pointer (&error));
      return;
    }
  gst_rtsp_message_free (msg);

  r->answered = TRUE;
  if (!gc_control_response_to_error (&r->resp, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
read_more (GTask *task)
{
  Request *r = g_task_get_task_data (task);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (r->stream));

  g_input_stream_read_async (in, r->buf + r->len, sizeof r->buf - r->len,
                             G_PRIORITY_DEFAULT, r->cancellable, on_read,
                             task);
}

static void
on_written (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL,
                                         &error))
    {
      fail (task, GC_ERROR_REFUSED, g_steal_pointer (&error));
      return;
    }
  read_more (task);
}

static void
on_connected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  Request *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) remote = NULL;
  GOutputStream *out;

  r->stream = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res,
                                              &error);
  if (r->stream == NULL)
    {
      /* refused, no route, host down, name unknown: all "unreachable" */
      fail (task, GC_ERROR_UNREACHABLE, g_steal_pointer (&error));
      return;
    }

  /* sign for the address actually reached, as the receiver sees it */
  remote = g_socket_connection_get_remote_address (r->stream, &error);
  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    {
      fail (task, GC_ERROR_FAILED,
            error != NULL ? g_steal_pointer (&error)
                          : g_error_new_literal (GC_ERROR, GC_ERROR_FAILED,
                                                 "not an IP connection"));
      return;
    }
  r->remote = gc_control_address_to_string (remote, TRUE);

  gc_control_request_stamp (&r->req, g_get_real_time ());
  r->request_bytes = gc_control_request_build (&r->req, r->key, r->remote,
                                               &error);
  if (r->request_bytes == NULL)
    {
      fail (task, GC_ERROR_INVALID_ARGS, g_steal_pointer (&error));
      return;
    }

  out = g_io_stream_get_output_stream (G_IO_STREAM (r->stream));
  g_output_stream_write_all_async (out,
                                   g_bytes_get_data (r->request_bytes, NULL),
                                   g_bytes_get_size (r->request_bytes),
                                   G_PRIORITY_DEFAULT, r->cancellable,
                                   on_written, task);
}

static gboolean
on_timeout (gpointer user_data)
{
  Request *r = user_data;

  r->timed_out = TRUE;
  g_clear_pointer (&r->timer, g_source_unref);
  g_cancellable_cancel (r->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller, gpointer user_data)
{
  GCancellable *ours = user_data;

  g_cancellable_cancel (ours);
}

/* sends @req (its timestamp and nonce are filled in here) to the control
 * server at @address:@port, signed with @key when it is not NULL, and waits
 * at most @timeout_ms for the whole exchange */
void
gc_control_client_request_async (const gchar            *address,
                                 guint16                 port,
                                 const GcControlRequest *req,
                                 GBytes                 *key,
                                 guint                   timeout_ms,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data)
{
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GSocketConnectable) connectable = NULL;
  GTask *task;
  Request *r;

  g_return_if_fail (address != NULL);
  g_return_if_fail (req != NULL);
  g_return_if_fail (timeout_ms > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gc_control_client_request_async);

  r = g_new0 (Request, 1);
  r->address = g_strdup (address);
  r->port = port;
  gc_control_request_copy (&r->req, req);
  r->key = key != NULL ? g_bytes_ref (key) : NULL;
  r->timeout_ms = timeout_ms;
  r->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, r, (GDestroyNotify) request_free);

  if (cancellable != NULL)
    {
      r->caller_cancellable = g_object_ref (cancellable);
      r->caller_handler = g_cancellable_connect (cancellable,
                                                 G_CALLBACK (on_caller_cancelled),
                                                 g_object_ref (r->cancellable),
                                                 g_object_unref);
    }

  r->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (r->timer, on_timeout, r, NULL);
  g_source_attach (r->timer, g_task_get_context (task));

  client = g_socket_client_new ();
  /* a receiver on the LAN, never through a proxy (and no proxy lookup:
   * libproxy would run in a thread for every switch) */
  g_socket_client_set_enable_proxy (client, FALSE);
  connectable = g_network_address_new (address, port);
  g_socket_client_connect_async (client, connectable, r->cancellable,
                                 on_connected, task);
}

/* on success fills @out with the answer. when the receiver answered with an
 * error, returns FALSE with that error mapped to GC_ERROR (NOT_AUTHORIZED,
 * REFUSED, STREAM, ...) and still fills @out with the answer. other errors:
 * GC_ERROR_UNREACHABLE, GC_ERROR_TIMEOUT, GC_ERROR_REFUSED (closed without
 * an answer), GC_ERROR_FAILED (malformed answer), G_IO_ERROR_CANCELLED. */
gboolean
gc_control_client_request_finish (GAsyncResult      *result,
                                  GcControlResponse *out,
                                  GError           **error)
{
  Request *r;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == gc_control_client_request_async, FALSE);

  r = g_task_get_task_data (G_TASK (result));
  if (out != NULL)
    {
      memset (out, 0, sizeof *out);
      if (r->answered)
        {
          *out = r->resp;
          memset (&r->resp, 0, sizeof r->resp);
        }
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}
