/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-name.h"

#include <string.h>

gboolean
gc_name_is_valid (const gchar *name)
{
  gboolean blank = TRUE;
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > GC_NAME_MAX_BYTES || !g_utf8_validate (name, len, NULL))
    return FALSE;
  for (const gchar *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        return FALSE;
      if (!g_unichar_isspace (c))
        blank = FALSE;
    }
  return !blank;
}
