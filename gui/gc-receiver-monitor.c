/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiverMonitor"

#include "config.h"

#include "gc-receiver-monitor.h"

#include "gc-util.h"

/* a minute of this agent's receiver bitrate. the agent's model ticks and
 * its D-Bus export sends the counters (at most twice a second); each
 * PropertiesChanged that carries them is one sample here, so the panel has
 * no clock of its own */
struct _GcReceiverMonitor
{
  GObject parent_instance;

  GcDBusReceiver1 *receiver;
  GcHistory *bitrate_history; /* Mbit/s */
};

G_DEFINE_FINAL_TYPE (GcReceiverMonitor, gc_receiver_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RECEIVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* the counters the export sets on its tick, in D-Bus names */
static const gchar * const counters[] = {
  "Bitrate", "PacketsReceived", "PacketsLost", "FramesDecoded", "FramesDamaged", "PacketsRecovered", "JitterMs", NULL
};

static void
on_properties_changed (GDBusProxy         *proxy,
                       GVariant           *changed,
                       const gchar *const *invalidated,
                       GcReceiverMonitor  *self)
{
  /* the proxy's cache already holds the new values */
  if (gc_util_changed_any (changed, counters))
    gc_history_push (self->bitrate_history,
                     gc_dbus_receiver1_get_bitrate (self->receiver) / 1e6);
}

GcReceiverMonitor *
gc_receiver_monitor_new (void)
{
  return g_object_new (GC_TYPE_RECEIVER_MONITOR, NULL);
}

GcDBusReceiver1 *
gc_receiver_monitor_get_receiver (GcReceiverMonitor *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_MONITOR (self), NULL);

  return self->receiver;
}

/* receiver is a proxy, or NULL (no receiver role, or no agent); the
 * history starts afresh */
void
gc_receiver_monitor_set_receiver (GcReceiverMonitor *self,
                                  GcDBusReceiver1   *receiver)
{
  g_return_if_fail (GC_IS_RECEIVER_MONITOR (self));
  g_return_if_fail (receiver == NULL
                    || (GC_DBUS_IS_RECEIVER1 (receiver) && G_IS_DBUS_PROXY (receiver)));

  if (self->receiver == receiver)
    return;
  if (self->receiver != NULL)
    g_signal_handlers_disconnect_by_data (self->receiver, self);
  g_set_object (&self->receiver, receiver);
  gc_history_clear (self->bitrate_history);
  if (receiver != NULL)
    g_signal_connect (receiver, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVER]);
}

GcHistory *
gc_receiver_monitor_get_bitrate_history (GcReceiverMonitor *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_MONITOR (self), NULL);

  return self->bitrate_history;
}

static void
gc_receiver_monitor_dispose (GObject *object)
{
  GcReceiverMonitor *self = GC_RECEIVER_MONITOR (object);

  if (self->receiver != NULL)
    g_signal_handlers_disconnect_by_data (self->receiver, self);
  g_clear_object (&self->receiver);
  G_OBJECT_CLASS (gc_receiver_monitor_parent_class)->dispose (object);
}

static void
gc_receiver_monitor_finalize (GObject *object)
{
  GcReceiverMonitor *self = GC_RECEIVER_MONITOR (object);

  g_clear_object (&self->bitrate_history);
  G_OBJECT_CLASS (gc_receiver_monitor_parent_class)->finalize (object);
}

static void
gc_receiver_monitor_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  GcReceiverMonitor *self = GC_RECEIVER_MONITOR (object);

  switch (prop_id)
    {
    case PROP_RECEIVER:
      g_value_set_object (value, self->receiver);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_receiver_monitor_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  GcReceiverMonitor *self = GC_RECEIVER_MONITOR (object);

  switch (prop_id)
    {
    case PROP_RECEIVER:
      gc_receiver_monitor_set_receiver (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_receiver_monitor_class_init (GcReceiverMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_receiver_monitor_dispose;
  object_class->finalize = gc_receiver_monitor_finalize;
  object_class->get_property = gc_receiver_monitor_get_property;
  object_class->set_property = gc_receiver_monitor_set_property;

  properties[PROP_RECEIVER] =
    g_param_spec_object ("receiver", NULL, NULL, GC_DBUS_TYPE_RECEIVER1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_receiver_monitor_init (GcReceiverMonitor *self)
{
  self->bitrate_history = gc_history_new ();
}
