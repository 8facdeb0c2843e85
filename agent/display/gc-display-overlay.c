/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcDisplay"

#include "config.h"

#include "gc-display-overlay.h"

#include <pango/pangocairo.h>

/* one line of text, centred on x, its top at y; returns its height */
static gdouble
text_line (cairo_t *cr, const gchar *text, gdouble size, gboolean bold, gdouble x, gdouble y,
           gdouble max_width)
{
  g_autoptr (PangoFontDescription) font = pango_font_description_from_string ("Sans");
  g_autoptr (PangoLayout) layout = pango_cairo_create_layout (cr);
  gint w, h;

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (gint) (max_width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - max_width / 2, y);
  pango_cairo_show_layout (cr, layout);
  return h;
}

static void
draw_idle (cairo_t *cr, gint width, gint height, const GcDisplayOverlay *o)
{
  gdouble unit = MIN (width, height) / 100.0;
  gdouble y = height * 0.34;
  cairo_pattern_t *bg = cairo_pattern_create_linear (0, 0, 0, height);

  /* a calm background, the name large in the middle */
  cairo_pattern_add_color_stop_rgb (bg, 0, 0.10, 0.13, 0.18);
  cairo_pattern_add_color_stop_rgb (bg, 1, 0.03, 0.04, 0.06);
  cairo_set_source (cr, bg);
  cairo_paint (cr);
  cairo_pattern_destroy (bg);
  cairo_set_source_rgb (cr, 1, 1, 1);
  y += text_line (cr, o->name != NULL ? o->name : "", 12 * unit, TRUE, width / 2.0, y,
                  width * 0.9);
  cairo_set_source_rgb (cr, 0.75, 0.80, 0.88);
  if (o->address != NULL && *o->address != '\0')
    y += text_line (cr, o->address, 4 * unit, FALSE, width / 2.0, y + unit, width * 0.9) + unit;
  if (o->status != NULL && *o->status != '\0')
    y += text_line (cr, o->status, 4.5 * unit, FALSE, width / 2.0, y + 5 * unit, width * 0.9)
         + 5 * unit;
  if (o->site_text != NULL && *o->site_text != '\0')
    text_line (cr, o->site_text, 3.5 * unit, FALSE, width / 2.0, height - 12 * unit,
               width * 0.9);
}

static void
draw_no_signal (cairo_t *cr, gint width, gint height, const GcDisplayOverlay *o)
{
  gdouble unit = MIN (width, height) / 100.0;
  gdouble box_w = width * 0.6, box_h = 9 * unit;
  gdouble x = (width - box_w) / 2, y = height - box_h - 6 * unit;

  /* the last frame stays, dimmed; a small notice at the bottom */
  cairo_set_source_rgba (cr, 0, 0, 0, 0.55);
  cairo_paint (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.75);
  cairo_rectangle (cr, x, y, box_w, box_h);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  text_line (cr, o->status != NULL ? o->status : "", 4 * unit, FALSE, width / 2.0,
             y + 2.2 * unit, box_w - 2 * unit);
}

static void
draw_identify (cairo_t *cr, gint width, gint height, const GcDisplayOverlay *o)
{
  gdouble unit = MIN (width, height) / 100.0;
  gdouble box_h = 30 * unit;
  gdouble y = (height - box_h) / 2;

  cairo_set_source_rgba (cr, 0.08, 0.35, 0.85, 0.92);
  cairo_rectangle (cr, 0, y, width, box_h);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  text_line (cr, o->name != NULL ? o->name : "", 20 * unit, TRUE, width / 2.0, y + 3 * unit,
             width * 0.95);
}

/* pairing: the code in a band at the top, over any screen, with a line
 * saying what to do with it */
static void
draw_pairing (cairo_t *cr, gint width, gint height, const GcDisplayOverlay *o)
{
  gdouble unit = MIN (width, height) / 100.0;
  gdouble box_h = 24 * unit;
  gdouble y = 4 * unit;

  cairo_set_source_rgba (cr, 0.05, 0.45, 0.30, 0.92);
  cairo_rectangle (cr, width * 0.15, y, width * 0.7, box_h);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  y += text_line (cr, o->pairing_text != NULL ? o->pairing_text : "", 3.6 * unit, FALSE,
                  width / 2.0, y + 1.5 * unit, width * 0.66);
  text_line (cr, o->pairing_code, 13 * unit, TRUE, width / 2.0, y + 1.5 * unit, width * 0.66);
}

void
gc_display_overlay_draw (cairo_t *cr, gint width, gint height, const GcDisplayOverlay *overlay)
{
  g_return_if_fail (cr != NULL && overlay != NULL);

  if (width <= 0 || height <= 0)
    return;
  cairo_save (cr);
  switch (overlay->screen)
    {
    case GC_DISPLAY_SCREEN_IDLE:
      draw_idle (cr, width, height, overlay);
      break;
    case GC_DISPLAY_SCREEN_NO_SIGNAL:
      draw_no_signal (cr, width, height, overlay);
      break;
    case GC_DISPLAY_SCREEN_PICTURE:
    default:
      break;
    }
  if (overlay->pairing_code != NULL)
    draw_pairing (cr, width, height, overlay);
  if (overlay->identify)
    draw_identify (cr, width, height, overlay);
  cairo_restore (cr);
}
