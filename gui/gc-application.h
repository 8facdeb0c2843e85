/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GC_TYPE_APPLICATION (gc_application_get_type ())
G_DECLARE_FINAL_TYPE (GcApplication, gc_application, GC, APPLICATION, AdwApplication)

GcApplication *gc_application_new          (void);
GSettings     *gc_application_dup_settings (void);
GBusType       gc_application_load_bus     (void);
gboolean       gc_application_save_bus     (GBusType   bus,
                                            GError   **error);

G_END_DECLS
