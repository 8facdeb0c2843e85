/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the ScreenCast portal, called with GDBus directly (docs/architecture.md
 * says why not libportal): CreateSession, SelectSources and Start are each
 * answered by a Request's Response signal; OpenPipeWireRemote returns the
 * fd. the session's Closed signal (the user pressed "Stop sharing" in the
 * desktop's top bar, or the window went) becomes ::closed.
 */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-capture-portal.h"
#include "gc-error.h"
#include "gc-pipewire-watch.h"

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <unistd.h>

#define PORTAL_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define SCREENCAST_IFACE "org.freedesktop.portal.ScreenCast"
#define REQUEST_IFACE "org.freedesktop.portal.Request"
#define SESSION_IFACE "org.freedesktop.portal.Session"

/* the portal's words (org.freedesktop.portal.ScreenCast) */
enum { SOURCE_MONITOR = 1, SOURCE_WINDOW = 2 };
enum { CURSOR_HIDDEN = 1, CURSOR_EMBEDDED = 2 };
enum { PERSIST_UNTIL_REVOKED = 2 };
enum { RESPONSE_OK = 0, RESPONSE_CANCELLED = 1 };

struct _GcCapturePortal
{
  GObject parent_instance;

  gchar *token_path;        /* the restore token's file, or NULL */
  gchar *restore_token;     /* read from it at start */
  gboolean used_token;
  GDBusConnection *bus;
  guint32 version;
  guint32 source_types;
  guint32 cursor_modes;

  GTask *pending;           /* the start under way */
  gchar *request_path;      /* its Request, while one is asked */
  guint response_id;
  void (*on_response) (GcCapturePortal *self, GVariant *results);

  gchar *session;           /* the session's object path */
  guint closed_id;
  gint fd;
  gint watch_fd;            /* a second remote, for watching the node */
  guint32 node;
  gint width, height;
};

G_DEFINE_FINAL_TYPE (GcCapturePortal, gc_capture_portal, G_TYPE_OBJECT)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- the start's end -------------------------------------------------------- */

static void
start_fail (GcCapturePortal *self, GError *error)
{
  GTask *task = g_steal_pointer (&self->pending);

  if (task == NULL)
    {
      g_error_free (error);
      return;
    }
  gc_capture_portal_close (self);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
start_done (GcCapturePortal *self)
{
  GTask *task = g_steal_pointer (&self->pending);

  g_message ("screen cast: PipeWire node %u, %dx%d%s", self->node, self->width, self->height,
             self->used_token ? " (restored, no dialog)" : "");
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* ---- requests and their Response ------------------------------------------ */

static void
forget_request (GcCapturePortal *self)
{
  if (self->response_id != 0 && self->bus != NULL)
    g_dbus_connection_signal_unsubscribe (self->bus, self->response_id);
  self->response_id = 0;
  g_clear_pointer (&self->request_path, g_free);
}

static void
on_response (GDBusConnection *bus, const gchar *sender, const gchar *path, const gchar *iface,
             const gchar *signal, GVariant *params, gpointer data)
{
  GcCapturePortal *self = data;
  g_autoptr (GVariant) results = NULL;
  guint32 response = 2;

  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(ua{sv})")))
    return;
  g_variant_get (params, "(u@a{sv})", &response, &results);
  forget_request (self);
  if (response == RESPONSE_CANCELLED)
    start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_CANCELLED,
                                           "screen sharing was cancelled in the desktop's dialog"));
  else if (response != RESPONSE_OK)
    start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_FAILED,
                                           "the desktop did not share the screen: its "
                                           "portal refused (is PipeWire running? see the "
                                           "portal's log: journalctl --user -u "
                                           "xdg-desktop-portal)"));
  else
    self->on_response (self, results);
}

static gchar *
request_path_for (GcCapturePortal *self, const gchar *token)
{
  g_autofree gchar *sender = g_strdup (g_dbus_connection_get_unique_name (self->bus) + 1);

  /* the portal's rule: the caller's unique name without ':' and '.' as '_' */
  g_strdelimit (sender, ".", '_');
  return g_strdup_printf (PORTAL_PATH "/request/%s/%s", sender, token);
}

static void
subscribe_response (GcCapturePortal *self, const gchar *path)
{
  forget_request (self);
  self->request_path = g_strdup (path);
  self->response_id =
    g_dbus_connection_signal_subscribe (self->bus, PORTAL_NAME, REQUEST_IFACE, "Response", path,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_response,
                                        self, NULL);
}

static void
request_called (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcCapturePortal) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), res,
                                                              &error);
  const gchar *handle = NULL;

  if (self->pending == NULL)
    return;
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      start_fail (self, g_error_new (GC_ERROR, GC_ERROR_FAILED, "the screen cast portal: %s",
                                     error->message));
      return;
    }
  /* a portal older than the handle_token rule answers on another path */
  g_variant_get (reply, "(&o)", &handle);
  if (g_strcmp0 (handle, self->request_path) != 0)
    subscribe_response (self, handle);
}

/* asks the portal METHOD; @params ends with the options, which get a
 * handle_token; the answer goes to @next */
static void
portal_request (GcCapturePortal *self, const gchar *method, GVariant *session,
                GVariantBuilder *options, void (*next) (GcCapturePortal *, GVariant *))
{
  static guint counter;
  g_autofree gchar *token = g_strdup_printf ("gc%d_%u", (gint) getpid (), ++counter);
  g_autofree gchar *path = request_path_for (self, token);
  GVariant *params;

  g_variant_builder_add (options, "{sv}", "handle_token", g_variant_new_string (token));
  /* subscribed before the call: the Response may come before the reply */
  subscribe_response (self, path);
  self->on_response = next;
  if (session == NULL)
    params = g_variant_new ("(a{sv})", options);
  else if (g_str_equal (method, "Start"))
    /* no parent window: the agent has none */
    params = g_variant_new ("(@osa{sv})", session, "", options);
  else
    params = g_variant_new ("(@oa{sv})", session, options);
  g_dbus_connection_call (self->bus, PORTAL_NAME, PORTAL_PATH, SCREENCAST_IFACE, method, params,
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          request_called, g_object_ref (self));
}

/* ---- the steps ------------------------------------------------------------ */

static void
on_session_closed (GDBusConnection *bus, const gchar *sender, const gchar *path,
                   const gchar *iface, const gchar *signal, GVariant *params, gpointer data)
{
  GcCapturePortal *self = data;

  g_message ("screen cast: the desktop ended the session");
  g_clear_pointer (&self->session, g_free);
  gc_capture_portal_close (self);
  if (self->pending != NULL)
    start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_FAILED,
                                           "the desktop closed the screen cast session"));
  else
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void remote_opened (GObject *object, GAsyncResult *res, gpointer data);

/* each call gives a connection of its own: one for pipewiresrc, one to
 * watch the node with (one socket cannot carry two PipeWire clients) */
static void
open_remote (GcCapturePortal *self)
{
  g_dbus_connection_call_with_unix_fd_list (self->bus, PORTAL_NAME, PORTAL_PATH, SCREENCAST_IFACE,
                                            "OpenPipeWireRemote",
                                            g_variant_new ("(oa{sv})", self->session, NULL),
                                            G_VARIANT_TYPE ("(h)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                            NULL, NULL, remote_opened, g_object_ref (self));
}

static void
remote_opened (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcCapturePortal) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GUnixFDList) fds = NULL;
  g_autoptr (GVariant) reply = NULL;
  gint32 index = -1;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (object), &fds, res,
                                                           &error);
  if (self->pending == NULL)
    return;
  if (reply != NULL)
    g_variant_get (reply, "(h)", &index);
  if (self->fd >= 0 && (reply == NULL || fds == NULL || index < 0
                         || index >= g_unix_fd_list_get_length (fds)))
    {
      start_done (self);
      return;
    }
  if (reply == NULL || fds == NULL || index < 0 || index >= g_unix_fd_list_get_length (fds))
    {
      if (error != NULL)
        g_dbus_error_strip_remote_error (error);
      start_fail (self, g_error_new (GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                                     "cannot reach PipeWire through the portal (is pipewire "
                                     "running in this session?)%s%s",
                                     error ? ": " : "", error ? error->message : ""));
      return;
    }
  if (self->fd >= 0)
    {
      self->watch_fd = g_unix_fd_list_get (fds, index, NULL);
      start_done (self);
      return;
    }
  self->fd = g_unix_fd_list_get (fds, index, &error);
  if (self->fd < 0)
    {
      start_fail (self, g_error_new (GC_ERROR, GC_ERROR_FAILED, "the PipeWire fd: %s",
                                     error->message));
      return;
    }
  open_remote (self);
}

static void
save_token (GcCapturePortal *self, const gchar *token)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = NULL;

  if (self->token_path == NULL)
    return;
  /* a token is good for one restore: each share leaves the next one's */
  if (token == NULL)
    {
      g_unlink (self->token_path);
      return;
    }
  dir = g_path_get_dirname (self->token_path);
  g_mkdir_with_parents (dir, 0700);
  if (!g_file_set_contents_full (self->token_path, token, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("cannot keep the screen cast's restore token: %s", error->message);
}

static void
started (GcCapturePortal *self, GVariant *results)
{
  g_autoptr (GVariant) streams = g_variant_lookup_value (results, "streams",
                                                         G_VARIANT_TYPE ("a(ua{sv})"));
  g_autoptr (GVariant) props = NULL;
  const gchar *token = NULL;

  if (streams == NULL || g_variant_n_children (streams) == 0)
    {
      start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_FAILED,
                                             "the portal shared no stream"));
      return;
    }
  g_variant_get_child (streams, 0, "(u@a{sv})", &self->node, &props);
  g_variant_lookup (props, "size", "(ii)", &self->width, &self->height);
  g_variant_lookup (results, "restore_token", "&s", &token);
  save_token (self, token);
  open_remote (self);
}

static void
sources_selected (GcCapturePortal *self, GVariant *results)
{
  g_auto (GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  /* the portal's dialog now (none with a valid restore token) */
  portal_request (self, "Start", g_variant_new_object_path (self->session), &options, started);
}

static void
select_sources (GcCapturePortal *self)
{
  g_auto (GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  guint32 types = self->source_types & (SOURCE_MONITOR | SOURCE_WINDOW);
  guint32 cursor = (self->cursor_modes & CURSOR_EMBEDDED) ? CURSOR_EMBEDDED : CURSOR_HIDDEN;

  g_variant_builder_add (&options, "{sv}", "types",
                         g_variant_new_uint32 (types != 0 ? types : SOURCE_MONITOR));
  g_variant_builder_add (&options, "{sv}", "multiple", g_variant_new_boolean (FALSE));
  if (self->cursor_modes != 0)
    g_variant_builder_add (&options, "{sv}", "cursor_mode", g_variant_new_uint32 (cursor));
  /* version 4: the choice is kept, and a token brings it back */
  if (self->version >= 4)
    {
      g_variant_builder_add (&options, "{sv}", "persist_mode",
                             g_variant_new_uint32 (PERSIST_UNTIL_REVOKED));
      if (self->restore_token != NULL)
        {
          g_variant_builder_add (&options, "{sv}", "restore_token",
                                 g_variant_new_string (self->restore_token));
          self->used_token = TRUE;
        }
    }
  portal_request (self, "SelectSources", g_variant_new_object_path (self->session), &options,
                  sources_selected);
}

static void
session_created (GcCapturePortal *self, GVariant *results)
{
  const gchar *handle = NULL;

  if (!g_variant_lookup (results, "session_handle", "&s", &handle)
      || !g_variant_is_object_path (handle))
    {
      start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_FAILED,
                                             "the portal made no screen cast session"));
      return;
    }
  self->session = g_strdup (handle);
  self->closed_id =
    g_dbus_connection_signal_subscribe (self->bus, PORTAL_NAME, SESSION_IFACE, "Closed",
                                        self->session, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_session_closed, self, NULL);
  select_sources (self);
}

static void
create_session (GcCapturePortal *self)
{
  g_auto (GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autofree gchar *token = g_strdup_printf ("gcsession%d", (gint) getpid ());

  g_variant_builder_add (&options, "{sv}", "session_handle_token", g_variant_new_string (token));
  portal_request (self, "CreateSession", NULL, &options, session_created);
}

static gboolean
portal_missing (const GError *error)
{
  g_autofree gchar *name = g_dbus_error_get_remote_error (error);

  return g_strcmp0 (name, "org.freedesktop.DBus.Error.ServiceUnknown") == 0
         || g_strcmp0 (name, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0
         || g_strcmp0 (name, "org.freedesktop.DBus.Error.Spawn.ChildExited") == 0;
}

static void
got_properties (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcCapturePortal) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), res,
                                                              &error);
  g_autoptr (GVariant) props = NULL;

  if (self->pending == NULL)
    return;
  if (reply == NULL && portal_missing (error))
    {
      start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                                             "no screen sharing portal on the session bus: "
                                             "install and run xdg-desktop-portal with the "
                                             "desktop's portal (xdg-desktop-portal-gnome on "
                                             "GNOME, -kde on KDE, -wlr on sway)"));
      return;
    }
  if (reply != NULL)
    g_variant_get (reply, "(@a{sv})", &props);
  if (props == NULL || !g_variant_lookup (props, "version", "u", &self->version))
    {
      start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                                             "the desktop portal cannot share the screen (no "
                                             "ScreenCast interface): install the desktop's "
                                             "portal, e.g. xdg-desktop-portal-gnome"));
      return;
    }
  g_variant_lookup (props, "AvailableSourceTypes", "u", &self->source_types);
  g_variant_lookup (props, "AvailableCursorModes", "u", &self->cursor_modes);
  /* before the dialog: without PipeWire a portal may never answer Start */
  if (!gc_pipewire_check (&error))
    {
      start_fail (self, g_steal_pointer (&error));
      return;
    }
  create_session (self);
}

static void
got_bus (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcCapturePortal) self = data;
  g_autoptr (GError) error = NULL;

  self->bus = g_bus_get_finish (res, &error);
  if (self->pending == NULL)
    return;
  if (self->bus == NULL)
    {
      start_fail (self, g_error_new (GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                                     "screen sharing on Wayland needs the desktop's session "
                                     "bus: %s", error->message));
      return;
    }
  g_dbus_connection_call (self->bus, PORTAL_NAME, PORTAL_PATH, "org.freedesktop.DBus.Properties",
                          "GetAll", g_variant_new ("(s)", SCREENCAST_IFACE),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
                          got_properties, g_object_ref (self));
}

/* ---- API ------------------------------------------------------------------ */

GcCapturePortal *
gc_capture_portal_new (const gchar *token_path)
{
  GcCapturePortal *self = g_object_new (GC_TYPE_CAPTURE_PORTAL, NULL);

  self->token_path = g_strdup (token_path);
  return self;
}

/* opens a screen cast: the portal's dialog (or the restore token), then
 * the PipeWire remote. done once the fd and node are known */
void
gc_capture_portal_start_async (GcCapturePortal *self, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autoptr (GstElementFactory) pw = gst_element_factory_find ("pipewiresrc");
  g_autofree gchar *token = NULL;

  g_return_if_fail (GC_IS_CAPTURE_PORTAL (self));

  g_task_set_source_tag (task, gc_capture_portal_start_async);
  if (self->pending != NULL || self->session != NULL)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_FAILED, "the screen cast is open already");
      return;
    }
  /* before any dialog: a picture the pipeline could not read is no use */
  if (pw == NULL)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                               "screen sharing on Wayland needs GStreamer's PipeWire element "
                               "(install gstreamer1.0-pipewire)");
      return;
    }
  if (self->token_path != NULL && g_file_get_contents (self->token_path, &token, NULL, NULL))
    {
      g_free (self->restore_token);
      self->restore_token = g_strstrip (g_steal_pointer (&token));
      if (*self->restore_token == '\0')
        g_clear_pointer (&self->restore_token, g_free);
    }
  self->used_token = FALSE;
  self->pending = g_steal_pointer (&task);
  g_bus_get (G_BUS_TYPE_SESSION, NULL, got_bus, g_object_ref (self));
}

gboolean
gc_capture_portal_start_finish (GcCapturePortal *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ends the screen cast (and a start under way) */
void
gc_capture_portal_close (GcCapturePortal *self)
{
  g_return_if_fail (GC_IS_CAPTURE_PORTAL (self));

  if (self->request_path != NULL && self->bus != NULL)
    g_dbus_connection_call (self->bus, PORTAL_NAME, self->request_path, REQUEST_IFACE, "Close",
                            NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
  forget_request (self);
  if (self->closed_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->closed_id);
  self->closed_id = 0;
  if (self->session != NULL && self->bus != NULL)
    g_dbus_connection_call (self->bus, PORTAL_NAME, self->session, SESSION_IFACE, "Close", NULL,
                            NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
  g_clear_pointer (&self->session, g_free);
  if (self->fd >= 0)
    close (self->fd);
  if (self->watch_fd >= 0)
    close (self->watch_fd);
  self->fd = self->watch_fd = -1;
  if (self->pending != NULL)
    start_fail (self, g_error_new_literal (GC_ERROR, GC_ERROR_FAILED,
                                           "the screen cast was stopped before it started"));
}

gint
gc_capture_portal_get_fd (GcCapturePortal *self)
{
  g_return_val_if_fail (GC_IS_CAPTURE_PORTAL (self), -1);
  return self->fd;
}

/* the second remote, to watch the node with; -1 when there is none */
gint
gc_capture_portal_get_watch_fd (GcCapturePortal *self)
{
  g_return_val_if_fail (GC_IS_CAPTURE_PORTAL (self), -1);
  return self->watch_fd;
}

guint32
gc_capture_portal_get_node (GcCapturePortal *self)
{
  g_return_val_if_fail (GC_IS_CAPTURE_PORTAL (self), 0);
  return self->node;
}

void
gc_capture_portal_get_size (GcCapturePortal *self, gint *width, gint *height)
{
  g_return_if_fail (GC_IS_CAPTURE_PORTAL (self));
  *width = self->width;
  *height = self->height;
}

/* the last start offered a restore token (so no dialog, if it was good) */
gboolean
gc_capture_portal_used_token (GcCapturePortal *self)
{
  g_return_val_if_fail (GC_IS_CAPTURE_PORTAL (self), FALSE);
  return self->used_token;
}

static void
gc_capture_portal_dispose (GObject *object)
{
  GcCapturePortal *self = GC_CAPTURE_PORTAL (object);

  gc_capture_portal_close (self);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (gc_capture_portal_parent_class)->dispose (object);
}

static void
gc_capture_portal_finalize (GObject *object)
{
  GcCapturePortal *self = GC_CAPTURE_PORTAL (object);

  g_free (self->token_path);
  g_free (self->restore_token);
  G_OBJECT_CLASS (gc_capture_portal_parent_class)->finalize (object);
}

static void
gc_capture_portal_class_init (GcCapturePortalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_capture_portal_dispose;
  object_class->finalize = gc_capture_portal_finalize;

  /* the desktop ended a screen cast that had started */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gc_capture_portal_init (GcCapturePortal *self)
{
  self->fd = -1;
  self->watch_fd = -1;
}
