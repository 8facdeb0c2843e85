/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the receivers in a source's group: one member per address that set up
 * the source's stream over RTSP, with what its RTCP receiver reports say
 * (loss, jitter, round trip). the source feeds it from its RTSP clients
 * and its rtpsession's statistics.
 */
#pragma once

#include <gst/gst.h>

#include "gc-state.h"

G_BEGIN_DECLS

/* one member as the D-Bus API shows it; plain data */
typedef struct
{
  gchar *address;
  gchar *name;            /* the peer's name, or the address */
  GcMemberState state;
  gchar *session;         /* the RTSP session id, or "" */
  GcTransport transport;  /* the group, or a stream of its own */
  gdouble fraction_lost;  /* 0..1, from its last receiver report */
  gint64 packets_lost;
  gdouble jitter_ms;
  gdouble rtt_ms;
  gint64 report_age_ms;   /* -1 before its first report */
} GcMemberInfo;

void gc_member_info_free (GcMemberInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcMemberInfo, gc_member_info_free)

typedef const gchar *(*GcMemberNameFunc) (const gchar *address, gpointer data);

#define GC_TYPE_MEMBER_TABLE (gc_member_table_get_type ())
G_DECLARE_FINAL_TYPE (GcMemberTable, gc_member_table, GC, MEMBER_TABLE, GObject)

GcMemberTable *gc_member_table_new            (void);
void           gc_member_table_set_name_func  (GcMemberTable    *self,
                                               GcMemberNameFunc  func,
                                               gpointer          data);
void           gc_member_table_play           (GcMemberTable *self,
                                               const gchar   *address,
                                               gpointer       client,
                                               const gchar   *session,
                                               GcTransport    transport);
void           gc_member_table_remove         (GcMemberTable *self,
                                               const gchar   *address,
                                               const gchar   *reason);
void           gc_member_table_remove_client  (GcMemberTable *self,
                                               gpointer       client,
                                               const gchar   *reason);
void           gc_member_table_clear          (GcMemberTable *self,
                                               const gchar   *reason);
void           gc_member_table_note_report    (GcMemberTable *self,
                                               guint32        ssrc);
void           gc_member_table_update         (GcMemberTable      *self,
                                               const GstStructure *session_stats,
                                               guint               clock_rate);
guint          gc_member_table_get_size       (GcMemberTable *self);
guint          gc_member_table_get_n_playing  (GcMemberTable *self);
gboolean       gc_member_table_is_playing     (GcMemberTable *self,
                                               const gchar   *address);
GcMemberInfo  *gc_member_table_dup_info       (GcMemberTable *self,
                                               const gchar   *address);
GPtrArray     *gc_member_table_dup_infos      (GcMemberTable *self);

G_END_DECLS
