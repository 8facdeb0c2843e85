/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the agent's pairing: a receiver without a key shows a code and takes the
 * key over TLS-SRP (gc-pairing.c); a keyed agent gives its key to a
 * receiver whose code a person typed. the key, once taken, reaches every
 * part that signs or checks.
 */
#define G_LOG_DOMAIN "GcAgent"

#include "config.h"

#include "gc-agent-private.h"
#include "gc-error.h"
#include "gc-peer.h"
#include "gc-site-key.h"

/* the site key from now on, in every part that signs or checks */
static void
take_key (GcAgent *self, GBytes *key)
{
  GcConfig *c = self->config;

  g_clear_pointer (&self->key, g_bytes_unref);
  self->key = g_bytes_ref (key);
  if (self->control != NULL)
    {
      gc_agent_keep_replay_cache (self);
      /* after the cache: requests signed before the key came are refused */
      gc_control_server_set_key (self->control, key);
    }
  if (self->discovery != NULL)
    gc_discovery_set_key (self->discovery, key);
  if (self->sw != NULL)
    gc_switch_set_key (self->sw, key);
  /* a source's stream takes it at its next start */
  if (self->source != NULL)
    gc_source_set_site_key (self->source, c->plain_media ? NULL : key, self->id);
  if (self->receiver != NULL)
    gc_receiver_set_site_key (self->receiver, key, c->plain_media);
  g_object_notify (G_OBJECT (self), "authenticated");
}

static void
on_paired (GcPairingServer *pairing, GBytes *key, GcAgent *self)
{
  g_message ("paired: the site key is kept in %s/site-key", self->config->state_dir);
  take_key (self, key);
}

static void
on_pairing_changed (GcPairingServer *pairing, GcAgent *self)
{
  g_autofree gchar *code = gc_pairing_server_dup_code (pairing);

  if (self->receiver != NULL)
    gc_display_set_pairing_code (gc_receiver_get_display (self->receiver), code,
                                 gc_pairing_server_get_locked_s (pairing));
  g_object_notify (G_OBJECT (self), "pairing");
}

/* a receiver listens for pairing while it shows a code: at start when it
 * has no key (and takes no unsigned requests), later when asked */
void
gc_agent_start_pairing_server (GcAgent *self)
{
  GcConfig *c = self->config;
  g_autofree gchar *path = g_build_filename (c->state_dir, "site-key", NULL);
  g_autoptr (GError) error = NULL;

  self->pairing = gc_pairing_server_new (c->interface != NULL ? c->bind_address : NULL,
                                         c->control_port + GC_PAIRING_PORT_OFFSET, path);
  g_signal_connect_object (self->pairing, "paired", G_CALLBACK (on_paired), self, 0);
  g_signal_connect_object (self->pairing, "changed", G_CALLBACK (on_pairing_changed), self, 0);
  if (self->key == NULL && !c->allow_unauthenticated && c->key_file == NULL
      && !gc_pairing_server_start (self->pairing, TRUE, &error))
    g_warning ("cannot offer pairing: %s", error->message);
}

gboolean
gc_agent_start_pairing (GcAgent *self, GError **error)
{
  g_return_val_if_fail (GC_IS_AGENT (self), FALSE);

  if (self->pairing == NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED, "this agent has no receiver role");
      return FALSE;
    }
  /* a key the configuration names would come back at the next start */
  if (self->config->key_file != NULL || self->config->key_string != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_REFUSED,
                   "the site key comes from the configuration (%s): change it there",
                   self->config->key_file != NULL ? self->config->key_file : "key");
      return FALSE;
    }
  return gc_pairing_server_start (self->pairing, self->key == NULL, error);
}

void
gc_agent_stop_pairing (GcAgent *self)
{
  g_return_if_fail (GC_IS_AGENT (self));
  if (self->pairing != NULL)
    gc_pairing_server_stop (self->pairing);
}

gboolean
gc_agent_is_pairing (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), FALSE);
  return self->pairing != NULL && gc_pairing_server_is_active (self->pairing);
}

gchar *
gc_agent_dup_pairing_code (GcAgent *self)
{
  g_return_val_if_fail (GC_IS_AGENT (self), NULL);
  return self->pairing != NULL ? gc_pairing_server_dup_code (self->pairing) : NULL;
}

static void
pair_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;

  if (gc_pairing_send_key_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* gives the site key to the receiver @peer_id, whose screen shows @code */
void
gc_agent_pair_async (GcAgent *self, const gchar *peer_id, const gchar *code,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GcPeer *peer;

  g_task_set_source_tag (task, gc_agent_pair_async);
  peer = self->peers != NULL && peer_id != NULL ? gc_peer_table_lookup (self->peers, peer_id)
                                                : NULL;
  if (self->key == NULL)
    g_task_return_new_error (task, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                             "this computer has no site key to give: create one first");
  else if (peer == NULL)
    g_task_return_new_error (task, GC_ERROR, GC_ERROR_NOT_FOUND, "no receiver %s is known",
                             peer_id != NULL ? peer_id : "(none)");
  else if (gc_peer_get_address (peer) == NULL || gc_peer_get_control_port (peer) == 0
           || gc_peer_get_control_port (peer) == G_MAXUINT16)
    g_task_return_new_error (task, GC_ERROR, GC_ERROR_UNREACHABLE,
                             "receiver %s announced no address to pair with", peer_id);
  else
    gc_pairing_send_key_async (gc_peer_get_address (peer),
                               gc_peer_get_control_port (peer) + GC_PAIRING_PORT_OFFSET, code,
                               self->key, cancellable, pair_done, g_steal_pointer (&task));
}

gboolean
gc_agent_pair_finish (GcAgent *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* the first computer of a site makes its key: a fresh one, kept where a
 * paired key is kept, taken at once; an agent that has a key keeps it */
gboolean
gc_agent_create_site_key (GcAgent *self, GError **error)
{
  g_autofree gchar *path = NULL;
  g_autoptr (GBytes) key = NULL;

  g_return_val_if_fail (GC_IS_AGENT (self), FALSE);

  if (self->config->key_file != NULL || self->config->key_string != NULL)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_REFUSED,
                   "the site key comes from the configuration (%s): change it there",
                   self->config->key_file != NULL ? self->config->key_file : "key");
      return FALSE;
    }
  if (self->key != NULL)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_REFUSED,
                           "this computer already has a site key: a new one would shut it "
                           "out of its site");
      return FALSE;
    }
  path = g_build_filename (self->config->state_dir, "site-key", NULL);
  if (!gc_site_key_write_new (path, -1, -1, error)
      || (key = gc_site_key_load_file (path, error)) == NULL)
    {
      g_prefix_error (error, "cannot make a site key: ");
      return FALSE;
    }
  g_message ("made a new site key, kept in %s", path);
  /* it needs no code any more */
  if (self->pairing != NULL)
    gc_pairing_server_stop (self->pairing);
  take_key (self, key);
  return TRUE;
}
