/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcReceiverView"

#include "config.h"

#include "gc-receiver-view.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "gc-peer-item.h"
#include "gc-receiver-monitor.h"
#include "gc-sparkline.h"
#include "gc-state.h"
#include "gc-util.h"

/* this agent's own receiver role: what it shows, how well, and a way to
 * point it at any source the agent has found */
struct _GcReceiverView
{
  GtkWidget parent_instance;

  GcDBusReceiver1 *receiver;
  GcReceiverMonitor *monitor; /* the bitrate plot's samples */
  GCancellable *cancellable;

  GtkStack *stack;
  GtkLabel *state_label;
  AdwActionRow *error_row;
  GtkLabel *source_label;
  GtkLabel *group_label;
  GtkLabel *encryption_label;
  GtkLabel *rejected_label;
  GtkLabel *kernel_drops_label;
  GtkLabel *received_label;
  GtkLabel *lost_label;
  GtkLabel *jitter_label;
  GcSparkline *bitrate_plot;
  GtkLabel *bitrate_label;
  GtkLabel *frames_label;
  GtkLabel *damaged_label;
  GtkLabel *recovered_label;
  GtkLabel *first_frame_label;
  GtkLabel *latency_label;
  GtkScale *volume_scale;
  GtkToggleButton *mute_button;
  GtkLabel *level_label;
  GtkLabel *sync_label;
  GtkLabel *audio_packets_label;
  AdwComboRow *sources_row;
  gboolean showing_volume;    /* the controls are being set from the agent */
};

G_DEFINE_FINAL_TYPE (GcReceiverView, gc_receiver_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_RECEIVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Receiver1.State in words; a word a newer agent may have, as it is */
static const gchar *
state_in_words (const gchar *word)
{
  GcReceiverState state;

  if (!gc_receiver_state_from_string (word, &state))
    return word != NULL ? word : "";
  switch (state)
    {
    case GC_RECEIVER_STATE_IDLE:
      return _("Idle");
    case GC_RECEIVER_STATE_CONNECTING:
      return _("Connecting");
    case GC_RECEIVER_STATE_PLAYING:
      return _("Playing");
    case GC_RECEIVER_STATE_NO_SIGNAL:
      /* TRANSLATORS: the receiver joined the group but no packets arrive */
      return _("No signal");
    case GC_RECEIVER_STATE_ERROR:
      return _("Error");
    default:
      g_assert_not_reached ();
    }
}

static gchar *
format_ms (gdouble ms)
{
  /* the agent says -1 for "not known yet" */
  if (ms < 0)
    return g_strdup (_("Unknown"));
  return g_strdup_printf (_("%.0f ms"), ms);
}

static void
set_number (GtkLabel *label,
            guint64   value)
{
  g_autofree gchar *s = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  gtk_label_set_label (label, s);
}

static void update_sound (GcReceiverView *self);

static void
update (GcReceiverView *self)
{
  GcDBusReceiver1 *r = self->receiver;
  const gchar *error;
  const gchar *name;
  const gchar *url;
  g_autofree gchar *source = NULL;
  g_autofree gchar *group = NULL;
  g_autofree gchar *jitter = NULL;
  g_autofree gchar *bitrate = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *latency = NULL;

  if (r == NULL)
    return;

  gtk_label_set_label (self->state_label, state_in_words (gc_dbus_receiver1_get_state (r)));
  error = gc_dbus_receiver1_get_error (r);
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), error != NULL && *error != '\0');
  adw_action_row_set_subtitle (self->error_row, error != NULL ? error : "");

  name = gc_dbus_receiver1_get_source_name (r);
  url = gc_dbus_receiver1_get_source_url (r);
  if (url == NULL || *url == '\0')
    source = g_strdup (_("None"));
  else if (name != NULL && *name != '\0')
    source = g_strdup_printf ("%s (%s)", name, url);
  else
    source = g_strdup (url);
  gtk_label_set_label (self->source_label, source);

  if (g_strcmp0 (gc_dbus_receiver1_get_transport (r), "unicast") == 0 && url != NULL && *url != '\0')
    /* TRANSLATORS: the receiver's group row when the group does not reach it */
    group = g_strdup (_("None: unicast, a copy of its own (the group does not arrive here)"));
  else if (g_strcmp0 (gc_dbus_receiver1_get_transport (r), "tcp") == 0 && url != NULL && *url != '\0')
    /* TRANSLATORS: the receiver's group row when neither the group nor UDP reach it */
    group = g_strdup (_("None: TCP, a copy of its own in the RTSP connection (no UDP arrives here)"));
  else if (gc_dbus_receiver1_get_group (r) == NULL || *gc_dbus_receiver1_get_group (r) == '\0')
    group = g_strdup (_("None"));
  else
    group = g_strdup_printf ("%s:%u", gc_dbus_receiver1_get_group (r),
                             gc_dbus_receiver1_get_rtp_port (r));
  gtk_label_set_label (self->group_label, group);
  if (url == NULL || *url == '\0')
    gtk_label_set_label (self->encryption_label, "—");
  else
    gtk_label_set_label (self->encryption_label,
                         gc_dbus_receiver1_get_encrypted (r)
                         ? _("Encrypted with the site key")
                         : _("Not encrypted"));
  set_number (self->rejected_label, gc_dbus_receiver1_get_packets_rejected (r));
  set_number (self->kernel_drops_label, gc_dbus_receiver1_get_packets_dropped_by_kernel (r));

  set_number (self->received_label, gc_dbus_receiver1_get_packets_received (r));
  set_number (self->lost_label, gc_dbus_receiver1_get_packets_lost (r));
  set_number (self->frames_label, gc_dbus_receiver1_get_frames_decoded (r));
  set_number (self->damaged_label, gc_dbus_receiver1_get_frames_damaged (r));
  set_number (self->recovered_label, gc_dbus_receiver1_get_packets_recovered (r));
  jitter = g_strdup_printf (_("%.1f ms"), gc_dbus_receiver1_get_jitter_ms (r));
  gtk_label_set_label (self->jitter_label, jitter);
  bitrate = gc_util_format_bitrate (gc_dbus_receiver1_get_bitrate (r));
  gtk_label_set_label (self->bitrate_label, bitrate);
  first = format_ms (gc_dbus_receiver1_get_first_frame_ms (r));
  gtk_label_set_label (self->first_frame_label, first);
  latency = format_ms (gc_dbus_receiver1_get_latency_ms (r));
  gtk_label_set_label (self->latency_label, latency);
  update_sound (self);
}

/* the sound's controls and readings */
static void
update_sound (GcReceiverView *self)
{
  GcDBusReceiver1 *r = self->receiver;
  gboolean muted = gc_dbus_receiver1_get_muted (r);
  gboolean plays = g_strcmp0 (gc_dbus_receiver1_get_audio_sink (r), "none") != 0;
  gdouble level = gc_dbus_receiver1_get_audio_level_db (r);
  gdouble sync = gc_dbus_receiver1_get_av_sync_ms (r);
  g_autofree gchar *level_text = NULL;
  g_autofree gchar *sync_text = NULL;
  g_autofree gchar *packets = NULL;
  g_autofree gchar *received = NULL;
  g_autofree gchar *lost = NULL;

  self->showing_volume = TRUE;
  if (ABS (gtk_range_get_value (GTK_RANGE (self->volume_scale))
           - gc_dbus_receiver1_get_volume (r)) > 0.001)
    gtk_range_set_value (GTK_RANGE (self->volume_scale), gc_dbus_receiver1_get_volume (r));
  gtk_toggle_button_set_active (self->mute_button, muted);
  self->showing_volume = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->volume_scale), plays && !muted);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mute_button), plays);
  gtk_button_set_icon_name (GTK_BUTTON (self->mute_button),
                            muted ? "audio-volume-muted-symbolic" : "audio-volume-high-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mute_button), muted ? _("Unmute") : _("Mute"));
  if (!plays)
    /* TRANSLATORS: the receiver was started to play no sound */
    level_text = g_strdup (_("No sound output"));
  else if (level <= -100)
    level_text = g_strdup (_("Silent"));
  else
    /* TRANSLATORS: a sound level, e.g. "-17 dB" */
    level_text = g_strdup_printf (_("%.0f dB"), level);
  gtk_label_set_label (self->level_label, level_text);
  if (gc_dbus_receiver1_get_audio_latency_ms (r) < 0 || gc_dbus_receiver1_get_latency_ms (r) < 0)
    sync_text = g_strdup ("—");
  else if (ABS (sync) < 0.5)
    sync_text = g_strdup (_("In step with the picture"));
  else if (sync > 0)
    /* TRANSLATORS: %.0f is milliseconds */
    sync_text = g_strdup_printf (_("Sound %.0f ms after the picture"), sync);
  else
    /* TRANSLATORS: %.0f is milliseconds */
    sync_text = g_strdup_printf (_("Sound %.0f ms before the picture"), -sync);
  gtk_label_set_label (self->sync_label, sync_text);
  received = g_strdup_printf ("%" G_GUINT64_FORMAT, gc_dbus_receiver1_get_audio_packets_received (r));
  lost = g_strdup_printf ("%" G_GUINT64_FORMAT, gc_dbus_receiver1_get_audio_packets_lost (r));
  /* TRANSLATORS: sound packets, e.g. "1200 received, 3 lost" */
  packets = g_strdup_printf (_("%s received, %s lost"), received, lost);
  gtk_label_set_label (self->audio_packets_label, packets);
}

static void show_refusal (GcReceiverView *self, GError *error);

static void
on_sound_set (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GcReceiverView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ret = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);

  if (ret == NULL)
    {
      show_refusal (self, error);
      if (self->receiver != NULL)
        update_sound (self);
    }
}

/* a Set of Volume or Muted: the agent checks it and says so in
 * PropertiesChanged */
static void
set_sound (GcReceiverView *self,
           const gchar    *property,
           GVariant       *value)
{
  if (self->receiver == NULL || self->showing_volume)
    {
      g_variant_unref (g_variant_ref_sink (value));
      return;
    }
  g_dbus_proxy_call (G_DBUS_PROXY (self->receiver), "org.freedesktop.DBus.Properties.Set",
                     g_variant_new ("(ssv)", "io.github.Groupcast.Receiver1", property, value),
                     G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_sound_set,
                     g_object_ref (self));
}

static void
on_volume_changed (GcReceiverView *self)
{
  set_sound (self, "Volume",
             g_variant_new_double (gtk_range_get_value (GTK_RANGE (self->volume_scale))));
}

static void
on_mute_toggled (GcReceiverView *self)
{
  set_sound (self, "Muted", g_variant_new_boolean (gtk_toggle_button_get_active (self->mute_button)));
}

/* Connect and Disconnect return once the agent took the request; what
 * happens then shows in State */
static void
show_refusal (GcReceiverView *self,
              GError         *error)
{
  g_autofree gchar *message = NULL;
  g_autofree gchar *sentence = NULL;
  g_autofree gchar *detail = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  sentence = gc_util_explain_error (error, &detail);
  /* TRANSLATORS: %s says why, e.g. "That request is not valid" */
  message = g_strdup_printf (_("The receiver could not do that: %s"), sentence);
  gc_util_toast_details (GTK_WIDGET (self), message, detail);
}

static void
on_connect_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GcReceiverView) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!gc_dbus_receiver1_call_connect_finish (GC_DBUS_RECEIVER1 (object), result, &error))
    show_refusal (self, error);
}

static void
on_disconnect_done (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GcReceiverView) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!gc_dbus_receiver1_call_disconnect_finish (GC_DBUS_RECEIVER1 (object), result, &error))
    show_refusal (self, error);
}

static void
connect_activated (GtkWidget   *widget,
                   const gchar *action_name,
                   GVariant    *parameter)
{
  GcReceiverView *self = GC_RECEIVER_VIEW (widget);
  GcPeerItem *peer = adw_combo_row_get_selected_item (self->sources_row);

  if (self->receiver == NULL)
    return;
  if (peer == NULL || *gc_peer_item_get_url (peer) == '\0')
    {
      gc_util_toast (GTK_WIDGET (self), _("Choose a source first."));
      return;
    }
  gc_dbus_receiver1_call_connect (self->receiver, gc_peer_item_get_url (peer),
                                  self->cancellable, on_connect_done, g_object_ref (self));
}

static void
disconnect_activated (GtkWidget   *widget,
                      const gchar *action_name,
                      GVariant    *parameter)
{
  GcReceiverView *self = GC_RECEIVER_VIEW (widget);

  if (self->receiver == NULL)
    return;
  gc_dbus_receiver1_call_disconnect (self->receiver, self->cancellable,
                                     on_disconnect_done, g_object_ref (self));
}

static void
update_actions (GcReceiverView *self)
{
  GListModel *sources = adw_combo_row_get_model (self->sources_row);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "receiver.connect",
                                 self->receiver != NULL && sources != NULL
                                 && g_list_model_get_n_items (sources) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "receiver.disconnect",
                                 self->receiver != NULL);
}

GcDBusReceiver1 *
gc_receiver_view_get_receiver (GcReceiverView *self)
{
  g_return_val_if_fail (GC_IS_RECEIVER_VIEW (self), NULL);
  return self->receiver;
}

void
gc_receiver_view_set_receiver (GcReceiverView  *self,
                               GcDBusReceiver1 *receiver)
{
  g_return_if_fail (GC_IS_RECEIVER_VIEW (self));

  if (self->receiver == receiver)
    return;
  if (self->receiver != NULL)
    g_signal_handlers_disconnect_by_data (self->receiver, self);
  g_set_object (&self->receiver, receiver);
  gc_receiver_monitor_set_receiver (self->monitor, receiver);
  if (receiver != NULL)
    {
      g_signal_connect_swapped (receiver, "notify", G_CALLBACK (update), self);
      update (self);
    }
  gtk_stack_set_visible_child_name (self->stack, receiver != NULL ? "receiver" : "none");
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVER]);
}

void
gc_receiver_view_set_sources (GcReceiverView *self,
                              GListModel     *sources)
{
  GListModel *old;

  g_return_if_fail (GC_IS_RECEIVER_VIEW (self));

  old = adw_combo_row_get_model (self->sources_row);
  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  adw_combo_row_set_model (self->sources_row, sources);
  if (sources != NULL)
    g_signal_connect_swapped (sources, "items-changed", G_CALLBACK (update_actions), self);
  update_actions (self);
}

static void
gc_receiver_view_dispose (GObject *object)
{
  GcReceiverView *self = GC_RECEIVER_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  if (self->receiver != NULL)
    g_signal_handlers_disconnect_by_data (self->receiver, self);
  g_clear_object (&self->receiver);
  if (self->monitor != NULL)
    gc_receiver_monitor_set_receiver (self->monitor, NULL);
  if (self->sources_row != NULL)
    gc_receiver_view_set_sources (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GC_TYPE_RECEIVER_VIEW);
  /* the template's top widget has no id, so dispose_template leaves it */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (gc_receiver_view_parent_class)->dispose (object);
}

static void
gc_receiver_view_finalize (GObject *object)
{
  GcReceiverView *self = GC_RECEIVER_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (gc_receiver_view_parent_class)->finalize (object);
}

static void
gc_receiver_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GcReceiverView *self = GC_RECEIVER_VIEW (object);

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
gc_receiver_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GcReceiverView *self = GC_RECEIVER_VIEW (object);

  switch (prop_id)
    {
    case PROP_RECEIVER:
      gc_receiver_view_set_receiver (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_receiver_view_class_init (GcReceiverViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gc_receiver_view_dispose;
  object_class->finalize = gc_receiver_view_finalize;
  object_class->get_property = gc_receiver_view_get_property;
  object_class->set_property = gc_receiver_view_set_property;

  properties[PROP_RECEIVER] =
    g_param_spec_object ("receiver", NULL, NULL, GC_DBUS_TYPE_RECEIVER1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "receiver.connect", NULL,
                                   connect_activated);
  gtk_widget_class_install_action (widget_class, "receiver.disconnect", NULL,
                                   disconnect_activated);

  g_type_ensure (GC_TYPE_SPARKLINE);
  g_type_ensure (GC_TYPE_PEER_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Groupcast/ui/gc-receiver-view.ui");
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, stack);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, state_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, error_row);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, source_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, group_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, encryption_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, rejected_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, kernel_drops_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, received_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, lost_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, jitter_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, bitrate_plot);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, bitrate_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, frames_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, damaged_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, recovered_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, first_frame_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, latency_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, sources_row);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, volume_scale);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, mute_button);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, level_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, sync_label);
  gtk_widget_class_bind_template_child (widget_class, GcReceiverView, audio_packets_label);
  gtk_widget_class_bind_template_callback (widget_class, on_volume_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_mute_toggled);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
gc_receiver_view_init (GcReceiverView *self)
{
  self->cancellable = g_cancellable_new ();
  self->monitor = gc_receiver_monitor_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gc_sparkline_set_history (self->bitrate_plot,
                            gc_receiver_monitor_get_bitrate_history (self->monitor));
  gtk_stack_set_visible_child_name (self->stack, "none");
  update_actions (self);
}
