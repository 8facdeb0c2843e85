/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the framing of control messages: RTSP/1.0 requests and responses (a
 * start line, "Name: value" headers, a Content-Length body), read from
 * bytes into a GstRTSPMessage. pure: no i/o, no sockets; the server and
 * client feed it what they read, as it arrives. unit-tested and fuzzed
 * (tests/fuzz/fuzz-control-frame.c).
 */
#pragma once

#include <gio/gio.h>
#include <gst/rtsp/gstrtspmessage.h>

G_BEGIN_DECLS

#define GC_CONTROL_MAX_MESSAGE_SIZE 8192
#define GC_CONTROL_MAX_HEADERS      32

/* GStreamer 1.22 has no autoptr for it */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstRTSPMessage, gst_rtsp_message_free)

GstRTSPMessage *gc_control_frame_read (const guint8 *data,
                                       gsize         len,
                                       gsize        *used,
                                       GError      **error);

G_END_DECLS
