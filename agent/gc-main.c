/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "Groupcast"

#include "config.h"

#include <gst/gst.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gc-agent.h"
#include "gc-dbus-export.h"
#include "gc-site-key.h"

typedef struct
{
  GMainLoop *loop;
  GcAgent *agent;
  GcDBusExport *dbus;
  gboolean verbose;
  gint status;
  gchar *last_source_line;    /* the counter lines last logged */
  gchar *last_receiver_line;
} Main;

/* service-log levels through GLib's own writers: messages and warnings
 * always; info with --verbose; debug when G_MESSAGES_DEBUG asks for it.
 * on the journal the structured fields (priority, domain, code location)
 * go with each line */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const Main *m = data;
  const gchar *debug = g_getenv ("G_MESSAGES_DEBUG");

  if ((level & G_LOG_LEVEL_INFO) && m->verbose && (debug == NULL || *debug == '\0'))
    {
      /* the default writer drops info unless G_MESSAGES_DEBUG names the
       * domain; --verbose keeps it for every domain */
      if (g_log_writer_is_journald (fileno (stderr))
          && g_log_writer_journald (level, fields, n_fields, NULL) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
      return g_log_writer_standard_streams (level, fields, n_fields, NULL);
    }
  return g_log_writer_default (level, fields, n_fields, NULL);
}

/* file descriptors the caps need at once: RTSP clients (256) and control
 * connections (64) at their bounds, the sockets of the streams, D-Bus,
 * Avahi, GStreamer's own; with room to spare */
#define FDS_NEEDED 2048

/* the soft limit is often 1024: raise it to what the caps need (up to the
 * hard limit), so a flood meets the agent's bounds, not EMFILE */
static void
raise_fd_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= FDS_NEEDED)
    return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? FDS_NEEDED : MIN (rl.rlim_max, FDS_NEEDED);
  if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
    g_warning ("cannot raise the open file limit to %u: %s", FDS_NEEDED, g_strerror (errno));
  else if (rl.rlim_cur < FDS_NEEDED)
    g_message ("open file limit is %lu (hard limit), below the %u the caps need",
               (gulong) rl.rlim_cur, FDS_NEEDED);
}

static gboolean
on_quit_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* @line, unless it says what the last line of its role said: an idle
 * agent's counters stay quiet */
static void
log_if_changed (gchar **last, gchar *line)
{
  if (g_strcmp0 (*last, line) == 0)
    {
      g_free (line);
      return;
    }
  g_info ("%s", line);
  g_free (*last);
  *last = line;
}

static void
log_counters (Main *m)
{
  GcReceiver *r = gc_agent_get_receiver (m->agent);
  GcSource *s = gc_agent_get_source (m->agent);

  if (s != NULL)
    log_if_changed (&m->last_source_line,
                    g_strdup_printf ("source %s: %u members, %" G_GUINT64_FORMAT
                                     " packets sent, %" G_GUINT64_FORMAT " kbit/s",
                                     gc_source_state_to_string (gc_source_get_state (s)),
                                     gc_member_table_get_size (gc_source_get_members (s)),
                                     gc_source_get_packets_sent (s),
                                     gc_source_get_bitrate (s) / 1000));
  if (r != NULL)
    {
      GcReceiverCounters c;

      gc_receiver_get_counters (r, &c);
      log_if_changed (&m->last_receiver_line,
                      g_strdup_printf ("receiver %s: %" G_GUINT64_FORMAT " packets, %"
                                       G_GUINT64_FORMAT " lost, %" G_GUINT64_FORMAT
                                       " frames, jitter %.2f ms, %" G_GUINT64_FORMAT
                                       " kbit/s, first frame %.0f ms, latency %.1f ms",
                                       gc_receiver_state_to_string (gc_receiver_get_state (r)),
                                       c.packets_received, c.packets_lost, c.frames_decoded,
                                       c.jitter_ms, c.bitrate / 1000, c.first_frame_ms,
                                       c.latency_ms));
    }
}

/* --verbose: the counters once a second while they change, on the
 * source's clock when there is a source (two ticks a second), else on the
 * receiver's */
/* --new-site-key: root makes the key for the system agent, so it goes to
 * the service's user when that user exists; anyone else's key is their own */
static int
write_new_site_key (const gchar *path)
{
  g_autoptr (GError) error = NULL;
  const struct passwd *pw = geteuid () == 0 ? getpwnam (GC_SERVICE_USER) : NULL;
  gint uid = pw != NULL ? (gint) pw->pw_uid : -1;
  gint gid = pw != NULL ? (gint) pw->pw_gid : -1;
  const struct passwd *owner;

  if (!gc_site_key_write_new (path, uid, gid, &error))
    {
      g_printerr ("groupcast-agent: %s\n", error->message);
      return 1;
    }
  owner = getpwuid (pw != NULL ? pw->pw_uid : geteuid ());
  g_print ("groupcast-agent: a new site key is in %s (mode 0600, owner %s).\n"
           "Every agent of the site needs the same key: start them with --key-file or "
           "key-file= in agent.conf.\n",
           path, owner != NULL ? owner->pw_name : "you");
  return 0;
}

static void
on_counters (GObject *role, Main *m)
{
  static guint ticks;

  if (++ticks % 2 == 0)
    log_counters (m);
}

static void
started (GObject *object, GAsyncResult *res, gpointer data)
{
  Main *m = data;
  g_autoptr (GError) error = NULL;
  const GcConfig *c = gc_agent_get_config (m->agent);

  if (!gc_agent_start_finish (m->agent, res, &error))
    {
      g_printerr ("groupcast-agent: %s\n", error->message);
      m->status = 1;
      g_main_loop_quit (m->loop);
      return;
    }
  if (c->bus != GC_BUS_NONE || c->bus_address != NULL)
    {
      m->dbus = gc_dbus_export_new (m->agent);
      gc_dbus_export_start (m->dbus, c->bus == GC_BUS_SYSTEM ? G_BUS_TYPE_SYSTEM
                                                             : G_BUS_TYPE_SESSION,
                            c->bus_address);
    }
  if (m->verbose)
    {
      GObject *clock = gc_agent_get_source (m->agent) != NULL
                       ? G_OBJECT (gc_agent_get_source (m->agent))
                       : G_OBJECT (gc_agent_get_receiver (m->agent));

      if (clock != NULL)
        g_signal_connect (clock, "counters-changed", G_CALLBACK (on_counters), m);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GcConfig) config = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GcAgent) agent = NULL;
  g_autoptr (GcDBusExport) dbus = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  Main m = { 0 };

  setlocale (LC_ALL, "");
  /* the receiver's screen speaks the room's language */
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
#ifdef M_ARENA_MAX
  /* every switch starts new GStreamer streaming threads; glibc gives each
   * new thread an arena of its own (up to 8 per core), and the agent's RSS
   * crept up by ~200 kB a switch. two arenas keep it flat (soak test) */
  mallopt (M_ARENA_MAX, 2);
#endif
  /* a service logs to stderr only (the journal takes it from there); on
   * stdout, info lines would sit in a buffer */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (log_writer, &m, NULL);
  gst_init (NULL, NULL);

  /* a bad option or value stops the agent with one line naming it */
  if (gc_config_parse_args (config, &argc, &argv, &error) && config->version)
    {
      g_print ("groupcast-agent %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (error == NULL && config->new_site_key != NULL)
    return write_new_site_key (config->new_site_key);
  if (error != NULL || !gc_config_validate (config, &error))
    {
      g_printerr ("groupcast-agent: %s\n", error->message);
      return 2;
    }
  m.verbose = config->verbose;
  raise_fd_limit ();

  loop = g_main_loop_new (NULL, FALSE);
  agent = gc_agent_new (g_steal_pointer (&config));
  m.loop = loop;
  m.agent = agent;
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  gc_agent_start_async (agent, NULL, started, &m);
  g_main_loop_run (loop);
  dbus = g_steal_pointer (&m.dbus);

  /* clean shutdown: TEARDOWN sent, groups left, name released */
  if (m.status == 0)
    g_message ("shutting down");
  if (dbus != NULL)
    gc_dbus_export_stop (dbus);
  gc_agent_stop (agent);
  g_free (m.last_source_line);
  g_free (m.last_receiver_line);
  return m.status;
}
