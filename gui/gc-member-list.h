/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-member-item.h"

G_BEGIN_DECLS

#define GC_TYPE_MEMBER_LIST (gc_member_list_get_type ())
G_DECLARE_FINAL_TYPE (GcMemberList, gc_member_list, GC, MEMBER_LIST, GObject)

GcMemberList *gc_member_list_new         (void);
GListModel   *gc_member_list_get_model   (GcMemberList *self);
void          gc_member_list_set_members (GcMemberList *self,
                                          GVariant     *members);
GcMemberItem *gc_member_list_find        (GcMemberList *self,
                                          const gchar  *address);
void          gc_member_list_sample      (GcMemberList *self);

G_END_DECLS
