/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "gc-announcement.h"

G_BEGIN_DECLS

/* the wire format is in docs/protocol.md, "Discovery" */
#define GC_BEACON_VERSION        1
#define GC_BEACON_MAX_SIZE       1024
#define GC_BEACON_HEADER_SIZE    34
#define GC_BEACON_MAC_SIZE       32
#define GC_BEACON_MAX_NAME       64
#define GC_BEACON_MAX_URL        255
#define GC_BEACON_MAX_GROUP      64
#define GC_BEACON_MAX_INSTANCE   32
#define GC_BEACON_MAX_ADDRESS    46

/* flags byte: SIGNED is set by the builder when a key is given; LEAVING is
 * the goodbye an agent sends when it stops */
typedef enum
{
  GC_BEACON_FLAG_SIGNED = 1 << 0,
  GC_BEACON_FLAG_LEAVING = 1 << 1,
} GcBeaconFlags;

GBytes   *gc_beacon_build      (const GcAnnouncement *a,
                                GBytes               *key,
                                GError              **error);
GBytes   *gc_beacon_build_full (const GcAnnouncement *a,
                                GBytes               *key,
                                gint64                timestamp_us,
                                guint                 flags,
                                GError              **error);
gboolean  gc_beacon_parse      (const guint8         *data,
                                gsize                 len,
                                GBytes               *key,
                                GcAnnouncement       *out,
                                GError              **error);
gboolean  gc_beacon_parse_full (const guint8         *data,
                                gsize                 len,
                                GBytes               *key,
                                GcAnnouncement       *out,
                                gint64               *timestamp_us,
                                guint                *flags,
                                GError              **error);

gboolean  gc_beacon_looks_valid (const guint8 *data,
                                 gsize         len);
gboolean  gc_beacon_string_is_valid (const gchar *s,
                                     gssize       len,
                                     gsize        max_len);

G_END_DECLS
