/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* the number of samples kept: one a second for a minute */
#define GC_HISTORY_LENGTH 60

#define GC_TYPE_HISTORY (gc_history_get_type ())
G_DECLARE_FINAL_TYPE (GcHistory, gc_history, GC, HISTORY, GObject)

GcHistory    *gc_history_new        (void);
void          gc_history_push       (GcHistory *self,
                                     gdouble    value);
void          gc_history_clear      (GcHistory *self);
guint         gc_history_get_length (GcHistory *self);
gdouble       gc_history_get        (GcHistory *self,
                                     guint      i);
gdouble       gc_history_get_last   (GcHistory *self);
gdouble       gc_history_get_max    (GcHistory *self);

G_END_DECLS
