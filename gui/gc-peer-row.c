/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPeerRow"

#include "config.h"

#include "gc-peer-row.h"

#include <glib/gi18n.h>

/* one receiver in the list: who it is, what it shows, and how its last
 * switch went (a spinner while the switch runs) */
struct _GcPeerRow
{
  GtkWidget parent_instance;

  GcPeerItem *peer;

  GtkCheckButton *select_check;
  GtkLabel *name_label;
  GtkLabel *detail_label;
  GtkLabel *showing_label;
  GtkStack *status_stack;
  GtkSpinner *spinner;
  GtkImage *result_image;
  GtkLabel *result_label;
  GtkPopover *menu;         /* the row's context menu, made on first use */
};

G_DEFINE_FINAL_TYPE (GcPeerRow, gc_peer_row, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_PEER,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (GcPeerRow *self)
{
  g_autofree gchar *seen = NULL;
  g_autofree gchar *detail = NULL;
  g_autofree gchar *showing = NULL;
  const gchar *current;
  GcSwitchState state;

  if (self->peer == NULL)
    return;

  gtk_label_set_label (self->name_label, gc_peer_item_get_name (self->peer));
  /* how it was found is a detail: in the tooltip, not the row */
  seen = gc_peer_item_dup_seen_by (self->peer);
  /* TRANSLATORS: "10.99.0.2, found by mDNS and beacon" */
  detail = g_strdup_printf (_("%s, found by %s"), gc_peer_item_get_address (self->peer), seen);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_label), detail);
  g_clear_pointer (&detail, g_free);
  if (gc_peer_item_get_not_paired (self->peer))
    {
      /* TRANSLATORS: "10.99.0.2 · Not paired with this site": the receiver
       * has another site key, or none, so it refuses this site's switches */
      detail = g_strdup_printf (_("%s · Not paired with this site"),
                                gc_peer_item_get_address (self->peer));
      gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->detail_label), "dim-label");
    }
  else
    {
      detail = g_strdup (gc_peer_item_get_address (self->peer));
      gtk_widget_remove_css_class (GTK_WIDGET (self->detail_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "dim-label");
    }
  gtk_label_set_label (self->detail_label, detail);

  /* what it shows, by the source's name; the URL when no listed source
   * serves it (the tooltip has the URL either way) */
  current = gc_peer_item_get_current_source (self->peer);
  if (gc_peer_item_get_offline_since (self->peer) != 0)
    {
      g_autoptr (GDateTime) since = g_date_time_new_from_unix_local (
        gc_peer_item_get_offline_since (self->peer) / G_USEC_PER_SEC);
      g_autofree gchar *at = g_date_time_format (since, "%H:%M");

      /* TRANSLATORS: %s is a time of day, e.g. "Offline since 10:42" */
      showing = g_strdup_printf (_("Offline since %s"), at);
      gtk_widget_add_css_class (GTK_WIDGET (self), "offline");
    }
  else if (*current == '\0')
    showing = g_strdup (_("Idle"));
  else if (gc_peer_item_get_source_name (self->peer) != NULL)
    /* TRANSLATORS: %s is the name of the source the receiver shows, e.g.
     * "Showing Teacher PC" */
    showing = g_strdup_printf (_("Showing %s"), gc_peer_item_get_source_name (self->peer));
  else
    /* TRANSLATORS: %s is the URL of the source the receiver shows */
    showing = g_strdup_printf (_("Showing %s"), current);
  if (gc_peer_item_get_offline_since (self->peer) == 0)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "offline");
  gtk_label_set_label (self->showing_label, showing);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->showing_label), current);

  state = gc_peer_item_get_switch_state (self->peer);
  gtk_spinner_set_spinning (self->spinner, state == GC_SWITCH_STATE_RUNNING);
  switch (state)
    {
    case GC_SWITCH_STATE_NONE:
      gtk_stack_set_visible_child_name (self->status_stack, "none");
      break;
    case GC_SWITCH_STATE_RUNNING:
      gtk_stack_set_visible_child_name (self->status_stack, "running");
      break;
    case GC_SWITCH_STATE_OK:
    case GC_SWITCH_STATE_FAILED:
      gtk_image_set_from_icon_name (self->result_image,
                                    state == GC_SWITCH_STATE_OK
                                    ? "emblem-ok-symbolic" : "dialog-error-symbolic");
      if (state == GC_SWITCH_STATE_OK)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->result_image), "success");
          gtk_widget_remove_css_class (GTK_WIDGET (self->result_image), "error");
        }
      else
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->result_image), "error");
          gtk_widget_remove_css_class (GTK_WIDGET (self->result_image), "success");
        }
      gtk_label_set_label (self->result_label, gc_peer_item_get_result (self->peer));
      /* the sentence wraps; the receiver's own words are the tooltip */
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->result_label),
                                   gc_peer_item_get_result_detail (self->peer) != NULL
                                   ? gc_peer_item_get_result_detail (self->peer)
                                   : gc_peer_item_get_result (self->peer));
      gtk_stack_set_visible_child_name (self->status_stack, "result");
      break;
    default:
      g_assert_not_reached ();
    }
}

GcPeerItem *
gc_peer_row_get_peer (GcPeerRow *self)
{
  g_return_val_if_fail (GC_IS_PEER_ROW (self), NULL);
  return self->peer;
}

void
gc_peer_row_set_peer (GcPeerRow  *self,
                      GcPeerItem *peer)
{
  g_return_if_fail (GC_IS_PEER_ROW (self));

  if (self->peer == peer)
    return;
  if (self->peer != NULL)
    g_signal_handlers_disconnect_by_data (self->peer, self);
  g_set_object (&self->peer, peer);
  if (peer != NULL)
    {
      g_signal_connect_swapped (peer, "notify", G_CALLBACK (update), self);
      update (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER]);
}

/* the window's actions for the selection, by the row: a right click or a
 * long press selects the row (alone, unless it is in the selection
 * already) and opens them there */
static GMenuModel *
row_menu_model (void)
{
  GMenu *menu = g_menu_new ();
  GMenu *first = g_menu_new ();
  GMenu *second = g_menu_new ();
  GMenu *third = g_menu_new ();

  g_menu_append (first, _("_Switch to This Screen"), "win.switch");
  g_menu_append (first, _("R_elease"), "win.release");
  g_menu_append (second, _("_Identify"), "win.identify");
  g_menu_append (second, _("Re_name…"), "win.rename");
  g_menu_append (second, _("_Pair…"), "win.pair");
  g_menu_append (third, _("_Mute Sound"), "win.mute");
  g_menu_append (third, _("_Unmute Sound"), "win.unmute");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (second));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (third));
  g_object_unref (first);
  g_object_unref (second);
  g_object_unref (third);
  return G_MENU_MODEL (menu);
}

/* opens the context menu at (@x, @y) in the row; exported for the tests */
void
gc_peer_row_popup_menu (GcPeerRow *self, gdouble x, gdouble y)
{
  GdkRectangle at = { (gint) x, (gint) y, 1, 1 };

  g_return_if_fail (GC_IS_PEER_ROW (self));

  if (!gtk_check_button_get_active (self->select_check))
    gtk_widget_activate_action (GTK_WIDGET (self), "listitem.select", "(bb)", FALSE, FALSE);
  if (self->menu == NULL)
    {
      g_autoptr (GMenuModel) model = row_menu_model ();

      self->menu = GTK_POPOVER (gtk_popover_menu_new_from_model (model));
      gtk_widget_set_parent (GTK_WIDGET (self->menu), GTK_WIDGET (self));
      gtk_popover_set_has_arrow (self->menu, FALSE);
      gtk_widget_set_halign (GTK_WIDGET (self->menu), GTK_ALIGN_START);
    }
  gtk_popover_set_pointing_to (self->menu, &at);
  gtk_popover_popup (self->menu);
}

GtkPopover *
gc_peer_row_get_menu (GcPeerRow *self)
{
  g_return_val_if_fail (GC_IS_PEER_ROW (self), NULL);
  return self->menu;
}

static void
on_secondary_click (GtkGestureClick *gesture, gint n_press, gdouble x, gdouble y,
                    GcPeerRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gc_peer_row_popup_menu (self, x, y);
}

static void
on_long_press (GtkGestureLongPress *gesture, gdouble x, gdouble y, GcPeerRow *self)
{
  gc_peer_row_popup_menu (self, x, y);
}

static void
gc_peer_row_dispose (GObject *object)
{
  GcPeerRow *self = GC_PEER_ROW (object);
  GtkWidget *child;

  if (self->menu != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->menu)));

  gc_peer_row_set_peer (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GC_TYPE_PEER_ROW);
  /* the template's top widget has no id, so dispose_template leaves it */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (gc_peer_row_parent_class)->dispose (object);
}

static void
gc_peer_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  GcPeerRow *self = GC_PEER_ROW (object);

  switch (prop_id)
    {
    case PROP_PEER:
      g_value_set_object (value, self->peer);
      break;
    case PROP_SELECTED:
      g_value_set_boolean (value, gtk_check_button_get_active (self->select_check));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  GcPeerRow *self = GC_PEER_ROW (object);

  switch (prop_id)
    {
    case PROP_PEER:
      gc_peer_row_set_peer (self, g_value_get_object (value));
      break;
    case PROP_SELECTED:
      /* shows the list's selection; a click on it changes the selection
       * (listitem.select), which comes back here */
      gtk_check_button_set_active (self->select_check, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_row_class_init (GcPeerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gc_peer_row_dispose;
  object_class->get_property = gc_peer_row_get_property;
  object_class->set_property = gc_peer_row_set_property;

  properties[PROP_PEER] =
    g_param_spec_object ("peer", NULL, NULL, GC_TYPE_PEER_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_boolean ("selected", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Groupcast/ui/gc-peer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, select_check);
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, showing_label);
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, status_stack);
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, result_image);
  gtk_widget_class_bind_template_child (widget_class, GcPeerRow, result_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "peerrow");
}

static void
gc_peer_row_init (GcPeerRow *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *press = gtk_gesture_long_press_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  /* touch screens: a long press */
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  g_signal_connect (press, "pressed", G_CALLBACK (on_long_press), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (press));
}
