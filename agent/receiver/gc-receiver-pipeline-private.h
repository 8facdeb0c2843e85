/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what one receive pipeline holds, for its two halves: gc-receiver-pipeline.c
 * builds it and watches it, gc-receiver-pipeline-readings.c reads it out.
 */
#pragma once

#include "gc-receiver-pipeline.h"
#include "gc-frame-damage.h"
#include "gc-receiver-audio.h"
#include "gc-receiver-fec.h"
#include "gc-receiver-srtp.h"

#include <gst/gst.h>

G_BEGIN_DECLS

struct _GcReceiverPipeline
{
  GObject parent_instance;

  gchar *url;
  GstElement *pipeline;
  GcReceiverStats *stats;
  GcDisplay *display;
  guint stream;             /* this pipeline's frames, to the display */
  gboolean keyed;           /* streaming thread: a key frame reached the decoder */
  gboolean asked_key_frame; /* the source was asked for one once joined */
  gboolean silence_watched; /* the silence timer was started once */
  guint bus_watch;
  GcTransport transport;
  guint silent_id;          /* PLAY answered: nothing on UDP this long is ::silent */
  gboolean stopped;         /* atomic: no signal is emitted once stopping began */

  gchar *group;             /* known once the transport was checked */
  guint16 rtp_port;
  gchar *expected;          /* "address:port" SETUP must give, or NULL */
  gint refused;             /* atomic: a UDP element is on another group, or the SDP refused */
  gchar *interface;
  gboolean ssm;             /* (S,G) joins outside 232/8 too */
  gint source_specific;     /* atomic: the sockets joined (S,G) */
  gint ttl;                 /* atomic: the TTL the SDP gives the picture's group, or 0 */
  GcFrameDamage *damage;    /* which frames miss data (fed by on_rtp) */
  GMutex sockets_lock;
  GArray *inodes;           /* guint64: the UDP sockets', for the kernel's drops; under lock */
  GcReceiverSrtp *srtp;     /* the media key, from the SDP */
  GcReceiverFec *fec;       /* lost picture packets rebuilt, when the SDP names FEC */
  GcReceiverAudio *audio;   /* the sound's chain (linked once its pad comes), or NULL */
  gint audio_session;       /* atomic: the sound's stream (rtpbin session), or -1 */
  gint audio_port;          /* atomic: the sound's RTP port SETUP gave, or 0 */
  gint64 audio_ssrc;        /* atomic: its sender's SSRC, or -1 */
  gboolean sound_told;      /* its start was logged */

  /* written by streaming threads, read with atomics */
  gint64 last_packet;
  gint64 any_udp;           /* first packet on any of its sockets: RTP, RTCP, sound */
  GcReceiverTiming timing;
};

#define STORE(field, v) __atomic_store_n (&(field), (v), __ATOMIC_RELAXED)
#define LOAD(field) __atomic_load_n (&(field), __ATOMIC_RELAXED)

G_END_DECLS
