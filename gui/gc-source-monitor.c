/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSourceMonitor"

#include "config.h"

#include "gc-source-monitor.h"

#include "gc-util.h"

/* what the panel keeps about the source role beyond the proxy's own
 * properties: its members as a list, and a minute of bitrate and packet
 * rate. the agent's model ticks and its D-Bus export sends the counters
 * (at most twice a second); each PropertiesChanged that carries them is
 * one sample here, so the panel has no clock of its own */
struct _GcSourceMonitor
{
  GObject parent_instance;

  GcDBusSource1 *source;
  GcMemberList *members;
  GcHistory *bitrate_history;     /* Mbit/s */
  GcHistory *packet_rate_history; /* RTP packets a second */
};

G_DEFINE_FINAL_TYPE (GcSourceMonitor, gc_source_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* the counters the export sets on its tick, in D-Bus names */
static const gchar * const counters[] = {
  "Bitrate", "PacketRate", "PacketsSent", "BytesSent", NULL
};
static const gchar * const members[] = { "Members", NULL };

static void
on_properties_changed (GDBusProxy         *proxy,
                       GVariant           *changed,
                       const gchar *const *invalidated,
                       GcSourceMonitor    *self)
{
  gint64 now = g_get_monotonic_time ();

  /* the proxy's cache already holds the new values */
  if (gc_util_changed_any (changed, counters))
    {
      gc_history_push_at (self->bitrate_history, now,
                          gc_dbus_source1_get_bitrate (self->source) / 1e6);
      gc_history_push_at (self->packet_rate_history, now,
                          gc_dbus_source1_get_packet_rate (self->source));
    }
  if (gc_util_changed_any (changed, members))
    {
      gc_member_list_set_members (self->members, gc_dbus_source1_get_members (self->source));
      gc_member_list_sample (self->members);
    }
}

GcSourceMonitor *
gc_source_monitor_new (void)
{
  return g_object_new (GC_TYPE_SOURCE_MONITOR, NULL);
}

GcDBusSource1 *
gc_source_monitor_get_source (GcSourceMonitor *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_MONITOR (self), NULL);

  return self->source;
}

/* source is a proxy, or NULL (no source role, or no agent): the histories
 * start afresh and the members are the new source's */
void
gc_source_monitor_set_source (GcSourceMonitor *self,
                              GcDBusSource1   *source)
{
  g_return_if_fail (GC_IS_SOURCE_MONITOR (self));
  g_return_if_fail (source == NULL || (GC_DBUS_IS_SOURCE1 (source) && G_IS_DBUS_PROXY (source)));

  if (self->source == source)
    return;
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_set_object (&self->source, source);
  gc_history_clear (self->bitrate_history);
  gc_history_clear (self->packet_rate_history);
  gc_member_list_set_members (self->members,
                              source != NULL ? gc_dbus_source1_get_members (source) : NULL);
  if (source != NULL)
    g_signal_connect (source, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

GcMemberList *
gc_source_monitor_get_members (GcSourceMonitor *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_MONITOR (self), NULL);

  return self->members;
}

GcHistory *
gc_source_monitor_get_bitrate_history (GcSourceMonitor *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_MONITOR (self), NULL);

  return self->bitrate_history;
}

GcHistory *
gc_source_monitor_get_packet_rate_history (GcSourceMonitor *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_MONITOR (self), NULL);

  return self->packet_rate_history;
}

static void
gc_source_monitor_dispose (GObject *object)
{
  GcSourceMonitor *self = GC_SOURCE_MONITOR (object);

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (gc_source_monitor_parent_class)->dispose (object);
}

static void
gc_source_monitor_finalize (GObject *object)
{
  GcSourceMonitor *self = GC_SOURCE_MONITOR (object);

  g_clear_object (&self->members);
  g_clear_object (&self->bitrate_history);
  g_clear_object (&self->packet_rate_history);
  G_OBJECT_CLASS (gc_source_monitor_parent_class)->finalize (object);
}

static void
gc_source_monitor_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GcSourceMonitor *self = GC_SOURCE_MONITOR (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_source_monitor_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GcSourceMonitor *self = GC_SOURCE_MONITOR (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      gc_source_monitor_set_source (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_source_monitor_class_init (GcSourceMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_source_monitor_dispose;
  object_class->finalize = gc_source_monitor_finalize;
  object_class->get_property = gc_source_monitor_get_property;
  object_class->set_property = gc_source_monitor_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, GC_DBUS_TYPE_SOURCE1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_source_monitor_init (GcSourceMonitor *self)
{
  self->members = gc_member_list_new ();
  self->bitrate_history = gc_history_new ();
  self->packet_rate_history = gc_history_new ();
}
