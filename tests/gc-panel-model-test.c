/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPanelModelTest"

#include "config.h"

#include <glib/gstdio.h>
#include <sys/socket.h>

#include "gc-application.h"
#include "gc-history.h"
#include "gc-member-list.h"
#include "gc-peer-list.h"
#include "gc-receiver-monitor.h"
#include "gc-source-monitor.h"
#include "gc-switcher.h"
#include "gc-util.h"

/* the panel's models, which need neither a display nor an agent: where
 * they read D-Bus objects, skeletons exported on one end of a socket pair
 * stand in for the agent, and the panel's end holds the usual proxies */

/* ---- helpers ---- */

typedef gboolean (*Predicate) (gpointer user_data);

static gboolean
wait_until (Predicate pred,
            gpointer  user_data)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!pred (user_data))
    {
      if (g_get_monotonic_time () >= end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

/* run the main loop until nothing is left to do, so what the agent's end
 * sent has reached the panel's end */
static void
settle (void)
{
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (2000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static void
count_changed (guint *count)
{
  (*count)++;
}

typedef struct
{
  guint count;
  guint position;
  guint removed;
  guint added;
} ItemsChanged;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *seen)
{
  seen->count++;
  seen->position = position;
  seen->removed = removed;
  seen->added = added;
}

/* ---- a private bus: agent's end and panel's end of a socket pair ---- */

typedef struct
{
  GDBusConnection *agent_end;
  GDBusConnection *panel_end;
  GDBusObjectManagerServer *server;
  GDBusObjectManager *manager; /* the panel's client */
} Bus;

static void
on_connection (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GDBusConnection **slot = user_data;
  g_autoptr (GError) error = NULL;

  *slot = g_dbus_connection_new_finish (result, &error);
  g_assert_no_error (error);
}

static void
on_manager (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GDBusObjectManager **slot = user_data;
  g_autoptr (GError) error = NULL;

  *slot = gc_dbus_object_manager_client_new_finish (result, &error);
  g_assert_no_error (error);
}

static gboolean
both_set (gpointer user_data)
{
  gpointer *slots = user_data;

  return slots[0] != NULL && slots[1] != NULL;
}

static gboolean
is_set (gpointer user_data)
{
  return *(gpointer *) user_data != NULL;
}

static GIOStream *
stream_for_fd (int fd)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static Bus *
bus_new (void)
{
  Bus *bus = g_new0 (Bus, 1);
  g_autofree gchar *guid = g_dbus_generate_guid ();
  g_autoptr (GIOStream) agent_stream = NULL;
  g_autoptr (GIOStream) panel_stream = NULL;
  gpointer ends[2] = { NULL, NULL };
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  agent_stream = stream_for_fd (fds[0]);
  panel_stream = stream_for_fd (fds[1]);
  /* both ends authenticate at once, so neither may block */
  g_dbus_connection_new (agent_stream, guid,
                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER
                         | G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_ALLOW_ANONYMOUS,
                         NULL, NULL, on_connection, &ends[0]);
  g_dbus_connection_new (panel_stream, NULL, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                         NULL, NULL, on_connection, &ends[1]);
  g_assert_true (wait_until (both_set, ends));
  bus->agent_end = ends[0];
  bus->panel_end = ends[1];

  bus->server = g_dbus_object_manager_server_new (GC_DBUS_PATH);
  g_dbus_object_manager_server_set_connection (bus->server, bus->agent_end);
  /* no bus daemon: the manager's owner is nobody in particular */
  gc_dbus_object_manager_client_new (bus->panel_end, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                     NULL, GC_DBUS_PATH, NULL, on_manager, &bus->manager);
  g_assert_true (wait_until (is_set, &bus->manager));
  return bus;
}

static void
bus_free (Bus *bus)
{
  g_clear_object (&bus->manager);
  g_clear_object (&bus->server);
  g_dbus_connection_close_sync (bus->panel_end, NULL, NULL);
  g_clear_object (&bus->panel_end);
  g_clear_object (&bus->agent_end);
  settle ();
  g_free (bus);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bus, bus_free)

/* a Peer1 object at GC_DBUS_PATH/peers/ID, as the agent's peer table
 * exports one */
static GcDBusPeer1 *
export_peer (Bus         *bus,
             const gchar *id,
             const gchar *name,
             const gchar *address,
             const gchar *roles)
{
  g_autofree gchar *path = g_strdup_printf (GC_DBUS_PATH "/peers/%s", id);
  g_autoptr (GcDBusObjectSkeleton) object = gc_dbus_object_skeleton_new (path);
  g_auto (GStrv) role_list = g_strsplit (roles, ",", -1);
  GcDBusPeer1 *peer = gc_dbus_peer1_skeleton_new ();

  gc_dbus_peer1_set_id (peer, id);
  gc_dbus_peer1_set_name (peer, name);
  gc_dbus_peer1_set_address (peer, address);
  gc_dbus_peer1_set_roles (peer, (const gchar * const *) role_list);
  gc_dbus_object_skeleton_set_peer1 (object, peer);
  g_dbus_object_manager_server_export (bus->server, G_DBUS_OBJECT_SKELETON (object));
  return peer;
}

static void
unexport_peer (Bus         *bus,
               const gchar *id)
{
  g_autofree gchar *path = g_strdup_printf (GC_DBUS_PATH "/peers/%s", id);

  g_assert_true (g_dbus_object_manager_server_unexport (bus->server, path));
}

/* ---- history ---- */

#define SECONDS(s) ((gint64) ((s) * G_USEC_PER_SEC))

static void
test_history (void)
{
  g_autoptr (GcHistory) history = gc_history_new ();
  guint changed = 0;
  gdouble peak = -1;

  g_signal_connect_swapped (history, "changed", G_CALLBACK (count_changed), &changed);

  g_assert_cmpuint (gc_history_get_length (history), ==, 0);
  g_assert_cmpfloat (gc_history_get_last (history), ==, 0);
  g_assert_false (gc_history_get_peak (history, 0, SECONDS (1), &peak));

  /* 70 s of samples, two a second as the agent sends them */
  for (guint i = 0; i <= 140; i++)
    gc_history_push_at (history, SECONDS (100 + i * 0.5), i);
  g_assert_cmpuint (changed, ==, 141);
  /* the newest minute is kept, and the one sample before it, whose value
   * holds at the minute's start */
  g_assert_cmpuint (gc_history_get_length (history), ==, 121);
  g_assert_cmpint (gc_history_get_time (history, 0), ==, SECONDS (110));
  g_assert_cmpfloat (gc_history_get (history, 0), ==, 20);
  g_assert_cmpint (gc_history_get_last_time (history), ==, SECONDS (170));
  g_assert_cmpfloat (gc_history_get_last (history), ==, 140);
  g_assert_cmpfloat (gc_history_get_max (history), ==, 140);

  /* a sample from before the newest is taken as of the newest's time */
  gc_history_push_at (history, SECONDS (160), 7);
  g_assert_cmpint (gc_history_get_last_time (history), ==, SECONDS (170));
  g_assert_cmpfloat (gc_history_get_last (history), ==, 7);

  gc_history_clear (history);
  g_assert_cmpuint (gc_history_get_length (history), ==, 0);

  /* a flood of updates stays bounded */
  for (guint i = 0; i < 5000; i++)
    gc_history_push_at (history, SECONDS (200), i);
  g_assert_cmpuint (gc_history_get_length (history), <=, 1200);
  g_assert_cmpfloat (gc_history_get_last (history), ==, 4999);
}

/* what a sparkline bar shows: the highest value that held in its second */
static void
test_history_peak (void)
{
  g_autoptr (GcHistory) history = gc_history_new ();
  gdouble peak = -1;

  gc_history_push_at (history, SECONDS (10), 1);
  gc_history_push_at (history, SECONDS (10.5), 5);
  gc_history_push_at (history, SECONDS (11), 2);
  gc_history_push_at (history, SECONDS (14), 3);

  /* nothing held before the first sample */
  g_assert_false (gc_history_get_peak (history, SECONDS (8), SECONDS (9), &peak));
  /* a short peak between two samples still counts */
  g_assert_true (gc_history_get_peak (history, SECONDS (10), SECONDS (11), &peak));
  g_assert_cmpfloat (peak, ==, 5);
  /* a second without samples shows the value that held through it */
  g_assert_true (gc_history_get_peak (history, SECONDS (12), SECONDS (13), &peak));
  g_assert_cmpfloat (peak, ==, 2);
  g_assert_true (gc_history_get_peak (history, SECONDS (13), SECONDS (14), &peak));
  g_assert_cmpfloat (peak, ==, 3);
  /* the first second in the history: what the samples in it said */
  g_assert_true (gc_history_get_peak (history, SECONDS (9.5), SECONDS (10.5), &peak));
  g_assert_cmpfloat (peak, ==, 5);
}

/* ---- the peer list: a GListStore following the ObjectManager ---- */

static gboolean
peer_count_is_3 (gpointer user_data)
{
  return g_list_model_get_n_items (gc_peer_list_get_model (user_data)) == 3;
}

static gboolean
peer_count_is_2 (gpointer user_data)
{
  return g_list_model_get_n_items (gc_peer_list_get_model (user_data)) == 2;
}

static gboolean
name_is_renamed (gpointer user_data)
{
  return g_strcmp0 (gc_peer_item_get_name (user_data), "Lobby, East Wall") == 0;
}

static gboolean
is_offline (gpointer user_data)
{
  return gc_peer_item_get_offline_since (user_data) != 0;
}

static gboolean
has_source_role (gpointer user_data)
{
  return gc_peer_item_has_role (user_data, "source");
}

static void
test_peer_list (void)
{
  g_autoptr (Bus) bus = bus_new ();
  g_autoptr (GcPeerList) list = (g_setenv ("GC_PEER_LIST_OFFLINE_KEEP_S", "1", TRUE),
                                 gc_peer_list_new ());
  g_autoptr (GcDBusPeer1) lobby = export_peer (bus, "a1", "Lobby", "10.0.0.2", "receiver");
  g_autoptr (GcDBusPeer1) hall = export_peer (bus, "b2", "Hall", "10.0.0.3", "source");
  g_autoptr (GcDBusPeer1) room = NULL;
  g_autoptr (GListModel) receivers = gc_peer_list_new_role_model (list, "receiver");
  g_autoptr (GListModel) sources = gc_peer_list_new_role_model (list, "source");
  g_autoptr (GcPeerItem) first = NULL;
  ItemsChanged seen = { 0 };
  guint renamed = 0;
  guint first_position;
  guint position;

  settle ();
  gc_peer_list_set_manager (list, bus->manager);
  g_assert_true (gc_peer_list_get_manager (list) == bus->manager);
  g_assert_cmpuint (g_list_model_get_n_items (gc_peer_list_get_model (list)), ==, 2);
  g_assert_true (g_list_model_get_item_type (gc_peer_list_get_model (list)) == GC_TYPE_PEER_ITEM);
  g_assert_cmpuint (g_list_model_get_n_items (receivers), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (sources), ==, 1);
  first = g_list_model_get_item (receivers, 0);
  g_assert_cmpstr (gc_peer_item_get_name (first), ==, "Lobby");
  g_assert_true (gc_peer_list_find (list, "a1") == first);
  g_assert_true (gc_peer_list_find (list, "10.0.0.2") == first);
  g_assert_null (gc_peer_list_find (list, "10.0.0.9"));
  g_assert_true (g_list_store_find (G_LIST_STORE (gc_peer_list_get_model (list)), first,
                                    &first_position));
  g_signal_connect (gc_peer_list_get_model (list), "items-changed",
                    G_CALLBACK (on_items_changed), &seen);

  /* added: a peer the agent finds appears at the end */
  room = export_peer (bus, "c3", "Meeting Room", "10.0.0.4", "receiver");
  g_assert_true (wait_until (peer_count_is_3, list));
  g_assert_cmpuint (seen.count, ==, 1);
  g_assert_cmpuint (seen.position, ==, 2);
  g_assert_cmpuint (seen.removed, ==, 0);
  g_assert_cmpuint (seen.added, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (receivers), ==, 2);

  /* changed in place: the same item notifies, the store does not change */
  seen.count = 0;
  g_signal_connect_swapped (first, "notify::name", G_CALLBACK (count_changed), &renamed);
  gc_dbus_peer1_set_name (lobby, "Lobby, East Wall");
  g_assert_true (wait_until (name_is_renamed, first));
  g_assert_cmpuint (renamed, >=, 1);
  g_assert_cmpuint (seen.count, ==, 0);
  g_assert_true (g_list_store_find (G_LIST_STORE (gc_peer_list_get_model (list)), first,
                                    &position));
  g_assert_cmpuint (position, ==, first_position);

  /* a peer that takes a role joins that role's list, and stays in the store */
  gc_dbus_peer1_set_roles (lobby, (const gchar *[]) { "receiver", "source", NULL });
  g_assert_true (wait_until (has_source_role, first));
  g_assert_cmpuint (g_list_model_get_n_items (sources), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (receivers), ==, 2);
  g_assert_cmpuint (seen.count, ==, 0);

  /* removed: the agent forgets it; its row stays, offline, for the keep
   * time (1 s here), then goes */
  unexport_peer (bus, "a1");
  g_assert_true (wait_until (is_offline, first));
  g_assert_cmpuint (seen.count, ==, 0);
  g_assert_true (gc_peer_list_find (list, "a1") == first);
  g_assert_true (wait_until (peer_count_is_2, list));
  g_assert_cmpuint (seen.count, ==, 1);
  g_assert_cmpuint (seen.position, ==, first_position);
  g_assert_cmpuint (seen.removed, ==, 1);
  g_assert_cmpuint (seen.added, ==, 0);
  g_assert_null (gc_peer_list_find (list, "a1"));
  g_assert_cmpuint (g_list_model_get_n_items (receivers), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (sources), ==, 1);

  /* no manager (the agent went away): nothing is listed */
  gc_peer_list_set_manager (list, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (gc_peer_list_get_model (list)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (receivers), ==, 0);
}

typedef struct
{
  GcPeerList *list;
  GcPeerItem *old;
} BackWait;

static gboolean
back_online (gpointer user_data)
{
  BackWait *w = user_data;
  GcPeerItem *now = gc_peer_list_find (w->list, "a1");

  return now != NULL && now != w->old && gc_peer_item_get_offline_since (now) == 0;
}

/* a board heard again while its offline row is kept: one row, online, as
 * itself (not a second one) */
static void
test_peer_back_online (void)
{
  g_autoptr (Bus) bus = bus_new ();
  g_autoptr (GcPeerList) list = (g_setenv ("GC_PEER_LIST_OFFLINE_KEEP_S", "60", TRUE),
                                 gc_peer_list_new ());
  g_autoptr (GcDBusPeer1) lobby = export_peer (bus, "a1", "Lobby", "10.0.0.2", "receiver");
  g_autoptr (GcDBusPeer1) again = NULL;
  g_autoptr (GcPeerItem) old = NULL;
  BackWait w;

  settle ();
  gc_peer_list_set_manager (list, bus->manager);
  g_assert_cmpuint (g_list_model_get_n_items (gc_peer_list_get_model (list)), ==, 1);
  old = g_object_ref (gc_peer_list_find (list, "a1"));
  unexport_peer (bus, "a1");
  g_assert_true (wait_until (is_offline, old));
  g_assert_cmpuint (g_list_model_get_n_items (gc_peer_list_get_model (list)), ==, 1);
  again = export_peer (bus, "a1", "Lobby", "10.0.0.2", "receiver");
  w = (BackWait) { list, old };
  g_assert_true (wait_until (back_online, &w));
  g_assert_cmpuint (g_list_model_get_n_items (gc_peer_list_get_model (list)), ==, 1);
  g_assert_cmpstr (gc_peer_item_get_name (gc_peer_list_find (list, "a1")), ==, "Lobby");
}

/* ---- the member list: a GListStore fed from Source1.Members ---- */

static GVariant *
members_variant (const gchar *first_address,
                 ...)
{
  g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sa{sv}}"));
  va_list ap;

  va_start (ap, first_address);
  for (const gchar *a = first_address; a != NULL; a = va_arg (ap, const gchar *))
    {
      gdouble lost = va_arg (ap, gdouble);
      gdouble jitter = va_arg (ap, gdouble);
      g_auto (GVariantBuilder) m = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

      g_variant_builder_add (&m, "{sv}", "address", g_variant_new_string (a));
      g_variant_builder_add (&m, "{sv}", "name", g_variant_new_string ("room"));
      g_variant_builder_add (&m, "{sv}", "state", g_variant_new_string ("playing"));
      g_variant_builder_add (&m, "{sv}", "fraction-lost", g_variant_new_double (lost));
      g_variant_builder_add (&m, "{sv}", "packets-lost", g_variant_new_int64 (7));
      g_variant_builder_add (&m, "{sv}", "jitter-ms", g_variant_new_double (jitter));
      g_variant_builder_add (&m, "{sv}", "rtt-ms", g_variant_new_double (1.5));
      g_variant_builder_add (&m, "{sv}", "report-age-ms", g_variant_new_int64 (300));
      /* a key the panel does not know */
      g_variant_builder_add (&m, "{sv}", "session", g_variant_new_string ("x"));
      g_variant_builder_add (&b, "{s@a{sv}}", a, g_variant_builder_end (&m));
    }
  va_end (ap);
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static void
test_member_list (void)
{
  g_autoptr (GcMemberList) list = gc_member_list_new ();
  GListModel *model = gc_member_list_get_model (list);
  g_autoptr (GVariant) two = members_variant ("10.0.0.2", 0.0, 1.0, "10.0.0.3", 0.5, 2.0, NULL);
  g_autoptr (GVariant) two_later = members_variant ("10.0.0.2", 0.25, 3.0, "10.0.0.3", 0.5, 2.0, NULL);
  g_autoptr (GVariant) one = members_variant ("10.0.0.3", 0.5, 2.0, NULL);
  g_autoptr (GVariant) three = members_variant ("10.0.0.3", 0.5, 2.0, "10.0.0.4", 0.0, 0.5, NULL);
  g_autoptr (GcMemberItem) first = NULL;
  ItemsChanged seen = { 0 };
  guint jitter_notes = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &seen);

  gc_member_list_set_members (list, two);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_true (g_list_model_get_item_type (model) == GC_TYPE_MEMBER_ITEM);
  first = g_list_model_get_item (model, 0);
  g_assert_cmpstr (gc_member_item_get_address (first), ==, "10.0.0.2");
  g_assert_cmpstr (gc_member_item_get_name (first), ==, "room");
  g_assert_cmpfloat (gc_member_item_get_jitter_ms (first), ==, 1.0);
  g_assert_cmpint (gc_member_item_get_packets_lost (first), ==, 7);
  g_assert_cmpint (gc_member_item_get_report_age_ms (first), ==, 300);
  g_assert_cmpint (gc_member_item_get_state (first), ==, GC_MEMBER_STATE_PLAYING);
  g_assert_true (gc_member_list_find (list, "10.0.0.2") == first);

  /* new figures update the same object in place: no rows come or go */
  seen.count = 0;
  g_signal_connect_swapped (first, "notify::jitter-ms", G_CALLBACK (count_changed), &jitter_notes);
  gc_member_list_set_members (list, two_later);
  g_assert_cmpuint (seen.count, ==, 0);
  g_assert_cmpuint (jitter_notes, ==, 1);
  g_assert_cmpfloat (gc_member_item_get_fraction_lost (first), ==, 0.25);
  g_assert_cmpfloat (gc_member_item_get_jitter_ms (first), ==, 3.0);

  /* states are the shared enum; a word this panel does not know (a newer
   * agent's) leaves the state as it was */
  {
    g_autoptr (GVariant) setup = g_variant_ref_sink (g_variant_new_parsed (
      "{'10.0.0.2': {'state': <'setup'>}, '10.0.0.3': {'state': <'dancing'>}}"));
    g_autoptr (GcMemberItem) second = g_list_model_get_item (model, 1);

    g_autoptr (GVariant) moved = g_variant_ref_sink (g_variant_new_parsed (
      "{'10.0.0.2': {'transport': <'unicast'>}, '10.0.0.3': {'transport': <'pigeon'>}}"));

    gc_member_list_set_members (list, setup);
    g_assert_cmpint (gc_member_item_get_state (first), ==, GC_MEMBER_STATE_SETUP);
    g_assert_cmpint (gc_member_item_get_state (second), ==, GC_MEMBER_STATE_PLAYING);
    /* figures the entry leaves out keep their values */
    g_assert_cmpfloat (gc_member_item_get_jitter_ms (first), ==, 3.0);
    /* a member the group does not reach gets a copy of its own; the
     * transport is the shared enum too */
    g_assert_cmpint (gc_member_item_get_transport (first), ==, GC_TRANSPORT_MULTICAST);
    gc_member_list_set_members (list, moved);
    g_assert_cmpint (gc_member_item_get_transport (first), ==, GC_TRANSPORT_UNICAST);
    g_assert_cmpint (gc_member_item_get_transport (second), ==, GC_TRANSPORT_MULTICAST);
  }

  /* sampling feeds the plots: loss in percent */
  gc_member_list_sample (list);
  g_assert_cmpuint (gc_history_get_length (gc_member_item_get_loss_history (first)), ==, 1);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_loss_history (first)), ==, 25.0);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_jitter_history (first)), ==, 3.0);

  /* a member that left is removed; the other stays */
  gc_member_list_set_members (list, one);
  g_assert_cmpuint (seen.count, ==, 1);
  g_assert_cmpuint (seen.position, ==, 0);
  g_assert_cmpuint (seen.removed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_null (gc_member_list_find (list, "10.0.0.2"));
  g_assert_nonnull (gc_member_list_find (list, "10.0.0.3"));

  /* a member that joins is added at the end */
  seen.count = 0;
  gc_member_list_set_members (list, three);
  g_assert_cmpuint (seen.count, ==, 1);
  g_assert_cmpuint (seen.position, ==, 1);
  g_assert_cmpuint (seen.added, ==, 1);
  g_assert_nonnull (gc_member_list_find (list, "10.0.0.4"));

  gc_member_list_set_members (list, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_null (gc_member_list_find (list, "10.0.0.3"));
}

/* ---- the switcher: a switch's bookkeeping, without widgets ---- */

/* the agent's end of Source1: the test answers each call when it likes */
typedef struct
{
  Bus *bus;
  GcDBusSource1 *skeleton;
  GcDBusSource1 *proxy;           /* the panel's */
  GDBusMethodInvocation *pending; /* the call not answered yet */
  gchar **asked;                  /* the receivers it named */
  gboolean release;
} FakeSource;

static gboolean
on_handle_call (GcDBusSource1         *skeleton,
                GDBusMethodInvocation *invocation,
                const gchar * const   *receivers,
                FakeSource            *fake)
{
  g_assert_null (fake->pending);
  fake->pending = g_object_ref (invocation);
  g_strfreev (fake->asked);
  fake->asked = g_strdupv ((gchar **) receivers);
  fake->release = g_str_equal (g_dbus_method_invocation_get_method_name (invocation), "Release");
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
call_pending (gpointer user_data)
{
  return ((FakeSource *) user_data)->pending != NULL;
}

static FakeSource *
fake_source_new (void)
{
  FakeSource *fake = g_new0 (FakeSource, 1);
  g_autoptr (GcDBusObjectSkeleton) object = gc_dbus_object_skeleton_new (GC_DBUS_PATH "/source");

  fake->bus = bus_new ();
  fake->skeleton = gc_dbus_source1_skeleton_new ();
  g_signal_connect (fake->skeleton, "handle-switch", G_CALLBACK (on_handle_call), fake);
  g_signal_connect (fake->skeleton, "handle-release", G_CALLBACK (on_handle_call), fake);
  gc_dbus_object_skeleton_set_source1 (object, fake->skeleton);
  g_dbus_object_manager_server_export (fake->bus->server, G_DBUS_OBJECT_SKELETON (object));
  settle ();
  fake->proxy = GC_DBUS_SOURCE1 (g_dbus_object_manager_get_interface (fake->bus->manager,
                                                                      GC_DBUS_PATH "/source",
                                                                      "io.github.Groupcast.Source1"));
  g_assert_nonnull (fake->proxy);
  return fake;
}

static void
fake_source_free (FakeSource *fake)
{
  g_assert_null (fake->pending);
  g_clear_object (&fake->proxy);
  g_clear_object (&fake->skeleton);
  g_strfreev (fake->asked);
  bus_free (fake->bus);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeSource, fake_source_free)

/* answer the pending call with rows of (id, ok, message, ms) */
static void
fake_source_reply (FakeSource *fake,
                   GVariant   *rows)
{
  GDBusMethodInvocation *invocation = g_steal_pointer (&fake->pending);

  if (fake->release)
    gc_dbus_source1_complete_release (fake->skeleton, invocation, rows);
  else
    gc_dbus_source1_complete_switch (fake->skeleton, invocation, rows);
  g_object_unref (invocation);
}

/* three receivers, as the peer table would hold them */
static GPtrArray *
items_new (void)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  const gchar *peers[][2] = {
    { "a1", "10.0.0.2" }, { "b2", "10.0.0.3" }, { "c3", "10.0.0.4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    {
      g_autoptr (GcDBusPeer1) peer = gc_dbus_peer1_skeleton_new ();

      gc_dbus_peer1_set_id (peer, peers[i][0]);
      gc_dbus_peer1_set_address (peer, peers[i][1]);
      gc_dbus_peer1_set_roles (peer, (const gchar *[]) { "receiver", NULL });
      g_ptr_array_add (items, gc_peer_item_new (peer));
    }
  return items;
}

static GcPeerItem *
item (GPtrArray *items,
      guint      i)
{
  return g_ptr_array_index (items, i);
}

static void
on_run_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
first_finished (gpointer user_data)
{
  return gc_peer_item_get_switch_state (item (user_data, 0)) != GC_SWITCH_STATE_RUNNING;
}

static void
test_switcher_rows (void)
{
  g_autoptr (FakeSource) fake = fake_source_new ();
  g_autoptr (GcSwitcher) switcher = gc_switcher_new (fake->proxy);
  g_autoptr (GPtrArray) items = items_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GVariantBuilder) rows = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sbsd)"));

  g_assert_true (gc_switcher_get_source (switcher) == fake->proxy);
  gc_switcher_run_async (switcher, items, FALSE, NULL, on_run_done, &result);
  /* every row shows that it runs, at once */
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpint (gc_peer_item_get_switch_state (item (items, i)), ==, GC_SWITCH_STATE_RUNNING);
  g_assert_true (wait_until (call_pending, fake));
  g_assert_false (fake->release);
  g_assert_cmpstrv (fake->asked, ((const gchar *[]) { "a1", "b2", "c3", NULL }));

  /* SwitchFinished before the reply: that row has its result already */
  gc_dbus_source1_emit_switch_finished (fake->skeleton, "a1", TRUE, "ok", 42);
  g_assert_true (wait_until (first_finished, items));
  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 0)), ==, GC_SWITCH_STATE_OK);
  g_assert_cmpstr (gc_peer_item_get_result (item (items, 0)), ==, "First frame in 42 ms");
  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 1)), ==, GC_SWITCH_STATE_RUNNING);
  g_assert_null (result);

  /* the reply: one row per receiver (by id, or by address); c3 has none */
  g_variant_builder_add (&rows, "(sbsd)", "a1", TRUE, "ok", 42.0);
  g_variant_builder_add (&rows, "(sbsd)", "10.0.0.3", FALSE, "refused: bad signature", 0.0);
  fake_source_reply (fake, g_variant_builder_end (&rows));
  g_assert_true (wait_until (is_set, &result));
  g_assert_true (gc_switcher_run_finish (switcher, result, &error));
  g_assert_no_error (error);

  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 0)), ==, GC_SWITCH_STATE_OK);
  g_assert_cmpstr (gc_peer_item_get_result (item (items, 0)), ==, "First frame in 42 ms");
  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 1)), ==, GC_SWITCH_STATE_FAILED);
  /* why, in a sentence (translated in the panel), the receiver's own words
   * kept for the tooltip */
  g_assert_cmpstr (gc_peer_item_get_result (item (items, 1)), ==, "It refused");
  g_assert_cmpstr (gc_peer_item_get_result_detail (item (items, 1)), ==, "refused: bad signature");
  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 2)), ==, GC_SWITCH_STATE_FAILED);
  g_assert_cmpstr (gc_peer_item_get_result (item (items, 2)), ==, "No answer from the receiver");

  /* the run is over: a later SwitchFinished is not followed */
  gc_dbus_source1_emit_switch_finished (fake->skeleton, "c3", TRUE, "ok", 5);
  settle ();
  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 2)), ==, GC_SWITCH_STATE_FAILED);
}

/* the agent's error kinds become sentences; the words stay as detail */
static void
test_explain (void)
{
  g_autoptr (GError) e = g_dbus_error_new_for_dbus_error ("io.github.Groupcast.Error.Unreachable",
                                                          "connect to 10.0.0.7:7237: refused");
  g_autoptr (GError) bus = g_dbus_error_new_for_dbus_error ("org.freedesktop.DBus.Error.NoReply",
                                                            "no reply");
  g_autofree gchar *detail = NULL;
  g_autofree gchar *s1 = gc_util_explain_error (e, &detail);
  g_autofree gchar *s2 = gc_util_explain_error (bus, NULL);
  g_autofree gchar *r1 = NULL;
  g_autofree gchar *r2 = NULL;
  g_autofree gchar *r3 = NULL;
  g_autofree gchar *d1 = NULL;

  g_assert_cmpstr (s1, ==, "Cannot reach it on the network");
  g_assert_cmpstr (detail, ==, "connect to 10.0.0.7:7237: refused");
  g_assert_cmpstr (s2, ==, "The agent did not answer");
  r1 = gc_util_explain_result ("not authorized: wrong MAC: signed with another key", &d1);
  g_assert_cmpstr (r1, ==, "Not allowed: the display and this computer do not share the "
                           "site's key, or their clocks differ");
  g_assert_cmpstr (d1, ==, "not authorized: wrong MAC: signed with another key");
  r2 = gc_util_explain_result ("timeout: no picture within 5000 ms", NULL);
  g_assert_cmpstr (r2, ==, "No answer in time");
  /* a receiver's own sentence, of no kind: as it is */
  r3 = gc_util_explain_result ("already showing it", NULL);
  g_assert_cmpstr (r3, ==, "already showing it");
}

static void
test_switcher_failed_call (void)
{
  g_autoptr (FakeSource) fake = fake_source_new ();
  g_autoptr (GcSwitcher) switcher = gc_switcher_new (fake->proxy);
  g_autoptr (GPtrArray) items = items_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GDBusMethodInvocation *invocation;

  gc_switcher_run_async (switcher, items, FALSE, NULL, on_run_done, &result);
  g_assert_true (wait_until (call_pending, fake));
  gc_dbus_source1_emit_switch_finished (fake->skeleton, "a1", TRUE, "ok", 0);
  g_assert_true (wait_until (first_finished, items));

  /* the call as a whole fails: the rows still running fail with it */
  invocation = g_steal_pointer (&fake->pending);
  g_dbus_method_invocation_return_dbus_error (invocation, "io.github.Groupcast.Error.NotReady",
                                              "the source is not serving");
  g_object_unref (invocation);
  g_assert_true (wait_until (is_set, &result));
  g_assert_false (gc_switcher_run_finish (switcher, result, &error));
  g_assert_nonnull (error);
  /* the error keeps its D-Bus name, for the window to explain it */
  g_assert_true (g_dbus_error_is_remote_error (error));
  {
    g_autofree gchar *name = g_dbus_error_get_remote_error (error);
    g_autofree gchar *sentence = NULL;
    g_autofree gchar *detail = NULL;

    g_assert_cmpstr (name, ==, "io.github.Groupcast.Error.NotReady");
    /* not a kind the panel knows: the error's own words */
    sentence = gc_util_explain_error (error, &detail);
    g_assert_cmpstr (sentence, ==, "the source is not serving");
    g_assert_cmpstr (detail, ==, "the source is not serving");
  }

  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 0)), ==, GC_SWITCH_STATE_OK);
  g_assert_cmpstr (gc_peer_item_get_result (item (items, 0)), ==, "Done");
  for (guint i = 1; i < items->len; i++)
    {
      g_assert_cmpint (gc_peer_item_get_switch_state (item (items, i)), ==, GC_SWITCH_STATE_FAILED);
      g_assert_cmpstr (gc_peer_item_get_result (item (items, i)), ==, "the source is not serving");
    }
}

static void
test_switcher_release (void)
{
  g_autoptr (FakeSource) fake = fake_source_new ();
  g_autoptr (GcSwitcher) switcher = gc_switcher_new (fake->proxy);
  g_autoptr (GPtrArray) items = items_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GVariantBuilder) rows = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sbsd)"));

  g_ptr_array_set_size (items, 1);
  gc_switcher_run_async (switcher, items, TRUE, NULL, on_run_done, &result);
  g_assert_true (wait_until (call_pending, fake));
  g_assert_true (fake->release);
  g_assert_cmpstrv (fake->asked, ((const gchar *[]) { "a1", NULL }));
  g_variant_builder_add (&rows, "(sbsd)", "a1", TRUE, "released", 0.0);
  fake_source_reply (fake, g_variant_builder_end (&rows));
  g_assert_true (wait_until (is_set, &result));
  g_assert_true (gc_switcher_run_finish (switcher, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gc_peer_item_get_switch_state (item (items, 0)), ==, GC_SWITCH_STATE_OK);
  g_assert_cmpstr (gc_peer_item_get_result (item (items, 0)), ==, "Released");
}

static void
test_switcher_cancelled (void)
{
  g_autoptr (FakeSource) fake = fake_source_new ();
  g_autoptr (GcSwitcher) switcher = gc_switcher_new (fake->proxy);
  g_autoptr (GPtrArray) items = items_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GVariantBuilder) rows = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(sbsd)"));

  gc_switcher_run_async (switcher, items, FALSE, cancellable, on_run_done, &result);
  g_assert_true (wait_until (call_pending, fake));
  /* the window closes: no spinner is left running, and no result comes */
  g_cancellable_cancel (cancellable);
  g_assert_true (wait_until (is_set, &result));
  g_assert_false (gc_switcher_run_finish (switcher, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpint (gc_peer_item_get_switch_state (item (items, i)), ==, GC_SWITCH_STATE_NONE);
  fake_source_reply (fake, g_variant_builder_end (&rows));
  settle ();
}

static gboolean
followed_finished (gpointer user_data)
{
  return gc_peer_item_get_switch_state (user_data) != GC_SWITCH_STATE_NONE;
}

/* a switch somebody else ran (a script on the source): its results still
 * reach the rows of the panel's list */
static void
test_switcher_follow (void)
{
  g_autoptr (FakeSource) fake = fake_source_new ();
  g_autoptr (GcSwitcher) switcher = gc_switcher_new (fake->proxy);
  g_autoptr (GcPeerList) list = gc_peer_list_new ();
  g_autoptr (GcDBusPeer1) lobby = export_peer (fake->bus, "a1", "Lobby", "10.0.0.2", "receiver");
  GcPeerItem *row;

  settle ();
  gc_peer_list_set_manager (list, fake->bus->manager);
  row = gc_peer_list_find (list, "a1");
  g_assert_nonnull (row);
  gc_switcher_follow (switcher, list);
  gc_dbus_source1_emit_switch_finished (fake->skeleton, "a1", TRUE, "playing", 37);
  g_assert_true (wait_until (followed_finished, row));
  g_assert_cmpint (gc_peer_item_get_switch_state (row), ==, GC_SWITCH_STATE_OK);
  g_assert_cmpstr (gc_peer_item_get_result (row), ==, "First frame in 37 ms");
  /* a receiver the list does not have is no one's business */
  gc_dbus_source1_emit_switch_finished (fake->skeleton, "zz", FALSE, "unreachable", 0);
  settle ();
  gc_switcher_follow (switcher, NULL);
  gc_dbus_source1_emit_switch_finished (fake->skeleton, "a1", FALSE, "refused: no", 0);
  settle ();
  g_assert_cmpint (gc_peer_item_get_switch_state (row), ==, GC_SWITCH_STATE_OK);
  gc_peer_list_set_manager (list, NULL);
}

/* ---- histories fed from the agent's PropertiesChanged ---- */

typedef struct
{
  GcHistory *history;
  guint length;
} LengthWait;

static gboolean
length_reached (gpointer user_data)
{
  LengthWait *w = user_data;

  return gc_history_get_length (w->history) >= w->length;
}

static gboolean
member_listed (gpointer user_data)
{
  return gc_member_list_find (user_data, "10.0.0.2") != NULL;
}

static void
test_source_monitor (void)
{
  g_autoptr (FakeSource) fake = fake_source_new ();
  g_autoptr (GcSourceMonitor) monitor = gc_source_monitor_new ();
  g_autoptr (GVariant) one = members_variant ("10.0.0.2", 0.1, 2.0, NULL);
  g_autoptr (GVariant) one_later = members_variant ("10.0.0.2", 0.2, 4.0, NULL);
  GcHistory *bitrate = gc_source_monitor_get_bitrate_history (monitor);
  GcHistory *rate = gc_source_monitor_get_packet_rate_history (monitor);
  GcMemberList *members = gc_source_monitor_get_members (monitor);
  GcMemberItem *member;
  LengthWait w;

  gc_source_monitor_set_source (monitor, fake->proxy);
  g_assert_true (gc_source_monitor_get_source (monitor) == fake->proxy);
  /* no clock of its own: nothing until the agent sends */
  settle ();
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 0);

  /* one tick of the agent's export: several counters in one
   * PropertiesChanged make one sample */
  gc_dbus_source1_set_bitrate (fake->skeleton, 4200000);
  gc_dbus_source1_set_packet_rate (fake->skeleton, 350.5);
  gc_dbus_source1_set_packets_sent (fake->skeleton, 1000);
  w = (LengthWait) { bitrate, 1 };
  g_assert_true (wait_until (length_reached, &w));
  settle ();
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 1);
  g_assert_cmpfloat (gc_history_get_last (bitrate), ==, 4.2);
  g_assert_cmpuint (gc_history_get_length (rate), ==, 1);
  g_assert_cmpfloat (gc_history_get_last (rate), ==, 350.5);

  /* a property that is not a counter is no sample */
  gc_dbus_source1_set_encoder (fake->skeleton, "x264enc");
  settle ();
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 1);

  /* the next tick: a packet rate that stayed the same is sampled too */
  gc_dbus_source1_set_bitrate (fake->skeleton, 4000000);
  gc_dbus_source1_set_packets_sent (fake->skeleton, 1350);
  w = (LengthWait) { bitrate, 2 };
  g_assert_true (wait_until (length_reached, &w));
  g_assert_cmpfloat (gc_history_get_last (bitrate), ==, 4.0);
  g_assert_cmpuint (gc_history_get_length (rate), ==, 2);
  g_assert_cmpfloat (gc_history_get_last (rate), ==, 350.5);
  g_assert_cmpint (gc_history_get_time (rate, 1), >, gc_history_get_time (rate, 0));

  /* Members changes: the list follows, and each member's plots get a
   * sample; the source's own plots do not */
  gc_dbus_source1_set_members (fake->skeleton, one);
  g_assert_true (wait_until (member_listed, members));
  member = gc_member_list_find (members, "10.0.0.2");
  g_assert_cmpuint (gc_history_get_length (gc_member_item_get_loss_history (member)), ==, 1);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_loss_history (member)), ==, 10.0);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_jitter_history (member)), ==, 2.0);
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 2);

  gc_dbus_source1_set_members (fake->skeleton, one_later);
  w = (LengthWait) { gc_member_item_get_loss_history (member), 2 };
  g_assert_true (wait_until (length_reached, &w));
  g_assert_true (gc_member_list_find (members, "10.0.0.2") == member);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_loss_history (member)), ==, 20.0);
  g_assert_cmpfloat (gc_history_get_last (gc_member_item_get_jitter_history (member)), ==, 4.0);

  /* the source goes: its plots start afresh, its members go */
  gc_source_monitor_set_source (monitor, NULL);
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 0);
  g_assert_cmpuint (gc_history_get_length (rate), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (gc_member_list_get_model (members)), ==, 0);
}

static void
test_receiver_monitor (void)
{
  g_autoptr (Bus) bus = bus_new ();
  g_autoptr (GcDBusObjectSkeleton) object = gc_dbus_object_skeleton_new (GC_DBUS_PATH "/receiver");
  g_autoptr (GcDBusReceiver1) skeleton = gc_dbus_receiver1_skeleton_new ();
  g_autoptr (GcDBusReceiver1) proxy = NULL;
  g_autoptr (GcReceiverMonitor) monitor = gc_receiver_monitor_new ();
  GcHistory *bitrate = gc_receiver_monitor_get_bitrate_history (monitor);
  LengthWait w = { bitrate, 1 };

  gc_dbus_object_skeleton_set_receiver1 (object, skeleton);
  g_dbus_object_manager_server_export (bus->server, G_DBUS_OBJECT_SKELETON (object));
  settle ();
  proxy = GC_DBUS_RECEIVER1 (g_dbus_object_manager_get_interface (bus->manager,
                                                                  GC_DBUS_PATH "/receiver",
                                                                  "io.github.Groupcast.Receiver1"));
  g_assert_nonnull (proxy);
  gc_receiver_monitor_set_receiver (monitor, proxy);
  g_assert_true (gc_receiver_monitor_get_receiver (monitor) == proxy);

  /* a state change alone is no sample */
  gc_dbus_receiver1_set_state (skeleton, "playing");
  settle ();
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 0);

  gc_dbus_receiver1_set_bitrate (skeleton, 2500000);
  gc_dbus_receiver1_set_packets_received (skeleton, 800);
  g_assert_true (wait_until (length_reached, &w));
  settle ();
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 1);
  g_assert_cmpfloat (gc_history_get_last (bitrate), ==, 2.5);

  /* counters that move while the bitrate stays: a sample all the same */
  gc_dbus_receiver1_set_packets_received (skeleton, 1200);
  w.length = 2;
  g_assert_true (wait_until (length_reached, &w));
  g_assert_cmpfloat (gc_history_get_last (bitrate), ==, 2.5);

  gc_receiver_monitor_set_receiver (monitor, NULL);
  g_assert_cmpuint (gc_history_get_length (bitrate), ==, 0);
}

/* ---- settings ---- */

/* the bus choice is a GSettings key (this build's schema, a memory
 * backend); an earlier panel's panel.ini is taken over once */
static void
test_bus_setting (void)
{
  g_autofree gchar *dir = g_build_filename (g_get_user_config_dir (), "groupcast", NULL);
  g_autofree gchar *path = g_build_filename (dir, "panel.ini", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettings) settings = gc_application_dup_settings ();
  g_autofree gchar *value = NULL;

  g_assert_nonnull (settings);
  g_settings_reset (settings, "bus");
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SESSION);
  g_assert_true (gc_application_save_bus (G_BUS_TYPE_SYSTEM, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SYSTEM);
  value = g_settings_get_string (settings, "bus");
  g_assert_cmpstr (value, ==, "system");
  g_assert_true (gc_application_save_bus (G_BUS_TYPE_SESSION, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SESSION);

  /* the old file: read once, then gone */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "[panel]\nbus=system\n", -1, NULL));
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SYSTEM);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (gc_application_load_bus (), ==, G_BUS_TYPE_SYSTEM);
  g_settings_reset (settings, "bus");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *config = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  config = g_dir_make_tmp ("gc-panel-model-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  g_test_add_func ("/groupcast/panel-model/history", test_history);
  g_test_add_func ("/groupcast/panel-model/history/peak", test_history_peak);
  g_test_add_func ("/groupcast/panel-model/peer-list", test_peer_list);
  g_test_add_func ("/groupcast/panel-model/member-list", test_member_list);
  g_test_add_func ("/groupcast/panel-model/switcher/rows", test_switcher_rows);
  g_test_add_func ("/groupcast/panel-model/switcher/failed-call", test_switcher_failed_call);
  g_test_add_func ("/groupcast/panel-model/explain-errors", test_explain);
  g_test_add_func ("/groupcast/panel-model/peer-back-online", test_peer_back_online);
  g_test_add_func ("/groupcast/panel-model/switcher/release", test_switcher_release);
  g_test_add_func ("/groupcast/panel-model/switcher/cancelled", test_switcher_cancelled);
  g_test_add_func ("/groupcast/panel-model/switcher/follow", test_switcher_follow);
  g_test_add_func ("/groupcast/panel-model/source-monitor", test_source_monitor);
  g_test_add_func ("/groupcast/panel-model/receiver-monitor", test_receiver_monitor);
  g_test_add_func ("/groupcast/panel-model/bus-setting", test_bus_setting);
  ret = g_test_run ();

  {
    g_autofree gchar *ini = g_build_filename (config, "groupcast", "panel.ini", NULL);
    g_autofree gchar *dir = g_build_filename (config, "groupcast", NULL);

    g_unlink (ini);
    g_rmdir (dir);
    g_rmdir (config);
  }
  return ret;
}
