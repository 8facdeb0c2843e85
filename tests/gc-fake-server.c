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
 */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  guint64 port, seconds;
  const gchar *mode;
  gint64 end;
  GPtrArray *held = g_ptr_array_new_with_free_func (g_object_unref);

  if (argc != 4 || !g_ascii_string_to_unsigned (argv[1], 10, 1, 65535, &port, NULL)
      || !g_ascii_string_to_unsigned (argv[3], 10, 1, 600, &seconds, NULL))
    {
      g_printerr ("usage: gc-fake-server PORT garbage|http|badrtsp|silent SECONDS\n");
      return 2;
    }
  mode = argv[2];
  if (!g_socket_listener_add_inet_port (listener, (guint16) port, NULL, &error))
    {
      g_printerr ("gc-fake-server: %s\n", error->message);
      return 1;
    }
  g_print ("listening\n");
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
