/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcTestAgent"

#include "config.h"

#include "gc-test-agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- agents' logs when the test process dies ---------------------------- */

/* a failed g_assert*() aborts the test process (g_error() and fatal
 * criticals trap), so no teardown runs and the agents' logs, ASan reports
 * included, would go down with the lab. every started agent's log is
 * registered here; a handler for the fatal signals (and for SIGTERM, which
 * meson sends on a timeout) writes the end of each to stderr with
 * async-signal-safe calls only, then lets the signal end the process. the
 * lab's reaper tears the lab down once the process is gone. */
#define MAX_LOGS 64
#define LOG_TAIL (64 * 1024)

typedef struct
{
  volatile sig_atomic_t used;
  guint host;
  gchar path[512];
} LogSlot;

static LogSlot log_slots[MAX_LOGS];

static void
write_all (const gchar *buf, gsize len)
{
  while (len > 0)
    {
      gssize n = write (STDERR_FILENO, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      buf += n;
      len -= n;
    }
}

static void
write_str (const gchar *s)
{
  write_all (s, strlen (s));
}

static void
write_uint (guint64 v)
{
  gchar buf[24];
  gsize i = sizeof buf;

  do
    buf[--i] = '0' + v % 10;
  while ((v /= 10) > 0 && i > 0);
  write_all (buf + i, sizeof buf - i);
}

static const gchar *
signal_name (gint sig)
{
  switch (sig)
    {
    case SIGABRT: return "SIGABRT (a failed assertion, or an abort)";
    case SIGTRAP: return "SIGTRAP (g_error() or a fatal critical)";
    case SIGTERM: return "SIGTERM (a timeout?)";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    default: return "a signal";
    }
}

static void
dump_log (const LogSlot *slot, gint sig)
{
  static gchar buf[4096];
  struct stat st;
  gssize n;
  gint fd;

  write_str ("\n--- host ");
  write_uint (slot->host);
  write_str (" agent log (");
  write_str (slot->path);
  write_str ("), as the test dies of ");
  write_str (signal_name (sig));
  write_str (" ---\n");
  fd = open (slot->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      write_str ("(cannot open it)\n");
      return;
    }
  if (fstat (fd, &st) == 0 && st.st_size > LOG_TAIL)
    {
      write_str ("(its last ");
      write_uint (LOG_TAIL);
      write_str (" of ");
      write_uint (st.st_size);
      write_str (" bytes)\n");
      lseek (fd, st.st_size - LOG_TAIL, SEEK_SET);
    }
  while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      write_all (buf, n);
  close (fd);
  write_str ("--- end of host ");
  write_uint (slot->host);
  write_str (" agent log ---\n");
}

static void
on_fatal_signal (gint sig)
{
  gint saved = errno;

  for (guint i = 0; i < MAX_LOGS; i++)
    if (log_slots[i].used)
      dump_log (&log_slots[i], sig);
  errno = saved;
  /* the handler was reset on entry (SA_RESETHAND): the signal, pending
   * until we return, ends the process as it would have */
  raise (sig);
}

static void
install_handlers (void)
{
  static gboolean done;
  const gint sigs[] = { SIGABRT, SIGTRAP, SIGTERM, SIGSEGV, SIGBUS };

  if (done)
    return;
  done = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (sigs); i++)
    {
      struct sigaction sa = { 0 }, old;

      /* leave a handler someone else installed alone (ASan's for SIGSEGV) */
      if (sigaction (sigs[i], NULL, &old) < 0 || old.sa_handler != SIG_DFL
          || (old.sa_flags & SA_SIGINFO))
        continue;
      sa.sa_handler = on_fatal_signal;
      sa.sa_flags = SA_RESETHAND;
      sigemptyset (&sa.sa_mask);
      sigaction (sigs[i], &sa, NULL);
    }
}

static void
register_log (GcTestAgent *a)
{
  install_handlers ();
  for (guint i = 0; i < MAX_LOGS; i++)
    if (!log_slots[i].used)
      {
        log_slots[i].host = a->host;
        g_strlcpy (log_slots[i].path, a->log_path, sizeof log_slots[i].path);
        log_slots[i].used = 1;
        a->log_slot = i + 1;
        return;
      }
}

static void
unregister_log (GcTestAgent *a)
{
  if (a->log_slot > 0)
    log_slots[a->log_slot - 1].used = 0;
  a->log_slot = 0;
}

const gchar *
gc_test_agent_binary (void)
{
  const gchar *b = g_getenv ("GC_AGENT");

  return b != NULL ? b : GC_AGENT_BINARY;
}

static gboolean
spawn (GcTestAgent *a, GError **error)
{
  g_autoptr (GSubprocessLauncher) l =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  /* keep the agent's log beside the host's files, for a failing test */
  g_subprocess_launcher_set_flags (l, G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stderr_file_path (l, a->log_path);
  g_subprocess_launcher_set_stdout_file_path (l, a->log_path);
  g_subprocess_launcher_setenv (l, "G_DEBUG", "fatal-criticals", TRUE);
  for (guint i = 0; i < a->argv->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (a->argv, i));
  g_ptr_array_add (argv, NULL);
  a->proc = gc_lab_spawnv (a->lab, a->host, l, (const gchar * const *) argv->pdata, error);
  return a->proc != NULL;
}

GcTestAgent *
gc_test_agent_start (GcLab *lab, guint host, GError **error, const gchar *first_arg, ...)
{
  g_autoptr (GcTestAgent) a = g_new0 (GcTestAgent, 1);
  va_list ap;

  a->lab = lab;
  a->host = host;
  a->argv = g_ptr_array_new_with_free_func (g_free);
  a->log_path = g_build_filename (gc_lab_host_dir (lab, host), "agent.log", NULL);
  register_log (a);
  a->bus_address = gc_lab_start_bus (lab, host, error);
  if (a->bus_address == NULL)
    return NULL;
  g_ptr_array_add (a->argv, g_strdup (gc_test_agent_binary ()));
  g_ptr_array_add (a->argv, g_strdup ("--interface=eth0"));
  g_ptr_array_add (a->argv, g_strdup_printf ("--state-dir=%s", gc_lab_host_dir (lab, host)));
  g_ptr_array_add (a->argv, g_strdup_printf ("--bus-address=%s", a->bus_address));
  g_ptr_array_add (a->argv, g_strdup_printf ("--name=host%u", host));
  g_ptr_array_add (a->argv, g_strdup ("--verbose"));
  va_start (ap, first_arg);
  for (const gchar *s = first_arg; s != NULL; s = va_arg (ap, const gchar *))
    g_ptr_array_add (a->argv, g_strdup (s));
  va_end (ap);
  a->bus = g_dbus_connection_new_for_address_sync (a->bus_address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                   | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, error);
  if (a->bus == NULL)
    return NULL;
  g_dbus_connection_set_exit_on_close (a->bus, FALSE);
  if (!spawn (a, error))
    return NULL;
  return g_steal_pointer (&a);
}

gboolean
gc_test_agent_restart (GcTestAgent *a, GError **error)
{
  if (a->proc != NULL)
    gc_test_agent_kill (a);
  return spawn (a, error);
}

static void
waited (GObject *source, GAsyncResult *res, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), res, NULL);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

void
gc_test_agent_stop (GcTestAgent *a)
{
  gboolean done = FALSE;

  if (a->proc == NULL)
    return;
  /* a clean stop: SIGTERM, then up to 5 s before SIGKILL */
  g_subprocess_send_signal (a->proc, SIGTERM);
  g_subprocess_wait_async (a->proc, NULL, waited, &done);
  if (!gc_test_wait_until (flag_set, &done, 5000))
    {
      g_subprocess_force_exit (a->proc);
      gc_test_wait_until (flag_set, &done, 5000);
    }
  g_clear_object (&a->proc);
}

void
gc_test_agent_kill (GcTestAgent *a)
{
  if (a->proc == NULL)
    return;
  g_subprocess_force_exit (a->proc);
  g_subprocess_wait (a->proc, NULL, NULL);
  g_clear_object (&a->proc);
}

void
gc_test_agent_free (GcTestAgent *a)
{
  if (a == NULL)
    return;
  gc_test_agent_kill (a);
  unregister_log (a);
  g_clear_object (&a->bus);
  g_clear_pointer (&a->argv, g_ptr_array_unref);
  g_free (a->bus_address);
  g_free (a->log_path);
  g_free (a);
}

gchar *
gc_test_agent_get_log (GcTestAgent *a)
{
  gchar *text = NULL;

  g_file_get_contents (a->log_path, &text, NULL, NULL);
  return text != NULL ? text : g_strdup ("");
}

GVariant *
gc_test_agent_call (GcTestAgent *a, const gchar *path, const gchar *iface, const gchar *method,
                    GVariant *params, guint timeout_ms, GError **error)
{
  return g_dbus_connection_call_sync (a->bus, "io.github.Groupcast", path, iface, method, params,
                                      NULL, G_DBUS_CALL_FLAGS_NONE, timeout_ms, NULL, error);
}

GVariant *
gc_test_agent_get (GcTestAgent *a, const gchar *path, const gchar *iface, const gchar *prop)
{
  g_autoptr (GVariant) r = NULL;
  GVariant *v = NULL;

  r = gc_test_agent_call (a, path, "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", iface, prop), 2000, NULL);
  if (r == NULL)
    return NULL;
  g_variant_get (r, "(v)", &v);
  return v;
}

gchar *
gc_test_agent_get_string (GcTestAgent *a, const gchar *path, const gchar *iface, const gchar *prop)
{
  g_autoptr (GVariant) v = gc_test_agent_get (a, path, iface, prop);

  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING)
         ? g_variant_dup_string (v, NULL) : NULL;
}

guint64
gc_test_agent_get_u64 (GcTestAgent *a, const gchar *path, const gchar *iface, const gchar *prop)
{
  g_autoptr (GVariant) v = gc_test_agent_get (a, path, iface, prop);

  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16))
    return g_variant_get_uint16 (v);
  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (v);
  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64) ? g_variant_get_uint64 (v) : 0;
}

typedef struct
{
  GcTestAgent *a;
  const gchar *path, *iface, *prop, *want;
} WaitString;

static gboolean
string_is (gpointer data)
{
  WaitString *w = data;
  g_autofree gchar *s = gc_test_agent_get_string (w->a, w->path, w->iface, w->prop);

  return g_strcmp0 (s, w->want) == 0;
}

gboolean
gc_test_agent_wait_string (GcTestAgent *a, const gchar *path, const gchar *iface,
                           const gchar *prop, const gchar *want, guint timeout_ms)
{
  WaitString w = { a, path, iface, prop, want };

  return gc_test_wait_until (string_is, &w, timeout_ms);
}

static gboolean
has_agent (gpointer data)
{
  GcTestAgent *a = data;
  g_autofree gchar *id = gc_test_agent_get_string (a, "/io/github/Groupcast", GC_AGENT_IFACE, "Id");

  return id != NULL && *id != '\0';
}

gboolean
gc_test_agent_wait_ready (GcTestAgent *a, guint timeout_ms)
{
  return gc_test_wait_until (has_agent, a, timeout_ms);
}

static gint
ppid_of (gint pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree gchar *text = NULL;
  const gchar *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
    return -1;
  /* ") S PPID ..." */
  return atoi (p + 4);
}

gint
gc_test_agent_pid (GcTestAgent *a)
{
  const gchar *id = a->proc ? g_subprocess_get_identifier (a->proc) : NULL;
  g_autofree gchar *comm_path = NULL;
  g_autofree gchar *comm = NULL;
  g_autoptr (GDir) dir = NULL;
  const gchar *name;
  gint pid;

  if (id == NULL)
    return -1;
  pid = atoi (id);
  comm_path = g_strdup_printf ("/proc/%d/comm", pid);
  if (g_file_get_contents (comm_path, &comm, NULL, NULL) && g_str_has_prefix (comm, "groupcast-agen"))
    return pid;
  dir = g_dir_open ("/proc", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_ascii_isdigit (name[0]) && ppid_of (atoi (name)) == pid)
      return atoi (name);
  return -1;
}

guint64
gc_test_proc_status (gint pid, const gchar *key)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], key) && lines[i][strlen (key)] == ':')
      return g_ascii_strtoull (lines[i] + strlen (key) + 1, NULL, 10);
  return 0;
}

/* utime+stime, in clock ticks, of a process or a thread: its stat file
 * (/proc/PID/stat, /proc/PID/task/TID/stat); 0 when it cannot be read */
guint64
gc_test_stat_cpu_ticks (const gchar *stat_path)
{
  g_autofree gchar *text = NULL;
  g_auto (GStrv) f = NULL;
  const gchar *end;

  if (!g_file_get_contents (stat_path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return 0;
  /* after "pid (comm) ": utime is field 14, stime 15 */
  f = g_strsplit (end + 2, " ", -1);
  if (g_strv_length (f) < 13)
    return 0;
  return g_ascii_strtoull (f[11], NULL, 10) + g_ascii_strtoull (f[12], NULL, 10);
}

guint
gc_test_fd_count (gint pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

void
gc_test_agent_dump_logs_on_failure (GcTestAgent **agents, guint n)
{
  if (!g_test_failed ())
    return;
  for (guint i = 0; i < n; i++)
    if (agents[i] != NULL)
      {
        g_autofree gchar *log = gc_test_agent_get_log (agents[i]);

        g_test_message ("--- host %u log ---\n%s", agents[i]->host, log);
      }
}

/* a site key file (mode 0600) of @text in host 1's directory, which the
 * lab's hosts share: its path */
gchar *
gc_test_write_site_key (GcLab *lab, const gchar *name, const gchar *text)
{
  g_autofree gchar *path = g_build_filename (gc_lab_host_dir (lab, 1), name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* the same, as the agents' option: "--key-file=PATH" */
gchar *
gc_test_site_key_option (GcLab *lab, const gchar *text)
{
  g_autofree gchar *path = gc_test_write_site_key (lab, "site.key", text);

  return g_strdup_printf ("--key-file=%s", path);
}

/* one of the receiver's counters (Receiver1's uint64 @prop), 0 when it
 * cannot be read */
guint64
gc_test_agent_receiver_u64 (GcTestAgent *r, const gchar *prop)
{
  return gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, prop);
}

/* the peers @a lists (its /peer/ objects) */
guint
gc_test_agent_count_peers (GcTestAgent *a)
{
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GVariant) objects = NULL;
  GVariantIter it;
  const gchar *path;
  guint n = 0;

  r = gc_test_agent_call (a, "/io/github/Groupcast", "org.freedesktop.DBus.ObjectManager",
                          "GetManagedObjects", NULL, 2000, NULL);
  if (r == NULL)
    return 0;
  objects = g_variant_get_child_value (r, 0);
  g_variant_iter_init (&it, objects);
  while (g_variant_iter_next (&it, "{&o@a{sa{sv}}}", &path, NULL))
    n += strstr (path, "/peer/") != NULL;
  return n;
}

typedef struct
{
  GcTestAgent *a;
  guint n;
} PeerWait;

static gboolean
has_peers (gpointer data)
{
  PeerWait *w = data;

  return gc_test_agent_count_peers (w->a) >= w->n;
}

/* a receiver takes requests only from hosts it has heard announce: waits
 * until @a lists at least @n peers */
gboolean
gc_test_agent_wait_peers (GcTestAgent *a, guint n, guint timeout_ms)
{
  PeerWait w = { a, n };

  return gc_test_wait_until (has_peers, &w, timeout_ms);
}

gboolean
gc_test_agent_wait_playing (GcTestAgent *r, guint timeout_ms)
{
  return gc_test_agent_wait_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State", "playing",
                                    timeout_ms);
}
