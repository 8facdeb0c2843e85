/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what the receiver holds, for its two halves: gc-receiver.c decides (the
 * state machine, the switch, the fallback), gc-receiver-screen.c says it
 * (the screens' words, the readings).
 */
#pragma once

#include "gc-receiver.h"
#include "gc-receiver-pipeline.h"

G_BEGIN_DECLS

struct _GcReceiver
{
  GObject parent_instance;

  gchar *interface;
  guint latency_ms;
  GBytes *site_key;         /* streams are SRTP keyed from it; NULL: plain only */
  gboolean plain_too;       /* with a key, plain streams are shown too */
  gboolean ssm;             /* (S,G) joins for 239/8 too (232/8 always) */
  GcDisplay *display;

  GcReceiverState state;
  gchar *error;
  gchar *url;               /* what we were asked to show; NULL when idle */
  gchar *source_name;
  gchar *expected;          /* "group:port" SETUP must give (signed), or NULL */

  GcReceiverPipeline *pipeline;   /* the stream asked for (on screen, or on its way) */
  GcReceiverStats *stats;
  /* during a switch: what stays on screen until the new stream's first
   * frame, and what to go back to if the new one fails */
  GcReceiverPipeline *showing;
  GcReceiverStats *showing_stats;
  gchar *showing_url;
  gchar *showing_name;
  gchar *showing_expected;
  gchar **kernel_groups;
  gint64 connect_time;      /* monotonic µs of the connect request */
  gint64 pipeline_time;     /* monotonic µs the current pipeline started */
  gboolean ever_played;     /* this URL played at least once */
  GcTransport transport;    /* what this URL is set up with: the group, or a fallback */
  gchar *fallback_why;      /* why the group was given up, or NULL */

  guint tick_id;
  guint ticks;
  guint retry_id;
  guint retry_ms;
  guint idle_id;            /* no signal for long: the idle screen */
  gboolean tearing_down;
  gint64 trim_due;          /* monotonic µs: give freed memory back then; 0 none */
  gboolean pending_start;
  gboolean shutting_down;

  GList *waiters;           /* GTask */
};

void gc_receiver_update_screen (GcReceiver *self);

G_END_DECLS
