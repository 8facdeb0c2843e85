/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-mcast-probe: a tiny multicast sender/receiver for lab tests.
 *
 *   gc-mcast-probe join GROUP PORT SECONDS   join GROUP, count datagrams to
 *                                            PORT for SECONDS, print the count
 *   gc-mcast-probe send GROUP PORT COUNT     send COUNT datagrams, 10 ms apart
 */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>

static int
probe_join (const char *group, guint16 port, guint seconds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GInetAddress) grp = g_inet_address_new_from_string (group);
  g_autoptr (GSocketAddress) bind_addr = NULL;
  gint64 end;
  guint count = 0;

  if (grp == NULL || !g_inet_address_get_is_multicast (grp))
    {
      g_printerr ("gc-mcast-probe: '%s' is not a multicast address\n", group);
      return 2;
    }
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                       G_SOCKET_PROTOCOL_UDP, &error);
  bind_addr = g_inet_socket_address_new (any, port);
  if (sock == NULL || !g_socket_bind (sock, bind_addr, TRUE, &error)
      || !g_socket_join_multicast_group (sock, grp, FALSE, NULL, &error))
    {
      g_printerr ("gc-mcast-probe: %s\n", error->message);
      return 1;
    }
  /* say we are ready only once the kernel has joined (and sent its report) */
  g_print ("joined\n");
  end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      gchar buf[2048];
      gint64 left = end - g_get_monotonic_time ();

      if (!g_socket_condition_timed_wait (sock, G_IO_IN, MAX (left, 0), NULL, NULL))
        break;
      if (g_socket_receive (sock, buf, sizeof buf, NULL, NULL) >= 0)
        count++;
    }
  g_print ("%u\n", count);
  return 0;
}

static int
probe_send (const char *group, guint16 port, guint count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GInetAddress) grp = g_inet_address_new_from_string (group);
  g_autoptr (GSocketAddress) dest = NULL;

  if (grp == NULL)
    {
      g_printerr ("gc-mcast-probe: '%s' is not an address\n", group);
      return 2;
    }
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                       G_SOCKET_PROTOCOL_UDP, &error);
  if (sock == NULL)
    {
      g_printerr ("gc-mcast-probe: %s\n", error->message);
      return 1;
    }
  g_socket_set_multicast_ttl (sock, 1);
  dest = g_inet_socket_address_new (grp, port);
  for (guint i = 0; i < count; i++)
    {
      g_autofree gchar *msg = g_strdup_printf ("probe %u", i);

      if (g_socket_send_to (sock, dest, msg, strlen (msg), NULL, &error) < 0)
        {
          g_printerr ("gc-mcast-probe: %s\n", error->message);
          return 1;
        }
      g_usleep (10 * 1000);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  guint64 n;

  if (argc != 5 || !g_ascii_string_to_unsigned (argv[3], 10, 1, 65535, &n, NULL))
    {
      g_printerr ("usage: gc-mcast-probe join|send GROUP PORT SECONDS|COUNT\n");
      return 2;
    }
  if (g_str_equal (argv[1], "join"))
    return probe_join (argv[2], (guint16) n, (guint) atoi (argv[4]));
  if (g_str_equal (argv[1], "send"))
    return probe_send (argv[2], (guint16) n, (guint) atoi (argv[4]));
  g_printerr ("gc-mcast-probe: unknown mode '%s'\n", argv[1]);
  return 2;
}
