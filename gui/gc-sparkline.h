/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gc-history.h"

G_BEGIN_DECLS

#define GC_TYPE_SPARKLINE (gc_sparkline_get_type ())
G_DECLARE_FINAL_TYPE (GcSparkline, gc_sparkline, GC, SPARKLINE, GtkWidget)

GtkWidget *gc_sparkline_new         (void);
GcHistory *gc_sparkline_get_history (GcSparkline *self);
void       gc_sparkline_set_history (GcSparkline *self,
                                     GcHistory   *history);
gdouble    gc_sparkline_get_floor   (GcSparkline *self);
void       gc_sparkline_set_floor   (GcSparkline *self,
                                     gdouble      floor);

G_END_DECLS
