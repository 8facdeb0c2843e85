/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pairing: a receiver without the site key shows a one-time code on its
 * screen; a keyed agent given that code sends it the key over TLS-SRP
 * (GnuTLS), a password-authenticated key exchange, so neither the code nor
 * the key can be read or guessed offline from a capture. the receiver's
 * end is a GcPairingServer; the sender's end is gc_pairing_send_key_async.
 */
#pragma once

#include <gio/gio.h>

#include "gc-pairing-code.h"

G_BEGIN_DECLS

/* the pairing port: the control port + 1 (7238 by default) */
#define GC_PAIRING_PORT_OFFSET 1
/* the defaults: a code lasts 2 minutes; 3 wrong codes lock pairing for 60 s */
#define GC_PAIRING_CODE_LIFETIME_S 120
#define GC_PAIRING_MAX_FAILURES 3
#define GC_PAIRING_LOCK_S 60

/* what a pairing port says first, in plain text, before any TLS */
typedef enum
{
  GC_PAIRING_GREETING_READY,   /* a code is shown: TLS-SRP follows */
  GC_PAIRING_GREETING_LOCKED,  /* too many wrong codes: try again in @seconds */
  GC_PAIRING_GREETING_BUSY,    /* another attempt is under way */
} GcPairingGreeting;

/* pure: one greeting line ("GCPAIR/1 ready\n", "GCPAIR/1 locked 42\n",
 * "GCPAIR/1 busy\n") */
gboolean gc_pairing_parse_greeting (const guint8      *data,
                                    gsize              len,
                                    GcPairingGreeting *greeting,
                                    guint             *seconds,
                                    GError           **error);

#define GC_TYPE_PAIRING_SERVER (gc_pairing_server_get_type ())
G_DECLARE_FINAL_TYPE (GcPairingServer, gc_pairing_server, GC, PAIRING_SERVER, GObject)

/* listens on @bind_address (NULL: every address) and @port (0: any, for
 * tests) while pairing; a key that arrives is written to @key_path (0600,
 * replacing what was there) and then given by the "paired" signal */
GcPairingServer *gc_pairing_server_new          (const gchar *bind_address,
                                                 guint16      port,
                                                 const gchar *key_path);
void             gc_pairing_server_set_limits   (GcPairingServer *self,
                                                 guint            code_lifetime_s,
                                                 guint            max_failures,
                                                 guint            lock_s);
/* shows a fresh code and listens; @renew: when the code expires a new one
 * is made (a receiver without a key), else pairing ends */
gboolean         gc_pairing_server_start        (GcPairingServer *self,
                                                 gboolean         renew,
                                                 GError         **error);
void             gc_pairing_server_stop         (GcPairingServer *self);
gboolean         gc_pairing_server_is_active    (GcPairingServer *self);
guint16          gc_pairing_server_get_port     (GcPairingServer *self);
/* the code shown, or NULL when not pairing */
gchar           *gc_pairing_server_dup_code     (GcPairingServer *self);
/* seconds left of a lock after wrong codes, 0 when not locked */
guint            gc_pairing_server_get_locked_s (GcPairingServer *self);

/* the sending end: a keyed agent sends @key to the pairing port of
 * @address, authenticated by @code. errors: GC_ERROR_NOT_AUTHORIZED for a
 * wrong or expired code, GC_ERROR_REFUSED while the display is locked or
 * busy, GC_ERROR_UNREACHABLE when it is not pairing (nothing listens) */
void     gc_pairing_send_key_async  (const gchar        *address,
                                     guint16             port,
                                     const gchar        *code,
                                     GBytes             *key,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean gc_pairing_send_key_finish (GAsyncResult *result,
                                     GError      **error);

G_END_DECLS
