/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gc-member-item.h"

G_BEGIN_DECLS

#define GC_TYPE_MEMBER_ROW (gc_member_row_get_type ())
G_DECLARE_FINAL_TYPE (GcMemberRow, gc_member_row, GC, MEMBER_ROW, GtkWidget)

GcMemberItem *gc_member_row_get_member (GcMemberRow  *self);
void          gc_member_row_set_member (GcMemberRow  *self,
                                        GcMemberItem *member);

G_END_DECLS
