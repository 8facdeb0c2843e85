/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-ntp.h"

GstCaps *
gc_ntp_reference_caps (void)
{
  static GstCaps *caps;

  if (g_once_init_enter (&caps))
    g_once_init_leave (&caps, gst_caps_new_empty_simple ("timestamp/x-ntp"));
  return caps;
}
