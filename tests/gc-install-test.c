/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the install as a distribution would see it: `meson install --destdir`
 * of this build into a temporary tree, then the tree inspected with the
 * system's own tools (systemd-sysusers, systemd-tmpfiles, man --warnings,
 * desktop-file-validate, appstreamcli) and the agent's own config parser;
 * and the system bus policy's destination for prefix /usr, from a fresh
 * `meson setup` (nothing built).
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gc-config.h"

typedef struct
{
  gchar *destdir;   /* the temporary tree */
  gchar *root;      /* destdir + prefix */
} Tree;

static Tree tree;

/* runs @argv; returns its stdout, fills @err_out with stderr */
static gchar *
run (const gchar * const *argv, gchar **err_out, gint *status_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *err = NULL;
  gchar *out = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (status_out != NULL)
    *status_out = status;
  else if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", argv[0], out, err);
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);
  return out;
}

static gchar *
in_tree (const gchar *dir, const gchar *name)
{
  /* dir is absolute (prefix-based or /etc) */
  return g_build_filename (tree.destdir, dir, name, NULL);
}

static gchar *
read_text (const gchar *path)
{
  g_autoptr (GError) error = NULL;
  gchar *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static gboolean
have (const gchar *program)
{
  g_autofree gchar *path = g_find_program_in_path (program);

  return path != NULL;
}

static void
install_tree (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  const gchar *argv[] = { "meson", "install", "-C", GC_BUILD_DIR, "--no-rebuild",
                          "--quiet", "--destdir", NULL, NULL };

  tree.destdir = g_dir_make_tmp ("gc-install-XXXXXX", &error);
  g_assert_no_error (error);
  argv[7] = tree.destdir;
  out = run (argv, NULL, NULL);
  tree.root = g_build_filename (tree.destdir, GC_PREFIX, NULL);
}

/* the files a package needs, where the system looks for them */
static void
test_file_list (void)
{
  const gchar *files[][2] = {
    { GC_BINDIR, "groupcast-agent" },
    { GC_DATADIR "/dbus-1/system.d", "io.github.Groupcast.conf" },
    { GC_DATADIR "/dbus-1/services", "io.github.Groupcast.service" },
    { GC_DATADIR "/dbus-1/interfaces", "io.github.Groupcast.Agent1.xml" },
    { GC_SYSTEM_UNIT_DIR, "groupcast-agent.service" },
    { GC_USER_UNIT_DIR, "groupcast-agent.service" },
    { GC_SYSUSERS_DIR, "groupcast-agent.conf" },
    { GC_TMPFILES_DIR, "groupcast-agent.conf" },
    { GC_SYSCTL_DIR, "60-groupcast.conf" },
    { GC_DATADIR "/groupcast", "agent.conf" },
    { GC_MANDIR "/man8", "groupcast-agent.8" },
    { GC_MANDIR "/man1", "groupcast.1" },
    { GC_DATADIR "/doc/groupcast", "dbus-api.md" },
  };
  g_autofree gchar *unit = NULL;
  g_autofree gchar *unit_text = NULL;
  g_autofree gchar *activation = NULL;
  g_autofree gchar *etc_policy = in_tree ("/etc/dbus-1/system.d", "io.github.Groupcast.conf");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree gchar *path = in_tree (files[i][0], files[i][1]);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_error ("%s/%s is not installed", files[i][0], files[i][1]);
    }
  /* the distribution's dbus-daemon reads /usr/share and /etc only */
  if (g_str_equal (GC_PREFIX, "/usr"))
    g_assert_false (g_file_test (etc_policy, G_FILE_TEST_EXISTS));
  else
    g_assert_true (g_file_test (etc_policy, G_FILE_TEST_IS_REGULAR));
  /* the units and the activation file start the agent of this prefix */
  unit = in_tree (GC_SYSTEM_UNIT_DIR, "groupcast-agent.service");
  unit_text = read_text (unit);
  g_assert_nonnull (strstr (unit_text, "ExecStart=" GC_BINDIR "/groupcast-agent "));
  g_assert_nonnull (strstr (unit_text, "\nConfigurationDirectory=groupcast\n"));
  g_assert_nonnull (strstr (unit_text, "\nUser=groupcast-agent\n"));
  activation = read_text (in_tree (GC_DATADIR "/dbus-1/services", "io.github.Groupcast.service"));
  g_assert_nonnull (strstr (activation, "Exec=" GC_BINDIR "/groupcast-agent "));
}

/* the installed agent says its version */
static void
test_version (void)
{
  g_autofree gchar *agent = g_build_filename (tree.root, "bin", "groupcast-agent", NULL);
  g_autofree gchar *panel = g_build_filename (tree.root, "bin", "groupcast", NULL);
  const gchar *argv[] = { agent, "--version", NULL };
  g_autofree gchar *out = run (argv, NULL, NULL);

  g_assert_cmpstr (out, ==, "groupcast-agent " PACKAGE_VERSION "\n");
  if (g_file_test (panel, G_FILE_TEST_IS_EXECUTABLE))
    {
      const gchar *pargv[] = { panel, "--version", NULL };
      g_autofree gchar *pout = run (pargv, NULL, NULL);

      g_assert_nonnull (strstr (pout, PACKAGE_VERSION));
    }
}

/* systemd-sysusers on the tree makes the service user and the group */
static void
test_sysusers (void)
{
  g_autofree gchar *conf = in_tree (GC_SYSUSERS_DIR, "groupcast-agent.conf");
  g_autofree gchar *etc = g_build_filename (tree.destdir, "etc", NULL);
  g_autofree gchar *root_arg = g_strdup_printf ("--root=%s", tree.destdir);
  g_autofree gchar *out = NULL;
  g_autofree gchar *passwd = NULL;
  g_autofree gchar *group = NULL;
  const gchar *argv[] = { "systemd-sysusers", root_arg, conf, NULL };

  if (!have ("systemd-sysusers"))
    {
      g_test_skip ("systemd-sysusers is not installed (package systemd)");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (etc, 0755), ==, 0);
  out = run (argv, NULL, NULL);
  passwd = read_text (g_build_filename (etc, "passwd", NULL));
  group = read_text (g_build_filename (etc, "group", NULL));
  g_assert_true (g_str_has_prefix (passwd, "groupcast-agent:") || strstr (passwd, "\ngroupcast-agent:") != NULL);
  g_assert_true (g_str_has_prefix (group, "groupcast:") || strstr (group, "\ngroupcast:") != NULL);
  g_assert_nonnull (strstr (passwd, ":/var/lib/groupcast:"));
}

/* the sysctl.d file lets receivers have the 512 KiB receive buffers they
 * ask for (the kernel's default limit is 208 KiB): one key, in the form
 * systemd-sysctl reads at boot (it is not applied here: that would change
 * the machine the tests run on) */
static void
test_sysctl (void)
{
  g_autofree gchar *path = in_tree (GC_SYSCTL_DIR, "60-groupcast.conf");
  g_autofree gchar *text = read_text (path);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint64 rmem = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) kv = g_strsplit (lines[i], "=", 2);

      if (lines[i][0] == '#' || g_strv_length (kv) != 2)
        continue;
      g_assert_cmpstr (g_strstrip (kv[0]), ==, "net.core.rmem_max");
      g_assert_true (g_ascii_string_to_unsigned (g_strstrip (kv[1]), 10, 0, G_MAXUINT64, &rmem,
                                                 NULL));
    }
  g_assert_cmpuint (rmem, >=, 512 * 1024);
}

/* systemd-tmpfiles makes /etc/groupcast with the default agent.conf, and
 * never overwrites an edited one */
static void
test_tmpfiles (void)
{
  g_autofree gchar *conf = in_tree (GC_TMPFILES_DIR, "groupcast-agent.conf");
  g_autofree gchar *root_arg = g_strdup_printf ("--root=%s", tree.destdir);
  g_autofree gchar *etc_conf = in_tree ("/etc/groupcast", "agent.conf");
  g_autofree gchar *factory = in_tree (GC_DATADIR "/groupcast", "agent.conf");
  g_autofree gchar *copied = NULL;
  g_autofree gchar *factory_text = NULL;
  g_autofree gchar *kept = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *argv[] = { "systemd-tmpfiles", "--create", root_arg, conf, NULL };

  if (!have ("systemd-tmpfiles"))
    {
      g_test_skip ("systemd-tmpfiles is not installed (package systemd)");
      return;
    }
  g_free (run (argv, NULL, NULL));
  copied = read_text (etc_conf);
  factory_text = read_text (factory);
  g_assert_cmpstr (copied, ==, factory_text);
  /* an edit survives the next boot's tmpfiles run */
  g_file_set_contents (etc_conf, "[agent]\nname=Room 7\n", -1, &error);
  g_assert_no_error (error);
  g_free (run (argv, NULL, NULL));
  kept = read_text (etc_conf);
  g_assert_cmpstr (kept, ==, "[agent]\nname=Room 7\n");
}

/* the long options of `PROGRAM --help`, without their dashes */
static GPtrArray *
long_options (const gchar *program)
{
  const gchar *argv[] = { program, "--help", NULL };
  g_autofree gchar *out = run (argv, NULL, NULL);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *l = g_strchug (lines[i]);
      const gchar *at = strstr (l, "--");

      if (at == NULL || l[0] != '-')
        continue;
      at += 2;
      g_ptr_array_add (names, g_strndup (at, strcspn (at, "= \t")));
    }
  return names;
}

/* the installed default config: every key the agent takes (but the
 * desktop's and the command line's own) documented, commented out, and
 * the file read as it is and with every line uncommented */
static void
test_default_config (void)
{
  g_autofree gchar *agent = g_build_filename (tree.root, "bin", "groupcast-agent", NULL);
  g_autofree gchar *path = in_tree (GC_DATADIR "/groupcast", "agent.conf");
  g_autofree gchar *text = read_text (path);
  g_autoptr (GPtrArray) options = long_options (agent);
  g_autoptr (GString) uncommented = g_string_new (NULL);
  g_autoptr (GcConfig) plain = gc_config_new_default ();
  g_autoptr (GcConfig) loaded = gc_config_new_default ();
  g_autoptr (GcConfig) all = gc_config_new_default ();
  g_autofree gchar *all_path = g_build_filename (tree.destdir, "all.conf", NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GError) error = NULL;
  const gchar *not_in_file[] = { "help", "config", "desktop", "bus", "bus-address", "version",
                                 "new-site-key", NULL };
  guint keys = 0;

  g_assert_cmpuint (options->len, >, 30);
  for (guint i = 0; i < options->len; i++)
    {
      const gchar *name = g_ptr_array_index (options, i);
      g_autofree gchar *line = NULL;

      if (g_strv_contains (not_in_file, name))
        continue;
      if (g_str_has_prefix (name, "no-"))
        name += 3;
      line = g_strdup_printf ("\n#%s=", name);
      if (strstr (text, line) == NULL)
        g_error ("agent.conf does not document %s", name);
    }
  /* nothing is set: the file read as installed changes no default */
  g_assert_true (gc_config_load_key_file (loaded, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->name, ==, plain->name);
  g_assert_cmpuint (loaded->rtsp_port, ==, plain->rtsp_port);
  g_assert_cmpint (loaded->source, ==, plain->source);
  /* every example is a key the agent knows, with a value it takes */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *l = lines[i];

      if (g_regex_match_simple ("^#[a-z][a-z0-9-]*=", l, 0, 0))
        {
          l++;
          keys++;
        }
      g_string_append_printf (uncommented, "%s\n", l);
    }
  g_assert_cmpuint (keys, >, 30);
  g_file_set_contents (all_path, uncommented->str, -1, &error);
  g_assert_no_error (error);
  g_assert_true (gc_config_load_key_file (all, all_path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (all->name, ==, "Room 101 board");
}

/* man --warnings (groff's own checks) says nothing about either page, and
 * each long option of the program is in its page */
static void
check_man_page (const gchar *page, const gchar *program)
{
  g_autofree gchar *err = NULL;
  g_autofree gchar *source = read_text (page);
  const gchar *argv[] = { "man", "--warnings", "-l", page, NULL };
  g_autofree gchar *out = NULL;
  gint status = 0;

  out = run (argv, &err, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (err, ==, "");
  g_assert_nonnull (strstr (out, "NAME"));
  g_assert_nonnull (strstr (out, "SYNOPSIS"));
  if (g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autoptr (GPtrArray) options = long_options (program);

      for (guint i = 0; i < options->len; i++)
        {
          const gchar *name = g_ptr_array_index (options, i);
          g_autofree gchar *fl = g_strdup_printf ("Fl -%s", name);

          if (g_str_equal (name, "help") || g_str_has_prefix (name, "help-")
              || g_str_has_prefix (name, "gapplication"))
            continue;
          if (strstr (source, fl) == NULL)
            g_error ("%s does not describe --%s", page, name);
        }
    }
}

static void
test_man_pages (void)
{
  g_autofree gchar *agent_page = in_tree (GC_MANDIR "/man8", "groupcast-agent.8");
  g_autofree gchar *panel_page = in_tree (GC_MANDIR "/man1", "groupcast.1");
  g_autofree gchar *agent = g_build_filename (tree.root, "bin", "groupcast-agent", NULL);
  g_autofree gchar *panel = g_build_filename (tree.root, "bin", "groupcast", NULL);

  if (!have ("man") || !have ("groff"))
    {
      g_test_skip ("man or groff is not installed (packages man-db, groff-base)");
      return;
    }
  check_man_page (agent_page, agent);
  check_man_page (panel_page, panel);
}

static void
test_desktop_file (void)
{
  g_autofree gchar *desktop = in_tree (GC_DATADIR "/applications", "io.github.Groupcast.desktop");
  g_autofree gchar *err = NULL;
  g_autofree gchar *out = NULL;
  const gchar *argv[] = { "desktop-file-validate", desktop, NULL };
  gint status = 0;

  if (!g_file_test (desktop, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the panel is not built (-Dgui)");
      return;
    }
  if (!have ("desktop-file-validate"))
    {
      g_test_skip ("desktop-file-validate is not installed (package desktop-file-utils)");
      return;
    }
  /* no errors, no warnings, no hints */
  out = run (argv, &err, &status);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* the panel's settings schema is installed where GLib looks, compiles
 * with --strict, and has the keys the panel reads (meson compiles it after
 * an install, but not into a DESTDIR: compiled here as a package would) */
static void
test_settings_schema (void)
{
  g_autofree gchar *dir = in_tree (GC_DATADIR "/glib-2.0", "schemas");
  g_autofree gchar *schema = g_build_filename (dir, "io.github.Groupcast.gschema.xml", NULL);
  g_autofree gchar *target = g_build_filename (tree.destdir, "compiled-schemas", NULL);
  g_autofree gchar *target_arg = g_strdup_printf ("--targetdir=%s", target);
  g_autofree gchar *err = NULL;
  const gchar *argv[] = { "glib-compile-schemas", "--strict", target_arg, dir, NULL };
  const gchar *keys[] = { "bus", "window-width", "window-height", "window-maximized" };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *panel = in_tree (GC_BINDIR, "groupcast");
  GSettingsSchemaSource *source = NULL;
  g_autoptr (GSettingsSchema) s = NULL;
  gint status = 0;

  if (!g_file_test (panel, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the panel is not built (-Dgui)");
      return;
    }
  g_assert_true (g_file_test (schema, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_mkdir_with_parents (target, 0755), ==, 0);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("glib-compile-schemas --strict: %s", err);
  source = g_settings_schema_source_new_from_directory (target, NULL, TRUE, &error);
  g_assert_no_error (error);
  s = g_settings_schema_source_lookup (source, "io.github.Groupcast", FALSE);
  g_assert_nonnull (s);
  g_assert_cmpstr (g_settings_schema_get_path (s), ==, "/io/github/Groupcast/");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (g_settings_schema_has_key (s, keys[i]));
  g_settings_schema_source_unref (source);
}

static void
test_metainfo (void)
{
  g_autofree gchar *metainfo = in_tree (GC_DATADIR "/metainfo", "io.github.Groupcast.metainfo.xml");
  g_autofree gchar *err = NULL;
  g_autofree gchar *out = NULL;
  g_auto (GStrv) lines = NULL;
  const gchar *argv[] = { "appstreamcli", "validate", "--no-net", "--pedantic", metainfo, NULL };
  gint status = 0;

  if (!g_file_test (metainfo, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the panel is not built (-Dgui)");
      return;
    }
  if (!have ("appstreamcli"))
    {
      g_test_skip ("appstreamcli is not installed (package appstream)");
      return;
    }
  out = run (argv, &err, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* every issue line ("E: id:line tag …", W, I, P) fails the test, but one:
   * the pedantic hint that the id has capitals. the id is the application
   * id, the D-Bus name and the desktop file's name (io.github.Groupcast),
   * as GNOME's own apps do (org.gnome.TextEditor) */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *l = lines[i];

      if (strlen (l) > 2 && l[1] == ':' && strchr ("EWIP", l[0]) != NULL)
        {
          if (l[0] == 'P' && strstr (l, "cid-contains-uppercase-letter") != NULL)
            continue;
          g_error ("appstreamcli: %s", l);
        }
    }
}

/* prefix /usr: the policy goes to /usr/share/dbus-1/system.d only (read
 * there by the distribution's dbus-daemon; nothing in /etc) */
static void
test_usr_prefix (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("gc-install-usr-XXXXXX", &error);
  g_autofree gchar *build = NULL;
  g_autofree gchar *installed = NULL;
  g_autofree gchar *rm_out = NULL;

  g_assert_no_error (error);
  build = g_build_filename (dir, "build", NULL);
  {
    const gchar *argv[] = { "meson", "setup", "--prefix=/usr", build, GC_SOURCE_DIR, NULL };

    g_free (run (argv, NULL, NULL));
  }
  {
    const gchar *argv[] = { "meson", "introspect", build, "--installed", NULL };

    installed = run (argv, NULL, NULL);
  }
  g_assert_nonnull (strstr (installed, "\"/usr/share/dbus-1/system.d/io.github.Groupcast.conf\""));
  g_assert_null (strstr (installed, "\"/etc/"));
  g_assert_nonnull (strstr (installed, "\"/usr/lib/systemd/system/groupcast-agent.service\""));
  g_assert_nonnull (strstr (installed, "\"/usr/lib/sysusers.d/groupcast-agent.conf\""));
  g_assert_nonnull (strstr (installed, "\"/usr/lib/tmpfiles.d/groupcast-agent.conf\""));
  g_assert_nonnull (strstr (installed, "\"/usr/lib/sysctl.d/60-groupcast.conf\""));
  g_assert_nonnull (strstr (installed, "\"/usr/share/man/man8/groupcast-agent.8\""));
  {
    const gchar *argv[] = { "rm", "-rf", dir, NULL };

    rm_out = run (argv, NULL, NULL);
  }
}

static void
skip_no_meson (void)
{
  g_test_skip ("meson is not in PATH: nothing to install with");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!have ("meson"))
    {
      g_test_add_func ("/groupcast/install/no-meson", skip_no_meson);
      return g_test_run ();
    }
  install_tree ();
  g_test_add_func ("/groupcast/install/file-list", test_file_list);
  g_test_add_func ("/groupcast/install/version", test_version);
  g_test_add_func ("/groupcast/install/sysusers", test_sysusers);
  g_test_add_func ("/groupcast/install/tmpfiles", test_tmpfiles);
  g_test_add_func ("/groupcast/install/sysctl", test_sysctl);
  g_test_add_func ("/groupcast/install/default-config", test_default_config);
  g_test_add_func ("/groupcast/install/man-pages", test_man_pages);
  g_test_add_func ("/groupcast/install/desktop-file", test_desktop_file);
  g_test_add_func ("/groupcast/install/metainfo", test_metainfo);
  g_test_add_func ("/groupcast/install/settings-schema", test_settings_schema);
  g_test_add_func ("/groupcast/install/usr-prefix", test_usr_prefix);
  status = g_test_run ();
  {
    const gchar *rm[] = { "rm", "-rf", tree.destdir, NULL };

    g_free (run (rm, NULL, NULL));
  }
  g_free (tree.destdir);
  g_free (tree.root);
  return status;
}
