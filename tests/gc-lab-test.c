/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the lab is real: the bridge snoops IGMP, forwards a group only to the
 * ports that joined it, and drops what the loss rule says to drop.
 */
#include "config.h"

#include "gc-lab.h"

#define GROUP "239.0.0.11"


static GSubprocess *
start_join (GcLab *lab, guint host, const gchar *seconds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) l =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  GSubprocess *p = gc_lab_spawn (lab, host, l, &error, GC_MCAST_PROBE, "join",
                                 GROUP, "15550", seconds, NULL);
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree gchar *line = NULL;

  g_assert_no_error (error);
  /* wait for "joined" but keep the pipe for the count */
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "joined");
  return p;
}

static guint
finish_join (GSubprocess *p)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *out = NULL;

  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (p));
  return (guint) g_ascii_strtoull (out, NULL, 10);
}

static gboolean
member_listed (gpointer lab)
{
  return gc_lab_mdb_has (lab, GROUP, 2);
}

static void
test_lab_snooping (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) member = NULL;
  g_autofree gchar *out = NULL;
  g_autoptr (GArray) hosts = NULL;
  guint got_member, got_other;

  if (lab == NULL)
    return;

  /* host 2 joins the group; host 3 listens on the port without joining */
  member = start_join (lab, 2, "3");
  g_assert_true (gc_test_wait_until (member_listed, lab, 3000));
  hosts = gc_lab_mdb_hosts (lab, GROUP);
  g_assert_cmpuint (hosts->len, ==, 1);
  g_assert_cmpuint (g_array_index (hosts, guint, 0), ==, 2);

  out = gc_lab_run (lab, 1, &error, GC_MCAST_PROBE, "send", GROUP, "15550", "100", NULL);
  g_assert_no_error (error);

  got_member = finish_join (member);
  g_assert_cmpuint (got_member, ==, 100);

  /* a host that never joined gets none of the group's packets */
  {
    g_autoptr (GSubprocessLauncher) l =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    guint64 before = gc_lab_rx_bytes (lab, 3);
    guint64 member_before = gc_lab_rx_bytes (lab, 2);
    g_autofree gchar *o2 = NULL;

    g_clear_object (&member);
    member = start_join (lab, 2, "2");
    o2 = gc_lab_run (lab, 1, &error, GC_MCAST_PROBE, "send", GROUP, "15550", "100", NULL);
    g_assert_no_error (error);
    got_member = finish_join (member);
    g_clear_object (&member);
    g_assert_cmpuint (got_member, ==, 100);
    /* the member's port carried the 100 datagrams; the other port none of
     * them (it may see a few small IGMP queries: far below 100 datagrams) */
    g_assert_cmpuint (gc_lab_rx_bytes (lab, 2) - member_before, >=, 100 * 40);
    got_other = (guint) (gc_lab_rx_bytes (lab, 3) - before);
    g_assert_cmpuint (got_other, <, 100 * 40 / 4);
  }
}

static gboolean
no_member (gpointer lab)
{
  return !gc_lab_mdb_has (lab, GROUP, 2);
}

static void
test_lab_leave (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GSubprocess) member = NULL;

  if (lab == NULL)
    return;
  member = start_join (lab, 2, "1");
  g_assert_true (gc_test_wait_until (member_listed, lab, 3000));
  finish_join (member);
  /* the socket closed: the kernel sends a leave, the querier confirms */
  g_assert_true (gc_test_wait_until (no_member, lab, 3000));
}

static void
test_lab_loss (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) member = NULL;
  g_autofree gchar *out = NULL;
  guint got;

  if (lab == NULL)
    return;
  gc_lab_set_loss (lab, 2, 30, &error);
  g_assert_no_error (error);
  member = start_join (lab, 2, "4");
  g_assert_true (gc_test_wait_until (member_listed, lab, 3000));
  out = gc_lab_run (lab, 1, &error, GC_MCAST_PROBE, "send", GROUP, "15550", "200", NULL);
  g_assert_no_error (error);
  got = finish_join (member);
  /* 30 % loss of 200: expect ~140, far from both 0 and 200 */
  g_assert_cmpuint (got, >, 90);
  g_assert_cmpuint (got, <, 185);
}

static void
test_lab_bad_name (void)
{
  g_autofree gchar *reason = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;
  const gchar *argv[] = { GC_LAB_SCRIPT, "up", "BAD NAME!", "2", NULL };

  /* the script refuses bad input before touching anything (no root needed) */
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "bad lab name"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/lab/bad-name", test_lab_bad_name);
  g_test_add_func ("/groupcast/lab/snooping", test_lab_snooping);
  g_test_add_func ("/groupcast/lab/leave", test_lab_leave);
  g_test_add_func ("/groupcast/lab/loss", test_lab_loss);
  return g_test_run ();
}
