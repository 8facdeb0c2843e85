/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <adwaita.h>

#include "gc-agent-client.h"
#include "gc-peer-list.h"

G_BEGIN_DECLS

#define GC_TYPE_WINDOW (gc_window_get_type ())
G_DECLARE_FINAL_TYPE (GcWindow, gc_window, GC, WINDOW, AdwApplicationWindow)

GcWindow          *gc_window_new              (GtkApplication *application,
                                               GcAgentClient  *client);
GcAgentClient     *gc_window_get_client       (GcWindow       *self);
void               gc_window_set_client       (GcWindow       *self,
                                               GcAgentClient  *client);
GcPeerList        *gc_window_get_peers        (GcWindow       *self);
GListModel        *gc_window_get_receivers    (GcWindow       *self);
GtkSelectionModel *gc_window_get_selection    (GcWindow       *self);
const gchar       *gc_window_get_visible_page (GcWindow       *self);
void               gc_window_show_page        (GcWindow       *self,
                                               const gchar    *name);

G_END_DECLS
