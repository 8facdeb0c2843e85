/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* a history covers the last minute, in time-stamped samples. they are not
 * counted: the agent sends its counters about every 500 ms, but only when
 * they change, and now and then once more (when a member joins), so a
 * fixed number of samples would not be a fixed span of time */
#define GC_HISTORY_SPAN (60 * G_USEC_PER_SEC)

#define GC_TYPE_HISTORY (gc_history_get_type ())
G_DECLARE_FINAL_TYPE (GcHistory, gc_history, GC, HISTORY, GObject)

GcHistory *gc_history_new           (void);
void       gc_history_push          (GcHistory *self,
                                     gdouble    value);
void       gc_history_push_at       (GcHistory *self,
                                     gint64     time,
                                     gdouble    value);
void       gc_history_clear         (GcHistory *self);
guint      gc_history_get_length    (GcHistory *self);
gdouble    gc_history_get           (GcHistory *self,
                                     guint      i);
gint64     gc_history_get_time      (GcHistory *self,
                                     guint      i);
gboolean   gc_history_get_peak      (GcHistory *self,
                                     gint64     from,
                                     gint64     to,
                                     gdouble   *value);
gdouble    gc_history_get_last      (GcHistory *self);
gint64     gc_history_get_last_time (GcHistory *self);
gdouble    gc_history_get_max       (GcHistory *self);

G_END_DECLS
