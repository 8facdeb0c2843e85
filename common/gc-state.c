/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-state.h"

G_DEFINE_ENUM_TYPE (GcReceiverState, gc_receiver_state,
  G_DEFINE_ENUM_VALUE (GC_RECEIVER_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (GC_RECEIVER_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (GC_RECEIVER_STATE_PLAYING, "playing"),
  G_DEFINE_ENUM_VALUE (GC_RECEIVER_STATE_NO_SIGNAL, "no-signal"),
  G_DEFINE_ENUM_VALUE (GC_RECEIVER_STATE_ERROR, "error"))

G_DEFINE_ENUM_TYPE (GcSourceState, gc_source_state,
  G_DEFINE_ENUM_VALUE (GC_SOURCE_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (GC_SOURCE_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (GC_SOURCE_STATE_STREAMING, "streaming"))

G_DEFINE_ENUM_TYPE (GcMemberState, gc_member_state,
  G_DEFINE_ENUM_VALUE (GC_MEMBER_STATE_SETUP, "setup"),
  G_DEFINE_ENUM_VALUE (GC_MEMBER_STATE_PLAYING, "playing"))

G_DEFINE_ENUM_TYPE (GcTransport, gc_transport,
  G_DEFINE_ENUM_VALUE (GC_TRANSPORT_MULTICAST, "multicast"),
  G_DEFINE_ENUM_VALUE (GC_TRANSPORT_UNICAST, "unicast"),
  G_DEFINE_ENUM_VALUE (GC_TRANSPORT_TCP, "tcp"))

/* the nick of @value in @type; "" for a value the type does not have */
static const gchar *
to_nick (GType type, gint value)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  return v != NULL ? v->value_nick : "";
}

static gboolean
from_nick (GType type, const gchar *s, gint *out)
{
  g_autoptr (GEnumClass) klass = NULL;
  GEnumValue *v;

  if (s == NULL)
    return FALSE;
  klass = g_type_class_ref (type);
  v = g_enum_get_value_by_nick (klass, s);
  if (v == NULL)
    return FALSE;
  *out = v->value;
  return TRUE;
}

/* the string functions of one state type: to_string gives the D-Bus word,
 * from_string takes one (FALSE for a word the API does not have) */
#define DEFINE_STATE_STRINGS(Type, prefix, GTYPE)                       \
  const gchar *prefix##_to_string (Type state)                          \
  {                                                                     \
    return to_nick (GTYPE, state);                                      \
  }                                                                     \
  gboolean prefix##_from_string (const gchar *s, Type *out)             \
  {                                                                     \
    gint v = 0;                                                         \
                                                                        \
    g_return_val_if_fail (out != NULL, FALSE);                          \
    if (!from_nick (GTYPE, s, &v))                                      \
      return FALSE;                                                     \
    *out = (Type) v;                                                    \
    return TRUE;                                                        \
  }

DEFINE_STATE_STRINGS (GcReceiverState, gc_receiver_state, GC_TYPE_RECEIVER_STATE)
DEFINE_STATE_STRINGS (GcSourceState, gc_source_state, GC_TYPE_SOURCE_STATE)
DEFINE_STATE_STRINGS (GcMemberState, gc_member_state, GC_TYPE_MEMBER_STATE)
DEFINE_STATE_STRINGS (GcTransport, gc_transport, GC_TYPE_TRANSPORT)
