/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gc-bench-rtsp-server: a plain gst-rtsp-server, the baseline Groupcast is
 * compared with. it serves the very encode the agent builds
 * (gc_source_build_launch, same capture, size, x264 settings and GOP) as one
 * shared media, but does nothing of Groupcast's own: no key frame forced on
 * PLAY, no capture stamps, no loopback fix.
 *
 *   gc-bench-rtsp-server unicast [PORT]
 *   gc-bench-rtsp-server multicast [PORT [GROUP [RTP-PORT]]]
 *
 * URL: rtsp://HOST:PORT/screen (PORT defaults to 8554).
 */
#define G_LOG_DOMAIN "GcBenchRtspServer"

#include "config.h"

#include "gc-config.h"
#include "gc-source.h"

#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <glib-unix.h>

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
cleanup_sessions (gpointer server)
{
  g_autoptr (GstRTSPSessionPool) pool = gst_rtsp_server_get_session_pool (server);

  gst_rtsp_session_pool_cleanup (pool);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GcConfig) config = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GstRTSPServer) server = NULL;
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree gchar *launch = NULL;
  GstRTSPMediaFactory *factory;
  gboolean multicast;
  const gchar *port = argc > 2 ? argv[2] : "8554";
  const gchar *group = argc > 3 ? argv[3] : "239.0.0.21";
  guint rtp_port = argc > 4 ? (guint) g_ascii_strtoull (argv[4], NULL, 10) : 15560;

  gst_init (&argc, &argv);
  if (argc < 2 || (!g_str_equal (argv[1], "unicast") && !g_str_equal (argv[1], "multicast")))
    {
      g_printerr ("usage: %s unicast|multicast [PORT [GROUP [RTP-PORT]]]\n", argv[0]);
      return 2;
    }
  multicast = g_str_equal (argv[1], "multicast");

  /* the agent's own encode, at its defaults (1280x720@30, x264, 4 Mbit/s) */
  launch = gc_source_build_launch (config, "x264enc", &error);
  if (launch == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  server = gst_rtsp_server_new ();
  gst_rtsp_server_set_service (server, port);
  factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (factory, launch);
  /* one encoder for every client, as Groupcast has: only the sending differs */
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  if (multicast)
    {
      g_autoptr (GstRTSPAddressPool) pool = gst_rtsp_address_pool_new ();

      /* as gst-rtsp-server's test-multicast example: a pool, multicast only */
      gst_rtsp_address_pool_add_range (pool, group, group, rtp_port, rtp_port + 1, 1);
      gst_rtsp_media_factory_set_address_pool (factory, pool);
      gst_rtsp_media_factory_set_protocols (factory, GST_RTSP_LOWER_TRANS_UDP_MCAST);
    }
  else
    gst_rtsp_media_factory_set_protocols (factory, GST_RTSP_LOWER_TRANS_UDP);
  mounts = gst_rtsp_server_get_mount_points (server);
  /* the mount points take the factory's reference */
  gst_rtsp_mount_points_add_factory (mounts, "/screen", factory);
  if (gst_rtsp_server_attach (server, NULL) == 0)
    {
      g_printerr ("cannot listen on port %s\n", port);
      return 1;
    }
  g_timeout_add_seconds (2, cleanup_sessions, server);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_print ("serving rtsp://0.0.0.0:%s/screen (%s)\n", port, argv[1]);
  g_main_loop_run (loop);
  return 0;
}
