/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSiteKey"

#include "config.h"

#include "gc-site-key.h"

#include "gc-error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* the key itself never goes into an error message or a log line: errors
 * name the file, its mode and the key's length only */

static gboolean
check_length (gsize len, const gchar *what, GError **error)
{
  if (len == 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "site key %s is empty", what);
      return FALSE;
    }
  if (len < GC_SITE_KEY_MIN_LENGTH)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "site key %s is too short (%" G_GSIZE_FORMAT " bytes, "
                   "at least %u needed)", what, len, GC_SITE_KEY_MIN_LENGTH);
      return FALSE;
    }
  if (len > GC_SITE_KEY_MAX_LENGTH)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "site key %s is too long (more than %u bytes)", what,
                   GC_SITE_KEY_MAX_LENGTH);
      return FALSE;
    }
  return TRUE;
}

GBytes *
gc_site_key_load_file (const gchar *path, GError **error)
{
  struct stat st;
  g_autofree guint8 *buf = NULL;
  gsize len = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* check the mode of the file we read, not of a path that may change
   * between a stat and an open */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, GC_ERROR,
                   errsv == ENOENT ? GC_ERROR_NOT_FOUND : GC_ERROR_FAILED,
                   "cannot open site key file %s: %s", path,
                   g_strerror (errsv));
      return NULL;
    }

  if (fstat (fd, &st) != 0)
    {
      int errsv = errno;

      close (fd);
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                   "cannot stat site key file %s: %s", path,
                   g_strerror (errsv));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "site key file %s is not a regular file", path);
      return NULL;
    }
  /* someone else's file could have been written by anyone it lets in */
  if (st.st_uid != 0 && st.st_uid != geteuid ())
    {
      close (fd);
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "site key file %s belongs to uid %u: it must belong to root or to the "
                   "user the agent runs as (uid %u)", path, (guint) st.st_uid,
                   (guint) geteuid ());
      return NULL;
    }
  if ((st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0)
    {
      close (fd);
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS,
                   "site key file %s has mode %04o: it must not be readable "
                   "or writable by group or others (chmod 600 %s)",
                   path, (guint) (st.st_mode & 07777), path);
      return NULL;
    }

  /* read one byte more than allowed, to tell "too long" from "just fits";
   * two more for a trailing \r\n */
  buf = g_malloc (GC_SITE_KEY_MAX_LENGTH + 3);
  while (len < GC_SITE_KEY_MAX_LENGTH + 3)
    {
      gssize r = read (fd, buf + len, GC_SITE_KEY_MAX_LENGTH + 3 - len);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int errsv = errno;

          close (fd);
          g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                       "cannot read site key file %s: %s", path,
                       g_strerror (errsv));
          return NULL;
        }
      if (r == 0)
        break;
      len += r;
    }
  close (fd);

  /* editors add a newline at the end; it is not part of the key */
  if (len > 0 && buf[len - 1] == '\n')
    {
      len--;
      if (len > 0 && buf[len - 1] == '\r')
        len--;
    }

  {
    g_autofree gchar *what = g_strdup_printf ("in %s", path);

    if (!check_length (len, what, error))
      {
        memset (buf, 0, GC_SITE_KEY_MAX_LENGTH + 3);
        return NULL;
      }
  }

  {
    GBytes *key = g_bytes_new (buf, len);

    memset (buf, 0, GC_SITE_KEY_MAX_LENGTH + 3);
    return key;
  }
}

GBytes *
gc_site_key_from_string (const gchar *s, GError **error)
{
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = s != NULL ? strlen (s) : 0;
  if (!check_length (len, "from the configuration", error))
    return NULL;

  return g_bytes_new (s, len);
}

#define NEW_KEY_BYTES 32

static gboolean
write_all (int fd, const gchar *buf, gsize len)
{
  while (len > 0)
    {
      gssize w = write (fd, buf, len);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;
      buf += w;
      len -= w;
    }
  return TRUE;
}

/* mode 0600, the owner, the bytes, on disk; closes @fd, and removes @path
 * when anything fails */
static gboolean
fill_private_file (int fd, const gchar *path, gint owner_uid, gint owner_gid, const gchar *text,
                   gsize len, GError **error)
{
  int errsv;

  if (fchmod (fd, 0600) < 0
      || ((owner_uid >= 0 || owner_gid >= 0) && fchown (fd, owner_uid, owner_gid) < 0)
      || !write_all (fd, text, len)
      || fsync (fd) < 0)
    {
      errsv = errno;
      close (fd);
      unlink (path);
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                   "cannot write site key file %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  if (close (fd) < 0)
    {
      errsv = errno;
      unlink (path);
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                   "cannot write site key file %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

gboolean
gc_site_key_write_new (const gchar *path, gint owner_uid, gint owner_gid, GError **error)
{
  guint8 raw[NEW_KEY_BYTES];
  gchar text[NEW_KEY_BYTES * 2 + 2];
  gsize got = 0;
  int fd;
  int errsv;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  while (got < sizeof raw)
    {
      gssize r = getrandom (raw + got, sizeof raw - got, 0);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          errsv = errno;
          g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                       "cannot read the kernel's random source: %s", g_strerror (errsv));
          return FALSE;
        }
      got += r;
    }
  for (guint i = 0; i < sizeof raw; i++)
    g_snprintf (text + 2 * i, 3, "%02x", raw[i]);
  text[NEW_KEY_BYTES * 2] = '\n';
  text[NEW_KEY_BYTES * 2 + 1] = '\0';
  memset (raw, 0, sizeof raw);

  /* its directory too (~/.config/groupcast), private */
  {
    g_autofree gchar *dir = g_path_get_dirname (path);

    if (g_mkdir_with_parents (dir, 0700) < 0)
      {
        errsv = errno;
        memset (text, 0, sizeof text);
        g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot create site key file %s: %s",
                     path, g_strerror (errsv));
        return FALSE;
      }
  }
  /* O_EXCL: a site's key is never replaced by accident, and a link planted
   * at @path is not followed */
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0)
    {
      errsv = errno;
      memset (text, 0, sizeof text);
      if (errsv == EEXIST)
        g_set_error (error, GC_ERROR, GC_ERROR_REFUSED,
                     "%s exists: it is not replaced (every agent of the site has that key; "
                     "remove the file first to make a new one)", path);
      else
        g_set_error (error, GC_ERROR, GC_ERROR_FAILED,
                     "cannot create site key file %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  {
    gboolean ok = fill_private_file (fd, path, owner_uid, owner_gid, text, strlen (text), error);

    memset (text, 0, sizeof text);
    return ok;
  }
}

gboolean
gc_site_key_store (const gchar *path, GBytes *key, GError **error)
{
  g_autofree gchar *tmp = NULL;
  g_autofree gchar *text = NULL;
  gsize len = 0;
  const gchar *data;
  int fd, errsv;

  g_return_val_if_fail (path != NULL && key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = g_bytes_get_data (key, &len);
  if (!check_length (len, "to store", error))
    return FALSE;
  /* a new file beside it, renamed over it once whole: a crash leaves the
   * old key or the new one, never half of one */
  tmp = g_strconcat (path, ".new", NULL);
  unlink (tmp);
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0)
    {
      errsv = errno;
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot create site key file %s: %s", tmp,
                   g_strerror (errsv));
      return FALSE;
    }
  text = g_malloc (len + 1);
  memcpy (text, data, len);
  text[len] = '\n';
  if (!fill_private_file (fd, tmp, -1, -1, text, len + 1, error))
    {
      memset (text, 0, len + 1);
      return FALSE;
    }
  memset (text, 0, len + 1);
  if (rename (tmp, path) < 0)
    {
      errsv = errno;
      unlink (tmp);
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot replace site key file %s: %s", path,
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}
