/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "gc-config.h"

G_BEGIN_DECLS

/* what the source's pipeline is: pure functions, unit-tested */
gchar *gc_source_build_launch (const GcConfig *config,
                               const gchar *encoder,
                               GError **error);
gchar *gc_source_pick_encoder (const gchar *requested,
                               GError **error);

G_END_DECLS
