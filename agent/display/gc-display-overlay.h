/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what the receiver's screen shows over (or instead of) the picture: the
 * idle screen, the no-signal notice over the dimmed last frame, and the
 * receiver's name during Identify. drawn with cairo and pango at any size;
 * no assets. pure: it draws on the cairo context it is given.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  GC_DISPLAY_SCREEN_PICTURE,    /* the source's picture, nothing over it */
  GC_DISPLAY_SCREEN_NO_SIGNAL,  /* the last frame, dimmed, with a notice */
  GC_DISPLAY_SCREEN_IDLE,       /* no picture: who this receiver is */
} GcDisplayScreen;

typedef struct
{
  GcDisplayScreen screen;
  const gchar *name;         /* this receiver's name */
  const gchar *address;      /* its address, or NULL */
  const gchar *site_text;    /* a line for the idle screen, or NULL */
  const gchar *status;       /* idle: why, e.g. "Waiting for a source"; no signal: the notice */
  gboolean identify;         /* the name, very large, over whatever is shown */
  const gchar *pairing_code; /* pairing: the code as shown ("123 456"), or NULL */
  const gchar *pairing_text; /* pairing: what to do with it, or why it is locked */
} GcDisplayOverlay;

void gc_display_overlay_draw (cairo_t                *cr,
                              gint                    width,
                              gint                    height,
                              const GcDisplayOverlay *overlay);

G_END_DECLS
