/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcLab"

#include "config.h"

#include "gc-lab.h"

#include <glib/gstdio.h>
#include <unistd.h>

struct _GcLab
{
  gchar *name;
  guint n_hosts;
  guint far_from;   /* hosts from this one on are beyond the router; 0: none */
  gchar *dir;
  GPtrArray *host_dirs;
  GPtrArray *buses; /* GSubprocess of per-host dbus-daemons */
};

static const gchar *
lab_script (void)
{
  const gchar *s = g_getenv ("GC_LAB");

  return s != NULL ? s : GC_LAB_SCRIPT;
}

gboolean
gc_lab_available (gchar **reason)
{
  if (geteuid () != 0)
    {
      *reason = g_strdup ("lab needs root (CAP_NET_ADMIN) to make network namespaces");
      return FALSE;
    }
  if (!g_file_test ("/usr/sbin/ip", G_FILE_TEST_IS_EXECUTABLE)
      && !g_file_test ("/usr/bin/ip", G_FILE_TEST_IS_EXECUTABLE))
    {
      *reason = g_strdup ("lab needs iproute2 (ip) installed");
      return FALSE;
    }
  if (!g_file_test ("/proc/self/ns/net", G_FILE_TEST_EXISTS))
    {
      *reason = g_strdup ("lab needs network namespaces in the kernel");
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_script (GError **error, gchar **out, const gchar *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree gchar *err = NULL;
  gint status = 0;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) lab_script ());
  va_start (ap, first);
  for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                     NULL, out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "gc-lab %s: %s", first,
                   err != NULL ? g_strstrip (err) : "failed");
      return FALSE;
    }
  return TRUE;
}

GcLab *
gc_lab_new (guint n_hosts, GError **error)
{
  return gc_lab_new_routed (n_hosts, 0, error);
}

/* hosts @far_from..@n_hosts on a second subnet (10.99.1.0/24) behind a
 * router (0: one subnet) */
GcLab *
gc_lab_new_routed (guint n_hosts, guint far_from, GError **error)
{
  static guint counter;
  g_autoptr (GcLab) lab = g_new0 (GcLab, 1);
  g_autofree gchar *n = g_strdup_printf ("%u", n_hosts);
  g_autofree gchar *owner = g_strdup_printf ("%d", (int) getpid ());
  g_autofree gchar *far = g_strdup_printf ("%u", far_from);

  /* unique per process and per lab: pid (base 36) plus a counter */
  lab->name = g_strdup_printf ("gl%x%c", (guint) getpid (), 'a' + (counter++ % 26));
  lab->n_hosts = n_hosts;
  lab->far_from = far_from;
  lab->host_dirs = g_ptr_array_new_with_free_func (g_free);
  lab->buses = g_ptr_array_new_with_free_func (g_object_unref);
  lab->dir = g_strdup_printf ("/run/gc-lab/%s", lab->name);
  for (guint i = 1; i <= n_hosts; i++)
    {
      gchar *d = g_strdup_printf ("%s/h%u", lab->dir, i);

      if (g_mkdir_with_parents (d, 0755) < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make %s", d);
          g_free (d);
          return NULL;
        }
      g_ptr_array_add (lab->host_dirs, d);
    }
  if (!run_script (error, NULL, "up", lab->name, n, "--far", far, "--owner", owner, NULL))
    {
      g_clear_pointer (&lab->name, g_free); /* nothing to tear down */
      return NULL;
    }
  return g_steal_pointer (&lab);
}

void
gc_lab_free (GcLab *lab)
{
  if (lab == NULL)
    return;
  for (guint i = 0; i < lab->buses->len; i++)
    g_subprocess_force_exit (g_ptr_array_index (lab->buses, i));
  if (lab->name != NULL)
    {
      g_autoptr (GError) error = NULL;

      if (!run_script (&error, NULL, "down", lab->name, NULL))
        g_warning ("tearing down lab %s: %s", lab->name, error->message);
    }
  g_ptr_array_unref (lab->buses);
  g_ptr_array_unref (lab->host_dirs);
  g_free (lab->dir);
  g_free (lab->name);
  g_free (lab);
}

GcLab *
gc_lab_new_or_skip (guint n_hosts)
{
  g_autofree gchar *reason = NULL;
  g_autoptr (GError) error = NULL;
  GcLab *lab;

  if (!gc_lab_available (&reason))
    {
      g_test_skip (reason);
      return NULL;
    }
  lab = gc_lab_new (n_hosts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lab);
  return lab;
}

const gchar *
gc_lab_get_name (GcLab *lab)
{
  return lab->name;
}

guint
gc_lab_get_n_hosts (GcLab *lab)
{
  return lab->n_hosts;
}

gchar *
gc_lab_host_address (GcLab *lab, guint host)
{
  g_return_val_if_fail (host >= 1 && host <= lab->n_hosts, NULL);
  return g_strdup_printf ("10.99.%u.%u", lab->far_from != 0 && host >= lab->far_from, host);
}

const gchar *
gc_lab_host_dir (GcLab *lab, guint host)
{
  g_return_val_if_fail (host >= 1 && host <= lab->n_hosts, NULL);
  return g_ptr_array_index (lab->host_dirs, host - 1);
}

GSubprocess *
gc_lab_spawnv (GcLab *lab, guint host, GSubprocessLauncher *launcher,
               const gchar * const *argv, GError **error)
{
  g_autoptr (GPtrArray) full = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) own = NULL;

  g_return_val_if_fail (host >= 1 && host <= lab->n_hosts, NULL);
  g_ptr_array_add (full, g_strdup ("ip"));
  g_ptr_array_add (full, g_strdup ("netns"));
  g_ptr_array_add (full, g_strdup ("exec"));
  g_ptr_array_add (full, g_strdup_printf ("%s-h%u", lab->name, host));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, g_strdup (argv[i]));
  g_ptr_array_add (full, NULL);
  if (launcher == NULL)
    launcher = own = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  return g_subprocess_launcher_spawnv (launcher, (const gchar * const *) full->pdata,
                                       error);
}

GSubprocess *
gc_lab_spawn (GcLab *lab, guint host, GSubprocessLauncher *launcher,
              GError **error, const gchar *argv0, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  va_list ap;

  va_start (ap, argv0);
  for (const gchar *a = argv0; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return gc_lab_spawnv (lab, host, launcher, (const gchar * const *) argv->pdata,
                        error);
}

gchar *
gc_lab_run (GcLab *lab, guint host, GError **error, const gchar *argv0, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  va_list ap;

  va_start (ap, argv0);
  for (const gchar *a = argv0; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  proc = gc_lab_spawnv (lab, host, launcher, (const gchar * const *) argv->pdata,
                        error);
  if (proc == NULL)
    return NULL;
  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, error))
    return NULL;
  if (!g_subprocess_get_successful (proc))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed in host %u: %s",
                   argv0, host, err != NULL ? g_strstrip (err) : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gchar *
gc_lab_start_bus (GcLab *lab, guint host, GError **error)
{
  g_autofree gchar *path = g_build_filename (gc_lab_host_dir (lab, host), "bus", NULL);
  g_autofree gchar *listen = g_strdup_printf ("--address=unix:path=%s", path);
  GSubprocess *proc;

  g_unlink (path);
  /* a path socket: abstract sockets belong to the network namespace, and the
   * test, outside it, must reach the bus too */
  proc = gc_lab_spawn (lab, host, NULL, error, "dbus-daemon", "--session",
                       "--nofork", "--nopidfile", listen, NULL);
  if (proc == NULL)
    return NULL;
  g_ptr_array_add (lab->buses, proc);
  for (guint i = 0; i < 100 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (20 * 1000);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "dbus-daemon in host %u did not start", host);
      return NULL;
    }
  return g_strdup_printf ("unix:path=%s", path);
}

GArray *
gc_lab_mdb_hosts (GcLab *lab, const gchar *group)
{
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *hosts = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!run_script (&error, &out, "mdb", lab->name, group, NULL))
    {
      g_warning ("%s", error->message);
      return hosts;
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", 2);
      guint64 h;

      if (g_strv_length (f) == 2 && g_ascii_string_to_unsigned (f[1], 10, 1, 255, &h, NULL))
        {
          guint hv = (guint) h;
          gboolean dup = FALSE;

          for (guint j = 0; j < hosts->len; j++)
            dup |= g_array_index (hosts, guint, j) == hv;
          if (!dup)
            g_array_append_val (hosts, hv);
        }
    }
  return hosts;
}

gboolean
gc_lab_mdb_has (GcLab *lab, const gchar *group, guint host)
{
  g_autoptr (GArray) hosts = gc_lab_mdb_hosts (lab, group);

  for (guint i = 0; i < hosts->len; i++)
    if (g_array_index (hosts, guint, i) == host)
      return TRUE;
  return FALSE;
}

/* the sources host @host's port joined @group for (IGMPv3 (S,G) entries
 * of the bridge), NULL-terminated; empty when it joined for any sender */
GStrv
gc_lab_mdb_sources (GcLab *lab, const gchar *group, guint host)
{
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) lines = NULL;

  if (!run_script (&error, &out, "mdb-src", lab->name, group, NULL))
    {
      g_warning ("%s", error->message);
      return g_strv_builder_end (b);
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", 2);

      if (g_strv_length (f) == 2 && (guint) g_ascii_strtoull (f[1], NULL, 10) == host)
        g_strv_builder_add (b, f[0]);
    }
  return g_strv_builder_end (b);
}

static guint64
port_bytes (GcLab *lab, guint host, const gchar *which)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;

  if (!run_script (&error, &out, which, lab->name, h, NULL))
    {
      g_warning ("%s", error->message);
      return 0;
    }
  return g_ascii_strtoull (out, NULL, 10);
}

guint64
gc_lab_rx_bytes (GcLab *lab, guint host)
{
  return port_bytes (lab, host, "rx-bytes");
}

guint64
gc_lab_rx_packets (GcLab *lab, guint host)
{
  return port_bytes (lab, host, "rx-packets");
}

guint64
gc_lab_udp_count (GcLab *lab, guint host, guint16 port)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);
  g_autofree gchar *p = g_strdup_printf ("%u", port);
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;

  if (!run_script (&error, &out, "udp-count", lab->name, h, p, NULL))
    {
      g_warning ("%s", error->message);
      return 0;
    }
  return g_ascii_strtoull (out, NULL, 10);
}

guint64
gc_lab_tx_bytes (GcLab *lab, guint host)
{
  return port_bytes (lab, host, "tx-bytes");
}

gboolean
gc_lab_set_loss (GcLab *lab, guint host, guint percent, GError **error)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);
  g_autofree gchar *p = g_strdup_printf ("%u", percent);

  return run_script (error, NULL, "loss", lab->name, h, p, NULL);
}

gboolean
gc_lab_set_link (GcLab *lab, guint host, gboolean up, GError **error)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);

  return run_script (error, NULL, "link", lab->name, h, up ? "up" : "down", NULL);
}

gboolean
gc_lab_block_broadcast (GcLab *lab, guint host, GError **error)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);

  return run_script (error, NULL, "block-broadcast", lab->name, h, NULL);
}

/* drops multicast UDP arriving at @host (as an access point or a switch
 * that drops multicast), or stops doing so */
gboolean
gc_lab_block_multicast (GcLab *lab, guint host, gboolean block, GError **error)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);

  return run_script (error, NULL, "block-multicast", lab->name, h, block ? "on" : "off", NULL);
}

/* drops all UDP arriving at @host but the discovery's (beacons and
 * mDNS), or stops doing so */
gboolean
gc_lab_block_udp (GcLab *lab, guint host, gboolean block, GError **error)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);

  return run_script (error, NULL, "block-udp", lab->name, h, block ? "on" : "off", NULL);
}

gboolean
gc_lab_remove_broadcast_address (GcLab *lab, guint host, GError **error)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);

  return run_script (error, NULL, "no-brd", lab->name, h, NULL);
}

gboolean
gc_lab_add_interface (GcLab *lab, guint host, const gchar *ifname, const gchar *address,
                      GError **error)
{
  g_autofree gchar *h = g_strdup_printf ("%u", host);

  return run_script (error, NULL, "add-if", lab->name, h, ifname, address, NULL);
}

gboolean
gc_test_wait_until (GcTestPredicate pred, gpointer user_data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!pred (user_data))
    {
      if (g_get_monotonic_time () >= end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  return TRUE;
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

void
gc_test_sleep (guint ms)
{
  gc_test_wait_until (never, NULL, ms);
}

/* ---- discovery: per-host system bus and avahi-daemon ---- */

static const gchar system_bus_conf[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>system</type>\n"
  "  <listen>unix:path=%s</listen>\n"
  "  <auth>EXTERNAL</auth>\n"
  "  <policy context=\"default\">\n"
  "    <allow user=\"*\"/>\n"
  "    <allow own=\"*\"/>\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

/* a bus that plays the host's system bus (avahi-daemon and its clients find
 * it through DBUS_SYSTEM_BUS_ADDRESS); returns that address */
gchar *
gc_lab_start_system_bus (GcLab *lab, guint host, GError **error)
{
  const gchar *dir = gc_lab_host_dir (lab, host);
  g_autofree gchar *path = g_build_filename (dir, "system_bus_socket", NULL);
  g_autofree gchar *conf_path = g_build_filename (dir, "system-bus.conf", NULL);
  g_autofree gchar *conf = g_strdup_printf (system_bus_conf, path);
  g_autofree gchar *conf_arg = g_strdup_printf ("--config-file=%s", conf_path);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  GSubprocess *proc;

  if (!g_file_set_contents (conf_path, conf, -1, error))
    return NULL;
  g_unlink (path);
  /* quiet: as a "system" bus it complains it cannot raise its fd limit here */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  proc = gc_lab_spawn (lab, host, launcher, error, "dbus-daemon", conf_arg, "--nofork",
                       "--nopidfile", NULL);
  if (proc == NULL)
    return NULL;
  g_ptr_array_add (lab->buses, proc);
  for (guint i = 0; i < 100 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (20 * 1000);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "system bus in host %u did not start", host);
      return NULL;
    }
  return g_strdup_printf ("unix:path=%s", path);
}

static gint
avahi_state (const gchar *address)
{
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant) reply = NULL;
  gint state = -1;

  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, NULL);
  if (bus == NULL)
    return -1;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Avahi", "/",
                                       "org.freedesktop.Avahi.Server", "GetState", NULL,
                                       G_VARIANT_TYPE ("(i)"), G_DBUS_CALL_FLAGS_NONE, 500,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(i)", &state);
  return state;
}

/* avahi-daemon in host HOST, on that host's system bus (start it first),
 * with its own run directory (a tmpfs in the private mount namespace that
 * ip netns exec gives it) and a config that names only eth0. returns once
 * the daemon is running (its host name registered); the lab kills it on
 * teardown, the caller may stop it sooner. */
GSubprocess *
gc_lab_start_avahi (GcLab *lab, guint host, GError **error)
{
  const gchar *dir = gc_lab_host_dir (lab, host);
  g_autofree gchar *bus = g_build_filename (dir, "system_bus_socket", NULL);
  g_autofree gchar *address = g_strdup_printf ("unix:path=%s", bus);
  g_autofree gchar *conf_path = g_build_filename (dir, "avahi-daemon.conf", NULL);
  g_autofree gchar *conf = NULL;
  g_autofree gchar *script = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  GSubprocess *proc;

  if (!g_file_test (bus, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "host %u has no system bus: start it first", host);
      return NULL;
    }
  /* a host name of its own: the hosts share one UTS name, and avahi would
   * spend seconds resolving the clash */
  conf = g_strdup_printf ("[server]\n"
                          "host-name=%s-h%u\n"
                          "use-ipv4=yes\n"
                          "use-ipv6=no\n"
                          "allow-interfaces=eth0\n"
                          "enable-dbus=yes\n"
                          "ratelimit-interval-usec=1000000\n"
                          "ratelimit-burst=1000\n"
                          "[wide-area]\n"
                          "enable-wide-area=no\n"
                          "[publish]\n"
                          "publish-workstation=no\n"
                          "publish-hinfo=no\n"
                          "[reflector]\n"
                          "enable-reflector=no\n",
                          lab->name, host);
  if (!g_file_set_contents (conf_path, conf, -1, error))
    return NULL;
  /* /run/avahi-daemon (pid file, socket) must be private to each daemon */
  script = g_strdup_printf ("mkdir -p /run/avahi-daemon && "
                            "mount -t tmpfs -o size=1m tmpfs /run/avahi-daemon && "
                            "exec avahi-daemon -f '%s' --no-drop-root --no-chroot "
                            "--no-rlimits --no-proc-title",
                            conf_path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  proc = gc_lab_spawn (lab, host, launcher, error, "sh", "-c", script, NULL);
  if (proc == NULL)
    return NULL;
  g_ptr_array_add (lab->buses, g_object_ref (proc));
  /* AVAHI_SERVER_RUNNING is 2 */
  for (guint i = 0; i < 250 && avahi_state (address) != 2; i++)
    {
      if (g_subprocess_get_identifier (proc) == NULL)
        break;
      g_usleep (20 * 1000);
    }
  if (avahi_state (address) != 2)
    {
      g_subprocess_force_exit (proc);
      g_object_unref (proc);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "avahi-daemon in host %u did not start", host);
      return NULL;
    }
  return proc;
}
