/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcDisplay"

#include "config.h"

#include "gc-display-window.h"
#include "gc-error.h"

#include <glib-unix.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xrandr.h>

#define WINDOWED_WIDTH 1280
#define WINDOWED_HEIGHT 720

struct _GcDisplayWindow
{
  GObject parent_instance;

  Display *x;
  Window window;
  gint width;
  gint height;
  guint watch;
};

G_DEFINE_FINAL_TYPE (GcDisplayWindow, gc_display_window, G_TYPE_OBJECT)

enum
{
  SIGNAL_EXPOSE,
  SIGNAL_RESIZED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* the geometry of @output (its RandR name), or of the primary monitor;
 * the whole screen when RandR says nothing */
static gboolean
monitor_geometry (Display *x, const gchar *output, XRectangle *out, GError **error)
{
  Window root = DefaultRootWindow (x);
  gint n = 0, event, err;
  XRRMonitorInfo *monitors = NULL;
  gboolean found = FALSE;

  out->x = 0;
  out->y = 0;
  out->width = DisplayWidth (x, DefaultScreen (x));
  out->height = DisplayHeight (x, DefaultScreen (x));
  if (XRRQueryExtension (x, &event, &err))
    monitors = XRRGetMonitors (x, root, True, &n);
  for (gint i = 0; i < n && !found; i++)
    {
      g_autofree gchar *name = NULL;
      gchar *atom = XGetAtomName (x, monitors[i].name);

      name = g_strdup (atom);
      XFree (atom);
      if (output != NULL ? g_strcmp0 (name, output) == 0 : monitors[i].primary || n == 1)
        {
          *out = (XRectangle) { monitors[i].x, monitors[i].y, monitors[i].width,
                                monitors[i].height };
          found = TRUE;
        }
    }
  if (monitors != NULL)
    XRRFreeMonitors (monitors);
  if (output != NULL && !found)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND,
                   "no monitor named '%s' on this display (xrandr --listmonitors lists them)",
                   output);
      return FALSE;
    }
  return TRUE;
}

static void
set_fullscreen_hints (Display *x, Window w)
{
  Atom state = XInternAtom (x, "_NET_WM_STATE", False);
  Atom full = XInternAtom (x, "_NET_WM_STATE_FULLSCREEN", False);
  Atom motif = XInternAtom (x, "_MOTIF_WM_HINTS", False);
  /* flags: decorations; decorations: none */
  long hints[5] = { 2, 0, 0, 0, 0 };

  XChangeProperty (x, w, state, XA_ATOM, 32, PropModeReplace, (guchar *) &full, 1);
  XChangeProperty (x, w, motif, motif, 32, PropModeReplace, (guchar *) hints, 5);
}

/* an empty cursor: nothing over the picture */
static void
hide_cursor (Display *x, Window w)
{
  static const gchar none[8] = { 0 };
  XColor black = { 0 };
  Pixmap blank = XCreateBitmapFromData (x, w, none, 8, 8);
  Cursor cursor = XCreatePixmapCursor (x, blank, blank, &black, &black, 0, 0);

  XDefineCursor (x, w, cursor);
  XFreeCursor (x, cursor);
  XFreePixmap (x, blank);
}

static gboolean
on_x_events (gint fd, GIOCondition condition, gpointer data)
{
  GcDisplayWindow *self = data;

  while (XPending (self->x) > 0)
    {
      XEvent ev;

      XNextEvent (self->x, &ev);
      if (ev.type == Expose && ev.xexpose.count == 0)
        g_signal_emit (self, signals[SIGNAL_EXPOSE], 0);
      else if (ev.type == ConfigureNotify
               && (ev.xconfigure.width != self->width || ev.xconfigure.height != self->height))
        {
          self->width = ev.xconfigure.width;
          self->height = ev.xconfigure.height;
          g_signal_emit (self, signals[SIGNAL_RESIZED], 0);
        }
    }
  return G_SOURCE_CONTINUE;
}

GcDisplayWindow *
gc_display_window_new (const gchar *output, gboolean windowed, const gchar *title,
                       GError **error)
{
  g_autoptr (GcDisplayWindow) self = g_object_new (GC_TYPE_DISPLAY_WINDOW, NULL);
  XRectangle geo;
  XClassHint class_hint = { (gchar *) "groupcast-display", (gchar *) "Groupcast" };

  /* the video sink talks to the same server from its own thread */
  XInitThreads ();
  self->x = XOpenDisplay (NULL);
  if (self->x == NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot open the X display %s",
                   g_getenv ("DISPLAY") != NULL ? g_getenv ("DISPLAY") : "(DISPLAY is not set)");
      return NULL;
    }
  if (!monitor_geometry (self->x, output, &geo, error))
    return NULL;
  if (windowed)
    geo = (XRectangle) { geo.x, geo.y, MIN (geo.width, WINDOWED_WIDTH),
                         MIN (geo.height, WINDOWED_HEIGHT) };
  self->width = geo.width;
  self->height = geo.height;
  self->window = XCreateSimpleWindow (self->x, DefaultRootWindow (self->x), geo.x, geo.y,
                                      geo.width, geo.height, 0, 0, 0);
  XStoreName (self->x, self->window, title);
  XSetClassHint (self->x, self->window, &class_hint);
  if (!windowed)
    {
      set_fullscreen_hints (self->x, self->window);
      hide_cursor (self->x, self->window);
    }
  XSelectInput (self->x, self->window, ExposureMask | StructureNotifyMask);
  XMapRaised (self->x, self->window);
  XSync (self->x, False);
  self->watch = g_unix_fd_add (ConnectionNumber (self->x), G_IO_IN, on_x_events, self);
  g_message ("display: %s window %dx%d at %d,%d on %s", windowed ? "a" : "a full-screen",
             geo.width, geo.height, geo.x, geo.y, DisplayString (self->x));
  return g_steal_pointer (&self);
}

guintptr
gc_display_window_get_xid (GcDisplayWindow *self)
{
  g_return_val_if_fail (GC_IS_DISPLAY_WINDOW (self), 0);
  return (guintptr) self->window;
}

void
gc_display_window_get_size (GcDisplayWindow *self, gint *width, gint *height)
{
  g_return_if_fail (GC_IS_DISPLAY_WINDOW (self));
  *width = self->width;
  *height = self->height;
}

static void
gc_display_window_dispose (GObject *object)
{
  GcDisplayWindow *self = GC_DISPLAY_WINDOW (object);

  g_clear_handle_id (&self->watch, g_source_remove);
  if (self->x != NULL)
    {
      if (self->window != 0)
        XDestroyWindow (self->x, self->window);
      self->window = 0;
      XCloseDisplay (self->x);
      self->x = NULL;
    }
  G_OBJECT_CLASS (gc_display_window_parent_class)->dispose (object);
}

static void
gc_display_window_class_init (GcDisplayWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = gc_display_window_dispose;

  /* part of the window must be drawn again */
  signals[SIGNAL_EXPOSE] = g_signal_new ("expose", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* the window has a new size (gc_display_window_get_size) */
  signals[SIGNAL_RESIZED] = g_signal_new ("resized", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gc_display_window_init (GcDisplayWindow *self)
{
}
