/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * what people in the room see, across the lab: a receiver's one window
 * (under a private Xvfb) through switches and source losses, the cut from
 * one source's picture to the next read from what the display was given
 * (GC_DISPLAY_TRACE), no broken frame under loss, and Identify.
 */
#include "config.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <glib/gstdio.h>

#include "gc-test-agent.h"
#include "gc-xvfb.h"

#define KEY "groupcast-screen-test-site-key"
#define SMALL "--width=320", "--height=240", "--framerate=30", "--bitrate=400"
#define GROUP_A "239.0.2.11"
#define GROUP_B "239.0.2.12"
/* luma of the two sources' pictures, and how far a decoded one may be */
#define WHITE_Y 235
#define BLACK_Y 16
#define Y_SLACK 12

static GcXvfb *xvfb;
static gchar *xvfb_reason;

/* ---- helpers ------------------------------------------------------------- */

static gchar *
write_key (GcLab *lab, const gchar *key)
{
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (gc_lab_host_dir (lab, 1), "site.key", NULL);

  g_file_set_contents (path, key, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  return path;
}

static GcTestAgent *
start (GcLab *lab, guint host, const gchar *key, const gchar *a1, const gchar *a2,
       const gchar *a3, const gchar *a4)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *k = key != NULL ? g_strdup_printf ("--key-file=%s", key)
                                    : g_strdup ("--allow-unauthenticated");
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--no-mdns", SMALL, k, a1, a2, a3, a4,
                                        NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 15000));
  return a;
}

/* a source whose picture is one flat colour */
static GcTestAgent *
start_source (GcLab *lab, guint host, const gchar *key, const gchar *group,
              const gchar *pattern)
{
  g_autofree gchar *g = g_strdup_printf ("--group=%s", group);
  g_autofree gchar *c = g_strdup_printf ("--capture=videotestsrc pattern=%s is-live=true",
                                         pattern);
  GcTestAgent *a = start (lab, host, key, "--source", g, c, NULL);

  g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State", "ready",
                                            15000));
  return a;
}

static GVariant *
call_source (GcTestAgent *src, const gchar *method, GVariant *args, GError **error)
{
  return gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, method, args, 20000, error);
}

/* the one row of a Switch/Identify answer for one receiver */
static gboolean
row_ok (GVariant *r, gchar **message)
{
  g_autoptr (GVariant) rows = g_variant_get_child_value (r, 0);
  const gchar *id, *msg;
  gboolean ok = FALSE;
  gdouble ms;

  g_assert_cmpuint (g_variant_n_children (rows), ==, 1);
  g_variant_get_child (rows, 0, "(&sb&sd)", &id, &ok, &msg, &ms);
  if (message != NULL)
    *message = g_strdup (msg);
  return ok;
}

static void
switch_to (GcTestAgent *src, const gchar *receiver)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *msg = NULL;
  g_autoptr (GVariant) r = call_source (src, "Switch", g_variant_new ("(^as)",
                                                                       (const gchar *[]) { receiver, NULL }),
                                        &error);

  g_assert_no_error (error);
  if (!row_ok (r, &msg))
    g_test_message ("switch to %s: %s", receiver, msg);
  g_assert_true (row_ok (r, NULL));
}

/* a receiver takes requests only from hosts it has heard announce */
static void
wait_discovered (GcTestAgent *rx, guint n)
{
  g_assert_true (gc_test_agent_wait_peers (rx, n, 10000));
}

/* ---- the window, read from the X server in a thread of its own ------------ */

typedef struct
{
  gint stop;        /* atomic */
  gulong first_xid;
  guint polls;
  guint not_one;    /* polls that saw no window or more than one */
  guint changed;    /* polls that saw another window than the first */
  guint unmapped;
} Watch;

static guint
display_windows (Display *x, gulong *xid, gboolean *mapped)
{
  Window root = DefaultRootWindow (x), parent, *children = NULL;
  guint n = 0, found = 0;

  if (!XQueryTree (x, root, &root, &parent, &children, &n))
    return 0;
  for (guint i = 0; i < n; i++)
    {
      XClassHint hint = { 0 };
      XWindowAttributes a;

      if (!XGetClassHint (x, children[i], &hint))
        continue;
      if (g_strcmp0 (hint.res_name, "groupcast-display") == 0 && found++ == 0)
        {
          *xid = children[i];
          *mapped = XGetWindowAttributes (x, children[i], &a) && a.map_state == IsViewable;
        }
      XFree (hint.res_name);
      XFree (hint.res_class);
    }
  XFree (children);
  return found;
}

static gpointer
watch_thread (gpointer data)
{
  Watch *w = data;
  Display *x = XOpenDisplay (gc_xvfb_get_display (xvfb));

  g_assert_nonnull (x);
  while (!g_atomic_int_get (&w->stop))
    {
      gulong xid = 0;
      gboolean mapped = FALSE;
      guint n = display_windows (x, &xid, &mapped);

      w->polls++;
      if (n != 1)
        w->not_one++;
      else
        {
          if (w->first_xid == 0)
            w->first_xid = xid;
          w->changed += xid != w->first_xid;
          w->unmapped += !mapped;
        }
      g_usleep (20000);
    }
  XCloseDisplay (x);
  return NULL;
}

/* ---- the trace: one line per frame the display was given ------------------ */

typedef struct
{
  gint64 t;
  guint stream;
  guint y;
  gboolean corrupted;
} Shown;

static GArray *
read_trace (const gchar *path)
{
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *out = g_array_new (FALSE, TRUE, sizeof (Shown));

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return out;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      Shown s = { 0 };
      gint corrupt = 0;

      if (sscanf (lines[i], "%" G_GINT64_FORMAT " %u %u %d", &s.t, &s.stream, &s.y, &corrupt) == 4)
        {
          s.corrupted = corrupt != 0;
          g_array_append_val (out, s);
        }
    }
  return out;
}

static gboolean
near (guint y, guint want)
{
  return (gint) y > (gint) want - Y_SLACK && (gint) y < (gint) want + Y_SLACK;
}

/* every frame shown is one source's picture, whole; each stream's frames
 * are one source's; once a stream is on screen, the one before never is
 * again. returns the number of cuts. */
static guint
check_trace (GArray *shown)
{
  g_autoptr (GHashTable) over = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) colour = g_hash_table_new (NULL, NULL);
  guint cuts = 0, current = 0;

  g_assert_cmpuint (shown->len, >, 0);
  for (guint i = 0; i < shown->len; i++)
    {
      const Shown *s = &g_array_index (shown, Shown, i);
      gpointer c;

      g_assert_false (s->corrupted);
      if (!near (s->y, WHITE_Y) && !near (s->y, BLACK_Y))
        g_test_message ("frame %u of stream %u: luma %u, neither picture", i, s->stream, s->y);
      g_assert_true (near (s->y, WHITE_Y) || near (s->y, BLACK_Y));
      c = g_hash_table_lookup (colour, GUINT_TO_POINTER (s->stream));
      if (c == NULL)
        g_hash_table_insert (colour, GUINT_TO_POINTER (s->stream),
                             GUINT_TO_POINTER (near (s->y, WHITE_Y) ? 1 : 2));
      else
        g_assert_cmpuint (GPOINTER_TO_UINT (c), ==, near (s->y, WHITE_Y) ? 1 : 2);
      if (s->stream != current)
        {
          /* a stream that was cut away from never comes back */
          g_assert_false (g_hash_table_contains (over, GUINT_TO_POINTER (s->stream)));
          if (current != 0)
            g_hash_table_add (over, GUINT_TO_POINTER (current));
          current = s->stream;
          cuts++;
        }
    }
  return cuts;
}

static gdouble
gap_of (GcTestAgent *rx)
{
  g_autoptr (GVariant) v = gc_test_agent_get (rx, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                              "SwitchGapMs");

  return v != NULL ? g_variant_get_double (v) : -1;
}

static gboolean
gap_known (gpointer data)
{
  return gap_of (data) >= 0;
}

/* ---- tests ---------------------------------------------------------------- */

#define N_SWITCHES 10
#define N_LOSSES 2

static void
test_one_window (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *trace = NULL;
  g_autofree gchar *rx_addr = NULL;
  g_autoptr (GArray) shown = NULL;
  GcTestAgent *all[3] = { NULL };
  GThread *thread;
  Watch w = { 0 };
  guint cuts;

  if (xvfb == NULL)
    {
      g_test_skip (xvfb_reason);
      return;
    }
  lab = gc_lab_new_or_skip (3);
  if (lab == NULL)
    return;
  key = write_key (lab, KEY);
  all[0] = start_source (lab, 1, key, GROUP_A, "white");
  all[1] = start_source (lab, 2, key, GROUP_B, "black");
  trace = g_build_filename (gc_lab_host_dir (lab, 3), "display.trace", NULL);
  g_setenv ("GC_DISPLAY_TRACE", trace, TRUE);
  g_setenv ("DISPLAY", gc_xvfb_get_display (xvfb), TRUE);
  all[2] = start (lab, 3, key, "--receiver", "--sink=x11", NULL, NULL);
  g_unsetenv ("GC_DISPLAY_TRACE");
  rx_addr = gc_lab_host_address (lab, 3);
  wait_discovered (all[2], 2);
  thread = g_thread_new ("watch", watch_thread, &w);

  for (guint i = 0; i < N_SWITCHES; i++)
    {
      gdouble gap;

      switch_to (all[i % 2], rx_addr);
      g_assert_true (gc_test_agent_wait_playing (all[2], 2000));
      /* a switch from a picture: the gap is known (with the next counters,
       * at most half a second later), and short */
      if (i > 0)
        g_assert_true (gc_test_wait_until (gap_known, all[2], 1500));
      gap = gap_of (all[2]);
      g_test_message ("switch %u: gap %.1f ms", i, gap);
      if (i > 0)
        g_assert_cmpfloat (gap, <, 1000);
    }
  /* the source on screen dies and comes back, twice: the window stays */
  for (guint i = 0; i < N_LOSSES; i++)
    {
      g_autoptr (GError) error = NULL;
      GcTestAgent *src = all[(N_SWITCHES - 1) % 2];

      gc_test_agent_kill (src);
      g_assert_true (gc_test_agent_wait_string (all[2], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                "State", "no-signal", 5000));
      g_assert_true (gc_test_agent_restart (src, &error));
      g_assert_no_error (error);
      g_assert_true (gc_test_agent_wait_playing (all[2], 15000));
    }
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (thread);
  g_test_message ("%u polls of the window: %u not one, %u another, %u unmapped", w.polls,
                  w.not_one, w.changed, w.unmapped);
  /* the X server is busy drawing the picture: a poll takes a while */
  g_assert_cmpuint (w.polls, >, 20);
  g_assert_cmpuint (w.not_one, ==, 0);
  g_assert_cmpuint (w.changed, ==, 0);
  g_assert_cmpuint (w.unmapped, ==, 0);

  /* what the display was given: whole pictures, and clean cuts */
  shown = read_trace (trace);
  cuts = check_trace (shown);
  g_test_message ("%u frames shown, %u streams in turn", shown->len, cuts);
  g_assert_cmpuint (cuts, >=, N_SWITCHES + N_LOSSES);
  gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gc_test_agent_free (all[i]);
}

static gboolean
lost_some (gpointer data)
{
  return gc_test_agent_get_u64 (data, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsLost") > 0;
}

/* 2 % of the receiver's packets lost: what reaches its screen is never a
 * broken frame, the picture goes on, and the source hears its requests for
 * a key frame */
static void
test_loss (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *trace = NULL;
  g_autofree gchar *log = NULL;
  g_autoptr (GArray) shown = NULL;
  g_autofree gchar *url = NULL;
  GcTestAgent *all[2] = { NULL };
  guint64 lost = 0;

  if (lab == NULL)
    return;
  all[0] = start_source (lab, 1, NULL, GROUP_A, "ball");
  trace = g_build_filename (gc_lab_host_dir (lab, 2), "display.trace", NULL);
  g_setenv ("GC_DISPLAY_TRACE", trace, TRUE);
  url = gc_test_agent_get_string (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Url");
  all[1] = start (lab, 2, NULL, "--receiver", "--sink=fake", NULL, NULL);
  g_unsetenv ("GC_DISPLAY_TRACE");
  gc_test_agent_call (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                      g_variant_new ("(s)", url), 5000, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (all[1], 5000));
  g_assert_true (gc_lab_set_loss (lab, 2, 2, &error));
  g_assert_no_error (error);
  gc_test_sleep (8000);
  /* this small stream is some 30 packets a second: 2 % of 8 s is a few
   * packets, and now and then none. the loss stays until the receiver has
   * counted one (at most 20 s more), so what follows is tested under loss */
  g_assert_true (gc_test_wait_until (lost_some, all[1], 20000));
  g_assert_true (gc_lab_set_loss (lab, 2, 0, &error));
  lost = gc_test_agent_get_u64 (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsLost");
  shown = read_trace (trace);
  g_test_message ("%u frames shown in 9 s or more, %" G_GUINT64_FORMAT " packets lost",
                  shown->len, lost);
  g_assert_cmpuint (lost, >, 0);
  for (guint i = 0; i < shown->len; i++)
    g_assert_false (g_array_index (shown, Shown, i).corrupted);
  /* the picture went on: most seconds have frames */
  g_assert_cmpuint (shown->len, >, 90);
  log = gc_test_agent_get_log (all[0]);
  g_assert_nonnull (strstr (log, "key frame for a receiver"));
  gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gc_test_agent_free (all[i]);
}

/* a blue band across the middle of the screen: the name, very large */
static gboolean
identify_shown (gpointer data)
{
  Display *x = XOpenDisplay (gc_xvfb_get_display (xvfb));
  XImage *img = XGetImage (x, DefaultRootWindow (x), 40, 400, 1, 1, AllPlanes, ZPixmap);
  gulong p = img != NULL ? XGetPixel (img, 0, 0) : 0;
  gboolean blue = (p & 0xff) > 150 && ((p >> 16) & 0xff) < 100;

  if (img != NULL)
    XDestroyImage (img);
  XCloseDisplay (x);
  return GPOINTER_TO_INT (data) ? blue : !blue;
}

static void
test_identify (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *other = NULL;
  g_autofree gchar *rx_addr = NULL;
  g_autofree gchar *msg = NULL;
  GcTestAgent *all[3] = { NULL };
  gint64 t0;

  if (xvfb == NULL)
    {
      g_test_skip (xvfb_reason);
      return;
    }
  lab = gc_lab_new_or_skip (3);
  if (lab == NULL)
    return;
  key = write_key (lab, KEY);
  other = g_build_filename (gc_lab_host_dir (lab, 2), "other.key", NULL);
  g_file_set_contents (other, "not-this-site-key-at-all", -1, NULL);
  g_chmod (other, 0600);
  all[0] = start_source (lab, 1, key, GROUP_A, "white");
  all[1] = start_source (lab, 2, other, GROUP_B, "black");
  g_setenv ("DISPLAY", gc_xvfb_get_display (xvfb), TRUE);
  all[2] = start (lab, 3, key, "--receiver", "--sink=x11", NULL, NULL);
  rx_addr = gc_lab_host_address (lab, 3);
  /* the site's source; the other key's may never be listed */
  wait_discovered (all[2], 1);
  g_assert_true (gc_test_wait_until (identify_shown, GINT_TO_POINTER (FALSE), 2000));

  /* the site's source: the name shows at once, and goes after its time */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GVariant) r = NULL;

    t0 = g_get_monotonic_time ();
    r = call_source (all[0], "Identify",
                     g_variant_new ("(^asu)", (const gchar *[]) { rx_addr, NULL }, 2), &error);
    g_assert_no_error (error);
    g_assert_true (row_ok (r, NULL));
    g_assert_true (gc_test_wait_until (identify_shown, GINT_TO_POINTER (TRUE), 1000));
    g_test_message ("identify on screen %.0f ms after the call",
                    (g_get_monotonic_time () - t0) / 1000.0);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 200 * 1000 + 200 * 1000);
    g_assert_true (gc_test_wait_until (identify_shown, GINT_TO_POINTER (FALSE), 4000));
  }
  /* a host with another key: it lists the receiver as not paired and
   * refuses to ask it (the receiver's own refusal of such requests is in
   * the hostile suite), and nothing shows */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GVariant) r = call_source (all[1], "Identify",
                                          g_variant_new ("(^asu)",
                                                         (const gchar *[]) { rx_addr, NULL }, 2),
                                          &error);

    g_assert_null (r);
    g_assert_nonnull (error);
    g_test_message ("identify with another key: %s", error->message);
    g_assert_nonnull (strstr (error->message, "NotAuthorized"));
    g_assert_nonnull (strstr (error->message, "not paired with this site"));
    gc_test_sleep (300);
    g_assert_true (identify_shown (GINT_TO_POINTER (FALSE)));
  }
  /* the receiver's own D-Bus call, as a script on the board would */
  {
    g_autoptr (GError) error = NULL;

    g_autoptr (GVariant) r = gc_test_agent_call (all[2], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                 "Identify", g_variant_new ("(u)", 1), 2000,
                                                 &error);
    g_assert_no_error (error);
    g_assert_true (gc_test_wait_until (identify_shown, GINT_TO_POINTER (TRUE), 1000));
    g_assert_true (gc_test_wait_until (identify_shown, GINT_TO_POINTER (FALSE), 3000));
  }
  gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gc_test_agent_free (all[i]);
}

/* a board without a desktop shows on DRM/KMS, where the machine has it */
static void
test_kms (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autoptr (GError) error = NULL;
  GcTestAgent *rx;
  g_autofree gchar *display = NULL;

  if (!g_file_test ("/dev/dri/card0", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no DRM device (/dev/dri/card0) on this machine, and no vkms module to load");
      return;
    }
  lab = gc_lab_new_or_skip (1);
  if (lab == NULL)
    return;
  rx = gc_test_agent_start (lab, 1, &error, "--no-mdns", "--receiver", "--sink=kms",
                            "--allow-unauthenticated", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (rx, 15000));
  display = gc_test_agent_get_string (rx, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Display");
  g_assert_true (g_str_has_prefix (display, "kmssink"));
  gc_test_agent_free (rx);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  xvfb = gc_xvfb_start (&error);
  if (xvfb == NULL)
    xvfb_reason = g_strdup_printf ("no X server for the screen tests: %s", error->message);
  g_test_add_func ("/groupcast/screen/one-window", test_one_window);
  g_test_add_func ("/groupcast/screen/loss", test_loss);
  g_test_add_func ("/groupcast/screen/identify", test_identify);
  g_test_add_func ("/groupcast/screen/kms", test_kms);
  ret = g_test_run ();
  g_clear_pointer (&xvfb, gc_xvfb_stop);
  g_free (xvfb_reason);
  return ret;
}
