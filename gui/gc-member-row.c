/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcMemberRow"

#include "config.h"

#include "gc-member-row.h"

#include <glib/gi18n.h>

#include "gc-sparkline.h"

/* one member of the source's group: its RTCP figures, with a minute of
 * loss and jitter drawn beside the numbers */
struct _GcMemberRow
{
  GtkWidget parent_instance;

  GcMemberItem *member;

  GtkLabel *name_label;
  GtkLabel *detail_label;
  GcSparkline *loss_plot;
  GtkLabel *loss_label;
  GcSparkline *jitter_plot;
  GtkLabel *jitter_label;
  GtkLabel *rtt_label;
};

G_DEFINE_FINAL_TYPE (GcMemberRow, gc_member_row, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MEMBER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* the agent's member states in words */
static const gchar *
state_in_words (GcMemberState state)
{
  switch (state)
    {
    case GC_MEMBER_STATE_SETUP:
      /* TRANSLATORS: the receiver set the stream up and has not played it yet */
      return _("Joining");
    case GC_MEMBER_STATE_PLAYING:
      return _("Playing");
    default:
      g_assert_not_reached ();
    }
}

/* a receiver the group does not reach gets a copy of its own: the source
 * sends the stream once more for it */
static const gchar *
transport_in_words (GcTransport transport)
{
  switch (transport)
    {
    case GC_TRANSPORT_UNICAST:
      /* TRANSLATORS: the group does not reach this receiver: the stream is sent to it alone */
      return _("Unicast: a copy of its own");
    case GC_TRANSPORT_TCP:
      /* TRANSLATORS: the stream is sent to this receiver alone, in its RTSP connection */
      return _("TCP: a copy of its own");
    case GC_TRANSPORT_MULTICAST:
    default:
      return NULL;
    }
}

static void
update (GcMemberRow *self)
{
  g_autofree gchar *detail = NULL;
  g_autofree gchar *loss = NULL;
  const gchar *how;
  g_autofree gchar *count = NULL;
  g_autofree gchar *jitter = NULL;
  g_autofree gchar *rtt = NULL;
  GcMemberItem *m = self->member;

  if (m == NULL)
    return;

  gtk_label_set_label (self->name_label, gc_member_item_get_name (m));
  how = transport_in_words (gc_member_item_get_transport (m));
  detail = g_strdup_printf ("%s · %s%s%s", gc_member_item_get_address (m),
                            state_in_words (gc_member_item_get_state (m)), how != NULL ? " · " : "",
                            how != NULL ? how : "");
  gtk_label_set_label (self->detail_label, detail);

  /* a negative count means the reports have not said yet */
  if (gc_member_item_get_packets_lost (m) >= 0)
    {
      count = g_strdup_printf ("%" G_GINT64_FORMAT, gc_member_item_get_packets_lost (m));
      /* TRANSLATORS: packet loss as a percentage, then the lost packet count */
      loss = g_strdup_printf (_("%.1f %% lost (%s)"),
                              gc_member_item_get_fraction_lost (m) * 100.0, count);
    }
  else
    {
      /* TRANSLATORS: packet loss as a percentage */
      loss = g_strdup_printf (_("%.1f %% lost"), gc_member_item_get_fraction_lost (m) * 100.0);
    }
  gtk_label_set_label (self->loss_label, loss);
  /* TRANSLATORS: interarrival jitter in milliseconds */
  jitter = g_strdup_printf (_("%.1f ms jitter"), gc_member_item_get_jitter_ms (m));
  gtk_label_set_label (self->jitter_label, jitter);
  /* TRANSLATORS: round-trip time, then the age of the last RTCP receiver report */
  rtt = g_strdup_printf (_("RTT %.1f ms · report %.1f s ago"),
                         gc_member_item_get_rtt_ms (m),
                         gc_member_item_get_report_age_ms (m) / 1000.0);
  gtk_label_set_label (self->rtt_label, rtt);
}

GcMemberItem *
gc_member_row_get_member (GcMemberRow *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ROW (self), NULL);
  return self->member;
}

void
gc_member_row_set_member (GcMemberRow  *self,
                          GcMemberItem *member)
{
  g_return_if_fail (GC_IS_MEMBER_ROW (self));

  if (self->member == member)
    return;
  if (self->member != NULL)
    g_signal_handlers_disconnect_by_data (self->member, self);
  g_set_object (&self->member, member);
  gc_sparkline_set_history (self->loss_plot,
                            member != NULL ? gc_member_item_get_loss_history (member) : NULL);
  gc_sparkline_set_history (self->jitter_plot,
                            member != NULL ? gc_member_item_get_jitter_history (member) : NULL);
  if (member != NULL)
    {
      g_signal_connect_swapped (member, "notify", G_CALLBACK (update), self);
      update (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBER]);
}

static void
gc_member_row_dispose (GObject *object)
{
  GcMemberRow *self = GC_MEMBER_ROW (object);
  GtkWidget *child;

  if (self->member != NULL)
    g_signal_handlers_disconnect_by_data (self->member, self);
  g_clear_object (&self->member);
  gtk_widget_dispose_template (GTK_WIDGET (self), GC_TYPE_MEMBER_ROW);
  /* the template's top widget has no id, so dispose_template leaves it */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (gc_member_row_parent_class)->dispose (object);
}

static void
gc_member_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GcMemberRow *self = GC_MEMBER_ROW (object);

  switch (prop_id)
    {
    case PROP_MEMBER:
      g_value_set_object (value, self->member);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_member_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GcMemberRow *self = GC_MEMBER_ROW (object);

  switch (prop_id)
    {
    case PROP_MEMBER:
      gc_member_row_set_member (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_member_row_class_init (GcMemberRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gc_member_row_dispose;
  object_class->get_property = gc_member_row_get_property;
  object_class->set_property = gc_member_row_set_property;

  properties[PROP_MEMBER] =
    g_param_spec_object ("member", NULL, NULL, GC_TYPE_MEMBER_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GC_TYPE_SPARKLINE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Groupcast/ui/gc-member-row.ui");
  gtk_widget_class_bind_template_child (widget_class, GcMemberRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, GcMemberRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, GcMemberRow, loss_plot);
  gtk_widget_class_bind_template_child (widget_class, GcMemberRow, loss_label);
  gtk_widget_class_bind_template_child (widget_class, GcMemberRow, jitter_plot);
  gtk_widget_class_bind_template_child (widget_class, GcMemberRow, jitter_label);
  gtk_widget_class_bind_template_child (widget_class, GcMemberRow, rtt_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "memberrow");
}

static void
gc_member_row_init (GcMemberRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
