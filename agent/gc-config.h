/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  GC_BUS_SESSION,
  GC_BUS_SYSTEM,
  GC_BUS_NONE,
} GcBusType;

/* everything the agent is told at start; filled from defaults, then the
 * config file (--config), then the command line, then validated */
typedef struct
{
  gboolean source;
  gboolean receiver;
  gchar *connect_url;
  gchar *name;
  gchar *interface;
  gchar *bind_address;      /* the interface's IPv4 address, found at validation */
  gchar *address_interface; /* the interface bind_address is on (--interface or chosen) */
  guint16 rtsp_port;
  gchar *mount;
  gchar *group;             /* NULL: pick a free one, starting at 239.0.0.11 */
  gboolean group_explicit;
  guint16 rtp_port;
  guint16 audio_port;       /* the audio stream's RTP port; 0: rtp_port + 2 */
  guint audio_frame_ms;     /* Opus frame: 10 (less delay) or 20 ms (half the packets) */
  guint8 ttl;
  gchar *capture;
  gboolean capture_explicit;  /* set by the config file or the command line */
  gboolean desktop;         /* serve only when the user shares (Source1.Start*) */
  guint preview_width;      /* Source1.Preview width in pixels; 0: no preview */
  gchar *audio;             /* test, desktop, none, pulse:NAME, alsa:DEVICE; NULL: from capture */
  gchar *sink;
  gchar *audio_sink;        /* auto, alsa:DEVICE, pulse, fake, none; NULL: fake with sink fake */
  gchar *display_output;    /* monitor or connector; NULL: the primary */
  gboolean windowed;
  gchar *site_text;         /* a line for the idle screen; NULL: none */
  gchar *encoder;           /* "auto" or an element name */
  guint width;
  guint height;
  guint framerate;
  guint bitrate_kbps;
  guint gop_seconds;
  gchar *fec;               /* none, low, high or a percentage */
  guint fec_percentage;     /* from fec at validation: FEC packets per 100 of the picture's */
  guint latency_ms;
  guint16 control_port;
  guint16 beacon_port;
  guint beacon_interval_ms;
  gboolean mdns;
  gboolean beacons;
  gchar *peers;             /* beyond a router: addresses, subnets, names beacons go to by unicast */
  gchar *state_dir;
  gchar *key_file;
  gchar *key_string;        /* from the config file; never logged */
  gboolean allow_unauthenticated;
  gboolean ssm;             /* receiver: (S,G) joins for 239/8 too */
  gboolean unicast;         /* source: a stream of its own to a receiver multicast misses */
  guint max_unicast;        /* source: at most this many such streams at once */
  gboolean plain_media;     /* a source sends plain RTP, a receiver takes it, key or not */
  guint switch_timeout_ms;
  GcBusType bus;
  gchar *bus_address;
  gboolean verbose;
  gboolean version;          /* --version: print it and exit */
  gchar *new_site_key;       /* --new-site-key FILE: write a fresh key and exit */
} GcConfig;

GcConfig *gc_config_new_default    (void);
void      gc_config_free           (GcConfig *config);
gboolean  gc_config_parse_args     (GcConfig *config,
                                    gint *argc,
                                    gchar ***argv,
                                    GError **error);
gboolean  gc_config_load_key_file  (GcConfig *config,
                                    const gchar *path,
                                    GError **error);
gboolean  gc_config_validate       (GcConfig *config,
                                    GError **error);
gchar    *gc_config_interface_address (const gchar *iface,
                                       GError **error);
gchar    *gc_config_interface_address_full (const gchar *iface,
                                            gchar **chosen_iface,
                                            GError **error);

/* one IPv4 address of one interface, for gc_config_pick_address() */
typedef struct
{
  const gchar *name;
  const gchar *address;
  gboolean loopback;
} GcIfAddress;

gssize    gc_config_pick_address   (const GcIfAddress *addrs,
                                    gsize n,
                                    const gchar *iface,
                                    const gchar *route_iface);
gboolean  gc_config_interface_is_virtual (const gchar *name);
gboolean  gc_config_audio_is_valid       (const gchar *audio);
gboolean  gc_config_audio_sink_is_valid  (const gchar *sink);
guint16   gc_config_audio_port           (const GcConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcConfig, gc_config_free)

G_END_DECLS
