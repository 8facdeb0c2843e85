/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "gc-config.h"
#include "gc-source-launch.h"

G_BEGIN_DECLS

#define GC_TYPE_SOURCE (gc_source_get_type ())
G_DECLARE_FINAL_TYPE (GcSource, gc_source, GC, SOURCE, GObject)

typedef const gchar *(*GcSourceNameFunc) (const gchar *address, gpointer data);

GcSource    *gc_source_new              (const GcConfig *config);
gboolean     gc_source_set_group        (GcSource *self,
                                         const gchar *group,
                                         GError **error);
gboolean     gc_source_start            (GcSource *self,
                                         GError **error);
void         gc_source_stop             (GcSource *self);
void         gc_source_force_key_frame  (GcSource *self);
void         gc_source_set_name_func    (GcSource *self,
                                         GcSourceNameFunc func,
                                         gpointer data);

const gchar *gc_source_get_state        (GcSource *self);
const gchar *gc_source_get_url          (GcSource *self);
const gchar *gc_source_get_group        (GcSource *self);
guint16      gc_source_get_rtp_port     (GcSource *self);
guint8       gc_source_get_ttl          (GcSource *self);
const gchar *gc_source_get_capture      (GcSource *self);
const gchar *gc_source_get_encoder      (GcSource *self);
guint64      gc_source_get_packets_sent (GcSource *self);
guint64      gc_source_get_bytes_sent   (GcSource *self);
guint64      gc_source_get_bitrate      (GcSource *self);
gdouble      gc_source_get_packet_rate  (GcSource *self);
guint        gc_source_get_n_members    (GcSource *self);
GVariant    *gc_source_dup_members      (GcSource *self);
gboolean     gc_source_has_member       (GcSource *self,
                                         const gchar *address);

G_END_DECLS
