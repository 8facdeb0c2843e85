/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source-clients.h"

#include <string.h>

/* RTSP clients at once, and how long one may stay without a session */
#define MAX_CLIENTS 256
#define IDLE_CLIENT_S 5

gchar *
gc_source_client_address (GstRTSPClient *client)
{
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);

  return conn != NULL ? g_strdup (gst_rtsp_connection_get_ip (conn)) : NULL;
}

/* @client set up a session: it is not closed as idle */
void
gc_source_clients_has_session (GstRTSPClient *client)
{
  g_object_set_data (G_OBJECT (client), "gc-has-session", GINT_TO_POINTER (1));
}

static void
destroy_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static gboolean
close_client (gpointer data)
{
  GstRTSPClient *client = data;
  g_autofree gchar *addr = gc_source_client_address (client);

  if (g_object_get_data (G_OBJECT (client), "gc-has-session") == NULL
      || g_object_get_data (G_OBJECT (client), "gc-over-cap") != NULL)
    {
      g_debug ("closing RTSP client %s: %s", addr != NULL ? addr : "?",
               g_object_get_data (G_OBJECT (client), "gc-over-cap") != NULL
                 ? "too many clients" : "no session set up in time");
      /* held across the close: its last ref may go inside it */
      g_object_ref (client);
      gst_rtsp_client_close (client);
      g_object_unref (client);
    }
  return G_SOURCE_REMOVE;
}

/* closes @client soon, from the loop (not from inside the server's accept
 * or a client's callback); the client owns the timer, which goes with it */
static void
close_later (GstRTSPClient *client, guint seconds, gboolean over_cap)
{
  GSource *timer = seconds > 0 ? g_timeout_source_new_seconds (seconds) : g_timeout_source_new (0);

  if (over_cap)
    g_object_set_data (G_OBJECT (client), "gc-over-cap", GINT_TO_POINTER (1));
  g_source_set_callback (timer, close_client, client, NULL);
  g_source_attach (timer, NULL);
  g_object_set_data_full (G_OBJECT (client), "gc-idle-timer", timer, destroy_source);
}

/* a client without a session after IDLE_CLIENT_S is closed. over the cap,
 * the oldest client without a session makes room, so idle connections
 * cannot lock receivers out; when every one has a session, the newcomer
 * goes */
void
gc_source_clients_guard (GstRTSPServer *server, GstRTSPClient *client)
{
  GList *all = gst_rtsp_server_client_filter (server, NULL, NULL);
  GstRTSPClient *oldest = NULL;
  gint64 oldest_at = G_MAXINT64;

  g_object_set_data (G_OBJECT (client), "gc-since",
                     GSIZE_TO_POINTER ((gsize) g_get_monotonic_time ()));
  if (g_list_length (all) > MAX_CLIENTS)
    {
      for (GList *l = all; l != NULL; l = l->next)
        {
          gint64 at = (gint64) GPOINTER_TO_SIZE (g_object_get_data (l->data, "gc-since"));

          if (l->data != client && g_object_get_data (l->data, "gc-has-session") == NULL
              && g_object_get_data (l->data, "gc-over-cap") == NULL && at < oldest_at)
            {
              oldest = l->data;
              oldest_at = at;
            }
        }
      close_later (oldest != NULL ? oldest : client, 0, TRUE);
    }
  g_list_free_full (all, g_object_unref);
  if (g_object_get_data (G_OBJECT (client), "gc-over-cap") == NULL)
    close_later (client, IDLE_CLIENT_S, FALSE);
}


/* RTP-Info's "seq=": the payloader's count. with FEC the stream's numbers
 * are the FEC encoder's (its packets take their place among the
 * picture's), so the count is wrong, and a receiver's jitter buffer would
 * wait for packets that never come; without it, it starts at the first
 * packet that arrives. "rtptime=" stays */
static void
on_send_message (GstRTSPClient *client, GstRTSPContext *ctx, GstRTSPMessage *message,
                 gpointer data)
{
  gchar *info = NULL;
  g_auto (GStrv) parts = NULL;
  g_autoptr (GString) out = NULL;

  if (gst_rtsp_message_get_type (message) != GST_RTSP_MESSAGE_RESPONSE
      || gst_rtsp_message_get_header (message, GST_RTSP_HDR_RTP_INFO, &info, 0) != GST_RTSP_OK
      || info == NULL || strstr (info, "seq=") == NULL)
    return;
  out = g_string_new (NULL);
  parts = g_strsplit (info, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      /* "...;seq=N,url=..." (one entry a stream): keep what follows a comma */
      const gchar *comma = g_str_has_prefix (parts[i], "seq=") ? strchr (parts[i], ',') : NULL;

      if (g_str_has_prefix (parts[i], "seq=") && comma == NULL)
        continue;
      if (out->len > 0 && comma == NULL)
        g_string_append_c (out, ';');
      g_string_append (out, comma != NULL ? comma : parts[i]);
    }
  gst_rtsp_message_remove_header (message, GST_RTSP_HDR_RTP_INFO, -1);
  gst_rtsp_message_add_header (message, GST_RTSP_HDR_RTP_INFO, out->str);
}

void
gc_source_clients_drop_rtp_seq (GstRTSPClient *client)
{
  g_signal_connect (client, "send-message", G_CALLBACK (on_send_message), NULL);
}

/* how the stream of a session goes: the group, or a copy to the receiver
 * alone (UDP, or in its RTSP connection) */
GcTransport
gc_source_clients_transport (GstRTSPSessionMedia *sessmedia)
{
  GstRTSPStreamTransport *st = sessmedia != NULL
                               ? gst_rtsp_session_media_get_transport (sessmedia, 0) : NULL;
  const GstRTSPTransport *t = st != NULL ? gst_rtsp_stream_transport_get_transport (st) : NULL;

  if (t == NULL || t->lower_transport == GST_RTSP_LOWER_TRANS_UDP_MCAST)
    return GC_TRANSPORT_MULTICAST;
  return t->lower_transport == GST_RTSP_LOWER_TRANS_TCP ? GC_TRANSPORT_TCP : GC_TRANSPORT_UNICAST;
}

/* the SETUP asks for a copy of its own (unicast UDP, or interleaved in
 * the connection): RFC 2326's default is unicast, so only a Transport
 * header that names multicast and no unicast is the group's */
gboolean
gc_source_clients_wants_copy (GstRTSPContext *ctx)
{
  gchar *t = NULL;

  if (ctx == NULL || ctx->request == NULL
      || gst_rtsp_message_get_header (ctx->request, GST_RTSP_HDR_TRANSPORT, &t, 0) != GST_RTSP_OK
      || t == NULL)
    return FALSE;
  return strstr (t, "multicast") == NULL || strstr (t, "unicast") != NULL;
}

/* sessions with a copy of their own (set up or playing), but those of
 * @address: what the server streams to receivers one by one */
guint
gc_source_clients_count_copies (GstRTSPServer *server, const gchar *address)
{
  g_autoptr (GstRTSPSessionPool) pool = gst_rtsp_server_get_session_pool (server);
  GList *sessions = pool != NULL ? gst_rtsp_session_pool_filter (pool, NULL, NULL) : NULL;
  guint n = 0;

  for (GList *l = sessions; l != NULL; l = l->next)
    {
      GList *medias = gst_rtsp_session_filter (l->data, NULL, NULL);

      if (medias != NULL)
        {
          GstRTSPStreamTransport *st = gst_rtsp_session_media_get_transport (medias->data, 0);
          const GstRTSPTransport *t = st != NULL ? gst_rtsp_stream_transport_get_transport (st)
                                                 : NULL;

          n += t != NULL && t->lower_transport != GST_RTSP_LOWER_TRANS_UDP_MCAST
               && g_strcmp0 (t->destination, address) != 0;
        }
      g_list_free_full (medias, g_object_unref);
    }
  g_list_free_full (sessions, g_object_unref);
  return n;
}
