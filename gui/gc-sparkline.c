/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSparkline"

#include "config.h"

#include "gc-sparkline.h"

/* a small bar plot of the last minute of a GcHistory, one bar a second,
 * newest on the right; drawn with plain colour nodes so it stays cheap
 * when a list holds many of them. a bar shows the highest value that held
 * in its second, so the plot reads the same however often samples came
 * in, and a short peak still shows */
struct _GcSparkline
{
  GtkWidget parent_instance;

  GcHistory *history;
  gulong changed_id;
  gdouble floor;
};

G_DEFINE_FINAL_TYPE (GcSparkline, gc_sparkline, GTK_TYPE_WIDGET)

/* one bar a second over the history's span */
#define N_BARS 60
#define BAR_SPAN (GC_HISTORY_SPAN / N_BARS)

enum
{
  PROP_0,
  PROP_HISTORY,
  PROP_FLOOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gc_sparkline_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = N_BARS;
      *natural = N_BARS * 2;
    }
  else
    {
      *minimum = 16;
      *natural = 24;
    }
}

static void
gc_sparkline_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  GcSparkline *self = GC_SPARKLINE (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float slot = width / N_BARS;
  GdkRGBA color;
  GdkRGBA base;
  gint64 newest;
  gdouble max;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* a faint baseline, so an idle plot still reads as a plot */
  base = color;
  base.alpha *= 0.25f;
  gtk_snapshot_append_color (snapshot, &base,
                             &GRAPHENE_RECT_INIT (0, height - 1, width, 1));

  if (self->history == NULL)
    return;
  max = MAX (gc_history_get_max (self->history), self->floor);
  if (gc_history_get_length (self->history) == 0 || max <= 0)
    return;

  /* the newest sample's second against the right edge */
  newest = gc_history_get_last_time (self->history);
  for (guint i = 0; i < N_BARS; i++)
    {
      gint64 end = newest - (gint64) (N_BARS - 1 - i) * BAR_SPAN;
      float x = width - (N_BARS - i) * slot;
      gdouble v;
      float h;

      /* no bar for the seconds before the first sample */
      if (!gc_history_get_peak (self->history, end - BAR_SPAN, end, &v))
        continue;
      h = (float) (CLAMP (v / max, 0, 1) * (height - 1));
      if (h <= 0)
        continue;
      gtk_snapshot_append_color (snapshot, &color,
                                 &GRAPHENE_RECT_INIT (x, height - 1 - h,
                                                      MAX (slot - 1, 1), h));
    }
}

static void
on_history_changed (GcSparkline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GcHistory *
gc_sparkline_get_history (GcSparkline *self)
{
  g_return_val_if_fail (GC_IS_SPARKLINE (self), NULL);

  return self->history;
}

void
gc_sparkline_set_history (GcSparkline *self,
                          GcHistory   *history)
{
  g_return_if_fail (GC_IS_SPARKLINE (self));

  if (self->history == history)
    return;
  if (self->history != NULL)
    g_clear_signal_handler (&self->changed_id, self->history);
  g_set_object (&self->history, history);
  if (history != NULL)
    self->changed_id = g_signal_connect_swapped (history, "changed",
                                                 G_CALLBACK (on_history_changed),
                                                 self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

gdouble
gc_sparkline_get_floor (GcSparkline *self)
{
  g_return_val_if_fail (GC_IS_SPARKLINE (self), 0);

  return self->floor;
}

void
gc_sparkline_set_floor (GcSparkline *self,
                        gdouble      floor)
{
  g_return_if_fail (GC_IS_SPARKLINE (self));

  if (self->floor == floor)
    return;
  self->floor = floor;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOOR]);
}

static void
gc_sparkline_dispose (GObject *object)
{
  GcSparkline *self = GC_SPARKLINE (object);

  gc_sparkline_set_history (self, NULL);
  G_OBJECT_CLASS (gc_sparkline_parent_class)->dispose (object);
}

static void
gc_sparkline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GcSparkline *self = GC_SPARKLINE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_FLOOR:
      g_value_set_double (value, self->floor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_sparkline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GcSparkline *self = GC_SPARKLINE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      gc_sparkline_set_history (self, g_value_get_object (value));
      break;
    case PROP_FLOOR:
      gc_sparkline_set_floor (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_sparkline_class_init (GcSparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gc_sparkline_dispose;
  object_class->get_property = gc_sparkline_get_property;
  object_class->set_property = gc_sparkline_set_property;
  widget_class->measure = gc_sparkline_measure;
  widget_class->snapshot = gc_sparkline_snapshot;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, GC_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  /* the smallest top of the scale, so noise near zero stays flat */
  properties[PROP_FLOOR] =
    g_param_spec_double ("floor", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "sparkline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
gc_sparkline_init (GcSparkline *self)
{
}

GtkWidget *
gc_sparkline_new (void)
{
  return g_object_new (GC_TYPE_SPARKLINE, NULL);
}
