/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the systemd units as built: `systemd-analyze security --offline=yes`
 * (systemd's own scoring, no running systemd needed) must rate the system
 * unit 2.5 or less, and the user unit no worse than what a user service can
 * take (docs/reliability.md, "The service").
 */
#include "config.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define SYSTEM_UNIT GC_BUILD_DIR "/data/groupcast-agent.service"
#define USER_UNIT GC_BUILD_DIR "/data/groupcast-agent-user.service"

/* the overall exposure systemd-analyze gives @unit, or -1 (skipped) */
static gdouble
exposure (const gchar *unit)
{
  g_autofree gchar *analyze = g_find_program_in_path ("systemd-analyze");
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  const gchar *argv[] = { analyze, "security", "--offline=yes", "--no-pager", unit, NULL };
  const gchar *at;
  gint status = 0;

  if (analyze == NULL)
    {
      g_test_skip ("systemd-analyze is not installed (package systemd)");
      return -1;
    }
  g_assert_true (g_file_test (unit, G_FILE_TEST_EXISTS));
  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  /* "→ Overall exposure level for groupcast-agent.service: 1.6 OK 🙂" */
  at = strstr (out, "Overall exposure level for ");
  if (at == NULL)
    g_error ("systemd-analyze said no level for %s: %s%s", unit, out, err);
  at = strstr (at, ": ");
  g_assert_nonnull (at);
  {
    g_autofree gchar *level = g_strndup (at + 2, strcspn (at + 2, "\n"));

    g_test_message ("%s: %s", unit, level);
  }
  /* a failed check is listed with a ✗ and its weight: say which remain */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "✗"))
      g_test_message ("  %s", lines[i]);
  return g_ascii_strtod (at + 2, NULL);
}

static void
test_system_unit (void)
{
  gdouble level = exposure (SYSTEM_UNIT);

  if (level < 0)
    return;
  g_assert_cmpfloat (level, <=, 2.5);
}

/* a user manager may not have namespaces: the filesystem and device
 * sandboxing is out, so this unit's bound is its own */
static void
test_user_unit (void)
{
  gdouble level = exposure (USER_UNIT);

  if (level < 0)
    return;
  g_assert_cmpfloat (level, <=, 6.5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/unit/system-exposure", test_system_unit);
  g_test_add_func ("/groupcast/unit/user-exposure", test_user_unit);
  return g_test_run ();
}
