/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GC_ERROR (gc_error_quark ())

/* each code is registered as the D-Bus error io.github.Groupcast.Error.<Name> */
typedef enum
{
  GC_ERROR_FAILED,          /* .Failed */
  GC_ERROR_INVALID_ARGS,    /* .InvalidArgs */
  GC_ERROR_NOT_FOUND,       /* .NotFound */
  GC_ERROR_NOT_AUTHORIZED,  /* .NotAuthorized */
  GC_ERROR_TIMEOUT,         /* .Timeout */
  GC_ERROR_UNREACHABLE,     /* .Unreachable */
  GC_ERROR_NOT_SUPPORTED,   /* .NotSupported */
  GC_ERROR_REFUSED,         /* .Refused */
  GC_ERROR_STREAM,          /* .Stream */
  GC_ERROR_CANCELLED,       /* .Cancelled: the user said no (the portal's dialog) */
} GcError;

GQuark       gc_error_quark        (void);
const gchar *gc_error_to_string    (GcError code);

G_END_DECLS
