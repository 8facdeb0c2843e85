/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcFarPeers"

#include "config.h"

#include "gc-far-peers.h"

#include <string.h>

#include "gc-error.h"

typedef struct
{
  gchar *name;
  GArray *addresses;   /* guint32: as last resolved */
  gboolean failed_said;
} Name;

typedef struct
{
  gint64 heard;
} Learned;

struct _GcFarPeers
{
  GArray *configured;  /* guint32 */
  GPtrArray *names;    /* Name */
  GHashTable *learned; /* guint32 → Learned */
  guint32 local, netmask;
  gboolean resolved;
  gint64 resolved_at;
  GCancellable *cancellable;
  guint n_entries;
};

static void
name_free (Name *n)
{
  g_free (n->name);
  g_array_unref (n->addresses);
  g_free (n);
}

static gboolean
parse_ipv4 (const gchar *text, guint32 *out)
{
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (text);

  if (a == NULL || g_inet_address_get_family (a) != G_SOCKET_FAMILY_IPV4)
    return FALSE;
  memcpy (out, g_inet_address_to_bytes (a), 4);
  *out = GUINT32_FROM_BE (*out);
  return TRUE;
}

/* a host name as DNS or mDNS knows it: letters, digits, '-', '.' */
static gboolean
is_host_name (const gchar *s)
{
  if (*s == '\0' || strlen (s) > 253 || *s == '-' || *s == '.')
    return FALSE;
  for (const gchar *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  /* all digits and dots would be a broken address, not a name */
  return strspn (s, "0123456789.") != strlen (s);
}

static gboolean
add_address (GcFarPeers *self, guint32 a, GError **error)
{
  if (self->configured->len >= GC_FAR_PEERS_MAX_ADDRESSES)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "peers: more than %u addresses in all; name the boards, or smaller subnets",
                   GC_FAR_PEERS_MAX_ADDRESSES);
      return FALSE;
    }
  g_array_append_val (self->configured, a);
  return TRUE;
}

static gboolean
add_entry (GcFarPeers *self, const gchar *entry, GError **error)
{
  const gchar *slash = strchr (entry, '/');
  guint32 a;

  if (slash != NULL)
    {
      g_autofree gchar *net = g_strndup (entry, slash - entry);
      guint64 len;
      guint32 mask, first, last;

      if (!parse_ipv4 (net, &a) || !g_ascii_string_to_unsigned (slash + 1, 10, 0, 32, &len, NULL))
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "peers: '%s' is not a subnet (such as 10.1.2.0/24)", entry);
          return FALSE;
        }
      if (len < 32 - 10)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "peers: subnet %s has %" G_GUINT64_FORMAT " addresses; beacons go to at "
                       "most %u: give a /22 or a smaller one, or the boards' addresses",
                       entry, ((guint64) 1 << (32 - len)) - 2, GC_FAR_PEERS_MAX_ADDRESSES);
          return FALSE;
        }
      mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
      first = a & mask;
      last = first | ~mask;
      /* a /31 and a /32 have no network or broadcast address to leave out */
      if (len < 31)
        first++, last--;
      for (guint64 h = first; h <= last; h++)
        if (!add_address (self, (guint32) h, error))
          return FALSE;
      return TRUE;
    }
  if (parse_ipv4 (entry, &a))
    return add_address (self, a, error);
  if (is_host_name (entry))
    {
      Name *n = g_new0 (Name, 1);

      n->name = g_strdup (entry);
      n->addresses = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_ptr_array_add (self->names, n);
      return TRUE;
    }
  g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
               "peers: '%s' is no IPv4 address, subnet (10.1.2.0/24) or host name", entry);
  return FALSE;
}

GcFarPeers *
gc_far_peers_new (const gchar *list, GError **error)
{
  g_autoptr (GcFarPeers) self = g_new0 (GcFarPeers, 1);
  g_auto (GStrv) entries = NULL;

  self->configured = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->names = g_ptr_array_new_with_free_func ((GDestroyNotify) name_free);
  self->learned = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->cancellable = g_cancellable_new ();
  entries = g_strsplit_set (list != NULL ? list : "", ", \t", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      if (*entries[i] == '\0')
        continue;
      if (!add_entry (self, entries[i], error))
        return NULL;
      self->n_entries++;
    }
  return g_steal_pointer (&self);
}

void
gc_far_peers_free (GcFarPeers *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  g_array_unref (self->configured);
  g_ptr_array_unref (self->names);
  g_hash_table_unref (self->learned);
  g_free (self);
}

void
gc_far_peers_set_local (GcFarPeers *self, guint32 address, guint32 netmask)
{
  self->local = address;
  self->netmask = netmask;
}

guint
gc_far_peers_n_configured (GcFarPeers *self)
{
  return self->n_entries;
}

static gboolean
is_configured (GcFarPeers *self, guint32 a)
{
  for (guint i = 0; i < self->configured->len; i++)
    if (g_array_index (self->configured, guint32, i) == a)
      return TRUE;
  for (guint i = 0; i < self->names->len; i++)
    {
      Name *n = g_ptr_array_index (self->names, i);

      for (guint j = 0; j < n->addresses->len; j++)
        if (g_array_index (n->addresses, guint32, j) == a)
          return TRUE;
    }
  return FALSE;
}

static void
forget_old (GcFarPeers *self, gint64 now)
{
  GHashTableIter it;
  Learned *l;

  g_hash_table_iter_init (&it, self->learned);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &l))
    if (now - l->heard > GC_FAR_PEERS_LEARNED_US)
      g_hash_table_iter_remove (&it);
}

gboolean
gc_far_peers_heard (GcFarPeers *self, guint32 address, gint64 now)
{
  Learned *l;
  gboolean fresh;

  /* its own subnet hears the broadcast; an unknown subnet (no address
   * found) makes nobody far */
  if (self->netmask == 0 || address == self->local
      || (address & self->netmask) == (self->local & self->netmask))
    return FALSE;
  l = g_hash_table_lookup (self->learned, GUINT_TO_POINTER (address));
  if (l != NULL)
    {
      /* back after a silence: it got no beacons meanwhile, answer it */
      fresh = now - l->heard > GC_FAR_PEERS_LEARNED_US && !is_configured (self, address);
      l->heard = now;
      return fresh;
    }
  forget_old (self, now);
  /* bounded: a flood of forged senders costs one answer each, at most this
   * many at a time */
  if (g_hash_table_size (self->learned) >= GC_FAR_PEERS_MAX_LEARNED)
    return FALSE;
  l = g_new0 (Learned, 1);
  l->heard = now;
  g_hash_table_insert (self->learned, GUINT_TO_POINTER (address), l);
  return !is_configured (self, address);
}

static void
add_unique (GArray *out, GHashTable *seen, guint32 a, guint32 local)
{
  if (a == local || g_hash_table_contains (seen, GUINT_TO_POINTER (a)))
    return;
  g_hash_table_add (seen, GUINT_TO_POINTER (a));
  g_array_append_val (out, a);
}

GArray *
gc_far_peers_destinations (GcFarPeers *self, gint64 now)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  GHashTableIter it;
  gpointer key;
  Learned *l;

  for (guint i = 0; i < self->configured->len; i++)
    add_unique (out, seen, g_array_index (self->configured, guint32, i), self->local);
  for (guint i = 0; i < self->names->len; i++)
    {
      Name *n = g_ptr_array_index (self->names, i);

      for (guint j = 0; j < n->addresses->len; j++)
        add_unique (out, seen, g_array_index (n->addresses, guint32, j), self->local);
    }
  g_hash_table_iter_init (&it, self->learned);
  while (g_hash_table_iter_next (&it, &key, (gpointer *) &l))
    if (now - l->heard <= GC_FAR_PEERS_LEARNED_US)
      add_unique (out, seen, GPOINTER_TO_UINT (key), self->local);
  return out;
}

typedef struct
{
  GcFarPeers *self;  /* valid while the cancellable is not cancelled */
  guint index;
} Lookup;

static void
looked_up (GObject *object, GAsyncResult *result, gpointer data)
{
  Lookup *lk = data;
  g_autoptr (GError) error = NULL;
  GList *found = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);
  Name *n;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (lk);
      return;
    }
  n = g_ptr_array_index (lk->self->names, lk->index);
  g_free (lk);
  if (found == NULL)
    {
      /* said once, until it resolves again; the last addresses stay */
      if (!n->failed_said)
        g_message ("peers: cannot look up %s (%s); beacons go to its last address, if any",
                   n->name, error->message);
      n->failed_said = TRUE;
      return;
    }
  g_array_set_size (n->addresses, 0);
  for (GList *l = found; l != NULL; l = l->next)
    {
      guint32 a;

      if (g_inet_address_get_family (l->data) != G_SOCKET_FAMILY_IPV4)
        continue;
      memcpy (&a, g_inet_address_to_bytes (l->data), 4);
      a = GUINT32_FROM_BE (a);
      g_array_append_val (n->addresses, a);
    }
  if (n->failed_said)
    g_message ("peers: %s resolves again", n->name);
  n->failed_said = FALSE;
  g_resolver_free_addresses (found);
}

void
gc_far_peers_resolve (GcFarPeers *self, gint64 now)
{
  g_autoptr (GResolver) resolver = NULL;

  if (self->names->len == 0
      || (self->resolved && now - self->resolved_at < GC_FAR_PEERS_RESOLVE_US))
    return;
  self->resolved = TRUE;
  self->resolved_at = now;
  resolver = g_resolver_get_default ();
  for (guint i = 0; i < self->names->len; i++)
    {
      Name *n = g_ptr_array_index (self->names, i);
      Lookup *lk = g_new0 (Lookup, 1);

      lk->self = self;
      lk->index = i;
      g_resolver_lookup_by_name_with_flags_async (resolver, n->name,
                                                  G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY,
                                                  self->cancellable, looked_up, lk);
    }
}
