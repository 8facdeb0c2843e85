/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "gc-announcement.h"

G_BEGIN_DECLS

/* TXT records of _groupcast._tcp (docs/protocol.md, "Discovery"): pure
 * functions, so they are unit-tested and fuzzed without a daemon. with a
 * site key a record carries "ts" and "mac": an HMAC-SHA256 over its fields,
 * the publisher's address and port, and the time it was made */
#define GC_TXT_VERSION "1"
#define GC_TXT_MAX_SIZE 1300
#define GC_TXT_MAC_HEX_LEN 64

gchar    **gc_txt_build        (const GcAnnouncement *a);
gchar    **gc_txt_build_signed (const GcAnnouncement *a,
                                GBytes               *key,
                                const gchar          *address,
                                gint64                timestamp_us);
GBytes    *gc_txt_encode       (const gchar * const *strings);
gboolean   gc_txt_parse        (const guint8   *data,
                                gsize           len,
                                GcAnnouncement *out,
                                GError        **error);
gboolean   gc_txt_parse_full   (const guint8   *data,
                                gsize           len,
                                GcAnnouncement *out,
                                gint64         *timestamp_us,
                                gchar         **mac,
                                GError        **error);
gchar     *gc_txt_mac          (const GcAnnouncement *a,
                                GBytes               *key,
                                const gchar          *address,
                                gint64                timestamp_us);
gboolean   gc_txt_verify       (const GcAnnouncement *a,
                                GBytes               *key,
                                const gchar          *address,
                                gint64                timestamp_us,
                                const gchar          *mac);

G_END_DECLS
