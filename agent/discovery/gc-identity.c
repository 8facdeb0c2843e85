/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcIdentity"

#include "config.h"

#include "gc-identity.h"

#include "gc-error.h"

#include <errno.h>
#include <glib/gstdio.h>

/* the agent id is made once and kept in STATE_DIR/id, so peers and panels
 * see the same agent across restarts and renames */
gchar *
gc_identity_load_or_create (const gchar *state_dir, GError **error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *id = NULL;
  g_autofree gchar *line = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_build_filename (state_dir, "id", NULL);
  if (g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_strstrip (contents);
      if (!g_uuid_string_is_valid (contents))
        {
          /* refuse rather than replace: a silently new id would make every
           * peer and panel see a different agent */
          g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                       "%s does not hold a valid UUID; remove it to make a new id",
                       path);
          return NULL;
        }
      return g_ascii_strdown (contents, -1);
    }
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "reading agent id: ");
      return NULL;
    }

  if (g_mkdir_with_parents (state_dir, 0755) < 0)
    {
      int errsv = errno;

      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "making %s: %s", state_dir,
                   g_strerror (errsv));
      return NULL;
    }
  id = g_uuid_string_random ();
  line = g_strdup_printf ("%s\n", id);
  /* written to a temporary file and renamed, so a crash never leaves half an id */
  if (!g_file_set_contents_full (path, line, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, error))
    {
      g_prefix_error (error, "storing agent id: ");
      return NULL;
    }
  g_debug ("made new agent id %s in %s", id, path);
  return g_steal_pointer (&id);
}
