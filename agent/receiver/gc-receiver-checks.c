/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-checks.h"
#include "gc-error.h"

#include <gio/gio.h>
#include <gst/rtsp/rtsp.h>
#include <string.h>
#include <ifaddrs.h>
#include <netinet/in.h>

gboolean
gc_receiver_check_url (const gchar *url, GError **error)
{
  g_autoptr (GstRTSPUrl) u = NULL;

  if (url == NULL || !g_str_has_prefix (url, "rtsp://")
      || strlen (url) > 1024 || strpbrk (url, " \t\r\n\"") != NULL
      || gst_rtsp_url_parse (url, &u) != GST_RTSP_OK || u->host == NULL || *u->host == '\0'
      /* gst_rtsp_url_parse wraps a port past 65535; GUri does not */
      || !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "'%s' is not a valid rtsp:// URL", url != NULL ? url : "");
      return FALSE;
    }
  return TRUE;
}

/* "host:port" of @url for messages; "the source" when it has none */
gchar *
gc_receiver_url_where (const gchar *url)
{
  g_autoptr (GstRTSPUrl) u = NULL;

  if (url != NULL && gst_rtsp_url_parse (url, &u) == GST_RTSP_OK && u->host != NULL)
    return g_strdup_printf ("%s:%u", u->host, u->port != 0 ? u->port : 554);
  return g_strdup ("the source");
}

/* a Groupcast source offers one H.264 video stream; anything else (audio,
 * another codec) is not set up, so a server that is not Groupcast fails
 * with a clear error instead of connecting to nothing. @caps is the
 * stream's structure as rtspsrc's select-stream gives it. */
gboolean
gc_receiver_check_stream (const GstStructure *caps, gboolean *is_audio, gchar **reason)
{
  const gchar *media = caps != NULL ? gst_structure_get_string (caps, "media") : NULL;
  const gchar *enc = caps != NULL ? gst_structure_get_string (caps, "encoding-name") : NULL;
  gint rate = 0;

  if (is_audio != NULL)
    *is_audio = FALSE;
  if (g_strcmp0 (media, "video") == 0 && g_ascii_strcasecmp (enc != NULL ? enc : "", "H264") == 0)
    return TRUE;
  /* RFC 7587: Opus is always named at 48 kHz */
  if (g_strcmp0 (media, "audio") == 0 && g_ascii_strcasecmp (enc != NULL ? enc : "", "OPUS") == 0
      && gst_structure_get_int (caps, "clock-rate", &rate) && rate == 48000)
    {
      if (is_audio != NULL)
        *is_audio = TRUE;
      return TRUE;
    }
  if (reason != NULL)
    *reason = g_strdup_printf ("%.32s %.32s, neither H.264 video nor Opus audio",
                               media != NULL ? media : "?", enc != NULL ? enc : "?");
  return FALSE;
}

/* splits a valid "address:port" ("[v6]:port") */
static GInetAddress *
parse_group (const gchar *group, guint *port)
{
  const gchar *colon = group != NULL ? strrchr (group, ':') : NULL;
  g_autofree gchar *host = NULL;
  guint64 p = 0;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 1, G_MAXUINT16, &p, NULL))
    return NULL;
  if (group[0] == '[' && colon > group + 1 && colon[-1] == ']')
    host = g_strndup (group + 1, colon - group - 2);
  else
    host = g_strndup (group, colon - group);
  *port = (guint) p;
  return g_inet_address_new_from_string (host);
}

/* a port of a stream's pair: its RTP port or the RTCP one after it */
static gboolean
in_pair (gint port, guint rtp)
{
  return rtp != 0 && (port == (gint) rtp || port == (gint) rtp + 1);
}

/* after SETUP the stream must come from a multicast group: a server that
 * answers with a unicast transport, or names a unicast or unparsable
 * "group", is refused; so is one that names another group or port than
 * @expected ("address:port" a signed request or beacon named; NULL: any).
 * the sound's pair (@audio_port: the port of the socket whose caps say
 * audio; 0: no sound) is taken too (with @expected, on its group only). on success *group and *rtp_port are the
 * group the first even-port udpsrc of the picture listens on (NULL while
 * none is there yet). */
gboolean
gc_receiver_check_transport (const GcTransportEndpoint *endpoints, guint n, const gchar *url,
                             const gchar *expected, guint16 audio_port, gchar **group,
                             guint16 *rtp_port, GError **error)
{
  g_autoptr (GInetAddress) want = NULL;
  guint want_port = 0;

  g_return_val_if_fail (group != NULL && rtp_port != NULL, FALSE);

  *group = NULL;
  *rtp_port = 0;
  if (expected != NULL)
    want = parse_group (expected, &want_port);
  /* the picture's endpoints first: a refusal names the picture's group */
  for (guint i = 0; i < 2 * n; i++)
    {
      const GcTransportEndpoint *e = &endpoints[i % n];
      gboolean audio = in_pair (e->port, audio_port);
      g_autoptr (GInetAddress) ia = NULL;
      g_autofree gchar *where = NULL;
      g_autofree gchar *cut = NULL;
      g_autofree gchar *bad = NULL;

      if (audio != (i >= n))
        continue;
      ia = e->address != NULL ? g_inet_address_new_from_string (e->address) : NULL;
      if (ia != NULL && g_inet_address_get_is_multicast (ia)
          && (expected == NULL
              || (want != NULL && g_inet_address_equal (ia, want)
                  && (audio || in_pair (e->port, want_port)))))
        {
          if (e->is_src && e->port > 0 && e->port <= G_MAXUINT16 && e->port % 2 == 0 && !audio
              && *group == NULL)
            {
              *group = g_strdup (e->address);
              *rtp_port = (guint16) e->port;
            }
          continue;
        }
      where = gc_receiver_url_where (url);
      cut = g_strndup (e->address != NULL ? e->address : "none", 64);
      bad = g_utf8_make_valid (cut, -1);
      g_clear_pointer (group, g_free);
      *rtp_port = 0;
      if (ia == NULL || !g_inet_address_get_is_multicast (ia))
        g_set_error (error, GC_ERROR, GC_ERROR_STREAM,
                     "%s offered no multicast group (stream address %s): refused", where, bad);
      else
        g_set_error (error, GC_ERROR, GC_ERROR_STREAM,
                     "%s offered group %s%s%s:%d, not %s as signed: refused", where,
                     strchr (bad, ':') != NULL ? "[" : "", bad, strchr (bad, ':') != NULL ? "]" : "",
                     e->port - e->port % 2 /* the RTP port, also for the RTCP one */,
                     expected);
      return FALSE;
    }
  return TRUE;
}

/* why a stream that RTSP set up shows nothing, in words a person can act
 * on: no packet reached the socket (multicast blocked on the way), or
 * packets came and were all refused (another site's key), or they came
 * and no picture decoded */
gchar *
gc_receiver_describe_silence (const gchar *url, const gchar *group, guint ttl,
                              gboolean beyond_router, gboolean packets_in,
                              gboolean packets_through, guint64 rejected)
{
  g_autofree gchar *where = gc_receiver_url_where (url);

  /* a router takes one off the TTL and drops what reaches 0: with 1, the
   * stream never leaves the source's subnet */
  if (!packets_in && beyond_router && ttl == 1)
    return g_strdup_printf ("%s answered, but no packet of its stream arrives: the source's TTL "
                            "does not reach this subnet (the source is on another subnet and "
                            "sends with TTL 1, which no router forwards; give the source a TTL "
                            "one above the routers on the way, such as --ttl=2)", where);
  if (!packets_in)
    return g_strdup_printf ("%s answered and this receiver joined %s, but no packet of the stream "
                            "arrives: multicast is blocked on the way (an access point or a "
                            "switch that drops multicast, a firewall, or a router: a source on "
                            "another subnet needs a TTL above 1)",
                            where, group != NULL && *group != '\0' ? group : "its group");
  if (!packets_through && rejected > 0)
    return g_strdup_printf ("packets of %s's stream arrive, but none is from the source with "
                            "this site's key (%" G_GUINT64_FORMAT " refused)", where, rejected);
  return g_strdup_printf ("packets of %s's stream arrive, but no picture decodes from them",
                          where);
}

/* rtspsrc's words are terse; say what a person can act on */
gchar *
gc_receiver_describe_error (const gchar *url, const gchar *message, const gchar *debug)
{
  g_autofree gchar *where = gc_receiver_url_where (url);

  if (debug != NULL && strstr (debug, "Failed to connect") != NULL)
    return g_strdup_printf ("cannot connect to %s: nothing listens there, or the host is down",
                            where);
  if (debug != NULL && strstr (debug, "Parse error") != NULL)
    return g_strdup_printf ("%s did not answer as an RTSP server", where);
  if (debug != NULL && strstr (debug, "Timeout") != NULL)
    return g_strdup_printf ("%s did not answer in time", where);
  if (debug != NULL && (strstr (debug, "404") != NULL || strstr (debug, "Not Found") != NULL))
    return g_strdup_printf ("%s has no stream at that path", where);
  if (message != NULL && strstr (message, "No supported stream") != NULL)
    return g_strdup_printf ("%s offers no H.264 video on a multicast group: "
                            "not a Groupcast source", where);
  if (debug != NULL && (strstr (debug, "453") != NULL || strstr (debug, "Not Enough Bandwidth")))
    return g_strdup_printf ("%s sends as many copies of its stream as it allows (max-unicast)",
                            where);
  /* every transport rtspsrc was allowed to ask for was refused */
  if (debug != NULL && strstr (debug, "no protocols left") != NULL)
    return g_strdup_printf ("%s does not send the stream that way (a source set to "
                            "unicast=false sends to its group only)", where);
  if (debug != NULL && strstr (debug, "Unsupported transport") != NULL)
    return g_strdup_printf ("%s does not offer a multicast stream", where);
  return g_strdup_printf ("%s: %s", where, message != NULL ? message : "stream error");
}

/* the host of @url is not on a subnet of @interface (NULL: of any
 * interface): a router is on the way. an address that cannot be read is
 * not taken as beyond */
gboolean
gc_receiver_url_beyond_subnet (const gchar *url, const gchar *interface)
{
  g_autoptr (GstRTSPUrl) u = NULL;
  g_autoptr (GInetAddress) host = NULL;
  struct ifaddrs *ifa = NULL;
  guint32 h;
  gboolean seen = FALSE, on = FALSE;

  if (url == NULL || gst_rtsp_url_parse (url, &u) != GST_RTSP_OK || u->host == NULL
      || (host = g_inet_address_new_from_string (u->host)) == NULL
      || g_inet_address_get_family (host) != G_SOCKET_FAMILY_IPV4 || getifaddrs (&ifa) != 0)
    return FALSE;
  memcpy (&h, g_inet_address_to_bytes (host), 4);
  for (struct ifaddrs *i = ifa; i != NULL && !on; i = i->ifa_next)
    {
      guint32 a, m;

      if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET || i->ifa_netmask == NULL
          || (interface != NULL && g_strcmp0 (i->ifa_name, interface) != 0))
        continue;
      a = ((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr;
      m = ((struct sockaddr_in *) i->ifa_netmask)->sin_addr.s_addr;
      seen = TRUE;
      on = (a & m) == (h & m);
    }
  freeifaddrs (ifa);
  return seen && !on;
}
