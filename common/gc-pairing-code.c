/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-pairing-code.h"

gboolean
gc_pairing_code_normalize (const gchar *text, gchar out[GC_PAIRING_CODE_DIGITS + 1])
{
  guint n = 0;

  out[0] = '\0';
  if (text == NULL)
    return FALSE;
  /* the screen groups the digits by three; people copy the space, or a dash */
  for (const gchar *p = text; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '-')
        continue;
      if (!g_ascii_isdigit (*p) || n == GC_PAIRING_CODE_DIGITS)
        return FALSE;
      out[n++] = *p;
    }
  out[n] = '\0';
  return n == GC_PAIRING_CODE_DIGITS;
}
