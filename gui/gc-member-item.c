/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcMemberItem"

#include "config.h"

#include "gc-member-item.h"

/* one receiver in the source's group, from an entry of Source1.Members,
 * with a minute of loss and jitter history for its sparklines */
struct _GcMemberItem
{
  GObject parent_instance;

  gchar *address;
  gchar *name;
  GcMemberState state;
  GcTransport transport;
  gdouble fraction_lost;
  gint64 packets_lost;
  gdouble jitter_ms;
  gdouble rtt_ms;
  gint64 report_age_ms;
  GcHistory *loss_history;
  GcHistory *jitter_history;
};

G_DEFINE_FINAL_TYPE (GcMemberItem, gc_member_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_NAME,
  PROP_STATE,
  PROP_TRANSPORT,
  PROP_FRACTION_LOST,
  PROP_PACKETS_LOST,
  PROP_JITTER_MS,
  PROP_RTT_MS,
  PROP_REPORT_AGE_MS,
  PROP_LOSS_HISTORY,
  PROP_JITTER_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GcMemberItem *
gc_member_item_new (const gchar *address)
{
  return g_object_new (GC_TYPE_MEMBER_ITEM, "address", address, NULL);
}

const gchar *
gc_member_item_get_address (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), NULL);
  return self->address;
}

const gchar *
gc_member_item_get_name (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), NULL);
  return self->name != NULL && *self->name != '\0' ? self->name : self->address;
}

GcMemberState
gc_member_item_get_state (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), GC_MEMBER_STATE_SETUP);
  return self->state;
}

GcTransport
gc_member_item_get_transport (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), GC_TRANSPORT_MULTICAST);
  return self->transport;
}

gdouble
gc_member_item_get_fraction_lost (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), 0);
  return self->fraction_lost;
}

gint64
gc_member_item_get_packets_lost (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), 0);
  return self->packets_lost;
}

gdouble
gc_member_item_get_jitter_ms (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), 0);
  return self->jitter_ms;
}

gdouble
gc_member_item_get_rtt_ms (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), 0);
  return self->rtt_ms;
}

gint64
gc_member_item_get_report_age_ms (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), 0);
  return self->report_age_ms;
}

GcHistory *
gc_member_item_get_loss_history (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), NULL);
  return self->loss_history;
}

GcHistory *
gc_member_item_get_jitter_history (GcMemberItem *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_ITEM (self), NULL);
  return self->jitter_history;
}

static void
take_string (GcMemberItem  *self,
             GVariantDict  *dict,
             const gchar   *key,
             gchar        **field,
             guint          prop)
{
  const gchar *s;

  if (!g_variant_dict_lookup (dict, key, "&s", &s) || g_strcmp0 (*field, s) == 0)
    return;
  g_free (*field);
  *field = g_strdup (s);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
take_double (GcMemberItem *self,
             GVariantDict *dict,
             const gchar  *key,
             gdouble      *field,
             guint         prop)
{
  gdouble d;

  if (!g_variant_dict_lookup (dict, key, "d", &d) || *field == d)
    return;
  *field = d;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
take_int64 (GcMemberItem *self,
            GVariantDict *dict,
            const gchar  *key,
            gint64       *field,
            guint         prop)
{
  gint64 x;

  if (!g_variant_dict_lookup (dict, key, "x", &x) || *field == x)
    return;
  *field = x;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* the member's state from its D-Bus word; a word this panel does not know
 * (a newer agent's) leaves the state as it was */
static void
take_state (GcMemberItem *self,
            GVariantDict *dict)
{
  const gchar *word;
  GcMemberState state;

  if (!g_variant_dict_lookup (dict, "state", "&s", &word))
    return;
  if (!gc_member_state_from_string (word, &state))
    {
      g_debug ("member %s: unknown state “%s”", self->address, word);
      return;
    }
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* how the member gets the stream; an unknown word (a newer agent's)
 * leaves it as it was */
static void
take_transport (GcMemberItem *self,
                GVariantDict *dict)
{
  const gchar *word;
  GcTransport transport;

  if (!g_variant_dict_lookup (dict, "transport", "&s", &word)
      || !gc_transport_from_string (word, &transport) || self->transport == transport)
    return;
  self->transport = transport;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSPORT]);
}

/* info is the a{sv} of one member; keys that are missing or of another
 * type leave the old value alone */
void
gc_member_item_update (GcMemberItem *self,
                       GVariant     *info)
{
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (info);

  g_return_if_fail (GC_IS_MEMBER_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  take_string (self, &dict, "name", &self->name, PROP_NAME);
  take_state (self, &dict);
  take_transport (self, &dict);
  take_double (self, &dict, "fraction-lost", &self->fraction_lost, PROP_FRACTION_LOST);
  take_int64 (self, &dict, "packets-lost", &self->packets_lost, PROP_PACKETS_LOST);
  take_double (self, &dict, "jitter-ms", &self->jitter_ms, PROP_JITTER_MS);
  take_double (self, &dict, "rtt-ms", &self->rtt_ms, PROP_RTT_MS);
  take_int64 (self, &dict, "report-age-ms", &self->report_age_ms, PROP_REPORT_AGE_MS);
  g_object_thaw_notify (G_OBJECT (self));
}

/* called when Source1.Members changes, with the time it arrived; the
 * plots hold each value until the next */
void
gc_member_item_sample (GcMemberItem *self,
                       gint64        time)
{
  g_return_if_fail (GC_IS_MEMBER_ITEM (self));

  gc_history_push_at (self->loss_history, time, self->fraction_lost * 100.0);
  gc_history_push_at (self->jitter_history, time, self->jitter_ms);
}

static void
gc_member_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GcMemberItem *self = GC_MEMBER_ITEM (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_NAME:
      g_value_set_string (value, gc_member_item_get_name (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_FRACTION_LOST:
      g_value_set_double (value, self->fraction_lost);
      break;
    case PROP_PACKETS_LOST:
      g_value_set_int64 (value, self->packets_lost);
      break;
    case PROP_JITTER_MS:
      g_value_set_double (value, self->jitter_ms);
      break;
    case PROP_RTT_MS:
      g_value_set_double (value, self->rtt_ms);
      break;
    case PROP_REPORT_AGE_MS:
      g_value_set_int64 (value, self->report_age_ms);
      break;
    case PROP_LOSS_HISTORY:
      g_value_set_object (value, self->loss_history);
      break;
    case PROP_JITTER_HISTORY:
      g_value_set_object (value, self->jitter_history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_member_item_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GcMemberItem *self = GC_MEMBER_ITEM (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      self->address = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_member_item_finalize (GObject *object)
{
  GcMemberItem *self = GC_MEMBER_ITEM (object);

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_object (&self->loss_history);
  g_clear_object (&self->jitter_history);
  G_OBJECT_CLASS (gc_member_item_parent_class)->finalize (object);
}

static void
gc_member_item_class_init (GcMemberItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = gc_member_item_finalize;
  object_class->get_property = gc_member_item_get_property;
  object_class->set_property = gc_member_item_set_property;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GC_TYPE_MEMBER_STATE, GC_MEMBER_STATE_SETUP, ro);
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, GC_TYPE_TRANSPORT, GC_TRANSPORT_MULTICAST, ro);
  properties[PROP_FRACTION_LOST] =
    g_param_spec_double ("fraction-lost", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_PACKETS_LOST] =
    g_param_spec_int64 ("packets-lost", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_JITTER_MS] =
    g_param_spec_double ("jitter-ms", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, ro);
  properties[PROP_RTT_MS] =
    g_param_spec_double ("rtt-ms", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, ro);
  properties[PROP_REPORT_AGE_MS] =
    g_param_spec_int64 ("report-age-ms", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_LOSS_HISTORY] =
    g_param_spec_object ("loss-history", NULL, NULL, GC_TYPE_HISTORY, ro);
  properties[PROP_JITTER_HISTORY] =
    g_param_spec_object ("jitter-history", NULL, NULL, GC_TYPE_HISTORY, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_member_item_init (GcMemberItem *self)
{
  self->loss_history = gc_history_new ();
  self->jitter_history = gc_history_new ();
}
