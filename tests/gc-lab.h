/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* a lab: hosts in network namespaces behind an IGMP-snooping bridge,
 * built by tests/lab/gc-lab and torn down when freed or when the test
 * process dies. host numbers start at 1; host I has address 10.99.0.I. */
typedef struct _GcLab GcLab;

gboolean     gc_lab_available        (gchar **reason);
GcLab       *gc_lab_new              (guint n_hosts, GError **error);
/* hosts FAR_FROM..N_HOSTS are on 10.99.1.0/24 (host I is 10.99.1.I),
 * behind a router that forwards unicast, and multicast to 239/8 with a
 * TTL of 2 or more */
GcLab       *gc_lab_new_routed       (guint n_hosts, guint far_from, GError **error);
void         gc_lab_free             (GcLab *lab);
/* for tests: a lab, or NULL after g_test_skip() saying why */
GcLab       *gc_lab_new_or_skip      (guint n_hosts);
const gchar *gc_lab_get_name         (GcLab *lab);
guint        gc_lab_get_n_hosts      (GcLab *lab);
gchar       *gc_lab_host_address     (GcLab *lab, guint host);
const gchar *gc_lab_host_dir         (GcLab *lab, guint host);
GSubprocess *gc_lab_spawnv           (GcLab *lab, guint host,
                                      GSubprocessLauncher *launcher,
                                      const gchar * const *argv,
                                      GError **error);
GSubprocess *gc_lab_spawn            (GcLab *lab, guint host,
                                      GSubprocessLauncher *launcher,
                                      GError **error,
                                      const gchar *argv0, ...) G_GNUC_NULL_TERMINATED;
gchar       *gc_lab_run              (GcLab *lab, guint host, GError **error,
                                      const gchar *argv0, ...) G_GNUC_NULL_TERMINATED;
gchar       *gc_lab_start_bus        (GcLab *lab, guint host, GError **error);
GArray      *gc_lab_mdb_hosts        (GcLab *lab, const gchar *group);
gboolean     gc_lab_mdb_has          (GcLab *lab, const gchar *group, guint host);
GStrv        gc_lab_mdb_sources      (GcLab *lab, const gchar *group, guint host);
guint64      gc_lab_rx_bytes         (GcLab *lab, guint host);
guint64      gc_lab_tx_bytes         (GcLab *lab, guint host);
guint64      gc_lab_rx_packets       (GcLab *lab, guint host);
/* UDP packets to PORT the bridge forwarded to HOST; counting starts at the
 * first call for that host and port */
guint64      gc_lab_udp_count        (GcLab *lab, guint host, guint16 port);
gboolean     gc_lab_set_loss         (GcLab *lab, guint host, guint percent,
                                      GError **error);
gboolean     gc_lab_set_link         (GcLab *lab, guint host, gboolean up,
                                      GError **error);
gboolean     gc_lab_block_broadcast  (GcLab *lab, guint host, GError **error);
/* multicast UDP arriving at host dropped (or not), IGMP let through */
gboolean     gc_lab_block_multicast  (GcLab *lab, guint host, gboolean block,
                                      GError **error);
/* all UDP arriving at host dropped (or not), beacons and mDNS let through */
gboolean     gc_lab_block_udp        (GcLab *lab, guint host, gboolean block,
                                      GError **error);
/* host's address added again without a broadcast address (no "brd") */
gboolean     gc_lab_remove_broadcast_address (GcLab *lab, guint host, GError **error);
/* an interface IFNAME (a bridge with no ports) with ADDRESS ("172.17.0.1/16") in host */
gboolean     gc_lab_add_interface    (GcLab *lab, guint host, const gchar *ifname,
                                      const gchar *address, GError **error);

typedef gboolean (*GcTestPredicate) (gpointer user_data);
gboolean     gc_test_wait_until      (GcTestPredicate pred, gpointer user_data,
                                      guint timeout_ms);
void         gc_test_sleep           (guint ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcLab, gc_lab_free)

G_END_DECLS

/* discovery: a host's own system bus and avahi-daemon, so mDNS runs inside
 * the lab as on a real machine */
G_BEGIN_DECLS
gchar       *gc_lab_start_system_bus (GcLab *lab, guint host, GError **error);
GSubprocess *gc_lab_start_avahi      (GcLab *lab, guint host, GError **error);
G_END_DECLS
