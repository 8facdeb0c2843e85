/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

#include "gc-control-auth.h"
#include "gc-control-client.h"
#include "gc-control-server.h"

/* control server and client over real sockets on 127.0.0.1, on ephemeral
 * ports; server and clients share this process's main loop, as a receiver's
 * agent and the sources talking to it would not, so nothing here may block */

#define KEY_TEXT "loopback-site-key"

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
  GcControlResponse resp;
  gint64 started_us;
  gint64 elapsed_us;
} Result;

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  gc_control_response_clear (&r->resp);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static GBytes *
key_new (const gchar *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
on_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->ok = gc_control_client_request_finish (res, &r->resp, &r->error);
  r->elapsed_us = g_get_monotonic_time () - r->started_us;
  r->done = TRUE;
}

static void
fill_request (GcControlRequest *req, GcControlVerb verb)
{
  memset (req, 0, sizeof *req);
  req->verb = verb;
  if (verb != GC_CONTROL_VERB_STATUS)
    req->url = g_strdup ("rtsp://127.0.0.1:7236/screen");
  req->source_name = g_strdup ("test source");
  req->source_id = g_strdup ("0123456789abcdef");
}

static void
start_request (Result *r, guint16 port, GcControlVerb verb, GBytes *key,
               guint timeout_ms)
{
  g_auto (GcControlRequest) req = { 0 };

  memset (r, 0, sizeof *r);
  fill_request (&req, verb);
  r->started_us = g_get_monotonic_time ();
  gc_control_client_request_async ("127.0.0.1", port, &req, key, timeout_ms,
                                   NULL, on_done, r);
}

/* iterates the main loop until @done or @timeout_ms pass */
static gboolean
spin_until (gboolean *done, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  while (!*done && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return *done;
}

static void
spin_for (guint ms)
{
  gboolean never = FALSE;

  spin_until (&never, ms);
}

static void
request (Result *r, guint16 port, GcControlVerb verb, GBytes *key,
         guint timeout_ms)
{
  start_request (r, port, verb, key, timeout_ms);
  g_assert_true (spin_until (&r->done, timeout_ms + 2000));
}

static GcControlServer *
server_new (GBytes *key, gboolean allow_unauthenticated)
{
  g_autoptr (GError) error = NULL;
  GcControlServer *server = gc_control_server_new (0, "127.0.0.1", key,
                                                   allow_unauthenticated);

  g_assert_true (gc_control_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gc_control_server_get_port (server), >, 0);
  return server;
}

/* answers at once: ok, with a made-up first frame time */
typedef struct
{
  guint n_requests;
  gchar *last_peer;
  GcControlVerb last_verb;
} Handler;

static void
handler_clear (Handler *h)
{
  g_clear_pointer (&h->last_peer, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Handler, handler_clear)

static void
on_request_now (GcControlServer  *server,
                GcControlRequest *req,
                const gchar      *peer,
                GcControlReply   *reply,
                gpointer          user_data)
{
  Handler *h = user_data;
  g_auto (GcControlResponse) resp = { 0 };

  h->n_requests++;
  g_free (h->last_peer);
  h->last_peer = g_strdup (peer);
  h->last_verb = req->verb;

  resp.ok = TRUE;
  resp.state = g_strdup (req->verb == GC_CONTROL_VERB_SWITCH ? "playing"
                                                             : "idle");
  resp.current_url = g_strdup (req->url);
  gc_control_reply_return (reply, &resp);
}

/* answers switch requests 300 ms later, as after the first decoded frame,
 * and status requests at once */
static gboolean
answer_later (gpointer user_data)
{
  GcControlReply *reply = user_data;
  g_auto (GcControlResponse) resp = { 0 };

  resp.ok = TRUE;
  resp.message = g_strdup ("showing test source");
  resp.first_frame_ms = 300;
  resp.state = g_strdup ("playing");
  resp.current_url = g_strdup (gc_control_reply_get_request (reply)->url);
  gc_control_reply_return (reply, &resp);
  return G_SOURCE_REMOVE;
}

static void
on_request_later (GcControlServer  *server,
                  GcControlRequest *req,
                  const gchar      *peer,
                  GcControlReply   *reply,
                  gpointer          user_data)
{
  if (req->verb == GC_CONTROL_VERB_SWITCH)
    g_timeout_add_full (G_PRIORITY_DEFAULT, 300, answer_later,
                        gc_control_reply_ref (reply),
                        (GDestroyNotify) gc_control_reply_unref);
  else
    on_request_now (server, req, peer, reply, user_data);
}

static void
test_deferred_answer (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = server_new (key, FALSE);
  guint16 port = gc_control_server_get_port (server);
  g_auto (Result) sw = { 0 };
  Result status[5];
  g_auto (Handler) h = { 0 };

  g_signal_connect (server, "request", G_CALLBACK (on_request_later), &h);

  start_request (&sw, port, GC_CONTROL_VERB_SWITCH, key, 3000);
  /* while the switch waits for its frame, other senders are served */
  for (guint i = 0; i < G_N_ELEMENTS (status); i++)
    start_request (&status[i], port, GC_CONTROL_VERB_STATUS, key, 3000);
  for (guint i = 0; i < G_N_ELEMENTS (status); i++)
    {
      g_assert_true (spin_until (&status[i].done, 3000));
      g_assert_no_error (status[i].error);
      g_assert_true (status[i].ok);
      g_assert_cmpstr (status[i].resp.state, ==, "idle");
      g_assert_false (sw.done);
      g_assert_cmpint (status[i].elapsed_us, <, 250 * 1000);
      result_clear (&status[i]);
    }

  g_assert_true (spin_until (&sw.done, 3000));
  g_assert_no_error (sw.error);
  g_assert_true (sw.ok);
  g_assert_true (sw.resp.ok);
  g_assert_cmpstr (sw.resp.message, ==, "showing test source");
  g_assert_cmpfloat_with_epsilon (sw.resp.first_frame_ms, 300, 0.01);
  g_assert_cmpstr (sw.resp.state, ==, "playing");
  g_assert_cmpstr (sw.resp.current_url, ==, "rtsp://127.0.0.1:7236/screen");
  g_assert_cmpint (sw.elapsed_us, >=, 290 * 1000);
  g_assert_cmpint (sw.elapsed_us, <, 1500 * 1000);
  g_assert_cmpstr (h.last_peer, ==, "127.0.0.1");
}

static void
test_not_authorized (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GBytes) wrong = key_new ("some-other-site-key");
  g_auto (Handler) h = { 0 };

  {
    g_autoptr (GcControlServer) server = server_new (key, FALSE);
    guint16 port = gc_control_server_get_port (server);
    g_auto (Result) r1 = { 0 };
    g_auto (Result) r2 = { 0 };

    g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);

    /* the refusal is logged with the peer, never with the key */
    g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                           "refused control request from 127.0.0.1: wrong MAC*");
    request (&r1, port, GC_CONTROL_VERB_SWITCH, wrong, 2000);
    g_test_assert_expected_messages ();
    g_assert_error (r1.error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
    g_assert_false (r1.resp.ok);
    g_assert_cmpint (r1.resp.code, ==, GC_ERROR_NOT_AUTHORIZED);
    g_assert_null (strstr (r1.error->message, KEY_TEXT));

    g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                           "refused control request from 127.0.0.1: *not signed*");
    request (&r2, port, GC_CONTROL_VERB_SWITCH, NULL, 2000);
    g_test_assert_expected_messages ();
    g_assert_error (r2.error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
    g_assert_cmpuint (h.n_requests, ==, 0);
  }

  /* no key on the receiver: status only, unless told otherwise */
  {
    g_autoptr (GcControlServer) server = server_new (NULL, FALSE);
    guint16 port = gc_control_server_get_port (server);
    g_auto (Result) r1 = { 0 };
    g_auto (Result) r2 = { 0 };

    g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);
    g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                           "refused control request from 127.0.0.1: *no site key*");
    request (&r1, port, GC_CONTROL_VERB_SWITCH, NULL, 2000);
    g_test_assert_expected_messages ();
    g_assert_error (r1.error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
    request (&r2, port, GC_CONTROL_VERB_STATUS, NULL, 2000);
    g_assert_no_error (r2.error);
    g_assert_cmpuint (h.n_requests, ==, 1);
  }
  {
    g_autoptr (GcControlServer) server = server_new (NULL, TRUE);
    guint16 port = gc_control_server_get_port (server);
    g_auto (Result) r1 = { 0 };

    g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);
    request (&r1, port, GC_CONTROL_VERB_RELEASE, NULL, 2000);
    g_assert_no_error (r1.error);
    g_assert_true (r1.ok);
    g_assert_cmpint (h.last_verb, ==, GC_CONTROL_VERB_RELEASE);
  }
}

typedef struct
{
  gboolean allow;
  guint n_calls;
  gchar *last;
} Filter;

static gboolean
filter_func (const gchar *address, gpointer data)
{
  Filter *f = data;

  f->n_calls++;
  g_free (f->last);
  f->last = g_strdup (address);
  return f->allow;
}

static void
test_peer_filter (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = server_new (key, FALSE);
  guint16 port = gc_control_server_get_port (server);
  g_auto (Result) r1 = { 0 };
  g_auto (Result) r2 = { 0 };
  Filter f = { FALSE, 0, NULL };
  g_auto (Handler) h = { 0 };

  g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);
  gc_control_server_set_peer_filter (server, filter_func, &f, NULL);

  g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                         "refused control request from 127.0.0.1: host 127.0.0.1 is not known*");
  request (&r1, port, GC_CONTROL_VERB_SWITCH, key, 2000);
  g_test_assert_expected_messages ();
  g_assert_error (r1.error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
  g_assert_cmpuint (f.n_calls, ==, 1);
  g_assert_cmpstr (f.last, ==, "127.0.0.1");
  g_assert_cmpuint (h.n_requests, ==, 0);

  f.allow = TRUE;
  request (&r2, port, GC_CONTROL_VERB_SWITCH, key, 2000);
  g_assert_no_error (r2.error);
  g_assert_cmpuint (h.n_requests, ==, 1);
  g_free (f.last);
}

static guint16
closed_port (void)
{
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GSocketAddress) any = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  guint16 port;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (sock, any, FALSE, &error));
  bound = g_socket_get_local_address (sock, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  /* bound but never listening: connections to it are refused */
  return port;
}

static void
test_unreachable (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_auto (Result) r = { 0 };

  request (&r, closed_port (), GC_CONTROL_VERB_SWITCH, key, 3000);
  g_assert_error (r.error, GC_ERROR, GC_ERROR_UNREACHABLE);
  g_assert_cmpint (r.elapsed_us, <, 500 * 1000);
}

static gboolean
on_incoming_hold (GSocketService    *service,
                  GSocketConnection *conn,
                  GObject           *source,
                  gpointer           user_data)
{
  GPtrArray *held = user_data;

  g_ptr_array_add (held, g_object_ref (conn));
  return TRUE;
}

static void
test_timeout (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;
  g_auto (Result) r = { 0 };
  guint16 port;

  /* a server that accepts and never says a word */
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service),
                                              NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming_hold), held);
  g_socket_service_start (service);

  request (&r, port, GC_CONTROL_VERB_SWITCH, key, 500);
  g_assert_error (r.error, GC_ERROR, GC_ERROR_TIMEOUT);
  g_assert_cmpint (r.elapsed_us, >=, 490 * 1000);
  g_assert_cmpint (r.elapsed_us, <, 1000 * 1000);
  g_assert_cmpuint (held->len, ==, 1);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

/* idle connections that never send anything: plain non-blocking sockets,
 * so opening hundreds takes no time */
typedef struct
{
  GPtrArray *conns;     /* GSocket */
} Idle;

static gboolean
wait_connections (GcControlServer *server, guint n, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  while (gc_control_server_get_n_connections (server) != n &&
         g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return gc_control_server_get_n_connections (server) == n;
}

static void
open_idle (Idle *idle, GcControlServer *server, guint n)
{
  g_autoptr (GSocketAddress) address = NULL;
  guint base = gc_control_server_get_n_connections (server);

  address = g_inet_socket_address_new_from_string (
    "127.0.0.1", gc_control_server_get_port (server));
  idle->conns = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                    G_SOCKET_PROTOCOL_TCP, &error);

      g_assert_no_error (error);
      g_socket_set_blocking (sock, FALSE);
      if (!g_socket_connect (sock, address, NULL, &error))
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_ptr_array_add (idle->conns, sock);
      /* let the server accept in batches, so the listen backlog never
       * overflows */
      if ((i + 1) % 50 == 0 || i + 1 == n)
        g_assert_true (wait_connections (server, base + i + 1, 3000));
    }
}

/* 0 once the server closed it, -1 while still open */
static gssize
peek_closed (GSocket *sock)
{
  gchar c;
  g_autoptr (GError) error = NULL;
  gssize n = g_socket_receive_with_blocking (sock, &c, 1, FALSE, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return -1;
  /* a reset counts as closed too */
  return n <= 0 ? 0 : n;
}

static void
test_idle_flood (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Handler) h = { 0 };
  Idle idle = { 0 };
  guint16 port;
  gint64 opened;
  guint n_closed = 0;

  server = gc_control_server_new (0, "127.0.0.1", key, FALSE);
  /* all from this one host: its share is the whole server here */
  g_object_set (server, "idle-timeout", 2000, "max-connections", 256,
                "max-connections-per-host", 256, NULL);
  g_assert_true (gc_control_server_start (server, &error));
  g_assert_no_error (error);
  port = gc_control_server_get_port (server);
  g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);

  opened = g_get_monotonic_time ();
  open_idle (&idle, server, 200);

  /* meanwhile real requests are answered quickly */
  for (guint i = 0; i < 5; i++)
    {
      g_auto (Result) r = { 0 };

      request (&r, port, GC_CONTROL_VERB_SWITCH, key, 2000);
      g_assert_no_error (r.error);
      g_assert_cmpint (r.elapsed_us, <, 200 * 1000);
    }
  /* none closed before its time (on a slow machine we may be past it) */
  if (g_get_monotonic_time () - opened < 1900 * 1000)
    g_assert_cmpuint (gc_control_server_get_n_connections (server), ==, 200);

  /* then all closed once the idle timeout passed */
  g_assert_true (wait_connections (server, 0, 5000));
  g_assert_cmpint (g_get_monotonic_time () - opened, >=, 1950 * 1000);
  spin_for (50);
  for (guint i = 0; i < idle.conns->len; i++)
    if (peek_closed (idle.conns->pdata[i]) == 0)
      n_closed++;
  g_assert_cmpuint (n_closed, ==, 200);
  g_ptr_array_unref (idle.conns);
}

static void
test_max_connections (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Result) r1 = { 0 };
  g_auto (Result) r2 = { 0 };
  g_auto (Handler) h = { 0 };
  Idle idle = { 0 };
  guint16 port;

  server = gc_control_server_new (0, "127.0.0.1", key, FALSE);
  g_object_set (server, "max-connections", 4, "idle-timeout", 20000, NULL);
  g_assert_true (gc_control_server_start (server, &error));
  g_assert_no_error (error);
  port = gc_control_server_get_port (server);
  g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);

  open_idle (&idle, server, 4);

  /* a fifth is closed at once, without an answer */
  request (&r1, port, GC_CONTROL_VERB_SWITCH, key, 2000);
  g_assert_error (r1.error, GC_ERROR, GC_ERROR_REFUSED);
  g_assert_cmpint (r1.elapsed_us, <, 500 * 1000);
  g_assert_cmpuint (h.n_requests, ==, 0);
  g_assert_cmpuint (gc_control_server_get_n_connections (server), ==, 4);

  /* one goes away: room for a request again */
  g_ptr_array_remove_index (idle.conns, 0);
  g_assert_true (wait_connections (server, 3, 3000));
  request (&r2, port, GC_CONTROL_VERB_SWITCH, key, 2000);
  g_assert_no_error (r2.error);
  g_assert_cmpuint (h.n_requests, ==, 1);

  g_ptr_array_unref (idle.conns);
}

static void
test_no_handler (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = server_new (key, FALSE);
  g_auto (Result) r = { 0 };

  /* nobody connected to "request": the sender hears so at once */
  request (&r, gc_control_server_get_port (server), GC_CONTROL_VERB_SWITCH,
           key, 2000);
  g_assert_error (r.error, GC_ERROR, GC_ERROR_NOT_SUPPORTED);
  g_assert_cmpint (r.elapsed_us, <, 500 * 1000);
}

static void
on_request_never (GcControlServer  *server,
                  GcControlRequest *req,
                  const gchar      *peer,
                  GcControlReply   *reply,
                  gpointer          user_data)
{
  GPtrArray *kept = user_data;

  g_ptr_array_add (kept, gc_control_reply_ref (reply));
}

static void
test_reply_timeout (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = server_new (key, FALSE);
  g_autoptr (GPtrArray) kept =
    g_ptr_array_new_with_free_func ((GDestroyNotify) gc_control_reply_unref);
  g_auto (GcControlResponse) late = { 0 };
  g_auto (Result) r = { 0 };

  g_object_set (server, "reply-timeout", 400, NULL);
  g_signal_connect (server, "request", G_CALLBACK (on_request_never), kept);

  g_test_expect_message ("GcControlServer", G_LOG_LEVEL_INFO,
                         "control request switch from 127.0.0.1*");
  g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                         "control request from 127.0.0.1: no outcome within 400 ms");
  request (&r, gc_control_server_get_port (server), GC_CONTROL_VERB_SWITCH,
           key, 3000);
  g_test_assert_expected_messages ();
  g_assert_error (r.error, GC_ERROR, GC_ERROR_TIMEOUT);
  g_assert_cmpint (r.elapsed_us, >=, 390 * 1000);
  g_assert_cmpint (r.elapsed_us, <, 2000 * 1000);

  /* the handler's late answer is dropped quietly */
  g_assert_cmpuint (kept->len, ==, 1);
  g_assert_true (gc_control_reply_is_returned (kept->pdata[0]));
  late.ok = TRUE;
  gc_control_reply_return (kept->pdata[0], &late);
}

static void
test_garbage (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = server_new (key, FALSE);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GcControlResponse) resp = { 0 };
  g_auto (Handler) h = { 0 };
  const gchar *junk = "HELLO / HTTP/1.1\r\n\r\n";
  GSocket *sock;
  gchar buf[4096];
  gsize len = 0;
  gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1",
                                          gc_control_server_get_port (server),
                                          NULL, &error);
  g_assert_no_error (error);
  sock = g_socket_connection_get_socket (conn);
  g_assert_cmpint (g_socket_send (sock, junk, strlen (junk), NULL, &error), ==,
                   strlen (junk));

  g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                         "refused control request from 127.0.0.1: malformed*");
  /* read the answer without blocking the loop the server runs on */
  while (g_get_monotonic_time () < end)
    {
      gssize n;

      g_main_context_iteration (NULL, FALSE);
      g_clear_error (&error);
      n = g_socket_receive_with_blocking (sock, buf + len,
                                          sizeof buf - 1 - len, FALSE, NULL,
                                          &error);
      if (n == 0)
        break;
      if (n > 0)
        len += n;
      else
        g_usleep (1000);
    }
  g_test_assert_expected_messages ();
  g_assert_true (gc_control_response_parse ((const guint8 *) buf, len, &resp,
                                            &error));
  g_assert_no_error (error);
  g_assert_false (resp.ok);
  g_assert_cmpint (resp.code, ==, GC_ERROR_INVALID_ARGS);
  g_assert_cmpuint (h.n_requests, ==, 0);
}

/* ---- one host's share, and replays across a restart ---------------------- */

/* @n idle connections from @local (another loopback address plays another
 * host); returns how many the server still holds open after a moment */
static GPtrArray *
open_idle_from (GcControlServer *server, const gchar *local, guint n)
{
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string (
    "127.0.0.1", gc_control_server_get_port (server));
  g_autoptr (GSocketAddress) from = g_inet_socket_address_new_from_string (local, 0);
  GPtrArray *conns = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                    G_SOCKET_PROTOCOL_TCP, &error);

      g_assert_no_error (error);
      g_assert_true (g_socket_bind (sock, from, FALSE, &error));
      g_assert_no_error (error);
      g_socket_set_blocking (sock, FALSE);
      if (!g_socket_connect (sock, address, NULL, &error))
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_ptr_array_add (conns, sock);
    }
  return conns;
}

static guint
count_closed (GPtrArray *socks)
{
  guint n = 0;

  for (guint i = 0; i < socks->len; i++)
    if (peek_closed (socks->pdata[i]) == 0)
      n++;
  return n;
}

/* one host holding the control port takes at most its share: another
 * host's request is answered at once */
static void
test_per_host_limit (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autoptr (GcControlServer) server = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) held = NULL;
  g_auto (Result) r = { 0 };
  g_auto (Handler) h = { 0 };
  guint closed = 0;

  server = gc_control_server_new (0, NULL, key, FALSE);
  g_object_set (server, "idle-timeout", 20000, NULL);
  g_assert_true (gc_control_server_start (server, &error));
  g_assert_no_error (error);
  g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);

  g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                         "control connections from 127.0.0.2: 8 open, the most one host*");
  held = open_idle_from (server, "127.0.0.2", 40);
  /* the excess is closed at once (well before the 20 s idle timeout) */
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       (closed = count_closed (held)) < 40 - GC_CONTROL_SERVER_DEFAULT_MAX_PER_HOST
       && g_get_monotonic_time () < end;)
    spin_for (20);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (closed, ==, 40 - GC_CONTROL_SERVER_DEFAULT_MAX_PER_HOST);
  g_assert_cmpuint (gc_control_server_get_n_connections (server), ==,
                    GC_CONTROL_SERVER_DEFAULT_MAX_PER_HOST);

  /* the genuine source, from another address: answered, not queued behind
   * the held ones (their idle timeout is 20 s) */
  request (&r, gc_control_server_get_port (server), GC_CONTROL_VERB_SWITCH, key, 2000);
  g_assert_no_error (r.error);
  g_assert_true (r.resp.ok);
  g_assert_cmpint (r.elapsed_us, <, 5 * G_USEC_PER_SEC);

  /* the host lets go: said once, and its share is back */
  g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                         "control connections from 127.0.0.2: back under the limit*");
  g_ptr_array_set_size (held, 0);
  g_assert_true (wait_connections (server, 0, 3000));
  g_test_assert_expected_messages ();
}

/* sends @bytes on a connection of its own and reads the answer, without
 * blocking the loop the server runs on */
static void
send_raw (guint16 port, GBytes *bytes, GcControlResponse *resp)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  gchar buf[4096];
  gsize len = 0;
  gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  GSocket *sock;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  sock = g_socket_connection_get_socket (conn);
  g_assert_cmpint (g_socket_send (sock, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  NULL, &error), ==, (gssize) g_bytes_get_size (bytes));
  while (g_get_monotonic_time () < end)
    {
      gssize n;

      g_main_context_iteration (NULL, FALSE);
      g_clear_error (&error);
      n = g_socket_receive_with_blocking (sock, buf + len, sizeof buf - 1 - len, FALSE, NULL,
                                          &error);
      if (n == 0)
        break;
      if (n > 0)
        len += n;
      else
        g_usleep (1000);
    }
  g_assert_true (gc_control_response_parse ((const guint8 *) buf, len, resp, &error));
  g_assert_no_error (error);
}

static GBytes *
signed_request (GBytes *key, guint16 port, gint64 stamp_us)
{
  g_auto (GcControlRequest) req = { 0 };
  g_autofree gchar *to = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr (GError) error = NULL;
  GBytes *b;

  fill_request (&req, GC_CONTROL_VERB_SWITCH);
  gc_control_request_stamp (&req, stamp_us);
  b = gc_control_request_build (&req, key, to, &error);
  g_assert_no_error (error);
  return b;
}

/* a request seen before a restart is still a replay after it: the nonces
 * are kept in the state directory */
static void
test_replay_across_restart (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  g_autofree gchar *dir = g_dir_make_tmp ("gc-replay-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (dir, "replay-cache", NULL);
  g_autoptr (GBytes) genuine = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Handler) h = { 0 };
  guint16 port;

  {
    g_autoptr (GcControlServer) server = server_new (key, FALSE);
    g_auto (GcControlResponse) resp = { 0 };

    port = gc_control_server_get_port (server);
    g_assert_true (gc_control_server_set_replay_file (server, file, &error));
    g_assert_no_error (error);
    g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);
    genuine = signed_request (key, port, g_get_real_time ());
    send_raw (port, genuine, &resp);
    g_assert_true (resp.ok);
    gc_control_server_stop (server);
  }
  /* the receiver restarts on the same port; the captured bytes come again */
  {
    g_autoptr (GcControlServer) server = gc_control_server_new (port, "127.0.0.1", key, FALSE);
    g_auto (GcControlResponse) resp = { 0 };
    g_auto (GcControlResponse) fresh = { 0 };
    g_autoptr (GBytes) other = NULL;

    g_assert_true (gc_control_server_start (server, &error));
    g_assert_no_error (error);
    g_assert_true (gc_control_server_set_replay_file (server, file, &error));
    g_assert_no_error (error);
    g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);
    g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                           "refused control request from 127.0.0.1: replayed*");
    send_raw (port, genuine, &resp);
    g_test_assert_expected_messages ();
    g_assert_false (resp.ok);
    g_assert_cmpint (resp.code, ==, GC_ERROR_NOT_AUTHORIZED);
    /* one signed before the restart is fine: its nonce is new, and the
     * cache was kept, so the start is no floor */
    other = signed_request (key, port, g_get_real_time () - 2 * G_USEC_PER_SEC);
    send_raw (port, other, &fresh);
    g_assert_true (fresh.ok);
  }
  g_assert_cmpuint (h.n_requests, ==, 2);
  g_unlink (file);
  g_rmdir (dir);
}

/* where the cache cannot be kept, what was signed before the start is
 * refused: it could be a replay of a request the old run accepted */
static void
test_replay_floor (void)
{
  g_autoptr (GBytes) key = key_new (KEY_TEXT);
  gint64 before = g_get_real_time () - 2 * G_USEC_PER_SEC;
  g_autoptr (GcControlServer) server = server_new (key, FALSE);
  guint16 port = gc_control_server_get_port (server);
  g_autoptr (GBytes) old = signed_request (key, port, before);
  g_autoptr (GBytes) fresh = signed_request (key, port, g_get_real_time ());
  g_autoptr (GError) error = NULL;
  g_auto (GcControlResponse) r1 = { 0 };
  g_auto (GcControlResponse) r2 = { 0 };
  g_auto (Handler) h = { 0 };

  g_signal_connect (server, "request", G_CALLBACK (on_request_now), &h);
  /* a replay file in a directory that does not exist */
  g_assert_false (gc_control_server_set_replay_file (server, "/nonexistent/gc/replay-cache",
                                                     &error));
  g_assert_nonnull (error);
  g_test_expect_message ("GcControlServer", G_LOG_LEVEL_MESSAGE,
                         "refused control request from 127.0.0.1: request signed before*");
  send_raw (port, old, &r1);
  g_test_assert_expected_messages ();
  g_assert_false (r1.ok);
  g_assert_cmpint (r1.code, ==, GC_ERROR_NOT_AUTHORIZED);
  send_raw (port, fresh, &r2);
  g_assert_true (r2.ok);
}

static void
test_replay_cache_file (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("gc-replay-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (dir, "replay-cache", NULL);
  g_autoptr (GcReplayCache) a = gc_replay_cache_new (16, 60 * G_USEC_PER_SEC);
  g_autoptr (GcReplayCache) b = gc_replay_cache_new (16, 60 * G_USEC_PER_SEC);
  g_autoptr (GError) error = NULL;
  gint64 t = 1000 * G_USEC_PER_SEC;
  GStatBuf st;

  g_assert_true (gc_replay_cache_add (a, "n1", t, NULL));
  g_assert_true (gc_replay_cache_add (a, "n2", t + 50 * G_USEC_PER_SEC, NULL));
  g_assert_true (gc_replay_cache_save (a, file, t + 50 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* 70 s on: n1 has expired, n2 has not */
  g_assert_cmpint (gc_replay_cache_load (b, file, t + 70 * G_USEC_PER_SEC, &error), ==, 1);
  g_assert_false (gc_replay_cache_add (b, "n2", t + 70 * G_USEC_PER_SEC, NULL));
  g_assert_true (gc_replay_cache_add (b, "n1", t + 70 * G_USEC_PER_SEC, NULL));
  /* a damaged file: the good lines are taken, the rest skipped */
  g_file_set_contents (file, "garbage\n99999999999999999 n3\n x\n", -1, NULL);
  g_assert_cmpint (gc_replay_cache_load (b, file, t, &error), ==, 1);
  g_assert_false (gc_replay_cache_add (b, "n3", t, NULL));
  g_unlink (file);
  g_assert_cmpint (gc_replay_cache_load (b, file, t, &error), ==, 0);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/groupcast/control/deferred-answer", test_deferred_answer);
  g_test_add_func ("/groupcast/control/not-authorized", test_not_authorized);
  g_test_add_func ("/groupcast/control/peer-filter", test_peer_filter);
  g_test_add_func ("/groupcast/control/unreachable", test_unreachable);
  g_test_add_func ("/groupcast/control/timeout", test_timeout);
  g_test_add_func ("/groupcast/control/idle-flood", test_idle_flood);
  g_test_add_func ("/groupcast/control/max-connections", test_max_connections);
  g_test_add_func ("/groupcast/control/no-handler", test_no_handler);
  g_test_add_func ("/groupcast/control/reply-timeout", test_reply_timeout);
  g_test_add_func ("/groupcast/control/garbage", test_garbage);
  g_test_add_func ("/groupcast/control/per-host-limit", test_per_host_limit);
  g_test_add_func ("/groupcast/control/replay-across-restart", test_replay_across_restart);
  g_test_add_func ("/groupcast/control/replay-floor", test_replay_floor);
  g_test_add_func ("/groupcast/control/replay-cache-file", test_replay_cache_file);

  return g_test_run ();
}
