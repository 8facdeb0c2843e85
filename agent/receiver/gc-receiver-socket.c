/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-socket.h"

#include <gst/rtsp/rtsp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* source-specific multicast (IGMPv3 / MLDv2): 232.0.0.0/8 and ff3x::/32
 * always, other groups with --ssm */
static gboolean
wants_ssm (GInetAddress *group, gboolean ssm)
{
  const guint8 *b = g_inet_address_to_bytes (group);

  if (g_inet_address_get_family (group) == G_SOCKET_FAMILY_IPV4 && b[0] == 232)
    return TRUE;
  if (g_inet_address_get_family (group) == G_SOCKET_FAMILY_IPV6 && b[0] == 0xff
      && (b[1] & 0xf0) == 0x30)
    return TRUE;
  return ssm;
}

/* rtspsrc joined the whole group (any sender); the socket takes the
 * source's packets only: the kernel filters others' before they reach
 * it, and an IGMPv3-snooping switch or a PIM-SSM router forwards only
 * the source's. the source is the URL's host (a Groupcast source serves
 * RTSP and RTP from one address). */
static gboolean
join_source_specific (GSocket *socket, const gchar *addr, const gchar *url, const gchar *iface,
                      gboolean ssm)
{
  g_autoptr (GInetAddress) group = NULL;
  g_autoptr (GInetAddress) source = NULL;
  g_autoptr (GstRTSPUrl) u = NULL;
  g_autoptr (GError) error = NULL;

  group = addr != NULL ? g_inet_address_new_from_string (addr) : NULL;
  if (group == NULL || !g_inet_address_get_is_multicast (group) || !wants_ssm (group, ssm))
    return FALSE;
  if (gst_rtsp_url_parse (url, &u) == GST_RTSP_OK && u->host != NULL)
    source = g_inet_address_new_from_string (u->host);
  if (source == NULL || g_inet_address_get_family (source) != g_inet_address_get_family (group))
    {
      g_message ("%s: the source is not an address of the group's family: joined for any "
                 "sender", addr);
      return FALSE;
    }
  if (!g_socket_leave_multicast_group (socket, group, FALSE, iface, &error)
      || !g_socket_join_multicast_group_ssm (socket, group, source, iface, &error))
    {
      g_autoptr (GError) again = NULL;

      g_message ("cannot join %s for %s only (%s): joined for any sender", addr, u->host,
                 error->message);
      g_socket_join_multicast_group (socket, group, FALSE, iface, &again);
      return FALSE;
    }
  g_info ("joined (%s, %s): source-specific", u->host, addr);
  return TRUE;
}

/* a burst (a key frame is tens of packets at once; a stalled board) must
 * fit the socket's queue: rtspsrc asks for 512 KiB, and the kernel holds it
 * to net.core.rmem_max (208 KiB by default). forced past that when the
 * agent may (CAP_NET_ADMIN), else said once. data/sysctl.d raises the
 * limit where the package is installed. */
#define RCVBUF_BYTES (512 * 1024)

static void
size_receive_buffer (GSocket *socket)
{
  static gsize said = 0;
  gint fd = g_socket_get_fd (socket);
  gint want = RCVBUF_BYTES, have = 0;
  socklen_t len = sizeof have;

  /* the kernel reports twice what it keeps for data */
  if (getsockopt (fd, SOL_SOCKET, SO_RCVBUF, &have, &len) == 0 && have >= 2 * want)
    return;
  setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want);
  len = sizeof have;
  if (getsockopt (fd, SOL_SOCKET, SO_RCVBUF, &have, &len) == 0 && have < 2 * want
      && g_once_init_enter (&said))
    {
      g_message ("UDP receive buffers are %d KiB, not %d KiB (net.core.rmem_max): a burst "
                 "larger than that is dropped by the kernel (PacketsDroppedByKernel); raise it "
                 "with sysctl net.core.rmem_max=1048576", have / 2 / 1024, want / 1024);
      g_once_init_leave (&said, 1);
    }
}

/* each socket gets its own group only. during a switch this host is in
 * two groups on the same port, with two sockets bound to it: udpsrc binds
 * with SO_REUSEADDR and SO_REUSEPORT, and linux then steers every datagram
 * for the port, of either group, to one socket of the two (the old
 * stream's), whatever each joined. SO_REUSEADDR alone still lets both bind;
 * with SO_REUSEPORT off after the bind, each gets its own group's. rtspsrc
 * opens (binds and joins) each udpsrc before it adds it: done as it is
 * added. @group is the address the udpsrc joined, @url the source's. */
void
gc_receiver_socket_prepare (GSocket *socket, const gchar *group, const gchar *url,
                            const gchar *interface, gboolean ssm, GcReceiverSocket *out)
{
  struct stat st;

  g_return_if_fail (G_IS_SOCKET (socket) && out != NULL);

  out->source_specific = FALSE;
  out->inode = fstat (g_socket_get_fd (socket), &st) == 0 ? (guint64) st.st_ino : 0;
  size_receive_buffer (socket);
  g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 0, NULL);
  if (g_socket_get_family (socket) == G_SOCKET_FAMILY_IPV4)
    g_socket_set_option (socket, IPPROTO_IP, IP_MULTICAST_ALL, 0, NULL);
  out->source_specific = join_source_specific (socket, group, url, interface, ssm);
  /* what came between the bind and now may be the other group's: a stray
   * packet read first would take the depayloader, and this group's stream
   * would arrive as a second one. nothing is read from the socket yet and
   * the key frame is asked for later, so the backlog goes (a bounded
   * number of non-blocking reads) */
  for (guint i = 0; i < 4096; i++)
    {
      guint8 scratch[2048];
      g_autoptr (GError) error = NULL;

      if (g_socket_receive_with_blocking (socket, (gchar *) scratch, sizeof scratch, FALSE, NULL,
                                          &error) < 0)
        break;
    }
}
