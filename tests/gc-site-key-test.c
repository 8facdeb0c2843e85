/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc-error.h"
#include "gc-site-key.h"

#define SECRET "correct-horse-battery-staple"

typedef struct
{
  gchar *dir;
  gchar *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("gc-site-key-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "site.key", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
write_key (Fixture *f, const gchar *content, gsize len, int mode)
{
  g_autoptr (GError) error = NULL;

  g_unlink (f->path);
  g_file_set_contents_full (f->path, content, len,
                            G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
  /* the umask may have taken bits away: set exactly what the test wants */
  g_assert_cmpint (g_chmod (f->path, mode), ==, 0);
}

static void
assert_key (GBytes *key, const gchar *expected)
{
  gsize len;
  const gchar *data = g_bytes_get_data (key, &len);

  g_assert_cmpmem (data, len, expected, strlen (expected));
}

static void
test_loose_mode (Fixture *f, gconstpointer data)
{
  const int modes[] = { 0644, 0640, 0604, 0620, 0602 };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) key = NULL;
      g_autofree gchar *mode = g_strdup_printf ("%04o", modes[i]);

      write_key (f, SECRET "\n", strlen (SECRET) + 1, modes[i]);
      key = gc_site_key_load_file (f->path, &error);
      g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
      g_assert_null (key);
      g_assert_nonnull (strstr (error->message, f->path));
      g_assert_nonnull (strstr (error->message, mode));
      g_assert_null (strstr (error->message, SECRET));
    }
}

static void
test_private_mode (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;

  write_key (f, SECRET, strlen (SECRET), 0600);
  key = gc_site_key_load_file (f->path, &error);
  g_assert_no_error (error);
  assert_key (key, SECRET);

  /* owner-only read is fine too */
  g_clear_pointer (&key, g_bytes_unref);
  g_assert_cmpint (g_chmod (f->path, 0400), ==, 0);
  key = gc_site_key_load_file (f->path, &error);
  g_assert_no_error (error);
  assert_key (key, SECRET);
}

static void
test_newline (Fixture *f, gconstpointer data)
{
  const struct { const gchar *content; const gchar *key; } cases[] = {
    { SECRET "\n", SECRET },
    { SECRET "\r\n", SECRET },
    /* only one newline goes: a second one belongs to the key */
    { SECRET "\n\n", SECRET "\n" },
    { "  " SECRET " \n", "  " SECRET " " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) key = NULL;

      write_key (f, cases[i].content, strlen (cases[i].content), 0600);
      key = gc_site_key_load_file (f->path, &error);
      g_assert_no_error (error);
      assert_key (key, cases[i].key);
    }
}

static void
test_empty_short (Fixture *f, gconstpointer data)
{
  const gchar *contents[] = { "", "\n", "abcde", "sevn777\n", "\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) key = NULL;

      write_key (f, contents[i], strlen (contents[i]), 0600);
      key = gc_site_key_load_file (f->path, &error);
      g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
      g_assert_null (key);
      g_assert_nonnull (strstr (error->message, f->path));
      if (strlen (contents[i]) > 2)
        {
          g_autofree gchar *stripped = g_strndup (contents[i], 5);

          g_assert_nonnull (strstr (error->message, "too short"));
          g_assert_null (strstr (error->message, stripped));
        }
      else
        g_assert_nonnull (strstr (error->message, "empty"));
    }

  /* exactly the minimum is enough */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) key = NULL;

    write_key (f, "12345678\n", 9, 0600);
    key = gc_site_key_load_file (f->path, &error);
    g_assert_no_error (error);
    assert_key (key, "12345678");
  }
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = gc_site_key_load_file (f->path, &error);

  g_assert_error (error, GC_ERROR, GC_ERROR_NOT_FOUND);
  g_assert_null (key);
  g_assert_nonnull (strstr (error->message, f->path));
}

static void
test_too_long (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;
  g_autofree gchar *big = g_strnfill (GC_SITE_KEY_MAX_LENGTH + 1, 'k');

  write_key (f, big, strlen (big), 0600);
  key = gc_site_key_load_file (f->path, &error);
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_assert_null (key);
  g_assert_null (strstr (error->message, "kkkkkkkk"));
}

static void
test_from_string (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;

  key = gc_site_key_from_string (SECRET, &error);
  g_assert_no_error (error);
  assert_key (key, SECRET);
  g_clear_pointer (&key, g_bytes_unref);

  key = gc_site_key_from_string ("", &error);
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_assert_null (key);
  g_clear_error (&error);

  key = gc_site_key_from_string ("seven77", &error);
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_assert_null (strstr (error->message, "seven77"));
  g_assert_null (key);
}

/* a key file of another user (not root, not the agent's) is refused even
 * with a private mode: that user could have written it */
static void
test_owner (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("giving a file to another user needs root");
      return;
    }
  write_key (f, SECRET "\n", strlen (SECRET) + 1, 0600);
  g_assert_cmpint (chown (f->path, 65534, 65534), ==, 0);
  key = gc_site_key_load_file (f->path, &error);
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_assert_null (key);
  g_assert_nonnull (strstr (error->message, "uid 65534"));
  g_assert_null (strstr (error->message, SECRET));
  g_clear_error (&error);
  /* root's (or the agent's own) is fine */
  g_assert_cmpint (chown (f->path, 0, 0), ==, 0);
  key = gc_site_key_load_file (f->path, &error);
  g_assert_no_error (error);
  assert_key (key, SECRET);
}

/* a new key: 32 random bytes in hex, mode 0600, loadable, different each
 * time; an existing file (or a link planted at the path) is never touched */
static void
test_write_new (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autofree gchar *second = g_build_filename (f->dir, "second.key", NULL);
  g_autofree gchar *link = g_build_filename (f->dir, "link.key", NULL);
  g_autofree gchar *target = g_build_filename (f->dir, "target", NULL);
  const gchar *hex;
  gsize len;
  struct stat st;

  g_assert_true (gc_site_key_write_new (f->path, -1, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (st.st_uid, ==, geteuid ());
  key = gc_site_key_load_file (f->path, &error);
  g_assert_no_error (error);
  hex = g_bytes_get_data (key, &len);
  g_assert_cmpuint (len, ==, 64);
  for (gsize i = 0; i < len; i++)
    g_assert_true (g_ascii_isxdigit (hex[i]) && !g_ascii_isupper (hex[i]));

  /* a second key is another key */
  g_assert_true (gc_site_key_write_new (second, -1, -1, &error));
  g_assert_no_error (error);
  again = gc_site_key_load_file (second, &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (key, again));
  g_unlink (second);

  /* the site's key is not replaced */
  g_assert_false (gc_site_key_write_new (f->path, -1, -1, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "not replaced"));
  g_clear_error (&error);
  g_clear_pointer (&again, g_bytes_unref);
  again = gc_site_key_load_file (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (key, again));

  /* nor is a link followed to where it points */
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_false (gc_site_key_write_new (link, -1, -1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_unlink (link);

  /* a directory that is not there is made, private (~/.config/groupcast) */
  {
    g_autofree gchar *sub = g_build_filename (f->dir, "groupcast", NULL);
    g_autofree gchar *in_sub = g_build_filename (sub, "site.key", NULL);

    g_assert_true (gc_site_key_write_new (in_sub, -1, -1, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_stat (sub, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
    g_unlink (in_sub);
    g_rmdir (sub);
  }
  /* one that cannot be (a file is in the way): a clear error, no file */
  {
    g_autofree gchar *nowhere = g_build_filename (f->path, "site.key", NULL);

    g_assert_false (gc_site_key_write_new (nowhere, -1, -1, &error));
    g_assert_error (error, GC_ERROR, GC_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, nowhere));
  }
}

/* root makes the system agent's key for the service's user */
static void
test_write_new_owner (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  struct stat st;

  if (geteuid () != 0)
    {
      g_test_skip ("giving a file to another user needs root");
      return;
    }
  g_assert_true (gc_site_key_write_new (f->path, 65534, 65534, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 65534);
  g_assert_cmpuint (st.st_gid, ==, 65534);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
}

/* pairing's store: replaces the key there in one step, 0600, and refuses
 * what is no key without touching the file */
static void
test_store (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr (GBytes) other = g_bytes_new_static ("another-site-key", 16);
  g_autoptr (GBytes) tiny = g_bytes_new_static ("abc", 3);
  g_autoptr (GBytes) loaded = NULL;
  g_autofree gchar *tmp = g_strconcat (f->path, ".new", NULL);
  struct stat st;

  g_assert_true (gc_site_key_store (f->path, key, &error));
  g_assert_no_error (error);
  g_assert_true (gc_site_key_store (f->path, other, &error));
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  loaded = gc_site_key_load_file (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, other));
  g_assert_false (gc_site_key_store (f->path, tiny, &error));
  g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
  g_clear_pointer (&loaded, g_bytes_unref);
  loaded = gc_site_key_load_file (f->path, NULL);
  g_assert_true (g_bytes_equal (loaded, other));
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/groupcast/site-key/loose-mode", Fixture, NULL, fixture_setup,
              test_loose_mode, fixture_teardown);
  g_test_add ("/groupcast/site-key/private-mode", Fixture, NULL,
              fixture_setup, test_private_mode, fixture_teardown);
  g_test_add ("/groupcast/site-key/newline", Fixture, NULL, fixture_setup,
              test_newline, fixture_teardown);
  g_test_add ("/groupcast/site-key/empty-short", Fixture, NULL,
              fixture_setup, test_empty_short, fixture_teardown);
  g_test_add ("/groupcast/site-key/store", Fixture, NULL, fixture_setup, test_store,
              fixture_teardown);
  g_test_add ("/groupcast/site-key/missing", Fixture, NULL, fixture_setup,
              test_missing, fixture_teardown);
  g_test_add ("/groupcast/site-key/too-long", Fixture, NULL, fixture_setup,
              test_too_long, fixture_teardown);
  g_test_add_func ("/groupcast/site-key/from-string", test_from_string);
  g_test_add ("/groupcast/site-key/owner", Fixture, NULL, fixture_setup, test_owner,
              fixture_teardown);
  g_test_add ("/groupcast/site-key/write-new", Fixture, NULL, fixture_setup, test_write_new,
              fixture_teardown);
  g_test_add ("/groupcast/site-key/write-new-owner", Fixture, NULL, fixture_setup,
              test_write_new_owner, fixture_teardown);

  return g_test_run ();
}
