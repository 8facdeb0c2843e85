/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what the receiver says: the idle, connecting and no-signal screens that
 * follow its state, and its readings for D-Bus.
 */
#define G_LOG_DOMAIN "GcReceiver"

#include "config.h"

#include "gc-receiver-private.h"
#include "gc-receiver-checks.h"

#include <glib/gi18n.h>

/* no signal this long: the idle screen, with the reason */
#define NO_SIGNAL_IDLE_S 10

/* the source as people know it: its name, or its host */
static gchar *
source_label (GcReceiver *self)
{
  g_autofree gchar *where = NULL;

  if (self->source_name != NULL && *self->source_name != '\0')
    return g_strdup (self->source_name);
  where = gc_receiver_url_where (self->url);
  return g_steal_pointer (&where);
}

static gboolean
no_signal_for_long (gpointer data)
{
  GcReceiver *self = data;
  g_autofree gchar *who = source_label (self);
  g_autoptr (GDateTime) since = g_date_time_new_now_local ();
  g_autoptr (GDateTime) then = g_date_time_add_seconds (since, -NO_SIGNAL_IDLE_S);
  g_autofree gchar *hm = g_date_time_format (then, "%H:%M");
  /* TRANSLATORS: the idle screen after a source went silent; %s: its name, %s: a time */
  g_autofree gchar *text = g_strdup_printf (_("No signal from %s since %s"), who, hm);

  self->idle_id = 0;
  gc_display_set_screen (self->display, GC_DISPLAY_SCREEN_IDLE, text);
  return G_SOURCE_REMOVE;
}

/* the idle and no-signal screens follow the state; a picture is shown as
 * soon as its first frame is */
void
gc_receiver_update_screen (GcReceiver *self)
{
  g_autofree gchar *who = source_label (self);
  g_autofree gchar *text = NULL;

  if (self->state != GC_RECEIVER_STATE_NO_SIGNAL)
    g_clear_handle_id (&self->idle_id, g_source_remove);
  switch (self->state)
    {
    case GC_RECEIVER_STATE_IDLE:
      gc_display_set_screen (self->display, GC_DISPLAY_SCREEN_IDLE, _("Waiting for a source"));
      break;
    case GC_RECEIVER_STATE_CONNECTING:
      /* a switch keeps the old picture until the new one's first frame */
      if (self->showing != NULL)
        break;
      /* TRANSLATORS: %s is the source's name */
      text = g_strdup_printf (_("Connecting to %s…"), who);
      gc_display_set_screen (self->display, GC_DISPLAY_SCREEN_IDLE, text);
      break;
    case GC_RECEIVER_STATE_NO_SIGNAL:
      /* TRANSLATORS: over the last frame, dimmed; %s is the source's name */
      text = g_strdup_printf (_("No signal from %s — reconnecting"), who);
      gc_display_set_screen (self->display, GC_DISPLAY_SCREEN_NO_SIGNAL, text);
      if (self->idle_id == 0)
        self->idle_id = g_timeout_add_seconds (NO_SIGNAL_IDLE_S, no_signal_for_long, self);
      break;
    case GC_RECEIVER_STATE_ERROR:
      gc_display_set_screen (self->display, GC_DISPLAY_SCREEN_IDLE, self->error);
      break;
    case GC_RECEIVER_STATE_PLAYING:
    default:
      break;
    }
}

/* ---- readings ------------------------------------------------------------ */

GcReceiverState
gc_receiver_get_state (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), GC_RECEIVER_STATE_IDLE);
  return self->state;
}

const gchar *
gc_receiver_get_error (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), "");
  return self->error;
}

const gchar *
gc_receiver_get_source_url (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), "");
  return self->url != NULL ? self->url : "";
}

const gchar *
gc_receiver_get_source_name (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), "");
  return self->source_name != NULL ? self->source_name : "";
}

const gchar *
gc_receiver_get_group (GcReceiver *self)
{
  const gchar *group;

  g_return_val_if_fail (GC_IS_RECEIVER (self), "");
  group = self->pipeline != NULL ? gc_receiver_pipeline_get_group (self->pipeline) : NULL;
  return group != NULL ? group : "";
}

guint16
gc_receiver_get_rtp_port (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), 0);
  return self->pipeline != NULL ? gc_receiver_pipeline_get_rtp_port (self->pipeline) : 0;
}

void
gc_receiver_get_counters (GcReceiver *self, GcReceiverCounters *out)
{
  g_return_if_fail (GC_IS_RECEIVER (self));
  gc_receiver_stats_get (self->stats, out);
}

/* the groups the kernel has this host's interface in, as of the last
 * counters tick */
const gchar * const *
gc_receiver_get_kernel_groups (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), NULL);
  return (const gchar * const *) self->kernel_groups;
}

/* it joined the group for its source's address only (IGMPv3 SSM) */
gboolean
gc_receiver_get_source_specific (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), FALSE);
  return self->pipeline != NULL && gc_receiver_pipeline_get_source_specific (self->pipeline);
}

/* how what it shows reaches it: the stream on screen, or (while nothing
 * is) the one on its way */
GcTransport
gc_receiver_get_transport (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), GC_TRANSPORT_MULTICAST);
  if (self->showing != NULL)
    return gc_receiver_pipeline_get_transport (self->showing);
  return self->transport;
}

/* what it shows is SRTP */
gboolean
gc_receiver_get_encrypted (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), FALSE);
  return self->pipeline != NULL && gc_receiver_pipeline_get_encrypted (self->pipeline);
}

GcDisplay *
gc_receiver_get_display (GcReceiver *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER (self), NULL);
  return self->display;
}
