/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *gc_identity_load_or_create (const gchar *state_dir,
                                   GError     **error);

G_END_DECLS
