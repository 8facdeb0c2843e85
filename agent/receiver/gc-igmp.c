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

/* the "drops" column (the last) of the sockets whose inode is one of
 * @inodes, summed: "  12: 0B0000EF:3CAE 00000000:0000 07 00000000:00000000
 * 00:00000000 00000000     0        0 4242 2 0000000000000000 17" */
guint64
gc_udp_parse_drops (const gchar *text, const guint64 *inodes, guint n_inodes)
{
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  guint64 total = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr (GPtrArray) cols = g_ptr_array_new ();
      guint64 inode = 0, drops = 0;

      for (guint j = 0; f[j] != NULL; j++)
        if (*f[j] != '\0')
          g_ptr_array_add (cols, f[j]);
      /* sl local remote st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops */
      if (cols->len < 13
          || !g_ascii_string_to_unsigned (g_ptr_array_index (cols, 9), 10, 0, G_MAXUINT64, &inode,
                                          NULL)
          || !g_ascii_string_to_unsigned (g_ptr_array_index (cols, cols->len - 1), 10, 0,
                                          G_MAXUINT64, &drops, NULL))
        continue;
      for (guint k = 0; k < n_inodes; k++)
        if (inodes[k] == inode && inode != 0)
          {
            total += drops;
            break;
          }
    }
  return total;
}

/* what the kernel dropped for those sockets, IPv4 and IPv6 */
guint64
gc_udp_read_drops (const guint64 *inodes, guint n_inodes)
{
  const gchar *files[] = { "/proc/net/udp", "/proc/net/udp6" };
  guint64 total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (files) && n_inodes > 0; i++)
    {
      g_autofree gchar *text = NULL;

      if (g_file_get_contents (files[i], &text, NULL, NULL))
        total += gc_udp_parse_drops (text, inodes, n_inodes);
    }
  return total;
}
