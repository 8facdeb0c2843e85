/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcPairing"

#include "config.h"

#include "gc-pairing.h"

#include "gc-error.h"
#include "gc-site-key.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

/* the exchange, on TCP, one attempt per connection:
 *   receiver: "GCPAIR/1 ready\n" (or locked N / busy, then it closes)
 *   both:     a TLS 1.2 handshake with SRP key exchange only (RFC 5054,
 *             the 3072-bit group), user "groupcast", password the code
 *   sender:   the key's length (2 bytes, big endian), then the key
 *   receiver: "OK\n", or "ERR <why>\n"
 * a wrong code fails the handshake: SRP gives a guesser one try per
 * connection, and nothing in a capture to test guesses against offline */

#define GREETING_PREFIX "GCPAIR/1 "
#define GREETING_MAX 64
#define SRP_USER "groupcast"
#define TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+SRP"
/* every read and write of an attempt, and the sender's connect */
#define IO_TIMEOUT_S 10
#define REPLY_MAX 256

/* ---- pure parts ----------------------------------------------------------- */

gboolean
gc_pairing_parse_greeting (const guint8 *data, gsize len, GcPairingGreeting *greeting,
                           guint *seconds, GError **error)
{
  g_autofree gchar *line = NULL;
  const gchar *word;
  guint64 n = 0;

  g_return_val_if_fail (greeting != NULL && seconds != NULL, FALSE);

  *seconds = 0;
  if (data == NULL || len < 2 || len > GREETING_MAX || data[len - 1] != '\n'
      || memchr (data, '\0', len) != NULL || memchr (data, '\n', len) != data + len - 1
      || strncmp ((const gchar *) data, GREETING_PREFIX, strlen (GREETING_PREFIX)) != 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                   "the pairing port did not answer as a Groupcast receiver does");
      return FALSE;
    }
  line = g_strndup ((const gchar *) data, len - 1);
  word = line + strlen (GREETING_PREFIX);
  if (strcmp (word, "ready") == 0)
    *greeting = GC_PAIRING_GREETING_READY;
  else if (strcmp (word, "busy") == 0)
    *greeting = GC_PAIRING_GREETING_BUSY;
  else if (g_str_has_prefix (word, "locked ")
           && g_ascii_string_to_unsigned (word + strlen ("locked "), 10, 1, 3600, &n, NULL))
    {
      *greeting = GC_PAIRING_GREETING_LOCKED;
      *seconds = (guint) n;
    }
  else
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                   "the pairing port answered something unknown");
      return FALSE;
    }
  return TRUE;
}

/* ---- TLS over a GIO stream (either end; the calling thread blocks) -------- */

static ssize_t
pull (gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read (g_io_stream_get_input_stream (ptr), buf, len, NULL, &error);

  if (n < 0)
    {
      errno = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? ETIMEDOUT : EIO;
      return -1;
    }
  return n;
}

static ssize_t
push (gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
  g_autoptr (GError) error = NULL;
  gssize n = g_output_stream_write (g_io_stream_get_output_stream (ptr), buf, len, NULL, &error);

  if (n < 0)
    {
      errno = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? ETIMEDOUT : EIO;
      return -1;
    }
  return n;
}

static gboolean
tls_session_new (gnutls_session_t *session, unsigned int flags, GIOStream *io, GError **error)
{
  int r = gnutls_init (session, flags);

  if (r == GNUTLS_E_SUCCESS)
    r = gnutls_priority_set_direct (*session, TLS_PRIORITY, NULL);
  if (r != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                   "pairing needs GnuTLS with TLS-SRP: %s", gnutls_strerror (r));
      return FALSE;
    }
  gnutls_transport_set_ptr (*session, io);
  gnutls_transport_set_pull_function (*session, pull);
  gnutls_transport_set_push_function (*session, push);
  return TRUE;
}

static gboolean
tls_send_all (gnutls_session_t session, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t w = gnutls_record_send (session, p, len);

      if (w == GNUTLS_E_INTERRUPTED || w == GNUTLS_E_AGAIN)
        continue;
      if (w <= 0)
        return FALSE;
      p += w;
      len -= (gsize) w;
    }
  return TRUE;
}

static gboolean
tls_recv_all (gnutls_session_t session, void *data, gsize len)
{
  guint8 *p = data;

  while (len > 0)
    {
      ssize_t r = gnutls_record_recv (session, p, len);

      if (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN)
        continue;
      if (r <= 0)
        return FALSE;
      p += r;
      len -= (gsize) r;
    }
  return TRUE;
}

/* a line of at most @max bytes, "\n" included, in plain text or in TLS */
static gchar *
read_line (GInputStream *in, gnutls_session_t session, gsize max, gsize *len)
{
  g_autofree gchar *buf = g_malloc0 (max + 1);
  gsize n = 0;

  while (n < max)
    {
      gssize r = session != NULL ? gnutls_record_recv (session, buf + n, 1)
                                 : g_input_stream_read (in, buf + n, 1, NULL, NULL);

      if (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN)
        continue;
      if (r <= 0)
        break;
      if (buf[n++] == '\n')
        break;
    }
  *len = n;
  return n > 0 ? g_steal_pointer (&buf) : NULL;
}

/* ---- the receiver's end --------------------------------------------------- */

struct _GcPairingServer
{
  GObject parent_instance;

  gchar *bind_address;
  guint16 port;
  gchar *key_path;
  guint lifetime_s;
  guint max_failures;
  guint lock_s;
  GMainContext *context;

  /* the main loop's */
  GSocketService *service;
  guint16 bound_port;
  guint expiry_id;
  gboolean renew;

  /* shared with the attempts' threads */
  GMutex lock;
  gboolean active;
  gchar code[GC_PAIRING_CODE_DIGITS + 1];
  guint failures;
  gint64 locked_until;   /* monotonic µs */
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (GcPairingServer, gc_pairing_server, G_TYPE_OBJECT)

enum
{
  SIGNAL_PAIRED,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* a uniform code from GnuTLS's random generator */
static gboolean
new_code (gchar out[GC_PAIRING_CODE_DIGITS + 1])
{
  guint32 v;

  /* 4294 × 10^6 fits a guint32: below it every code is equally likely */
  do
    {
      if (gnutls_rnd (GNUTLS_RND_KEY, &v, sizeof v) != 0)
        return FALSE;
    }
  while (v >= 4294000000u);
  g_snprintf (out, GC_PAIRING_CODE_DIGITS + 1, "%06u", v % 1000000u);
  return TRUE;
}

static gboolean
emit_changed (gpointer data)
{
  g_signal_emit (data, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* from an attempt's thread: the main loop hears of it, now and, after a
 * lock, again when the lock ends */
static void
changed_later (GcPairingServer *self, guint lock_s)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_changed,
                              g_object_ref (self), g_object_unref);
  if (lock_s > 0)
    {
      g_autoptr (GSource) later = g_timeout_source_new (lock_s * 1000 + 50);

      g_source_set_callback (later, emit_changed, g_object_ref (self), g_object_unref);
      g_source_attach (later, self->context);
    }
}

typedef struct
{
  GcPairingServer *self;
  GBytes *key;
} Paired;

static void
paired_free (Paired *p)
{
  g_object_unref (p->self);
  g_bytes_unref (p->key);
  g_free (p);
}

static gboolean
emit_paired (gpointer data)
{
  Paired *p = data;

  /* pairing is over: nothing listens any more */
  gc_pairing_server_stop (p->self);
  g_signal_emit (p->self, signals[SIGNAL_PAIRED], 0, p->key);
  return G_SOURCE_REMOVE;
}

static int
srp_credentials (gnutls_session_t session, const char *username, gnutls_datum_t *salt,
                 gnutls_datum_t *verifier, gnutls_datum_t *generator, gnutls_datum_t *prime)
{
  const gchar *code = gnutls_session_get_ptr (session);
  const gnutls_datum_t *g = &gnutls_srp_3072_group_generator;
  const gnutls_datum_t *n = &gnutls_srp_3072_group_prime;
  guint8 s[16];
  gnutls_datum_t sd = { s, sizeof s };

  /* a fresh salt each time: the verifier is made for this attempt only */
  if (gnutls_rnd (GNUTLS_RND_NONCE, s, sizeof s) != 0
      || gnutls_srp_verifier (username, code, &sd, g, n, verifier) != 0)
    return -1;
  salt->data = gnutls_malloc (sizeof s);
  generator->data = gnutls_malloc (g->size);
  prime->data = gnutls_malloc (n->size);
  if (salt->data == NULL || generator->data == NULL || prime->data == NULL)
    return -1;
  memcpy (salt->data, s, salt->size = sizeof s);
  memcpy (generator->data, g->data, generator->size = g->size);
  memcpy (prime->data, n->data, prime->size = n->size);
  return 0;
}

static void
write_plain (GIOStream *io, const gchar *text)
{
  g_output_stream_write_all (g_io_stream_get_output_stream (io), text, strlen (text), NULL, NULL,
                             NULL);
}

static void
reply (gnutls_session_t session, const gchar *text)
{
  tls_send_all (session, text, strlen (text));
  gnutls_bye (session, GNUTLS_SHUT_WR);
}

/* an attempt, after "ready": the handshake, then the key. TRUE when it
 * got that far that the code was right */
static gboolean
serve_attempt (GcPairingServer *self, GIOStream *io, const gchar *code)
{
  gnutls_session_t session = NULL;
  gnutls_srp_server_credentials_t creds = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;
  guint8 head[2];
  g_autofree guint8 *buf = NULL;
  gsize len;
  int r;

  if (!tls_session_new (&session, GNUTLS_SERVER, io, &error)
      || gnutls_srp_allocate_server_credentials (&creds) != 0)
    {
      g_warning ("pairing: %s", error != NULL ? error->message : "no SRP credentials");
      if (session != NULL)
        gnutls_deinit (session);
      return FALSE;
    }
  gnutls_srp_set_server_credentials_function (creds, srp_credentials);
  gnutls_credentials_set (session, GNUTLS_CRD_SRP, creds);
  gnutls_session_set_ptr (session, (gpointer) code);
  do
    r = gnutls_handshake (session);
  while (r < 0 && !gnutls_error_is_fatal (r));
  if (r < 0)
    {
      g_message ("pairing: an attempt failed (a wrong code, or the sender gave up): %s",
                 gnutls_strerror (r));
      gnutls_deinit (session);
      gnutls_srp_free_server_credentials (creds);
      return FALSE;
    }
  /* the code was right: from here on only the key's bytes can be wrong */
  if (!tls_recv_all (session, head, sizeof head)
      || (len = ((gsize) head[0] << 8) | head[1]) > GC_SITE_KEY_MAX_LENGTH
      || !tls_recv_all (session, (buf = g_malloc (MAX (len, 1))), len))
    reply (session, "ERR the key did not arrive whole\n");
  else
    {
      key = g_bytes_new (buf, len);
      memset (buf, 0, len);
      g_mutex_lock (&self->lock);
      if (!self->active)
        g_set_error (&error, GC_ERROR, GC_ERROR_REFUSED, "pairing was stopped");
      g_mutex_unlock (&self->lock);
      if (error == NULL && gc_site_key_store (self->key_path, key, &error))
        {
          Paired *p = g_new0 (Paired, 1);

          reply (session, "OK\n");
          g_mutex_lock (&self->lock);
          self->active = FALSE;
          self->failures = 0;
          memset (self->code, 0, sizeof self->code);
          g_mutex_unlock (&self->lock);
          p->self = g_object_ref (self);
          p->key = g_steal_pointer (&key);
          g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_paired, p,
                                      (GDestroyNotify) paired_free);
        }
      else
        {
          g_autofree gchar *text = g_strdup_printf ("ERR %s\n", error->message);

          g_message ("pairing: the key was not kept: %s", error->message);
          reply (session, text);
        }
    }
  gnutls_deinit (session);
  gnutls_srp_free_server_credentials (creds);
  return TRUE;
}

/* an attempt's thread: one connection */
static gboolean
on_run (GThreadedSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  GcPairingServer *self = data;
  gchar code[GC_PAIRING_CODE_DIGITS + 1];
  gint64 now = g_get_monotonic_time ();
  gboolean right;
  guint left = 0;

  g_socket_set_timeout (g_socket_connection_get_socket (conn), IO_TIMEOUT_S);
  g_mutex_lock (&self->lock);
  if (self->active && self->locked_until > now)
    left = (guint) ((self->locked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  if (!self->active || left > 0 || self->busy)
    {
      gboolean active = self->active, busy = self->busy;
      g_autofree gchar *text = NULL;

      g_mutex_unlock (&self->lock);
      /* not pairing any more: a close says so; locked or busy: in words */
      if (active)
        {
          text = left > 0 ? g_strdup_printf (GREETING_PREFIX "locked %u\n", left)
                          : g_strdup (busy ? GREETING_PREFIX "busy\n" : "");
          write_plain (G_IO_STREAM (conn), text);
        }
      return TRUE;
    }
  self->busy = TRUE;
  memcpy (code, self->code, sizeof code);
  g_mutex_unlock (&self->lock);

  write_plain (G_IO_STREAM (conn), GREETING_PREFIX "ready\n");
  right = serve_attempt (self, G_IO_STREAM (conn), code);
  memset (code, 0, sizeof code);

  g_mutex_lock (&self->lock);
  self->busy = FALSE;
  if (!right && self->active && ++self->failures >= self->max_failures)
    {
      g_message ("pairing: %u wrong codes: locked for %u s", self->failures, self->lock_s);
      self->failures = 0;
      self->locked_until = g_get_monotonic_time () + (gint64) self->lock_s * G_USEC_PER_SEC;
      left = self->lock_s;
    }
  g_mutex_unlock (&self->lock);
  changed_later (self, left);
  return TRUE;
}

static gboolean
on_expired (gpointer data)
{
  GcPairingServer *self = data;
  gboolean renewed = FALSE;

  self->expiry_id = 0;
  if (self->renew)
    {
      g_mutex_lock (&self->lock);
      renewed = new_code (self->code);
      g_mutex_unlock (&self->lock);
    }
  if (!renewed)
    {
      g_message ("pairing: the code expired");
      gc_pairing_server_stop (self);
      return G_SOURCE_REMOVE;
    }
  self->expiry_id = g_timeout_add_seconds (self->lifetime_s, on_expired, self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

gboolean
gc_pairing_server_start (GcPairingServer *self, gboolean renew, GError **error)
{
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  gchar code[GC_PAIRING_CODE_DIGITS + 1];

  g_return_val_if_fail (GC_IS_PAIRING_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!new_code (code))
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "no random source for a pairing code");
      return FALSE;
    }
  if (self->service == NULL)
    {
      inet = self->bind_address != NULL ? g_inet_address_new_from_string (self->bind_address)
                                         : g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
      if (inet == NULL)
        {
          g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS, "pairing: bad address %s",
                       self->bind_address);
          return FALSE;
        }
      address = g_inet_socket_address_new (inet, self->port);
      /* two threads: one attempt, and one to say "busy" to a second */
      self->service = g_threaded_socket_service_new (2);
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                          &effective, error))
        {
          g_prefix_error (error, "pairing port %u: ", self->port);
          g_clear_object (&self->service);
          return FALSE;
        }
      self->bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      /* the service holds the server while it listens; stop lets go */
      g_signal_connect_data (self->service, "run", G_CALLBACK (on_run), g_object_ref (self),
                             (GClosureNotify) (void (*) (void)) g_object_unref, 0);
      g_socket_service_start (self->service);
    }
  g_mutex_lock (&self->lock);
  self->active = TRUE;
  memcpy (self->code, code, sizeof code);
  g_mutex_unlock (&self->lock);
  memset (code, 0, sizeof code);
  self->renew = renew;
  g_clear_handle_id (&self->expiry_id, g_source_remove);
  self->expiry_id = g_timeout_add_seconds (self->lifetime_s, on_expired, self);
  g_message ("pairing: a code is shown, for %u s, on port %u", self->lifetime_s,
             self->bound_port);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

void
gc_pairing_server_stop (GcPairingServer *self)
{
  g_autoptr (GSocketService) service = NULL;
  gboolean was;

  g_return_if_fail (GC_IS_PAIRING_SERVER (self));

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  g_mutex_lock (&self->lock);
  was = self->active;
  self->active = FALSE;
  memset (self->code, 0, sizeof self->code);
  g_mutex_unlock (&self->lock);
  service = g_steal_pointer (&self->service);
  if (service != NULL)
    {
      /* an attempt under way ends by itself (it holds its own refs) */
      g_socket_service_stop (service);
      g_socket_listener_close (G_SOCKET_LISTENER (service));
      g_signal_handlers_disconnect_by_func (service, on_run, self);
      self->bound_port = 0;
    }
  if (was)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

gboolean
gc_pairing_server_is_active (GcPairingServer *self)
{
  gboolean active;

  g_return_val_if_fail (GC_IS_PAIRING_SERVER (self), FALSE);
  g_mutex_lock (&self->lock);
  active = self->active;
  g_mutex_unlock (&self->lock);
  return active;
}

guint16
gc_pairing_server_get_port (GcPairingServer *self)
{
  g_return_val_if_fail (GC_IS_PAIRING_SERVER (self), 0);
  return self->bound_port;
}

gchar *
gc_pairing_server_dup_code (GcPairingServer *self)
{
  gchar *code;

  g_return_val_if_fail (GC_IS_PAIRING_SERVER (self), NULL);
  g_mutex_lock (&self->lock);
  code = self->active ? g_strdup (self->code) : NULL;
  g_mutex_unlock (&self->lock);
  return code;
}

guint
gc_pairing_server_get_locked_s (GcPairingServer *self)
{
  gint64 now = g_get_monotonic_time ();
  guint left = 0;

  g_return_val_if_fail (GC_IS_PAIRING_SERVER (self), 0);
  g_mutex_lock (&self->lock);
  if (self->active && self->locked_until > now)
    left = (guint) ((self->locked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  g_mutex_unlock (&self->lock);
  return left;
}

void
gc_pairing_server_set_limits (GcPairingServer *self, guint code_lifetime_s, guint max_failures,
                              guint lock_s)
{
  g_return_if_fail (GC_IS_PAIRING_SERVER (self));
  g_return_if_fail (code_lifetime_s > 0 && max_failures > 0);

  self->lifetime_s = code_lifetime_s;
  g_mutex_lock (&self->lock);
  self->max_failures = max_failures;
  self->lock_s = lock_s;
  g_mutex_unlock (&self->lock);
}

GcPairingServer *
gc_pairing_server_new (const gchar *bind_address, guint16 port, const gchar *key_path)
{
  GcPairingServer *self;

  g_return_val_if_fail (key_path != NULL, NULL);

  self = g_object_new (GC_TYPE_PAIRING_SERVER, NULL);
  self->bind_address = g_strdup (bind_address);
  self->port = port;
  self->key_path = g_strdup (key_path);
  return self;
}

static void
gc_pairing_server_dispose (GObject *object)
{
  GcPairingServer *self = GC_PAIRING_SERVER (object);

  gc_pairing_server_stop (self);
  G_OBJECT_CLASS (gc_pairing_server_parent_class)->dispose (object);
}

static void
gc_pairing_server_finalize (GObject *object)
{
  GcPairingServer *self = GC_PAIRING_SERVER (object);

  g_free (self->bind_address);
  g_free (self->key_path);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gc_pairing_server_parent_class)->finalize (object);
}

static void
gc_pairing_server_class_init (GcPairingServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_pairing_server_dispose;
  object_class->finalize = gc_pairing_server_finalize;

  /* a key arrived and is stored; pairing is over */
  signals[SIGNAL_PAIRED] = g_signal_new ("paired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* the code, pairing's being on, or the lock changed */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gc_pairing_server_init (GcPairingServer *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->lifetime_s = GC_PAIRING_CODE_LIFETIME_S;
  self->max_failures = GC_PAIRING_MAX_FAILURES;
  self->lock_s = GC_PAIRING_LOCK_S;
}

/* ---- the sender's end ----------------------------------------------------- */

typedef struct
{
  gchar *address;
  guint16 port;
  gchar code[GC_PAIRING_CODE_DIGITS + 1];
  GBytes *key;
} SendData;

static void
send_data_free (SendData *d)
{
  g_free (d->address);
  memset (d->code, 0, sizeof d->code);
  g_bytes_unref (d->key);
  g_free (d);
}

/* after "ready": the handshake, the key, the answer */
static gboolean
send_over_tls (SendData *d, GIOStream *io, GError **error)
{
  gnutls_session_t session = NULL;
  gnutls_srp_client_credentials_t creds = NULL;
  gsize len = 0, got = 0;
  const guint8 *data = g_bytes_get_data (d->key, &len);
  guint8 head[2] = { (guint8) (len >> 8), (guint8) (len & 0xff) };
  g_autofree gchar *answer = NULL;
  gboolean ok = FALSE;
  int r;

  if (!tls_session_new (&session, GNUTLS_CLIENT, io, error))
    return FALSE;
  if (gnutls_srp_allocate_client_credentials (&creds) != 0
      || gnutls_srp_set_client_credentials (creds, SRP_USER, d->code) != 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "pairing: no SRP credentials");
      gnutls_deinit (session);
      if (creds != NULL)
        gnutls_srp_free_client_credentials (creds);
      return FALSE;
    }
  gnutls_credentials_set (session, GNUTLS_CRD_SRP, creds);
  do
    r = gnutls_handshake (session);
  while (r < 0 && !gnutls_error_is_fatal (r));
  if (r < 0)
    g_set_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                 "the display did not accept the code (wrong, or expired: read the code on the "
                 "display again)");
  else if (!tls_send_all (session, head, sizeof head) || !tls_send_all (session, data, len)
           || (answer = read_line (NULL, session, REPLY_MAX, &got)) == NULL)
    g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                 "the connection to the display broke before it answered");
  else if (strcmp (answer, "OK\n") == 0)
    ok = TRUE;
  else
    {
      g_strchomp (answer);
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "the display could not keep the key: %s",
                   g_str_has_prefix (answer, "ERR ") ? answer + 4 : "no reason given");
    }
  if (r >= 0)
    gnutls_bye (session, GNUTLS_SHUT_WR);
  gnutls_deinit (session);
  gnutls_srp_free_client_credentials (creds);
  return ok;
}

static void
send_key_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SendData *d = task_data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  GcPairingGreeting greeting;
  guint seconds = 0;
  gsize len = 0;

  g_socket_client_set_timeout (client, IO_TIMEOUT_S);
  conn = g_socket_client_connect_to_host (client, d->address, d->port, cancellable, &error);
  if (conn == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        g_task_return_new_error (task, GC_ERROR, GC_ERROR_UNREACHABLE,
                                 "%s is not pairing: it shows a code while it has no site key, "
                                 "or after Receiver1.StartPairing", d->address);
      else
        g_task_return_new_error (task, GC_ERROR, GC_ERROR_UNREACHABLE,
                                 "cannot reach the pairing port of %s: %s", d->address,
                                 error->message);
      return;
    }
  line = read_line (g_io_stream_get_input_stream (G_IO_STREAM (conn)), NULL, GREETING_MAX, &len);
  if (line == NULL)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_UNREACHABLE,
                               "%s stopped pairing (its code expired, or it was paired)",
                               d->address);
      return;
    }
  if (!gc_pairing_parse_greeting ((const guint8 *) line, len, &greeting, &seconds, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (greeting == GC_PAIRING_GREETING_LOCKED)
    g_task_return_new_error (task, GC_ERROR, GC_ERROR_REFUSED,
                             "the display refuses codes for %u s more, after wrong ones", seconds);
  else if (greeting == GC_PAIRING_GREETING_BUSY)
    g_task_return_new_error (task, GC_ERROR, GC_ERROR_REFUSED,
                             "someone else is pairing with the display right now");
  else if (!send_over_tls (d, G_IO_STREAM (conn), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
gc_pairing_send_key_async (const gchar *address, guint16 port, const gchar *code, GBytes *key,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SendData *d;

  g_task_set_source_tag (task, gc_pairing_send_key_async);
  if (address == NULL || port == 0)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_INVALID_ARGS, "no address to pair with");
      return;
    }
  if (key == NULL)
    {
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_NOT_AUTHORIZED,
                               "this agent has no site key to give");
      return;
    }
  d = g_new0 (SendData, 1);
  if (!gc_pairing_code_normalize (code, d->code))
    {
      send_data_free (d);
      g_task_return_new_error (task, GC_ERROR, GC_ERROR_INVALID_ARGS,
                               "a pairing code is %u digits, as the display shows it",
                               GC_PAIRING_CODE_DIGITS);
      return;
    }
  d->address = g_strdup (address);
  d->port = port;
  d->key = g_bytes_ref (key);
  g_task_set_task_data (task, d, (GDestroyNotify) send_data_free);
  g_task_run_in_thread (task, send_key_thread);
}

gboolean
gc_pairing_send_key_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
