/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcControlServer"

#include "config.h"

#include "gc-control-server.h"
#include "gc-control-auth.h"

#include <glib/gstdio.h>
#include <string.h>

/* the receiver's end of the control protocol. each TCP connection carries
 * one request and its answer. everything runs on the main loop: reads and
 * writes are async, and a handler may answer seconds later (after the first
 * decoded frame) while other connections are served. every connection is
 * bounded: in number, in bytes, and in time. */

typedef struct _Conn Conn;

struct _GcControlServer
{
  GObject parent_instance;

  guint16 port;
  gchar *bind_address;
  GBytes *key;
  gboolean allow_unauthenticated;
  guint max_connections;
  guint max_per_host;
  guint idle_timeout_ms;
  guint reply_timeout_ms;

  GSocketService *service;
  guint16 bound_port;
  GHashTable *conns;            /* Conn -> itself, holding a ref */
  GHashTable *hosts;            /* peer address -> Host */
  GcReplayCache *replay_cache;
  gchar *replay_file;           /* where the cache is kept across restarts */
  gint64 floor_us;              /* without one: signed requests older than
                                 * this (the start) are refused */

  GcControlPeerFilter filter;
  gpointer filter_data;
  GDestroyNotify filter_destroy;
};

G_DEFINE_FINAL_TYPE (GcControlServer, gc_control_server, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PORT,
  PROP_BIND_ADDRESS,
  PROP_KEY,
  PROP_ALLOW_UNAUTHENTICATED,
  PROP_MAX_CONNECTIONS,
  PROP_MAX_PER_HOST,
  PROP_IDLE_TIMEOUT,
  PROP_REPLY_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _Conn
{
  gint ref_count;
  GcControlServer *server;      /* not owned; NULL once the server let go */
  GSocketConnection *stream;
  GCancellable *cancellable;
  gchar *peer;                  /* the peer's address */
  gchar *local;                 /* address:port the peer connected to */
  GSource *idle_timer;
  GBytes *answer;
  guint cseq;
  gboolean closed;
  gsize len;
  guint8 buf[GC_CONTROL_MAX_MESSAGE_SIZE + 1];
};

/* what one host holds: one host may not take every connection slot */
typedef struct
{
  guint open;
  guint refused;                /* since it reached its limit */
} Host;

struct _GcControlReply
{
  gint ref_count;
  Conn *conn;
  GcControlRequest request;
  gchar *peer;
  GSource *timer;
  gboolean returned;
};

static void conn_close (Conn *conn);
static void conn_send (Conn *conn, const GcControlResponse *resp);

/* ------------------------------------------------------------------ */
/* connections */

static Conn *
conn_ref (Conn *conn)
{
  g_atomic_int_inc (&conn->ref_count);
  return conn;
}

static void
conn_unref (Conn *conn)
{
  if (!g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  g_assert (conn->idle_timer == NULL);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->cancellable);
  g_clear_pointer (&conn->answer, g_bytes_unref);
  g_free (conn->peer);
  g_free (conn->local);
  g_free (conn);
}

static void
conn_close (Conn *conn)
{
  GcControlServer *self = conn->server;

  if (conn->closed)
    return;
  conn->closed = TRUE;

  if (conn->idle_timer != NULL)
    {
      g_source_destroy (conn->idle_timer);
      g_clear_pointer (&conn->idle_timer, g_source_unref);
    }
  g_cancellable_cancel (conn->cancellable);
  /* closing a plain socket does not block */
  g_io_stream_close (G_IO_STREAM (conn->stream), NULL, NULL);

  conn->server = NULL;
  if (self != NULL)
    {
      Host *h = g_hash_table_lookup (self->hosts, conn->peer);

      if (h != NULL && --h->open == 0)
        {
          if (h->refused > 0)
            g_message ("control connections from %s: back under the limit of %u "
                       "(%u refused)", conn->peer, self->max_per_host, h->refused);
          g_hash_table_remove (self->hosts, conn->peer);
        }
      g_hash_table_remove (self->conns, conn);   /* may drop the last ref */
    }
}

/* answers @conn with @error, which it takes */
static void
conn_refuse (Conn *conn, GError *error)
{
  g_auto (GcControlResponse) resp = { 0 };

  g_message ("refused control request from %s: %s", conn->peer,
             error->message);
  gc_control_response_set_error (&resp,
                                 error->domain == GC_ERROR
                                     ? (GcError) error->code
                                     : GC_ERROR_FAILED,
                                 error->message);
  conn_send (conn, &resp);
  g_error_free (error);
}

static gboolean
on_idle_timeout (gpointer user_data)
{
  Conn *conn = user_data;

  g_debug ("closing control connection from %s: no request within %u ms",
           conn->peer, conn->server != NULL
                           ? conn->server->idle_timeout_ms : 0);
  g_clear_pointer (&conn->idle_timer, g_source_unref);
  conn_close (conn);
  return G_SOURCE_REMOVE;
}

static void
on_answer_written (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Conn *conn = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL,
                                         &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("cannot answer %s: %s", conn->peer, error->message);
  conn_close (conn);
  conn_unref (conn);
}

static void
conn_send (Conn *conn, const GcControlResponse *resp)
{
  GOutputStream *out;

  if (conn->closed || conn->answer != NULL)
    return;
  conn->answer = gc_control_response_build (resp, conn->cseq);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn->stream));
  g_output_stream_write_all_async (out, g_bytes_get_data (conn->answer, NULL),
                                   g_bytes_get_size (conn->answer),
                                   G_PRIORITY_DEFAULT, conn->cancellable,
                                   on_answer_written, conn_ref (conn));
}

/* ------------------------------------------------------------------ */
/* replies */

G_DEFINE_BOXED_TYPE (GcControlReply, gc_control_reply, gc_control_reply_ref,
                     gc_control_reply_unref)

GcControlReply *
gc_control_reply_ref (GcControlReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  g_atomic_int_inc (&reply->ref_count);
  return reply;
}

void
gc_control_reply_unref (GcControlReply *reply)
{
  g_return_if_fail (reply != NULL);

  if (!g_atomic_int_dec_and_test (&reply->ref_count))
    return;

  /* nobody will answer any more: say so rather than leave the sender
   * waiting for its timeout */
  if (!reply->returned)
    {
      g_auto (GcControlResponse) resp = { 0 };

      resp.ok = FALSE;
      resp.code = GC_ERROR_NOT_SUPPORTED;
      resp.message = g_strdup ("the receiver did not handle the request");
      reply->returned = TRUE;
      conn_send (reply->conn, &resp);
    }
  if (reply->timer != NULL)
    {
      g_source_destroy (reply->timer);
      g_source_unref (reply->timer);
    }
  gc_control_request_clear (&reply->request);
  g_free (reply->peer);
  conn_unref (reply->conn);
  g_free (reply);
}

/* the request, valid as long as the reply is */
const GcControlRequest *
gc_control_reply_get_request (GcControlReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return &reply->request;
}

const gchar *
gc_control_reply_get_peer_address (GcControlReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->peer;
}

gboolean
gc_control_reply_is_returned (GcControlReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->returned;
}

/* sends the answer. a reply is answered once: later calls (for instance
 * after the reply timeout answered for the handler) are ignored */
void
gc_control_reply_return (GcControlReply          *reply,
                         const GcControlResponse *resp)
{
  g_return_if_fail (reply != NULL);
  g_return_if_fail (resp != NULL);

  if (reply->returned)
    {
      g_debug ("answer to %s came after the request was answered",
               reply->peer);
      return;
    }
  reply->returned = TRUE;
  if (reply->timer != NULL)
    {
      g_source_destroy (reply->timer);
      g_clear_pointer (&reply->timer, g_source_unref);
    }
  conn_send (reply->conn, resp);
}

void
gc_control_reply_return_error (GcControlReply *reply, const GError *error)
{
  g_auto (GcControlResponse) resp = { 0 };

  g_return_if_fail (reply != NULL);
  g_return_if_fail (error != NULL);

  gc_control_response_set_error (&resp,
                                 error->domain == GC_ERROR
                                     ? (GcError) error->code
                                     : GC_ERROR_FAILED,
                                 error->message);
  gc_control_reply_return (reply, &resp);
}

static gboolean
on_reply_timeout (gpointer user_data)
{
  GcControlReply *reply = user_data;
  guint ms = reply->conn->server != NULL
                 ? reply->conn->server->reply_timeout_ms : 0;
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&reply->timer, g_source_unref);
  error = g_error_new (GC_ERROR, GC_ERROR_TIMEOUT,
                       "no outcome within %u ms", ms);
  g_message ("control request from %s: %s", reply->peer, error->message);
  gc_control_reply_return_error (reply, error);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* requests */

static void
save_replay_cache (GcControlServer *self)
{
  g_autoptr (GError) error = NULL;

  if (gc_replay_cache_save (self->replay_cache, self->replay_file, g_get_real_time (), &error))
    return;
  /* gone, so the next start knows it has no cache and applies the floor */
  g_warning ("cannot keep the replay cache in %s: %s; after a restart, requests signed "
             "before it will be refused", self->replay_file, error->message);
  g_unlink (self->replay_file);
  g_clear_pointer (&self->replay_file, g_free);
}

static void
handle_message (GcControlServer *self, Conn *conn, GstRTSPMessage *msg)
{
  g_auto (GcControlRequest) req = { 0 };
  GError *error = NULL;
  GcControlReply *reply;
  gchar *cseq = NULL;

  if (gst_rtsp_message_get_header (msg, GST_RTSP_HDR_CSEQ, &cseq, 0)
      == GST_RTSP_OK)
    conn->cseq = (guint) MIN (g_ascii_strtoull (cseq, NULL, 10), G_MAXINT);

  /* hosts whose beacons were never seen are refused before their request
   * is even checked, so they cannot fill the replay cache */
  if (self->filter != NULL && !self->filter (conn->peer, self->filter_data))
    {
      conn_refuse (conn, g_error_new (GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                                      "host %s is not known to this "
                                      "receiver (none of its beacons or mDNS "
                                      "records reached it)", conn->peer));
      return;
    }

  if (!gc_control_request_check_message (msg, self->key, self->replay_cache,
                                         g_get_real_time (), conn->local,
                                         &req, &error))
    {
      conn_refuse (conn, error);
      return;
    }
  if (self->key == NULL && !self->allow_unauthenticated &&
      req.verb != GC_CONTROL_VERB_STATUS)
    {
      conn_refuse (conn, g_error_new (GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                                      "this receiver has no site key and "
                                      "does not accept unauthenticated %s "
                                      "requests",
                                      gc_control_verb_to_string (req.verb)));
      return;
    }

  /* a nonce seen before a restart is not in the cache: where the cache is
   * not kept, what was signed before the start could be a replay */
  if (self->key != NULL && req.timestamp_us < self->floor_us)
    {
      conn_refuse (conn, g_error_new (GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                                      "request signed before this receiver started "
                                      "(it keeps no replay cache across restarts)"));
      return;
    }
  if (self->key != NULL && self->replay_file != NULL)
    save_replay_cache (self);

  g_info ("control request %s from %s (%s)",
          gc_control_verb_to_string (req.verb), conn->peer,
          req.source_name != NULL ? req.source_name : "unnamed source");

  reply = g_new0 (GcControlReply, 1);
  reply->ref_count = 1;
  reply->conn = conn_ref (conn);
  reply->peer = g_strdup (conn->peer);
  gc_control_request_copy (&reply->request, &req);
  reply->timer = g_timeout_source_new (self->reply_timeout_ms);
  g_source_set_callback (reply->timer, on_reply_timeout, reply, NULL);
  g_source_attach (reply->timer, g_main_context_get_thread_default ());

  g_signal_emit (self, signals[SIGNAL_REQUEST], 0, &reply->request,
                 reply->peer, reply);
  /* a handler that answers later holds its own ref */
  gc_control_reply_unref (reply);
}

static void read_more (Conn *conn);


static void
on_read (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Conn *conn = user_data;
  GcControlServer *self = conn->server;
  g_autoptr (GError) error = NULL;
  GstRTSPMessage *msg;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);
  if (conn->closed || self == NULL)
    {
      conn_unref (conn);
      return;
    }
  if (n <= 0)
    {
      /* the peer hung up, or reset: nobody to answer */
      g_debug ("control connection from %s closed before a full request%s%s",
               conn->peer, error != NULL ? ": " : "",
               error != NULL ? error->message : "");
      conn_close (conn);
      conn_unref (conn);
      return;
    }

  conn->len += n;
  msg = gc_control_frame_read (conn->buf, conn->len, NULL, &error);
  if (msg == NULL &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    {
      read_more (conn);
      conn_unref (conn);
      return;
    }

  /* a full request (or garbage): no more reading, and no idle timeout */
  if (conn->idle_timer != NULL)
    {
      g_source_destroy (conn->idle_timer);
      g_clear_pointer (&conn->idle_timer, g_source_unref);
    }

  if (msg == NULL)
    conn_refuse (conn, g_steal_pointer (&error));
  else
    {
      handle_message (self, conn, msg);
      gst_rtsp_message_free (msg);
    }
  conn_unref (conn);
}

static void
read_more (Conn *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn->stream));

  /* the buffer holds one byte more than a message may have, so that an
   * oversized message is seen as such */
  g_input_stream_read_async (in, conn->buf + conn->len,
                             sizeof conn->buf - conn->len, G_PRIORITY_DEFAULT,
                             conn->cancellable, on_read, conn_ref (conn));
}

/* a host under its limit gets one more connection; one at its limit is
 * logged when it reaches it and when it is back under, not per refusal */
static gboolean
host_admit (GcControlServer *self, GSocketAddress *remote)
{
  g_autofree gchar *peer = gc_control_address_to_string (remote, FALSE);
  Host *h = g_hash_table_lookup (self->hosts, peer);

  if (h == NULL)
    {
      h = g_new0 (Host, 1);
      g_hash_table_insert (self->hosts, g_strdup (peer), h);
    }
  if (h->open >= self->max_per_host)
    {
      if (h->refused++ == 0)
        g_message ("control connections from %s: %u open, the most one host may hold; "
                   "closing more at once", peer, h->open);
      return FALSE;
    }
  h->open++;
  return TRUE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *stream,
             GObject           *source_object,
             gpointer           user_data)
{
  GcControlServer *self = user_data;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  Conn *conn;

  remote = g_socket_connection_get_remote_address (stream, NULL);
  local = g_socket_connection_get_local_address (stream, NULL);

  if (g_hash_table_size (self->conns) >= self->max_connections ||
      !G_IS_INET_SOCKET_ADDRESS (remote) || !G_IS_INET_SOCKET_ADDRESS (local))
    {
      /* one line per refused connection would let a flood fill the log */
      g_debug ("closing control connection: %u open, limit %u",
               g_hash_table_size (self->conns), self->max_connections);
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
      return TRUE;
    }
  if (!host_admit (self, remote))
    {
      g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
      return TRUE;
    }

  conn = g_new0 (Conn, 1);
  conn->ref_count = 1;
  conn->server = self;
  conn->stream = g_object_ref (stream);
  conn->cancellable = g_cancellable_new ();
  conn->peer = gc_control_address_to_string (remote, FALSE);
  conn->local = gc_control_address_to_string (local, TRUE);
  conn->cseq = 1;
  g_hash_table_add (self->conns, conn);

  conn->idle_timer = g_timeout_source_new (self->idle_timeout_ms);
  g_source_set_callback (conn->idle_timer, on_idle_timeout, conn, NULL);
  g_source_attach (conn->idle_timer, g_main_context_get_thread_default ());

  read_more (conn);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* the object */

static void
close_all (GcControlServer *self)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer conn;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, &conn, NULL))
    g_ptr_array_add (all, conn_ref (conn));
  for (guint i = 0; i < all->len; i++)
    {
      conn_close (all->pdata[i]);
      conn_unref (all->pdata[i]);
    }
}

static void
gc_control_server_dispose (GObject *object)
{
  GcControlServer *self = GC_CONTROL_SERVER (object);

  gc_control_server_stop (self);
  if (self->filter_destroy != NULL)
    self->filter_destroy (self->filter_data);
  self->filter = NULL;
  self->filter_data = NULL;
  self->filter_destroy = NULL;

  G_OBJECT_CLASS (gc_control_server_parent_class)->dispose (object);
}

static void
gc_control_server_finalize (GObject *object)
{
  GcControlServer *self = GC_CONTROL_SERVER (object);

  g_hash_table_unref (self->conns);
  g_hash_table_unref (self->hosts);
  g_free (self->replay_file);
  gc_replay_cache_free (self->replay_cache);
  g_clear_pointer (&self->key, g_bytes_unref);
  g_free (self->bind_address);

  G_OBJECT_CLASS (gc_control_server_parent_class)->finalize (object);
}

static void
gc_control_server_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GcControlServer *self = GC_CONTROL_SERVER (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, self->bound_port != 0 ? self->bound_port
                                                     : self->port);
      break;
    case PROP_BIND_ADDRESS:
      g_value_set_string (value, self->bind_address);
      break;
    case PROP_ALLOW_UNAUTHENTICATED:
      g_value_set_boolean (value, self->allow_unauthenticated);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_MAX_PER_HOST:
      g_value_set_uint (value, self->max_per_host);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout_ms);
      break;
    case PROP_REPLY_TIMEOUT:
      g_value_set_uint (value, self->reply_timeout_ms);
      break;
    default:
      /* the key is write-only: it is not handed out again */
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_control_server_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GcControlServer *self = GC_CONTROL_SERVER (object);

  switch (prop_id)
    {
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_BIND_ADDRESS:
      g_free (self->bind_address);
      self->bind_address = g_value_dup_string (value);
      break;
    case PROP_KEY:
      g_clear_pointer (&self->key, g_bytes_unref);
      self->key = g_value_dup_boxed (value);
      break;
    case PROP_ALLOW_UNAUTHENTICATED:
      self->allow_unauthenticated = g_value_get_boolean (value);
      break;
    case PROP_MAX_CONNECTIONS:
      self->max_connections = g_value_get_uint (value);
      break;
    case PROP_MAX_PER_HOST:
      self->max_per_host = g_value_get_uint (value);
      break;
    case PROP_IDLE_TIMEOUT:
      self->idle_timeout_ms = g_value_get_uint (value);
      break;
    case PROP_REPLY_TIMEOUT:
      self->reply_timeout_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_control_server_class_init (GcControlServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_control_server_dispose;
  object_class->finalize = gc_control_server_finalize;
  object_class->get_property = gc_control_server_get_property;
  object_class->set_property = gc_control_server_set_property;

  /* 0 picks a free port: see gc_control_server_get_port() */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16,
                       GC_DEFAULT_CONTROL_PORT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS);
  properties[PROP_BIND_ADDRESS] =
    g_param_spec_string ("bind-address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_KEY] =
    g_param_spec_boxed ("key", NULL, NULL, G_TYPE_BYTES,
                        G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOW_UNAUTHENTICATED] =
    g_param_spec_boolean ("allow-unauthenticated", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, 65536,
                       GC_CONTROL_SERVER_DEFAULT_MAX_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_STATIC_STRINGS);
  /* connections one host may hold at once, below the global bound, so
   * one host cannot take every slot */
  properties[PROP_MAX_PER_HOST] =
    g_param_spec_uint ("max-connections-per-host", NULL, NULL, 1, 65536,
                       GC_CONTROL_SERVER_DEFAULT_MAX_PER_HOST,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_STATIC_STRINGS);
  /* how long a connection may stay open without a full request */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 1, G_MAXUINT,
                       GC_CONTROL_SERVER_DEFAULT_IDLE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_STATIC_STRINGS);
  /* how long a handler may take to answer before the sender is told
   * "timeout" */
  properties[PROP_REPLY_TIMEOUT] =
    g_param_spec_uint ("reply-timeout", NULL, NULL, 1, G_MAXUINT,
                       GC_CONTROL_SERVER_DEFAULT_REPLY_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GcControlServer::request:
   * @req: (type gpointer): the checked request, a #GcControlRequest
   * @peer_address: the sender's address
   * @reply: a #GcControlReply; keep a ref and call
   *   gc_control_reply_return() once the outcome is known
   */
  signals[SIGNAL_REQUEST] =
    g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_POINTER,
                  G_TYPE_STRING, GC_TYPE_CONTROL_REPLY);
}

static void
gc_control_server_init (GcControlServer *self)
{
  self->conns = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) conn_unref,
                                       NULL);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->replay_cache = gc_replay_cache_new (GC_REPLAY_CACHE_DEFAULT_MAX,
                                            GC_REPLAY_CACHE_DEFAULT_TTL_US);
  /* until a replay file is given: nothing signed before the start */
  self->floor_us = g_get_real_time ();
}

/* @key may be NULL: then requests are not verified, and only "status" is
 * answered unless @allow_unauthenticated */
GcControlServer *
gc_control_server_new (guint16      port,
                       const gchar *bind_address,
                       GBytes      *key,
                       gboolean     allow_unauthenticated)
{
  return g_object_new (GC_TYPE_CONTROL_SERVER,
                       "port", (guint) port,
                       "bind-address", bind_address,
                       "key", key,
                       "allow-unauthenticated", allow_unauthenticated,
                       NULL);
}

gboolean
gc_control_server_start (GcControlServer *self, GError **error)
{
  g_autoptr (GSocketService) service = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (GC_IS_CONTROL_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);

  service = g_socket_service_new ();
  /* the default backlog of 10 drops connections arriving in a burst (a
   * source switching many receivers, or a flood we want to close cleanly) */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 128);
  if (self->bind_address != NULL)
    {
      g_autoptr (GSocketAddress) address = NULL;
      g_autoptr (GSocketAddress) effective = NULL;

      address = g_inet_socket_address_new_from_string (self->bind_address,
                                                       self->port);
      if (address == NULL)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "invalid control bind address %s", self->bind_address);
          return FALSE;
        }
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service),
                                          address, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL,
                                          &effective, &local_error))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                       "cannot listen for control requests on %s port %u: %s",
                       self->bind_address, self->port, local_error->message);
          return FALSE;
        }
      self->bound_port = g_inet_socket_address_get_port (
        G_INET_SOCKET_ADDRESS (effective));
    }
  else if (self->port == 0)
    {
      self->bound_port = g_socket_listener_add_any_inet_port (
        G_SOCKET_LISTENER (service), NULL, &local_error);
      if (self->bound_port == 0)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                       "cannot listen for control requests: %s",
                       local_error->message);
          return FALSE;
        }
    }
  else
    {
      if (!g_socket_listener_add_inet_port (G_SOCKET_LISTENER (service),
                                            self->port, NULL, &local_error))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                       "cannot listen for control requests on port %u: %s",
                       self->port, local_error->message);
          return FALSE;
        }
      self->bound_port = self->port;
    }

  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);

  g_info ("control server listening on %s port %u%s",
          self->bind_address != NULL ? self->bind_address : "all addresses",
          self->bound_port,
          self->key != NULL ? ""
          : self->allow_unauthenticated ? " (no site key: accepting "
                                          "unauthenticated requests)"
                                        : " (no site key: status only)");
  return TRUE;
}

/* stops listening and closes every connection; answers still to come are
 * dropped */
void
gc_control_server_stop (GcControlServer *self)
{
  g_return_if_fail (GC_IS_CONTROL_SERVER (self));

  if (self->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
    }
  close_all (self);
}

/* the port it listens on, once started (useful when created with port 0) */
void
gc_control_server_set_key (GcControlServer *self, GBytes *key)
{
  g_return_if_fail (GC_IS_CONTROL_SERVER (self));

  g_clear_pointer (&self->key, g_bytes_unref);
  self->key = key != NULL ? g_bytes_ref (key) : NULL;
  /* requests signed before now were never accepted with this key */
  self->floor_us = g_get_real_time ();
}

guint16
gc_control_server_get_port (GcControlServer *self)
{
  g_return_val_if_fail (GC_IS_CONTROL_SERVER (self), 0);
  return self->bound_port != 0 ? self->bound_port : self->port;
}

guint
gc_control_server_get_n_connections (GcControlServer *self)
{
  g_return_val_if_fail (GC_IS_CONTROL_SERVER (self), 0);
  return g_hash_table_size (self->conns);
}

/* keeps the nonces seen in @path (STATE_DIR/replay-cache), so a request
 * seen before a restart is still refused after it. the file is written at
 * once, even empty: when it is missing at the next start (the first start,
 * or it could not be kept), or cannot be read or written, the server
 * refuses requests signed before its start instead, and returns FALSE for
 * the last two */
gboolean
gc_control_server_set_replay_file (GcControlServer *self, const gchar *path, GError **error)
{
  gint64 now = g_get_real_time ();
  gboolean had_one = g_file_test (path, G_FILE_TEST_IS_REGULAR);
  gint n;

  g_return_val_if_fail (GC_IS_CONTROL_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  n = gc_replay_cache_load (self->replay_cache, path, now, error);
  if (n < 0 || !gc_replay_cache_save (self->replay_cache, path, now, error))
    {
      g_prefix_error (error, "replay cache %s: ", path);
      return FALSE;
    }
  g_free (self->replay_file);
  self->replay_file = g_strdup (path);
  if (had_one)
    self->floor_us = 0;
  g_debug ("replay cache %s: %d nonces still live", path, n);
  return TRUE;
}

/* @func decides whether a peer is known; unknown peers are answered "not
 * authorized". NULL accepts every peer. */
void
gc_control_server_set_peer_filter (GcControlServer     *self,
                                   GcControlPeerFilter  func,
                                   gpointer             data,
                                   GDestroyNotify       destroy)
{
  g_return_if_fail (GC_IS_CONTROL_SERVER (self));

  if (self->filter_destroy != NULL)
    self->filter_destroy (self->filter_data);
  self->filter = func;
  self->filter_data = data;
  self->filter_destroy = destroy;
}
