/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-fake-server: a TCP server that answers like no Groupcast source
 * would, to test how receivers take bad replies.
 *
 *   gc-fake-server PORT MODE SECONDS
 *     garbage   answer every request with random bytes, then close
 *     http      answer as a web server would
 *     badrtsp   answer "RTSP/1.0" with a broken status line and headers
 *     silent    accept and never answer
 *   RTSP servers that speak the protocol but lie about the stream:
 *     unicast   SETUP answered with a unicast transport to the client
 *     nonmcast  SETUP answered "multicast" with a unicast destination
 *     biggroup  SETUP answered with an oversized, unparsable destination
 *     audio     a well-formed RTSP server that is not Groupcast: an audio
 *               stream (PCMU) on a multicast group, no video
 *
 *   clients, for load and flood tests (HOST and N after SECONDS):
 *     flood     open N TCP connections to HOST:PORT, send nothing, hold
 *               them for SECONDS; print how many connected and how many the
 *               server closed, and when
 *     rtspclients  N RTSP clients at once: OPTIONS and DESCRIBE on each;
 *               print how many got "200 OK" to both
 */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static gboolean
is_rtsp_mode (const gchar *mode)
{
  return g_str_equal (mode, "unicast") || g_str_equal (mode, "nonmcast")
         || g_str_equal (mode, "biggroup") || g_str_equal (mode, "audio");
}

/* read one request head (up to the blank line); FALSE on EOF or timeout */
static gboolean
read_request (GInputStream *in, GString *req)
{
  g_string_truncate (req, 0);
  while (strstr (req->str, "\r\n\r\n") == NULL && req->len < 8192)
    {
      gchar c;

      if (g_input_stream_read (in, &c, 1, NULL, NULL) != 1)
        return FALSE;
      g_string_append_c (req, c);
    }
  return TRUE;
}

static gchar *
header (const gchar *req, const gchar *name)
{
  g_auto (GStrv) lines = g_strsplit (req, "\r\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0
        && lines[i][strlen (name)] == ':')
      return g_strstrip (g_strdup (lines[i] + strlen (name) + 1));
  return g_strdup ("0");
}

static gchar *
setup_transport (const gchar *mode, const gchar *client)
{
  if (g_str_equal (mode, "unicast"))
    return g_strdup_printf ("RTP/AVP;unicast;destination=%s;client_port=15550-15551;"
                            "server_port=15560-15561", client);
  if (g_str_equal (mode, "nonmcast"))
    return g_strdup_printf ("RTP/AVP;multicast;destination=%s;port=15550-15551;ttl=1", client);
  if (g_str_equal (mode, "biggroup"))
    {
      g_autoptr (GString) d = g_string_new ("239.0.0.11");

      while (d->len < 3000)
        g_string_append (d, ".239.0.0.11");
      return g_strdup_printf ("RTP/AVP;multicast;destination=%s;port=15550-15551;ttl=1", d->str);
    }
  return g_strdup ("RTP/AVP;multicast;destination=239.0.0.99;port=15570-15571;ttl=1");
}

/* a server that follows RTSP to the letter and lies in SETUP */
static void
serve_rtsp (GSocketConnection *conn, const gchar *mode)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_autoptr (GString) req = g_string_new (NULL);
  g_autoptr (GSocketAddress) remote = g_socket_connection_get_remote_address (conn, NULL);
  g_autofree gchar *client = NULL;

  client = G_IS_INET_SOCKET_ADDRESS (remote)
           ? g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)))
           : g_strdup ("127.0.0.1");
  /* bounded: 32 requests per connection */
  for (guint n = 0; n < 32 && read_request (in, req); n++)
    {
      g_autofree gchar *cseq = header (req->str, "CSeq");
      g_autofree gchar *reply = NULL;

      if (g_str_has_prefix (req->str, "DESCRIBE "))
        {
          g_autofree gchar *sdp = NULL;

          if (g_str_equal (mode, "audio"))
            sdp = g_strdup ("v=0\r\no=- 1 1 IN IP4 10.99.0.2\r\ns=not groupcast\r\n"
                            "c=IN IP4 239.0.0.99/1\r\nt=0 0\r\n"
                            "m=audio 15570 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                            "a=control:stream=0\r\n");
          else
            sdp = g_strdup ("v=0\r\no=- 1 1 IN IP4 10.99.0.2\r\ns=fake\r\n"
                            "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                            "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                            "a=fmtp:96 packetization-mode=1\r\na=control:stream=0\r\n");
          reply = g_strdup_printf ("RTSP/1.0 200 OK\r\nCSeq: %s\r\n"
                                   "Content-Type: application/sdp\r\n"
                                   "Content-Length: %zu\r\n\r\n%s",
                                   cseq, strlen (sdp), sdp);
        }
      else if (g_str_has_prefix (req->str, "SETUP "))
        {
          g_autofree gchar *t = setup_transport (mode, client);

          reply = g_strdup_printf ("RTSP/1.0 200 OK\r\nCSeq: %s\r\nTransport: %s\r\n"
                                   "Session: 5551212;timeout=60\r\n\r\n", cseq, t);
        }
      else if (g_str_has_prefix (req->str, "OPTIONS "))
        reply = g_strdup_printf ("RTSP/1.0 200 OK\r\nCSeq: %s\r\n"
                                 "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, "
                                 "GET_PARAMETER\r\n\r\n", cseq);
      else
        reply = g_strdup_printf ("RTSP/1.0 200 OK\r\nCSeq: %s\r\n"
                                 "Session: 5551212;timeout=60\r\n\r\n", cseq);
      if (!g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL))
        return;
      if (g_str_has_prefix (req->str, "TEARDOWN "))
        return;
    }
}

static GSocket *
connect_to (GInetSocketAddress *addr)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_TCP, NULL);

  if (s == NULL)
    return NULL;
  g_socket_set_timeout (s, 5);
  if (!g_socket_connect (s, G_SOCKET_ADDRESS (addr), NULL, NULL))
    return NULL;
  return g_steal_pointer (&s);
}

/* N idle connections: how many get in, how many the server closes, when */
static int
run_flood (GInetSocketAddress *addr, guint n, guint seconds)
{
  g_autoptr (GPtrArray) socks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gint64 *closed_at = g_new0 (gint64, n);
  gint64 t0 = g_get_monotonic_time (), end = t0 + (gint64) seconds * G_USEC_PER_SEC;
  guint failed = 0, closed = 0, open_now;
  gint64 last_close = 0, first_close = 0;
  struct rlimit rl = { n + 64, n + 64 };

  setrlimit (RLIMIT_NOFILE, &rl);
  for (guint i = 0; i < n && g_get_monotonic_time () < end; i++)
    {
      GSocket *s = connect_to (addr);

      if (s == NULL)
        failed++;
      else
        {
          g_socket_set_blocking (s, FALSE);
          g_ptr_array_add (socks, s);
        }
    }
  g_print ("connected %u failed %u in %.0f ms\n", socks->len, failed,
           (g_get_monotonic_time () - t0) / 1000.0);
  /* watch for the server closing them (a read of 0 or an error) */
  while (g_get_monotonic_time () < end && closed < socks->len)
    {
      for (guint i = 0; i < socks->len; i++)
        {
          g_autoptr (GError) err = NULL;
          gchar b;
          gssize r;

          if (closed_at[i] != 0)
            continue;
          /* non-blocking: would-block means still open; 0 or a reset, closed */
          r = g_socket_receive (socks->pdata[i], &b, 1, NULL, &err);
          if (r < 0 && g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            continue;
          closed_at[i] = g_get_monotonic_time ();
          closed++;
          if (first_close == 0)
            first_close = closed_at[i];
          last_close = closed_at[i];
        }
      g_usleep (20 * 1000);
    }
  open_now = socks->len - closed;
  g_print ("closed %u open %u first-close-ms %.0f last-close-ms %.0f\n", closed, open_now,
           first_close ? (first_close - t0) / 1000.0 : -1.0,
           last_close ? (last_close - t0) / 1000.0 : -1.0);
  return 0;
}

static gboolean
send_req (GSocket *s, const gchar *req)
{
  return g_socket_send (s, req, strlen (req), NULL, NULL) == (gssize) strlen (req);
}

/* one answer: its head must say "200 OK"; the body (an SDP) is drained */
static gboolean
read_ok (GSocket *s)
{
  gchar buf[4096];
  gssize r;
  gsize got = 0;

  while (got < sizeof buf - 1 && (got < 4 || g_strstr_len (buf, got, "\r\n\r\n") == NULL))
    {
      r = g_socket_receive (s, buf + got, sizeof buf - 1 - got, NULL, NULL);
      if (r <= 0)
        return FALSE;
      got += r;
      buf[got] = '\0';
    }
  if (!g_str_has_prefix (buf, "RTSP/1.0 200 OK"))
    return FALSE;
  g_usleep (1000);
  while (g_socket_condition_check (s, G_IO_IN) && g_socket_receive (s, buf, sizeof buf, NULL, NULL) > 0)
    ;
  return TRUE;
}

/* N RTSP clients at once: all connect, then all ask */
static int
run_rtsp_clients (GInetSocketAddress *addr, const gchar *host, guint port, guint n)
{
  g_autoptr (GPtrArray) socks = g_ptr_array_new_with_free_func (g_object_unref);
  guint failed = 0, answered = 0;
  gint64 t0 = g_get_monotonic_time ();
  g_autofree gchar *url = g_strdup_printf ("rtsp://%s:%u/screen", host, port);
  struct rlimit rl = { n + 64, n + 64 };

  setrlimit (RLIMIT_NOFILE, &rl);
  for (guint i = 0; i < n; i++)
    {
      GSocket *s = connect_to (addr);

      if (s == NULL)
        failed++;
      else
        g_ptr_array_add (socks, s);
    }
  g_print ("connect %.0f ms; ", (g_get_monotonic_time () - t0) / 1000.0);
  {
    g_autofree gchar *o = g_strdup_printf ("OPTIONS %s RTSP/1.0\r\nCSeq: 1\r\n\r\n", url);
    g_autofree gchar *d = g_strdup_printf ("DESCRIBE %s RTSP/1.0\r\nCSeq: 2\r\n"
                                           "Accept: application/sdp\r\n\r\n", url);
    g_autofree gboolean *ok = g_new0 (gboolean, socks->len);

    /* every client asks before any answer is read: the server has them
     * all in hand at once */
    for (guint i = 0; i < socks->len; i++)
      ok[i] = send_req (socks->pdata[i], o);
    for (guint i = 0; i < socks->len; i++)
      ok[i] = ok[i] && read_ok (socks->pdata[i]);
    g_print ("options %.0f ms; ", (g_get_monotonic_time () - t0) / 1000.0);
    for (guint i = 0; i < socks->len; i++)
      ok[i] = ok[i] && send_req (socks->pdata[i], d);
    for (guint i = 0; i < socks->len; i++)
      if (ok[i] && read_ok (socks->pdata[i]))
        answered++;
  }
  g_print ("clients %u connected %u answered %u in %.0f ms\n", n, socks->len, answered,
           (g_get_monotonic_time () - t0) / 1000.0);
  return answered == n ? 0 : 1;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  guint64 port, seconds;
  const gchar *mode;
  gint64 end;
  GPtrArray *held = g_ptr_array_new_with_free_func (g_object_unref);

  if ((argc != 4 && argc != 6) || !g_ascii_string_to_unsigned (argv[1], 10, 1, 65535, &port, NULL)
      || !g_ascii_string_to_unsigned (argv[3], 10, 1, 600, &seconds, NULL))
    {
      g_printerr ("usage: gc-fake-server PORT garbage|http|badrtsp|silent|unicast|nonmcast|"
                  "biggroup|audio SECONDS\n"
                  "       gc-fake-server PORT flood|rtspclients SECONDS HOST N\n");
      return 2;
    }
  mode = argv[2];
  if (argc == 6)
    {
      g_autoptr (GInetAddress) ia = g_inet_address_new_from_string (argv[4]);
      g_autoptr (GSocketAddress) sa = NULL;
      guint64 n;

      if (ia == NULL || !g_ascii_string_to_unsigned (argv[5], 10, 1, 5000, &n, NULL))
        {
          g_printerr ("gc-fake-server: HOST must be an IP address and N 1-5000\n");
          return 2;
        }
      sa = g_inet_socket_address_new (ia, (guint16) port);
      g_ptr_array_unref (held);
      if (g_str_equal (mode, "flood"))
        return run_flood (G_INET_SOCKET_ADDRESS (sa), (guint) n, (guint) seconds);
      if (g_str_equal (mode, "rtspclients"))
        return run_rtsp_clients (G_INET_SOCKET_ADDRESS (sa), argv[4], (guint) port, (guint) n);
      g_printerr ("gc-fake-server: unknown client mode %s\n", mode);
      return 2;
    }
  if (!g_socket_listener_add_inet_port (listener, (guint16) port, NULL, &error))
    {
      g_printerr ("gc-fake-server: %s\n", error->message);
      return 1;
    }
  g_printerr ("listening on %u\n", (guint) port);
  end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  /* bounded: serve until SECONDS have passed */
  while (g_get_monotonic_time () < end)
    {
      g_autoptr (GSocketConnection) conn = NULL;
      g_autoptr (GCancellable) c = g_cancellable_new ();
      GOutputStream *out;
      GInputStream *in;
      gchar buf[2048];

      conn = g_socket_listener_accept (listener, NULL, NULL, NULL);
      if (conn == NULL)
        continue;
      in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
      out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
      if (g_str_equal (mode, "silent"))
        {
          g_ptr_array_add (held, g_steal_pointer (&conn));
          continue;
        }
      g_socket_set_timeout (g_socket_connection_get_socket (conn), 2);
      if (is_rtsp_mode (mode))
        {
          serve_rtsp (conn, mode);
          g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
          continue;
        }
      g_input_stream_read (in, buf, sizeof buf, NULL, NULL);
      if (g_str_equal (mode, "garbage"))
        {
          for (guint i = 0; i < sizeof buf; i++)
            buf[i] = (gchar) g_random_int ();
          g_output_stream_write_all (out, buf, sizeof buf, NULL, NULL, NULL);
        }
      else if (g_str_equal (mode, "http"))
        {
          const gchar *r = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                           "Content-Length: 5\r\n\r\nhello";
          g_output_stream_write_all (out, r, strlen (r), NULL, NULL, NULL);
        }
      else
        {
          const gchar *r = "RTSP/1.0 2x0 O\xff\r\nCSeq: banana\r\nContent-Length: -7\r\n"
                           "Content-Type: application/sdp\r\n\r\nv=9\r\nm=video\r\n";
          g_output_stream_write_all (out, r, strlen (r), NULL, NULL, NULL);
        }
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
    }
  g_ptr_array_unref (held);
  return 0;
}
