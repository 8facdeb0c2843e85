/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "gc-lab.h"

G_BEGIN_DECLS

/* a real groupcast-agent in a lab host, on a D-Bus of that host's own */
typedef struct
{
  GcLab *lab;
  guint host;
  gchar *bus_address;
  GDBusConnection *bus;
  GSubprocess *proc;
  GPtrArray *argv;      /* for restarts */
  gchar *log_path;
  guint log_slot;       /* its log is printed if the test process dies */
} GcTestAgent;

GcTestAgent *gc_test_agent_start       (GcLab *lab, guint host, GError **error,
                                        const gchar *first_arg, ...) G_GNUC_NULL_TERMINATED;
gboolean     gc_test_agent_restart     (GcTestAgent *a, GError **error);
void         gc_test_agent_stop        (GcTestAgent *a);
void         gc_test_agent_kill        (GcTestAgent *a);
void         gc_test_agent_free        (GcTestAgent *a);
gboolean     gc_test_agent_wait_ready  (GcTestAgent *a, guint timeout_ms);
GVariant    *gc_test_agent_get         (GcTestAgent *a, const gchar *path,
                                        const gchar *iface, const gchar *prop);
gchar       *gc_test_agent_get_string  (GcTestAgent *a, const gchar *path,
                                        const gchar *iface, const gchar *prop);
guint64      gc_test_agent_get_u64     (GcTestAgent *a, const gchar *path,
                                        const gchar *iface, const gchar *prop);
GVariant    *gc_test_agent_call        (GcTestAgent *a, const gchar *path,
                                        const gchar *iface, const gchar *method,
                                        GVariant *params, guint timeout_ms,
                                        GError **error);
gboolean     gc_test_agent_wait_string (GcTestAgent *a, const gchar *path,
                                        const gchar *iface, const gchar *prop,
                                        const gchar *want, guint timeout_ms);
gchar       *gc_test_agent_get_log     (GcTestAgent *a);
const gchar *gc_test_agent_binary      (void);
gboolean     gc_test_agent_wait_playing (GcTestAgent *a, guint timeout_ms);
guint64      gc_test_agent_receiver_u64 (GcTestAgent *r, const gchar *prop);
gchar       *gc_test_write_site_key    (GcLab *lab, const gchar *name, const gchar *text);
gchar       *gc_test_site_key_option   (GcLab *lab, const gchar *text);
guint        gc_test_agent_count_peers (GcTestAgent *a);
gboolean     gc_test_agent_wait_peers  (GcTestAgent *a, guint n, guint timeout_ms);
/* after g_test_fail(), put the agents' logs in the test output; when a
 * g_assert*() aborts the test (or a timeout ends it), every live agent's
 * log is written to stderr on the way down without being asked */
void         gc_test_agent_dump_logs_on_failure (GcTestAgent **agents, guint n);
/* the agent's own pid (ip netns exec may fork it) and /proc readings */
gint         gc_test_agent_pid         (GcTestAgent *a);
guint64      gc_test_proc_status       (gint pid, const gchar *key);
guint        gc_test_fd_count          (gint pid);
guint64      gc_test_stat_cpu_ticks    (const gchar *stat_path);

#define GC_RECEIVER_PATH "/io/github/Groupcast/receiver"
#define GC_SOURCE_PATH "/io/github/Groupcast/source"
#define GC_RECEIVER_IFACE "io.github.Groupcast.Receiver1"
#define GC_SOURCE_IFACE "io.github.Groupcast.Source1"
#define GC_AGENT_IFACE "io.github.Groupcast.Agent1"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcTestAgent, gc_test_agent_free)

G_END_DECLS
