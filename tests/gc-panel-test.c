/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPanelTest"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <sys/prctl.h>

#include "gc-application.h"
#include "gc-lab.h"
#include "gc-peer-row.h"
#include "gc-receiver-view.h"
#include "gc-source-view.h"
#include "gc-window.h"
#include "gc-xvfb.h"

#define SITE_KEY "groupcast-panel-test-site-key"

#define AGENT GC_BUILD_DIR "/agent/groupcast-agent"
#define PANEL GC_BUILD_DIR "/gui/groupcast"

static GcXvfb *xvfb;
static gchar *xvfb_reason;
static gchar *tmp_dir;

/* ---- helpers ---- */

static gboolean
need_display (void)
{
  if (xvfb == NULL)
    {
      g_test_skip (xvfb_reason);
      return FALSE;
    }
  return TRUE;
}

static gboolean
need_agent (void)
{
  if (!g_file_test (AGENT, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("the agent (" AGENT ") is not built");
      return FALSE;
    }
  return TRUE;
}

static GcLab *
need_lab (guint n_hosts)
{
  g_autofree gchar *reason = NULL;
  g_autoptr (GError) error = NULL;
  GcLab *lab;

  if (!gc_lab_available (&reason))
    {
      g_test_skip (reason);
      return NULL;
    }
  lab = gc_lab_new (n_hosts, &error);
  g_assert_no_error (error);
  return lab;
}

typedef struct
{
  GSubprocess *process;
  gchar *address;
} Bus;

static void
bus_free (Bus *bus)
{
  if (bus == NULL)
    return;
  g_subprocess_force_exit (bus->process);
  g_subprocess_wait (bus->process, NULL, NULL);
  g_object_unref (bus->process);
  g_free (bus->address);
  g_free (bus);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bus, bus_free)

/* helpers die with the test, even when an assertion aborts it */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* runs dbus-daemon with @arg (and @arg2) until its socket at @socket is
 * there; the agents a bus starts inherit its environment */
static Bus *
bus_spawn (const gchar *socket,
           const gchar *arg,
           const gchar *arg2)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  Bus *bus = g_new0 (Bus, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* the agent's GStreamer warnings are not this suite's business */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  bus->process = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                              "--nopidfile", arg, arg2, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 200 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (10 * 1000);
  g_assert_true (g_file_test (socket, G_FILE_TEST_EXISTS));
  bus->address = g_strdup_printf ("unix:path=%s", socket);
  return bus;
}

/* a dbus-daemon of our own, so the panel never sees a real session bus */
static Bus *
bus_new (void)
{
  static guint counter;
  g_autofree gchar *path = g_strdup_printf ("%s/bus%u", tmp_dir, counter++);
  g_autofree gchar *listen = g_strdup_printf ("--address=unix:path=%s", path);

  return bus_spawn (path, "--session", listen);
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

/* a session bus that starts the agent on demand (D-Bus activation), as
 * the installed io.github.Groupcast.service does; the agent it starts
 * stays on loopback (a receiver, no discovery), outside any lab */
static Bus *
bus_new_activating (void)
{
  static guint counter;
  g_autofree gchar *dir = g_strdup_printf ("%s/activating%u", tmp_dir, counter++);
  g_autofree gchar *services = g_build_filename (dir, "services", NULL);
  g_autofree gchar *state = g_build_filename (dir, "state", NULL);
  g_autofree gchar *socket = g_build_filename (dir, "bus", NULL);
  g_autofree gchar *conf_path = g_build_filename (dir, "bus.conf", NULL);
  g_autofree gchar *service_path = g_build_filename (services, "io.github.Groupcast.service",
                                                     NULL);
  g_autofree gchar *conf = NULL;
  g_autofree gchar *service = NULL;
  g_autofree gchar *conf_arg = NULL;

  g_assert_cmpint (g_mkdir_with_parents (services, 0700), ==, 0);
  conf = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
                          "Configuration 1.0//EN\"\n \"http://www.freedesktop.org/standards/"
                          "dbus/1.0/busconfig.dtd\">\n<busconfig>\n<type>session</type>\n"
                          "<listen>unix:path=%s</listen>\n<servicedir>%s</servicedir>\n"
                          "<policy context=\"default\"><allow send_destination=\"*\" "
                          "eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                          "</policy>\n</busconfig>\n", socket, services);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
  service = g_strdup_printf ("[D-BUS Service]\nName=io.github.Groupcast\nExec=%s --bus=session "
                             "--receiver --sink=fake --interface=lo --no-mdns --no-beacons "
                             "--allow-unauthenticated --state-dir=%s\n", AGENT, state);
  g_assert_true (g_file_set_contents (service_path, service, -1, NULL));
  conf_arg = g_strdup_printf ("--config-file=%s", conf_path);
  return bus_spawn (socket, conf_arg, NULL);
}

/* the pid of the agent that owns the name on @address (0: none) */
static guint
agent_pid_on (const gchar *address)
{
  g_autoptr (GDBusConnection) c = NULL;
  g_autoptr (GVariant) r = NULL;
  guint pid = 0;

  c = g_dbus_connection_new_for_address_sync (address,
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                              | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, NULL);
  if (c == NULL)
    return 0;
  r = g_dbus_connection_call_sync (c, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                   g_variant_new ("(s)", "io.github.Groupcast"),
                                   G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL,
                                   NULL);
  if (r != NULL)
    g_variant_get (r, "(u)", &pid);
  return pid;
}

/* an agent in a lab host, on the given bus */
static GSubprocess *
agent_spawn_keyed (GcLab       *lab,
                   guint        host,
                   const gchar *bus_address,
                   const gchar *name,
                   const gchar *role,
                   const gchar *key)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key_path = g_build_filename (gc_lab_host_dir (lab, host), "site.key", NULL);
  g_autofree gchar *key_arg = g_strdup_printf ("--key-file=%s", key_path);
  /* "--desktop": both roles, as the user unit runs a desktop's agent */
  gboolean desktop = g_str_equal (role, "--desktop");
  const gchar *argv[] = {
    AGENT, desktop ? "--source" : role, "--bus-address", bus_address, "--interface", "eth0",
    /* no key: unsigned requests taken, unless the key is "" (a board fresh
     * from the box, which shows a pairing code) */
    "--no-mdns", key == NULL ? "--allow-unauthenticated" : *key != '\0' ? key_arg : "--verbose",
    "--name", name,
    "--state-dir", gc_lab_host_dir (lab, host),
    desktop ? "--receiver" : "--verbose",
    desktop || g_str_equal (role, "--receiver") ? "--sink" : NULL, "fake",
    NULL
  };
  GSubprocess *process;

  /* the test's fatal-criticals would turn the agent's own GStreamer
   * warnings into aborts; the agent is not what this suite tests */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  if (key != NULL && *key != '\0')
    {
      g_assert_true (g_file_set_contents (key_path, key, -1, NULL));
      g_assert_cmpint (g_chmod (key_path, 0600), ==, 0);
    }
  process = gc_lab_spawnv (lab, host, launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

/* an agent without a site key, accepting unauthenticated requests */
static GSubprocess *
agent_spawn (GcLab       *lab,
             guint        host,
             const gchar *bus_address,
             const gchar *name,
             const gchar *role)
{
  return agent_spawn_keyed (lab, host, bus_address, name, role, NULL);
}

static gboolean
process_exited (gpointer user_data)
{
  return g_subprocess_get_identifier (user_data) == NULL;
}

/* SIGTERM, then SIGKILL if it lingers */
static void
process_stop (GSubprocess *process)
{
  if (process == NULL || g_subprocess_get_identifier (process) == NULL)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_async (process, NULL, NULL, NULL);
  if (!gc_test_wait_until (process_exited, process, 3000))
    g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

static GcWindow *
window_new (const gchar *address)
{
  g_autoptr (GcAgentClient) client = gc_agent_client_new (G_BUS_TYPE_SESSION, address);
  GcWindow *window = gc_window_new (NULL, client);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
window_destroy (GcWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  /* let the unrealize and the cancelled calls run out */
  gc_test_sleep (50);
}

typedef struct
{
  GcWindow *window;
  const gchar *page;
} PageWait;

static gboolean
page_is (gpointer user_data)
{
  PageWait *w = user_data;

  return g_strcmp0 (gc_window_get_visible_page (w->window), w->page) == 0;
}

static void
assert_page (GcWindow    *window,
             const gchar *page,
             guint        timeout_ms)
{
  PageWait w = { window, page };

  if (!gc_test_wait_until (page_is, &w, timeout_ms))
    g_error ("the panel shows “%s”, not “%s”, after %u ms",
             gc_window_get_visible_page (window), page, timeout_ms);
}

static gpointer
template_child (GcWindow    *window,
                const gchar *id)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (window), GC_TYPE_WINDOW, id);

  g_assert_nonnull (child);
  return child;
}

/* draw the window the way the screen shows it, into a PNG */
static void
save_screenshot (GtkWidget   *widget,
                 const gchar *name)
{
  g_autofree gchar *dir = g_build_filename (GC_BUILD_DIR, "tests", "artifacts", NULL);
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  /* a window that has not been drawn yet (a busy machine) has nothing to
   * give: a few more frames, at most 3 s */
  for (guint i = 0; node == NULL && i < 30; i++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        gc_test_sleep (100);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* the window with an open popover drawn where the screen shows it (the
 * popover is a surface of its own, which the window's picture lacks) */
static void
save_screenshot_with_popover (GtkWidget *window, GtkWidget *popover, const gchar *name)
{
  g_autofree gchar *dir = g_build_filename (GC_BUILD_DIR, "tests", "artifacts", NULL);
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr (GdkPaintable) wp = gtk_widget_paintable_new (window);
  g_autoptr (GdkPaintable) pp = gtk_widget_paintable_new (popover);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (popover));
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);
  double wx = 0, wy = 0, px = 0, py = 0;
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  gtk_native_get_surface_transform (GTK_NATIVE (window), &wx, &wy);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &px, &py);
  gdk_paintable_snapshot (wp, GDK_SNAPSHOT (snapshot), width, height);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT ((float) (gdk_popup_get_position_x (GDK_POPUP (surface))
                                                         + px - wx),
                                                (float) (gdk_popup_get_position_y (GDK_POPUP (surface))
                                                         + py - wy)));
  gdk_paintable_snapshot (pp, GDK_SNAPSHOT (snapshot), gtk_widget_get_width (popover),
                          gtk_widget_get_height (popover));
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* ---- the window against buses and agents ---- */

static void
test_not_running (void)
{
  g_autoptr (Bus) bus = NULL;
  GcWindow *window;

  if (!need_display ())
    return;
  bus = bus_new ();
  window = window_new (bus->address);
  assert_page (window, "absent", 3000);
  /* a button, not a command to type; no view switcher with no views */
  g_assert_true (gtk_widget_get_visible (template_child (window, "start_button")));
  g_assert_false (adw_view_switcher_bar_get_reveal (template_child (window, "switcher_bar")));
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 600);
  gc_test_sleep (300);
  g_assert_false (adw_view_switcher_bar_get_reveal (template_child (window, "switcher_bar")));
  /* nothing to switch with */
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (template_child (window, "search_button")))
                  && gtk_widget_get_visible (GTK_WIDGET (template_child (window, "search_button"))));
  /* this bus cannot start it: said on the page, in words */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-agent", NULL));
  g_assert_true (gc_test_wait_until (widget_visible, template_child (window, "start_error"),
                                     10000));
  g_test_message ("start on a bus without the service: %s",
                  gtk_label_get_label (template_child (window, "start_error")));
  g_assert_nonnull (strstr (gtk_label_get_label (template_child (window, "start_error")),
                            "The agent did not start"));
  g_assert_true (gtk_widget_get_sensitive (template_child (window, "start_button")));
  assert_page (window, "absent", 100);
  window_destroy (window);
}

/* the Keyboard Shortcuts window is where GtkApplication looks for it
 * (RESOURCE_BASE/gtk/help-overlay.ui, shown by win.show-help-overlay and
 * Ctrl+?), and it lists the window's own shortcuts */
static void
test_shortcuts_window (void)
{
  g_autoptr (GtkBuilder) builder = NULL;
  GObject *overlay;
  g_autoptr (GBytes) ui = NULL;

  if (!need_display ())
    return;
  ui = g_resources_lookup_data ("/io/github/Groupcast/gtk/help-overlay.ui", 0, NULL);
  g_assert_nonnull (ui);
  g_assert_nonnull (strstr (g_bytes_get_data (ui, NULL), "&lt;Control&gt;Return"));
  builder = gtk_builder_new_from_resource ("/io/github/Groupcast/gtk/help-overlay.ui");
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

/* the window comes back at the size it was closed at (GSettings) */
static void
test_window_size (void)
{
  g_autoptr (Bus) bus = NULL;
  g_autoptr (GSettings) settings = gc_application_dup_settings ();
  GcWindow *window;
  gint width = 0, height = 0, saved_w, saved_h;

  if (!need_display ())
    return;
  g_assert_nonnull (settings);
  bus = bus_new ();
  window = window_new (bus->address);
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 500);
  gc_test_sleep (200);
  gtk_window_close (GTK_WINDOW (window));
  gc_test_sleep (100);
  /* the size as the window manager left it: near what was asked */
  saved_w = g_settings_get_int (settings, "window-width");
  saved_h = g_settings_get_int (settings, "window-height");
  g_assert_cmpint (ABS (saved_w - 700), <=, 16);
  g_assert_cmpint (ABS (saved_h - 500), <=, 16);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  window = window_new (bus->address);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, saved_w);
  g_assert_cmpint (height, ==, saved_h);
  window_destroy (window);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* Start the Agent, on a bus that can: D-Bus activation runs it, and the
 * panel finds it by itself */
static void
test_start_agent (void)
{
  g_autoptr (Bus) bus = NULL;
  GcWindow *window;
  gint64 t0;
  guint pid;

  if (!need_display () || !need_agent ())
    return;
  bus = bus_new_activating ();
  window = window_new (bus->address);
  assert_page (window, "absent", 3000);
  t0 = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-agent", NULL));
  assert_page (window, "receivers", 20000);
  g_test_message ("the agent was there %.1f s after Start", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_false (gtk_widget_get_visible (template_child (window, "start_error")));
  /* the bus started it; the test ends it, by its pid */
  pid = agent_pid_on (bus->address);
  g_assert_cmpuint (pid, >, 0);
  g_assert_cmpint (kill ((pid_t) pid, SIGTERM), ==, 0);
  assert_page (window, "absent", 10000);
  window_destroy (window);
}

static void
test_bus_unreachable (void)
{
  g_autofree gchar *address = g_strdup_printf ("unix:path=%s/no-such-bus", tmp_dir);
  GcWindow *window;

  if (!need_display ())
    return;
  window = window_new (address);
  assert_page (window, "failed", 3000);
  g_assert_nonnull (adw_status_page_get_description (template_child (window, "failed_page")));
  window_destroy (window);
}

static gboolean
subtitle_is_set (gpointer user_data)
{
  const gchar *subtitle = adw_view_switcher_title_get_subtitle (template_child (user_data,
                                                                                "switcher_title"));

  return subtitle != NULL && *subtitle != '\0';
}

static void
test_agent_comes_and_goes (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autoptr (Bus) bus = NULL;
  g_autoptr (GSubprocess) agent = NULL;
  GcWindow *window;

  if (!need_display () || !need_agent () || (lab = need_lab (1)) == NULL)
    return;
  /* our own bus, outside the lab; the agent reaches its socket from inside
   * the lab host, where its network traffic stays */
  bus = bus_new ();

  window = window_new (bus->address);
  assert_page (window, "absent", 3000);

  /* the agent appears: the panel follows without a restart */
  agent = agent_spawn (lab, 1, bus->address, "Lecture Hall", "--source");
  assert_page (window, "receivers", 10000);
  g_assert_nonnull (gc_agent_client_get_source (gc_window_get_client (window)));
  /* its name and address under the title */
  g_assert_true (gc_test_wait_until (subtitle_is_set, window, 3000));
  g_assert_cmpstr (adw_view_switcher_title_get_subtitle (template_child (window, "switcher_title")),
                   ==, "Lecture Hall at 10.99.0.1");

  /* it goes away, and comes back */
  process_stop (agent);
  g_clear_object (&agent);
  assert_page (window, "absent", 5000);
  g_assert_null (gc_agent_client_get_source (gc_window_get_client (window)));

  agent = agent_spawn (lab, 1, bus->address, "Lecture Hall", "--source");
  assert_page (window, "receivers", 10000);
  g_assert_nonnull (gc_agent_client_get_source (gc_window_get_client (window)));

  window_destroy (window);
  process_stop (agent);
}

typedef struct
{
  GListModel *model;
  guint n;
} CountWait;

static gboolean
count_reached (gpointer user_data)
{
  CountWait *w = user_data;

  return g_list_model_get_n_items (w->model) >= w->n;
}

static gboolean
switch_done (gpointer user_data)
{
  GPtrArray *peers = user_data;

  for (guint i = 0; i < peers->len; i++)
    if (gc_peer_item_get_switch_state (g_ptr_array_index (peers, i)) == GC_SWITCH_STATE_RUNNING)
      return FALSE;
  return TRUE;
}

typedef struct
{
  GcMemberList *members;
  GPtrArray *before; /* of gchar*: "loss jitter rtt age" per member */
} CounterWait;

static gchar *
member_counters (GcMemberItem *m)
{
  return g_strdup_printf ("%g %g %g %" G_GINT64_FORMAT, gc_member_item_get_fraction_lost (m),
                          gc_member_item_get_jitter_ms (m), gc_member_item_get_rtt_ms (m),
                          gc_member_item_get_report_age_ms (m));
}

static gboolean
counters_moved (gpointer user_data)
{
  CounterWait *w = user_data;

  for (guint i = 0; i < w->before->len; i++)
    {
      g_autoptr (GcMemberItem) m = g_list_model_get_item (gc_member_list_get_model (w->members), i);
      g_autofree gchar *now = NULL;

      if (m == NULL)
        return FALSE;
      now = member_counters (m);
      if (g_str_equal (now, g_ptr_array_index (w->before, i)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
count_is (gpointer user_data)
{
  CountWait *w = user_data;

  return g_list_model_get_n_items (w->model) == w->n;
}

static gboolean
current_source_empty (gpointer user_data)
{
  return *gc_peer_item_get_current_source (user_data) == '\0';
}

typedef struct
{
  GtkLabel *label;
  const gchar *text;
} LabelWait;

static gboolean
label_is (gpointer user_data)
{
  LabelWait *w = user_data;

  return g_strcmp0 (gtk_label_get_label (w->label), w->text) == 0;
}

static gboolean
receiver_present (gpointer user_data)
{
  return gc_agent_client_get_receiver (gc_window_get_client (user_data)) != NULL;
}

typedef struct
{
  GcDBusReceiver1 *receiver;
  gdouble volume;
  gboolean muted;
} VolumeWait;

static gboolean
volume_is (gpointer user_data)
{
  VolumeWait *w = user_data;

  return ABS (gc_dbus_receiver1_get_volume (w->receiver) - w->volume) < 0.001
         && gc_dbus_receiver1_get_muted (w->receiver) == w->muted;
}

/* the Sound group: the tone's level, and the slider and the mute button
 * set the agent's Volume and Muted (read back from the agent) */
static void
check_sound (GcWindow *window, GtkWidget *view)
{
  GcDBusReceiver1 *r = gc_agent_client_get_receiver (gc_window_get_client (window));
  GtkRange *scale = GTK_RANGE (gtk_widget_get_template_child (view, GC_TYPE_RECEIVER_VIEW,
                                                              "volume_scale"));
  GtkToggleButton *mute = GTK_TOGGLE_BUTTON (gtk_widget_get_template_child (
    view, GC_TYPE_RECEIVER_VIEW, "mute_button"));
  LabelWait lw = { GTK_LABEL (gtk_widget_get_template_child (view, GC_TYPE_RECEIVER_VIEW,
                                                             "level_label")), NULL };
  g_autofree gchar *tone = g_strdup_printf (_("%.0f dB"), -17.0);
  VolumeWait vw = { r, 0.5, FALSE };

  lw.text = tone;
  g_assert_true (gc_test_wait_until (label_is, &lw, 5000));
  gtk_range_set_value (scale, 0.5);
  g_assert_true (gc_test_wait_until (volume_is, &vw, 5000));
  gtk_toggle_button_set_active (mute, TRUE);
  vw.muted = TRUE;
  g_assert_true (gc_test_wait_until (volume_is, &vw, 5000));
  lw.text = _("Silent");
  g_assert_true (gc_test_wait_until (label_is, &lw, 5000));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (scale)));
  gtk_toggle_button_set_active (mute, FALSE);
  gtk_range_set_value (scale, 1.0);
  vw = (VolumeWait) { r, 1.0, FALSE };
  g_assert_true (gc_test_wait_until (volume_is, &vw, 5000));
  lw.text = tone;
  g_assert_true (gc_test_wait_until (label_is, &lw, 5000));
  /* the group in view (the page scrolled to its end), for the docs */
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (mute), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = scrolled != NULL
                         ? gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled))
                         : NULL;

    if (adj != NULL)
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj)
                                       - gtk_adjustment_get_page_size (adj));
  }
  gc_test_sleep (1200);
  save_screenshot (GTK_WIDGET (window), "panel-sound.png");
}

/* the panel of a receiver's own agent: its Local Receiver page follows the
 * receiver, and Disconnect / Connect (to a source from its peer list) work */
static void
check_local_receiver (const gchar *address)
{
  GcWindow *window = window_new (address);
  GtkWidget *view;
  AdwComboRow *sources_row;
  LabelWait lw;
  CountWait cw;

  g_assert_true (gc_test_wait_until (receiver_present, window, 10000));
  gc_window_show_page (window, "receiver");
  assert_page (window, "receiver", 1000);
  view = template_child (window, "receiver_view");
  lw.label = GTK_LABEL (gtk_widget_get_template_child (view, GC_TYPE_RECEIVER_VIEW, "state_label"));
  sources_row = ADW_COMBO_ROW (gtk_widget_get_template_child (view, GC_TYPE_RECEIVER_VIEW,
                                                              "sources_row"));
  lw.text = _("Playing");
  g_assert_true (gc_test_wait_until (label_is, &lw, 5000));

  g_assert_true (gtk_widget_activate_action (view, "receiver.disconnect", NULL));
  lw.text = _("Idle");
  g_assert_true (gc_test_wait_until (label_is, &lw, 5000));

  cw = (CountWait) { adw_combo_row_get_model (sources_row), 1 };
  g_assert_true (gc_test_wait_until (count_reached, &cw, 5000));
  adw_combo_row_set_selected (sources_row, 0);
  g_assert_true (gtk_widget_activate_action (view, "receiver.connect", NULL));
  lw.text = _("Playing");
  g_assert_true (gc_test_wait_until (label_is, &lw, 10000));
  check_sound (window, view);
  /* let a frame or two be drawn with the counters in */
  gc_test_sleep (1500);
  save_screenshot (GTK_WIDGET (window), "panel-receiver.png");
  window_destroy (window);
}

/* the window's open message dialog, if any */
static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *tops = gtk_window_get_toplevels ();  /* the toolkit's own */

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr (GObject) w = g_list_model_get_item (tops, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
dialog_open (gpointer data)
{
  return (find_message_dialog () != NULL) == GPOINTER_TO_INT (data);
}

/* the button of @widget's tree whose label is @label */
static GtkWidget *
find_button (GtkWidget *widget, const gchar *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

typedef struct
{
  GcPeerItem *peer;
  const gchar *name;
} NameWait;

static gboolean
item_named (gpointer data)
{
  NameWait *w = data;

  return g_strcmp0 (gc_peer_item_get_name (w->peer), w->name) == 0;
}

/* Rename… on one selected row: the dialog, a name it will not take, then
 * a good one; the row follows (through the receiver's beacon) within 2 s */
static void
check_rename (GcWindow *window, GtkSelectionModel *selection)
{
  g_autoptr (GcPeerItem) peer = NULL;
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  NameWait w;
  gint64 t0;

  g_assert_true (gtk_selection_model_unselect_all (selection));
  g_assert_true (gtk_selection_model_select_item (selection, 0, TRUE));
  peer = g_list_model_get_item (G_LIST_MODEL (selection), 0);
  g_assert_cmpstr (gc_peer_item_get_name (peer), ==, "Lobby Display");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.rename", NULL));
  g_assert_true (gc_test_wait_until (dialog_open, GINT_TO_POINTER (TRUE), 3000));
  dialog = find_message_dialog ();
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "Lobby Display");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "rename"));
  /* blanks are not a name: the button goes grey */
  gtk_editable_set_text (entry, "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "rename"));
  gtk_editable_set_text (entry, "Lobby Left");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "rename"));
  g_assert_true (gc_test_wait_until (widget_mapped, dialog, 3000));
  t0 = g_get_monotonic_time ();
  /* a click on Rename, as a person would */
  g_assert_true (gtk_widget_activate (find_button (GTK_WIDGET (dialog), _("_Rename"))));
  g_assert_true (gc_test_wait_until (dialog_open, GINT_TO_POINTER (FALSE), 3000));
  w = (NameWait) { peer, "Lobby Left" };
  g_assert_true (gc_test_wait_until (item_named, &w, 2000));
  g_test_message ("the row shows the new name %.0f ms after Rename",
                  (g_get_monotonic_time () - t0) / 1000.0);
  /* and back, straight through the action the dialog uses */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.rename-to", "s",
                                             "Lobby Display"));
  w.name = "Lobby Display";
  g_assert_true (gc_test_wait_until (item_named, &w, 2000));
}

static gboolean
source_named (gpointer data)
{
  NameWait *w = data;

  return g_strcmp0 (gc_peer_item_get_source_name (w->peer), w->name) == 0;
}

static gboolean
item_offline (gpointer data)
{
  return gc_peer_item_get_offline_since (data) != 0;
}

typedef struct
{
  GcWindow *window;
  const gchar *address;
} ListedWait;

/* the receiver at the address is listed, and not as gone */
static gboolean
listed_online (gpointer data)
{
  ListedWait *w = data;
  GcPeerItem *it = gc_peer_list_find (gc_window_get_peers (w->window), w->address);

  return it != NULL && gc_peer_item_get_offline_since (it) == 0;
}

/* the rows of the receiver list, in the order shown */
static void
collect_rows (GtkWidget *widget, GPtrArray *rows)
{
  if (GC_IS_PEER_ROW (widget))
    {
      g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    collect_rows (c, rows);
}

static GtkWidget *
row_check (GcWindow *window, GcPeerItem *peer)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (window), rows);
  for (guint i = 0; i < rows->len; i++)
    if (gc_peer_row_get_peer (g_ptr_array_index (rows, i)) == peer)
      return (GtkWidget *) gtk_widget_get_template_child (g_ptr_array_index (rows, i), GC_TYPE_PEER_ROW,
                                            "select_check");
  return NULL;
}

static GcPeerRow *
row_of (GcWindow *window, GcPeerItem *peer)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (window), rows);
  for (guint i = 0; i < rows->len; i++)
    if (gc_peer_row_get_peer (g_ptr_array_index (rows, i)) == peer)
      return g_ptr_array_index (rows, i);
  return NULL;
}

static gboolean
popover_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* a right click on a row that is not selected selects it alone and opens
 * the window's actions for it; on a selected row it keeps the selection */
static void
check_row_menu (GcWindow *window, GtkSelectionModel *selection)
{
  g_autoptr (GcPeerItem) b = g_list_model_get_item (G_LIST_MODEL (selection), 1);
  GcPeerRow *row_b = row_of (window, b);
  GtkPopover *menu;
  GMenuModel *model;
  g_autoptr (GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (row_b);
  g_assert_true (gtk_selection_model_select_item (selection, 0, TRUE));
  gc_peer_row_popup_menu (row_b, 20, 10);
  g_assert_false (gtk_selection_model_is_selected (selection, 0));
  g_assert_true (gtk_selection_model_is_selected (selection, 1));
  menu = gc_peer_row_get_menu (row_b);
  g_assert_nonnull (menu);
  g_assert_true (gc_test_wait_until (popover_mapped, menu, 3000));
  model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (menu));
  for (gint s = 0; s < g_menu_model_get_n_items (model); s++)
    {
      g_autoptr (GMenuModel) section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);

      for (gint i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
        {
          gchar *action = NULL;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
          g_ptr_array_add (actions, action);
        }
    }
  g_assert_cmpuint (actions->len, ==, 7);
  g_assert_cmpstr (g_ptr_array_index (actions, 0), ==, "win.switch");
  g_assert_cmpstr (g_ptr_array_index (actions, 1), ==, "win.release");
  g_assert_cmpstr (g_ptr_array_index (actions, 2), ==, "win.identify");
  g_assert_cmpstr (g_ptr_array_index (actions, 3), ==, "win.rename");
  g_assert_cmpstr (g_ptr_array_index (actions, 4), ==, "win.pair");
  g_assert_cmpstr (g_ptr_array_index (actions, 5), ==, "win.mute");
  g_assert_cmpstr (g_ptr_array_index (actions, 6), ==, "win.unmute");
  gc_test_sleep (300);
  save_screenshot_with_popover (GTK_WIDGET (window), GTK_WIDGET (menu), "panel-row-menu.png");
  gtk_popover_popdown (menu);
  /* both selected: the menu of one keeps both */
  g_assert_true (gtk_selection_model_select_item (selection, 0, FALSE));
  gc_peer_row_popup_menu (row_b, 20, 10);
  g_assert_true (gtk_selection_model_is_selected (selection, 0));
  g_assert_true (gtk_selection_model_is_selected (selection, 1));
  gtk_popover_popdown (menu);
  g_test_message ("row menu: %s, %s, %s, %s (saved panel-row-menu.png)",
                  (gchar *) g_ptr_array_index (actions, 0), (gchar *) g_ptr_array_index (actions, 1),
                  (gchar *) g_ptr_array_index (actions, 2), (gchar *) g_ptr_array_index (actions, 3));
}

/* a row's check box adds it to the selection or takes it out, as a
 * Ctrl-click does */
static void
check_checkboxes (GcWindow *window, GtkSelectionModel *selection)
{
  g_autoptr (GcPeerItem) a = g_list_model_get_item (G_LIST_MODEL (selection), 0);
  g_autoptr (GcPeerItem) b = g_list_model_get_item (G_LIST_MODEL (selection), 1);
  GtkWidget *check_a, *check_b;

  g_assert_true (gtk_selection_model_unselect_all (selection));
  gc_test_sleep (100);
  check_a = row_check (window, a);
  check_b = row_check (window, b);
  g_assert_nonnull (check_a);
  g_assert_nonnull (check_b);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check_a)));
  g_assert_true (gtk_widget_activate (check_a));
  g_assert_true (gtk_selection_model_is_selected (selection, 0));
  g_assert_false (gtk_selection_model_is_selected (selection, 1));
  g_assert_true (gtk_widget_activate (check_b));
  g_assert_true (gtk_selection_model_is_selected (selection, 0));
  g_assert_true (gtk_selection_model_is_selected (selection, 1));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check_b)));
  g_assert_true (gtk_widget_activate (check_a));
  g_assert_false (gtk_selection_model_is_selected (selection, 0));
  g_assert_true (gtk_selection_model_is_selected (selection, 1));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check_a)));
  g_assert_true (gtk_selection_model_unselect_all (selection));
}

static gboolean
revealed (gpointer data)
{
  return gtk_revealer_get_reveal_child (GTK_REVEALER (data));
}

static gboolean
not_paired_is (gpointer data)
{
  NameWait *w = data;

  return gc_peer_item_get_not_paired (w->peer) == (w->name != NULL);
}

/* Pair… on a board that shows a code: the dialog takes only six digits,
 * and once the code is typed the row is paired (its beacons are signed) */
static void
check_pairing (GcWindow *window, const gchar *board_bus)
{
  g_autoptr (GDBusConnection) c = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GcPeerItem) board = NULL;
  g_autofree gchar *spaced = NULL;
  GtkSelectionModel *selection = gc_window_get_selection (window);
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  const gchar *code = NULL;
  NameWait w;
  gint64 t0;

  board = g_object_ref (gc_peer_list_find (gc_window_get_peers (window), "10.99.0.3"));
  w = (NameWait) { board, "New Board" };
  g_assert_true (gc_test_wait_until (item_named, &w, 10000));
  w = (NameWait) { board, "not paired" };
  g_assert_true (gc_test_wait_until (not_paired_is, &w, 3000));
  /* the code on its screen, read on the board itself */
  c = g_dbus_connection_new_for_address_sync (board_bus,
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                              | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, NULL);
  g_assert_nonnull (c);
  for (guint i = 0; i < 50 && r == NULL; i++)
    {
      r = g_dbus_connection_call_sync (c, "io.github.Groupcast", "/io/github/Groupcast/receiver",
                                       "io.github.Groupcast.Receiver1", "GetPairingCode", NULL,
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, 2000,
                                       NULL, NULL);
      if (r == NULL)
        gc_test_sleep (100);
    }
  g_assert_nonnull (r);
  g_variant_get (r, "(&s)", &code);
  /* that row alone, then Pair… */
  g_assert_true (gtk_selection_model_unselect_all (selection));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr (GcPeerItem) item = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (item == board)
        g_assert_true (gtk_selection_model_select_item (selection, i, TRUE));
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.pair", NULL));
  g_assert_true (gc_test_wait_until (dialog_open, GINT_TO_POINTER (TRUE), 3000));
  dialog = find_message_dialog ();
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "pair"));
  gtk_editable_set_text (entry, "12345");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "pair"));
  gtk_editable_set_text (entry, "12a456");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "pair"));
  spaced = g_strdup_printf ("%.3s %s", code, code + 3);
  gtk_editable_set_text (entry, spaced);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "pair"));
  g_assert_true (gc_test_wait_until (widget_mapped, dialog, 3000));
  gc_test_sleep (300);
  save_screenshot (GTK_WIDGET (dialog), "panel-pair-dialog.png");
  t0 = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate (find_button (GTK_WIDGET (dialog), _("_Pair"))));
  g_assert_true (gc_test_wait_until (dialog_open, GINT_TO_POINTER (FALSE), 3000));
  w = (NameWait) { board, NULL };
  g_assert_true (gc_test_wait_until (not_paired_is, &w, 10000));
  g_test_message ("the row is paired %.0f ms after Pair", (g_get_monotonic_time () - t0) / 1000.0);
}

static gboolean
revealed_is_false (gpointer data)
{
  return !revealed (data);
}

static gboolean
label_has_code (gpointer data)
{
  return strlen (gtk_label_get_label (GTK_LABEL (data))) == 7;
}

/* Join a Site: the dialog shows the code this computer's agent pairs
 * with, as GetPairingCode reads it; a keyed agent (on @keyed_bus) pairs
 * with it, and the dialog closes by itself */
static void
check_join_site (GcWindow *window, const gchar *bus, const gchar *keyed_bus)
{
  g_autoptr (GDBusConnection) c = NULL;
  g_autoptr (GDBusConnection) k = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GVariant) id = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *spaced = NULL;
  AdwMessageDialog *dialog;
  GtkLabel *label = NULL;
  const gchar *code;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.join-site", NULL));
  g_assert_true (gc_test_wait_until (dialog_open, GINT_TO_POINTER (TRUE), 3000));
  dialog = find_message_dialog ();
  {
    GtkWidget *box = adw_message_dialog_get_extra_child (dialog);

    label = GTK_LABEL (gtk_widget_get_first_child (box));
  }
  g_assert_true (gc_test_wait_until (label_has_code, label, 5000));
  c = g_dbus_connection_new_for_address_sync (bus,
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                              | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, NULL);
  r = g_dbus_connection_call_sync (c, "io.github.Groupcast", "/io/github/Groupcast/receiver",
                                   "io.github.Groupcast.Receiver1", "GetPairingCode", NULL,
                                   G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL,
                                   &error);
  g_assert_no_error (error);
  g_variant_get (r, "(&s)", &code);
  spaced = g_strdup_printf ("%.3s %s", code, code + 3);
  g_assert_cmpstr (gtk_label_get_label (label), ==, spaced);
  g_assert_true (gc_test_wait_until (widget_mapped, dialog, 3000));
  gc_test_sleep (300);
  save_screenshot (GTK_WIDGET (dialog), "panel-join-site.png");
  /* the other computer pairs with this one by its id */
  id = g_dbus_connection_call_sync (c, "io.github.Groupcast", "/io/github/Groupcast",
                                    "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", "io.github.Groupcast.Agent1", "Id"),
                                    G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL,
                                    &error);
  g_assert_no_error (error);
  k = g_dbus_connection_new_for_address_sync (keyed_bus,
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                              | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, NULL);
  {
    g_autoptr (GVariant) v = NULL;
    g_autoptr (GVariant) done = NULL;

    g_variant_get (id, "(v)", &v);
    /* the keyed agent hears this one's beacons before it can pair */
    for (guint i = 0; i < 50 && done == NULL; i++)
      {
        g_clear_error (&error);
        done = g_dbus_connection_call_sync (k, "io.github.Groupcast", "/io/github/Groupcast",
                                            "io.github.Groupcast.Agent1", "Pair",
                                            g_variant_new ("(ss)", g_variant_get_string (v, NULL),
                                                           code),
                                            NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
        if (done == NULL && g_dbus_error_is_remote_error (error)
            && strstr (error->message, "NotFound") != NULL)
          gc_test_sleep (200);
        else
          break;
      }
    g_assert_no_error (error);
  }
  g_assert_true (gc_test_wait_until (dialog_open, GINT_TO_POINTER (FALSE), 5000));
}

/* a display with another site key is listed, "Not paired with this site",
 * never dropped; the site's own display is not flagged; an agent without a
 * key gets the banner that says so, and how to mend it */
static void
test_pairing_state (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *bus1 = NULL;
  g_autofree gchar *bus2 = NULL;
  g_autofree gchar *bus3 = NULL;
  g_autoptr (GSubprocess) source = NULL;
  g_autoptr (GSubprocess) rx2 = NULL;
  g_autoptr (GSubprocess) rx3 = NULL;
  GcWindow *window;
  GtkRevealer *banner;
  CountWait cw;
  NameWait w;

  if (!need_display () || !need_agent () || (lab = need_lab (3)) == NULL)
    return;
  bus1 = gc_lab_start_bus (lab, 1, &error);
  g_assert_no_error (error);
  bus2 = gc_lab_start_bus (lab, 2, &error);
  g_assert_no_error (error);
  bus3 = gc_lab_start_bus (lab, 3, &error);
  g_assert_no_error (error);
  rx2 = agent_spawn_keyed (lab, 2, bus2, "Lobby Display", "--receiver", SITE_KEY);
  rx3 = agent_spawn_keyed (lab, 3, bus3, "Other School", "--receiver", "another-site-key-entirely");
  source = agent_spawn_keyed (lab, 1, bus1, "Lecture Hall", "--source", SITE_KEY);

  window = window_new (bus1);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 600);
  assert_page (window, "receivers", 10000);
  banner = template_child (window, "key_banner");
  cw = (CountWait) { gc_window_get_receivers (window), 2 };
  g_assert_true (gc_test_wait_until (count_reached, &cw, 5000));
  {
    g_autoptr (GcPeerItem) other = NULL;
    g_autoptr (GcPeerItem) own = NULL;

    other = g_object_ref (gc_peer_list_find (gc_window_get_peers (window), "10.99.0.3"));
    own = g_object_ref (gc_peer_list_find (gc_window_get_peers (window), "10.99.0.2"));
    g_assert_cmpstr (gc_peer_item_get_name (other), ==, "Other School");
    w = (NameWait) { other, "not paired" };
    g_assert_true (gc_test_wait_until (not_paired_is, &w, 3000));
    w = (NameWait) { own, NULL };
    g_assert_true (not_paired_is (&w));
  }
  g_assert_false (revealed (banner));
  gc_test_sleep (500);
  save_screenshot (GTK_WIDGET (window), "panel-not-paired.png");
  /* host 3 becomes a board fresh from the box: no key, a code on screen */
  process_stop (rx3);
  g_clear_object (&rx3);
  rx3 = agent_spawn_keyed (lab, 3, bus3, "New Board", "--receiver", "");
  check_pairing (window, bus3);
  window_destroy (window);
  process_stop (source);

  /* a desktop without a key: the banner, with the fix; it joins the site
   * (Lobby Display has the key and pairs with it) */
  source = agent_spawn_keyed (lab, 1, bus1, "Lecture Hall", "--desktop", "");
  window = window_new (bus1);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 600);
  assert_page (window, "receivers", 10000);
  banner = template_child (window, "key_banner");
  g_assert_true (gc_test_wait_until (revealed, banner, 3000));
  g_assert_nonnull (strstr (gtk_label_get_label (template_child (window, "key_banner_fix")),
                            "--new-site-key"));
  gc_test_sleep (500);
  save_screenshot (GTK_WIDGET (window), "panel-no-key.png");
  check_join_site (window, bus1, bus2);
  g_assert_true (gc_test_wait_until (revealed_is_false, banner, 5000));
  window_destroy (window);
  process_stop (source);

  /* the first computer of a site makes the key */
  {
    g_autofree gchar *kept = g_build_filename (gc_lab_host_dir (lab, 1), "site-key", NULL);
    AdwMessageDialog *dialog;
    struct stat st;

    g_assert_cmpint (g_unlink (kept), ==, 0);
    source = agent_spawn_keyed (lab, 1, bus1, "Lecture Hall", "--desktop", "");
    window = window_new (bus1);
    assert_page (window, "receivers", 10000);
    banner = template_child (window, "key_banner");
    g_assert_true (gc_test_wait_until (revealed, banner, 3000));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.create-site-key", NULL));
    g_assert_true (gc_test_wait_until (dialog_open, GINT_TO_POINTER (TRUE), 3000));
    dialog = find_message_dialog ();
    g_assert_true (gtk_widget_activate (find_button (GTK_WIDGET (dialog), _("C_reate"))));
    g_assert_true (gc_test_wait_until (revealed_is_false, banner, 5000));
    g_assert_cmpint (g_stat (kept, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
    window_destroy (window);
    process_stop (source);
  }
  process_stop (rx2);
  process_stop (rx3);
}

static void
test_lab_switch (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *bus1 = NULL;
  g_autofree gchar *bus2 = NULL;
  g_autofree gchar *bus3 = NULL;
  g_autoptr (GSubprocess) source = NULL;
  g_autoptr (GSubprocess) rx2 = NULL;
  g_autoptr (GSubprocess) rx3 = NULL;
  g_autoptr (GPtrArray) peers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  GtkSelectionModel *selection;
  GcMemberList *members;
  GcWindow *window;
  CountWait cw;
  CounterWait mw;
  gint64 t0;

  g_setenv ("GC_PEER_LIST_OFFLINE_KEEP_S", "3", TRUE);
  if (!need_display () || !need_agent () || (lab = need_lab (3)) == NULL)
    return;
  bus1 = gc_lab_start_bus (lab, 1, &error);
  g_assert_no_error (error);
  bus2 = gc_lab_start_bus (lab, 2, &error);
  g_assert_no_error (error);
  bus3 = gc_lab_start_bus (lab, 3, &error);
  g_assert_no_error (error);

  /* as a site runs: every agent holds the site key */
  rx2 = agent_spawn_keyed (lab, 2, bus2, "Lobby Display", "--receiver", SITE_KEY);
  rx3 = agent_spawn_keyed (lab, 3, bus3, "Meeting Room", "--receiver", SITE_KEY);
  source = agent_spawn_keyed (lab, 1, bus1, "Lecture Hall", "--source", SITE_KEY);

  window = window_new (bus1);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 760);
  assert_page (window, "receivers", 10000);

  /* the receivers show up by themselves */
  t0 = g_get_monotonic_time ();
  cw = (CountWait) { gc_window_get_receivers (window), 2 };
  g_assert_true (gc_test_wait_until (count_reached, &cw, 5000));
  g_test_message ("receivers listed %.1f s after the agent appeared",
                  (g_get_monotonic_time () - t0) / 1e6);

  /* select both and switch, as the button would */
  selection = gc_window_get_selection (window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 2);
  g_assert_true (gtk_selection_model_select_item (selection, 0, FALSE));
  g_assert_true (gtk_selection_model_select_item (selection, 1, FALSE));
  for (guint i = 0; i < 2; i++)
    g_ptr_array_add (peers, g_list_model_get_item (G_LIST_MODEL (selection), i));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch", NULL));
  for (guint i = 0; i < peers->len; i++)
    g_assert_cmpint (gc_peer_item_get_switch_state (g_ptr_array_index (peers, i)), ==,
                     GC_SWITCH_STATE_RUNNING);

  /* each row gets its own result */
  g_assert_true (gc_test_wait_until (switch_done, peers, 30000));
  for (guint i = 0; i < peers->len; i++)
    {
      GcPeerItem *peer = g_ptr_array_index (peers, i);

      g_test_message ("%s: %s", gc_peer_item_get_name (peer), gc_peer_item_get_result (peer));
      g_assert_cmpint (gc_peer_item_get_switch_state (peer), ==, GC_SWITCH_STATE_OK);
      g_assert_cmpstr (gc_peer_item_get_result (peer), !=, "");
    }
  /* and say what they show by the source's name, not its URL */
  for (guint i = 0; i < peers->len; i++)
    {
      NameWait sw = { g_ptr_array_index (peers, i), "Lecture Hall" };

      g_assert_true (gc_test_wait_until (source_named, &sw, 3000));
    }

  /* the group lists them, and their counters move */
  members = gc_source_view_get_members (template_child (window, "source_view"));
  cw = (CountWait) { gc_member_list_get_model (members), 2 };
  g_assert_true (gc_test_wait_until (count_reached, &cw, 10000));
  g_assert_nonnull (gc_member_list_find (members, "10.99.0.2"));
  g_assert_nonnull (gc_member_list_find (members, "10.99.0.3"));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GcMemberItem) m = g_list_model_get_item (gc_member_list_get_model (members), i);

      g_ptr_array_add (before, member_counters (m));
    }
  mw = (CounterWait) { members, before };
  g_assert_true (gc_test_wait_until (counters_moved, &mw, 10000));

  /* a few seconds of plot, then the pictures for the docs */
  gc_test_sleep (5000);
  save_screenshot (GTK_WIDGET (window), "panel.png");
  gc_window_show_page (window, "group");
  gc_test_sleep (500);
  save_screenshot (GTK_WIDGET (window), "panel-group.png");
  /* the site has a key: the page says the stream is encrypted */
  {
    GObject *enc = gtk_widget_get_template_child (GTK_WIDGET (template_child (window, "source_view")),
                                                  GC_TYPE_SOURCE_VIEW, "encryption_label");

    g_assert_nonnull (enc);
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (enc)), ==, "Encrypted with the site key");
  }

  /* searching narrows the list, by name, whatever the case */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  g_assert_cmpstr (gc_window_get_visible_page (window), ==, "receivers");
  g_assert_true (gtk_search_bar_get_search_mode (template_child (window, "search_bar")));
  gtk_editable_set_text (template_child (window, "search_entry"), "lobby");
  cw = (CountWait) { G_LIST_MODEL (selection), 1 };
  g_assert_true (gc_test_wait_until (count_is, &cw, 3000));
  {
    g_autoptr (GcPeerItem) only = g_list_model_get_item (G_LIST_MODEL (selection), 0);

    g_assert_cmpstr (gc_peer_item_get_name (only), ==, "Lobby Display");
  }
  gtk_editable_set_text (template_child (window, "search_entry"), "");
  cw = (CountWait) { G_LIST_MODEL (selection), 2 };
  g_assert_true (gc_test_wait_until (count_is, &cw, 3000));

  check_local_receiver (bus2);
  check_rename (window, selection);
  check_checkboxes (window, selection);
  check_row_menu (window, selection);

  /* a receiver that cannot be reached fails on its own row; the other
   * one still switches */
  g_assert_true (gc_lab_set_link (lab, 3, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_selection_model_unselect_all (selection));
  g_ptr_array_set_size (peers, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (gtk_selection_model_select_item (selection, i, FALSE));
      g_ptr_array_add (peers, g_list_model_get_item (G_LIST_MODEL (selection), i));
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch", NULL));
  g_assert_true (gc_test_wait_until (switch_done, peers, 30000));
  for (guint i = 0; i < peers->len; i++)
    g_test_message ("link of host 3 down: %s: %s", gc_peer_item_get_name (g_ptr_array_index (peers, i)),
                    gc_peer_item_get_result (g_ptr_array_index (peers, i)));
  g_assert_cmpstr (gc_peer_item_get_name (g_ptr_array_index (peers, 0)), ==, "Lobby Display");
  g_assert_cmpint (gc_peer_item_get_switch_state (g_ptr_array_index (peers, 0)), ==, GC_SWITCH_STATE_OK);
  g_assert_cmpint (gc_peer_item_get_switch_state (g_ptr_array_index (peers, 1)), ==, GC_SWITCH_STATE_FAILED);
  g_assert_cmpstr (gc_peer_item_get_result (g_ptr_array_index (peers, 1)), !=, "");
  g_assert_true (gc_lab_set_link (lab, 3, TRUE, &error));
  g_assert_no_error (error);
  /* its beacons come again: listed as before (when the failed switch took
   * long, its row had gone offline meanwhile) */
  {
    ListedWait lw = { window, "10.99.0.3" };

    g_assert_true (gc_test_wait_until (listed_online, &lw, 10000));
  }

  /* release hands one receiver back */
  g_assert_true (gtk_selection_model_unselect_all (selection));
  g_ptr_array_set_size (peers, 1);
  g_assert_true (gtk_selection_model_select_item (selection, 0, TRUE));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.release", NULL));
  g_assert_true (gc_test_wait_until (switch_done, peers, 15000));
  g_assert_cmpint (gc_peer_item_get_switch_state (g_ptr_array_index (peers, 0)), ==, GC_SWITCH_STATE_OK);
  g_assert_true (gc_test_wait_until (current_source_empty, g_ptr_array_index (peers, 0), 5000));
  /* an idle board has nothing to release */
  g_assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (window), _("R_elease"))));
  g_assert_true (gtk_widget_get_sensitive (find_button (GTK_WIDGET (window),
                                                        _("_Switch to This Screen"))));

  /* a receiver that shuts down says goodbye; its row stays, greyed, with
   * the time it went, and cannot be switched; then it goes (the test keeps
   * such rows 3 s, a room 10 minutes) */
  {
    g_autoptr (GcPeerItem) gone = g_object_ref (gc_peer_list_find (gc_window_get_peers (window),
                                                                   "10.99.0.3"));
    guint position = G_MAXUINT;

    process_stop (rx3);
    g_assert_true (gc_test_wait_until (item_offline, gone, 5000));
    g_assert_cmpuint (g_list_model_get_n_items (gc_window_get_receivers (window)), ==, 2);
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
      {
        g_autoptr (GcPeerItem) it = g_list_model_get_item (G_LIST_MODEL (selection), i);

        if (it == gone)
          position = i;
      }
    g_assert_cmpuint (position, !=, G_MAXUINT);
    g_assert_true (gtk_selection_model_select_item (selection, position, TRUE));
    g_assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (window),
                                                           _("_Switch to This Screen"))));
    gc_test_sleep (300);
    save_screenshot (GTK_WIDGET (window), "panel-offline.png");
    cw = (CountWait) { gc_window_get_receivers (window), 1 };
    g_assert_true (gc_test_wait_until (count_is, &cw, 10000));
    g_assert_null (gc_peer_list_find (gc_window_get_peers (window), "10.99.0.3"));
  }

  window_destroy (window);
  process_stop (source);
  process_stop (rx2);
  process_stop (rx3);
}

/* ---- translation ---- */

/* GLib decides once per process whether to translate (g_dgettext), so
 * the Chinese panel runs in a subprocess that has LANGUAGE from the start */
static void
test_translated (void)
{
  g_autoptr (Bus) bus = NULL;
  GcWindow *window;
  const gchar *title;

  if (!need_display ())
    return;

  if (!g_test_subprocess ())
    {
      g_setenv ("LANGUAGE", "zh_CN", TRUE);
      g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_unsetenv ("LANGUAGE");
      g_test_trap_assert_passed ();
      g_test_trap_assert_stdout ("*absent page title: 代理未运行*start error: 代理没有启动*");
      return;
    }

  bus = bus_new ();
  window = window_new (bus->address);
  assert_page (window, "absent", 3000);
  title = adw_status_page_get_title (template_child (window, "absent_page"));
  g_print ("absent page title: %s\n", title);
  g_assert_cmpstr (title, !=, "The Agent Is Not Running");
  g_assert_cmpstr (title, ==, g_dgettext (GETTEXT_PACKAGE, "The Agent Is Not Running"));
  /* strings from C code too */
  g_assert_cmpstr (_("Select receivers to switch"), !=, "Select receivers to switch");
  /* an error, as a sentence in the panel's language: this bus has nothing
   * to start the agent with */
  {
    GtkLabel *error = template_child (window, "start_error");
    g_autofree gchar *want = NULL;
    const gchar *why = _("This computer has no Groupcast agent to start. Install "
                         "groupcast-agent, or start it by hand.");

    g_assert_cmpstr (why, !=, "This computer has no Groupcast agent to start. Install "
                              "groupcast-agent, or start it by hand.");
    want = g_strdup_printf (_("The agent did not start: %s"), why);
    gtk_window_set_default_size (GTK_WINDOW (window), 720, 520);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-agent", NULL));
    g_assert_true (gc_test_wait_until (widget_mapped, error, 10000));
    g_print ("start error: %s\n", gtk_label_get_label (error));
    g_assert_cmpstr (gtk_label_get_label (error), ==, want);
    /* the bus's own words are there on demand */
    g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (error)));
    gc_test_sleep (300);
    save_screenshot (GTK_WIDGET (window), "panel-error-zh_CN.png");
  }
  window_destroy (window);
}

/* every msgid in the sources has a real translation in zh_CN.po */
static void
test_catalogue_complete (void)
{
  g_autofree gchar *pot = g_build_filename (tmp_dir, "check.pot", NULL);
  g_autofree gchar *merged = g_build_filename (tmp_dir, "merged.po", NULL);
  g_autofree gchar *potfiles = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) listed = NULL;
  gint status;
  const gchar *xgettext[] = {
    "xgettext", "--from-code=UTF-8", "--add-comments=TRANSLATORS",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=ngettext:1,2", "--keyword=g_dngettext:2,3",
    "--directory=" GC_SOURCE_DIR, "--files-from=" GC_SOURCE_DIR "/po/POTFILES.in",
    "--output", pot, NULL
  };
  const gchar *msgmerge[] = {
    "msgmerge", "--quiet", "--no-fuzzy-matching", GC_SOURCE_DIR "/po/zh_CN.po", pot,
    "--output-file", merged, NULL
  };
  const gchar *msgfmt[] = {
    "msgfmt", "--check", "--statistics", "--output-file=/dev/null", merged, NULL
  };
  const gchar *dirs[] = { "gui", "data/ui", "agent/receiver", "agent/display", NULL };

  g_autofree gchar *have_xgettext = g_find_program_in_path ("xgettext");

  if (have_xgettext == NULL)
    {
      g_test_skip ("gettext tools are not installed");
      return;
    }

  /* POTFILES.in lists every file that has strings to translate */
  g_assert_true (g_file_get_contents (GC_SOURCE_DIR "/po/POTFILES.in", &potfiles, NULL, &error));
  g_assert_no_error (error);
  listed = g_strsplit (potfiles, "\n", -1);
  for (guint d = 0; dirs[d] != NULL; d++)
    {
      g_autofree gchar *path = g_build_filename (GC_SOURCE_DIR, dirs[d], NULL);
      g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
      const gchar *name;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *file = g_build_filename (path, name, NULL);
          g_autofree gchar *rel = g_build_filename (dirs[d], name, NULL);
          g_autofree gchar *text = NULL;

          if (!g_str_has_suffix (name, ".c") && !g_str_has_suffix (name, ".ui"))
            continue;
          g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
          if (strstr (text, "_(\"") == NULL && strstr (text, "translatable=\"yes\"") == NULL
              && strstr (text, "ngettext (") == NULL)
            continue;
          if (!g_strv_contains ((const gchar * const *) listed, rel))
            g_error ("%s has strings to translate but is not in po/POTFILES.in", rel);
        }
    }

  g_spawn_sync (NULL, (gchar **) xgettext, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xgettext: %s", err);
  g_clear_pointer (&err, g_free);

  g_spawn_sync (NULL, (gchar **) msgmerge, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("msgmerge: %s", err);
  g_clear_pointer (&err, g_free);

  g_spawn_sync (NULL, (gchar **) msgfmt, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("zh_CN: %s", err);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("msgfmt --check: %s", err);
  g_assert_null (strstr (err, "untranslated"));
  g_assert_null (strstr (err, "fuzzy"));
  g_assert_nonnull (strstr (err, "translated message"));
}

/* ---- the real program ---- */

static gboolean
panel_window_exists (gpointer user_data)
{
  const gchar *argv[] = { "xwininfo", "-root", "-tree", NULL };
  g_autofree gchar *out = NULL;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, NULL, NULL))
    return FALSE;
  return strstr (out, "\"Groupcast\"") != NULL;
}

static void
test_program_starts (void)
{
  g_autoptr (Bus) bus = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) panel = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *address = NULL;

  if (!need_display ())
    return;
  g_autofree gchar *have_xwininfo = g_find_program_in_path ("xwininfo");

  if (have_xwininfo == NULL)
    {
      g_test_skip ("xwininfo (x11-utils) is not installed");
      return;
    }

  /* --version answers without a display or a bus */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  panel = g_subprocess_launcher_spawn (launcher, &error, PANEL, "--version", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (panel, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "groupcast " PACKAGE_VERSION "\n");
  g_clear_object (&panel);
  g_clear_object (&launcher);

  /* a window appears on the display; the panel's own bus is a private one */
  bus = bus_new ();
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
  panel = g_subprocess_launcher_spawn (launcher, &error, PANEL, "--bus-address",
                                       bus->address, NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_wait_until (panel_window_exists, NULL, 8000));
  g_assert_nonnull (g_subprocess_get_identifier (panel));
  process_stop (panel);
}

/* ---- sharing from the panel -------------------------------------------- */

typedef struct
{
  GtkWidget *view;
  const gchar *id;
  const gchar *label;
} ButtonWait;

static gboolean
button_says (gpointer user_data)
{
  ButtonWait *w = user_data;
  GtkButton *b = GTK_BUTTON (gtk_widget_get_template_child (w->view, GC_TYPE_SOURCE_VIEW, w->id));

  return g_strcmp0 (gtk_button_get_label (b), w->label) == 0;
}

static gboolean
preview_shown (gpointer user_data)
{
  GtkPicture *p = GTK_PICTURE (gtk_widget_get_template_child (user_data, GC_TYPE_SOURCE_VIEW,
                                                              "preview_picture"));

  return gtk_picture_get_paintable (p) != NULL;
}

static gboolean
preview_gone (gpointer user_data)
{
  return !preview_shown (user_data);
}

/* Share Screen on a desktop agent: it serves this (X11) screen, the
 * button turns to Stop Sharing and the thumbnail row shows the picture;
 * Stop Sharing stops it again */
static void
test_share (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) agent = NULL;
  g_autofree gchar *bus = NULL;
  GcDBusSource1 *source;
  GtkWidget *view;
  GdkPaintable *paintable;
  GcWindow *window;
  ButtonWait bw;

  if (!need_display () || !need_agent () || (lab = need_lab (1)) == NULL)
    return;
  bus = gc_lab_start_bus (lab, 1, &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* the Xvfb is an X11 session's display */
  g_subprocess_launcher_setenv (launcher, "XDG_SESSION_TYPE", "x11", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  agent = gc_lab_spawn (lab, 1, launcher, &error, AGENT, "--source", "--desktop",
                        "--bus-address", bus, "--interface", "eth0", "--no-mdns",
                        "--no-beacons", "--name", "Presenter", "--state-dir",
                        gc_lab_host_dir (lab, 1), NULL);
  g_assert_no_error (error);

  window = window_new (bus);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 760);
  assert_page (window, "receivers", 10000);
  gc_window_show_page (window, "group");
  view = template_child (window, "source_view");
  /* a desktop agent shares nothing until the user says so */
  bw = (ButtonWait) { view, "share_button", _("Share Screen") };
  g_assert_true (gc_test_wait_until (button_says, &bw, 5000));
  g_assert_false (preview_shown (view));

  g_assert_true (gtk_widget_activate_action (view, "source.share", NULL));
  bw.label = _("Stop Sharing");
  g_assert_true (gc_test_wait_until (button_says, &bw, 15000));
  source = gc_source_view_get_source (GC_SOURCE_VIEW (view));
  g_assert_cmpstr (gc_dbus_source1_get_state (source), ==, "ready");
  g_assert_cmpstr (gc_dbus_source1_get_capture (source), ==, "screen");
  /* the thumbnail comes within a couple of seconds, at the preview's size */
  g_assert_true (gc_test_wait_until (preview_shown, view, 5000));
  paintable = gtk_picture_get_paintable (GTK_PICTURE (
    gtk_widget_get_template_child (view, GC_TYPE_SOURCE_VIEW, "preview_picture")));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 320);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, 180);
  gc_test_sleep (500);
  save_screenshot (GTK_WIDGET (window), "panel-share.png");

  g_assert_true (gtk_widget_activate_action (view, "source.stop", NULL));
  bw.label = _("Share Screen");
  g_assert_true (gc_test_wait_until (button_says, &bw, 5000));
  g_assert_true (gc_test_wait_until (preview_gone, view, 3000));
  window_destroy (window);
  process_stop (agent);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int ret;

  /* LANGUAGE is ignored in the plain C locale */
  if (setlocale (LC_ALL, "") == NULL || g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0)
    setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, GC_BUILD_DIR "/po");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  /* only the translation test's subprocess runs in Chinese */
  if (!g_test_subprocess ())
    g_unsetenv ("LANGUAGE");

  tmp_dir = g_dir_make_tmp ("gc-panel-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", tmp_dir, TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  /* no accessibility bus and no portals: there is no session bus here */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("ADW_DISABLE_PORTAL", "1", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  /* the cairo renderer draws the same under any X server */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");

  xvfb = gc_xvfb_start (&error);
  if (xvfb == NULL)
    {
      xvfb_reason = g_strdup_printf ("no X server for the GUI tests: %s", error->message);
      g_clear_error (&error);
    }
  else
    {
      g_setenv ("DISPLAY", gc_xvfb_get_display (xvfb), TRUE);
      /* keep the locale chosen above; gtk_init would reset it from the
       * environment, maybe to plain C */
      gtk_disable_setlocale ();
      if (!gtk_init_check ())
        {
          xvfb_reason = g_strdup ("GTK cannot open the Xvfb display");
          g_clear_pointer (&xvfb, gc_xvfb_stop);
        }
      else
        {
          g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

          adw_init ();
          /* what AdwApplication loads by itself from its resource path */
          gtk_css_provider_load_from_resource (css, "/io/github/Groupcast/style.css");
          gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                      GTK_STYLE_PROVIDER (css),
                                                      GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
        }
    }

  g_test_add_func ("/groupcast/panel/not-running", test_not_running);
  g_test_add_func ("/groupcast/panel/start-agent", test_start_agent);
  g_test_add_func ("/groupcast/panel/window-size", test_window_size);
  g_test_add_func ("/groupcast/panel/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/groupcast/panel/bus-unreachable", test_bus_unreachable);
  g_test_add_func ("/groupcast/panel/agent-comes-and-goes", test_agent_comes_and_goes);
  g_test_add_func ("/groupcast/panel/lab-switch", test_lab_switch);
  g_test_add_func ("/groupcast/panel/pairing-state", test_pairing_state);
  g_test_add_func ("/groupcast/panel/translated", test_translated);
  g_test_add_func ("/groupcast/panel/catalogue-complete", test_catalogue_complete);
  g_test_add_func ("/groupcast/panel/program-starts", test_program_starts);
  g_test_add_func ("/groupcast/panel/share", test_share);

  ret = g_test_run ();

  gc_xvfb_stop (xvfb);
  if (tmp_dir != NULL)
    {
      g_autoptr (GFile) dir = g_file_new_for_path (tmp_dir);
      g_autoptr (GFileEnumerator) e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);
      GFileInfo *info;

      while (e != NULL && g_file_enumerator_iterate (e, &info, NULL, NULL, NULL) && info != NULL)
        {
          g_autoptr (GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

          g_file_delete (child, NULL, NULL);
        }
      g_file_delete (dir, NULL, NULL);
    }
  return ret;
}
