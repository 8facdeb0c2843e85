/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the kernel's view of which multicast groups an interface has joined,
 * from the text of /proc/net/igmp; pure, unit-tested
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar **gc_igmp_parse_groups (const gchar *proc_net_igmp,
                              const gchar *iface);
gchar **gc_igmp_read_groups  (const gchar *iface);

G_END_DECLS
