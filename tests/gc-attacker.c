/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-attacker: plays a hostile host on the LAN, run inside a lab host by
 * tests/gc-hostile-test.c and bench/gc-bench-recovery.c.
 *
 *   gc-attacker hold HOST PORT N SECONDS
 *       keeps N idle TCP connections to HOST:PORT open for SECONDS, opening
 *       a new one whenever the server closes one; prints
 *       "opened O closed C held H" (H: open at the end)
 *   gc-attacker beacons DEST RATE SECONDS [ID]
 *       sends RATE unsigned beacons a second to DEST:7237, each with a new
 *       made-up id (or ID, another agent's); prints "sent N"
 *   gc-attacker send-raw FILE HOST PORT
 *       sends the bytes of FILE to HOST:PORT and prints the answer
 *   gc-attacker rtp-inject GROUP PORT RATE SECONDS
 *       joins GROUP, reads one RTP packet of the stream there (its SSRC,
 *       sequence number and time stamp), then sends RATE made-up packets a
 *       second into GROUP:PORT that continue that stream (same SSRC, the
 *       next sequence numbers, random payload); prints "sent N"
 *   gc-attacker sniff GROUP PORT SECONDS
 *       what an eavesdropper or a third-party player without the key gets:
 *       joins GROUP and decodes what comes as H.264 RTP for SECONDS;
 *       prints "packets P frames F"
 */
#include "config.h"

#include "gc-beacon.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static GSocket *
connect_nonblocking (GSocketAddress *to)
{
  g_autoptr (GError) error = NULL;
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                             &error);

  if (s == NULL)
    return NULL;
  g_socket_set_blocking (s, FALSE);
  if (!g_socket_connect (s, to, NULL, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_object_unref (s);
      return NULL;
    }
  return s;
}

/* closed by the server: a read gives 0 or an error other than would-block */
static gboolean
is_closed (GSocket *s)
{
  g_autoptr (GError) error = NULL;
  gchar b;
  gssize r;

  if (!g_socket_condition_check (s, G_IO_IN | G_IO_HUP | G_IO_ERR))
    return FALSE;
  r = g_socket_receive (s, &b, 1, NULL, &error);
  return r == 0 || (r < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK));
}

static int
run_hold (const gchar *host, guint16 port, guint n, guint seconds)
{
  g_autoptr (GSocketAddress) to = g_inet_socket_address_new_from_string (host, port);
  g_autoptr (GPtrArray) socks = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  struct rlimit rl = { n + 64, n + 64 };
  guint opened = 0, closed = 0;

  if (to == NULL)
    return 2;
  setrlimit (RLIMIT_NOFILE, &rl);
  g_ptr_array_set_size (socks, n);
  while (g_get_monotonic_time () < end)
    {
      for (guint i = 0; i < n; i++)
        {
          GSocket *s = g_ptr_array_index (socks, i);

          if (s != NULL && is_closed (s))
            {
              closed++;
              g_clear_object (&socks->pdata[i]);
              s = NULL;
            }
          if (s == NULL && (socks->pdata[i] = connect_nonblocking (to)) != NULL)
            opened++;
        }
      g_usleep (20 * 1000);
    }
  {
    guint held = 0;

    for (guint i = 0; i < n; i++)
      if (socks->pdata[i] != NULL && !is_closed (socks->pdata[i]))
        held++;
    g_print ("opened %u closed %u held %u\n", opened, closed, held);
  }
  return 0;
}

static int
run_beacons (const gchar *dest, guint rate, guint seconds, const gchar *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) to = g_inet_socket_address_new_from_string (dest,
                                                                         GC_DEFAULT_BEACON_PORT);
  gint64 start = g_get_monotonic_time ();
  guint64 total = (guint64) rate * seconds;
  guint sent = 0;

  if (to == NULL || rate == 0)
    return 2;
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  if (socket == NULL)
    return 1;
  g_socket_set_broadcast (socket, TRUE);
  for (guint64 i = 0; i < total; i++)
    {
      g_auto (GcAnnouncement) a = { 0 };
      g_autoptr (GBytes) beacon = NULL;
      gint64 due = start + (gint64) (i * G_USEC_PER_SEC / rate);

      while (g_get_monotonic_time () < due)
        g_usleep (500);
      a.id = id != NULL ? g_strdup (id) : g_uuid_string_random ();
      a.name = g_strdup_printf ("intruder-%" G_GUINT64_FORMAT, i);
      a.roles = GC_ROLE_RECEIVER;
      a.control_port = 7237;
      beacon = gc_beacon_build (&a, NULL, NULL);
      if (beacon != NULL
          && g_socket_send_to (socket, to, g_bytes_get_data (beacon, NULL),
                               g_bytes_get_size (beacon), NULL, NULL) > 0)
        sent++;
    }
  g_print ("sent %u\n", sent);
  return 0;
}

static int
run_send_raw (const gchar *file, const gchar *host, guint16 port)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autofree gchar *data = NULL;
  gchar buf[8192];
  gsize len = 0, got = 0;

  if (!g_file_get_contents (file, &data, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_socket_client_set_timeout (client, 5);
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, host, port, NULL, &error);
  if (conn == NULL
      || !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), data,
                                     len, NULL, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* the receiver answers once and closes */
  for (;;)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                                      buf + got, sizeof buf - 1 - got, NULL, NULL);

      if (n <= 0)
        break;
      got += n;
      if (got >= sizeof buf - 1)
        break;
    }
  fwrite (buf, 1, got, stdout);
  return 0;
}

static GSocket *
join_group (const gchar *group, guint16 port, GError **error)
{
  g_autoptr (GInetAddress) ga = g_inet_address_new_from_string (group);
  g_autoptr (GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) bind_to = NULL;
  g_autoptr (GSocket) s = NULL;

  if (ga == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not an address: %s", group);
      return NULL;
    }
  s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (s == NULL)
    return NULL;
  bind_to = g_inet_socket_address_new (any, port);
  if (!g_socket_bind (s, bind_to, TRUE, error)
      || !g_socket_join_multicast_group (s, ga, FALSE, NULL, error))
    return NULL;
  g_socket_set_multicast_loopback (s, FALSE);
  g_socket_set_multicast_ttl (s, 1);
  return g_steal_pointer (&s);
}

static int
run_rtp_inject (const gchar *group, guint16 port, guint rate, guint seconds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) s = join_group (group, port, &error);
  g_autoptr (GInetAddress) ga = g_inet_address_new_from_string (group);
  g_autoptr (GSocketAddress) to = NULL;
  guint8 pkt[1200];
  guint32 ssrc, ts;
  guint16 seq;
  guint64 sent = 0, total;
  gint64 start, end;

  if (s == NULL)
    {
      g_printerr ("gc-attacker: %s\n", error->message);
      return 1;
    }
  /* one packet of the genuine stream: what to pass for */
  g_socket_set_timeout (s, 5);
  if (g_socket_receive (s, (gchar *) pkt, sizeof pkt, NULL, &error) < 12)
    {
      g_printerr ("gc-attacker: no RTP on %s:%u\n", group, port);
      return 1;
    }
  seq = (guint16) ((pkt[2] << 8) | pkt[3]);
  ts = ((guint32) pkt[4] << 24) | ((guint32) pkt[5] << 16) | ((guint32) pkt[6] << 8) | pkt[7];
  ssrc = ((guint32) pkt[8] << 24) | ((guint32) pkt[9] << 16) | ((guint32) pkt[10] << 8) | pkt[11];
  to = g_inet_socket_address_new (ga, port);
  rate = CLAMP (rate, 1, 10000);
  seconds = CLAMP (seconds, 1, 60);
  total = (guint64) rate * seconds;
  start = g_get_monotonic_time ();
  end = start + (gint64) seconds * G_USEC_PER_SEC;
  /* bounded in count and in time */
  while (sent < total && g_get_monotonic_time () < end + G_USEC_PER_SEC)
    {
      gint64 due = start + (gint64) (sent * G_USEC_PER_SEC / rate);
      gint64 now = g_get_monotonic_time ();

      if (due > now)
        g_usleep (due - now);
      seq++;
      ts += 3000;
      pkt[0] = 0x80;
      pkt[1] = (pkt[1] & 0x7f) | ((sent % 8 == 7) ? 0x80 : 0); /* now and then a marker */
      pkt[2] = seq >> 8;
      pkt[3] = seq;
      pkt[4] = ts >> 24;
      pkt[5] = ts >> 16;
      pkt[6] = ts >> 8;
      pkt[7] = ts;
      pkt[8] = ssrc >> 24;
      pkt[9] = ssrc >> 16;
      pkt[10] = ssrc >> 8;
      pkt[11] = ssrc;
      for (gsize i = 12; i < sizeof pkt; i += 4)
        {
          guint32 r = g_random_int ();

          memcpy (pkt + i, &r, MIN (4, sizeof pkt - i));
        }
      pkt[12] = 0x7c; /* an FU-A of an IDR, so a depayloader would take it */
      if (g_socket_send_to (s, to, (const gchar *) pkt, sizeof pkt, NULL, NULL) > 0)
        sent++;
      else
        break;
    }
  g_print ("sent %" G_GUINT64_FORMAT "\n", sent);
  return 0;
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (*(guint64 *) data)++;
  return GST_PAD_PROBE_OK;
}

static int
run_sniff (const gchar *group, guint16 port, guint seconds)
{
  g_autofree gchar *desc = g_strdup_printf (
    "udpsrc name=in address=%s port=%u caps=\"application/x-rtp,media=video,clock-rate=90000,"
    "encoding-name=H264,payload=96\" ! rtph264depay ! h264parse ! avdec_h264 ! "
    "fakesink name=out sync=false", group, port);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipe = gst_parse_launch (desc, &error);
  g_autoptr (GstElement) in = NULL;
  g_autoptr (GstElement) out = NULL;
  g_autoptr (GstPad) in_pad = NULL;
  g_autoptr (GstPad) out_pad = NULL;
  g_autoptr (GstBus) bus = NULL;
  guint64 packets = 0, frames = 0;

  if (pipe == NULL)
    {
      g_printerr ("gc-attacker: %s\n", error->message);
      return 1;
    }
  in = gst_bin_get_by_name (GST_BIN (pipe), "in");
  out = gst_bin_get_by_name (GST_BIN (pipe), "out");
  in_pad = gst_element_get_static_pad (in, "src");
  out_pad = gst_element_get_static_pad (out, "sink");
  gst_pad_add_probe (in_pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &packets, NULL);
  gst_pad_add_probe (out_pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &frames, NULL);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipe);
  /* an error (a decoder that gives up) ends it early: what was decoded counts */
  {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, (GstClockTime) CLAMP (seconds, 1, 60)
                                                         * GST_SECOND, GST_MESSAGE_ERROR);

    if (m != NULL)
      gst_message_unref (m);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  g_print ("packets %" G_GUINT64_FORMAT " frames %" G_GUINT64_FORMAT "\n", packets, frames);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 6 && g_str_equal (argv[1], "hold"))
    return run_hold (argv[2], (guint16) atoi (argv[3]), (guint) atoi (argv[4]),
                     (guint) atoi (argv[5]));
  if ((argc == 5 || argc == 6) && g_str_equal (argv[1], "beacons"))
    return run_beacons (argv[2], (guint) atoi (argv[3]), (guint) atoi (argv[4]),
                        argc == 6 ? argv[5] : NULL);
  if (argc == 5 && g_str_equal (argv[1], "send-raw"))
    return run_send_raw (argv[2], argv[3], (guint16) atoi (argv[4]));
  if (argc == 6 && g_str_equal (argv[1], "rtp-inject"))
    return run_rtp_inject (argv[2], (guint16) atoi (argv[3]), (guint) atoi (argv[4]),
                           (guint) atoi (argv[5]));
  if (argc == 5 && g_str_equal (argv[1], "sniff"))
    {
      gst_init (&argc, &argv);
      return run_sniff (argv[2], (guint16) atoi (argv[3]), (guint) atoi (argv[4]));
    }
  g_printerr ("usage: gc-attacker hold HOST PORT N SECONDS\n"
              "       gc-attacker beacons DEST RATE SECONDS [ID]\n"
              "       gc-attacker send-raw FILE HOST PORT\n"
              "       gc-attacker rtp-inject GROUP PORT RATE SECONDS\n"
              "       gc-attacker sniff GROUP PORT SECONDS\n");
  return 2;
}
