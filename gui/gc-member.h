/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-history.h"

G_BEGIN_DECLS

#define GC_TYPE_MEMBER (gc_member_get_type ())
G_DECLARE_FINAL_TYPE (GcMember, gc_member, GC, MEMBER, GObject)

GcMember    *gc_member_new               (const gchar *address);
const gchar *gc_member_get_address       (GcMember    *self);
const gchar *gc_member_get_name          (GcMember    *self);
const gchar *gc_member_get_state         (GcMember    *self);
gdouble      gc_member_get_fraction_lost (GcMember    *self);
gint64       gc_member_get_packets_lost  (GcMember    *self);
gdouble      gc_member_get_jitter_ms     (GcMember    *self);
gdouble      gc_member_get_rtt_ms        (GcMember    *self);
gint64       gc_member_get_report_age_ms (GcMember    *self);
GcHistory   *gc_member_get_loss_history  (GcMember    *self);
GcHistory   *gc_member_get_jitter_history (GcMember   *self);
void         gc_member_update            (GcMember    *self,
                                          GVariant    *info);
void         gc_member_sample            (GcMember    *self);

G_END_DECLS
