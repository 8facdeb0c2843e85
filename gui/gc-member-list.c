/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcMemberList"

#include "config.h"

#include "gc-member-list.h"

/* Source1.Members (a{sa{sv}} keyed by receiver address) as a GListStore of
 * GcMemberItem. members are updated in place, so a row keeps its widgets
 * and its plot history while its counters change; only members that come
 * or go change the store */
struct _GcMemberList
{
  GObject parent_instance;

  GListStore *store;   /* of GcMemberItem, in the order they joined */
  GHashTable *members; /* address → GcMemberItem, the same items */
};

G_DEFINE_FINAL_TYPE (GcMemberList, gc_member_list, G_TYPE_OBJECT)

GcMemberList *
gc_member_list_new (void)
{
  return g_object_new (GC_TYPE_MEMBER_LIST, NULL);
}

/* owned by the list */
GListModel *
gc_member_list_get_model (GcMemberList *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_LIST (self), NULL);

  return G_LIST_MODEL (self->store);
}

GcMemberItem *
gc_member_list_find (GcMemberList *self,
                     const gchar  *address)
{
  g_return_val_if_fail (GC_IS_MEMBER_LIST (self), NULL);

  return address != NULL ? g_hash_table_lookup (self->members, address) : NULL;
}

/* drop the members that are not in members (NULL: all of them), from the
 * end so positions stay right */
static void
remove_gone (GcMemberList *self,
             GVariant     *members)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->store)); i > 0; i--)
    {
      g_autoptr (GcMemberItem) m = g_list_model_get_item (G_LIST_MODEL (self->store), i - 1);
      const gchar *address = gc_member_item_get_address (m);
      g_autoptr (GVariant) still = NULL;

      if (members != NULL)
        still = g_variant_lookup_value (members, address, G_VARIANT_TYPE_VARDICT);
      if (still == NULL)
        {
          g_list_store_remove (self->store, i - 1);
          g_hash_table_remove (self->members, address);
        }
    }
}

/* members may be NULL (no source, or the agent is gone): the list empties */
void
gc_member_list_set_members (GcMemberList *self,
                            GVariant     *members)
{
  GVariantIter iter;
  const gchar *address;
  GVariant *info;

  g_return_if_fail (GC_IS_MEMBER_LIST (self));
  g_return_if_fail (members == NULL
                    || g_variant_is_of_type (members, G_VARIANT_TYPE ("a{sa{sv}}")));

  remove_gone (self, members);
  if (members == NULL)
    return;

  g_variant_iter_init (&iter, members);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &address, &info))
    {
      GcMemberItem *m = g_hash_table_lookup (self->members, address);

      if (m != NULL)
        {
          gc_member_item_update (m, info);
          continue;
        }
      m = gc_member_item_new (address);
      gc_member_item_update (m, info);
      g_hash_table_insert (self->members, g_strdup (address), m);
      g_list_store_append (self->store, m);
    }
}

/* one sample of every member's plots, all of the same time */
void
gc_member_list_sample (GcMemberList *self)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (GC_IS_MEMBER_LIST (self));

  g_hash_table_iter_init (&iter, self->members);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    gc_member_item_sample (value, now);
}

static void
gc_member_list_finalize (GObject *object)
{
  GcMemberList *self = GC_MEMBER_LIST (object);

  g_clear_pointer (&self->members, g_hash_table_unref);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (gc_member_list_parent_class)->finalize (object);
}

static void
gc_member_list_class_init (GcMemberListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gc_member_list_finalize;
}

static void
gc_member_list_init (GcMemberList *self)
{
  self->store = g_list_store_new (GC_TYPE_MEMBER_ITEM);
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}
