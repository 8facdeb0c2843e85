/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *gc_identity_load_or_create    (const gchar *state_dir,
                                      GError     **error);
gchar *gc_identity_load              (const gchar *state_dir,
                                      const gchar *iface,
                                      gboolean    *derived,
                                      GError     **error);
gchar *gc_identity_derive            (const gchar *machine_id,
                                      const gchar *mac);
gchar *gc_identity_derive_local      (const gchar *iface);
gchar *gc_identity_resolve_collision (const gchar *state_dir,
                                      const gchar *iface,
                                      const gchar *old_id);

G_END_DECLS
