/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-discovery-probe: the real discovery stack (beacons, Avahi, peer table)
 * in a small program, for the lab tests and for trying discovery by hand.
 *
 * stdout, one line per event:
 *   self ID NAME                         at start
 *   added ID NAME ADDRESS SEENBY         SEENBY is "mdns,beacon", "beacon", ...
 *   changed ID NAME ADDRESS SEENBY
 *   removed ID
 *   size N                               answer to "size" on stdin
 *   renamed NAME                         after SIGUSR1 or "rename NAME"
 *   detail ID NAME ROLES URL GROUP SRC SEENBY   answer to "show ID" ("-" for none)
 *   src URL                              after "src URL" ("src -" clears it)
 * names have white space written as "_".
 */
#define G_LOG_DOMAIN "GcDiscoveryProbe"

#include "config.h"

#include "gc-config.h"
#include "gc-discovery.h"
#include "gc-identity.h"

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <stdio.h>

typedef struct
{
  GMainLoop *loop;
  GcDiscovery *discovery;
  GcAnnouncement self;
  GDataInputStream *in;
  gchar *rename_to;
  gint exit_code;
} Probe;

static gchar *
safe_name (const gchar *name)
{
  gchar *s = g_strdup (name != NULL ? name : "-");

  for (gchar *p = s; *p != '\0'; p++)
    if (g_ascii_isspace (*p))
      *p = '_';
  return s;
}

static void
print_peer (const gchar *what, GcPeer *peer)
{
  g_auto (GStrv) seen = gc_peer_dup_seen_by_strv (peer);
  g_autofree gchar *seen_s = g_strjoinv (",", seen);
  g_autofree gchar *name = safe_name (gc_peer_get_name (peer));

  g_print ("%s %s %s %s %s %s\n", what, gc_peer_get_id (peer), name,
           gc_peer_get_address (peer), seen_s[0] != '\0' ? seen_s : "-",
           gc_peer_get_verified (peer) ? "verified" : "unverified");
  fflush (stdout);
}

static void
peer_added_cb (GcPeerTable *table, GcPeer *peer, gpointer user_data)
{
  print_peer ("added", peer);
}

static void
peer_changed_cb (GcPeerTable *table, GcPeer *peer, gpointer user_data)
{
  print_peer ("changed", peer);
}

static void
peer_removed_cb (GcPeerTable *table, GcPeer *peer, gpointer user_data)
{
  g_print ("removed %s\n", gc_peer_get_id (peer));
  fflush (stdout);
}

static void
rename_to (Probe *probe, const gchar *name)
{
  g_autofree gchar *safe = NULL;

  g_free (probe->self.name);
  probe->self.name = g_strdup (name);
  gc_discovery_update (probe->discovery, &probe->self);
  safe = safe_name (name);
  g_print ("renamed %s\n", safe);
  fflush (stdout);
}

static gboolean
usr1_cb (gpointer user_data)
{
  Probe *probe = user_data;
  g_autofree gchar *name = probe->rename_to != NULL
                             ? g_strdup (probe->rename_to)
                             : g_strdup_printf ("%s-renamed", probe->self.name);

  rename_to (probe, name);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  Probe *probe = user_data;

  g_main_loop_quit (probe->loop);
  return G_SOURCE_CONTINUE;
}

static void read_command (Probe *probe);

/* stdout is for events: every log line goes to stderr, debug and info too */
static GLogWriterOutput
log_to_stderr (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
               gpointer user_data)
{
  const gchar *domain = NULL;
  g_autofree gchar *line = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  line = g_log_writer_format_fields (level, fields, n_fields, FALSE);
  /* several probes share one terminal in the tests: say whose line it is */
  g_printerr ("[%s] %s\n", g_get_prgname (), line);
  return G_LOG_WRITER_HANDLED;
}

static void
command_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Probe *probe = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  GcPeerTable *table;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    NULL, &error);
  if (line == NULL)
    {
      /* stdin closed: keep running until a signal */
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("stdin: %s", error->message);
      return;
    }
  table = gc_discovery_get_peer_table (probe->discovery);
  g_strstrip (line);
  if (g_strcmp0 (line, "size") == 0)
    {
      g_print ("size %u\n", gc_peer_table_get_size (table));
      fflush (stdout);
    }
  else if (g_strcmp0 (line, "list") == 0)
    {
      g_autoptr (GPtrArray) peers = gc_peer_table_dup_peers (table);

      for (guint i = 0; i < peers->len; i++)
        print_peer ("peer", g_ptr_array_index (peers, i));
      g_print ("end\n");
      fflush (stdout);
    }
  else if (g_str_has_prefix (line, "rename "))
    rename_to (probe, line + strlen ("rename "));
  else if (g_str_has_prefix (line, "show "))
    {
      GcPeer *peer = gc_peer_table_lookup (table, line + strlen ("show "));

      if (peer == NULL)
        g_print ("detail %s -\n", line + strlen ("show "));
      else
        {
          g_autofree gchar *name = safe_name (gc_peer_get_name (peer));
          g_autofree gchar *roles = gc_roles_to_string (gc_peer_get_roles (peer));
          g_auto (GStrv) seen = gc_peer_dup_seen_by_strv (peer);
          g_autofree gchar *seen_s = g_strjoinv (",", seen);

#define OR_DASH(s) ((s) != NULL && (s)[0] != '\0' ? (s) : "-")
          g_print ("detail %s %s %s %s %s %s %s\n", gc_peer_get_id (peer), name,
                   OR_DASH (roles), OR_DASH (gc_peer_get_url (peer)),
                   OR_DASH (gc_peer_get_group (peer)),
                   OR_DASH (gc_peer_get_current_source (peer)), OR_DASH (seen_s));
#undef OR_DASH
        }
      fflush (stdout);
    }
  else if (g_str_has_prefix (line, "src "))
    {
      const gchar *url = line + strlen ("src ");

      g_free (probe->self.current_source);
      probe->self.current_source = g_strcmp0 (url, "-") == 0 ? NULL : g_strdup (url);
      gc_discovery_update (probe->discovery, &probe->self);
      g_print ("src %s\n", url);
      fflush (stdout);
    }
  else if (g_strcmp0 (line, "quit") == 0)
    g_main_loop_quit (probe->loop);
  read_command (probe);
}

static void
read_command (Probe *probe)
{
  g_data_input_stream_read_line_async (probe->in, G_PRIORITY_DEFAULT, NULL, command_cb,
                                       probe);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *id_dir = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *roles = NULL;
  g_autofree gchar *iface = NULL;
  g_autofree gchar *key_file = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *group = NULL;
  g_autofree gchar *rename = NULL;
  gboolean no_mdns = FALSE, no_beacons = FALSE;
  gint port = GC_DEFAULT_BEACON_PORT, control_port = GC_DEFAULT_CONTROL_PORT;
  gint interval = 1000, cap = 0;
  GOptionEntry entries[] = {
    { "id-dir", 0, 0, G_OPTION_ARG_FILENAME, &id_dir, "where the agent id is kept", "DIR" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "friendly name", "NAME" },
    { "roles", 0, 0, G_OPTION_ARG_STRING, &roles, "source,receiver", "ROLES" },
    { "interface", 0, 0, G_OPTION_ARG_STRING, &iface, "network interface", "IFACE" },
    { "no-mdns", 0, 0, G_OPTION_ARG_NONE, &no_mdns, "no Avahi", NULL },
    { "no-beacons", 0, 0, G_OPTION_ARG_NONE, &no_beacons, "no beacons", NULL },
    { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "site key", "FILE" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "beacon port", "PORT" },
    { "control-port", 0, 0, G_OPTION_ARG_INT, &control_port, "control port", "PORT" },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "beacon interval", "MS" },
    { "cap", 0, 0, G_OPTION_ARG_INT, &cap, "peer table bound", "N" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "source URL", "URL" },
    { "group", 0, 0, G_OPTION_ARG_STRING, &group, "source group", "ADDR:PORT" },
    { "rename-to", 0, 0, G_OPTION_ARG_STRING, &rename, "name taken on SIGUSR1", "NAME" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- run discovery");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GInputStream) stdin_stream = NULL;
  g_autofree gchar *self_name = NULL;
  Probe probe = { 0 };

  g_log_set_writer_func (log_to_stderr, NULL, NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (port <= 0 || port > G_MAXUINT16 || control_port <= 0 || control_port > G_MAXUINT16
      || interval <= 0 || cap < 0)
    {
      g_printerr ("bad port, interval or cap\n");
      return 2;
    }
  if (id_dir != NULL)
    {
      probe.self.id = gc_identity_load_or_create (id_dir, &error);
      if (probe.self.id == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }
  else
    probe.self.id = g_uuid_string_random ();
  if (key_file != NULL)
    {
      gchar *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (key_file, &contents, &len, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_strchomp (contents);
      key = g_bytes_new_take (contents, strlen (contents));
    }
  probe.self.name = g_strdup (name != NULL ? name : g_get_host_name ());
  {
    g_autofree gchar *prgname = g_strdup_printf ("probe %.8s", probe.self.id);

    g_set_prgname (prgname);
  }
  probe.self.roles = roles != NULL ? gc_roles_from_string (roles) : GC_ROLE_RECEIVER;
  probe.self.control_port = (guint16) control_port;
  /* the address it announces: signed beacons and records carry it */
  probe.self.address = gc_config_interface_address (iface, NULL);
  probe.self.url = g_strdup (url);
  probe.self.group = g_strdup (group);
  probe.rename_to = g_strdup (rename);

  probe.loop = g_main_loop_new (NULL, FALSE);
  probe.discovery = gc_discovery_new (&probe.self, iface, (guint16) port, (guint) interval,
                                      key);
  if (cap > 0)
    gc_discovery_set_cap (probe.discovery, (guint) cap);
  g_signal_connect (gc_discovery_get_peer_table (probe.discovery), "peer-added",
                    G_CALLBACK (peer_added_cb), &probe);
  g_signal_connect (gc_discovery_get_peer_table (probe.discovery), "peer-changed",
                    G_CALLBACK (peer_changed_cb), &probe);
  g_signal_connect (gc_discovery_get_peer_table (probe.discovery), "peer-removed",
                    G_CALLBACK (peer_removed_cb), &probe);
  if (!gc_discovery_start (probe.discovery, !no_mdns, !no_beacons, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  self_name = safe_name (probe.self.name);
  g_print ("self %s %s\n", probe.self.id, self_name);
  fflush (stdout);

  g_unix_signal_add (SIGUSR1, usr1_cb, &probe);
  g_unix_signal_add (SIGTERM, quit_cb, &probe);
  g_unix_signal_add (SIGINT, quit_cb, &probe);
  stdin_stream = g_unix_input_stream_new (0, FALSE);
  probe.in = g_data_input_stream_new (stdin_stream);
  read_command (&probe);

  g_main_loop_run (probe.loop);

  /* a clean stop withdraws the mDNS service, so peers drop us at once */
  gc_discovery_stop (probe.discovery);
  g_clear_object (&probe.in);
  g_clear_object (&probe.discovery);
  g_main_loop_unref (probe.loop);
  g_free (probe.rename_to);
  gc_announcement_clear (&probe.self);
  return probe.exit_code;
}
