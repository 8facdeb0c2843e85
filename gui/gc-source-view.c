/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSourceView"

#include "config.h"

#include "gc-source-view.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "gc-member-row.h"
#include "gc-source-monitor.h"
#include "gc-sparkline.h"
#include "gc-state.h"
#include "gc-util.h"

/* the source's group: where it sends, how much, and who is in it. the
 * labels follow the proxy's properties; the plots and the member list are
 * the monitor's, which samples what the agent sends */
struct _GcSourceView
{
  GtkWidget parent_instance;

  GcDBusSource1 *source;
  GcSourceMonitor *monitor;
  GCancellable *sharing;     /* a StartWith under way (the desktop's dialog) */
  gchar *share_error;        /* what the last share said, for a person */
  GBytes *preview_shown;

  GtkStack *stack;
  AdwActionRow *share_row;
  AdwActionRow *sound_row;
  GtkSwitch *sound_switch;
  GtkPicture *preview_picture;
  GtkSpinner *share_spinner;
  GtkButton *share_button;
  GtkLabel *state_label;
  GtkLabel *group_label;
  GtkLabel *encryption_label;
  GtkLabel *ttl_label;
  GtkLabel *url_label;
  GtkLabel *encoder_label;
  GcSparkline *bitrate_plot;
  GtkLabel *bitrate_label;
  GcSparkline *packets_plot;
  GtkLabel *packets_label;
  GtkStack *members_stack;
  GtkListView *members_list;
  GtkLabel *members_count_label;
};

G_DEFINE_FINAL_TYPE (GcSourceView, gc_source_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Source1.State in words; a word a newer agent may have, as it is */
static const gchar *
state_in_words (const gchar *word)
{
  GcSourceState state;

  if (!gc_source_state_from_string (word, &state))
    return word != NULL ? word : "";
  switch (state)
    {
    case GC_SOURCE_STATE_STOPPED:
      return _("Stopped");
    case GC_SOURCE_STATE_READY:
      /* TRANSLATORS: the source serves, but no receiver is in its group */
      return _("Ready, no receivers");
    case GC_SOURCE_STATE_STREAMING:
      return _("Streaming");
    default:
      g_assert_not_reached ();
    }
}

static void update_sharing (GcSourceView *self);

static void
update_properties (GcSourceView *self)
{
  g_autofree gchar *group = NULL;
  g_autofree gchar *ttl = NULL;
  g_autofree gchar *bitrate = NULL;
  g_autofree gchar *packets = NULL;
  g_autofree gchar *count = NULL;
  GcDBusSource1 *s = self->source;

  if (s == NULL)
    return;

  gtk_label_set_label (self->state_label, state_in_words (gc_dbus_source1_get_state (s)));
  /* TRANSLATORS: multicast group, then its RTP and RTCP ports */
  group = g_strdup_printf (_("%s, RTP %u, RTCP %u"),
                           gc_dbus_source1_get_group (s) != NULL
                           ? gc_dbus_source1_get_group (s) : "",
                           gc_dbus_source1_get_rtp_port (s),
                           gc_dbus_source1_get_rtcp_port (s));
  gtk_label_set_label (self->group_label, group);
  /* a site key encrypts the stream; without one anyone on the network can
   * watch it, and a person deciding what to share should know */
  gtk_label_set_label (self->encryption_label,
                       gc_dbus_source1_get_encrypted (s)
                       ? _("Encrypted with the site key")
                       : _("Not encrypted: anyone on this network can watch"));
  ttl = g_strdup_printf ("%u", gc_dbus_source1_get_ttl (s));
  gtk_label_set_label (self->ttl_label, ttl);
  gtk_label_set_label (self->url_label, gc_dbus_source1_get_url (s));
  gtk_label_set_label (self->encoder_label, gc_dbus_source1_get_encoder (s));

  update_sharing (self);
  bitrate = gc_util_format_bitrate (gc_dbus_source1_get_bitrate (s));
  gtk_label_set_label (self->bitrate_label, bitrate);
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, gc_dbus_source1_get_packets_sent (s));
  /* TRANSLATORS: %s is the number of RTP packets sent so far */
  packets = g_strdup_printf (_("%s packets sent"), count);
  gtk_label_set_label (self->packets_label, packets);
}

/* what this source shares, in words */
static const gchar *
capture_in_words (const gchar *capture)
{
  if (g_strcmp0 (capture, "screen") == 0 || g_strcmp0 (capture, "portal") == 0
      || g_strcmp0 (capture, "x11") == 0)
    return _("Sharing this screen");
  if (g_strcmp0 (capture, "test") == 0)
    /* TRANSLATORS: the built-in moving test picture */
    return _("Sharing the test pattern");
  return _("Sharing");
}

static void
update_preview (GcSourceView *self)
{
  GVariant *v = gc_dbus_source1_get_preview (self->source);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  bytes = v != NULL ? g_variant_get_data_as_bytes (v) : g_bytes_new (NULL, 0);
  if (self->preview_shown != NULL && g_bytes_equal (bytes, self->preview_shown))
    return;
  g_clear_pointer (&self->preview_shown, g_bytes_unref);
  self->preview_shown = g_bytes_ref (bytes);
  if (g_bytes_get_size (bytes) > 0)
    texture = gdk_texture_new_from_bytes (bytes, NULL);
  /* a picture that does not decode shows nothing, not an old one */
  gtk_picture_set_paintable (self->preview_picture, GDK_PAINTABLE (texture));
}

/* the sound goes with a share: chosen before it starts, said while it runs */
static void
update_sound_row (GcSourceView *self, gboolean sharing)
{
  const gchar *audio = gc_dbus_source1_get_audio (self->source);

  gtk_widget_set_sensitive (GTK_WIDGET (self->sound_switch), !sharing);
  if (!sharing)
    adw_action_row_set_subtitle (self->sound_row, gtk_switch_get_active (self->sound_switch)
                                 ? _("What this computer plays goes with the screen")
                                 : _("The screen goes without sound"));
  else if (audio == NULL || *audio == '\0' || g_str_equal (audio, "none"))
    /* TRANSLATORS: the share runs without sound (chosen, or none could be captured) */
    adw_action_row_set_subtitle (self->sound_row, _("No sound is shared"));
  else if (g_str_equal (audio, "test"))
    /* TRANSLATORS: the built-in test tone */
    adw_action_row_set_subtitle (self->sound_row, _("Sharing the test tone"));
  else
    adw_action_row_set_subtitle (self->sound_row, _("Sharing what this computer plays"));
}

static void
update_sharing (GcSourceView *self)
{
  GcSourceState state = GC_SOURCE_STATE_STOPPED;
  const gchar *last_error = gc_dbus_source1_get_last_error (self->source);
  gboolean starting = self->sharing != NULL;
  g_autofree gchar *stopped = NULL;

  gc_source_state_from_string (gc_dbus_source1_get_state (self->source), &state);
  gtk_widget_set_visible (GTK_WIDGET (self->share_spinner), starting);
  gtk_spinner_set_spinning (self->share_spinner, starting);
  if (state == GC_SOURCE_STATE_STOPPED)
    {
      gtk_button_set_label (self->share_button, _("Share Screen"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->share_button), "source.share");
      gtk_widget_remove_css_class (GTK_WIDGET (self->share_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->share_button), "suggested-action");
      if (starting)
        /* TRANSLATORS: the desktop asks which screen or window to share */
        adw_action_row_set_subtitle (self->share_row, _("Waiting for the desktop's dialog…"));
      else if (self->share_error != NULL)
        adw_action_row_set_subtitle (self->share_row, self->share_error);
      else if (last_error != NULL && *last_error != '\0')
        {
          /* TRANSLATORS: %s says why, from the agent (e.g. the desktop ended it) */
          stopped = g_strdup_printf (_("Sharing stopped: %s"), last_error);
          adw_action_row_set_subtitle (self->share_row, stopped);
        }
      else
        adw_action_row_set_subtitle (self->share_row, _("Not sharing"));
    }
  else
    {
      gtk_button_set_label (self->share_button, _("Stop Sharing"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->share_button), "source.stop");
      gtk_widget_remove_css_class (GTK_WIDGET (self->share_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->share_button), "destructive-action");
      adw_action_row_set_subtitle (self->share_row,
                                   capture_in_words (gc_dbus_source1_get_capture (self->source)));
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "source.share", !starting);
  update_sound_row (self, state != GC_SOURCE_STATE_STOPPED || starting);
  update_preview (self);
}

static void
on_sound_switch (GcSourceView *self)
{
  if (self->source != NULL)
    update_sharing (self);
}

static void
shared (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcSourceView) self = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *remote = NULL;

  g_autoptr (GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), res, &error);

  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      remote = g_dbus_error_get_remote_error (error);
      g_clear_pointer (&self->share_error, g_free);
      if (g_strcmp0 (remote, "io.github.Groupcast.Error.Cancelled") == 0)
        self->share_error = g_strdup (_("Sharing was cancelled"));
      else
        {
          /* the portal's reasons are the agent's own sentences for a
           * person (no portal, no PipeWire): said whole */
          g_dbus_error_strip_remote_error (error);
          /* TRANSLATORS: %s is the agent's reason, e.g. no screen sharing portal */
          self->share_error = g_strdup_printf (_("Cannot share: %s"), error->message);
        }
    }
  g_clear_object (&self->sharing);
  if (self->source != NULL)
    update_sharing (self);
}

static void
share_activated (GtkWidget *widget, const gchar *name, GVariant *param)
{
  GcSourceView *self = GC_SOURCE_VIEW (widget);
  GVariantBuilder options;

  if (self->source == NULL || self->sharing != NULL)
    return;
  g_clear_pointer (&self->share_error, g_free);
  self->sharing = g_cancellable_new ();
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "capture", g_variant_new_string ("screen"));
  /* what the desktop plays goes with it, unless the person said no */
  g_variant_builder_add (&options, "{sv}", "audio",
                         g_variant_new_string (gtk_switch_get_active (self->sound_switch)
                                               ? "desktop" : "none"));
  /* no time limit: the desktop's dialog waits for the person */
  g_dbus_proxy_call (G_DBUS_PROXY (self->source), "StartWith",
                     g_variant_new ("(@a{sv})", g_variant_builder_end (&options)),
                     G_DBUS_CALL_FLAGS_NONE, G_MAXINT, self->sharing, shared, g_object_ref (self));
  update_sharing (self);
}

static void
stopped (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcSourceView) self = data;
  g_autoptr (GError) error = NULL;

  if (!gc_dbus_source1_call_stop_finish (GC_DBUS_SOURCE1 (object), res, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_dbus_error_strip_remote_error (error);
      g_free (self->share_error);
      self->share_error = g_strdup_printf (_("Cannot stop: %s"), error->message);
      if (self->source != NULL)
        update_sharing (self);
    }
}

static void
stop_activated (GtkWidget *widget, const gchar *name, GVariant *param)
{
  GcSourceView *self = GC_SOURCE_VIEW (widget);

  if (self->source == NULL)
    return;
  /* a dialog still open is given up too */
  if (self->sharing != NULL)
    g_cancellable_cancel (self->sharing);
  g_clear_object (&self->sharing);
  g_clear_pointer (&self->share_error, g_free);
  gc_dbus_source1_call_stop (self->source, NULL, stopped, g_object_ref (self));
}

static void
update_members (GcSourceView *self)
{
  GcMemberList *members = gc_source_monitor_get_members (self->monitor);
  guint n = g_list_model_get_n_items (gc_member_list_get_model (members));
  g_autofree gchar *count = NULL;

  count = g_strdup_printf (ngettext ("%u receiver", "%u receivers", n), n);
  gtk_label_set_label (self->members_count_label, count);
  gtk_stack_set_visible_child_name (self->members_stack, n > 0 ? "list" : "empty");
}


GcDBusSource1 *
gc_source_view_get_source (GcSourceView *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_VIEW (self), NULL);
  return self->source;
}

GcMemberList *
gc_source_view_get_members (GcSourceView *self)
{
  g_return_val_if_fail (GC_IS_SOURCE_VIEW (self), NULL);
  return gc_source_monitor_get_members (self->monitor);
}

void
gc_source_view_set_source (GcSourceView  *self,
                           GcDBusSource1 *source)
{
  g_return_if_fail (GC_IS_SOURCE_VIEW (self));

  if (self->source == source)
    return;
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  if (self->sharing != NULL)
    g_cancellable_cancel (self->sharing);
  g_clear_object (&self->sharing);
  g_clear_pointer (&self->share_error, g_free);
  g_set_object (&self->source, source);
  /* the member list follows the monitor, and the count label the list */
  gc_source_monitor_set_source (self->monitor, source);

  if (source != NULL)
    {
      g_signal_connect_swapped (source, "notify", G_CALLBACK (update_properties), self);
      update_properties (self);
    }
  gtk_stack_set_visible_child_name (self->stack, source != NULL ? "source" : "none");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

static void
gc_source_view_dispose (GObject *object)
{
  GcSourceView *self = GC_SOURCE_VIEW (object);
  GtkWidget *child;

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  if (self->sharing != NULL)
    g_cancellable_cancel (self->sharing);
  g_clear_object (&self->sharing);
  if (self->monitor != NULL)
    {
      GcMemberList *members = gc_source_monitor_get_members (self->monitor);

      g_signal_handlers_disconnect_by_data (gc_member_list_get_model (members), self);
      gc_source_monitor_set_source (self->monitor, NULL);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), GC_TYPE_SOURCE_VIEW);
  /* the template's top widget has no id, so dispose_template leaves it */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (gc_source_view_parent_class)->dispose (object);
}

static void
gc_source_view_finalize (GObject *object)
{
  GcSourceView *self = GC_SOURCE_VIEW (object);

  g_clear_object (&self->monitor);
  g_free (self->share_error);
  g_clear_pointer (&self->preview_shown, g_bytes_unref);
  G_OBJECT_CLASS (gc_source_view_parent_class)->finalize (object);
}

static void
gc_source_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GcSourceView *self = GC_SOURCE_VIEW (object);

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
gc_source_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GcSourceView *self = GC_SOURCE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      gc_source_view_set_source (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_source_view_class_init (GcSourceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gc_source_view_dispose;
  object_class->finalize = gc_source_view_finalize;
  object_class->get_property = gc_source_view_get_property;
  object_class->set_property = gc_source_view_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, GC_DBUS_TYPE_SOURCE1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GC_TYPE_SPARKLINE);
  g_type_ensure (GC_TYPE_MEMBER_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Groupcast/ui/gc-source-view.ui");
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, stack);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, share_row);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, sound_row);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, sound_switch);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, preview_picture);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, share_spinner);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, share_button);
  /* Share Screen and Stop Sharing: Source1.StartWith and Stop */
  gtk_widget_class_install_action (widget_class, "source.share", NULL, share_activated);
  gtk_widget_class_install_action (widget_class, "source.stop", NULL, stop_activated);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, state_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, group_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, encryption_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, ttl_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, url_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, encoder_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, bitrate_plot);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, bitrate_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, packets_plot);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, packets_label);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, members_stack);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, members_list);
  gtk_widget_class_bind_template_child (widget_class, GcSourceView, members_count_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
gc_source_view_init (GcSourceView *self)
{
  GListModel *members;
  g_autoptr (GtkNoSelection) selection = NULL;

  self->monitor = gc_source_monitor_new ();
  members = gc_member_list_get_model (gc_source_monitor_get_members (self->monitor));

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->sound_switch, "notify::active", G_CALLBACK (on_sound_switch),
                            self);

  gc_sparkline_set_history (self->bitrate_plot,
                            gc_source_monitor_get_bitrate_history (self->monitor));
  gc_sparkline_set_history (self->packets_plot,
                            gc_source_monitor_get_packet_rate_history (self->monitor));
  selection = gtk_no_selection_new (g_object_ref (members));
  gtk_list_view_set_model (self->members_list, GTK_SELECTION_MODEL (selection));
  g_signal_connect_swapped (members, "items-changed", G_CALLBACK (update_members), self);
  gtk_stack_set_visible_child_name (self->stack, "none");
  update_members (self);
}
