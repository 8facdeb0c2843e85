/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcError"

#include "config.h"

#include "gc-error.h"

#include <gio/gio.h>

static const GDBusErrorEntry entries[] = {
  { GC_ERROR_FAILED, "io.github.Groupcast.Error.Failed" },
  { GC_ERROR_INVALID_ARGS, "io.github.Groupcast.Error.InvalidArgs" },
  { GC_ERROR_NOT_FOUND, "io.github.Groupcast.Error.NotFound" },
  { GC_ERROR_NOT_AUTHORIZED, "io.github.Groupcast.Error.NotAuthorized" },
  { GC_ERROR_TIMEOUT, "io.github.Groupcast.Error.Timeout" },
  { GC_ERROR_UNREACHABLE, "io.github.Groupcast.Error.Unreachable" },
  { GC_ERROR_NOT_SUPPORTED, "io.github.Groupcast.Error.NotSupported" },
  { GC_ERROR_REFUSED, "io.github.Groupcast.Error.Refused" },
  { GC_ERROR_STREAM, "io.github.Groupcast.Error.Stream" },
  { GC_ERROR_CANCELLED, "io.github.Groupcast.Error.Cancelled" },
};

GQuark
gc_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("gc-error-quark", &quark, entries,
                                      G_N_ELEMENTS (entries));
  return (GQuark) quark;
}

/* short words used in switch results and control answers */
const gchar *
gc_error_to_string (GcError code)
{
  switch (code)
    {
    case GC_ERROR_INVALID_ARGS: return "invalid arguments";
    case GC_ERROR_NOT_FOUND: return "not found";
    case GC_ERROR_NOT_AUTHORIZED: return "not authorized";
    case GC_ERROR_TIMEOUT: return "timeout";
    case GC_ERROR_UNREACHABLE: return "unreachable";
    case GC_ERROR_NOT_SUPPORTED: return "not supported";
    case GC_ERROR_REFUSED: return "refused";
    case GC_ERROR_STREAM: return "stream error";
    case GC_ERROR_CANCELLED: return "cancelled";
    case GC_ERROR_FAILED:
    default: return "failed";
    }
}
