/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a site key shorter than this is refused: it would be easy to guess */
#define GC_SITE_KEY_MIN_LENGTH 8
/* a key file longer than this is not a key file */
#define GC_SITE_KEY_MAX_LENGTH 4096

GBytes *gc_site_key_load_file   (const gchar *path,
                                 GError     **error);
GBytes *gc_site_key_from_string (const gchar *s,
                                 GError     **error);
/* a fresh key (32 bytes from the kernel's random source, in hex) in a new
 * file @path, mode 0600, owned by @owner_uid/@owner_gid (-1: the caller);
 * an existing file is never overwritten */
gboolean gc_site_key_write_new  (const gchar *path,
                                 gint         owner_uid,
                                 gint         owner_gid,
                                 GError     **error);
/* @key (as a key file holds it) in @path, mode 0600, replacing the file
 * that is there in one step */
gboolean gc_site_key_store      (const gchar *path,
                                 GBytes      *key,
                                 GError     **error);

G_END_DECLS
