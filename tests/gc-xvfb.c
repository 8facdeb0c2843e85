/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcXvfb"

#include "config.h"

#include "gc-xvfb.h"

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

struct _GcXvfb
{
  GSubprocess *process;
  gchar *display;
};

/* the X server dies with the test, even when an assertion aborts it */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GcXvfb *
gc_xvfb_start (GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GString) number = g_string_new (NULL);
  GcXvfb *xvfb;
  gint fds[2];
  gint64 end;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* the write end becomes fd 3 in Xvfb, which writes the display number
   * there once it accepts connections */
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, error, "Xvfb", "-displayfd", "3",
                                         "-nolisten", "tcp", "-screen", "0",
                                         "1280x800x24", NULL);
  g_clear_object (&launcher); /* closes our copy of the write end */
  if (process == NULL)
    {
      close (fds[0]);
      return NULL;
    }

  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      struct pollfd pfd = { fds[0], POLLIN, 0 };
      gchar c;
      gssize n;

      if (poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (fds[0], &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      g_string_append_c (number, c);
    }
  close (fds[0]);

  if (number->len == 0)
    {
      g_subprocess_force_exit (process);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Xvfb did not report a display");
      return NULL;
    }

  xvfb = g_new0 (GcXvfb, 1);
  xvfb->process = g_steal_pointer (&process);
  xvfb->display = g_strdup_printf (":%s", number->str);
  return xvfb;
}

const gchar *
gc_xvfb_get_display (GcXvfb *xvfb)
{
  return xvfb->display;
}

void
gc_xvfb_stop (GcXvfb *xvfb)
{
  if (xvfb == NULL)
    return;
  g_subprocess_force_exit (xvfb->process);
  g_subprocess_wait (xvfb->process, NULL, NULL);
  g_object_unref (xvfb->process);
  g_free (xvfb->display);
  g_free (xvfb);
}
