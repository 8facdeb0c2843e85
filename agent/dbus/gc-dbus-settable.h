/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the skeletons whose properties a caller may set: the generated ones
 * would take any value of the right type; these hand a Set to the model,
 * which checks it. a bad value is an InvalidArgs error for the caller and
 * changes nothing; a good one comes back through the model's own change
 * signal, as a PropertiesChanged.
 */
#pragma once

#include "gc-agent.h"
#include "gc-dbus-generated.h"

G_BEGIN_DECLS

GcDBusAgent1    *gc_dbus_agent_skeleton_new    (GcAgent *agent);
GcDBusReceiver1 *gc_dbus_receiver_skeleton_new (GcAgent *agent);

G_END_DECLS
