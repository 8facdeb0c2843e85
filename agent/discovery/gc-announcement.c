/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcAnnouncement"

#include "config.h"

#include "gc-announcement.h"

GcAnnouncement *
gc_announcement_new (void)
{
  return g_new0 (GcAnnouncement, 1);
}

void
gc_announcement_copy_to (const GcAnnouncement *src, GcAnnouncement *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  /* dest may alias fields of src only if it is src itself */
  if (src == dest)
    return;
  gc_announcement_clear (dest);
  dest->id = g_strdup (src->id);
  dest->name = g_strdup (src->name);
  dest->roles = src->roles;
  dest->control_port = src->control_port;
  dest->url = g_strdup (src->url);
  dest->group = g_strdup (src->group);
  dest->current_source = g_strdup (src->current_source);
  dest->address = g_strdup (src->address);
  dest->instance = g_strdup (src->instance);
}

GcAnnouncement *
gc_announcement_copy (const GcAnnouncement *a)
{
  GcAnnouncement *c;

  g_return_val_if_fail (a != NULL, NULL);
  c = gc_announcement_new ();
  gc_announcement_copy_to (a, c);
  return c;
}

void
gc_announcement_clear (GcAnnouncement *a)
{
  if (a == NULL)
    return;
  g_clear_pointer (&a->id, g_free);
  g_clear_pointer (&a->name, g_free);
  g_clear_pointer (&a->url, g_free);
  g_clear_pointer (&a->group, g_free);
  g_clear_pointer (&a->current_source, g_free);
  g_clear_pointer (&a->address, g_free);
  g_clear_pointer (&a->instance, g_free);
  a->roles = 0;
  a->control_port = 0;
}

void
gc_announcement_free (GcAnnouncement *a)
{
  if (a == NULL)
    return;
  gc_announcement_clear (a);
  g_free (a);
}

gboolean
gc_announcement_equal (const GcAnnouncement *a, const GcAnnouncement *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  return g_strcmp0 (a->id, b->id) == 0
         && g_strcmp0 (a->name, b->name) == 0
         && a->roles == b->roles
         && a->control_port == b->control_port
         && g_strcmp0 (a->url, b->url) == 0
         && g_strcmp0 (a->group, b->group) == 0
         && g_strcmp0 (a->current_source, b->current_source) == 0
         && g_strcmp0 (a->address, b->address) == 0
         && g_strcmp0 (a->instance, b->instance) == 0;
}

gchar **
gc_roles_to_strv (guint roles)
{
  GStrvBuilder *b = g_strv_builder_new ();
  gchar **strv;

  if (roles & GC_ROLE_SOURCE)
    g_strv_builder_add (b, "source");
  if (roles & GC_ROLE_RECEIVER)
    g_strv_builder_add (b, "receiver");
  strv = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return strv;
}

gchar *
gc_roles_to_string (guint roles)
{
  g_auto (GStrv) strv = gc_roles_to_strv (roles);

  return g_strjoinv (",", strv);
}

/* "source,receiver" (any order, unknown words ignored so that a newer peer
 * with an extra role is still understood) */
guint
gc_roles_from_string (const gchar *s)
{
  g_auto (GStrv) words = NULL;
  guint roles = 0;

  if (s == NULL)
    return 0;
  words = g_strsplit (s, ",", 8);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_strcmp0 (words[i], "source") == 0)
        roles |= GC_ROLE_SOURCE;
      else if (g_strcmp0 (words[i], "receiver") == 0)
        roles |= GC_ROLE_RECEIVER;
    }
  return roles;
}
