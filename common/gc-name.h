/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * an agent's friendly name ("Room 3 left"): what --name, Agent1.Name and a
 * signed rename request may set, checked the same way by the agent and
 * the panel
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GC_NAME_MAX_BYTES 63

/* 1 to GC_NAME_MAX_BYTES bytes of UTF-8, not only blanks, and no control
 * characters (a name is one line in beacons, TXT records and requests) */
gboolean gc_name_is_valid (const gchar *name);

G_END_DECLS
