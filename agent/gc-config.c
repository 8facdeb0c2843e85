/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcConfig"

#include "config.h"

#include "gc-config.h"
#include "gc-error.h"
#include "gc-far-peers.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

GcConfig *
gc_config_new_default (void)
{
  GcConfig *c = g_new0 (GcConfig, 1);

  c->name = g_strdup (g_get_host_name ());
  c->rtsp_port = GC_DEFAULT_RTSP_PORT;
  c->mount = g_strdup (GC_DEFAULT_MOUNT);
  c->rtp_port = GC_DEFAULT_RTP_PORT;
  c->ttl = 1;
  c->capture = g_strdup ("test");
  c->preview_width = 320;
  c->sink = g_strdup ("auto");
  c->encoder = g_strdup ("auto");
  c->fec = g_strdup ("high");
  c->width = 1280;
  c->height = 720;
  c->framerate = 30;
  c->bitrate_kbps = 4000;
  c->gop_seconds = 2;
  c->latency_ms = 20;
  c->audio_frame_ms = 20;
  c->control_port = GC_DEFAULT_CONTROL_PORT;
  c->beacon_port = GC_DEFAULT_BEACON_PORT;
  c->beacon_interval_ms = 1000;
  c->mdns = TRUE;
  c->unicast = TRUE;
  c->max_unicast = 16;
  c->beacons = TRUE;
  c->switch_timeout_ms = 5000;
  c->bus = GC_BUS_SESSION;
  return c;
}

void
gc_config_free (GcConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->connect_url);
  g_free (c->new_site_key);
  g_free (c->name);
  g_free (c->interface);
  g_free (c->peers);
  g_free (c->bind_address);
  g_free (c->address_interface);
  g_free (c->mount);
  g_free (c->group);
  g_free (c->capture);
  g_free (c->sink);
  g_free (c->audio);
  g_free (c->audio_sink);
  g_free (c->display_output);
  g_free (c->site_text);
  g_free (c->encoder);
  g_free (c->fec);
  g_free (c->state_dir);
  g_free (c->key_file);
  if (c->key_string != NULL)
    memset (c->key_string, 0, strlen (c->key_string));
  g_free (c->key_string);
  g_free (c->bus_address);
  g_free (c);
}

static gboolean
parse_uint (const gchar *what, const gchar *value, guint64 min, guint64 max,
            guint64 *out, GError **error)
{
  if (!g_ascii_string_to_unsigned (value, 10, min, max, out, NULL))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "%s '%s' is not a whole number from %" G_GUINT64_FORMAT
                   " to %" G_GUINT64_FORMAT, what, value, min, max);
      return FALSE;
    }
  return TRUE;
}

/* one table drives the config file keys; the command line maps onto the
 * same names so both paths share one parser */
typedef enum { OPT_BOOL, OPT_STRING, OPT_U16, OPT_U8, OPT_UINT } OptKind;

typedef struct
{
  const gchar *key;
  OptKind kind;
  gsize offset;
  guint64 min, max;
} OptDesc;

#define O(f) G_STRUCT_OFFSET (GcConfig, f)
static const OptDesc options[] = {
  { "source", OPT_BOOL, O (source) },
  { "receiver", OPT_BOOL, O (receiver) },
  { "connect", OPT_STRING, O (connect_url) },
  { "name", OPT_STRING, O (name) },
  { "interface", OPT_STRING, O (interface) },
  { "rtsp-port", OPT_U16, O (rtsp_port), 1, 65535 },
  { "mount", OPT_STRING, O (mount) },
  { "group", OPT_STRING, O (group) },
  { "rtp-port", OPT_U16, O (rtp_port), 1024, 65534 },
  { "audio-port", OPT_U16, O (audio_port), 1024, 65534 },
  { "ttl", OPT_U8, O (ttl), 1, 255 },
  { "capture", OPT_STRING, O (capture) },
  { "desktop", OPT_BOOL, O (desktop) },
  { "preview-width", OPT_UINT, O (preview_width), 0, 640 },
  { "audio", OPT_STRING, O (audio) },
  { "audio-frame", OPT_UINT, O (audio_frame_ms), 10, 20 },
  { "sink", OPT_STRING, O (sink) },
  { "audio-sink", OPT_STRING, O (audio_sink) },
  { "display-output", OPT_STRING, O (display_output) },
  { "windowed", OPT_BOOL, O (windowed) },
  { "site-text", OPT_STRING, O (site_text) },
  { "encoder", OPT_STRING, O (encoder) },
  { "width", OPT_UINT, O (width), 16, 7680 },
  { "height", OPT_UINT, O (height), 16, 4320 },
  { "framerate", OPT_UINT, O (framerate), 1, 240 },
  { "bitrate", OPT_UINT, O (bitrate_kbps), 100, 100000 },
  { "gop", OPT_UINT, O (gop_seconds), 1, 60 },
  { "fec", OPT_STRING, O (fec) },
  { "latency", OPT_UINT, O (latency_ms), 0, 2000 },
  { "control-port", OPT_U16, O (control_port), 1, 65535 },
  { "beacon-port", OPT_U16, O (beacon_port), 1, 65535 },
  { "beacon-interval", OPT_UINT, O (beacon_interval_ms), 100, 60000 },
  { "mdns", OPT_BOOL, O (mdns) },
  { "beacons", OPT_BOOL, O (beacons) },
  { "peers", OPT_STRING, O (peers) },
  { "state-dir", OPT_STRING, O (state_dir) },
  { "key-file", OPT_STRING, O (key_file) },
  { "key", OPT_STRING, O (key_string) },
  { "allow-unauthenticated", OPT_BOOL, O (allow_unauthenticated) },
  { "plain-media", OPT_BOOL, O (plain_media) },
  { "ssm", OPT_BOOL, O (ssm) },
  { "unicast", OPT_BOOL, O (unicast) },
  { "max-unicast", OPT_UINT, O (max_unicast), 1, 1024 },
  { "switch-timeout", OPT_UINT, O (switch_timeout_ms), 100, 60000 },
  { "bus-address", OPT_STRING, O (bus_address) },
  { "verbose", OPT_BOOL, O (verbose) },
};
#undef O

static gboolean
set_option (GcConfig *c, const OptDesc *d, const gchar *value, GError **error)
{
  gpointer field = G_STRUCT_MEMBER_P (c, d->offset);
  guint64 n;

  switch (d->kind)
    {
    case OPT_BOOL:
      if (g_ascii_strcasecmp (value, "true") == 0 || g_str_equal (value, "1"))
        *(gboolean *) field = TRUE;
      else if (g_ascii_strcasecmp (value, "false") == 0 || g_str_equal (value, "0"))
        *(gboolean *) field = FALSE;
      else
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "%s '%s' is not true or false", d->key, value);
          return FALSE;
        }
      return TRUE;
    case OPT_STRING:
      if (d->offset == G_STRUCT_OFFSET (GcConfig, capture))
        c->capture_explicit = TRUE;
      g_free (*(gchar **) field);
      *(gchar **) field = g_strdup (value);
      return TRUE;
    case OPT_U16:
    case OPT_U8:
    case OPT_UINT:
      if (!parse_uint (d->key, value, d->min, d->max, &n, error))
        return FALSE;
      if (d->kind == OPT_U16)
        *(guint16 *) field = (guint16) n;
      else if (d->kind == OPT_U8)
        *(guint8 *) field = (guint8) n;
      else
        *(guint *) field = (guint) n;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static const OptDesc *
find_option (const gchar *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    if (g_str_equal (options[i].key, key))
      return &options[i];
  return NULL;
}

/* a config file holding the site key inline (key=) is as secret as a key
 * file: mode 0600 or stricter, owned by root or the agent's user */
static gboolean
private_file (const gchar *path, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "config file %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "config file %s holds the site key (key=) but has mode %04o: it must "
                   "not be readable or writable by group or others (chmod 600 %s, or put "
                   "the key in a key-file)", path, (guint) (st.st_mode & 07777), path);
      return FALSE;
    }
  if (st.st_uid != 0 && st.st_uid != geteuid ())
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "config file %s holds the site key (key=) but belongs to uid %u: it "
                   "must belong to root or to the user the agent runs as", path,
                   (guint) st.st_uid);
      return FALSE;
    }
  return TRUE;
}

gboolean
gc_config_load_key_file (GcConfig *c, const gchar *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_auto (GStrv) keys = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "config file %s: ", path);
      return FALSE;
    }
  if (!g_key_file_has_group (kf, "agent"))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "config file %s: no [agent] group", path);
      return FALSE;
    }
  keys = g_key_file_get_keys (kf, "agent", NULL, error);
  if (keys == NULL)
    return FALSE;
  if (g_strv_contains ((const gchar * const *) keys, "key") && !private_file (path, error))
    return FALSE;
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const OptDesc *d = find_option (keys[i]);
      g_autofree gchar *value = NULL;

      if (d == NULL)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "config file %s: unknown key '%s'", path, keys[i]);
          return FALSE;
        }
      value = g_key_file_get_string (kf, "agent", keys[i], error);
      if (value == NULL || !set_option (c, d, g_strstrip (value), error))
        {
          g_prefix_error (error, "config file %s: ", path);
          return FALSE;
        }
    }
  return TRUE;
}

/* the command line: every option is remembered as text and applied after
 * the config file, so the command line wins */
typedef struct
{
  GPtrArray *pairs; /* key, value, key, value ... */
} CliState;

static gboolean
cli_collect (const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
  CliState *st = data;
  const gchar *key = option_name + 2; /* skip "--" */

  if (g_str_has_prefix (key, "no-"))
    {
      g_ptr_array_add (st->pairs, g_strdup (key + 3));
      g_ptr_array_add (st->pairs, g_strdup ("false"));
      return TRUE;
    }
  g_ptr_array_add (st->pairs, g_strdup (key));
  g_ptr_array_add (st->pairs, g_strdup (value != NULL ? value : "true"));
  return TRUE;
}

gboolean
gc_config_parse_args (GcConfig *c, gint *argc, gchar ***argv, GError **error)
{
  CliState st = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (GPtrArray) pairs = st.pairs;
  g_autofree gchar *config_path = NULL;
  g_autofree gchar *bus = NULL;
  gboolean version = FALSE;
  g_autofree gchar *new_site_key = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  GOptionGroup *group;
#define CB(name, arg, desc, argdesc) \
  { name, 0, (arg) ? 0 : G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, cli_collect, desc, argdesc }
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Read settings from FILE ([agent] group)", "FILE" },
    CB ("source", FALSE, "Serve this machine's picture", NULL),
    CB ("receiver", FALSE, "Show a source's picture", NULL),
    CB ("connect", TRUE, "Show this source from start-up, and keep showing it", "URL"),
    CB ("name", TRUE, "Friendly name (default: host name)", "NAME"),
    CB ("interface", TRUE, "Network interface for multicast and discovery", "IFACE"),
    CB ("rtsp-port", TRUE, "RTSP port (default 7236)", "PORT"),
    CB ("mount", TRUE, "RTSP mount point (default /screen)", "PATH"),
    CB ("group", TRUE, "Multicast group (default: a free one from 239.0.0.11)", "ADDRESS"),
    CB ("rtp-port", TRUE, "RTP port, even; RTCP is +1 (default 15550)", "PORT"),
    CB ("audio-port", TRUE, "The audio stream's RTP port, even (default RTP port + 2)", "PORT"),
    CB ("ttl", TRUE, "Multicast TTL (default 1)", "TTL"),
    CB ("capture", TRUE, "test, screen, portal, x11, v4l2[:DEVICE], file:PATH, or a pipeline "
                         "(default test; screen with --desktop)", "WHAT"),
    CB ("desktop", FALSE, "A desktop agent: share the screen only when the user starts sharing", NULL),
    CB ("preview-width", TRUE, "Width of the source's preview picture, 0 for none (default 320)", "PIXELS"),
    CB ("audio", TRUE, "Sound to send: test, desktop, none, pulse:SOURCE or alsa:DEVICE "
                       "(default test with --capture test, desktop with a screen, else none)",
        "WHAT"),
    CB ("audio-frame", TRUE, "Opus frame length, 20 or 10 ms (default 20; 10 is 10 ms less "
        "delay, for twice the packets)", "MS"),
    CB ("sink", TRUE, "auto, x11, wayland, kms, fake, or an element (default auto)", "SINK"),
    CB ("audio-sink", TRUE, "Where a receiver plays sound: auto, pulse, alsa:DEVICE, fake or "
                            "none (default auto; fake with --sink fake)", "SINK"),
    CB ("display-output", TRUE, "Monitor (X11 output name) or KMS connector id to show on "
        "(default: the primary)", "OUTPUT"),
    CB ("windowed", FALSE, "Show in a window, not full screen", NULL),
    CB ("site-text", TRUE, "A line for the idle screen, such as the room's name", "TEXT"),
    CB ("encoder", TRUE, "auto or an H.264 encoder element", "ELEMENT"),
    CB ("width", TRUE, "Video width (default 1280)", "PIXELS"),
    CB ("height", TRUE, "Video height (default 720)", "PIXELS"),
    CB ("framerate", TRUE, "Frames per second (default 30)", "FPS"),
    CB ("bitrate", TRUE, "Bitrate in kbit/s (default 4000)", "KBPS"),
    CB ("gop", TRUE, "Seconds between periodic key frames (default 2)", "SECONDS"),
    CB ("fec", TRUE, "Forward error correction on the picture: none, low (10 %), high (25 %) "
                     "or a percentage of its packets (default high)", "LEVEL"),
    CB ("latency", TRUE, "Receiver jitter buffer in ms (default 20)", "MS"),
    CB ("control-port", TRUE, "Control (switch) TCP port (default 7237)", "PORT"),
    CB ("beacon-port", TRUE, "Beacon UDP port (default 7237)", "PORT"),
    CB ("beacon-interval", TRUE, "Milliseconds between beacons (default 1000)", "MS"),
    CB ("peers", TRUE, "Beyond a router: addresses, subnets (10.1.2.0/24) or host names that "
                       "beacons also go to by unicast, comma-separated", "LIST"),
    CB ("no-mdns", FALSE, "Do not use Avahi", NULL),
    CB ("no-beacons", FALSE, "Do not send or listen to beacons", NULL),
    CB ("state-dir", TRUE, "Where the agent id is kept", "DIR"),
    CB ("key-file", TRUE, "Site key file (mode 0600)", "FILE"),
    CB ("allow-unauthenticated", FALSE, "Accept switch requests without a site key", NULL),
    CB ("ssm", FALSE, "Join groups for the source's address only (IGMPv3 source-specific "
        "multicast), also outside 232.0.0.0/8, where it is always used", NULL),
    CB ("no-unicast", FALSE, "Source: refuse receivers that cannot get the multicast a "
        "stream of their own (unicast UDP or RTSP over TCP)", NULL),
    CB ("max-unicast", TRUE, "Source: at most this many such copies at once (default 16)",
        "N"),
    CB ("plain-media", FALSE, "With a site key, still send (or also show) plain RTP, which "
        "anyone on the network can watch", NULL),
    CB ("switch-timeout", TRUE, "Switch timeout in ms (default 5000)", "MS"),
    { "bus", 0, 0, G_OPTION_ARG_STRING, &bus, "D-Bus to serve on: session, system or none", "BUS" },
    CB ("bus-address", TRUE, "Serve on the D-Bus at this address", "ADDRESS"),
    CB ("verbose", FALSE, "Log state changes and counters", NULL),
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { "new-site-key", 0, 0, G_OPTION_ARG_FILENAME, &new_site_key,
      "Write a new site key to FILE (mode 0600) and exit", "FILE" },
    { NULL }
  };
#undef CB

  ctx = g_option_context_new ("- share a screen with many displays by multicast");
  group = g_option_group_new ("groupcast", "Groupcast agent", "Agent options", &st, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (ctx, group);
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  if (version)
    {
      c->version = TRUE;
      return TRUE;
    }
  if (new_site_key != NULL)
    {
      c->new_site_key = g_steal_pointer (&new_site_key);
      return TRUE;
    }
  /* the system unit's ConfigurationDirectory= (/etc/groupcast): its
   * agent.conf is read when present, unless --config names another file */
  if (config_path == NULL && g_getenv ("CONFIGURATION_DIRECTORY") != NULL)
    {
      g_autofree gchar *path = g_build_filename (g_getenv ("CONFIGURATION_DIRECTORY"),
                                                 "agent.conf", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        config_path = g_steal_pointer (&path);
    }
  if (config_path != NULL && !gc_config_load_key_file (c, config_path, error))
    return FALSE;
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      const OptDesc *d = find_option (g_ptr_array_index (pairs, i));

      g_assert (d != NULL);
      if (!set_option (c, d, g_ptr_array_index (pairs, i + 1), error))
        return FALSE;
      if (g_str_equal (d->key, "group"))
        c->group_explicit = TRUE;

    }
  /* a desktop agent shares the screen unless told otherwise */
  if (c->desktop && !c->capture_explicit)
    {
      g_free (c->capture);
      c->capture = g_strdup ("screen");
    }
  /* and its user's site key is in the user's config directory (where the
   * panel's banner says to put it), unless one is given */
  if (c->desktop && c->key_file == NULL && c->key_string == NULL)
    {
      g_autofree gchar *path = g_build_filename (g_get_user_config_dir (), "groupcast",
                                                 "site.key", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        c->key_file = g_steal_pointer (&path);
    }
  if (bus != NULL)
    {
      if (g_str_equal (bus, "session"))
        c->bus = GC_BUS_SESSION;
      else if (g_str_equal (bus, "system"))
        c->bus = GC_BUS_SYSTEM;
      else if (g_str_equal (bus, "none"))
        c->bus = GC_BUS_NONE;
      else
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "bus '%s' is not session, system or none", bus);
          return FALSE;
        }
    }
  return TRUE;
}

/* interfaces that carry no LAN of their own: container bridges and their
 * veths, virtual machines' bridges, VPN tunnels */
static const gchar * const virtual_prefixes[] = {
  "docker", "br-", "veth", "virbr", "vnet", "lxc", "lxd", "cni", "flannel", "cali",
  "podman", "tun", "tap", "wg", "tailscale", "zt", "vboxnet", "vmnet", "ppp", NULL
};

gboolean
gc_config_interface_is_virtual (const gchar *name)
{
  g_return_val_if_fail (name != NULL, FALSE);
  for (guint i = 0; virtual_prefixes[i] != NULL; i++)
    if (g_str_has_prefix (name, virtual_prefixes[i]))
      return TRUE;
  return FALSE;
}

static gssize
first_of (const GcIfAddress *addrs, gsize n, const gchar *iface, gboolean skip_virtual)
{
  for (gsize i = 0; i < n; i++)
    {
      if (addrs[i].loopback || (iface != NULL && g_strcmp0 (addrs[i].name, iface) != 0))
        continue;
      if (skip_virtual && gc_config_interface_is_virtual (addrs[i].name))
        continue;
      return (gssize) i;
    }
  return -1;
}

/* pure: the address the agent announces and serves on. with @iface, that
 * interface's first IPv4 address (or none: -1). without, the interface of
 * the default route (@route_iface) unless it is a tunnel or a container
 * bridge, then the first LAN-looking interface, and only then the virtual
 * ones: a docker or VPN address would be announced to peers that cannot
 * reach it. returns an index into @addrs, -1 for none */
gssize
gc_config_pick_address (const GcIfAddress *addrs, gsize n, const gchar *iface,
                        const gchar *route_iface)
{
  gssize i;

  g_return_val_if_fail (addrs != NULL || n == 0, -1);
  if (iface != NULL)
    {
      for (gsize k = 0; k < n; k++)
        if (g_strcmp0 (addrs[k].name, iface) == 0)
          return (gssize) k;
      return -1;
    }
  if (route_iface != NULL && !gc_config_interface_is_virtual (route_iface)
      && (i = first_of (addrs, n, route_iface, FALSE)) >= 0)
    return i;
  if ((i = first_of (addrs, n, NULL, TRUE)) >= 0)
    return i;
  if (route_iface != NULL && (i = first_of (addrs, n, route_iface, FALSE)) >= 0)
    return i;
  return first_of (addrs, n, NULL, FALSE);
}

/* the interface of the IPv4 default route (/proc/net/route), or NULL */
static gchar *
default_route_interface (void)
{
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/net/route", &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  /* "Iface Destination Gateway Flags RefCnt Use Metric Mask ...", hex */
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit_set (lines[i], " \t", -1);
      g_autoptr (GPtrArray) words = g_ptr_array_new ();

      for (guint k = 0; f[k] != NULL; k++)
        if (f[k][0] != '\0')
          g_ptr_array_add (words, f[k]);
      if (words->len >= 8 && g_str_equal (words->pdata[1], "00000000")
          && g_str_equal (words->pdata[7], "00000000"))
        return g_strdup (words->pdata[0]);
    }
  return NULL;
}

/* the IPv4 address the agent announces: see gc_config_pick_address();
 * @chosen_iface (nullable) gets the interface it is on */
gchar *
gc_config_interface_address_full (const gchar *iface, gchar **chosen_iface, GError **error)
{
  struct ifaddrs *list = NULL;
  g_autoptr (GArray) addrs = g_array_new (FALSE, TRUE, sizeof (GcIfAddress));
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *route = NULL;
  gchar *found = NULL;
  gssize i;

  if (getifaddrs (&list) < 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot list interfaces: %s",
                   g_strerror (errno));
      return NULL;
    }
  for (struct ifaddrs *a = list; a != NULL; a = a->ifa_next)
    {
      gchar buf[INET_ADDRSTRLEN];
      GcIfAddress e = { 0 };

      if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET
          || inet_ntop (AF_INET, &((struct sockaddr_in *) a->ifa_addr)->sin_addr, buf,
                        sizeof buf) == NULL)
        continue;
      e.name = g_strdup (a->ifa_name);
      e.address = g_strdup (buf);
      e.loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
      g_ptr_array_add (strings, (gpointer) e.name);
      g_ptr_array_add (strings, (gpointer) e.address);
      g_array_append_val (addrs, e);
    }
  freeifaddrs (list);
  if (iface == NULL)
    route = default_route_interface ();
  i = gc_config_pick_address ((const GcIfAddress *) addrs->data, addrs->len, iface, route);
  if (i >= 0)
    {
      found = g_strdup (g_array_index (addrs, GcIfAddress, i).address);
      if (chosen_iface != NULL)
        *chosen_iface = g_strdup (g_array_index (addrs, GcIfAddress, i).name);
    }
  else if (iface != NULL)
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                 "interface '%s' does not exist or has no IPv4 address", iface);
  else
    {
      found = g_strdup ("127.0.0.1");
      if (chosen_iface != NULL)
        *chosen_iface = g_strdup ("lo");
    }
  return found;
}

gchar *
gc_config_interface_address (const gchar *iface, GError **error)
{
  return gc_config_interface_address_full (iface, NULL, error);
}

static gboolean
check_group (const gchar *group, GError **error)
{
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (group);

  if (a == NULL || g_inet_address_get_family (a) != G_SOCKET_FAMILY_IPV4
      || !g_inet_address_get_is_multicast (a))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "group '%s' is not an IPv4 multicast address (224.0.0.0/4)", group);
      return FALSE;
    }
  if (g_inet_address_get_is_link_local (a) || g_str_has_prefix (group, "224.0.0."))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "group '%s' is link-local (224.0.0.x is reserved)", group);
      return FALSE;
    }
  return TRUE;
}

/* a device name for alsa: or pulse:, put in a pipeline description in
 * quotes: printable, no quote or backslash */
static gboolean
device_name_is_valid (const gchar *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 128)
    return FALSE;
  for (const gchar *p = name; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p) || *p == '"' || *p == '\\')
      return FALSE;
  return TRUE;
}

gboolean
gc_config_audio_is_valid (const gchar *audio)
{
  if (audio == NULL)
    return FALSE;
  if (g_str_equal (audio, "test") || g_str_equal (audio, "desktop") || g_str_equal (audio, "none"))
    return TRUE;
  if (g_str_has_prefix (audio, "pulse:"))
    return device_name_is_valid (audio + 6);
  if (g_str_has_prefix (audio, "alsa:"))
    return device_name_is_valid (audio + 5);
  return FALSE;
}

gboolean
gc_config_audio_sink_is_valid (const gchar *sink)
{
  if (sink == NULL)
    return FALSE;
  if (g_str_equal (sink, "auto") || g_str_equal (sink, "pulse") || g_str_equal (sink, "fake")
      || g_str_equal (sink, "none"))
    return TRUE;
  return g_str_has_prefix (sink, "alsa:") && device_name_is_valid (sink + 5);
}

/* the audio stream's RTP port */
guint16
gc_config_audio_port (const GcConfig *c)
{
  if (c->audio_port != 0)
    return c->audio_port;
  return c->rtp_port <= 65530 ? c->rtp_port + 2 : c->rtp_port - 2;
}

/* none, low, high, or a number of FEC packets per 100 of the picture's */
static gboolean
parse_fec (const gchar *fec, guint *percentage)
{
  g_autofree gchar *number = NULL;
  guint64 n;

  if (fec == NULL || g_ascii_strcasecmp (fec, "none") == 0)
    *percentage = 0;
  else if (g_ascii_strcasecmp (fec, "low") == 0)
    *percentage = 10;
  else if (g_ascii_strcasecmp (fec, "high") == 0)
    *percentage = 25;
  else
    {
      /* "20" or "20%" */
      number = g_str_has_suffix (fec, "%") ? g_strndup (fec, strlen (fec) - 1) : g_strdup (fec);
      if (!g_ascii_string_to_unsigned (number, 10, 1, 100, &n, NULL))
        return FALSE;
      *percentage = (guint) n;
    }
  return TRUE;
}

gboolean
gc_config_validate (GcConfig *c, GError **error)
{
  if (!c->source && !c->receiver)
    {
      if (c->connect_url != NULL)
        c->receiver = TRUE;
      else
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "no role: give --source, --receiver or both");
          return FALSE;
        }
    }
  if (c->connect_url != NULL && !c->receiver)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "--connect needs the receiver role");
      return FALSE;
    }
  if (c->connect_url != NULL && !g_str_has_prefix (c->connect_url, "rtsp://"))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "connect URL '%s' is not an rtsp:// URL", c->connect_url);
      return FALSE;
    }
  if (c->name == NULL || *c->name == '\0' || strlen (c->name) > 63
      || !g_utf8_validate (c->name, -1, NULL))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "name must be 1 to 63 bytes of UTF-8");
      return FALSE;
    }
  if (c->group != NULL && !check_group (c->group, error))
    return FALSE;
  if (c->peers != NULL)
    {
      g_autoptr (GcFarPeers) far = gc_far_peers_new (c->peers, error);

      if (far == NULL)
        return FALSE;
    }
  if (c->rtp_port % 2 != 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "rtp-port '%u' is odd: RTP takes an even port, RTCP the next",
                   c->rtp_port);
      return FALSE;
    }
  if (c->audio_port != 0 && (c->audio_port % 2 != 0 || c->audio_port == c->rtp_port
                             || c->audio_port == c->rtp_port + 1 || c->audio_port + 1 == c->rtp_port))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "audio-port '%u' must be even and apart from the video's %u-%u",
                   c->audio_port, c->rtp_port, c->rtp_port + 1);
      return FALSE;
    }
  if (!parse_fec (c->fec, &c->fec_percentage))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "fec '%s' is not none, low, high or a percentage from 1 to 100", c->fec);
      return FALSE;
    }
  if (c->audio_frame_ms != 10 && c->audio_frame_ms != 20)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "audio-frame '%u' is not 10 or 20 (milliseconds)", c->audio_frame_ms);
      return FALSE;
    }
  if (c->audio != NULL && !gc_config_audio_is_valid (c->audio))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "audio '%s' is not test, desktop, none, pulse:SOURCE or alsa:DEVICE",
                   c->audio);
      return FALSE;
    }
  if (c->audio_sink != NULL && !gc_config_audio_sink_is_valid (c->audio_sink))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "audio-sink '%s' is not auto, pulse, alsa:DEVICE, fake or none",
                   c->audio_sink);
      return FALSE;
    }
  if (c->mount == NULL || c->mount[0] != '/')
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "mount '%s' must start with '/'", c->mount ? c->mount : "");
      return FALSE;
    }
  if (c->width % 2 != 0 || c->height % 2 != 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "size %ux%u must be even in both directions", c->width, c->height);
      return FALSE;
    }
  if (c->source && c->receiver && c->rtsp_port == c->control_port)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "rtsp-port and control-port are both %u", c->rtsp_port);
      return FALSE;
    }
  if (c->interface != NULL)
    {
      if (if_nametoindex (c->interface) == 0)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "interface '%s' does not exist", c->interface);
          return FALSE;
        }
    }
  g_free (c->bind_address);
  g_clear_pointer (&c->address_interface, g_free);
  c->bind_address = gc_config_interface_address_full (c->interface, &c->address_interface,
                                                      error);
  if (c->bind_address == NULL)
    return FALSE;
  if (c->state_dir == NULL)
    c->state_dir = g_build_filename (g_get_user_state_dir (), "groupcast", NULL);
  return TRUE;
}
