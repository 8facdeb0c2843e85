/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcWaylandSession"

#include "config.h"

#include "gc-wayland-session.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define USER_NAME "gcwayland"
#define OUTPUT "HEADLESS-1"
#define XDPW_NAME "org.freedesktop.impl.portal.desktop.wlr"
#define PORTAL_NAME "org.freedesktop.portal.Desktop"

struct _GcWaylandSession
{
  uid_t uid;
  gid_t gid;
  gchar *dir;              /* everything of the session, owned by the user */
  gchar *runtime_dir;
  gchar *bus_address;
  gchar *wayland_display;
  gchar *sway_socket;
  gchar *colour;           /* what the screen shows */
  guint width, height;     /* the output's mode */
  GDBusConnection *bus;
  GPtrArray *procs;        /* GSubprocess, in start order */
  GSubprocess *pipewire;   /* one of them */
};

static const gchar *const tools[] = {
  "/usr/bin/sway", "/usr/bin/swaymsg", "/usr/bin/swaybg", "/usr/bin/pipewire",
  "/usr/bin/wireplumber", "/usr/bin/pw-cli", "/usr/libexec/xdg-desktop-portal",
  "/usr/libexec/xdg-desktop-portal-wlr", "/usr/bin/setpriv", "/usr/bin/dbus-daemon",
  /* the desktop's sound */
  "/usr/bin/pipewire-pulse", "/usr/bin/pactl", "/usr/bin/gst-launch-1.0",
};

gboolean
gc_wayland_session_available (gchar **reason)
{
  if (geteuid () != 0)
    {
      *reason = g_strdup ("the Wayland session needs root (to make its user and run the lab)");
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    if (!g_file_test (tools[i], G_FILE_TEST_IS_EXECUTABLE))
      {
        *reason = g_strdup_printf ("the Wayland session needs %s (tools/install-deps)", tools[i]);
        return FALSE;
      }
  if (!g_file_test (GC_XDPW_SHM, G_FILE_TEST_EXISTS))
    {
      *reason = g_strdup_printf ("the Wayland session needs %s (built with the tests)", GC_XDPW_SHM);
      return FALSE;
    }
  return TRUE;
}

/* ---- the user and its files ------------------------------------------------ */

static gboolean
ensure_user (GcWaylandSession *s, GError **error)
{
  struct passwd *pw = getpwnam (USER_NAME);
  gint status = 0;

  if (pw == NULL)
    {
      /* a system user without a home or a shell, made once */
      if (!g_spawn_command_line_sync ("useradd --system --no-create-home --home-dir /nonexistent "
                                      "--shell /usr/sbin/nologin --gid nogroup " USER_NAME,
                                      NULL, NULL, &status, error)
          || !g_spawn_check_wait_status (status, error))
        {
          g_prefix_error (error, "making user " USER_NAME ": ");
          return FALSE;
        }
      pw = getpwnam (USER_NAME);
    }
  if (pw == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no user " USER_NAME);
      return FALSE;
    }
  s->uid = pw->pw_uid;
  s->gid = pw->pw_gid;
  return TRUE;
}

static gboolean
make_dir (GcWaylandSession *s, const gchar *path, gint mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) < 0 || chown (path, s->uid, s->gid) < 0
      || chmod (path, mode) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* a copy the user can surely run: the build tree may sit under a
 * directory only root may enter (a CI checkout in /root) */
static gchar *
copy_for_user (GcWaylandSession *s, const gchar *path, GError **error)
{
  g_autofree gchar *base = g_path_get_basename (path);
  g_autofree gchar *dest = g_build_filename (s->dir, base, NULL);
  g_autoptr (GFile) from = g_file_new_for_path (path);
  g_autoptr (GFile) to = g_file_new_for_path (dest);

  if (!g_file_test (dest, G_FILE_TEST_EXISTS)
      && (!g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, error)
          || chmod (dest, 0755) < 0))
    {
      g_prefix_error (error, "copying %s for the session's user: ", path);
      return NULL;
    }
  return g_steal_pointer (&dest);
}

static gboolean
write_file (GcWaylandSession *s, const gchar *name, const gchar *text, gint mode, GError **error)
{
  g_autofree gchar *path = g_build_filename (s->dir, name, NULL);

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, mode, error))
    return FALSE;
  if (chown (path, s->uid, s->gid) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "chown %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static const gchar bus_conf[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>session</type>\n"
  "  <listen>unix:path=%s/bus</listen>\n"
  "  <auth>EXTERNAL</auth>\n"
  "  <standard_session_servicedirs/>\n"
  "  <policy context=\"default\">\n"
  /* the test (root) talks to the session too */
  "    <allow user=\"*\"/>\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "    <allow own=\"*\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

static gboolean
write_config (GcWaylandSession *s, GError **error)
{
  g_autofree gchar *conf = g_strdup_printf (bus_conf, s->runtime_dir);
  g_autofree gchar *sway = g_strdup_printf ("xwayland disable\n"
                                            "output " OUTPUT " resolution %ux%u bg %s solid_color\n",
                                            s->width, s->height, s->colour);
  g_autofree gchar *chooser = g_strdup_printf ("#!/bin/sh\n"
                                               "# the portal's output chooser: counts, picks\n"
                                               "echo call >> %s/chooser-calls\n"
                                               "echo " OUTPUT "\n", s->dir);
  g_autofree gchar *xdpw = g_strdup_printf ("[screencast]\n"
                                            "chooser_type=simple\n"
                                            "chooser_cmd=%s/chooser.sh\n"
                                            "max_fps=30\n", s->dir);

  return write_file (s, "bus.conf", conf, 0644, error)
         && write_file (s, "sway.conf", sway, 0644, error)
         && write_file (s, "chooser.sh", chooser, 0755, error)
         && write_file (s, "xdpw.conf", xdpw, 0644, error);
}

/* ---- processes ------------------------------------------------------------ */

static void
drop_to_user (gpointer data)
{
  GcWaylandSession *s = data;

  /* after fork, before exec: become the user, then die with the test (the
   * parent-death signal is cleared by a change of user, so it comes last) */
  if (setgroups (0, NULL) < 0 || setgid (s->gid) < 0 || setuid (s->uid) < 0)
    _exit (127);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
set_env (GcWaylandSession *s, GSubprocessLauncher *l)
{
  g_autofree gchar *home = g_build_filename (s->dir, "home", NULL);
  gchar *empty[] = { NULL };

  g_subprocess_launcher_set_environ (l, empty);
  g_subprocess_launcher_setenv (l, "PATH", "/usr/bin:/bin:/usr/sbin:/sbin", TRUE);
  g_subprocess_launcher_setenv (l, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_RUNTIME_DIR", s->runtime_dir, TRUE);
  g_subprocess_launcher_setenv (l, "DBUS_SESSION_BUS_ADDRESS", s->bus_address, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_CURRENT_DESKTOP", "sway", TRUE);
  g_subprocess_launcher_setenv (l, "XDG_SESSION_TYPE", "wayland", TRUE);
  if (s->wayland_display != NULL)
    g_subprocess_launcher_setenv (l, "WAYLAND_DISPLAY", s->wayland_display, TRUE);
}

static GSubprocess *
spawn (GcWaylandSession *s, const gchar *log, const gchar * const *env, GError **error,
       const gchar *argv0, ...)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree gchar *log_path = g_build_filename (s->dir, log, NULL);
  GSubprocess *proc;
  va_list ap;

  set_env (s, l);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (l, env[i], env[i + 1], TRUE);
  g_subprocess_launcher_set_cwd (l, s->dir);
  g_subprocess_launcher_set_stdout_file_path (l, log_path);
  g_subprocess_launcher_set_stderr_file_path (l, log_path);
  g_subprocess_launcher_set_child_setup (l, drop_to_user, s, NULL);
  va_start (ap, argv0);
  for (const gchar *a = argv0; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (l, (const gchar * const *) argv->pdata, error);
  if (proc != NULL)
    g_ptr_array_add (s->procs, proc);
  return proc;
}

static gboolean
wait_for_file (const gchar *path, guint ms)
{
  for (guint i = 0; i < ms / 20 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (20 * 1000);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
name_owned (GcWaylandSession *s, const gchar *name)
{
  g_autoptr (GVariant) r = g_dbus_connection_call_sync (s->bus, "org.freedesktop.DBus",
                                                        "/org/freedesktop/DBus",
                                                        "org.freedesktop.DBus", "NameHasOwner",
                                                        g_variant_new ("(s)", name),
                                                        G_VARIANT_TYPE ("(b)"),
                                                        G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  gboolean owned = FALSE;

  if (r != NULL)
    g_variant_get (r, "(b)", &owned);
  return owned;
}

static gboolean
wait_for_name (GcWaylandSession *s, const gchar *name, guint ms, GError **error)
{
  for (guint i = 0; i < ms / 50; i++)
    {
      if (name_owned (s, name))
        return TRUE;
      g_usleep (50 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s did not come on the session bus",
               name);
  return FALSE;
}

static gboolean
start_bus (GcWaylandSession *s, GError **error)
{
  g_autofree gchar *conf = g_strdup_printf ("--config-file=%s/bus.conf", s->dir);
  g_autofree gchar *socket = g_build_filename (s->runtime_dir, "bus", NULL);

  if (spawn (s, "bus.log", NULL, error, "dbus-daemon", conf, "--nofork", "--nopidfile",
             NULL) == NULL)
    return FALSE;
  if (!wait_for_file (socket, 5000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the session bus did not start");
      return FALSE;
    }
  s->bus = g_dbus_connection_new_for_address_sync (s->bus_address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                   | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, error);
  if (s->bus == NULL)
    return FALSE;
  g_dbus_connection_set_exit_on_close (s->bus, FALSE);
  return TRUE;
}

static gchar *
find_in_runtime (GcWaylandSession *s, const gchar *prefix, const gchar *not_suffix)
{
  g_autoptr (GDir) d = g_dir_open (s->runtime_dir, 0, NULL);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, not_suffix))
      return g_strdup (name);
  return NULL;
}

static gboolean
start_sway (GcWaylandSession *s, GError **error)
{
  const gchar *env[] = { "WLR_BACKENDS", "headless", "WLR_RENDERER", "pixman",
                         "WLR_LIBINPUT_NO_DEVICES", "1", NULL };
  g_autofree gchar *conf = g_build_filename (s->dir, "sway.conf", NULL);
  g_autofree gchar *ipc = NULL;

  if (spawn (s, "sway.log", env, error, "sway", "-c", conf, NULL) == NULL)
    return FALSE;
  for (guint i = 0; i < 250 && (s->wayland_display == NULL || ipc == NULL); i++)
    {
      g_usleep (20 * 1000);
      if (s->wayland_display == NULL)
        s->wayland_display = find_in_runtime (s, "wayland-", ".lock");
      if (ipc == NULL)
        ipc = find_in_runtime (s, "sway-ipc.", ".lock");
    }
  if (s->wayland_display == NULL || ipc == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "sway did not start (see %s/sway.log)", s->dir);
      return FALSE;
    }
  s->sway_socket = g_build_filename (s->runtime_dir, ipc, NULL);
  return TRUE;
}

/* ---- the session ------------------------------------------------------------ */

static gboolean
run_as_user (GcWaylandSession *s, gchar **out, GError **error, const gchar *argv0, ...)
{
  g_autoptr (GSubprocessLauncher) l =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  va_list ap;

  set_env (s, l);
  g_subprocess_launcher_set_child_setup (l, drop_to_user, s, NULL);
  va_start (ap, argv0);
  for (const gchar *a = argv0; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (l, (const gchar * const *) argv->pdata, error);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, out, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (proc))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", argv0,
                   out != NULL && *out != NULL ? *out : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
wait_for_wireplumber (GcWaylandSession *s, GError **error)
{
  /* the session manager links the portal's stream to its consumer */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree gchar *out = NULL;

      g_autofree gchar *lower = NULL;

      if (run_as_user (s, &out, NULL, "pw-cli", "ls", "Client", NULL) && out != NULL
          && strstr ((lower = g_ascii_strdown (out, -1)), "wireplumber") != NULL)
        return TRUE;
      g_usleep (50 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "wireplumber did not come to PipeWire");
  return FALSE;
}

static gboolean
start_media_and_portal (GcWaylandSession *s, GError **error)
{
  g_autofree gchar *pw_socket = g_build_filename (s->runtime_dir, "pipewire-0", NULL);
  g_autofree gchar *xdpw_conf = g_build_filename (s->dir, "xdpw.conf", NULL);
  /* xdpw 0.7 wants a DMA-BUF format that a compositor without a GPU never
   * offers (upstream issue #289); see tests/gc-xdpw-shm.c */
  g_autofree gchar *shm = copy_for_user (s, GC_XDPW_SHM, error);
  const gchar *xdpw_env[] = { "LD_PRELOAD", shm, NULL };

  if (shm == NULL
      || (s->pipewire = spawn (s, "pipewire.log", NULL, error, "pipewire", NULL)) == NULL)
    return FALSE;
  if (!wait_for_file (pw_socket, 5000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "pipewire did not start");
      return FALSE;
    }
  if (spawn (s, "wireplumber.log", NULL, error, "wireplumber", NULL) == NULL
      || !wait_for_wireplumber (s, error))
    return FALSE;
  if (spawn (s, "xdpw.log", xdpw_env, error, "/usr/libexec/xdg-desktop-portal-wlr", "-c",
             xdpw_conf, "-l", "DEBUG", NULL) == NULL
      || !wait_for_name (s, XDPW_NAME, 10000, error))
    return FALSE;
  if (spawn (s, "portal.log", NULL, error, "/usr/libexec/xdg-desktop-portal", "-v", NULL) == NULL
      || !wait_for_name (s, PORTAL_NAME, 10000, error))
    return FALSE;
  return TRUE;
}

GcWaylandSession *
gc_wayland_session_new (GError **error)
{
  return gc_wayland_session_new_sized (1280, 720, error);
}

/* a session whose one output is @width x @height */
GcWaylandSession *
gc_wayland_session_new_sized (guint width, guint height, GError **error)
{
  static guint counter;
  g_autoptr (GcWaylandSession) s = g_new0 (GcWaylandSession, 1);
  g_autofree gchar *home = NULL;

  s->width = width;
  s->height = height;
  s->procs = g_ptr_array_new ();
  s->colour = g_strdup ("#ff0000");
  if (!ensure_user (s, error))
    return NULL;
  s->dir = g_strdup_printf ("/run/gc-wayland/%d-%u", (gint) getpid (), counter++);
  s->runtime_dir = g_build_filename (s->dir, "runtime", NULL);
  home = g_build_filename (s->dir, "home", NULL);
  s->bus_address = g_strdup_printf ("unix:path=%s/bus", s->runtime_dir);
  if (g_mkdir_with_parents ("/run/gc-wayland", 0755) < 0 || !make_dir (s, s->dir, 0755, error)
      || !make_dir (s, s->runtime_dir, 0700, error) || !make_dir (s, home, 0700, error)
      || !write_config (s, error))
    return NULL;
  if (!start_bus (s, error) || !start_sway (s, error) || !start_media_and_portal (s, error))
    return NULL;
  return g_steal_pointer (&s);
}

GcWaylandSession *
gc_wayland_session_new_or_skip (void)
{
  g_autofree gchar *reason = NULL;
  g_autoptr (GError) error = NULL;
  GcWaylandSession *s;

  if (!gc_wayland_session_available (&reason))
    {
      g_test_skip (reason);
      return NULL;
    }
  s = gc_wayland_session_new (&error);
  g_assert_no_error (error);
  return s;
}

void
gc_wayland_session_free (GcWaylandSession *s)
{
  if (s == NULL)
    return;
  /* the last started goes first */
  for (guint i = s->procs->len; i > 0; i--)
    {
      GSubprocess *p = g_ptr_array_index (s->procs, i - 1);

      /* nothing of it is kept: no clean shutdown to wait for */
      g_subprocess_force_exit (p);
      g_subprocess_wait (p, NULL, NULL);
      g_object_unref (p);
    }
  g_ptr_array_unref (s->procs);
  g_clear_object (&s->bus);
  /* the logs stay for a failed test */
  if (!g_test_failed ())
    {
      const gchar *argv[] = { "rm", "-rf", s->dir, NULL };

      g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    NULL, NULL);
    }
  g_free (s->dir);
  g_free (s->runtime_dir);
  g_free (s->bus_address);
  g_free (s->wayland_display);
  g_free (s->sway_socket);
  g_free (s->colour);
  g_free (s);
}

const gchar *
gc_wayland_session_get_bus_address (GcWaylandSession *s)
{
  return s->bus_address;
}

GDBusConnection *
gc_wayland_session_get_bus (GcWaylandSession *s)
{
  return s->bus;
}

const gchar *
gc_wayland_session_get_dir (GcWaylandSession *s)
{
  return s->dir;
}

GPtrArray *
gc_wayland_session_user_argv (GcWaylandSession *s)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *home = g_build_filename (s->dir, "home", NULL);

  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", (guint) s->uid));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", (guint) s->gid));
  g_ptr_array_add (argv, g_strdup ("--clear-groups"));
  g_ptr_array_add (argv, g_strdup ("env"));
  g_ptr_array_add (argv, g_strdup_printf ("HOME=%s", home));
  g_ptr_array_add (argv, g_strdup_printf ("XDG_RUNTIME_DIR=%s", s->runtime_dir));
  g_ptr_array_add (argv, g_strdup_printf ("DBUS_SESSION_BUS_ADDRESS=%s", s->bus_address));
  g_ptr_array_add (argv, g_strdup_printf ("WAYLAND_DISPLAY=%s", s->wayland_display));
  g_ptr_array_add (argv, g_strdup ("XDG_SESSION_TYPE=wayland"));
  g_ptr_array_add (argv, g_strdup ("XDG_CURRENT_DESKTOP=sway"));
  /* Xwayland would set it too on GNOME: the agent must not take it */
  g_ptr_array_add (argv, g_strdup ("DISPLAY=:99"));
  return argv;
}

gboolean
gc_wayland_session_paint (GcWaylandSession *s, const gchar *colour, GError **error)
{
  g_autofree gchar *out = NULL;

  g_free (s->colour);
  s->colour = g_strdup (colour);
  /* swaybg draws the output's background, here all there is */
  return run_as_user (s, &out, error, "swaymsg", "-s", s->sway_socket, "output", OUTPUT, "bg",
                      colour, "solid_color", NULL);
}

guint
gc_wayland_session_chooser_calls (GcWaylandSession *s)
{
  g_autofree gchar *path = g_build_filename (s->dir, "chooser-calls", NULL);
  g_autofree gchar *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const gchar *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static GPtrArray *
child_nodes (GcWaylandSession *s, const gchar *path, GError **error)
{
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GDBusNodeInfo) info = NULL;
  const gchar *xml = NULL;
  GPtrArray *children = g_ptr_array_new_with_free_func (g_free);

  r = g_dbus_connection_call_sync (s->bus, XDPW_NAME, path, "org.freedesktop.DBus.Introspectable",
                                   "Introspect", NULL, G_VARIANT_TYPE ("(s)"),
                                   G_DBUS_CALL_FLAGS_NONE, 2000, NULL, error);
  if (r == NULL)
    return children;
  g_variant_get (r, "(&s)", &xml);
  info = g_dbus_node_info_new_for_xml (xml, error);
  for (guint i = 0; info != NULL && info->nodes != NULL && info->nodes[i] != NULL; i++)
    g_ptr_array_add (children, g_strdup_printf ("%s/%s", path, info->nodes[i]->path));
  return children;
}

gboolean
gc_wayland_session_end_casts (GcWaylandSession *s, GError **error)
{
  g_autoptr (GPtrArray) senders = child_nodes (s, "/org/freedesktop/portal/desktop/session", NULL);
  g_autofree gchar *colour = g_strdup (s->colour);
  guint closed = 0;

  /* xdg-desktop-portal-wlr's own session objects: Close there is the
   * backend ending the cast (it emits no Closed: the stream just ends) */
  for (guint i = 0; i < senders->len; i++)
    {
      g_autoptr (GPtrArray) sessions = child_nodes (s, g_ptr_array_index (senders, i), NULL);

      for (guint j = 0; j < sessions->len; j++)
        {
          g_autoptr (GVariant) r =
            g_dbus_connection_call_sync (s->bus, XDPW_NAME, g_ptr_array_index (sessions, j),
                                         "org.freedesktop.impl.portal.Session", "Close", NULL,
                                         NULL, G_DBUS_CALL_FLAGS_NONE, 2000, NULL, error);
          if (r == NULL)
            return FALSE;
          closed++;
        }
    }
  if (closed == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no screen cast to end");
      return FALSE;
    }
  /* xdpw drops the stream at its next frame */
  return gc_wayland_session_paint (s, colour, error);
}

/* a directory of the session, the user's own */
gchar *
gc_wayland_session_make_dir (GcWaylandSession *s, const gchar *name, GError **error)
{
  g_autofree gchar *path = g_build_filename (s->dir, name, NULL);

  return make_dir (s, path, 0700, error) ? g_steal_pointer (&path) : NULL;
}

/* the next dialogs pick the output (TRUE) or are cancelled, as a user
 * pressing Cancel would */
gboolean
gc_wayland_session_set_chooser (GcWaylandSession *s, gboolean pick, GError **error)
{
  g_autofree gchar *chooser = g_strdup_printf ("#!/bin/sh\n"
                                               "echo call >> %s/chooser-calls\n"
                                               "%s\n", s->dir,
                                               pick ? "echo " OUTPUT : "exit 0");

  return write_file (s, "chooser.sh", chooser, 0755, error);
}

gchar *
gc_wayland_session_get_logs (GcWaylandSession *s)
{
  static const gchar *const logs[] = { "sway.log", "pipewire.log", "wireplumber.log", "xdpw.log",
                                       "portal.log", "bus.log" };
  GString *all = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (logs); i++)
    {
      g_autofree gchar *path = g_build_filename (s->dir, logs[i], NULL);
      g_autofree gchar *text = NULL;

      g_file_get_contents (path, &text, NULL, NULL);
      g_string_append_printf (all, "--- %s ---\n%s\n", logs[i], text != NULL ? text : "");
    }
  return g_string_free (all, FALSE);
}

/* a groupcast-agent of the session, as its user, in lab host @host, on the
 * session's bus; arguments after the ones every such agent gets */
GcTestAgent *
gc_wayland_session_start_agent (GcWaylandSession *s, GcLab *lab, guint host, GError **error,
                                const gchar *first_arg, ...)
{
  g_autoptr (GPtrArray) argv = gc_wayland_session_user_argv (s);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree gchar *dir = g_strdup_printf ("agent-state-%u", host);
  g_autofree gchar *state = gc_wayland_session_make_dir (s, dir, error);
  g_autofree gchar *binary = state != NULL ? copy_for_user (s, gc_test_agent_binary (), error)
                                           : NULL;
  g_autoptr (GcTestAgent) a = g_new0 (GcTestAgent, 1);
  va_list ap;

  if (binary == NULL)
    return NULL;
  a->lab = lab;
  a->host = host;
  a->argv = g_ptr_array_new_with_free_func (g_free);
  a->bus_address = g_strdup (s->bus_address);
  a->bus = g_object_ref (s->bus);
  a->log_path = g_strdup_printf ("%s/agent-%u.log", s->dir, host);
  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup ("--interface=eth0"));
  g_ptr_array_add (argv, g_strdup ("--verbose"));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", state));
  g_ptr_array_add (argv, g_strdup_printf ("--bus-address=%s", a->bus_address));
  va_start (ap, first_arg);
  for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_stdout_file_path (l, a->log_path);
  g_subprocess_launcher_set_stderr_file_path (l, a->log_path);
  a->proc = gc_lab_spawnv (lab, host, l, (const gchar * const *) argv->pdata, error);
  if (a->proc == NULL)
    return NULL;
  if (!gc_test_agent_wait_ready (a, 10000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the session's agent did not start "
                   "(see %s)", a->log_path);
      return NULL;
    }
  return g_steal_pointer (&a);
}

/* PipeWire goes away (the portal stays) */
/* the desktop's sound, as a presenter's would be: PipeWire's pulse server
 * (pipewire-pulse), a default output that plays nowhere (a null sink), and
 * a tone playing into it. FALSE with @error when pipewire-pulse or pactl
 * is not installed */
gboolean
gc_wayland_session_play_sound (GcWaylandSession *s, GError **error)
{
  g_autofree gchar *socket = g_build_filename (s->runtime_dir, "pulse", "native", NULL);
  g_autofree gchar *out = NULL;

  if (!g_file_test ("/usr/bin/pipewire-pulse", G_FILE_TEST_IS_EXECUTABLE)
      || !g_file_test ("/usr/bin/pactl", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "pipewire-pulse or pactl (pulseaudio-utils) is not installed");
      return FALSE;
    }
  if (spawn (s, "pipewire-pulse.log", NULL, error, "pipewire-pulse", NULL) == NULL)
    return FALSE;
  if (!wait_for_file (socket, 5000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "pipewire-pulse did not start");
      return FALSE;
    }
  if (!run_as_user (s, &out, error, "pactl", "load-module", "module-null-sink",
                    "sink_name=gcdesk", "sink_properties=device.description=Desk", NULL))
    return FALSE;
  g_clear_pointer (&out, g_free);
  if (!run_as_user (s, &out, error, "pactl", "set-default-sink", "gcdesk", NULL))
    return FALSE;
  /* what the desktop plays: a tone at 0.3, about -13.5 dBFS RMS */
  return spawn (s, "player.log", NULL, error, "gst-launch-1.0", "-q", "audiotestsrc",
                "is-live=true", "wave=sine", "freq=880", "volume=0.3", "!", "pulsesink",
                "device=gcdesk", NULL) != NULL;
}

void
gc_wayland_session_stop_pipewire (GcWaylandSession *s)
{
  g_subprocess_force_exit (s->pipewire);
  g_subprocess_wait (s->pipewire, NULL, NULL);
}
