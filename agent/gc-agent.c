/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the agent: ties the roles (source, receiver) to discovery, the control
 * server and the switch. the D-Bus layer maps this object to the bus.
 */
#define G_LOG_DOMAIN "GcAgent"

#include "config.h"

#include <errno.h>

#include "gc-agent-private.h"
#include "gc-announcement.h"
#include "gc-control-server.h"
#include "gc-discovery.h"
#include "gc-error.h"
#include "gc-identity.h"
#include "gc-peer.h"
#include "gc-site-key.h"
#include "gc-name.h"

/* how long a source without --group listens before it picks one */
#define GROUP_WAIT_MS 1300
#define PEER_TABLE_MAX 256


G_DEFINE_FINAL_TYPE (GcAgent, gc_agent, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_AUTHENTICATED,
  PROP_PAIRING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

GcAgent *
gc_agent_new (GcConfig *config)
{
  GcAgent *self = g_object_new (GC_TYPE_AGENT, NULL);

  g_return_val_if_fail (config != NULL, self);
  self->config = config;
  return self;
}

const GcConfig *
gc_agent_get_config (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->config;
}

const gchar *
gc_agent_get_id (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->id;
}

GcSource *
gc_agent_get_source (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->source;
}

GcReceiver *
gc_agent_get_receiver (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->receiver;
}

GcPeerTable *
gc_agent_get_peer_table (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->peers;
}

GcSwitch *
gc_agent_get_switch (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->sw;
}

/* this agent holds the site key: it signs and checks switch requests */
gboolean
gc_agent_is_authenticated (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), FALSE);
  return self->key != NULL;
}

static guint
roles (GcAgent *self)
{
  return (self->config->source ? GC_ROLE_SOURCE : 0)
         | (self->config->receiver ? GC_ROLE_RECEIVER : 0);
}

gchar **
gc_agent_dup_roles (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return gc_roles_to_strv (roles (self));
}

/* ---- announcements ------------------------------------------------------ */

static void
fill_announcement (GcAgent *self, GcAnnouncement *a)
{
  a->id = g_strdup (self->id);
  a->name = g_strdup (self->config->name);
  a->address = g_strdup (self->config->bind_address);
  a->instance = g_strdup (self->instance);
  a->roles = roles (self);
  a->control_port = self->config->control_port;
  if (self->source != NULL && gc_source_is_serving (self->source))
    {
      a->url = g_strdup (gc_source_get_url (self->source));
      a->group = gc_source_dup_group_port (self->source);
    }
  if (self->receiver != NULL && *gc_receiver_get_source_url (self->receiver) != '\0')
    a->current_source = g_strdup (gc_receiver_get_source_url (self->receiver));
}

static void
announce (GcAgent *self)
{
  g_auto (GcAnnouncement) a = { 0 };

  if (self->discovery == NULL)
    return;
  fill_announcement (self, &a);
  gc_discovery_update (self->discovery, &a);
}

static void check_group_collision (GcAgent *self);

static void
on_role_state (GObject *role, GParamSpec *pspec, GcAgent *self)
{
  announce (self);
}

static void
on_source_state (GcSource *source, GParamSpec *pspec, GcAgent *self)
{
  announce (self);
  /* another source's announcement may have come while this one was still
   * starting: look again now that it serves */
  check_group_collision (self);
}

/* ---- group choice ------------------------------------------------------- */

static gboolean
group_used_by_peer (GcAgent *self, const gchar *group, const gchar *below_id)
{
  g_autoptr (GPtrArray) peers = gc_peer_table_dup_peers (self->peers);
  gsize n = strlen (group);

  for (guint i = 0; i < peers->len; i++)
    {
      GcPeer *p = g_ptr_array_index (peers, i);
      const gchar *pg = gc_peer_get_group (p);

      if (!(gc_peer_get_roles (p) & GC_ROLE_SOURCE) || pg == NULL)
        continue;
      if (strncmp (pg, group, n) == 0 && (pg[n] == ':' || pg[n] == '\0')
          && (below_id == NULL || g_strcmp0 (gc_peer_get_id (p), below_id) < 0))
        return TRUE;
    }
  return FALSE;
}

static gchar *
pick_free_group (GcAgent *self)
{
  /* 239.0.0.11, .12, ... : the first no discovered source uses */
  for (guint i = 11; i < 255; i++)
    {
      g_autofree gchar *g = g_strdup_printf ("239.0.0.%u", i);

      if (!group_used_by_peer (self, g, NULL))
        return g_steal_pointer (&g);
    }
  return g_strdup (GC_DEFAULT_GROUP);
}

static void
restarted (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcAgent) self = data;
  g_autoptr (GError) error = NULL;

  if (!gc_source_start_finish (GC_SOURCE (object), res, &error))
    g_warning ("cannot serve on group %s: %s", gc_source_get_group (GC_SOURCE (object)),
               error->message);
  announce (self);
}

static void
check_group_collision (GcAgent *self)
{
  const gchar *mine;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *next = NULL;

  if (self->source == NULL || !gc_source_is_serving (self->source))
    return;
  mine = gc_source_get_group (self->source);
  if (self->config->group_explicit)
    {
      if (group_used_by_peer (self, mine, NULL))
        g_warning ("group %s is also used by another source on this LAN; "
                   "their receivers will see both pictures", mine);
      return;
    }
  /* two sources that chose at once: the one with the larger id moves on,
   * unless it already has viewers */
  if (!group_used_by_peer (self, mine, self->id)
      || gc_member_table_get_size (gc_source_get_members (self->source)) > 0)
    return;
  next = pick_free_group (self);
  g_message ("group %s is taken by another source; moving to %s", mine, next);
  gc_source_stop (self->source);
  if (!gc_source_set_group (self->source, next, &error))
    {
      g_warning ("cannot move to group %s: %s", next, error->message);
      return;
    }
  gc_source_start_async (self->source, NULL, restarted, g_object_ref (self));
}

static void
on_peer_changed (GcPeerTable *table, GcPeer *peer, GcAgent *self)
{
  if (gc_peer_get_roles (peer) & GC_ROLE_SOURCE)
    check_group_collision (self);
}

static gboolean
peer_known (const gchar *address, gpointer data)
{
  GcAgent *self = data;

  /* requests come only from hosts we have heard announce themselves (or
   * from this host) */
  if (g_str_equal (address, "127.0.0.1") || g_str_equal (address, "::1")
      || g_strcmp0 (address, self->config->bind_address) == 0)
    return TRUE;
  return gc_peer_table_find_by_address (self->peers, address) != NULL;
}

/* ---- the name -------------------------------------------------------------- */

#define NAME_FILE "name"

/* a name set by a rename is kept in the state directory and wins over
 * --name (the configured name is the first one a board has); the file is
 * one line of UTF-8 */
static void
load_stored_name (GcConfig *c)
{
  g_autofree gchar *path = g_build_filename (c->state_dir, NAME_FILE, NULL);
  g_autofree gchar *text = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("cannot read the name kept in %s: %s", path, error->message);
      return;
    }
  g_strchomp (text);
  if (!gc_name_is_valid (text))
    {
      g_message ("the name kept in %s is not a valid name: using '%s'", path, c->name);
      return;
    }
  if (g_strcmp0 (text, c->name) != 0)
    g_message ("name '%s' (set by a rename, kept in %s) instead of '%s'", text, path, c->name);
  g_free (c->name);
  c->name = g_steal_pointer (&text);
}

const gchar *
gc_agent_get_name (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->config->name;
}

/* renames this agent: its beacons, mDNS record, screens and requests say
 * the new name at once, and it is kept for the next start. a bad name is
 * an error and changes nothing; a state directory that cannot be written
 * keeps the name for this run and says so */
gboolean
gc_agent_set_name (GcAgent *self, const gchar *name, GError **error)
{
  GcConfig *c;
  g_autofree gchar *path = NULL;
  g_autofree gchar *line = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (GC_IS_AGENT (self), FALSE);
  c = self->config;
  if (!gc_name_is_valid (name))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a name is 1 to %u bytes of UTF-8 on one line, not only blanks",
                   GC_NAME_MAX_BYTES);
      return FALSE;
    }
  if (g_str_equal (name, c->name))
    return TRUE;
  path = g_build_filename (c->state_dir, NAME_FILE, NULL);
  line = g_strconcat (name, "\n", NULL);
  if (g_mkdir_with_parents (c->state_dir, 0755) < 0
      || !g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                    &local_error))
    g_message ("renamed for this run only: cannot keep the name in %s: %s", path,
               local_error != NULL ? local_error->message : g_strerror (errno));
  g_message ("renamed from '%s' to '%s'", c->name, name);
  g_free (c->name);
  c->name = g_strdup (name);
  if (self->sw != NULL)
    gc_switch_set_name (self->sw, name);
  if (self->receiver != NULL)
    gc_receiver_set_name (self->receiver, name);
  announce (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NAME]);
  return TRUE;
}

static void
on_rename (GcSwitch *sw, const gchar *name, GcAgent *self)
{
  g_autoptr (GError) error = NULL;

  if (!gc_agent_set_name (self, name, &error))
    g_message ("rename refused: %s", error->message);
}

/* ---- a peer with our id (cloned boards) ---------------------------------- */

static void
set_id (GcAgent *self, gchar *id)
{
  g_free (self->id);
  self->id = id;
  gc_switch_set_agent_id (self->sw, id);
  announce (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ID]);
}

/* the agent that started later moves to a new id; with no instance to
 * compare (an old agent), the one at the larger address. both sides reach
 * the same verdict, so exactly one moves, and it moves once a run: a
 * forger cannot make it walk from id to id */
static void
on_id_collision (GcDiscovery *discovery, const gchar *address, const gchar *instance,
                 GcAgent *self)
{
  GcConfig *c = self->config;
  gboolean we_move = instance != NULL ? g_strcmp0 (self->instance, instance) > 0
                                      : g_strcmp0 (c->bind_address, address) > 0;

  if (we_move && !self->id_moved)
    {
      g_autofree gchar *old = g_strdup (self->id);

      self->id_moved = TRUE;
      set_id (self, gc_identity_resolve_collision (c->state_dir, c->address_interface, old));
      g_message ("agent id %s is also used by the agent at %s (a board cloned from one "
                 "image?), which was there first: this agent is now %s", old, address, self->id);
      return;
    }
  if (self->collision_logged)
    return;
  self->collision_logged = TRUE;
  if (we_move)
    g_warning ("agent id %s is used by the agent at %s too, and this agent changed its id "
               "once already: keeping it", self->id, address);
  else
    g_message ("agent id %s is also used by the agent at %s (a board cloned from one "
               "image?), which started later: it takes a new id", self->id, address);
}

/* ---- a source that is back ------------------------------------------------ */

/* the group a verified peer's signed beacon or record announced */
static const gchar *
signed_group (GcPeer *peer)
{
  const gchar *group = gc_peer_get_group (peer);

  return gc_peer_get_verified (peer) && gc_control_group_is_valid (group) ? group : NULL;
}

/* a receiver waiting to reconnect to this peer's URL tries now, not at its
 * back-off timer: the source's beacon or record came again */
static void
on_peer_seen (GcPeerTable *table, GcPeer *peer, GcAgent *self)
{
  const gchar *url = gc_peer_get_url (peer);

  if (self->receiver == NULL || url == NULL
      || g_strcmp0 (url, gc_receiver_get_source_url (self->receiver)) != 0)
    return;
  /* a verified peer's group is signed (beacon or TXT record) */
  if (gc_receiver_retry_now (self->receiver, signed_group (peer)))
    g_info ("source %s is back: reconnecting now", url);
}

gboolean
gc_agent_connect (GcAgent *self, const gchar *url, GError **error)
{
  GcPeer *source_peer = NULL;
  g_autoptr (GPtrArray) peers = NULL;

  g_return_val_if_fail (GC_IS_AGENT (self), FALSE);

  if (self->receiver == NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED, "this agent has no receiver role");
      return FALSE;
    }
  /* name the source if discovery knows it */
  peers = gc_peer_table_dup_peers (self->peers);
  for (guint i = 0; i < peers->len && source_peer == NULL; i++)
    if (g_strcmp0 (gc_peer_get_url (g_ptr_array_index (peers, i)), url) == 0)
      source_peer = g_ptr_array_index (peers, i);
  /* no signed request here: the group SETUP must give is the one the
   * source's signed beacon or record announced, if a verified peer has
   * that URL */
  return gc_receiver_connect (self->receiver, url,
                              source_peer ? gc_peer_get_name (source_peer) : NULL,
                              source_peer != NULL ? signed_group (source_peer) : NULL, error);
}

/* ---- start ---------------------------------------------------------------- */

static gboolean
load_key (GcAgent *self, GError **error)
{
  if (self->config->key_file != NULL)
    {
      self->key = gc_site_key_load_file (self->config->key_file, error);
      return self->key != NULL;
    }
  if (self->config->key_string != NULL)
    {
      self->key = gc_site_key_from_string (self->config->key_string, error);
      if (self->key == NULL)
        g_prefix_error (error, "config key: ");
      return self->key != NULL;
    }
  /* the key pairing gave it, if it was paired (a state directory that
   * cannot be made holds none); one that is there must load */
  {
    g_autofree gchar *path = g_build_filename (self->config->state_dir, "site-key", NULL);

    if (g_file_test (path, G_FILE_TEST_EXISTS))
      {
        self->key = gc_site_key_load_file (path, error);
        if (self->key == NULL)
          g_prefix_error (error, "the key pairing gave: ");
        return self->key != NULL;
      }
  }
  return TRUE;
}

static const gchar *
name_for_address (const gchar *address, gpointer data)
{
  GcAgent *self = data;
  GcPeer *p = gc_peer_table_find_by_address (self->peers, address);

  return p != NULL ? gc_peer_get_name (p) : NULL;
}

/* nonces of accepted requests survive a restart, so their bytes cannot be
 * replayed after it */
void
gc_agent_keep_replay_cache (GcAgent *self)
{
  g_autofree gchar *path = g_build_filename (self->config->state_dir, "replay-cache", NULL);
  g_autoptr (GError) local_error = NULL;

  if (!gc_control_server_set_replay_file (self->control, path, &local_error))
    g_message ("%s; refusing requests signed before the start instead", local_error->message);
}

static gboolean
start_control (GcAgent *self, GError **error)
{
  GcConfig *c = self->config;

  /* on the chosen interface's address only: not on a docker bridge or a
   * VPN the host also has */
  self->control = gc_control_server_new (c->control_port,
                                         c->interface != NULL ? c->bind_address : NULL,
                                         self->key, c->allow_unauthenticated);
  if (!gc_control_server_start (self->control, error))
    {
      g_prefix_error (error, "control port %u: ", c->control_port);
      return FALSE;
    }
  if (self->key != NULL)
    gc_agent_keep_replay_cache (self);
  return TRUE;
}

static gboolean
start_discovery (GcAgent *self, GError **error)
{
  GcConfig *c = self->config;
  g_auto (GcAnnouncement) a = { 0 };
  const gchar *iface;

  if (!c->mdns && !c->beacons)
    {
      self->peers = gc_peer_table_new (self->id, PEER_TABLE_MAX);
      return TRUE;
    }
  fill_announcement (self, &a);
  /* without --interface, on the interface of the address announced: its
   * beacons then come from that address (a signed beacon must), and its
   * records resolve to it */
  iface = c->interface != NULL ? c->interface
          : g_strcmp0 (c->address_interface, "lo") != 0 ? c->address_interface : NULL;
  self->discovery = gc_discovery_new (&a, iface, c->beacon_port, c->beacon_interval_ms,
                                      self->key);
  if (c->peers != NULL)
    {
      /* validated with the configuration */
      GcFarPeers *far = gc_far_peers_new (c->peers, NULL);

      if (far != NULL && gc_far_peers_n_configured (far) > 0)
        g_message ("beacons also go by unicast beyond this subnet, to %s", c->peers);
      gc_discovery_set_far_peers (self->discovery, far);
    }
  else
    gc_discovery_set_far_peers (self->discovery, gc_far_peers_new (NULL, NULL));
  if (!gc_discovery_start (self->discovery, c->mdns, c->beacons, error))
    {
      g_prefix_error (error, "discovery: ");
      return FALSE;
    }
  self->peers = g_object_ref (gc_discovery_get_peer_table (self->discovery));
  g_signal_connect_object (self->discovery, "id-collision", G_CALLBACK (on_id_collision), self,
                           0);
  if (self->control != NULL)
    gc_control_server_set_peer_filter (self->control, peer_known, self, NULL);
  return TRUE;
}

/* everything that starts at once: identity, key, roles, control, discovery */
static gboolean
start_parts (GcAgent *self, GError **error)
{
  GcConfig *c = self->config;

  self->id = gc_identity_load (c->state_dir, c->address_interface, NULL, error);
  if (self->id == NULL || !load_key (self, error))
    return FALSE;
  load_stored_name (c);
  g_message ("announcing %s on %s%s", c->bind_address, c->address_interface,
             c->interface != NULL ? "" : " (no --interface: the default route's, or the first "
                                         "that is no container bridge or tunnel)");
  if (self->key == NULL && c->receiver && !c->allow_unauthenticated)
    g_message ("no site key: switch requests will be refused "
               "(give --key-file, or --allow-unauthenticated on a trusted network)");
  if (self->key == NULL && c->receiver && c->allow_unauthenticated)
    g_warning ("switch requests are accepted without authentication (--allow-unauthenticated)");
  if (c->source)
    {
      self->source = gc_source_new (c);
      gc_source_set_site_key (self->source, c->plain_media ? NULL : self->key, self->id);
      if (self->key != NULL && c->plain_media)
        g_warning ("the picture is sent as plain RTP (--plain-media): anyone on this network "
                   "can watch it");
    }
  if (c->receiver && (self->receiver = gc_receiver_new (c, error)) == NULL)
    return FALSE;
  if (self->receiver != NULL)
    gc_receiver_set_site_key (self->receiver, self->key, c->plain_media);
  if (c->receiver && !start_control (self, error))
    return FALSE;
  if (c->receiver)
    gc_agent_start_pairing_server (self);
  if (!start_discovery (self, error))
    return FALSE;
  if (self->source != NULL)
    gc_member_table_set_name_func (gc_source_get_members (self->source), name_for_address, self);
  self->sw = gc_switch_new (self->id, c, self->key, self->source, self->receiver, self->peers);
  if (self->control != NULL)
    gc_switch_serve (self->sw, self->control);
  g_signal_connect_object (self->sw, "rename", G_CALLBACK (on_rename), self, 0);
  g_signal_connect_object (self->peers, "peer-added", G_CALLBACK (on_peer_changed), self, 0);
  g_signal_connect_object (self->peers, "peer-changed", G_CALLBACK (on_peer_changed), self, 0);
  g_signal_connect_object (self->peers, "peer-added", G_CALLBACK (on_peer_seen), self, 0);
  g_signal_connect_object (self->peers, "peer-changed", G_CALLBACK (on_peer_seen), self, 0);
  return TRUE;
}

/* the source serves (or there is none): the receiver starts, and the
 * agent says who it is */
static void
start_done (GTask *task)
{
  GcAgent *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (self->source != NULL)
    {
      g_signal_connect_object (self->source, "notify::state", G_CALLBACK (on_source_state), self,
                               0);
      /* another source may have announced the same group while this one
       * was starting */
      check_group_collision (self);
    }
  if (self->receiver != NULL)
    {
      g_signal_connect_object (self->receiver, "notify::state", G_CALLBACK (on_role_state),
                               self, 0);
      if (self->config->connect_url != NULL
          && !gc_receiver_connect (self->receiver, self->config->connect_url, NULL, NULL, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  announce (self);
  g_task_return_boolean (task, TRUE);
}

static void
source_started (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;

  if (!gc_source_start_finish (GC_SOURCE (object), res, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  start_done (task);
}

static void
start_source (GTask *task)
{
  GcAgent *self = g_task_get_source_object (task);

  /* a desktop agent shares only when the user starts sharing */
  if (self->config->desktop)
    {
      g_message ("desktop agent: the source waits for the user to share (Source1.StartWith)");
      start_done (task);
      return;
    }
  gc_source_start_async (self->source, g_task_get_cancellable (task), source_started,
                         g_object_ref (task));
}

static gboolean
group_listened (gpointer data)
{
  GTask *task = data;
  GcAgent *self = g_task_get_source_object (task);
  g_autofree gchar *group = pick_free_group (self);
  GError *error = NULL;

  if (!gc_source_set_group (self->source, group, &error))
    g_task_return_error (task, error);
  else
    start_source (task);
  return G_SOURCE_REMOVE;
}

/* starts every part of the agent; the source without --group first
 * listens a moment, so the group it picks is one nobody uses */
void
gc_agent_start_async (GcAgent *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  GcConfig *c;

  g_return_if_fail (GC_IS_AGENT (self));

  g_task_set_source_tag (task, gc_agent_start_async);
  c = self->config;
  if (!start_parts (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->source == NULL)
    start_done (task);
  else if (!c->group_explicit && self->discovery != NULL)
    {
      g_autoptr (GSource) wait = g_timeout_source_new (GROUP_WAIT_MS);

      g_task_attach_source (task, wait, group_listened);
    }
  else
    {
      if (c->group_explicit && group_used_by_peer (self, c->group, NULL))
        g_warning ("group %s is also used by another source on this LAN", c->group);
      start_source (task);
    }
}

gboolean
gc_agent_start_finish (GcAgent *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
gc_agent_stop (GcAgent *self)
{
  g_return_if_fail (GC_IS_AGENT (self));

  if (self->receiver != NULL)
    gc_receiver_shutdown (self->receiver);
  if (self->control != NULL)
    gc_control_server_stop (self->control);
  if (self->pairing != NULL)
    gc_pairing_server_stop (self->pairing);
  if (self->source != NULL)
    gc_source_stop (self->source);
  if (self->discovery != NULL)
    gc_discovery_stop (self->discovery);
}

static void
gc_agent_dispose (GObject *object)
{
  GcAgent *self = GC_AGENT (object);

  gc_agent_stop (self);
  g_clear_object (&self->sw);
  g_clear_object (&self->control);
  g_clear_object (&self->pairing);
  g_clear_object (&self->receiver);
  g_clear_object (&self->source);
  g_clear_object (&self->discovery);
  g_clear_object (&self->peers);
  G_OBJECT_CLASS (gc_agent_parent_class)->dispose (object);
}

static void
gc_agent_finalize (GObject *object)
{
  GcAgent *self = GC_AGENT (object);

  gc_config_free (self->config);
  g_clear_pointer (&self->key, g_bytes_unref);
  g_free (self->id);
  g_free (self->instance);
  G_OBJECT_CLASS (gc_agent_parent_class)->finalize (object);
}

static void
gc_agent_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GcAgent *self = GC_AGENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->config->name);
      break;
    case PROP_AUTHENTICATED:
      g_value_set_boolean (value, self->key != NULL);
      break;
    case PROP_PAIRING:
      g_value_set_boolean (value, gc_agent_is_pairing (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_agent_class_init (GcAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_agent_dispose;
  object_class->finalize = gc_agent_finalize;
  object_class->get_property = gc_agent_get_property;

  /* changes only when another agent turns out to have the same id */
  props[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL,
                                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                        | G_PARAM_STATIC_STRINGS);
  /* changes on a rename (gc_agent_set_name) */
  props[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                          | G_PARAM_STATIC_STRINGS);
  /* it holds the site key: changes when pairing gives it one */
  props[PROP_AUTHENTICATED] = g_param_spec_boolean ("authenticated", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                    | G_PARAM_STATIC_STRINGS);
  /* a receiver shows a pairing code (also notified when the code or the
   * lock changes) */
  props[PROP_PAIRING] = g_param_spec_boolean ("pairing", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                              | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
gc_agent_init (GcAgent *self)
{
  /* fixed width, so two compare as strings by start time first */
  self->instance = g_strdup_printf ("%016" G_GINT64_MODIFIER "x%08x", g_get_real_time (),
                                    g_random_int ());
}
