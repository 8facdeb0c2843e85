/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the kernel's view of which multicast groups an interface has joined,
 * from the text of /proc/net/igmp, and of the datagrams it dropped for a
 * socket whose receive buffer was full, from /proc/net/udp(6); pure
 * parsers, unit-tested
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar **gc_igmp_parse_groups (const gchar *proc_net_igmp,
                              const gchar *iface);
gchar **gc_igmp_read_groups  (const gchar *iface);

guint64 gc_udp_parse_drops   (const gchar   *proc_net_udp,
                              const guint64 *inodes,
                              guint          n_inodes);
guint64 gc_udp_read_drops    (const guint64 *inodes,
                              guint          n_inodes);

G_END_DECLS
