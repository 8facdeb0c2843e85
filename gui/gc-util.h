/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void     gc_util_toast          (GtkWidget           *within,
                                 const gchar         *message);
gchar   *gc_util_format_bitrate (guint64              bps);
gchar   *gc_util_explain_error  (GError              *error,
                                 gchar              **detail);
gchar   *gc_util_explain_result (const gchar         *message,
                                 gchar              **detail);
void     gc_util_toast_details  (GtkWidget           *within,
                                 const gchar         *message,
                                 const gchar         *detail);
gboolean gc_util_changed_any    (GVariant            *changed_properties,
                                 const gchar * const *names);

G_END_DECLS
