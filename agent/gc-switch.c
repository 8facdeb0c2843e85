/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a switch: the source resolves each named receiver, sends every one a
 * signed request at once (its own receiver gets the request in-process),
 * and collects one result per receiver. each receiver applies the request
 * here too: it leaves what it showed, joins the source's group and answers
 * at its first frame.
 */
#define G_LOG_DOMAIN "GcSwitch"

#include "config.h"

#include "gc-switch.h"
#include "gc-name.h"
#include "gc-control-client.h"
#include "gc-error.h"
#include "gc-peer.h"

/* the receiver answers after its first frame or its own timeout; the
 * network gets a little on top */
#define NETWORK_MARGIN_MS 500

struct _GcSwitch
{
  GObject parent_instance;

  gchar *agent_id;
  gchar *name;
  gchar *bind_address;
  guint timeout_ms;
  GBytes *key;
  GcSource *source;       /* NULL without the source role */
  GcReceiver *receiver;   /* NULL without the receiver role */
  GcPeerTable *peers;
};

G_DEFINE_FINAL_TYPE (GcSwitch, gc_switch, G_TYPE_OBJECT)

enum
{
  SIGNAL_TARGET_FINISHED,
  SIGNAL_RENAME,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

void
gc_switch_result_free (GcSwitchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_free (result->message);
  g_free (result);
}

GcSwitch *
gc_switch_new (const gchar *agent_id, const GcConfig *config, GBytes *key, GcSource *source,
               GcReceiver *receiver, GcPeerTable *peers)
{
  GcSwitch *self = g_object_new (GC_TYPE_SWITCH, NULL);

  self->agent_id = g_strdup (agent_id);
  self->name = g_strdup (config->name);
  self->bind_address = g_strdup (config->bind_address);
  self->timeout_ms = config->switch_timeout_ms;
  self->key = key != NULL ? g_bytes_ref (key) : NULL;
  g_set_object (&self->source, source);
  g_set_object (&self->receiver, receiver);
  g_set_object (&self->peers, peers);
  return self;
}

/* the agent took a new id (another agent had the same one) */
void
gc_switch_set_agent_id (GcSwitch *self, const gchar *agent_id)
{
  g_return_if_fail (GC_IS_SWITCH (self));
  g_free (self->agent_id);
  self->agent_id = g_strdup (agent_id);
}

void
gc_switch_set_peers (GcSwitch *self, GcPeerTable *peers)
{
  g_return_if_fail (GC_IS_SWITCH (self));
  g_set_object (&self->peers, peers);
}

/* ---- the receiver's side -------------------------------------------------- */

static void
fill_status (GcSwitch *self, GcControlResponse *resp)
{
  g_free (resp->state);
  g_free (resp->current_url);
  resp->state = g_strdup (gc_receiver_state_to_string (gc_receiver_get_state (self->receiver)));
  resp->current_url = g_strdup (gc_receiver_get_source_url (self->receiver));
}

static void
return_response (GTask *task, GcControlResponse *resp)
{
  GcSwitch *self = g_task_get_source_object (task);
  GcControlResponse *out = g_new0 (GcControlResponse, 1);

  *out = *resp;
  memset (resp, 0, sizeof *resp);
  if (self->receiver != NULL)
    fill_status (self, out);
  g_task_return_pointer (task, out, (GDestroyNotify) gc_control_response_free);
}

static void
first_frame_waited (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_auto (GcControlResponse) resp = { 0 };
  gdouble ms = 0;

  if (gc_receiver_wait_finish (GC_RECEIVER (object), res, &ms, &error))
    {
      resp.ok = TRUE;
      resp.first_frame_ms = ms;
      resp.message = g_strdup (ms > 0 ? "playing" : "already showing it");
    }
  else
    gc_control_response_set_error (&resp, error->domain == GC_ERROR ? (GcError) error->code
                                                                    : GC_ERROR_FAILED,
                                   error->message);
  return_response (task, &resp);
}

/* applies @request to this agent's receiver: the one path for a request
 * from another host (through the control server) and from this agent's
 * own source */
void
gc_switch_apply_async (GcSwitch *self, const GcControlRequest *request, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_auto (GcControlResponse) resp = { 0 };
  g_autoptr (GError) error = NULL;

  g_return_if_fail (GC_IS_SWITCH (self));
  g_return_if_fail (request != NULL);

  g_task_set_source_tag (task, gc_switch_apply_async);
  if (self->receiver == NULL)
    {
      gc_control_response_set_error (&resp, GC_ERROR_NOT_SUPPORTED,
                                     "this agent has no receiver role");
      return_response (task, &resp);
      return;
    }
  switch (request->verb)
    {
    case GC_CONTROL_VERB_SWITCH:
      if (!gc_receiver_connect (self->receiver, request->url, request->source_name,
                                request->group, &error))
        {
          gc_control_response_set_error (&resp, (GcError) error->code, error->message);
          break;
        }
      gc_receiver_wait_async (self->receiver, self->timeout_ms, cancellable, first_frame_waited,
                              g_steal_pointer (&task));
      return;
    case GC_CONTROL_VERB_RELEASE:
      resp.ok = TRUE;
      if (g_strcmp0 (gc_receiver_get_source_url (self->receiver), request->url) == 0)
        {
          gc_receiver_disconnect (self->receiver);
          resp.message = g_strdup ("released");
        }
      else
        resp.message = g_strdup ("not showing that source");
      break;
    case GC_CONTROL_VERB_IDENTIFY:
      gc_receiver_identify (self->receiver, request->seconds);
      resp.ok = TRUE;
      resp.message = g_strdup ("identifying");
      break;
    case GC_CONTROL_VERB_MUTE:
      {
        GcDisplay *display = gc_receiver_get_display (self->receiver);

        g_message ("sound %s by %s (%s)", request->muted ? "muted" : "unmuted",
                   request->source_name != NULL ? request->source_name : "a source",
                   request->source_id != NULL ? request->source_id : "no id");
        gc_display_set_volume (display, gc_display_get_volume (display, NULL), request->muted);
        resp.ok = TRUE;
        resp.message = g_strdup (request->muted ? "muted" : "unmuted");
        break;
      }
    case GC_CONTROL_VERB_RENAME:
      g_message ("renamed to '%s' by %s (%s)", request->new_name,
                 request->source_name != NULL ? request->source_name : "a source",
                 request->source_id != NULL ? request->source_id : "no id");
      g_signal_emit (self, signals[SIGNAL_RENAME], 0, request->new_name);
      resp.ok = TRUE;
      resp.message = g_strdup_printf ("renamed to %s", request->new_name);
      break;
    case GC_CONTROL_VERB_STATUS:
    case GC_CONTROL_VERB_INVALID:
    default:
      resp.ok = TRUE;
      resp.message = g_strdup (gc_receiver_state_to_string (gc_receiver_get_state (self->receiver)));
      break;
    }
  return_response (task, &resp);
}

/* fills @out with the answer (ok or not); TRUE when it is ok */
gboolean
gc_switch_apply_finish (GcSwitch *self, GAsyncResult *result, GcControlResponse *out)
{
  g_autofree GcControlResponse *resp = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  resp = g_task_propagate_pointer (G_TASK (result), NULL);
  memset (out, 0, sizeof *out);
  if (resp == NULL)
    {
      gc_control_response_set_error (out, GC_ERROR_FAILED, "the request was cancelled");
      return FALSE;
    }
  *out = *resp;
  return out->ok;
}

static void
served (GObject *object, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcControlReply) reply = data;
  g_auto (GcControlResponse) resp = { 0 };

  gc_switch_apply_finish (GC_SWITCH (object), res, &resp);
  gc_control_reply_return (reply, &resp);
}

static void
on_control_request (GcControlServer *server, gpointer req, const gchar *peer_address,
                    GcControlReply *reply, GcSwitch *self)
{
  const GcControlRequest *r = req;

  g_info ("control %s from %s", gc_control_verb_to_string (r->verb), peer_address);
  gc_switch_apply_async (self, r, NULL, served, gc_control_reply_ref (reply));
}

/* answers the checked requests @server receives */
void
gc_switch_serve (GcSwitch *self, GcControlServer *server)
{
  g_return_if_fail (GC_IS_SWITCH (self));
  g_return_if_fail (GC_IS_CONTROL_SERVER (server));
  g_signal_connect_object (server, "request", G_CALLBACK (on_control_request), self, 0);
}

/* ---- the source's side ----------------------------------------------------- */

typedef struct
{
  GcSwitchResult *result;
  gchar *address;     /* NULL for this very agent */
  guint16 port;
} Target;

typedef struct
{
  GPtrArray *targets;
  guint pending;
  GcControlVerb verb;
} RunData;

static void
target_free (Target *t)
{
  gc_switch_result_free (t->result);
  g_free (t->address);
  g_free (t);
}

static void
run_data_free (RunData *d)
{
  g_ptr_array_unref (d->targets);
  g_free (d);
}

typedef struct
{
  GTask *task;
  Target *target;
} TargetCall;

/* one receiver answered (or could not be reached): @resp is its answer */
static void
target_done (TargetCall *tc, const GcControlResponse *resp)
{
  GcSwitch *self = g_task_get_source_object (tc->task);
  RunData *d = g_task_get_task_data (tc->task);
  GcSwitchResult *r = tc->target->result;
  const gchar *message = resp->message != NULL && *resp->message != '\0' ? resp->message : NULL;

  r->ok = resp->ok;
  r->ms = resp->ok ? resp->first_frame_ms : 0;
  if (resp->ok)
    r->message = g_strdup (message != NULL ? message : "ok");
  else
    r->message = g_strdup_printf ("%s: %s", gc_error_to_string (resp->code),
                                  message != NULL ? message : gc_error_to_string (resp->code));
  g_message ("%s %s: %s%s (%.1f ms)", gc_control_verb_to_string (d->verb), r->id,
             r->ok ? "ok, " : "failed, ", r->message, r->ms);
  g_signal_emit (self, signals[SIGNAL_TARGET_FINISHED], 0, r->id, r->ok, r->message, r->ms);
  if (--d->pending == 0)
    {
      GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_switch_result_free);

      for (guint i = 0; i < d->targets->len; i++)
        {
          Target *t = g_ptr_array_index (d->targets, i);

          g_ptr_array_add (out, g_steal_pointer (&t->result));
        }
      g_task_return_pointer (tc->task, out, (GDestroyNotify) g_ptr_array_unref);
    }
  g_object_unref (tc->task);
  g_free (tc);
}

static void
remote_done (GObject *object, GAsyncResult *res, gpointer data)
{
  g_auto (GcControlResponse) resp = { 0 };
  g_autoptr (GError) error = NULL;

  if (!gc_control_client_request_finish (res, &resp, &error))
    {
      /* the receiver's own answer, or why there was none */
      gc_control_response_clear (&resp);
      gc_control_response_set_error (&resp, error->domain == GC_ERROR ? (GcError) error->code
                                                                      : GC_ERROR_FAILED,
                                     error->message);
    }
  target_done (data, &resp);
}

static void
local_done (GObject *object, GAsyncResult *res, gpointer data)
{
  g_auto (GcControlResponse) resp = { 0 };

  gc_switch_apply_finish (GC_SWITCH (object), res, &resp);
  target_done (data, &resp);
}

static gboolean
resolve_target (GcSwitch *self, const gchar *name, Target *t, GError **error)
{
  GcPeer *p;
  g_autoptr (GInetAddress) ia = NULL;

  if (g_strcmp0 (name, self->agent_id) == 0 || g_strcmp0 (name, self->bind_address) == 0)
    {
      if (self->receiver == NULL)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                       "this agent (%s) has no receiver role", name);
          return FALSE;
        }
      return TRUE; /* address stays NULL: applied in-process */
    }
  p = gc_peer_table_lookup (self->peers, name);
  if (p == NULL)
    p = gc_peer_table_find_by_address (self->peers, name);
  if (p != NULL)
    {
      /* with a site key, anyone may publish an mDNS record under any id,
       * and an agent of another site (or none) is listed from its unsigned
       * beacons: only a peer that proved it holds the key is a target */
      if (self->key != NULL && !gc_peer_get_verified (p))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                       "%s at %s is not paired with this site: nothing it announced was "
                       "signed with this site's key (it has another key, or none; or the "
                       "record is someone else's)", gc_peer_get_name (p),
                       gc_peer_get_address (p));
          return FALSE;
        }
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

static gboolean
check_run (GcSwitch *self, guint n, GcControlVerb verb, guint seconds, const gchar *new_name,
           GError **error)
{
  if (self->source == NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED, "this agent has no source role");
      return FALSE;
    }
  if (verb != GC_CONTROL_VERB_SWITCH && verb != GC_CONTROL_VERB_RELEASE
      && verb != GC_CONTROL_VERB_IDENTIFY && verb != GC_CONTROL_VERB_RENAME
      && verb != GC_CONTROL_VERB_MUTE)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "not a request a source sends");
      return FALSE;
    }
  if (verb == GC_CONTROL_VERB_IDENTIFY && (seconds == 0 || seconds > GC_CONTROL_MAX_IDENTIFY_S))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "identify lasts 1 to %u seconds, not %u", GC_CONTROL_MAX_IDENTIFY_S, seconds);
      return FALSE;
    }
  if (verb == GC_CONTROL_VERB_RENAME && !gc_name_is_valid (new_name))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a name is 1 to %u bytes of UTF-8 on one line, not only blanks",
                   GC_NAME_MAX_BYTES);
      return FALSE;
    }
  if (verb == GC_CONTROL_VERB_RENAME && n != 1)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "a rename names one receiver, not %u", n);
      return FALSE;
    }
  if (verb == GC_CONTROL_VERB_SWITCH && !gc_source_is_serving (self->source))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "the source is %s; call Start first",
                   gc_source_state_to_string (gc_source_get_state (self->source)));
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "no receivers given: name at least one, by peer id or IPv4 address");
      return FALSE;
    }
  if (n > GC_SWITCH_MAX_TARGETS)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "%u receivers named; at most %u at once",
                   n, GC_SWITCH_MAX_TARGETS);
      return FALSE;
    }
  return TRUE;
}

/* every name resolved before anything is sent: bad input changes nothing */
static GPtrArray *
resolve_all (GcSwitch *self, const gchar * const *receivers, guint n, GError **error)
{
  g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);

  for (guint i = 0; i < n; i++)
    {
      Target *t = g_new0 (Target, 1);

      t->result = g_new0 (GcSwitchResult, 1);
      t->result->id = g_strdup (receivers[i]);
      g_ptr_array_add (targets, t);
      for (guint j = 0; j < i; j++)
        if (g_str_equal (receivers[j], receivers[i]))
          {
            g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "receiver '%s' is named twice",
                         receivers[i]);
            return NULL;
          }
      if (!resolve_target (self, receivers[i], t, error))
        return NULL;
    }
  return g_steal_pointer (&targets);
}

/* sends @verb to each of @receivers (peer ids or IPv4 addresses): switch
 * (show this agent's source), release (stop showing it), identify (show
 * the name for @seconds), mute (@seconds 1: mute the sound, 0: unmute
 * it) or rename (to @new_name, one receiver); one GcSwitchResult per
 * receiver, in order.
 * ::target-finished gives each as it arrives. */
void
gc_switch_run_async (GcSwitch *self, const gchar * const *receivers, GcControlVerb verb,
                     guint seconds, const gchar *new_name, GCancellable *cancellable, GAsyncReadyCallback callback,
                     gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_auto (GcControlRequest) req = { 0 };
  guint n = receivers != NULL ? g_strv_length ((gchar **) receivers) : 0;
  RunData *d;

  g_return_if_fail (GC_IS_SWITCH (self));

  g_task_set_source_tag (task, gc_switch_run_async);
  d = g_new0 (RunData, 1);
  d->verb = verb;
  g_task_set_task_data (task, d, (GDestroyNotify) run_data_free);
  if (!check_run (self, n, verb, seconds, new_name, &error)
      || (d->targets = resolve_all (self, receivers, n, &error)) == NULL)
    {
      d->targets = g_ptr_array_new ();
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  req.verb = verb;
  req.seconds = verb == GC_CONTROL_VERB_IDENTIFY ? seconds : 0;
  req.muted = verb == GC_CONTROL_VERB_MUTE && seconds != 0;
  req.new_name = verb == GC_CONTROL_VERB_RENAME ? g_strdup (new_name) : NULL;
  req.url = g_strdup (gc_source_get_url (self->source));
  req.source_name = g_strdup (self->name);
  req.source_id = g_strdup (self->agent_id);
  if (verb == GC_CONTROL_VERB_SWITCH)
    req.group = gc_source_dup_group_port (self->source);
  d->pending = d->targets->len;
  /* all at once: one slow receiver never holds up the others */
  for (guint i = 0; i < d->targets->len; i++)
    {
      TargetCall *tc = g_new0 (TargetCall, 1);

      tc->task = g_object_ref (task);
      tc->target = g_ptr_array_index (d->targets, i);
      if (tc->target->address == NULL)
        gc_switch_apply_async (self, &req, cancellable, local_done, tc);
      else
        gc_control_client_request_async (tc->target->address, tc->target->port, &req, self->key,
                                         self->timeout_ms + NETWORK_MARGIN_MS, cancellable,
                                         remote_done, tc);
    }
}

/* the results (GcSwitchResult, freed with the array) */
GPtrArray *
gc_switch_run_finish (GcSwitch *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
gc_switch_dispose (GObject *object)
{
  GcSwitch *self = GC_SWITCH (object);

  g_clear_object (&self->source);
  g_clear_object (&self->receiver);
  g_clear_object (&self->peers);
  G_OBJECT_CLASS (gc_switch_parent_class)->dispose (object);
}

static void
gc_switch_finalize (GObject *object)
{
  GcSwitch *self = GC_SWITCH (object);

  g_free (self->agent_id);
  g_free (self->name);
  g_free (self->bind_address);
  g_clear_pointer (&self->key, g_bytes_unref);
  G_OBJECT_CLASS (gc_switch_parent_class)->finalize (object);
}

static void
gc_switch_class_init (GcSwitchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_switch_dispose;
  object_class->finalize = gc_switch_finalize;

  /* one receiver's result, as it arrives: (id, ok, message, ms) */
  signals[SIGNAL_TARGET_FINISHED] =
    g_signal_new ("target-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_BOOLEAN,
                  G_TYPE_STRING, G_TYPE_DOUBLE);
  /* a signed rename request for this agent, already checked: (new name);
   * the agent takes the name */
  signals[SIGNAL_RENAME] =
    g_signal_new ("rename", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

/* this agent's name, as its requests carry it (after a rename) */
void
gc_switch_set_name (GcSwitch *self, const gchar *name)
{
  g_return_if_fail (GC_IS_SWITCH (self));
  g_free (self->name);
  self->name = g_strdup (name);
}

/* the site key its requests are signed with from now on (after pairing) */
void
gc_switch_set_key (GcSwitch *self, GBytes *key)
{
  g_return_if_fail (GC_IS_SWITCH (self));
  g_clear_pointer (&self->key, g_bytes_unref);
  self->key = key != NULL ? g_bytes_ref (key) : NULL;
}

static void
gc_switch_init (GcSwitch *self)
{
}
