/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the agent id: kept in the state directory; derived from the machine id
 * and the interface's MAC where it cannot be kept, and for the copy of a
 * cloned board.
 */
#include "config.h"

#include "gc-error.h"
#include "gc-identity.h"

#include <glib/gstdio.h>

static void
test_derive (void)
{
  g_autofree gchar *a = gc_identity_derive ("0123456789abcdef0123456789abcdef", "02:00:00:00:00:01");
  g_autofree gchar *a2 = gc_identity_derive ("0123456789abcdef0123456789abcdef", "02:00:00:00:00:01");
  g_autofree gchar *b = gc_identity_derive ("0123456789abcdef0123456789abcdef", "02:00:00:00:00:02");
  g_autofree gchar *c = gc_identity_derive ("fedcba9876543210fedcba9876543210", "02:00:00:00:00:01");
  g_autofree gchar *lo = gc_identity_derive_local ("lo");
  g_autofree gchar *lo2 = gc_identity_derive_local ("lo");

  g_assert_true (g_uuid_string_is_valid (a));
  /* a version 8 (custom) UUID of the RFC 9562 variant */
  g_assert_cmpint (a[14], ==, '8');
  g_assert_true (strchr ("89ab", a[19]) != NULL);
  g_assert_cmpstr (a, ==, a2);
  /* cloned boards share the machine id, not the MAC */
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpstr (lo, ==, lo2);
}

static void
test_unwritable (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("gc-identity-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (dir, "file", NULL);
  /* below a regular file: no directory can be made there, even by root */
  g_autofree gchar *state = g_build_filename (file, "state", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *id1 = NULL;
  g_autofree gchar *id2 = NULL;
  g_autofree gchar *expected = gc_identity_derive_local ("lo");
  gboolean derived = FALSE;

  g_file_set_contents (file, "", 0, &error);
  g_assert_no_error (error);
  id1 = gc_identity_load (state, "lo", &derived, &error);
  g_assert_no_error (error);
  g_assert_true (derived);
  g_assert_cmpstr (id1, ==, expected);
  /* the same on the next start: stable without a file */
  id2 = gc_identity_load (state, "lo", &derived, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id2, ==, id1);
  g_unlink (file);
  g_rmdir (dir);
}

/* the copy of a cloned board moves to a new id, keeps it, and finds it
 * again on its next start */
static void
test_collision (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("gc-identity-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "id", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *old = NULL;
  g_autofree gchar *fresh = NULL;
  g_autofree gchar *again = NULL;
  g_autofree gchar *derived = gc_identity_derive_local ("lo");

  old = gc_identity_load (dir, "lo", NULL, &error);
  g_assert_no_error (error);
  fresh = gc_identity_resolve_collision (dir, "lo", old);
  g_assert_true (g_uuid_string_is_valid (fresh));
  g_assert_cmpstr (fresh, !=, old);
  g_assert_cmpstr (fresh, ==, derived);
  again = gc_identity_load (dir, "lo", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, fresh);
  /* when the derived id is the one that collides: a random one */
  {
    g_autofree gchar *other = gc_identity_resolve_collision (dir, "lo", derived);

    g_assert_cmpstr (other, !=, derived);
    g_assert_true (g_uuid_string_is_valid (other));
  }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/identity/derive", test_derive);
  g_test_add_func ("/groupcast/identity/unwritable", test_unwritable);
  g_test_add_func ("/groupcast/identity/collision", test_collision);
  return g_test_run ();
}
