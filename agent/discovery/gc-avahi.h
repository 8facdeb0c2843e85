/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-announcement.h"
#include "gc-txt.h"

G_BEGIN_DECLS

#define GC_TYPE_AVAHI (gc_avahi_get_type ())
G_DECLARE_FINAL_TYPE (GcAvahi, gc_avahi, GC, AVAHI, GObject)

GcAvahi  *gc_avahi_new        (const gchar *iface);
void      gc_avahi_set_key    (GcAvahi     *self,
                               GBytes      *key);
void      gc_avahi_start      (GcAvahi              *self,
                               const GcAnnouncement *self_announcement);
void      gc_avahi_update     (GcAvahi              *self,
                               const GcAnnouncement *self_announcement);
void      gc_avahi_stop       (GcAvahi *self);
gboolean  gc_avahi_is_running (GcAvahi *self);
const gchar *gc_avahi_get_service_name (GcAvahi *self);

G_END_DECLS
