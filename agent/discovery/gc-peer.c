/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPeer"

#include "config.h"

#include "gc-peer.h"

/* one agent seen on the LAN. each discovery path (mDNS, beacon) keeps what it
 * last said; the visible fields follow the path that last said something new,
 * so a stale repeat on one path cannot undo a rename seen on the other.
 *
 * with a site key, what came signed (a beacon, or a TXT record with a valid
 * MAC) makes the peer verified, and from then on: nothing unsigned changes
 * it, a signed record older than the last one on its path is ignored, and
 * the visible fields follow the beacon path while there is one (beacons
 * are fresh, a record may have been made long ago). */

#define N_PATHS 2

typedef struct
{
  GcAnnouncement a;
  gchar *address;
  gint64 last_seen;
  gint64 signed_ts;  /* its stamp, when it came signed; else 0 */
  gboolean valid;
} PathState;

struct _GcPeer
{
  GObject parent_instance;

  gchar *id;
  gchar *name;
  gchar *address;
  guint16 control_port;
  guint roles;
  guint seen_by;
  gint64 last_seen;
  gchar *url;
  gchar *group;
  gchar *current_source;
  gboolean verified;

  PathState paths[N_PATHS];
};

G_DEFINE_FINAL_TYPE (GcPeer, gc_peer, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ADDRESS,
  PROP_CONTROL_PORT,
  PROP_ROLES,
  PROP_SEEN_BY,
  PROP_LAST_SEEN,
  PROP_URL,
  PROP_GROUP,
  PROP_CURRENT_SOURCE,
  PROP_VERIFIED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gint
path_index (GcSeenBy path)
{
  switch (path)
    {
    case GC_SEEN_BY_MDNS:
      return 0;
    case GC_SEEN_BY_BEACON:
      return 1;
    case GC_SEEN_BY_NONE:
    default:
      return -1;
    }
}

static void
gc_peer_finalize (GObject *object)
{
  GcPeer *self = GC_PEER (object);

  for (guint i = 0; i < N_PATHS; i++)
    {
      gc_announcement_clear (&self->paths[i].a);
      g_clear_pointer (&self->paths[i].address, g_free);
    }
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->group, g_free);
  g_clear_pointer (&self->current_source, g_free);

  G_OBJECT_CLASS (gc_peer_parent_class)->finalize (object);
}

static void
gc_peer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GcPeer *self = GC_PEER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_CONTROL_PORT:
      g_value_set_uint (value, self->control_port);
      break;
    case PROP_ROLES:
      g_value_set_uint (value, self->roles);
      break;
    case PROP_SEEN_BY:
      g_value_set_uint (value, self->seen_by);
      break;
    case PROP_LAST_SEEN:
      g_value_set_int64 (value, self->last_seen);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_GROUP:
      g_value_set_string (value, self->group);
      break;
    case PROP_CURRENT_SOURCE:
      g_value_set_string (value, self->current_source);
      break;
    case PROP_VERIFIED:
      g_value_set_boolean (value, self->verified);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_class_init (GcPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = gc_peer_finalize;
  object_class->get_property = gc_peer_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, f);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, f);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, f);
  properties[PROP_CONTROL_PORT] =
    g_param_spec_uint ("control-port", NULL, NULL, 0, G_MAXUINT16, 0, f);
  properties[PROP_ROLES] = g_param_spec_uint ("roles", NULL, NULL, 0, G_MAXUINT, 0, f);
  properties[PROP_SEEN_BY] = g_param_spec_uint ("seen-by", NULL, NULL, 0, G_MAXUINT, 0, f);
  properties[PROP_LAST_SEEN] =
    g_param_spec_int64 ("last-seen", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, f);
  properties[PROP_GROUP] = g_param_spec_string ("group", NULL, NULL, NULL, f);
  properties[PROP_CURRENT_SOURCE] =
    g_param_spec_string ("current-source", NULL, NULL, NULL, f);
  /* everything known of it came signed with the site key */
  properties[PROP_VERIFIED] = g_param_spec_boolean ("verified", NULL, NULL, FALSE, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_peer_init (GcPeer *self)
{
}

GcPeer *
gc_peer_new (const gchar *id)
{
  GcPeer *self;

  g_return_val_if_fail (id != NULL, NULL);
  self = g_object_new (GC_TYPE_PEER, NULL);
  self->id = g_strdup (id);
  return self;
}

static gboolean
set_string (GcPeer *self, gchar **field, const gchar *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static gboolean
apply (GcPeer *self, const GcAnnouncement *a, const gchar *address)
{
  gboolean changed = FALSE;

  changed |= set_string (self, &self->name, a->name, PROP_NAME);
  changed |= set_string (self, &self->address, address, PROP_ADDRESS);
  changed |= set_string (self, &self->url, a->url, PROP_URL);
  changed |= set_string (self, &self->group, a->group, PROP_GROUP);
  changed |= set_string (self, &self->current_source, a->current_source,
                         PROP_CURRENT_SOURCE);
  if (self->control_port != a->control_port)
    {
      self->control_port = a->control_port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTROL_PORT]);
      changed = TRUE;
    }
  if (self->roles != a->roles)
    {
      self->roles = a->roles;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLES]);
      changed = TRUE;
    }
  return changed;
}

static void
clear_path (GcPeer *self, gint idx)
{
  PathState *ps = &self->paths[idx];

  gc_announcement_clear (&ps->a);
  g_clear_pointer (&ps->address, g_free);
  ps->valid = FALSE;
  ps->last_seen = 0;
  ps->signed_ts = 0;
}

/* the first signed word: what unsigned paths said goes (it may have been
 * anyone), and the peer is verified from now on */
static void
become_verified (GcPeer *self)
{
  for (gint i = 0; i < N_PATHS; i++)
    if (self->paths[i].valid && self->paths[i].signed_ts == 0)
      {
        clear_path (self, i);
        self->seen_by &= ~(1u << i);
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEEN_BY]);
      }
  self->verified = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFIED]);
}

/* returns TRUE when something other than last-seen changed; unsigned news
 * of a verified peer and stale signed records change nothing */
gboolean
gc_peer_update_signed (GcPeer *self, const GcAnnouncement *a, const gchar *address,
                       GcSeenBy path, gint64 now_us, gint64 signed_ts)
{
  gint idx = path_index (path);
  gint beacon = path_index (GC_SEEN_BY_BEACON);
  PathState *ps;
  gboolean news, changed = FALSE;

  g_return_val_if_fail (GC_IS_PEER (self), FALSE);
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (idx >= 0, FALSE);

  ps = &self->paths[idx];
  if (signed_ts <= 0 && self->verified)
    return FALSE;
  if (signed_ts > 0 && ps->valid && signed_ts < ps->signed_ts)
    return FALSE;
  g_object_freeze_notify (G_OBJECT (self));
  if (signed_ts > 0 && !self->verified)
    {
      become_verified (self);
      changed = TRUE;
    }
  news = !ps->valid || !gc_announcement_equal (&ps->a, a)
         || g_strcmp0 (ps->address, address) != 0;
  ps->signed_ts = MAX (signed_ts, 0);
  if (news)
    {
      gc_announcement_copy_to (a, &ps->a);
      g_free (ps->address);
      ps->address = g_strdup (address);
      ps->valid = TRUE;
      if (!self->verified || idx == beacon || !self->paths[beacon].valid)
        changed |= apply (self, a, address);
    }
  ps->last_seen = now_us;
  if (!(self->seen_by & path))
    {
      self->seen_by |= path;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEEN_BY]);
      changed = TRUE;
    }
  if (now_us > self->last_seen)
    {
      self->last_seen = now_us;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEEN]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

gboolean
gc_peer_update (GcPeer *self, const GcAnnouncement *a, const gchar *address,
                GcSeenBy path, gint64 now_us)
{
  return gc_peer_update_signed (self, a, address, path, now_us, 0);
}

/* forget a path; when another path still sees the peer, its view takes over.
 * returns TRUE when the path was there */
gboolean
gc_peer_drop_path (GcPeer *self, GcSeenBy path)
{
  gint idx = path_index (path);

  g_return_val_if_fail (GC_IS_PEER (self), FALSE);
  g_return_val_if_fail (idx >= 0, FALSE);

  if (!(self->seen_by & path))
    return FALSE;
  clear_path (self, idx);

  g_object_freeze_notify (G_OBJECT (self));
  self->seen_by &= ~path;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEEN_BY]);
  for (guint i = 0; i < N_PATHS; i++)
    if (self->paths[i].valid)
      apply (self, &self->paths[i].a, self->paths[i].address);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

gint64
gc_peer_get_path_last_seen (GcPeer *self, GcSeenBy path)
{
  gint idx = path_index (path);

  g_return_val_if_fail (GC_IS_PEER (self), 0);
  g_return_val_if_fail (idx >= 0, 0);
  return self->paths[idx].valid ? self->paths[idx].last_seen : 0;
}

const gchar *
gc_peer_get_id (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return self->id;
}

const gchar *
gc_peer_get_name (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return self->name;
}

const gchar *
gc_peer_get_address (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return self->address;
}

guint16
gc_peer_get_control_port (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), 0);
  return self->control_port;
}

guint
gc_peer_get_roles (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), 0);
  return self->roles;
}

gchar **
gc_peer_dup_roles_strv (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return gc_roles_to_strv (self->roles);
}

guint
gc_peer_get_seen_by (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), 0);
  return self->seen_by;
}

gchar **
gc_seen_by_to_strv (guint seen_by)
{
  GStrvBuilder *b = g_strv_builder_new ();
  gchar **strv;

  if (seen_by & GC_SEEN_BY_MDNS)
    g_strv_builder_add (b, "mdns");
  if (seen_by & GC_SEEN_BY_BEACON)
    g_strv_builder_add (b, "beacon");
  strv = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return strv;
}

gchar **
gc_peer_dup_seen_by_strv (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return gc_seen_by_to_strv (self->seen_by);
}

gint64
gc_peer_get_last_seen (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), 0);
  return self->last_seen;
}

const gchar *
gc_peer_get_url (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return self->url;
}

const gchar *
gc_peer_get_group (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return self->group;
}

gboolean
gc_peer_get_verified (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), FALSE);
  return self->verified;
}

const gchar *
gc_peer_get_current_source (GcPeer *self)
{
  g_return_val_if_fail (GC_IS_PEER (self), NULL);
  return self->current_source;
}
