/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the agent: ties the roles (source, receiver) to discovery and to the
 * control protocol. the D-Bus layer maps this object to the bus.
 */
#define G_LOG_DOMAIN "GcAgent"

#include "config.h"

#include "gc-agent.h"
#include "gc-announcement.h"
#include "gc-control-client.h"
#include "gc-control-server.h"
#include "gc-discovery.h"
#include "gc-error.h"
#include "gc-identity.h"
#include "gc-peer.h"
#include "gc-site-key.h"

#define GROUP_WAIT_MS 1300
#define MAX_SWITCH_TARGETS 256

struct _GcAgent
{
  GObject parent_instance;

  GcConfig *config;
  gchar *id;
  GBytes *key;
  GcSource *source;
  GcReceiver *receiver;
  GcDiscovery *discovery;
  GcPeerTable *peers;       /* an empty table when discovery is off */
  GcControlServer *control;
};

G_DEFINE_FINAL_TYPE (GcAgent, gc_agent, G_TYPE_OBJECT)

enum
{
  SIGNAL_SWITCH_FINISHED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

GcAgent *
gc_agent_new (GcConfig *config)
{
  GcAgent *self = g_object_new (GC_TYPE_AGENT, NULL);

  self->config = config;
  return self;
}

const GcConfig *
gc_agent_get_config (GcAgent *self)
{
  return self->config;
}

const gchar *
gc_agent_get_id (GcAgent *self)
{
  return self->id;
}

GcSource *
gc_agent_get_source (GcAgent *self)
{
  return self->source;
}

GcReceiver *
gc_agent_get_receiver (GcAgent *self)
{
  return self->receiver;
}

GcPeerTable *
gc_agent_get_peer_table (GcAgent *self)
{
  return self->peers;
}

gchar **
gc_agent_dup_roles (GcAgent *self)
{
  return gc_roles_to_strv ((self->config->source ? GC_ROLE_SOURCE : 0)
                           | (self->config->receiver ? GC_ROLE_RECEIVER : 0));
}

/* ---- announcements ----------------------------------------------------- */

static void
fill_announcement (GcAgent *self, GcAnnouncement *a)
{
  a->id = g_strdup (self->id);
  a->name = g_strdup (self->config->name);
  a->roles = (self->config->source ? GC_ROLE_SOURCE : 0)
             | (self->config->receiver ? GC_ROLE_RECEIVER : 0);
  a->control_port = self->config->control_port;
  if (self->source != NULL && !g_str_equal (gc_source_get_state (self->source), "stopped"))
    {
      a->url = g_strdup (gc_source_get_url (self->source));
      a->group = g_strdup_printf ("%s:%u", gc_source_get_group (self->source),
                                  gc_source_get_rtp_port (self->source));
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

static void
on_receiver_state (GcReceiver *receiver, GParamSpec *pspec, GcAgent *self)
{
  announce (self);
}

static void
on_source_state (GcSource *source, GParamSpec *pspec, GcAgent *self)
{
  announce (self);
}

/* ---- group choice ------------------------------------------------------ */

static gboolean
group_used_by_peer (GcAgent *self, const gchar *group, const gchar *below_id)
{
  g_autoptr (GPtrArray) peers = gc_peer_table_dup_peers (self->peers);

  for (guint i = 0; i < peers->len; i++)
    {
      GcPeer *p = g_ptr_array_index (peers, i);
      const gchar *pg = gc_peer_get_group (p);
      gsize n = strlen (group);

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
check_group_collision (GcAgent *self)
{
  const gchar *mine;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *next = NULL;

  if (self->source == NULL || g_str_equal (gc_source_get_state (self->source), "stopped"))
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
  if (!group_used_by_peer (self, mine, self->id) || gc_source_get_n_members (self->source) > 0)
    return;
  next = pick_free_group (self);
  g_message ("group %s is taken by another source; moving to %s", mine, next);
  gc_source_stop (self->source);
  if (!gc_source_set_group (self->source, next, &error) || !gc_source_start (self->source, &error))
    g_warning ("cannot move to group %s: %s", next, error->message);
  announce (self);
}

static void
on_peer_changed (GcPeerTable *table, GcPeer *peer, GcAgent *self)
{
  if (gc_peer_get_roles (peer) & GC_ROLE_SOURCE)
    check_group_collision (self);
}

/* ---- control server (receiver side) ------------------------------------ */

typedef struct
{
  GcAgent *self;
  GcControlReply *reply;
} ReplyData;

static void
switch_waited (GObject *source, GAsyncResult *res, gpointer data)
{
  ReplyData *rd = data;
  g_autoptr (GError) error = NULL;
  g_auto (GcControlResponse) resp = { 0 };
  gdouble ms = 0;

  if (gc_receiver_wait_finish (GC_RECEIVER (source), res, &ms, &error))
    {
      resp.ok = TRUE;
      resp.first_frame_ms = ms;
      resp.message = g_strdup (ms > 0 ? "playing" : "already showing it");
    }
  else
    gc_control_response_set_error (&resp, (GcError) error->code, error->message);
  resp.state = g_strdup (gc_receiver_state_to_string (gc_receiver_get_state (rd->self->receiver)));
  resp.current_url = g_strdup (gc_receiver_get_source_url (rd->self->receiver));
  gc_control_reply_return (rd->reply, &resp);
  gc_control_reply_unref (rd->reply);
  g_object_unref (rd->self);
  g_free (rd);
}

static void
status_response (GcAgent *self, GcControlResponse *resp)
{
  resp->ok = TRUE;
  resp->state = g_strdup (gc_receiver_state_to_string (gc_receiver_get_state (self->receiver)));
  resp->current_url = g_strdup (gc_receiver_get_source_url (self->receiver));
  resp->message = g_strdup (resp->state);
}

static void
handle_local_request (GcAgent *self, const GcControlRequest *req, GcControlReply *reply)
{
  g_auto (GcControlResponse) resp = { 0 };
  g_autoptr (GError) error = NULL;

  switch (req->verb)
    {
    case GC_CONTROL_VERB_SWITCH:
      {
        ReplyData *rd;

        if (!gc_receiver_connect (self->receiver, req->url, req->source_name, &error))
          break;
        rd = g_new0 (ReplyData, 1);
        rd->self = g_object_ref (self);
        rd->reply = gc_control_reply_ref (reply);
        gc_receiver_wait_async (self->receiver, self->config->switch_timeout_ms, NULL,
                                switch_waited, rd);
        return;
      }
    case GC_CONTROL_VERB_RELEASE:
      if (g_strcmp0 (gc_receiver_get_source_url (self->receiver), req->url) == 0)
        {
          gc_receiver_disconnect (self->receiver);
          status_response (self, &resp);
          g_free (resp.message);
          resp.message = g_strdup ("released");
        }
      else
        {
          status_response (self, &resp);
          g_free (resp.message);
          resp.message = g_strdup ("not showing that source");
        }
      gc_control_reply_return (reply, &resp);
      return;
    case GC_CONTROL_VERB_STATUS:
    default:
      status_response (self, &resp);
      gc_control_reply_return (reply, &resp);
      return;
    }
  gc_control_response_set_error (&resp, (GcError) error->code, error->message);
  gc_control_reply_return (reply, &resp);
}

static void
on_control_request (GcControlServer *server, gpointer req, const gchar *peer_address,
                    GcControlReply *reply, GcAgent *self)
{
  const GcControlRequest *r = req;

  g_info ("control %s from %s", gc_control_verb_to_string (r->verb), peer_address);
  handle_local_request (self, r, reply);
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

/* ---- switch (source side) ---------------------------------------------- */

typedef struct
{
  gchar *name;       /* as the caller gave it */
  gchar *address;    /* NULL for this very agent */
  guint16 port;
  gboolean ok;
  gchar *message;
  gdouble ms;
  gboolean done;
} Target;

typedef struct
{
  GPtrArray *targets;
  guint pending;
  gboolean release;
} SwitchOp;

static void
target_free (Target *t)
{
  g_free (t->name);
  g_free (t->address);
  g_free (t->message);
  g_free (t);
}

static void
switch_op_free (SwitchOp *op)
{
  g_ptr_array_unref (op->targets);
  g_free (op);
}

static void
switch_target_done (GTask *task, Target *t, gboolean ok, const gchar *message, gdouble ms)
{
  GcAgent *self = g_task_get_source_object (task);
  SwitchOp *op = g_task_get_task_data (task);

  t->ok = ok;
  t->message = g_strdup (message);
  t->ms = ms;
  t->done = TRUE;
  g_message ("%s %s: %s%s (%.1f ms)", op->release ? "release" : "switch", t->name,
             ok ? "ok, " : "failed, ", message, ms);
  g_signal_emit (self, signals[SIGNAL_SWITCH_FINISHED], 0, t->name, ok, message, ms);
  if (--op->pending == 0)
    {
      GVariantBuilder b;

      g_variant_builder_init (&b, G_VARIANT_TYPE ("a(sbsd)"));
      for (guint i = 0; i < op->targets->len; i++)
        {
          Target *x = g_ptr_array_index (op->targets, i);

          g_variant_builder_add (&b, "(sbsd)", x->name, x->ok, x->message, x->ms);
        }
      g_task_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&b)),
                             (GDestroyNotify) g_variant_unref);
    }
}

typedef struct
{
  GTask *task;
  Target *target;
} TargetCall;

static void
remote_done (GObject *source, GAsyncResult *res, gpointer data)
{
  TargetCall *tc = data;
  g_auto (GcControlResponse) resp = { 0 };
  g_autoptr (GError) error = NULL;

  if (!gc_control_client_request_finish (res, &resp, &error))
    {
      g_autofree gchar *msg = g_strdup_printf ("%s: %s", gc_error_to_string (error->domain == GC_ERROR
                                                                              ? (GcError) error->code
                                                                              : GC_ERROR_FAILED),
                                               error->message);
      switch_target_done (tc->task, tc->target, FALSE, msg, 0);
    }
  else
    switch_target_done (tc->task, tc->target, TRUE,
                        resp.message != NULL ? resp.message : "ok", resp.first_frame_ms);
  g_object_unref (tc->task);
  g_free (tc);
}

static void
local_done (GObject *source, GAsyncResult *res, gpointer data)
{
  TargetCall *tc = data;
  g_autoptr (GError) error = NULL;
  gdouble ms = 0;

  if (gc_receiver_wait_finish (GC_RECEIVER (source), res, &ms, &error))
    switch_target_done (tc->task, tc->target, TRUE, ms > 0 ? "playing" : "already showing it", ms);
  else
    {
      g_autofree gchar *msg = g_strdup_printf ("%s: %s", gc_error_to_string ((GcError) error->code),
                                               error->message);
      switch_target_done (tc->task, tc->target, FALSE, msg, 0);
    }
  g_object_unref (tc->task);
  g_free (tc);
}

static gboolean
resolve_target (GcAgent *self, const gchar *name, Target *t, GError **error)
{
  GcPeer *p;
  g_autoptr (GInetAddress) ia = NULL;

  if (g_strcmp0 (name, self->id) == 0 || g_strcmp0 (name, self->config->bind_address) == 0)
    {
      if (self->receiver == NULL)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                       "this agent (%s) has no receiver role", name);
          return FALSE;
        }
      return TRUE; /* address stays NULL: handled in-process */
    }
  p = gc_peer_table_lookup (self->peers, name);
  if (p == NULL)
    p = gc_peer_table_find_by_address (self->peers, name);
  if (p != NULL)
    {
      if (!(gc_peer_get_roles (p) & GC_ROLE_RECEIVER))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "peer '%s' (%s) is not a receiver", name, gc_peer_get_name (p));
          return FALSE;
        }
      t->address = g_strdup (gc_peer_get_address (p));
      t->port = gc_peer_get_control_port (p);
      return TRUE;
    }
  ia = g_inet_address_new_from_string (name);
  if (ia != NULL && g_inet_address_get_family (ia) == G_SOCKET_FAMILY_IPV4
      && !g_inet_address_get_is_multicast (ia) && !g_inet_address_get_is_any (ia))
    {
      /* a receiver not discovered (yet): try its default control port */
      t->address = g_strdup (name);
      t->port = GC_DEFAULT_CONTROL_PORT;
      return TRUE;
    }
  g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND,
               "no receiver '%s': not a known peer id or an IPv4 address", name);
  return FALSE;
}

void
gc_agent_switch_async (GcAgent *self, const gchar * const *receivers, gboolean release,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  SwitchOp *op;
  guint n = receivers != NULL ? g_strv_length ((gchar **) receivers) : 0;

  g_task_set_source_tag (task, gc_agent_switch_async);
  if (self->source == NULL)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                               "this agent has no source role");
      return;
    }
  if (!release && !g_str_equal (gc_source_get_state (self->source), "ready")
      && !g_str_equal (gc_source_get_state (self->source), "streaming"))
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_FAILED,
                               "the source is %s; call Start first",
                               gc_source_get_state (self->source));
      return;
    }
  if (n == 0)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "no receivers given: name at least one, by peer id or "
                               "IPv4 address");
      return;
    }
  if (n > MAX_SWITCH_TARGETS)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "%u receivers named; at most %u at once", n, MAX_SWITCH_TARGETS);
      return;
    }
  op = g_new0 (SwitchOp, 1);
  op->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  op->release = release;
  g_task_set_task_data (task, op, (GDestroyNotify) switch_op_free);
  /* resolve all first: bad input changes nothing */
  for (guint i = 0; i < n; i++)
    {
      Target *t = g_new0 (Target, 1);
      gboolean dup = FALSE;

      t->name = g_strdup (receivers[i]);
      for (guint j = 0; j < op->targets->len; j++)
        dup |= g_str_equal (((Target *) g_ptr_array_index (op->targets, j))->name, t->name);
      if (dup || !resolve_target (self, receivers[i], t, &error))
        {
          if (dup)
            g_set_error (&error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                         "receiver '%s' is named twice", receivers[i]);
          target_free (t);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (op->targets, t);
    }
  op->pending = op->targets->len;
  /* all at once: one slow receiver never holds up the others */
  for (guint i = 0; i < op->targets->len; i++)
    {
      Target *t = g_ptr_array_index (op->targets, i);
      TargetCall *tc = g_new0 (TargetCall, 1);
      g_auto (GcControlRequest) req = { 0 };

      tc->task = g_object_ref (task);
      tc->target = t;
      if (t->address == NULL)
        {
          g_autoptr (GError) lerr = NULL;

          if (release)
            {
              if (g_strcmp0 (gc_receiver_get_source_url (self->receiver),
                             gc_source_get_url (self->source)) == 0)
                gc_receiver_disconnect (self->receiver);
              switch_target_done (task, t, TRUE, "released", 0);
              g_object_unref (tc->task);
              g_free (tc);
            }
          else if (!gc_receiver_connect (self->receiver, gc_source_get_url (self->source),
                                         self->config->name, &lerr))
            {
              switch_target_done (task, t, FALSE, lerr->message, 0);
              g_object_unref (tc->task);
              g_free (tc);
            }
          else
            gc_receiver_wait_async (self->receiver, self->config->switch_timeout_ms, NULL,
                                    local_done, tc);
          continue;
        }
      req.verb = release ? GC_CONTROL_VERB_RELEASE : GC_CONTROL_VERB_SWITCH;
      req.url = g_strdup (gc_source_get_url (self->source));
      req.source_name = g_strdup (self->config->name);
      req.source_id = g_strdup (self->id);
      /* the receiver answers after its first frame or its own timeout;
       * give the network a little on top */
      gc_control_client_request_async (t->address, t->port, &req, self->key,
                                       self->config->switch_timeout_ms + 500,
                                       cancellable, remote_done, tc);
    }
}

GVariant *
gc_agent_switch_finish (GcAgent *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
gc_agent_connect (GcAgent *self, const gchar *url, GError **error)
{
  GcPeer *source_peer = NULL;
  g_autoptr (GPtrArray) peers = NULL;

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
  return gc_receiver_connect (self->receiver, url,
                              source_peer ? gc_peer_get_name (source_peer) : NULL, error);
}

/* ---- life cycle -------------------------------------------------------- */

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
  return TRUE;
}

static const gchar *
name_for_address (const gchar *address, gpointer data)
{
  GcAgent *self = data;
  GcPeer *p = gc_peer_table_find_by_address (self->peers, address);

  return p != NULL ? gc_peer_get_name (p) : NULL;
}

gboolean
gc_agent_start (GcAgent *self, GError **error)
{
  GcConfig *c = self->config;
  g_auto (GcAnnouncement) a = { 0 };

  self->id = gc_identity_load_or_create (c->state_dir, error);
  if (self->id == NULL)
    return FALSE;
  if (!load_key (self, error))
    return FALSE;
  if (self->key == NULL && c->receiver && !c->allow_unauthenticated)
    g_message ("no site key: switch requests will be refused "
               "(give --key-file, or --allow-unauthenticated on a trusted network)");
  if (self->key == NULL && c->receiver && c->allow_unauthenticated)
    g_warning ("switch requests are accepted without authentication (--allow-unauthenticated)");

  if (c->source)
    {
      self->source = gc_source_new (c);
      gc_source_set_name_func (self->source, name_for_address, self);
    }
  if (c->receiver)
    {
      self->receiver = gc_receiver_new (c);
      self->control = gc_control_server_new (c->control_port, NULL, self->key,
                                             c->allow_unauthenticated);
      if (!gc_control_server_start (self->control, error))
        {
          g_prefix_error (error, "control port %u: ", c->control_port);
          return FALSE;
        }
      g_signal_connect_object (self->control, "request", G_CALLBACK (on_control_request), self, 0);
    }

  fill_announcement (self, &a);
  if (c->mdns || c->beacons)
    {
      self->discovery = gc_discovery_new (&a, c->interface, c->beacon_port,
                                          c->beacon_interval_ms, self->key);
      if (!gc_discovery_start (self->discovery, c->mdns, c->beacons, error))
        {
          g_prefix_error (error, "discovery: ");
          return FALSE;
        }
      self->peers = g_object_ref (gc_discovery_get_peer_table (self->discovery));
      if (self->control != NULL)
        gc_control_server_set_peer_filter (self->control, peer_known, self, NULL);
    }
  else
    self->peers = gc_peer_table_new (self->id, 256);
  g_signal_connect_object (self->peers, "peer-added", G_CALLBACK (on_peer_changed), self, 0);
  g_signal_connect_object (self->peers, "peer-changed", G_CALLBACK (on_peer_changed), self, 0);

  if (self->source != NULL)
    {
      if (!c->group_explicit && self->discovery != NULL)
        {
          gint64 end = g_get_monotonic_time () + GROUP_WAIT_MS * 1000;
          g_autofree gchar *group = NULL;

          /* listen a moment, so the group we pick is one nobody uses */
          while (g_get_monotonic_time () < end)
            if (!g_main_context_iteration (NULL, FALSE))
              g_usleep (10000);
          group = pick_free_group (self);
          if (!gc_source_set_group (self->source, group, error))
            return FALSE;
        }
      else if (c->group_explicit && group_used_by_peer (self, c->group, NULL))
        g_warning ("group %s is also used by another source on this LAN", c->group);
      if (!gc_source_start (self->source, error))
        return FALSE;
      g_signal_connect_object (self->source, "notify::state", G_CALLBACK (on_source_state), self, 0);
    }
  if (self->receiver != NULL)
    {
      g_signal_connect_object (self->receiver, "notify::state",
                               G_CALLBACK (on_receiver_state), self, 0);
      if (c->connect_url != NULL && !gc_receiver_connect (self->receiver, c->connect_url, NULL, error))
        return FALSE;
    }
  announce (self);
  return TRUE;
}

void
gc_agent_stop (GcAgent *self)
{
  if (self->receiver != NULL)
    gc_receiver_shutdown (self->receiver);
  if (self->control != NULL)
    gc_control_server_stop (self->control);
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
  g_clear_object (&self->control);
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
  G_OBJECT_CLASS (gc_agent_parent_class)->finalize (object);
}

static void
gc_agent_class_init (GcAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_agent_dispose;
  object_class->finalize = gc_agent_finalize;

  signals[SIGNAL_SWITCH_FINISHED] =
    g_signal_new ("switch-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_BOOLEAN,
                  G_TYPE_STRING, G_TYPE_DOUBLE);
}

static void
gc_agent_init (GcAgent *self)
{
}
