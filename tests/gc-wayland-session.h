/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gc-test-agent.h"

G_BEGIN_DECLS

/* a headless Wayland desktop for tests, as a presenter's session has it:
 * sway (WLR_BACKENDS=headless, pixman), PipeWire and WirePlumber,
 * xdg-desktop-portal with xdg-desktop-portal-wlr, on a session bus of its
 * own, all run as the unprivileged user "gcwayland" (made once, as root)
 * with their own XDG_RUNTIME_DIR. the portal's output chooser is a script
 * that picks HEADLESS-1 and counts its calls. everything ends when the
 * session is freed, or with the test process. */
typedef struct _GcWaylandSession GcWaylandSession;

gboolean     gc_wayland_session_available    (gchar **reason);
GcWaylandSession *gc_wayland_session_new     (GError **error);
GcWaylandSession *gc_wayland_session_new_sized (guint width,
                                              guint height,
                                              GError **error);
/* for tests: a session, or NULL after g_test_skip() saying why */
GcWaylandSession *gc_wayland_session_new_or_skip (void);
void         gc_wayland_session_free         (GcWaylandSession *s);

const gchar *gc_wayland_session_get_bus_address (GcWaylandSession *s);
GDBusConnection *gc_wayland_session_get_bus  (GcWaylandSession *s);
const gchar *gc_wayland_session_get_dir      (GcWaylandSession *s);
/* "setpriv --reuid=U --regid=G --clear-groups env VAR=… …": put before a
 * command to run it in the session as its user (inside a lab host too) */
GPtrArray   *gc_wayland_session_user_argv    (GcWaylandSession *s);
/* the whole screen in one colour, "#rrggbb" */
gboolean     gc_wayland_session_paint        (GcWaylandSession *s,
                                              const gchar *colour,
                                              GError **error);
guint        gc_wayland_session_chooser_calls (GcWaylandSession *s);
void         gc_wayland_session_stop_pipewire (GcWaylandSession *s);
gboolean     gc_wayland_session_play_sound   (GcWaylandSession *s,
                                              GError          **error);
/* ends every screen cast from the portal's side, as the desktop does */
gboolean     gc_wayland_session_end_casts    (GcWaylandSession *s,
                                              GError **error);
gchar       *gc_wayland_session_make_dir     (GcWaylandSession *s,
                                              const gchar *name,
                                              GError **error);
gboolean     gc_wayland_session_set_chooser  (GcWaylandSession *s,
                                              gboolean pick,
                                              GError **error);
gchar       *gc_wayland_session_get_logs     (GcWaylandSession *s);
GcTestAgent *gc_wayland_session_start_agent  (GcWaylandSession *s,
                                              GcLab *lab,
                                              guint host,
                                              GError **error,
                                              const gchar *first_arg,
                                              ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcWaylandSession, gc_wayland_session_free)

G_END_DECLS
