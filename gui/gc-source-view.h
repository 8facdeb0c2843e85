/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gc-dbus-generated.h"
#include "gc-member-list.h"

G_BEGIN_DECLS

#define GC_TYPE_SOURCE_VIEW (gc_source_view_get_type ())
G_DECLARE_FINAL_TYPE (GcSourceView, gc_source_view, GC, SOURCE_VIEW, GtkWidget)

GcDBusSource1     *gc_source_view_get_source  (GcSourceView  *self);
void               gc_source_view_set_source  (GcSourceView  *self,
                                               GcDBusSource1 *source);
GcMemberList      *gc_source_view_get_members (GcSourceView  *self);

G_END_DECLS
