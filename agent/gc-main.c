/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "Groupcast"

#include "config.h"

#include <gst/gst.h>
#include <glib-unix.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>

#include "gc-agent.h"
#include "gc-dbus-export.h"

static gboolean verbose;

/* service-log style: messages and warnings always; info with --verbose;
 * debug only when G_MESSAGES_DEBUG asks for it */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if ((level & G_LOG_LEVEL_INFO) && !verbose && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  if ((level & G_LOG_LEVEL_INFO) && verbose)
    {
      const gchar *msg = NULL;

      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE"))
          msg = fields[i].value;
      fprintf (stderr, "groupcast-agent: %s\n", msg ? msg : "");
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, data);
}

static gboolean
on_quit_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
print_counters (gpointer data)
{
  GcAgent *agent = data;
  GcReceiver *r = gc_agent_get_receiver (agent);
  GcSource *s = gc_agent_get_source (agent);

  if (s != NULL)
    g_info ("source %s: %u members, %" G_GUINT64_FORMAT " packets sent, %" G_GUINT64_FORMAT " kbit/s",
            gc_source_get_state (s), gc_source_get_n_members (s), gc_source_get_packets_sent (s),
            gc_source_get_bitrate (s) / 1000);
  if (r != NULL)
    {
      GcReceiverCounters c;

      gc_receiver_get_counters (r, &c);
      g_info ("receiver %s: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " lost, %"
              G_GUINT64_FORMAT " frames, jitter %.2f ms, %" G_GUINT64_FORMAT " kbit/s, "
              "first frame %.0f ms, latency %.1f ms",
              gc_receiver_state_to_string (gc_receiver_get_state (r)), c.packets_received, c.packets_lost, c.frames_decoded,
              c.jitter_ms, c.bitrate / 1000, c.first_frame_ms, c.latency_ms);
    }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GcConfig) config = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GcAgent) agent = NULL;
  g_autoptr (GcDBusExport) dbus = NULL;
  g_autoptr (GMainLoop) loop = NULL;

  setlocale (LC_ALL, "");
#ifdef M_ARENA_MAX
  /* every switch starts new GStreamer streaming threads; glibc gives each
   * new thread an arena of its own (up to 8 per core), and the agent's RSS
   * crept up by ~200 kB a switch. two arenas keep it flat (soak test) */
  mallopt (M_ARENA_MAX, 2);
#endif
  g_log_set_writer_func (log_writer, NULL, NULL);
  gst_init (NULL, NULL);

  /* a bad option or value stops the agent with one line naming it */
  if (!gc_config_parse_args (config, &argc, &argv, &error)
      || !gc_config_validate (config, &error))
    {
      fprintf (stderr, "groupcast-agent: %s\n", error->message);
      return 2;
    }
  verbose = config->verbose;

  loop = g_main_loop_new (NULL, FALSE);
  agent = gc_agent_new (g_steal_pointer (&config));
  if (!gc_agent_start (agent, &error))
    {
      fprintf (stderr, "groupcast-agent: %s\n", error->message);
      gc_agent_stop (agent);
      return 1;
    }
  if (gc_agent_get_config (agent)->bus != GC_BUS_NONE
      || gc_agent_get_config (agent)->bus_address != NULL)
    {
      dbus = gc_dbus_export_new (agent);
      gc_dbus_export_start (dbus, gc_agent_get_config (agent)->bus == GC_BUS_SYSTEM
                                  ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION,
                            gc_agent_get_config (agent)->bus_address);
    }
  if (verbose)
    g_timeout_add_seconds (1, print_counters, agent);

  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  /* clean shutdown: TEARDOWN sent, groups left, name released */
  g_message ("shutting down");
  if (dbus != NULL)
    gc_dbus_export_stop (dbus);
  gc_agent_stop (agent);
  return 0;
}
