/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-member-item.h"

G_BEGIN_DECLS

#define GC_TYPE_MEMBER_LIST_MODEL (gc_member_list_model_get_type ())
G_DECLARE_FINAL_TYPE (GcMemberListModel, gc_member_list_model, GC, MEMBER_LIST_MODEL, GObject)

GcMemberListModel *gc_member_list_model_new         (void);
void               gc_member_list_model_set_members (GcMemberListModel *self,
                                                     GVariant          *members);
GcMemberItem      *gc_member_list_model_find        (GcMemberListModel *self,
                                                     const gchar       *address);
void               gc_member_list_model_sample      (GcMemberListModel *self);

G_END_DECLS
