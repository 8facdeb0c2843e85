/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-announcement.h"

G_BEGIN_DECLS

/* TXT records of _groupcast._tcp (docs/protocol.md, "Discovery"): pure
 * functions, so they are unit-tested and fuzzed without a daemon */
#define GC_TXT_VERSION "1"
#define GC_TXT_MAX_SIZE 1300

gchar    **gc_txt_build  (const GcAnnouncement *a);
GBytes    *gc_txt_encode (const gchar * const *strings);
gboolean   gc_txt_parse  (const guint8   *data,
                          gsize           len,
                          GcAnnouncement *out,
                          GError        **error);

#define GC_TYPE_AVAHI (gc_avahi_get_type ())
G_DECLARE_FINAL_TYPE (GcAvahi, gc_avahi, GC, AVAHI, GObject)

GcAvahi  *gc_avahi_new        (const gchar *iface);
void      gc_avahi_start      (GcAvahi              *self,
                               const GcAnnouncement *self_announcement);
void      gc_avahi_update     (GcAvahi              *self,
                               const GcAnnouncement *self_announcement);
void      gc_avahi_stop       (GcAvahi *self);
gboolean  gc_avahi_is_running (GcAvahi *self);
const gchar *gc_avahi_get_service_name (GcAvahi *self);

G_END_DECLS
