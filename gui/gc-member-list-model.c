/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcMemberListModel"

#include "config.h"

#include "gc-member-list-model.h"

/* Source1.Members (a{sa{sv}} keyed by receiver address) as a GListModel of
 * GcMemberItem. members are updated in place, so a row keeps its widgets and
 * its plot history while its counters change */
struct _GcMemberListModel
{
  GObject parent_instance;

  GPtrArray *items;
};

static void gc_member_list_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GcMemberListModel, gc_member_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      gc_member_list_model_list_model_init))

enum
{
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
gc_member_list_model_get_item_type (GListModel *model)
{
  return GC_TYPE_MEMBER_ITEM;
}

static guint
gc_member_list_model_get_n_items (GListModel *model)
{
  return GC_MEMBER_LIST_MODEL (model)->items->len;
}

static gpointer
gc_member_list_model_get_item (GListModel *model,
                               guint       position)
{
  GcMemberListModel *self = GC_MEMBER_LIST_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
gc_member_list_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = gc_member_list_model_get_item_type;
  iface->get_n_items = gc_member_list_model_get_n_items;
  iface->get_item = gc_member_list_model_get_item;
}

GcMemberListModel *
gc_member_list_model_new (void)
{
  return g_object_new (GC_TYPE_MEMBER_LIST_MODEL, NULL);
}

GcMemberItem *
gc_member_list_model_find (GcMemberListModel *self,
                           const gchar       *address)
{
  g_return_val_if_fail (GC_IS_MEMBER_LIST_MODEL (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      GcMemberItem *m = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (gc_member_item_get_address (m), address) == 0)
        return m;
    }
  return NULL;
}

/* members may be NULL (no source, or the agent is gone): the list empties */
void
gc_member_list_model_set_members (GcMemberListModel *self,
                                  GVariant          *members)
{
  GVariantIter iter;
  const gchar *address;
  GVariant *info;
  guint i = 0;
  guint before;

  g_return_if_fail (GC_IS_MEMBER_LIST_MODEL (self));
  g_return_if_fail (members == NULL
                    || g_variant_is_of_type (members, G_VARIANT_TYPE ("a{sa{sv}}")));

  before = self->items->len;

  /* drop the members that left, from the end so positions stay right */
  for (i = self->items->len; i > 0; i--)
    {
      GcMemberItem *m = g_ptr_array_index (self->items, i - 1);
      g_autoptr (GVariant) still = NULL;

      if (members != NULL)
        still = g_variant_lookup_value (members, gc_member_item_get_address (m),
                                        G_VARIANT_TYPE_VARDICT);
      if (still == NULL)
        {
          g_ptr_array_remove_index (self->items, i - 1);
          g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
        }
    }

  if (members != NULL)
    {
      g_variant_iter_init (&iter, members);
      while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &address, &info))
        {
          GcMemberItem *m = gc_member_list_model_find (self, address);

          if (m == NULL)
            {
              m = gc_member_item_new (address);
              gc_member_item_update (m, info);
              g_ptr_array_add (self->items, m);
              g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
            }
          else
            {
              gc_member_item_update (m, info);
            }
        }
    }

  if (before != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
gc_member_list_model_sample (GcMemberListModel *self)
{
  g_return_if_fail (GC_IS_MEMBER_LIST_MODEL (self));

  for (guint i = 0; i < self->items->len; i++)
    gc_member_item_sample (g_ptr_array_index (self->items, i));
}

static void
gc_member_list_model_finalize (GObject *object)
{
  GcMemberListModel *self = GC_MEMBER_LIST_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  G_OBJECT_CLASS (gc_member_list_model_parent_class)->finalize (object);
}

static void
gc_member_list_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  GcMemberListModel *self = GC_MEMBER_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_member_list_model_class_init (GcMemberListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gc_member_list_model_finalize;
  object_class->get_property = gc_member_list_model_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_member_list_model_init (GcMemberListModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}
