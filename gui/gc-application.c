/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcApplication"

#include "config.h"

#include "gc-application.h"

#include <glib/gstdio.h>
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

/* ---- the settings (GSettings, schema io.github.Groupcast) ---- */

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

/* the panel's settings, or NULL when the schema is not installed (a panel
 * run from a build tree without GSETTINGS_SCHEMA_DIR): it then works with
 * the defaults and keeps nothing, and says so once */
GSettings *
gc_application_dup_settings (void)
{
  static gsize said;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, GC_APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      if (g_once_init_enter (&said))
        {
          g_message ("the settings schema %s is not installed: choices are not kept",
                     GC_APPLICATION_ID);
          g_once_init_leave (&said, 1);
        }
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* a bus chosen with an earlier panel, in ~/.config/groupcast/panel.ini,
 * moves into the settings once */
static void
import_old_settings (GSettings *settings)
{
  g_autofree gchar *path = g_build_filename (g_get_user_config_dir (), "groupcast", "panel.ini",
                                             NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *value = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    return;
  value = g_key_file_get_string (kf, "panel", "bus", NULL);
  if (bus_from_string (value) != G_BUS_TYPE_NONE)
    g_settings_set_string (settings, "bus", value);
  if (g_unlink (path) == 0)
    g_message ("the bus choice of %s is now a setting (io.github.Groupcast bus)", path);
}

/* the saved bus, or the session bus */
GBusType
gc_application_load_bus (void)
{
  g_autoptr (GSettings) settings = gc_application_dup_settings ();
  g_autofree gchar *value = NULL;
  GBusType bus;

  if (settings == NULL)
    return G_BUS_TYPE_SESSION;
  import_old_settings (settings);
  value = g_settings_get_string (settings, "bus");
  bus = bus_from_string (value);
  return bus != G_BUS_TYPE_NONE ? bus : G_BUS_TYPE_SESSION;
}

gboolean
gc_application_save_bus (GBusType   bus,
                         GError   **error)
{
  g_autoptr (GSettings) settings = gc_application_dup_settings ();

  if (settings == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the settings schema %s is not installed", GC_APPLICATION_ID);
      return FALSE;
    }
  if (!g_settings_set_string (settings, "bus", bus_to_string (bus)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "the bus setting is not writable");
      return FALSE;
    }
  g_settings_sync ();
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

/* the panel's guide, as installed (docs/panel.md) */
static void
help_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autofree gchar *path = g_build_filename (GC_DOCDIR, "panel.md", NULL);
  g_autofree gchar *uri = g_filename_to_uri (path, NULL, NULL);

  gtk_show_uri (gtk_application_get_active_window (app), uri, GDK_CURRENT_TIME);
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
    { "help", help_activated, NULL, NULL, NULL, { 0 } },
    { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
    { "bus", NULL, "s", "'session'", bus_changed, { 0 } },
  };
  const gchar *quit_accels[] = { "<Control>q", NULL };
  const gchar *help_accels[] = { "F1", NULL };
  GAction *bus_action;

  G_APPLICATION_CLASS (gc_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);

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
