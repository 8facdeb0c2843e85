/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>

#include "gc-error.h"
#include "gc-pairing.h"
#include "gc-site-key.h"

/* real TCP on 127.0.0.1, ephemeral ports; GnuTLS's real TLS-SRP */

#define KEY "5f1c0e0a9b7d4c2e8a6b3f1d0c9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f"

/* ---- pure parts ----------------------------------------------------------- */

static void
test_greeting (void)
{
  struct
  {
    const gchar *text;
    gboolean ok;
    GcPairingGreeting greeting;
    guint seconds;
  } cases[] = {
    { "GCPAIR/1 ready\n", TRUE, GC_PAIRING_GREETING_READY, 0 },
    { "GCPAIR/1 busy\n", TRUE, GC_PAIRING_GREETING_BUSY, 0 },
    { "GCPAIR/1 locked 42\n", TRUE, GC_PAIRING_GREETING_LOCKED, 42 },
    { "GCPAIR/1 locked 0\n", FALSE },
    { "GCPAIR/1 locked 99999\n", FALSE },
    { "GCPAIR/1 locked -1\n", FALSE },
    { "GCPAIR/1 ready", FALSE },          /* no end of line */
    { "GCPAIR/1 ready\nmore\n", FALSE },  /* two lines */
    { "GCPAIR/2 ready\n", FALSE },
    { "SSH-2.0-OpenSSH\n", FALSE },
    { "\n", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      GcPairingGreeting g = 99;
      guint s = 7;
      gboolean ok = gc_pairing_parse_greeting ((const guint8 *) cases[i].text,
                                               strlen (cases[i].text), &g, &s, &error);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpint (g, ==, cases[i].greeting);
          g_assert_cmpuint (s, ==, cases[i].seconds);
        }
      else
        g_assert_error (error, GC_ERROR, GC_ERROR_FAILED);
    }
  /* a NUL inside, and nothing at all */
  {
    g_autoptr (GError) error = NULL;
    GcPairingGreeting g;
    guint s;

    g_assert_false (gc_pairing_parse_greeting ((const guint8 *) "GCPAIR/1 re\0dy\n", 15, &g, &s,
                                               &error));
    g_clear_error (&error);
    g_assert_false (gc_pairing_parse_greeting (NULL, 0, &g, &s, &error));
  }
}

static void
test_code (void)
{
  gchar out[GC_PAIRING_CODE_DIGITS + 1];

  g_assert_true (gc_pairing_code_normalize ("123456", out));
  g_assert_cmpstr (out, ==, "123456");
  g_assert_true (gc_pairing_code_normalize ("123 456", out));
  g_assert_cmpstr (out, ==, "123456");
  g_assert_true (gc_pairing_code_normalize ("123-456", out));
  g_assert_cmpstr (out, ==, "123456");
  g_assert_false (gc_pairing_code_normalize ("12345", out));
  g_assert_false (gc_pairing_code_normalize ("1234567", out));
  g_assert_false (gc_pairing_code_normalize ("12345a", out));
  g_assert_false (gc_pairing_code_normalize ("", out));
  g_assert_false (gc_pairing_code_normalize (NULL, out));
  g_assert_false (gc_pairing_code_normalize ("١٢٣٤٥٦", out)); /* digits, but not ASCII */
}

/* ---- a relay between sender and receiver that keeps every byte ----------- */

typedef struct
{
  GSocket *listener;
  guint16 port;
  guint16 upstream;
  GThread *thread;
  GMutex lock;
  GByteArray *wire;
} Relay;

static gpointer
relay_run (gpointer data)
{
  Relay *r = data;
  g_autoptr (GSocket) a = g_socket_accept (r->listener, NULL, NULL);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) up = NULL;
  GSocket *b;
  guint8 buf[4096];

  if (a == NULL)
    return NULL;
  up = g_socket_client_connect_to_host (client, "127.0.0.1", r->upstream, NULL, NULL);
  if (up == NULL)
    return NULL;
  b = g_socket_connection_get_socket (up);
  /* bounded: 200 polls of 100 ms at most */
  for (guint round = 0; round < 200; round++)
    {
      struct pollfd fds[2] = { { g_socket_get_fd (a), POLLIN, 0 },
                               { g_socket_get_fd (b), POLLIN, 0 } };
      gboolean closed = FALSE;

      if (poll (fds, 2, 100) < 0)
        break;
      for (guint i = 0; i < 2; i++)
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
          {
            gssize n = g_socket_receive (i == 0 ? a : b, (gchar *) buf, sizeof buf, NULL, NULL);

            if (n <= 0)
              {
                closed = TRUE;
                continue;
              }
            g_mutex_lock (&r->lock);
            g_byte_array_append (r->wire, buf, (guint) n);
            g_mutex_unlock (&r->lock);
            g_socket_send (i == 0 ? b : a, (const gchar *) buf, (gsize) n, NULL, NULL);
          }
      if (closed)
        break;
    }
  g_socket_close (a, NULL);
  return NULL;
}

static Relay *
relay_new (guint16 upstream)
{
  Relay *r = g_new0 (Relay, 1);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  r->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                              &error);
  g_assert_no_error (error);
  g_socket_set_blocking (r->listener, TRUE);
  g_assert_true (g_socket_bind (r->listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (r->listener, &error));
  bound = g_socket_get_local_address (r->listener, &error);
  r->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  r->upstream = upstream;
  r->wire = g_byte_array_new ();
  g_mutex_init (&r->lock);
  r->thread = g_thread_new ("relay", relay_run, r);
  return r;
}

static void
relay_free (Relay *r)
{
  g_socket_close (r->listener, NULL);
  g_thread_join (r->thread);
  g_object_unref (r->listener);
  g_byte_array_unref (r->wire);
  g_mutex_clear (&r->lock);
  g_free (r);
}

static gboolean
wire_has (Relay *r, const void *needle, gsize len)
{
  gboolean found = FALSE;

  g_mutex_lock (&r->lock);
  for (guint i = 0; !found && i + len <= r->wire->len; i++)
    found = memcmp (r->wire->data + i, needle, len) == 0;
  g_mutex_unlock (&r->lock);
  return found;
}

/* ---- the exchange --------------------------------------------------------- */

typedef struct
{
  gchar *dir;
  gchar *key_path;
  GcPairingServer *server;
  GBytes *key;
  GBytes *paired_key;
  guint changed;
} Fixture;

static void
on_paired (GcPairingServer *server, GBytes *key, Fixture *f)
{
  g_clear_pointer (&f->paired_key, g_bytes_unref);
  f->paired_key = g_bytes_ref (key);
}

static void
on_changed (GcPairingServer *server, Fixture *f)
{
  f->changed++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("gc-pairing-XXXXXX", &error);
  g_assert_no_error (error);
  f->key_path = g_build_filename (f->dir, "site-key", NULL);
  f->server = gc_pairing_server_new ("127.0.0.1", 0, f->key_path);
  f->key = g_bytes_new_static (KEY, strlen (KEY));
  g_signal_connect (f->server, "paired", G_CALLBACK (on_paired), f);
  g_signal_connect (f->server, "changed", G_CALLBACK (on_changed), f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gc_pairing_server_stop (f->server);
  g_clear_object (&f->server);
  g_unlink (f->key_path);
  g_rmdir (f->dir);
  g_free (f->key_path);
  g_free (f->dir);
  g_bytes_unref (f->key);
  g_clear_pointer (&f->paired_key, g_bytes_unref);
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;

  if (!gc_pairing_send_key_finish (result, error) && *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "ok"); /* done, no error */
}

/* sends @key with @code to @port; NULL when it was accepted */
static GError *
send_key (guint16 port, const gchar *code, GBytes *key)
{
  GError *error = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  gc_pairing_send_key_async ("127.0.0.1", port, code, key, NULL, on_sent, &error);
  while (error == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_clear_error (&error);
  return error;
}

/* the main loop runs for @ms: the server's signals come through it */
static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

static gchar *
wrong_code (const gchar *code)
{
  gchar *w = g_strdup (code);

  w[0] = w[0] == '9' ? '0' : w[0] + 1;
  return w;
}

static void
test_right_code (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *code = NULL;
  g_autofree gchar *stored = NULL;
  g_autofree gchar *spaced = NULL;
  gsize len = 0;
  struct stat st;
  Relay *relay;

  g_assert_true (gc_pairing_server_start (f->server, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (gc_pairing_server_is_active (f->server));
  code = gc_pairing_server_dup_code (f->server);
  g_assert_nonnull (code);
  g_assert_cmpuint (strlen (code), ==, GC_PAIRING_CODE_DIGITS);
  /* typed as the screen shows it, through a relay that keeps the bytes */
  spaced = g_strdup_printf ("%.3s %s", code, code + 3);
  relay = relay_new (gc_pairing_server_get_port (f->server));
  error = send_key (relay->port, spaced, f->key);
  g_assert_no_error (error);
  spin (100);
  /* the receiver has the key, and kept it 0600 */
  g_assert_nonnull (f->paired_key);
  g_assert_true (g_bytes_equal (f->paired_key, f->key));
  g_assert_true (g_file_get_contents (f->key_path, &stored, &len, NULL));
  g_assert_cmpstr (stored, ==, KEY "\n");
  g_assert_cmpint (g_stat (f->key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autoptr (GBytes) loaded = gc_site_key_load_file (f->key_path, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (loaded, f->key));
  }
  /* on the wire: the greeting in plain text; neither the key nor the code */
  g_assert_true (wire_has (relay, "GCPAIR/1 ready\n", 15));
  g_assert_false (wire_has (relay, KEY, strlen (KEY)));
  g_assert_false (wire_has (relay, KEY + 16, 16));
  g_assert_false (wire_has (relay, code, strlen (code)));
  relay_free (relay);
  /* pairing is over: no code, nothing listens */
  g_assert_false (gc_pairing_server_is_active (f->server));
  g_assert_null (gc_pairing_server_dup_code (f->server));
  g_assert_cmpuint (gc_pairing_server_get_port (f->server), ==, 0);
}

static void
test_wrong_code_locks (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *code = NULL;
  g_autofree gchar *wrong = NULL;
  guint16 port;

  gc_pairing_server_set_limits (f->server, 120, 3, 2);
  g_assert_true (gc_pairing_server_start (f->server, FALSE, &error));
  code = gc_pairing_server_dup_code (f->server);
  wrong = wrong_code (code);
  port = gc_pairing_server_get_port (f->server);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GError) e = send_key (port, wrong, f->key);

      g_assert_error (e, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
      g_assert_nonnull (strstr (e->message, "code"));
    }
  spin (50);
  /* locked: even the right code is refused, and in words */
  g_assert_cmpuint (gc_pairing_server_get_locked_s (f->server), >, 0);
  error = send_key (port, code, f->key);
  g_assert_error (error, GC_ERROR, GC_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "wrong"));
  g_clear_error (&error);
  g_assert_null (f->paired_key);
  g_assert_false (g_file_test (f->key_path, G_FILE_TEST_EXISTS));
  /* the lock ends; the code shown still works */
  spin (2200);
  g_assert_cmpuint (gc_pairing_server_get_locked_s (f->server), ==, 0);
  error = send_key (port, code, f->key);
  g_assert_no_error (error);
  spin (100);
  g_assert_nonnull (f->paired_key);
}

static void
test_expiry (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  guint16 port;

  /* a keyless receiver: a new code when one expires */
  gc_pairing_server_set_limits (f->server, 1, 3, 60);
  g_assert_true (gc_pairing_server_start (f->server, TRUE, &error));
  first = gc_pairing_server_dup_code (f->server);
  port = gc_pairing_server_get_port (f->server);
  for (guint i = 0; i < 100 && second == NULL; i++)
    {
      g_autofree gchar *now = (spin (50), gc_pairing_server_dup_code (f->server));

      /* one in a million: the same code again; wait for the next one then */
      if (g_strcmp0 (now, first) != 0)
        second = g_steal_pointer (&now);
    }
  g_assert_nonnull (second);
  g_assert_true (gc_pairing_server_is_active (f->server));
  g_assert_cmpuint (gc_pairing_server_get_port (f->server), ==, port);
  gc_pairing_server_stop (f->server);

  /* StartPairing: pairing ends with its code */
  g_assert_true (gc_pairing_server_start (f->server, FALSE, &error));
  g_clear_pointer (&first, g_free);
  first = gc_pairing_server_dup_code (f->server);
  port = gc_pairing_server_get_port (f->server);
  spin (1300);
  g_assert_false (gc_pairing_server_is_active (f->server));
  g_assert_null (gc_pairing_server_dup_code (f->server));
  error = send_key (port, first, f->key);
  g_assert_error (error, GC_ERROR, GC_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "not pairing"));
  g_assert_null (f->paired_key);
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) short_key = g_bytes_new_static ("abc", 3);
  g_autofree gchar *code = NULL;
  guint16 port;

  /* nothing listens yet */
  g_assert_true (gc_pairing_server_start (f->server, FALSE, &error));
  port = gc_pairing_server_get_port (f->server);
  gc_pairing_server_stop (f->server);
  error = send_key (port, "123456", f->key);
  g_assert_error (error, GC_ERROR, GC_ERROR_UNREACHABLE);
  g_clear_error (&error);
  /* a code that is no code, and no key: refused before any connection */
  error = send_key (port, "12345", f->key);
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  error = send_key (port, "123456", NULL);
  g_assert_error (error, GC_ERROR, GC_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);
  /* the right code with a key too short to be one: refused, nothing
   * written, still pairing */
  g_assert_true (gc_pairing_server_start (f->server, FALSE, &error));
  code = gc_pairing_server_dup_code (f->server);
  error = send_key (gc_pairing_server_get_port (f->server), code, short_key);
  g_assert_error (error, GC_ERROR, GC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "too short"));
  g_clear_error (&error);
  spin (50);
  g_assert_null (f->paired_key);
  g_assert_false (g_file_test (f->key_path, G_FILE_TEST_EXISTS));
  g_assert_true (gc_pairing_server_is_active (f->server));
  /* a port scanner's bytes: the attempt fails, the server goes on */
  {
    g_autoptr (GSocketClient) client = g_socket_client_new ();
    g_autoptr (GSocketConnection) conn =
      g_socket_client_connect_to_host (client, "127.0.0.1", gc_pairing_server_get_port (f->server),
                                       NULL, &error);
    g_assert_no_error (error);
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                               "GET / HTTP/1.0\r\n\r\n", 18, NULL, NULL, NULL);
    g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  }
  spin (300);
  error = send_key (gc_pairing_server_get_port (f->server), code, f->key);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/pairing/greeting", test_greeting);
  g_test_add_func ("/groupcast/pairing/code", test_code);
  g_test_add ("/groupcast/pairing/right-code", Fixture, NULL, fixture_setup, test_right_code,
              fixture_teardown);
  g_test_add ("/groupcast/pairing/wrong-code-locks", Fixture, NULL, fixture_setup,
              test_wrong_code_locks, fixture_teardown);
  g_test_add ("/groupcast/pairing/expiry", Fixture, NULL, fixture_setup, test_expiry,
              fixture_teardown);
  g_test_add ("/groupcast/pairing/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_teardown);
  return g_test_run ();
}
