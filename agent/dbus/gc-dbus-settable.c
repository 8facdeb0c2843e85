/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcDBus"

#include "config.h"

#include "gc-dbus-settable.h"
#include "gc-error.h"
#include "gc-receiver.h"

#include <math.h>

/* ---- Agent1: Name --------------------------------------------------------- */
typedef struct
{
  GcDBusAgent1Skeleton parent_instance;
  GcAgent *agent;
} GcAgentSkeleton;

typedef struct
{
  GcDBusAgent1SkeletonClass parent_class;
} GcAgentSkeletonClass;

static GType gc_agent_skeleton_get_type (void);
G_DEFINE_TYPE (GcAgentSkeleton, gc_agent_skeleton, GC_DBUS_TYPE_AGENT1_SKELETON)

static GDBusInterfaceVTable agent_vtable;

static gboolean
agent_set_property (GDBusConnection *connection, const gchar *sender, const gchar *object_path,
                    const gchar *interface_name, const gchar *property_name, GVariant *value,
                    GError **error, gpointer user_data)
{
  GcAgentSkeleton *skeleton = user_data;
  GDBusInterfaceVTable *parent;

  if (g_strcmp0 (property_name, "Name") != 0)
    {
      parent = G_DBUS_INTERFACE_SKELETON_CLASS (gc_agent_skeleton_parent_class)
                   ->get_vtable (G_DBUS_INTERFACE_SKELETON (skeleton));
      return parent->set_property (connection, sender, object_path, interface_name,
                                   property_name, value, error, user_data);
    }
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "Name is a string (s)");
      return FALSE;
    }
  return gc_agent_set_name (skeleton->agent, g_variant_get_string (value, NULL), error);
}

static GDBusInterfaceVTable *
agent_skeleton_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  agent_vtable = *G_DBUS_INTERFACE_SKELETON_CLASS (gc_agent_skeleton_parent_class)
                      ->get_vtable (skeleton);
  agent_vtable.set_property = agent_set_property;
  return &agent_vtable;
}

static void
gc_agent_skeleton_finalize (GObject *object)
{
  g_clear_object (&((GcAgentSkeleton *) object)->agent);
  G_OBJECT_CLASS (gc_agent_skeleton_parent_class)->finalize (object);
}

static void
gc_agent_skeleton_class_init (GcAgentSkeletonClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gc_agent_skeleton_finalize;
  G_DBUS_INTERFACE_SKELETON_CLASS (klass)->get_vtable = agent_skeleton_get_vtable;
}

static void
gc_agent_skeleton_init (GcAgentSkeleton *self)
{
}

GcDBusAgent1 *
gc_dbus_agent_skeleton_new (GcAgent *agent)
{
  GcAgentSkeleton *self = g_object_new (gc_agent_skeleton_get_type (), NULL);

  self->agent = g_object_ref (agent);
  return GC_DBUS_AGENT1 (self);
}

/* ---- Receiver1: Volume and Muted ------------------------------------------ */

typedef struct
{
  GcDBusReceiver1Skeleton parent_instance;
  GcAgent *agent;
} GcReceiverSkeleton;

typedef struct
{
  GcDBusReceiver1SkeletonClass parent_class;
} GcReceiverSkeletonClass;

static GType gc_receiver_skeleton_get_type (void);
G_DEFINE_TYPE (GcReceiverSkeleton, gc_receiver_skeleton, GC_DBUS_TYPE_RECEIVER1_SKELETON)

static GDBusInterfaceVTable receiver_vtable;

/* the display plays the sound: its volume is the receiver's */
static gboolean
set_sound (GcAgent *agent, const gchar *property_name, GVariant *value, GError **error)
{
  GcReceiver *r = gc_agent_get_receiver (agent);
  GcDisplay *display = r != NULL ? gc_receiver_get_display (r) : NULL;
  gboolean muted = FALSE;
  gdouble volume;

  if (display == NULL)
    {
      g_set_error_literal (error, GC_ERROR, GC_ERROR_FAILED, "the receiver role is off");
      return FALSE;
    }
  volume = gc_display_get_volume (display, &muted);
  if (g_str_equal (property_name, "Volume"))
    {
      gdouble v = g_variant_get_double (value);

      if (!isfinite (v) || v < 0 || v > 1.5)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                       "Volume %g is not from 0 to 1.5 (1 is the sound as sent)", v);
          return FALSE;
        }
      volume = v;
    }
  else
    muted = g_variant_get_boolean (value);
  gc_display_set_volume (display, volume, muted);
  return TRUE;
}

static gboolean
receiver_set_property (GDBusConnection *connection, const gchar *sender,
                       const gchar *object_path, const gchar *interface_name,
                       const gchar *property_name, GVariant *value, GError **error,
                       gpointer user_data)
{
  GcReceiverSkeleton *skeleton = user_data;
  GDBusInterfaceVTable *parent;

  /* D-Bus checked the value's type against the interface */
  if (g_strcmp0 (property_name, "Volume") == 0 || g_strcmp0 (property_name, "Muted") == 0)
    return set_sound (skeleton->agent, property_name, value, error);
  parent = G_DBUS_INTERFACE_SKELETON_CLASS (gc_receiver_skeleton_parent_class)
               ->get_vtable (G_DBUS_INTERFACE_SKELETON (skeleton));
  return parent->set_property (connection, sender, object_path, interface_name, property_name,
                               value, error, user_data);
}

static GDBusInterfaceVTable *
receiver_skeleton_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  receiver_vtable = *G_DBUS_INTERFACE_SKELETON_CLASS (gc_receiver_skeleton_parent_class)
                         ->get_vtable (skeleton);
  receiver_vtable.set_property = receiver_set_property;
  return &receiver_vtable;
}

static void
gc_receiver_skeleton_finalize (GObject *object)
{
  g_clear_object (&((GcReceiverSkeleton *) object)->agent);
  G_OBJECT_CLASS (gc_receiver_skeleton_parent_class)->finalize (object);
}

static void
gc_receiver_skeleton_class_init (GcReceiverSkeletonClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gc_receiver_skeleton_finalize;
  G_DBUS_INTERFACE_SKELETON_CLASS (klass)->get_vtable = receiver_skeleton_get_vtable;
}

static void
gc_receiver_skeleton_init (GcReceiverSkeleton *self)
{
}

GcDBusReceiver1 *
gc_dbus_receiver_skeleton_new (GcAgent *agent)
{
  GcReceiverSkeleton *self = g_object_new (gc_receiver_skeleton_get_type (), NULL);

  self->agent = g_object_ref (agent);
  return GC_DBUS_RECEIVER1 (self);
}
