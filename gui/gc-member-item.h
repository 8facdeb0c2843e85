/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-history.h"
#include "gc-state.h"

G_BEGIN_DECLS

#define GC_TYPE_MEMBER_ITEM (gc_member_item_get_type ())
G_DECLARE_FINAL_TYPE (GcMemberItem, gc_member_item, GC, MEMBER_ITEM, GObject)

GcMemberItem *gc_member_item_new                (const gchar  *address);
const gchar  *gc_member_item_get_address        (GcMemberItem *self);
const gchar  *gc_member_item_get_name           (GcMemberItem *self);
GcMemberState gc_member_item_get_state          (GcMemberItem *self);
GcTransport   gc_member_item_get_transport      (GcMemberItem *self);
gdouble       gc_member_item_get_fraction_lost  (GcMemberItem *self);
gint64        gc_member_item_get_packets_lost   (GcMemberItem *self);
gdouble       gc_member_item_get_jitter_ms      (GcMemberItem *self);
gdouble       gc_member_item_get_rtt_ms         (GcMemberItem *self);
gint64        gc_member_item_get_report_age_ms  (GcMemberItem *self);
GcHistory    *gc_member_item_get_loss_history   (GcMemberItem *self);
GcHistory    *gc_member_item_get_jitter_history (GcMemberItem *self);
void          gc_member_item_update             (GcMemberItem *self,
                                                 GVariant     *info);
void          gc_member_item_sample             (GcMemberItem *self,
                                                 gint64        time);

G_END_DECLS
