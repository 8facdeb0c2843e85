/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* a private X server for GUI tests: Xvfb on a free display number, which
 * it picks itself and reports through -displayfd */
typedef struct _GcXvfb GcXvfb;

GcXvfb      *gc_xvfb_start       (GError **error);
const gchar *gc_xvfb_get_display (GcXvfb  *xvfb);
void         gc_xvfb_stop        (GcXvfb  *xvfb);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcXvfb, gc_xvfb_stop)

G_END_DECLS
