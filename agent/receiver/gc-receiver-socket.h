/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what the receiver does to each UDP socket rtspsrc opened for a stream,
 * before a packet is read: its own group only (SO_REUSEPORT and
 * IP_MULTICAST_ALL off), a receive buffer for bursts, the (source, group)
 * join for source-specific multicast, the backlog dropped; and the inode
 * under which the kernel counts its drops.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean source_specific; /* joined (source, group) */
  guint64 inode;            /* 0 when unknown */
} GcReceiverSocket;

void gc_receiver_socket_prepare (GSocket          *socket,
                                 const gchar      *group,
                                 const gchar      *url,
                                 const gchar      *interface,
                                 gboolean          ssm,
                                 GcReceiverSocket *out);

G_END_DECLS
