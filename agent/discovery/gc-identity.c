/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcIdentity"

#include "config.h"

#include "gc-identity.h"

#include "gc-error.h"

#include <errno.h>
#include <glib/gstdio.h>

/* the agent id is made once and kept in STATE_DIR/id, so peers and panels
 * see the same agent across restarts and renames. where the state
 * directory cannot be written (a read-only root), and for the copy of a
 * cloned board, the id is derived from /etc/machine-id and the interface's
 * MAC: stable across reboots of that board, different on every board */

#define DERIVE_CONTEXT "groupcast-agent-id-1"

/* pure: a UUID (RFC 9562 version 8, "custom") from the SHA-256 of the
 * machine id and the MAC */
gchar *
gc_identity_derive (const gchar *machine_id, const gchar *mac)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 b[32];
  gsize len = sizeof b;

  g_checksum_update (sum, (const guchar *) DERIVE_CONTEXT "\n", -1);
  g_checksum_update (sum, (const guchar *) (machine_id != NULL ? machine_id : ""), -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) (mac != NULL ? mac : ""), -1);
  g_checksum_get_digest (sum, b, &len);
  b[6] = 0x80 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static gchar *
read_trimmed (const gchar *path)
{
  gchar *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  if (text[0] == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

/* this machine's id and @iface's MAC (any may be missing: then the host
 * name stands in) */
gchar *
gc_identity_derive_local (const gchar *iface)
{
  g_autofree gchar *machine = read_trimmed ("/etc/machine-id");
  g_autofree gchar *mac = NULL;

  if (machine == NULL)
    machine = read_trimmed ("/var/lib/dbus/machine-id");
  if (machine == NULL)
    machine = g_strdup (g_get_host_name ());
  if (iface != NULL && g_strcmp0 (iface, "lo") != 0)
    {
      g_autofree gchar *path = g_build_filename ("/sys/class/net", iface, "address", NULL);

      mac = read_trimmed (path);
    }
  return gc_identity_derive (machine, mac);
}

static gboolean
store (const gchar *state_dir, const gchar *id, GError **error)
{
  g_autofree gchar *path = g_build_filename (state_dir, "id", NULL);
  g_autofree gchar *line = g_strdup_printf ("%s\n", id);

  if (g_mkdir_with_parents (state_dir, 0755) < 0)
    {
      int errsv = errno;

      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "making %s: %s", state_dir,
                   g_strerror (errsv));
      return FALSE;
    }
  /* written to a temporary file and renamed, so a crash never leaves half an id */
  if (!g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    {
      g_prefix_error (error, "storing agent id: ");
      return FALSE;
    }
  return TRUE;
}

/* the id in @state_dir; a new one is made and kept there when there is
 * none. when it cannot be kept (the directory is not writable), the id is
 * derived (gc_identity_derive_local() for @iface) and *@derived is set.
 * a damaged id file is an error, not replaced */
gchar *
gc_identity_load (const gchar *state_dir, const gchar *iface, gboolean *derived, GError **error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *id = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (derived != NULL)
    *derived = FALSE;
  path = g_build_filename (state_dir, "id", NULL);
  if (g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_strstrip (contents);
      if (!g_uuid_string_is_valid (contents))
        {
          /* refuse rather than replace: a silently new id would make every
           * peer and panel see a different agent */
          g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                       "%s does not hold a valid UUID; remove it to make a new id", path);
          return NULL;
        }
      return g_ascii_strdown (contents, -1);
    }
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
      && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "reading agent id: ");
      return NULL;
    }
  g_clear_error (&local_error);

  id = g_uuid_string_random ();
  if (!store (state_dir, id, &local_error))
    {
      g_free (id);
      id = gc_identity_derive_local (iface);
      g_message ("cannot keep an agent id (%s): using %s, derived from the machine id and "
                 "%s's address", local_error->message, id, iface != NULL ? iface : "no interface");
      if (derived != NULL)
        *derived = TRUE;
      return g_steal_pointer (&id);
    }
  g_debug ("made new agent id %s in %s", id, path);
  return g_steal_pointer (&id);
}

gchar *
gc_identity_load_or_create (const gchar *state_dir, GError **error)
{
  return gc_identity_load (state_dir, NULL, NULL, error);
}

/* another agent uses @old_id (a board cloned from one image): the new id
 * for this one, derived so it stays the same across reboots, random when
 * the derived one is @old_id itself; kept in @state_dir when it can be */
gchar *
gc_identity_resolve_collision (const gchar *state_dir, const gchar *iface, const gchar *old_id)
{
  g_autofree gchar *id = gc_identity_derive_local (iface);
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (old_id != NULL, NULL);
  if (g_ascii_strcasecmp (id, old_id) == 0)
    {
      g_free (id);
      id = g_uuid_string_random ();
    }
  if (state_dir != NULL && !store (state_dir, id, &error))
    g_message ("cannot keep the new agent id %s: %s", id, error->message);
  return g_steal_pointer (&id);
}
