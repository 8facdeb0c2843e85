/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-dbus-generated.h"
#include "gc-peer-item.h"
#include "gc-peer-list.h"

G_BEGIN_DECLS

#define GC_TYPE_SWITCHER (gc_switcher_get_type ())
G_DECLARE_FINAL_TYPE (GcSwitcher, gc_switcher, GC, SWITCHER, GObject)

GcSwitcher    *gc_switcher_new        (GcDBusSource1      *source);
GcDBusSource1 *gc_switcher_get_source (GcSwitcher         *self);
void           gc_switcher_follow     (GcSwitcher         *self,
                                       GcPeerList         *peers);
void           gc_switcher_run_async  (GcSwitcher         *self,
                                       GPtrArray          *items,
                                       gboolean            release,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean       gc_switcher_run_finish (GcSwitcher         *self,
                                       GAsyncResult       *result,
                                       GError            **error);
void           gc_switcher_identify_async  (GcSwitcher         *self,
                                            GPtrArray          *items,
                                            guint               seconds,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
void           gc_switcher_mute_async      (GcSwitcher         *self,
                                            GPtrArray          *items,
                                            gboolean            muted,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean       gc_switcher_identify_finish (GcSwitcher         *self,
                                            GAsyncResult       *result,
                                            GError            **error);
void           gc_switcher_rename_async    (GcSwitcher         *self,
                                            GcPeerItem         *item,
                                            const gchar        *name,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean       gc_switcher_rename_finish   (GcSwitcher         *self,
                                            GAsyncResult       *result,
                                            GError            **error);

G_END_DECLS
