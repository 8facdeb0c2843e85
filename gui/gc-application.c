/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcApplication"

#include "config.h"

#include "gc-application.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "gc-agent-client.h"
#include "gc-window.h"

struct _GcApplication
{
  AdwApplication parent_instance;

  GBusType bus;
  gchar *bus_address;
  GcAgentClient *client;
};

G_DEFINE_FINAL_TYPE (GcApplication, gc_application, ADW_TYPE_APPLICATION)

/* ---- the bus setting, kept in ~/.config/groupcast/panel.ini ---- */

static gchar *
config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "groupcast", "panel.ini", NULL);
}

static GBusType
bus_from_string (const gchar *s)
{
  if (g_strcmp0 (s, "system") == 0)
    return G_BUS_TYPE_SYSTEM;
  if (g_strcmp0 (s, "session") == 0)
    return G_BUS_TYPE_SESSION;
  return G_BUS_TYPE_NONE;
}

static const gchar *
bus_to_string (GBusType bus)
{
  return bus == G_BUS_TYPE_SYSTEM ? "system" : "session";
}

/* the saved bus, or the session bus when nothing (readable) is saved */
GBusType
gc_application_load_bus (void)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *path = config_path ();
  g_autofree gchar *value = NULL;
  GBusType bus;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    return G_BUS_TYPE_SESSION;
  value = g_key_file_get_string (kf, "panel", "bus", NULL);
  bus = bus_from_string (value);
  return bus != G_BUS_TYPE_NONE ? bus : G_BUS_TYPE_SESSION;
}

gboolean
gc_application_save_bus (GBusType   bus,
                         GError   **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *path = config_path ();
  g_autofree gchar *dir = g_path_get_dirname (path);

  /* keep whatever else is in the file */
  g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_string (kf, "panel", "bus", bus_to_string (bus));
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot make %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  if (!g_key_file_save_to_file (kf, path, error))
    {
      g_prefix_error (error, "saving %s: ", path);
      return FALSE;
    }
  return TRUE;
}

/* ---- the agent client, shared by all windows ---- */

static void
rebuild_client (GcApplication *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  g_clear_object (&self->client);
  self->client = gc_agent_client_new (self->bus, self->bus_address);
  for (GList *l = windows; l != NULL; l = l->next)
    if (GC_IS_WINDOW (l->data))
      gc_window_set_client (l->data, self->client);
}

static void
bus_changed (GSimpleAction *action,
             GVariant      *value,
             gpointer       user_data)
{
  GcApplication *self = user_data;
  GBusType bus = bus_from_string (g_variant_get_string (value, NULL));
  g_autoptr (GError) error = NULL;

  if (bus == G_BUS_TYPE_NONE)
    return;
  g_simple_action_set_state (action, value);
  if (bus == self->bus)
    return;
  self->bus = bus;
  if (!gc_application_save_bus (bus, &error))
    g_warning ("%s", error->message);
  rebuild_client (self);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = user_data;
  const gchar *developers[] = { "Groupcast contributors", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", "Groupcast",
                         "application-icon", GC_APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Share one screen with many displays by IP multicast"),
                         "license-type", GTK_LICENSE_GPL_2_0,
                         "developers", developers,
                         /* TRANSLATORS: put your name here, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static gint
gc_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  GcApplication *self = GC_APPLICATION (app);
  const gchar *bus = NULL;
  const gchar *address = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("groupcast %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "bus", "&s", &bus))
    {
      self->bus = bus_from_string (bus);
      if (self->bus == G_BUS_TYPE_NONE)
        {
          g_printerr (_("Unknown bus “%s”: use session or system\n"), bus);
          return 1;
        }
    }
  if (g_variant_dict_lookup (options, "bus-address", "&s", &address))
    {
      g_autoptr (GError) error = NULL;

      if (!g_dbus_is_supported_address (address, &error))
        {
          g_printerr (_("Bad bus address “%s”: %s\n"), address, error->message);
          return 1;
        }
      self->bus_address = g_strdup (address);
    }
  return -1;
}

static void
gc_application_startup (GApplication *app)
{
  GcApplication *self = GC_APPLICATION (app);
  const GActionEntry entries[] = {
    { "about", about_activated, NULL, NULL, NULL, { 0 } },
    { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
    { "bus", NULL, "s", "'session'", bus_changed, { 0 } },
  };
  const gchar *quit_accels[] = { "<Control>q", NULL };
  GAction *bus_action;

  G_APPLICATION_CLASS (gc_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  bus_action = g_action_map_lookup_action (G_ACTION_MAP (app), "bus");
  g_simple_action_set_state (G_SIMPLE_ACTION (bus_action),
                             g_variant_new_string (bus_to_string (self->bus)));
  /* an explicit address leaves no bus to choose */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (bus_action), self->bus_address == NULL);

  self->client = gc_agent_client_new (self->bus, self->bus_address);
}

static void
gc_application_activate (GApplication *app)
{
  GcApplication *self = GC_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (gc_window_new (GTK_APPLICATION (app), self->client));
  gtk_window_present (window);
}

static void
gc_application_dispose (GObject *object)
{
  GcApplication *self = GC_APPLICATION (object);

  g_clear_object (&self->client);
  G_OBJECT_CLASS (gc_application_parent_class)->dispose (object);
}

static void
gc_application_finalize (GObject *object)
{
  GcApplication *self = GC_APPLICATION (object);

  g_clear_pointer (&self->bus_address, g_free);
  G_OBJECT_CLASS (gc_application_parent_class)->finalize (object);
}

static void
gc_application_class_init (GcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = gc_application_dispose;
  object_class->finalize = gc_application_finalize;
  app_class->handle_local_options = gc_application_handle_local_options;
  app_class->startup = gc_application_startup;
  app_class->activate = gc_application_activate;
}

static void
gc_application_init (GcApplication *self)
{
  const GOptionEntry options[] = {
    { "bus", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The bus the agent is on: session or system (default: the saved choice)"),
      N_("BUS") },
    { "bus-address", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Talk to the agent on the bus at this D-Bus address"), N_("ADDRESS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
    { NULL }
  };

  self->bus = gc_application_load_bus ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

GcApplication *
gc_application_new (void)
{
  /* not unique: our application id is also the agent's well-known bus
   * name, so owning it on the session bus would steal the agent's name
   * (or find the agent and take it for a running panel) */
  return g_object_new (GC_TYPE_APPLICATION,
                       "application-id", GC_APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/io/github/Groupcast",
                       NULL);
}
