/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPeerItem"

#include "config.h"

#include "gc-peer-item.h"
#include "gc-util.h"

#include <glib/gi18n.h>

/* one list item: a Peer1 proxy plus what the panel remembers about it
 * (the outcome of the last switch), which the agent does not keep */
struct _GcPeerItem
{
  GObject parent_instance;

  GcDBusPeer1 *proxy;
  GcSwitchState switch_state;
  gchar *result;
  gboolean not_paired;
  gchar *source_name;
  gint64 offline_since;   /* wall clock, µs; 0 while the agent lists it */
  gchar *result_detail;   /* a failed switch: the receiver's own words */
};

G_DEFINE_FINAL_TYPE (GcPeerItem, gc_peer_item, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (GcSwitchState, gc_switch_state,
                    G_DEFINE_ENUM_VALUE (GC_SWITCH_STATE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (GC_SWITCH_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (GC_SWITCH_STATE_OK, "ok"),
                    G_DEFINE_ENUM_VALUE (GC_SWITCH_STATE_FAILED, "failed"))

enum
{
  PROP_0,
  PROP_PROXY,
  PROP_ID,
  PROP_NAME,
  PROP_ADDRESS,
  PROP_ROLES,
  PROP_SEEN_BY,
  PROP_URL,
  PROP_CURRENT_SOURCE,
  PROP_SWITCH_STATE,
  PROP_RESULT,
  PROP_VERIFIED,
  PROP_NOT_PAIRED,
  PROP_SOURCE_NAME,
  PROP_OFFLINE_SINCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_proxy_notify (GcPeerItem *self,
                 GParamSpec *pspec)
{
  GParamSpec *own;

  /* the generated proxy notifies with the same hyphenated names we use */
  own = g_object_class_find_property (G_OBJECT_GET_CLASS (self), pspec->name);
  if (own != NULL && own != properties[PROP_PROXY])
    g_object_notify_by_pspec (G_OBJECT (self), own);
}

GcPeerItem *
gc_peer_item_new (GcDBusPeer1 *proxy)
{
  g_return_val_if_fail (GC_DBUS_IS_PEER1 (proxy), NULL);

  return g_object_new (GC_TYPE_PEER_ITEM, "proxy", proxy, NULL);
}

GcDBusPeer1 *
gc_peer_item_get_proxy (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  return self->proxy;
}

static const gchar *
not_null (const gchar *s)
{
  return s != NULL ? s : "";
}

const gchar *
gc_peer_item_get_id (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  return not_null (gc_dbus_peer1_get_id (self->proxy));
}

const gchar *
gc_peer_item_get_name (GcPeerItem *self)
{
  const gchar *name;

  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  name = gc_dbus_peer1_get_name (self->proxy);
  /* a peer heard only by beacon may not have told its name yet */
  if (name == NULL || *name == '\0')
    return gc_peer_item_get_address (self);
  return name;
}

const gchar *
gc_peer_item_get_address (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  return not_null (gc_dbus_peer1_get_address (self->proxy));
}

const gchar *
gc_peer_item_get_url (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  return not_null (gc_dbus_peer1_get_url (self->proxy));
}

const gchar *
gc_peer_item_get_current_source (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  return not_null (gc_dbus_peer1_get_current_source (self->proxy));
}

/* everything the agent knows of it came signed with the site key */
gboolean
gc_peer_item_get_verified (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), FALSE);
  return gc_dbus_peer1_get_verified (self->proxy);
}

/* this panel's agent holds a site key, and this peer has not shown it
 * holds the same (another key, or none): set by the list */
gboolean
gc_peer_item_get_not_paired (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), FALSE);
  return self->not_paired;
}

void
gc_peer_item_set_not_paired (GcPeerItem *self,
                             gboolean    not_paired)
{
  g_return_if_fail (GC_IS_PEER_ITEM (self));
  if (self->not_paired == !!not_paired)
    return;
  self->not_paired = !!not_paired;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOT_PAIRED]);
}

/* the name of the source it shows (the peer whose URL it shows), or NULL
 * when no listed source has that URL: set by the list */
const gchar *
gc_peer_item_get_source_name (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);
  return self->source_name;
}

void
gc_peer_item_set_source_name (GcPeerItem  *self,
                              const gchar *name)
{
  g_return_if_fail (GC_IS_PEER_ITEM (self));
  if (g_strcmp0 (self->source_name, name) == 0)
    return;
  g_free (self->source_name);
  self->source_name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_NAME]);
}

/* what the receiver said of the last failed switch, whole (NULL
 * otherwise) */
const gchar *
gc_peer_item_get_result_detail (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);
  return self->result_detail;
}

/* when the agent stopped listing it (it went off the network), in unix
 * µs; 0 while it is listed. the list keeps such an item a while, greyed */
gint64
gc_peer_item_get_offline_since (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), 0);
  return self->offline_since;
}

void
gc_peer_item_set_offline_since (GcPeerItem *self,
                                gint64      since)
{
  g_return_if_fail (GC_IS_PEER_ITEM (self));
  if (self->offline_since == since)
    return;
  self->offline_since = since;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_SINCE]);
}

gboolean
gc_peer_item_has_role (GcPeerItem  *self,
                       const gchar *role)
{
  const gchar *const *roles;

  g_return_val_if_fail (GC_IS_PEER_ITEM (self), FALSE);

  roles = gc_dbus_peer1_get_roles (self->proxy);
  return roles != NULL && g_strv_contains (roles, role);
}

/* Switch results name a receiver by whatever we passed in, or by its id */
gboolean
gc_peer_item_matches (GcPeerItem  *self,
                      const gchar *id_or_address)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), FALSE);

  if (id_or_address == NULL || *id_or_address == '\0')
    return FALSE;
  return g_strcmp0 (gc_peer_item_get_id (self), id_or_address) == 0
         || g_strcmp0 (gc_peer_item_get_address (self), id_or_address) == 0;
}

/* the discovery paths in words, e.g. "mDNS and beacon" */
gchar *
gc_peer_item_dup_seen_by (GcPeerItem *self)
{
  const gchar *const *seen;
  g_autoptr (GPtrArray) words = g_ptr_array_new ();
  gboolean mdns = FALSE;
  gboolean beacon = FALSE;

  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  seen = gc_dbus_peer1_get_seen_by (self->proxy);
  for (guint i = 0; seen != NULL && seen[i] != NULL; i++)
    {
      mdns |= g_str_equal (seen[i], "mdns");
      beacon |= g_str_equal (seen[i], "beacon");
    }
  if (mdns && beacon)
    return g_strdup (_("mDNS and beacon"));
  if (mdns)
    return g_strdup (_("mDNS"));
  if (beacon)
    /* TRANSLATORS: the receiver was found by its UDP broadcast announcements */
    return g_strdup (_("beacon"));
  return g_strdup (_("not seen"));
}

GcSwitchState
gc_peer_item_get_switch_state (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), GC_SWITCH_STATE_NONE);

  return self->switch_state;
}

const gchar *
gc_peer_item_get_result (GcPeerItem *self)
{
  g_return_val_if_fail (GC_IS_PEER_ITEM (self), NULL);

  return not_null (self->result);
}

void
gc_peer_item_set_switch_state (GcPeerItem    *self,
                               GcSwitchState  state,
                               const gchar   *result)
{
  g_return_if_fail (GC_IS_PEER_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->switch_state != state)
    {
      self->switch_state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SWITCH_STATE]);
    }
  if (g_strcmp0 (self->result, result) != 0)
    {
      g_free (self->result);
      self->result = g_strdup (result);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
gc_peer_item_set_switch_result (GcPeerItem  *self,
                                gboolean     ok,
                                const gchar *message,
                                gdouble      ms)
{
  g_autofree gchar *text = NULL;
  g_autofree gchar *detail = NULL;

  g_return_if_fail (GC_IS_PEER_ITEM (self));

  /* no time (0 or -1) when the receiver already showed this source */
  if (ok && ms > 0)
    /* TRANSLATORS: a switch worked; the time until the receiver showed its first frame */
    text = g_strdup_printf (_("First frame in %.0f ms"), ms);
  else if (ok)
    text = g_strdup (_("Done"));
  else if (message != NULL && *message != '\0')
    /* why, in a translated sentence; the receiver's own words as detail */
    text = gc_util_explain_result (message, &detail);
  else
    text = g_strdup (_("Failed"));
  g_free (self->result_detail);
  self->result_detail = g_steal_pointer (&detail);
  gc_peer_item_set_switch_state (self, ok ? GC_SWITCH_STATE_OK : GC_SWITCH_STATE_FAILED,
                            text);
}

static void
gc_peer_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GcPeerItem *self = GC_PEER_ITEM (object);

  switch (prop_id)
    {
    case PROP_PROXY:
      g_value_set_object (value, self->proxy);
      break;
    case PROP_ID:
      g_value_set_string (value, gc_peer_item_get_id (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, gc_peer_item_get_name (self));
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, gc_peer_item_get_address (self));
      break;
    case PROP_ROLES:
      g_value_set_boxed (value, gc_dbus_peer1_get_roles (self->proxy));
      break;
    case PROP_SEEN_BY:
      g_value_take_string (value, gc_peer_item_dup_seen_by (self));
      break;
    case PROP_URL:
      g_value_set_string (value, gc_peer_item_get_url (self));
      break;
    case PROP_CURRENT_SOURCE:
      g_value_set_string (value, gc_peer_item_get_current_source (self));
      break;
    case PROP_SWITCH_STATE:
      g_value_set_enum (value, self->switch_state);
      break;
    case PROP_RESULT:
      g_value_set_string (value, gc_peer_item_get_result (self));
      break;
    case PROP_VERIFIED:
      g_value_set_boolean (value, gc_peer_item_get_verified (self));
      break;
    case PROP_NOT_PAIRED:
      g_value_set_boolean (value, self->not_paired);
      break;
    case PROP_SOURCE_NAME:
      g_value_set_string (value, self->source_name);
      break;
    case PROP_OFFLINE_SINCE:
      g_value_set_int64 (value, self->offline_since);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_item_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GcPeerItem *self = GC_PEER_ITEM (object);

  switch (prop_id)
    {
    case PROP_PROXY:
      self->proxy = g_value_dup_object (value);
      g_signal_connect_object (self->proxy, "notify", G_CALLBACK (on_proxy_notify),
                               self, G_CONNECT_SWAPPED);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_peer_item_finalize (GObject *object)
{
  GcPeerItem *self = GC_PEER_ITEM (object);

  g_clear_object (&self->proxy);
  g_clear_pointer (&self->result, g_free);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->result_detail, g_free);
  G_OBJECT_CLASS (gc_peer_item_parent_class)->finalize (object);
}

static void
gc_peer_item_class_init (GcPeerItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = gc_peer_item_finalize;
  object_class->get_property = gc_peer_item_get_property;
  object_class->set_property = gc_peer_item_set_property;

  properties[PROP_PROXY] =
    g_param_spec_object ("proxy", NULL, NULL, GC_DBUS_TYPE_PEER1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, ro);
  properties[PROP_ROLES] = g_param_spec_boxed ("roles", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_SEEN_BY] = g_param_spec_string ("seen-by", NULL, NULL, NULL, ro);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, ro);
  properties[PROP_CURRENT_SOURCE] =
    g_param_spec_string ("current-source", NULL, NULL, NULL, ro);
  properties[PROP_SWITCH_STATE] =
    g_param_spec_enum ("switch-state", NULL, NULL, GC_TYPE_SWITCH_STATE,
                       GC_SWITCH_STATE_NONE, ro | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RESULT] =
    g_param_spec_string ("result", NULL, NULL, NULL, ro | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_VERIFIED] = g_param_spec_boolean ("verified", NULL, NULL, FALSE, ro);
  properties[PROP_NOT_PAIRED] =
    g_param_spec_boolean ("not-paired", NULL, NULL, FALSE, ro | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SOURCE_NAME] =
    g_param_spec_string ("source-name", NULL, NULL, NULL, ro | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OFFLINE_SINCE] =
    g_param_spec_int64 ("offline-since", NULL, NULL, 0, G_MAXINT64, 0,
                        ro | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_peer_item_init (GcPeerItem *self)
{
}
