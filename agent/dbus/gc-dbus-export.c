/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * maps the agent's model objects to the generated D-Bus skeletons and back;
 * no protocol logic lives here.
 */
#define G_LOG_DOMAIN "GcDBus"

#include "config.h"

#include "gc-dbus-export.h"
#include "gc-dbus-generated.h"
#include "gc-dbus-pairing.h"
#include "gc-dbus-settable.h"
#include "gc-error.h"
#include "gc-peer.h"

#define RECONNECT_MS 1000

struct _GcDBusExport
{
  GObject parent_instance;

  GcAgent *agent;
  GBusType bus_type;
  gchar *address;
  GCancellable *cancellable;
  GDBusConnection *connection;
  gulong closed_id;
  guint owner_id;
  guint reconnect_id;
  gboolean stopped;

  GDBusObjectManagerServer *manager;
  GcDBusAgent1 *agent_iface;
  GcDBusSource1 *source_iface;
  GcDBusReceiver1 *receiver_iface;
  GHashTable *peer_objects;   /* peer id -> GcDBusObjectSkeleton */
};

G_DEFINE_FINAL_TYPE (GcDBusExport, gc_dbus_export, G_TYPE_OBJECT)

static void connect_bus (GcDBusExport *self);

/* ---- peers ------------------------------------------------------------- */

static gchar *
peer_path (const gchar *id)
{
  g_autoptr (GString) s = g_string_new (GC_DBUS_PATH "/peer/");

  /* object paths allow [A-Za-z0-9_] only */
  for (const gchar *p = id; *p != '\0'; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) ? *p : '_');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
peer_to_iface (GcPeer *peer, GcDBusPeer1 *iface)
{
  g_auto (GStrv) roles = gc_peer_dup_roles_strv (peer);
  g_auto (GStrv) seen = gc_peer_dup_seen_by_strv (peer);

  gc_dbus_peer1_set_id (iface, gc_peer_get_id (peer));
  gc_dbus_peer1_set_name (iface, gc_peer_get_name (peer) ? gc_peer_get_name (peer) : "");
  gc_dbus_peer1_set_address (iface, gc_peer_get_address (peer) ? gc_peer_get_address (peer) : "");
  gc_dbus_peer1_set_control_port (iface, gc_peer_get_control_port (peer));
  gc_dbus_peer1_set_roles (iface, (const gchar * const *) roles);
  gc_dbus_peer1_set_seen_by (iface, (const gchar * const *) seen);
  gc_dbus_peer1_set_last_seen (iface, gc_peer_get_last_seen (peer));
  gc_dbus_peer1_set_url (iface, gc_peer_get_url (peer) ? gc_peer_get_url (peer) : "");
  gc_dbus_peer1_set_group (iface, gc_peer_get_group (peer) ? gc_peer_get_group (peer) : "");
  gc_dbus_peer1_set_current_source (iface, gc_peer_get_current_source (peer)
                                           ? gc_peer_get_current_source (peer) : "");
  gc_dbus_peer1_set_verified (iface, gc_peer_get_verified (peer));
}

static void
on_peer_added (GcPeerTable *table, GcPeer *peer, GcDBusExport *self)
{
  g_autofree gchar *path = NULL;
  g_autoptr (GcDBusObjectSkeleton) obj = NULL;
  g_autoptr (GcDBusPeer1) iface = NULL;

  if (self->manager == NULL || g_hash_table_contains (self->peer_objects, gc_peer_get_id (peer)))
    return;
  path = peer_path (gc_peer_get_id (peer));
  obj = gc_dbus_object_skeleton_new (path);
  iface = gc_dbus_peer1_skeleton_new ();
  peer_to_iface (peer, iface);
  gc_dbus_object_skeleton_set_peer1 (obj, iface);
  g_dbus_object_manager_server_export (self->manager, G_DBUS_OBJECT_SKELETON (obj));
  g_hash_table_insert (self->peer_objects, g_strdup (gc_peer_get_id (peer)), g_object_ref (obj));
}

static void
on_peer_changed (GcPeerTable *table, GcPeer *peer, GcDBusExport *self)
{
  GcDBusObjectSkeleton *obj = g_hash_table_lookup (self->peer_objects, gc_peer_get_id (peer));
  g_autoptr (GcDBusPeer1) iface = NULL;

  if (obj == NULL)
    {
      on_peer_added (table, peer, self);
      return;
    }
  iface = gc_dbus_object_get_peer1 (GC_DBUS_OBJECT (obj));
  peer_to_iface (peer, iface);
}

/* the agent took a new id: another agent had the same one */
static void
on_agent_id (GcAgent *agent, GParamSpec *pspec, GcDBusExport *self)
{
  if (self->agent_iface != NULL)
    gc_dbus_agent1_set_id (self->agent_iface, gc_agent_get_id (agent));
}

/* the agent was renamed (here, or by a signed request from a source) */
static void
on_agent_name (GcAgent *agent, GParamSpec *pspec, GcDBusExport *self)
{
  if (self->agent_iface != NULL)
    gc_dbus_agent1_set_name (self->agent_iface, gc_agent_get_name (agent));
}

static void
on_peer_removed (GcPeerTable *table, GcPeer *peer, GcDBusExport *self)
{
  GcDBusObjectSkeleton *obj = g_hash_table_lookup (self->peer_objects, gc_peer_get_id (peer));

  if (obj == NULL)
    return;
  if (self->manager != NULL)
    g_dbus_object_manager_server_unexport (self->manager,
                                           g_dbus_object_get_object_path (G_DBUS_OBJECT (obj)));
  g_hash_table_remove (self->peer_objects, gc_peer_get_id (peer));
}

/* ---- source ------------------------------------------------------------ */

static GVariant *
member_to_variant (const GcMemberInfo *m)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "address", g_variant_new_string (m->address));
  g_variant_builder_add (&b, "{sv}", "name", g_variant_new_string (m->name));
  g_variant_builder_add (&b, "{sv}", "state",
                         g_variant_new_string (gc_member_state_to_string (m->state)));
  g_variant_builder_add (&b, "{sv}", "session", g_variant_new_string (m->session));
  g_variant_builder_add (&b, "{sv}", "transport",
                         g_variant_new_string (gc_transport_to_string (m->transport)));
  g_variant_builder_add (&b, "{sv}", "fraction-lost", g_variant_new_double (m->fraction_lost));
  g_variant_builder_add (&b, "{sv}", "packets-lost", g_variant_new_int64 (m->packets_lost));
  g_variant_builder_add (&b, "{sv}", "jitter-ms", g_variant_new_double (m->jitter_ms));
  g_variant_builder_add (&b, "{sv}", "rtt-ms", g_variant_new_double (m->rtt_ms));
  g_variant_builder_add (&b, "{sv}", "report-age-ms", g_variant_new_int64 (m->report_age_ms));
  return g_variant_builder_end (&b);
}

static GVariant *
members_to_variant (GcMemberTable *table)
{
  g_autoptr (GPtrArray) infos = gc_member_table_dup_infos (table);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sa{sv}}"));
  for (guint i = 0; i < infos->len; i++)
    {
      const GcMemberInfo *m = g_ptr_array_index (infos, i);

      g_variant_builder_add (&b, "{s@a{sv}}", m->address, member_to_variant (m));
    }
  return g_variant_builder_end (&b);
}

/* the last preview picture (one a second), or none: it goes out with the
 * counters (or the state), so Source1 keeps its two PropertiesChanged a
 * second at most */
static void
source_preview_to_iface (GcDBusExport *self)
{
  GcSource *s = gc_agent_get_source (self->agent);
  GBytes *bytes;

  if (s == NULL || self->source_iface == NULL)
    return;
  bytes = gc_source_preview_get_bytes (gc_source_get_preview (s));
  /* the same picture again changes only the time: PropertiesChanged
   * carries only what changed, so a still screen costs a few bytes */
  gc_dbus_source1_set_preview (self->source_iface,
                               g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE));
  gc_dbus_source1_set_preview_time (self->source_iface,
                                    (guint64) gc_source_preview_get_taken (gc_source_get_preview (s)));
}

/* what changes only with the state */
static void
source_state_to_iface (GcDBusExport *self)
{
  GcSource *s = gc_agent_get_source (self->agent);

  if (s == NULL || self->source_iface == NULL)
    return;
  gc_dbus_source1_set_state (self->source_iface, gc_source_state_to_string (gc_source_get_state (s)));
  gc_dbus_source1_set_url (self->source_iface, gc_source_get_url (s));
  gc_dbus_source1_set_group (self->source_iface, gc_source_get_group (s));
  gc_dbus_source1_set_encrypted (self->source_iface, gc_source_get_encrypted (s));
  gc_dbus_source1_set_rtp_port (self->source_iface, gc_source_get_rtp_port (s));
  gc_dbus_source1_set_rtcp_port (self->source_iface, gc_source_get_rtcp_port (s));
  gc_dbus_source1_set_ttl (self->source_iface, gc_source_get_ttl (s));
  gc_dbus_source1_set_capture (self->source_iface, gc_source_get_capture (s));
  gc_dbus_source1_set_audio (self->source_iface, gc_source_get_audio (s) != NULL
                                                 ? gc_source_get_audio (s) : "");
  gc_dbus_source1_set_audio_port (self->source_iface, gc_source_get_audio_port (s));
  gc_dbus_source1_set_last_error (self->source_iface, gc_source_get_last_error (s));
  source_preview_to_iface (self);
  gc_dbus_source1_set_encoder (self->source_iface, gc_source_get_encoder (s));
}

static void
source_counters_to_iface (GcDBusExport *self)
{
  GcSource *s = gc_agent_get_source (self->agent);

  if (s == NULL || self->source_iface == NULL)
    return;
  gc_dbus_source1_set_packets_sent (self->source_iface, gc_source_get_packets_sent (s));
  gc_dbus_source1_set_bytes_sent (self->source_iface, gc_source_get_bytes_sent (s));
  gc_dbus_source1_set_bitrate (self->source_iface, gc_source_get_bitrate (s));
  gc_dbus_source1_set_packet_rate (self->source_iface, gc_source_get_packet_rate (s));
  gc_dbus_source1_set_members (self->source_iface, members_to_variant (gc_source_get_members (s)));
  source_preview_to_iface (self);
}

static void
on_source_state (GcSource *s, GParamSpec *pspec, GcDBusExport *self)
{
  /* states go out at once; counters with the model's next tick */
  source_state_to_iface (self);
}

static void
on_source_counters (GcSource *s, GcDBusExport *self)
{
  source_counters_to_iface (self);
}

static void
on_member_joined (GcMemberTable *table, const gchar *address, GcDBusExport *self)
{
  g_autoptr (GcMemberInfo) info = gc_member_table_dup_info (table, address);

  if (self->source_iface == NULL || info == NULL)
    return;
  source_counters_to_iface (self);
  /* Members goes out before the signal, so a client that reads its cache
   * on MemberJoined finds the new member there */
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->source_iface));
  gc_dbus_source1_emit_member_joined (self->source_iface, address, member_to_variant (info));
}

static void
on_member_left (GcMemberTable *table, const gchar *address, const gchar *reason,
                GcDBusExport *self)
{
  if (self->source_iface == NULL)
    return;
  source_counters_to_iface (self);
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->source_iface));
  gc_dbus_source1_emit_member_left (self->source_iface, address, reason);
}

static void
on_target_finished (GcSwitch *sw, const gchar *id, gboolean ok, const gchar *message,
                    gdouble ms, GcDBusExport *self)
{
  if (self->source_iface != NULL)
    gc_dbus_source1_emit_switch_finished (self->source_iface, id, ok, message, ms);
}

typedef enum
{
  SOURCE_CALL_START,
  SOURCE_CALL_SWITCH,
  SOURCE_CALL_RELEASE,
  SOURCE_CALL_IDENTIFY,
  SOURCE_CALL_RENAME,
  SOURCE_CALL_MUTE,
} SourceCallKind;

typedef struct
{
  GcDBusSource1 *iface;   /* held: the bus may go (and the export with it) mid-call */
  GDBusMethodInvocation *invocation;
  SourceCallKind kind;
} SourceCall;

static SourceCall *
source_call_new (GcDBusSource1 *iface, GDBusMethodInvocation *invocation, SourceCallKind kind)
{
  SourceCall *sc = g_new0 (SourceCall, 1);

  sc->iface = g_object_ref (iface);
  sc->invocation = invocation;
  sc->kind = kind;
  return sc;
}

static void
source_call_free (SourceCall *sc)
{
  g_object_unref (sc->iface);
  g_free (sc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SourceCall, source_call_free)

static GVariant *
results_to_variant (GPtrArray *results)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(sbsd)"));
  for (guint i = 0; i < results->len; i++)
    {
      const GcSwitchResult *r = g_ptr_array_index (results, i);

      g_variant_builder_add (&b, "(sbsd)", r->id, r->ok, r->message, r->ms);
    }
  return g_variant_builder_end (&b);
}

static void
switch_done (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr (SourceCall) sc = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = gc_switch_run_finish (GC_SWITCH (source), res, &error);

  if (results == NULL)
    g_dbus_method_invocation_return_gerror (sc->invocation, error);
  else if (sc->kind == SOURCE_CALL_RELEASE)
    gc_dbus_source1_complete_release (sc->iface, sc->invocation, results_to_variant (results));
  else if (sc->kind == SOURCE_CALL_IDENTIFY)
    gc_dbus_source1_complete_identify (sc->iface, sc->invocation, results_to_variant (results));
  else if (sc->kind == SOURCE_CALL_MUTE)
    gc_dbus_source1_complete_mute (sc->iface, sc->invocation, results_to_variant (results));
  else if (sc->kind == SOURCE_CALL_RENAME)
    gc_dbus_source1_complete_rename (sc->iface, sc->invocation, results_to_variant (results));
  else
    gc_dbus_source1_complete_switch (sc->iface, sc->invocation, results_to_variant (results));
}

static gboolean
handle_switch (GcDBusSource1 *iface, GDBusMethodInvocation *invocation,
               const gchar * const *receivers, GcDBusExport *self)
{
  gc_switch_run_async (gc_agent_get_switch (self->agent), receivers, GC_CONTROL_VERB_SWITCH, 0, NULL,
                       NULL, switch_done, source_call_new (iface, invocation, SOURCE_CALL_SWITCH));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_release (GcDBusSource1 *iface, GDBusMethodInvocation *invocation,
                const gchar * const *receivers, GcDBusExport *self)
{
  gc_switch_run_async (gc_agent_get_switch (self->agent), receivers, GC_CONTROL_VERB_RELEASE, 0, NULL,
                       NULL, switch_done, source_call_new (iface, invocation, SOURCE_CALL_RELEASE));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_identify (GcDBusSource1 *iface, GDBusMethodInvocation *invocation,
                 const gchar * const *receivers, guint seconds, GcDBusExport *self)
{
  gc_switch_run_async (gc_agent_get_switch (self->agent), receivers, GC_CONTROL_VERB_IDENTIFY,
                       seconds, NULL, NULL, switch_done,
                       source_call_new (iface, invocation, SOURCE_CALL_IDENTIFY));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_mute (GcDBusSource1 *iface, GDBusMethodInvocation *invocation,
             const gchar * const *receivers, gboolean muted, GcDBusExport *self)
{
  gc_switch_run_async (gc_agent_get_switch (self->agent), receivers, GC_CONTROL_VERB_MUTE,
                       muted ? 1 : 0, NULL, NULL, switch_done,
                       source_call_new (iface, invocation, SOURCE_CALL_MUTE));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_rename (GcDBusSource1 *iface, GDBusMethodInvocation *invocation, const gchar *receiver,
               const gchar *name, GcDBusExport *self)
{
  const gchar *receivers[] = { receiver, NULL };

  gc_switch_run_async (gc_agent_get_switch (self->agent), receivers, GC_CONTROL_VERB_RENAME, 0,
                       name, NULL, switch_done,
                       source_call_new (iface, invocation, SOURCE_CALL_RENAME));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
start_done (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr (SourceCall) sc = data;
  g_autoptr (GError) error = NULL;

  if (!gc_source_start_finish (GC_SOURCE (source), res, &error))
    g_dbus_method_invocation_return_gerror (sc->invocation, error);
  else
    gc_dbus_source1_complete_start (sc->iface, sc->invocation);
}

static void
start_with_done (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr (SourceCall) sc = data;
  g_autoptr (GError) error = NULL;

  if (!gc_source_start_finish (GC_SOURCE (source), res, &error))
    g_dbus_method_invocation_return_gerror (sc->invocation, error);
  else
    gc_dbus_source1_complete_start_with (sc->iface, sc->invocation);
}

static gboolean
handle_start (GcDBusSource1 *iface, GDBusMethodInvocation *invocation, GcDBusExport *self)
{
  gc_source_start_async (gc_agent_get_source (self->agent), NULL, start_done,
                         source_call_new (iface, invocation, SOURCE_CALL_START));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* StartWith's options: "capture" s and "audio" s; anything else is refused */
static gboolean
start_options (GVariant *options, const gchar **capture, const gchar **audio, GError **error)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  *capture = NULL;
  *audio = NULL;
  g_variant_iter_init (&iter, options);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      gboolean known = g_str_equal (key, "capture") || g_str_equal (key, "audio");

      if (known && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        *(g_str_equal (key, "capture") ? capture : audio) = g_variant_get_string (value, NULL);
      else
        {
          if (known)
            g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "option '%s' must be a string",
                         key);
          else
            g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                         "unknown option '%s' (StartWith takes 'capture' and 'audio')", key);
          g_variant_unref (value);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
handle_start_with (GcDBusSource1 *iface, GDBusMethodInvocation *invocation, GVariant *options,
                   GcDBusExport *self)
{
  g_autoptr (GError) error = NULL;
  const gchar *capture = NULL, *audio = NULL;

  if (!start_options (options, &capture, &audio, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  gc_source_start_capture_async (gc_agent_get_source (self->agent), capture, audio, NULL,
                                 start_with_done,
                                 source_call_new (iface, invocation, FALSE));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_stop (GcDBusSource1 *iface, GDBusMethodInvocation *invocation, GcDBusExport *self)
{
  gc_source_stop (gc_agent_get_source (self->agent));
  gc_dbus_source1_complete_stop (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_force_key_frame (GcDBusSource1 *iface, GDBusMethodInvocation *invocation,
                        GcDBusExport *self)
{
  g_autoptr (GError) error = NULL;

  if (!gc_source_force_key_frame (gc_agent_get_source (self->agent), &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    gc_dbus_source1_complete_force_key_frame (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- receiver ------------------------------------------------------------ */

/* what changes with the state (and goes out at once) */
static void
receiver_state_to_iface (GcDBusExport *self)
{
  GcReceiver *r = gc_agent_get_receiver (self->agent);
  GcReceiverCounters c;

  if (r == NULL || self->receiver_iface == NULL)
    return;
  gc_dbus_receiver1_set_state (self->receiver_iface,
                               gc_receiver_state_to_string (gc_receiver_get_state (r)));
  gc_dbus_receiver1_set_error (self->receiver_iface, gc_receiver_get_error (r));
  gc_dbus_receiver1_set_source_url (self->receiver_iface, gc_receiver_get_source_url (r));
  gc_dbus_receiver1_set_transport (self->receiver_iface,
                                   gc_transport_to_string (gc_receiver_get_transport (r)));
  gc_dbus_receiver1_set_source_name (self->receiver_iface, gc_receiver_get_source_name (r));
  /* the group is known by the time the state says "playing": it goes out
   * with the state, not with the next counters */
  gc_dbus_receiver1_set_group (self->receiver_iface, gc_receiver_get_group (r));
  gc_dbus_receiver1_set_rtp_port (self->receiver_iface, gc_receiver_get_rtp_port (r));
  gc_dbus_receiver1_set_encrypted (self->receiver_iface, gc_receiver_get_encrypted (r));
  gc_dbus_receiver1_set_display (self->receiver_iface,
                                 gc_display_get_kind (gc_receiver_get_display (r)));
  /* a new source starts with no gap known: -1 goes out with "connecting" */
  gc_receiver_get_counters (r, &c);
  gc_dbus_receiver1_set_switch_gap_ms (self->receiver_iface, c.switch_gap_ms);
}

static void
receiver_counters_to_iface (GcDBusExport *self)
{
  GcReceiver *r = gc_agent_get_receiver (self->agent);
  GcReceiverCounters c;

  if (r == NULL || self->receiver_iface == NULL)
    return;
  gc_receiver_get_counters (r, &c);
  gc_dbus_receiver1_set_group (self->receiver_iface, gc_receiver_get_group (r));
  gc_dbus_receiver1_set_rtp_port (self->receiver_iface, gc_receiver_get_rtp_port (r));
  gc_dbus_receiver1_set_packets_received (self->receiver_iface, c.packets_received);
  gc_dbus_receiver1_set_packets_lost (self->receiver_iface, c.packets_lost);
  gc_dbus_receiver1_set_packets_late (self->receiver_iface, c.packets_late);
  gc_dbus_receiver1_set_duplicates (self->receiver_iface, c.duplicates);
  gc_dbus_receiver1_set_jitter_ms (self->receiver_iface, c.jitter_ms);
  gc_dbus_receiver1_set_bitrate (self->receiver_iface, c.bitrate);
  gc_dbus_receiver1_set_frames_decoded (self->receiver_iface, c.frames_decoded);
  gc_dbus_receiver1_set_packets_rejected (self->receiver_iface, c.packets_rejected);
  gc_dbus_receiver1_set_packets_dropped_by_kernel (self->receiver_iface, c.kernel_drops);
  gc_dbus_receiver1_set_frames_damaged (self->receiver_iface, c.frames_damaged);
  gc_dbus_receiver1_set_packets_recovered (self->receiver_iface, c.packets_recovered);
  gc_dbus_receiver1_set_source_specific (self->receiver_iface, gc_receiver_get_source_specific (r));
  gc_dbus_receiver1_set_transport (self->receiver_iface,
                                   gc_transport_to_string (gc_receiver_get_transport (r)));
  gc_dbus_receiver1_set_encrypted (self->receiver_iface, gc_receiver_get_encrypted (r));
  gc_dbus_receiver1_set_first_frame_ms (self->receiver_iface, c.first_frame_ms);
  gc_dbus_receiver1_set_latency_ms (self->receiver_iface, c.latency_ms);
  gc_dbus_receiver1_set_switch_gap_ms (self->receiver_iface, c.switch_gap_ms);
  gc_dbus_receiver1_set_kernel_groups (self->receiver_iface, gc_receiver_get_kernel_groups (r));
  gc_dbus_receiver1_set_audio_packets_received (self->receiver_iface, c.audio_packets_received);
  gc_dbus_receiver1_set_audio_packets_lost (self->receiver_iface, c.audio_packets_lost);
  gc_dbus_receiver1_set_audio_latency_ms (self->receiver_iface, c.audio_latency_ms);
  gc_dbus_receiver1_set_av_sync_ms (self->receiver_iface, c.av_sync_ms);
  gc_dbus_receiver1_set_audio_level_db (self->receiver_iface, c.audio_level_db);
}

/* the display's volume and mute, at once */
static void
on_receiver_volume (GcDisplay *display, GcDBusExport *self)
{
  gboolean muted = FALSE;
  gdouble volume = gc_display_get_volume (display, &muted);

  if (self->receiver_iface == NULL)
    return;
  gc_dbus_receiver1_set_volume (self->receiver_iface, volume);
  gc_dbus_receiver1_set_muted (self->receiver_iface, muted);
  gc_dbus_receiver1_set_audio_sink (self->receiver_iface, gc_display_get_audio_sink (display));
}

static void
on_receiver_state (GcReceiver *r, GParamSpec *pspec, GcDBusExport *self)
{
  receiver_state_to_iface (self);
}

static void
on_receiver_counters (GcReceiver *r, GcDBusExport *self)
{
  receiver_counters_to_iface (self);
}

static gboolean
handle_connect (GcDBusReceiver1 *iface, GDBusMethodInvocation *invocation, const gchar *url,
                GcDBusExport *self)
{
  g_autoptr (GError) error = NULL;

  if (!gc_agent_connect (self->agent, url, &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    gc_dbus_receiver1_complete_connect (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_receiver_identify (GcDBusReceiver1 *iface, GDBusMethodInvocation *invocation,
                          guint seconds, GcDBusExport *self)
{
  if (seconds > GC_CONTROL_MAX_IDENTIFY_S)
    g_dbus_method_invocation_return_error (invocation, GC_ERROR, GC_ERROR_INVALID_ARGS,
                                           "identify lasts at most %u seconds",
                                           GC_CONTROL_MAX_IDENTIFY_S);
  else
    {
      gc_receiver_identify (gc_agent_get_receiver (self->agent), seconds);
      gc_dbus_receiver1_complete_identify (iface, invocation);
    }
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_disconnect (GcDBusReceiver1 *iface, GDBusMethodInvocation *invocation,
                   GcDBusExport *self)
{
  gc_receiver_disconnect (gc_agent_get_receiver (self->agent));
  gc_dbus_receiver1_complete_disconnect (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- bus --------------------------------------------------------------- */

static void
unexport_all (GcDBusExport *self)
{
  g_clear_handle_id (&self->owner_id, g_bus_unown_name);
  if (self->agent_iface != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->agent_iface));
  g_clear_object (&self->agent_iface);
  g_clear_object (&self->source_iface);
  g_clear_object (&self->receiver_iface);
  g_hash_table_remove_all (self->peer_objects);
  if (self->manager != NULL)
    g_dbus_object_manager_server_set_connection (self->manager, NULL);
  g_clear_object (&self->manager);
}

static void
export_all (GcDBusExport *self, GError **error)
{
  const GcConfig *c = gc_agent_get_config (self->agent);
  g_auto (GStrv) roles = gc_agent_dup_roles (self->agent);
  GcPeerTable *peers = gc_agent_get_peer_table (self->agent);
  g_autoptr (GPtrArray) list = NULL;

  self->manager = g_dbus_object_manager_server_new (GC_DBUS_PATH);

  /* Agent1 sits beside the ObjectManager on the root path */
  self->agent_iface = gc_dbus_agent_skeleton_new (self->agent);
  gc_dbus_agent1_set_id (self->agent_iface, gc_agent_get_id (self->agent));
  gc_dbus_agent1_set_name (self->agent_iface, gc_agent_get_name (self->agent));
  gc_dbus_agent1_set_version (self->agent_iface, PACKAGE_VERSION);
  gc_dbus_agent1_set_roles (self->agent_iface, (const gchar * const *) roles);
  gc_dbus_agent1_set_interface (self->agent_iface, c->interface ? c->interface : "");
  gc_dbus_agent1_set_address (self->agent_iface, c->bind_address ? c->bind_address : "");
  gc_dbus_agent1_set_control_port (self->agent_iface, c->control_port);
  gc_dbus_agent1_set_authenticated (self->agent_iface, gc_agent_is_authenticated (self->agent));
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->agent_iface),
                                         self->connection, GC_DBUS_PATH, error))
    return;

  if (gc_agent_get_source (self->agent) != NULL)
    {
      g_autoptr (GcDBusObjectSkeleton) obj = gc_dbus_object_skeleton_new (GC_DBUS_PATH "/source");

      self->source_iface = gc_dbus_source1_skeleton_new ();
      source_state_to_iface (self);
      source_counters_to_iface (self);
      {
        guint w, h;

        gc_source_preview_size (c, &w, &h);
        gc_dbus_source1_set_preview_format (self->source_iface, GC_PREVIEW_FORMAT);
        gc_dbus_source1_set_preview_width (self->source_iface, w);
        gc_dbus_source1_set_preview_height (self->source_iface, h);
      }
      g_signal_connect_object (self->source_iface, "handle-switch", G_CALLBACK (handle_switch), self, 0);
      g_signal_connect_object (self->source_iface, "handle-release", G_CALLBACK (handle_release), self, 0);
      g_signal_connect_object (self->source_iface, "handle-start", G_CALLBACK (handle_start), self, 0);
      g_signal_connect_object (self->source_iface, "handle-start-with",
                               G_CALLBACK (handle_start_with), self, 0);
      g_signal_connect_object (self->source_iface, "handle-stop", G_CALLBACK (handle_stop), self, 0);
      g_signal_connect_object (self->source_iface, "handle-force-key-frame",
                               G_CALLBACK (handle_force_key_frame), self, 0);
      g_signal_connect_object (self->source_iface, "handle-identify",
                               G_CALLBACK (handle_identify), self, 0);
      g_signal_connect_object (self->source_iface, "handle-rename",
                               G_CALLBACK (handle_rename), self, 0);
      g_signal_connect_object (self->source_iface, "handle-mute", G_CALLBACK (handle_mute), self, 0);
      gc_dbus_object_skeleton_set_source1 (obj, self->source_iface);
      g_dbus_object_manager_server_export (self->manager, G_DBUS_OBJECT_SKELETON (obj));
    }
  if (gc_agent_get_receiver (self->agent) != NULL)
    {
      g_autoptr (GcDBusObjectSkeleton) obj = gc_dbus_object_skeleton_new (GC_DBUS_PATH "/receiver");

      GcDisplay *display = gc_receiver_get_display (gc_agent_get_receiver (self->agent));

      self->receiver_iface = gc_dbus_receiver_skeleton_new (self->agent);
      receiver_state_to_iface (self);
      receiver_counters_to_iface (self);
      on_receiver_volume (display, self);
      g_signal_connect_object (display, "volume-changed", G_CALLBACK (on_receiver_volume), self, 0);
      g_signal_connect_object (self->receiver_iface, "handle-connect", G_CALLBACK (handle_connect), self, 0);
      g_signal_connect_object (self->receiver_iface, "handle-disconnect",
                               G_CALLBACK (handle_disconnect), self, 0);
      g_signal_connect_object (self->receiver_iface, "handle-identify",
                               G_CALLBACK (handle_receiver_identify), self, 0);
      gc_dbus_object_skeleton_set_receiver1 (obj, self->receiver_iface);
      g_dbus_object_manager_server_export (self->manager, G_DBUS_OBJECT_SKELETON (obj));
    }
  gc_dbus_pairing_attach (self->agent, self->agent_iface, self->receiver_iface);
  list = gc_peer_table_dup_peers (peers);
  for (guint i = 0; i < list->len; i++)
    on_peer_added (peers, g_ptr_array_index (list, i), self);
  g_dbus_object_manager_server_set_connection (self->manager, self->connection);
}

static void
on_name_acquired (GDBusConnection *conn, const gchar *name, gpointer data)
{
  g_message ("serving D-Bus name %s", name);
}

static void
on_name_lost (GDBusConnection *conn, const gchar *name, gpointer data)
{
  g_warning ("D-Bus name %s is owned by someone else or not allowed by policy; "
             "objects stay on the bus under the unique name", name);
}

static gboolean
reconnect_cb (gpointer data)
{
  GcDBusExport *self = data;

  self->reconnect_id = 0;
  connect_bus (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (GcDBusExport *self)
{
  if (!self->stopped && self->reconnect_id == 0)
    self->reconnect_id = g_timeout_add (RECONNECT_MS, reconnect_cb, self);
}

static void
on_closed (GDBusConnection *conn, gboolean remote_peer_vanished, GError *error, GcDBusExport *self)
{
  g_warning ("lost the D-Bus connection%s%s; the agent keeps streaming and will come back",
             error ? ": " : "", error ? error->message : "");
  g_clear_signal_handler (&self->closed_id, self->connection);
  unexport_all (self);
  g_clear_object (&self->connection);
  schedule_reconnect (self);
}

static void
connected (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr (GcDBusExport) self = data;
  g_autoptr (GError) error = NULL;
  GDBusConnection *conn = g_dbus_connection_new_for_address_finish (res, &error);

  if (conn == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("no D-Bus yet: %s", error->message);
          schedule_reconnect (self);
        }
      return;
    }
  self->connection = conn;
  /* a bus restart must not end the agent: it keeps streaming, reconnects */
  g_dbus_connection_set_exit_on_close (conn, FALSE);
  self->closed_id = g_signal_connect (conn, "closed", G_CALLBACK (on_closed), self);
  export_all (self, &error);
  if (error != NULL)
    {
      g_warning ("cannot export on D-Bus: %s", error->message);
      return;
    }
  self->owner_id = g_bus_own_name_on_connection (conn, GC_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                 on_name_acquired, on_name_lost, NULL, NULL);
}

static void
connect_bus (GcDBusExport *self)
{
  g_autofree gchar *address = NULL;
  g_autoptr (GError) error = NULL;

  if (self->address != NULL)
    address = g_strdup (self->address);
  else
    address = g_dbus_address_get_for_bus_sync (self->bus_type, NULL, &error);
  if (address == NULL)
    {
      g_warning ("no D-Bus to serve on: %s", error->message);
      schedule_reconnect (self);
      return;
    }
  g_dbus_connection_new_for_address (address,
                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                     | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                     NULL, self->cancellable, connected, g_object_ref (self));
}

void
gc_dbus_export_start (GcDBusExport *self, GBusType bus_type, const gchar *address)
{
  self->bus_type = bus_type;
  g_free (self->address);
  self->address = g_strdup (address);
  self->stopped = FALSE;
  connect_bus (self);
}

void
gc_dbus_export_stop (GcDBusExport *self)
{
  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  unexport_all (self);
  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->closed_id, self->connection);
      g_dbus_connection_flush_sync (self->connection, NULL, NULL);
      g_clear_object (&self->connection);
    }
}

GcDBusExport *
gc_dbus_export_new (GcAgent *agent)
{
  GcDBusExport *self = g_object_new (GC_TYPE_DBUS_EXPORT, NULL);
  GcPeerTable *peers = gc_agent_get_peer_table (agent);

  self->agent = g_object_ref (agent);
  g_signal_connect_object (agent, "notify::id", G_CALLBACK (on_agent_id), self, 0);
  g_signal_connect_object (agent, "notify::name", G_CALLBACK (on_agent_name), self, 0);
  if (peers != NULL)
    {
      g_signal_connect_object (peers, "peer-added", G_CALLBACK (on_peer_added), self, 0);
      g_signal_connect_object (peers, "peer-changed", G_CALLBACK (on_peer_changed), self, 0);
      g_signal_connect_object (peers, "peer-removed", G_CALLBACK (on_peer_removed), self, 0);
    }
  if (gc_agent_get_source (agent) != NULL)
    {
      GcSource *s = gc_agent_get_source (agent);

      GcMemberTable *members = gc_source_get_members (s);

      g_signal_connect_object (s, "notify::state", G_CALLBACK (on_source_state), self, 0);
      g_signal_connect_object (s, "notify::last-error", G_CALLBACK (on_source_state), self, 0);
      g_signal_connect_object (s, "counters-changed", G_CALLBACK (on_source_counters), self, 0);
      g_signal_connect_object (members, "member-joined", G_CALLBACK (on_member_joined), self, 0);
      g_signal_connect_object (members, "member-left", G_CALLBACK (on_member_left), self, 0);
    }
  if (gc_agent_get_receiver (agent) != NULL)
    {
      GcReceiver *r = gc_agent_get_receiver (agent);

      g_signal_connect_object (r, "notify::state", G_CALLBACK (on_receiver_state), self, 0);
      g_signal_connect_object (r, "counters-changed", G_CALLBACK (on_receiver_counters), self, 0);
    }
  g_signal_connect_object (gc_agent_get_switch (agent), "target-finished",
                           G_CALLBACK (on_target_finished), self, 0);
  return self;
}

static void
gc_dbus_export_dispose (GObject *object)
{
  GcDBusExport *self = GC_DBUS_EXPORT (object);

  gc_dbus_export_stop (self);
  g_clear_object (&self->agent);
  G_OBJECT_CLASS (gc_dbus_export_parent_class)->dispose (object);
}

static void
gc_dbus_export_finalize (GObject *object)
{
  GcDBusExport *self = GC_DBUS_EXPORT (object);

  g_hash_table_unref (self->peer_objects);
  g_object_unref (self->cancellable);
  g_free (self->address);
  G_OBJECT_CLASS (gc_dbus_export_parent_class)->finalize (object);
}

static void
gc_dbus_export_class_init (GcDBusExportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_dbus_export_dispose;
  object_class->finalize = gc_dbus_export_finalize;
}

static void
gc_dbus_export_init (GcDBusExport *self)
{
  self->cancellable = g_cancellable_new ();
  self->peer_objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}
