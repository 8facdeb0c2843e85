/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcIgmp"

#include "config.h"

#include "gc-igmp.h"

#include <string.h>

/* "2\teth0      :     2      V3" starts a device: is it @iface (or, with
 * no @iface, any device but loopback)? */
static gboolean
device_matches (const gchar *line, const gchar *iface)
{
  g_auto (GStrv) f = g_strsplit_set (line, "\t :", -1);
  const gchar *dev = NULL;

  for (guint j = 1; f[j] != NULL && dev == NULL; j++)
    if (*f[j] != '\0')
      dev = f[j];
  return dev != NULL && (iface != NULL ? g_str_equal (dev, iface) : !g_str_equal (dev, "lo"));
}

/* "\t\t\t\t0B0000EF     1 0:00000000\t\t0": the group, or NULL */
static gchar *
group_of (const gchar *line)
{
  g_autofree gchar *s = g_strstrip (g_strdup (line));
  guint64 v;
  gchar hex[9];

  if (strlen (s) < 8)
    return NULL;
  memcpy (hex, s, 8);
  hex[8] = '\0';
  if (!g_ascii_string_to_unsigned (hex, 16, 0, G_MAXUINT32, &v, NULL))
    return NULL;
  /* the kernel prints the network-order word as a host-order number */
  return g_strdup_printf ("%u.%u.%u.%u", (guint) (v & 0xff), (guint) ((v >> 8) & 0xff),
                          (guint) ((v >> 16) & 0xff), (guint) (v >> 24));
}

gchar **
gc_igmp_parse_groups (const gchar *text, const gchar *iface)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  gboolean in_iface = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const gchar *l = lines[i];
      g_autofree gchar *group = NULL;

      if (l[0] != '\t' && l[0] != ' ' && g_ascii_isdigit (l[0]))
        {
          in_iface = device_matches (l, iface);
          continue;
        }
      if (!in_iface || l[0] != '\t')
        continue;
      group = group_of (l);
      /* all-hosts: every interface is in it */
      if (group != NULL && !g_str_equal (group, "224.0.0.1"))
        g_strv_builder_add (b, group);
    }
  return g_strv_builder_end (b);
}

/* the groups @iface (NULL: any but loopback) is in now; empty when the
 * kernel has no /proc/net/igmp */
gchar **
gc_igmp_read_groups (const gchar *iface)
{
  g_autofree gchar *text = NULL;

  if (!g_file_get_contents ("/proc/net/igmp", &text, NULL, NULL))
    return g_new0 (gchar *, 1);
  return gc_igmp_parse_groups (text, iface);
}
