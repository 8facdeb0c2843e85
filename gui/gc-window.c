/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcWindow"

#include "config.h"

#include "gc-window.h"

#include <glib/gi18n.h>

#include "gc-pair-dialog.h"
#include "gc-site-dialog.h"
#include "gc-peer-row.h"
#include "gc-receiver-view.h"
#include "gc-source-view.h"
#include "gc-switcher.h"
#include "gc-util.h"
#include "gc-name.h"
#include "gc-application.h"

/* how long a display shows its name after Identify */
#define IDENTIFY_SECONDS 5

/* the main window: the agent's state, and when it runs, its receivers
 * (to switch), its group (as a source) and its own receiver */
struct _GcWindow
{
  AdwApplicationWindow parent_instance;

  GcAgentClient *client;
  GcPeerList *peers;
  GListModel *receivers; /* the peers with the receiver role */
  GListModel *sources;   /* and those with the source role */
  GtkCustomFilter *filter;
  GtkMultiSelection *selection;
  GcSwitcher *switcher;  /* for the source role, when the agent has it */
  GCancellable *cancellable;

  AdwToastOverlay *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkWidget *search_button;
  GtkStack *main_stack;
  AdwStatusPage *absent_page;
  AdwViewSwitcherBar *switcher_bar;
  GtkButton *start_button;
  GtkSpinner *start_spinner;
  GtkLabel *start_error;
  gboolean starting;
  GtkRevealer *key_banner;
  GcDBusSource1 *url_source;  /* the source whose Url is followed */
  gulong url_id;
  GcDBusAgent1 *followed_agent; /* the agent whose key, name, address are followed */
  gulong agent_id;
  GtkLabel *key_banner_fix;
  AdwStatusPage *failed_page;
  AdwViewStack *view_stack;
  AdwViewStackPage *receiver_page;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkStack *list_stack;
  GtkListView *peer_list;
  GtkLabel *selection_label;
  GcSourceView *source_view;
  GcReceiverView *receiver_view;
};

G_DEFINE_FINAL_TYPE (GcWindow, gc_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* the selected receivers, in list order */
static GPtrArray *
selected_peers (GcWindow *self)
{
  g_autoptr (GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GPtrArray *peers = g_ptr_array_new_with_free_func (g_object_unref);
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position);
       ok; ok = gtk_bitset_iter_next (&iter, &position))
    {
      GcPeerItem *peer = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      if (peer != NULL)
        g_ptr_array_add (peers, peer);
    }
  return peers;
}

static void
update_actions (GcWindow *self)
{
  g_autoptr (GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr (GPtrArray) peers = selected_peers (self);
  guint n = (guint) gtk_bitset_get_size (set);
  gboolean all_online = TRUE;
  gboolean any_showing = FALSE;
  gboolean can;
  g_autofree gchar *text = NULL;

  /* an offline board cannot be asked; an idle one has nothing to release */
  for (guint i = 0; i < peers->len; i++)
    {
      GcPeerItem *p = g_ptr_array_index (peers, i);

      all_online &= gc_peer_item_get_offline_since (p) == 0;
      any_showing |= gc_peer_item_get_offline_since (p) == 0
                     && *gc_peer_item_get_current_source (p) != '\0';
    }
  can = n > 0 && self->switcher != NULL && all_online;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.release", can && any_showing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.identify", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.mute", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.unmute", can);
  /* one receiver at a time: names are not shared */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename", can && n == 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-to", can && n == 1);
  /* a display that does not hold this site's key (the agent holds one) */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pair",
                                 all_online && n == 1
                                   && gc_peer_item_get_not_paired (g_ptr_array_index (peers, 0)));

  if (self->switcher == NULL)
    text = g_strdup (_("This agent is not a source"));
  else if (n == 0)
    text = g_strdup (_("Select receivers to switch"));
  else
    text = g_strdup_printf (ngettext ("%u receiver selected", "%u receivers selected", n), n);
  gtk_label_set_label (self->selection_label, text);
}

static void
update_list_stack (GcWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 0;
  gboolean none = g_list_model_get_n_items (self->receivers) == 0;

  if (!empty)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else
    gtk_stack_set_visible_child_name (self->list_stack, none ? "empty" : "no-match");
}

/* ---- the window's size, kept in the settings ---- */

static void
restore_geometry (GcWindow *self)
{
  g_autoptr (GSettings) settings = gc_application_dup_settings ();

  if (settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
save_geometry (GtkWindow *window,
               gpointer   data)
{
  g_autoptr (GSettings) settings = gc_application_dup_settings ();
  gint width, height;

  if (settings == NULL)
    return FALSE;
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (settings);
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", MAX (width, 360));
      g_settings_set_int (settings, "window-height", MAX (height, 294));
    }
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (settings);
  return FALSE;
}

/* ---- what went wrong ---- */

/* @what ("Could not switch") and why, in a translated sentence: a D-Bus
 * error of the agent by its name; one the panel put together is already
 * a sentence. the agent's own words are behind Details */
static void
toast_error (GcWindow    *self,
             const gchar *what,
             GError      *error)
{
  g_autofree gchar *detail = NULL;
  g_autofree gchar *sentence = NULL;
  g_autofree gchar *text = NULL;

  if (g_dbus_error_is_remote_error (error))
    {
      sentence = gc_util_explain_error (error, &detail);
      /* TRANSLATORS: "Could not switch: Cannot reach it on the network" */
      text = g_strdup_printf (_("%s: %s"), what, sentence);
    }
  else
    text = g_strdup (error->message);
  gc_util_toast_details (GTK_WIDGET (self->toast_overlay), text, detail);
}

/* win.details(s): the agent's own words, whole, for those who ask */
static void
details_activated (GtkWidget   *widget,
                   const gchar *action_name,
                   GVariant    *parameter)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (widget), _("Details"),
                                                       g_variant_get_string (parameter, NULL)));
  adw_message_dialog_set_body_use_markup (dialog, FALSE);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- switch and release ---- */

static void
on_run_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GcWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  /* the rows show their own results; the window only says when the call
   * as a whole failed */
  if (!gc_switcher_run_finish (GC_SWITCHER (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast_error (self, _("Could not switch"), error);
}

static void
start_switch (GcWindow *self,
              gboolean  release)
{
  g_autoptr (GPtrArray) peers = selected_peers (self);

  if (self->switcher == NULL || peers->len == 0)
    return;
  gc_switcher_run_async (self->switcher, peers, release, self->cancellable,
                         on_run_done, g_object_ref (self));
}

static void
switch_activated (GtkWidget   *widget,
                  const gchar *action_name,
                  GVariant    *parameter)
{
  start_switch (GC_WINDOW (widget), FALSE);
}

static void
release_activated (GtkWidget   *widget,
                   const gchar *action_name,
                   GVariant    *parameter)
{
  start_switch (GC_WINDOW (widget), TRUE);
}

/* a request to the selected displays under way, and what its failure is
 * called in a toast */
typedef struct
{
  GcWindow *self;
  const gchar *failure; /* translated */
} Ask;

static void
on_ask_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Ask *ask = user_data;
  g_autoptr (GError) error = NULL;

  if (!gc_switcher_identify_finish (GC_SWITCHER (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast_error (ask->self, ask->failure, error);
  g_object_unref (ask->self);
  g_free (ask);
}

/* win.identify: the selected displays show their names, so people in the
 * room see which is which; win.mute and win.unmute: their sound off or on
 * again. over the signed control channel */
static void
ask_activated (GtkWidget   *widget,
               const gchar *action_name,
               GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);
  g_autoptr (GPtrArray) peers = selected_peers (self);
  Ask *ask;

  if (self->switcher == NULL || peers->len == 0)
    return;
  ask = g_new0 (Ask, 1);
  ask->self = g_object_ref (self);
  if (g_str_equal (action_name, "win.identify"))
    {
      ask->failure = _("Could not identify");
      gc_switcher_identify_async (self->switcher, peers, IDENTIFY_SECONDS, self->cancellable,
                                  on_ask_done, ask);
    }
  else
    {
      ask->failure = _("Could not change the sound");
      gc_switcher_mute_async (self->switcher, peers, g_str_equal (action_name, "win.mute"),
                              self->cancellable, on_ask_done, ask);
    }
}

/* ---- rename ---- */

static void
on_rename_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GcWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!gc_switcher_rename_finish (GC_SWITCHER (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast_error (self, _("Could not rename"), error);
}

/* win.rename-to(s): the selected receiver takes the name */
static void
rename_to_activated (GtkWidget   *widget,
                     const gchar *action_name,
                     GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);
  g_autoptr (GPtrArray) peers = selected_peers (self);
  const gchar *name = g_variant_get_string (parameter, NULL);

  if (self->switcher == NULL || peers->len != 1 || !gc_name_is_valid (name))
    return;
  gc_switcher_rename_async (self->switcher, g_ptr_array_index (peers, 0), name,
                            self->cancellable, on_rename_done, g_object_ref (self));
}

static void
rename_entry_changed (GtkEditable      *entry,
                      AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "rename",
                                           gc_name_is_valid (gtk_editable_get_text (entry)));
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const gchar      *response,
                    GcWindow         *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_strcmp0 (response, "rename") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.rename-to", "s",
                                gtk_editable_get_text (entry));
}

/* win.rename: asks for the selected receiver's new name */
static void
rename_activated (GtkWidget   *widget,
                  const gchar *action_name,
                  GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);
  g_autoptr (GPtrArray) peers = selected_peers (self);
  GcPeerItem *peer;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (self->switcher == NULL || peers->len != 1)
    return;
  peer = g_ptr_array_index (peers, 0);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Rename Receiver"),
                                                       NULL));
  /* TRANSLATORS: %s is the receiver's current name */
  adw_message_dialog_format_body (dialog,
                                  _("The new name of “%s” shows on its screen and in every "
                                    "panel of the site."),
                                  gc_peer_item_get_name (peer));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), gc_peer_item_get_name (peer));
  gtk_entry_set_max_length (GTK_ENTRY (entry), GC_NAME_MAX_BYTES);
  /* Enter is the Rename button (when the name is one it takes) */
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("New name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (entry, "changed", G_CALLBACK (rename_entry_changed), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* win.pair: asks for the code the selected display shows */
static void
pair_activated (GtkWidget   *widget,
                const gchar *action_name,
                GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);
  g_autoptr (GPtrArray) peers = selected_peers (self);
  GcDBusAgent1 *agent = self->client != NULL ? gc_agent_client_get_agent (self->client) : NULL;
  GcPeerItem *peer;

  if (agent == NULL || peers->len != 1)
    return;
  peer = g_ptr_array_index (peers, 0);
  gc_pair_dialog_present (GTK_WINDOW (self), agent, gc_peer_item_get_id (peer),
                          gc_peer_item_get_name (peer), GTK_WIDGET (self->toast_overlay));
}

/* win.create-site-key: the first computer of a site makes the key */
static void
create_site_key_activated (GtkWidget   *widget,
                           const gchar *action_name,
                           GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);
  GcDBusAgent1 *agent = self->client != NULL ? gc_agent_client_get_agent (self->client) : NULL;

  if (agent != NULL)
    gc_site_dialog_create (GTK_WINDOW (self), agent, GTK_WIDGET (self->toast_overlay));
}

/* win.join-site: this computer shows a code a keyed panel pairs with */
static void
join_site_activated (GtkWidget   *widget,
                     const gchar *action_name,
                     GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);
  GcDBusAgent1 *agent = self->client != NULL ? gc_agent_client_get_agent (self->client) : NULL;
  GcDBusReceiver1 *receiver = self->client != NULL ? gc_agent_client_get_receiver (self->client)
                                                   : NULL;

  if (agent != NULL && receiver != NULL)
    gc_site_dialog_join (GTK_WINDOW (self), agent, receiver, GTK_WIDGET (self->toast_overlay));
}

static void
search_activated (GtkWidget   *widget,
                  const gchar *action_name,
                  GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "receivers");
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ---- search ---- */

static gboolean
filter_peer (gpointer item,
             gpointer user_data)
{
  GcWindow *self = user_data;
  const gchar *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree gchar *needle = NULL;
  g_autofree gchar *name = NULL;

  if (text == NULL || *text == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);
  name = g_utf8_casefold (gc_peer_item_get_name (GC_PEER_ITEM (item)), -1);
  return strstr (name, needle) != NULL
         || strstr (gc_peer_item_get_address (GC_PEER_ITEM (item)), text) != NULL;
}

static void
on_search_changed (GcWindow *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* ---- following the agent ---- */

/* the receivers showing this agent's own source say its name */
static void
update_self (GcWindow *self)
{
  GcDBusAgent1 *agent = self->client != NULL ? gc_agent_client_get_agent (self->client) : NULL;
  GcDBusSource1 *source = self->client != NULL ? gc_agent_client_get_source (self->client) : NULL;

  gc_peer_list_set_self (self->peers, source != NULL ? gc_dbus_source1_get_url (source) : NULL,
                         agent != NULL ? gc_dbus_agent1_get_name (agent) : NULL);
}

static void
on_source_url (GcDBusSource1 *source,
               GParamSpec    *pspec,
               GcWindow      *self)
{
  update_self (self);
}

/* an agent without a site key: every display refuses its switches, and
 * every receiver is listed as not paired; the banner says so and how to
 * mend it (the key file the agent reads at its next start) */
static void
update_key_banner (GcWindow *self)
{
  GcDBusAgent1 *agent = self->client != NULL ? gc_agent_client_get_agent (self->client) : NULL;
  gboolean keyless = agent != NULL && !gc_dbus_agent1_get_authenticated (agent);
  g_autofree gchar *fix = NULL;

  gc_peer_list_set_site_key (self->peers, agent != NULL && gc_dbus_agent1_get_authenticated (agent));
  gtk_revealer_set_reveal_child (self->key_banner, keyless);
  /* joining takes a receiver role: it is what pairs */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.join-site",
                                 keyless && gc_agent_client_get_receiver (self->client) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.create-site-key", keyless);
  if (!keyless)
    return;
  if (gc_agent_client_get_bus_type (self->client) == G_BUS_TYPE_SYSTEM
      && gc_agent_client_get_address (self->client) == NULL)
    /* TRANSLATORS: %s is a file name */
    fix = g_strdup_printf (_("Copy the site's key to %s (owner groupcast-agent, mode 0600), or "
                             "make the site's first key with “sudo groupcast-agent "
                             "--new-site-key %s”, then restart the agent "
                             "(systemctl restart groupcast-agent). Every display needs the "
                             "same key."),
                           "/etc/groupcast/site.key", "/etc/groupcast/site.key");
  else
    {
      g_autofree gchar *path = g_build_filename (g_get_user_config_dir (), "groupcast",
                                                 "site.key", NULL);

      /* TRANSLATORS: %s is a file name */
      fix = g_strdup_printf (_("Copy the site's key to %s (mode 0600), or make the site's "
                               "first key with “groupcast-agent --new-site-key %s”, then "
                               "restart the agent. Every display needs the same key."),
                             path, path);
    }
  gtk_label_set_label (self->key_banner_fix, fix);
}

static void
update_agent (GcWindow *self)
{
  GcDBusAgent1 *agent = self->client != NULL ? gc_agent_client_get_agent (self->client) : NULL;
  g_autofree gchar *subtitle = NULL;

  if (agent != NULL && gc_dbus_agent1_get_name (agent) != NULL)
    /* TRANSLATORS: the agent's name and address, under the window title */
    subtitle = g_strdup_printf (_("%s at %s"), gc_dbus_agent1_get_name (agent),
                                gc_dbus_agent1_get_address (agent) != NULL
                                ? gc_dbus_agent1_get_address (agent) : "");
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle != NULL ? subtitle : "");
  update_key_banner (self);
  update_self (self);
}

/* ---- starting the agent ---- */

static void
set_starting (GcWindow    *self,
              gboolean     starting,
              const gchar *error)
{
  self->starting = starting;
  gtk_widget_set_visible (GTK_WIDGET (self->start_spinner), starting);
  gtk_spinner_set_spinning (self->start_spinner, starting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), !starting);
  gtk_widget_set_visible (GTK_WIDGET (self->start_error), error != NULL);
  gtk_label_set_label (self->start_error, error != NULL ? error : "");
}

static void
on_agent_started (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GcWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object),
                                                              result, &error);
  g_autofree gchar *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      g_autofree gchar *remote = g_dbus_error_get_remote_error (error);
      g_autofree gchar *detail = NULL;
      g_autofree gchar *sentence = NULL;

      /* nothing there to start: the bus has no service file for the name,
       * or systemd no unit */
      if (g_strcmp0 (remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0
          || g_strcmp0 (remote, "org.freedesktop.systemd1.NoSuchUnit") == 0)
        {
          sentence = g_strdup (_("This computer has no Groupcast agent to start. Install "
                                 "groupcast-agent, or start it by hand."));
          g_dbus_error_strip_remote_error (error);
          detail = g_strdup (error->message);
        }
      else
        sentence = gc_util_explain_error (error, &detail);
      /* TRANSLATORS: %s says why, in a sentence */
      text = g_strdup_printf (_("The agent did not start: %s"), sentence);
      /* the bus's or systemd's own words, on demand */
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->start_error), detail);
      g_message ("starting the agent: %s (%s)", sentence, detail != NULL ? detail : "");
    }
  /* on success the page goes by itself when the agent's name appears */
  set_starting (self, FALSE, text);
}

/* win.start-agent: the system agent through systemd (which asks for
 * permission as it sees fit), a session agent by D-Bus activation (its
 * .service file starts the user unit, or the program) */
static void
start_agent_activated (GtkWidget   *widget,
                       const gchar *action_name,
                       GVariant    *parameter)
{
  GcWindow *self = GC_WINDOW (widget);
  GDBusConnection *connection = self->client != NULL
                                ? gc_agent_client_get_connection (self->client) : NULL;

  if (connection == NULL || self->starting)
    return;
  set_starting (self, TRUE, NULL);
  if (gc_agent_client_get_address (self->client) == NULL
      && gc_agent_client_get_bus_type (self->client) == G_BUS_TYPE_SYSTEM)
    g_dbus_connection_call (connection, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                            "org.freedesktop.systemd1.Manager", "StartUnit",
                            g_variant_new ("(ss)", "groupcast-agent.service", "replace"),
                            G_VARIANT_TYPE ("(o)"),
                            G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, 60000,
                            self->cancellable, on_agent_started, g_object_ref (self));
  else
    g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus", "StartServiceByName",
                            g_variant_new ("(su)", GC_DBUS_NAME, 0), G_VARIANT_TYPE ("(u)"),
                            G_DBUS_CALL_FLAGS_NONE, 30000, self->cancellable, on_agent_started,
                            g_object_ref (self));
}

/* the bottom switcher stands in for the title's one on a narrow window,
 * and only where there are views to switch: not on the agent-less pages */
static void
update_switcher_bar (GcWindow *self)
{
  gboolean present = self->client != NULL
                     && gc_agent_client_get_state (self->client) == GC_AGENT_STATE_PRESENT;

  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    present && adw_view_switcher_title_get_title_visible (
                                                 self->switcher_title));
}

static void
on_title_visible (AdwViewSwitcherTitle *title,
                  GParamSpec           *pspec,
                  GcWindow             *self)
{
  update_switcher_bar (self);
}

static void
update_state (GcWindow *self)
{
  GcAgentState state = self->client != NULL ? gc_agent_client_get_state (self->client)
                                            : GC_AGENT_STATE_CONNECTING;

  /* the views, and searching them, only make sense with an agent */
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title,
                                                     state == GC_AGENT_STATE_PRESENT);
  update_switcher_bar (self);
  gtk_widget_set_visible (self->search_button, state == GC_AGENT_STATE_PRESENT);

  switch (state)
    {
    case GC_AGENT_STATE_CONNECTING:
      gtk_stack_set_visible_child_name (self->main_stack, "connecting");
      break;
    case GC_AGENT_STATE_ABSENT:
      gtk_stack_set_visible_child_name (self->main_stack, "absent");
      break;
    case GC_AGENT_STATE_PRESENT:
      gtk_stack_set_visible_child_name (self->main_stack, "agent");
      break;
    case GC_AGENT_STATE_FAILED:
      adw_status_page_set_description (self->failed_page,
                                       gc_agent_client_get_error (self->client));
      gtk_stack_set_visible_child_name (self->main_stack, "failed");
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
update_objects (GcWindow *self)
{
  GDBusObjectManager *manager = NULL;
  GcDBusSource1 *source = NULL;
  GcDBusReceiver1 *receiver = NULL;

  if (self->client != NULL)
    {
      manager = gc_agent_client_get_manager (self->client);
      source = gc_agent_client_get_source (self->client);
      receiver = gc_agent_client_get_receiver (self->client);
    }

  gc_peer_list_set_manager (self->peers, manager);
  {
    GcDBusAgent1 *agent = self->client != NULL ? gc_agent_client_get_agent (self->client) : NULL;

    /* a key that comes (Create, Join, pairing) takes the banner away */
    if (self->followed_agent != agent)
      {
        if (self->followed_agent != NULL)
          g_clear_signal_handler (&self->agent_id, self->followed_agent);
        g_set_object (&self->followed_agent, agent);
        if (agent != NULL)
          self->agent_id = g_signal_connect_swapped (agent, "g-properties-changed",
                                                     G_CALLBACK (update_agent), self);
      }
  }
  if (self->url_source != source)
    {
      if (self->url_source != NULL)
        g_clear_signal_handler (&self->url_id, self->url_source);
      g_set_object (&self->url_source, source);
      if (source != NULL)
        self->url_id = g_signal_connect (source, "notify::url", G_CALLBACK (on_source_url), self);
    }

  /* a run under way keeps its own switcher, and its source, to the end */
  if (source == NULL)
    g_clear_object (&self->switcher);
  else if (self->switcher == NULL || gc_switcher_get_source (self->switcher) != source)
    {
      g_clear_object (&self->switcher);
      self->switcher = gc_switcher_new (source);
      gc_switcher_follow (self->switcher, self->peers);
    }
  gc_source_view_set_source (self->source_view, source);
  gc_receiver_view_set_receiver (self->receiver_view, receiver);
  adw_view_stack_page_set_visible (self->receiver_page, receiver != NULL);
  update_agent (self);
  update_actions (self);
}

GcAgentClient *
gc_window_get_client (GcWindow *self)
{
  g_return_val_if_fail (GC_IS_WINDOW (self), NULL);
  return self->client;
}

void
gc_window_set_client (GcWindow      *self,
                      GcAgentClient *client)
{
  g_return_if_fail (GC_IS_WINDOW (self));

  if (self->client == client)
    return;
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (client != NULL)
    {
      g_signal_connect_swapped (client, "notify::state", G_CALLBACK (update_state), self);
      g_signal_connect_swapped (client, "notify::manager", G_CALLBACK (update_objects), self);
      g_signal_connect_swapped (client, "notify::source", G_CALLBACK (update_objects), self);
      g_signal_connect_swapped (client, "notify::receiver", G_CALLBACK (update_objects), self);
      g_signal_connect_swapped (client, "notify::agent", G_CALLBACK (update_objects), self);
    }
  update_state (self);
  update_objects (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

GcPeerList *
gc_window_get_peers (GcWindow *self)
{
  g_return_val_if_fail (GC_IS_WINDOW (self), NULL);
  return self->peers;
}

/* the receivers, before the search and the sorting */
GListModel *
gc_window_get_receivers (GcWindow *self)
{
  g_return_val_if_fail (GC_IS_WINDOW (self), NULL);
  return self->receivers;
}

GtkSelectionModel *
gc_window_get_selection (GcWindow *self)
{
  g_return_val_if_fail (GC_IS_WINDOW (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

/* "connecting", "absent", "failed", or the view page ("receivers", "group",
 * "receiver") when the agent is there */
const gchar *
gc_window_get_visible_page (GcWindow *self)
{
  const gchar *name;

  g_return_val_if_fail (GC_IS_WINDOW (self), NULL);

  name = gtk_stack_get_visible_child_name (self->main_stack);
  if (g_strcmp0 (name, "agent") == 0)
    return adw_view_stack_get_visible_child_name (self->view_stack);
  return name;
}

void
gc_window_show_page (GcWindow    *self,
                     const gchar *name)
{
  g_return_if_fail (GC_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

GcWindow *
gc_window_new (GtkApplication *application,
               GcAgentClient  *client)
{
  return g_object_new (GC_TYPE_WINDOW,
                       "application", application,
                       "client", client,
                       NULL);
}

static void
gc_window_dispose (GObject *object)
{
  GcWindow *self = GC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_object (&self->switcher);
  if (self->url_source != NULL)
    g_clear_signal_handler (&self->url_id, self->url_source);
  g_clear_object (&self->url_source);
  if (self->followed_agent != NULL)
    g_clear_signal_handler (&self->agent_id, self->followed_agent);
  g_clear_object (&self->followed_agent);
  if (self->peers != NULL)
    gc_peer_list_set_manager (self->peers, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GC_TYPE_WINDOW);
  G_OBJECT_CLASS (gc_window_parent_class)->dispose (object);
}

static void
gc_window_finalize (GObject *object)
{
  GcWindow *self = GC_WINDOW (object);

  g_clear_object (&self->selection);
  g_clear_object (&self->filter);
  g_clear_object (&self->receivers);
  g_clear_object (&self->sources);
  g_clear_object (&self->peers);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (gc_window_parent_class)->finalize (object);
}

static void
gc_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GcWindow *self = GC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  GcWindow *self = GC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      gc_window_set_client (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_window_class_init (GcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gc_window_dispose;
  object_class->finalize = gc_window_finalize;
  object_class->get_property = gc_window_get_property;
  object_class->set_property = gc_window_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, GC_TYPE_AGENT_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "win.switch", NULL, switch_activated);
  gtk_widget_class_install_action (widget_class, "win.release", NULL, release_activated);
  gtk_widget_class_install_action (widget_class, "win.identify", NULL, ask_activated);
  gtk_widget_class_install_action (widget_class, "win.mute", NULL, ask_activated);
  gtk_widget_class_install_action (widget_class, "win.unmute", NULL, ask_activated);
  gtk_widget_class_install_action (widget_class, "win.rename", NULL, rename_activated);
  gtk_widget_class_install_action (widget_class, "win.pair", NULL, pair_activated);
  gtk_widget_class_install_action (widget_class, "win.create-site-key", NULL,
                                   create_site_key_activated);
  gtk_widget_class_install_action (widget_class, "win.join-site", NULL, join_site_activated);
  gtk_widget_class_install_action (widget_class, "win.start-agent", NULL, start_agent_activated);
  gtk_widget_class_install_action (widget_class, "win.details", "s", details_activated);
  gtk_widget_class_install_action (widget_class, "win.rename-to", "s", rename_to_activated);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.switch", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.switch", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);

  g_type_ensure (GC_TYPE_PEER_ROW);
  g_type_ensure (GC_TYPE_SOURCE_VIEW);
  g_type_ensure (GC_TYPE_RECEIVER_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/Groupcast/ui/gc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, absent_page);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, start_spinner);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, start_error);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, key_banner);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, key_banner_fix);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, receiver_page);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, peer_list);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, source_view);
  gtk_widget_class_bind_template_child (widget_class, GcWindow, receiver_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
}

static void
gc_window_init (GcWindow *self)
{
  g_autoptr (GtkFilterListModel) filtered = NULL;
  g_autoptr (GtkSortListModel) sorted = NULL;
  GtkStringSorter *sorter;

  self->cancellable = g_cancellable_new ();
  self->peers = gc_peer_list_new ();
  self->receivers = gc_peer_list_new_role_model (self->peers, "receiver");
  self->sources = gc_peer_list_new_role_model (self->peers, "source");

  gtk_widget_init_template (GTK_WIDGET (self));
  restore_geometry (self);
  g_signal_connect (self, "close-request", G_CALLBACK (save_geometry), NULL);
  g_signal_connect_object (self->switcher_title, "notify::title-visible",
                           G_CALLBACK (on_title_visible), self, 0);
  g_signal_connect_object (self->peers, "peer-notify", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);

  /* receivers → search filter → sorted by name → multi-selection */
  self->filter = gtk_custom_filter_new (filter_peer, self, NULL);
  filtered = gtk_filter_list_model_new (g_object_ref (self->receivers),
                                        g_object_ref (GTK_FILTER (self->filter)));
  sorter = gtk_string_sorter_new (gtk_property_expression_new (GC_TYPE_PEER_ITEM, NULL, "name"));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_steal_pointer (&filtered)),
                                    GTK_SORTER (sorter));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_steal_pointer (&sorted)));
  gtk_list_view_set_model (self->peer_list, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->selection, "items-changed",
                            G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->selection, "items-changed",
                            G_CALLBACK (update_list_stack), self);
  g_signal_connect_swapped (self->receivers, "items-changed",
                            G_CALLBACK (update_list_stack), self);

  gc_receiver_view_set_sources (self->receiver_view, self->sources);
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  update_state (self);
  update_objects (self);
  update_list_stack (self);
}
