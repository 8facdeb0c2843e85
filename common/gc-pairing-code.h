/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a pairing code as a person types it: the agent and the panel read it
 * the same way
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GC_PAIRING_CODE_DIGITS 6

/* pure: "123456", "123 456" or "123-456" to the six digits; FALSE otherwise */
gboolean gc_pairing_code_normalize (const gchar *text,
                                    gchar        out[GC_PAIRING_CODE_DIGITS + 1]);

G_END_DECLS
