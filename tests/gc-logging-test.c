/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the agent's log manners, read from real agents' logs in the lab: a
 * missing avahi-daemon is said once (not at every retry) and once when it
 * is back; an idle agent's counter line is not repeated each second.
 */
#include "config.h"

#include "gc-test-agent.h"

#include <string.h>

static guint
count (const gchar *text, const gchar *needle)
{
  guint n = 0;

  for (const gchar *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

static guint
log_count (GcTestAgent *a, const gchar *needle)
{
  g_autofree gchar *log = gc_test_agent_get_log (a);

  return count (log, needle);
}

typedef struct
{
  GcTestAgent *a;
  const gchar *needle;
  guint n;
} LogWait;

static gboolean
logged (gpointer data)
{
  LogWait *w = data;

  return log_count (w->a, w->needle) >= w->n;
}

#define MISSING "avahi-daemon is not available"
#define BACK "avahi-daemon is back"

/* no system bus at all (the client fails and retries every 5 s), then a
 * bus without the daemon, then the daemon, then the daemon killed */
static void
test_avahi_missing (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GSubprocess) avahi = NULL;
  g_autofree gchar *socket = NULL;
  g_autofree gchar *address = NULL;
  g_autofree gchar *bus = NULL;
  LogWait w = { 0 };

  if (lab == NULL)
    return;
  socket = g_build_filename (gc_lab_host_dir (lab, 1), "system_bus_socket", NULL);
  address = g_strdup_printf ("unix:path=%s", socket);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  a = gc_test_agent_start (lab, 1, &error, "--receiver", "--sink=fake", NULL);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));

  /* three attempts (0, 5 and 10 s): one line */
  gc_test_sleep (11000);
  g_assert_cmpuint (log_count (a, MISSING), ==, 1);

  /* a bus, still no daemon: the client waits, quietly */
  bus = gc_lab_start_system_bus (lab, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bus, ==, address);
  gc_test_sleep (6000);
  g_assert_cmpuint (log_count (a, MISSING), ==, 1);

  /* the daemon: once back */
  avahi = gc_lab_start_avahi (lab, 1, &error);
  g_assert_no_error (error);
  w.a = a;
  w.needle = BACK;
  w.n = 1;
  g_assert_true (gc_test_wait_until (logged, &w, 10000));
  gc_test_sleep (1000);
  g_assert_cmpuint (log_count (a, BACK), ==, 1);
  g_assert_cmpuint (log_count (a, MISSING), ==, 1);

  /* the daemon dies: said once more, and not again while the client waits */
  g_subprocess_force_exit (avahi);
  w.needle = MISSING;
  w.n = 2;
  g_assert_true (gc_test_wait_until (logged, &w, 5000));
  gc_test_sleep (6000);
  g_assert_cmpuint (log_count (a, MISSING), ==, 2);
  g_assert_cmpuint (log_count (a, BACK), ==, 1);
}

/* --verbose: an idle source's counters ("0 members, 0 packets") once, not
 * every second; while it streams, lines come again */
static void
test_idle_counters (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  LogWait w = { 0 };

  if (lab == NULL)
    return;
  src = gc_test_agent_start (lab, 1, &error, "--source", "--no-mdns", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 20000));
  w.a = src;
  w.needle = "source ready: 0 members, 0 packets sent";
  w.n = 1;
  g_assert_true (gc_test_wait_until (logged, &w, 5000));
  gc_test_sleep (4000);
  g_assert_cmpuint (log_count (src, "source ready: 0 members, 0 packets sent"), ==, 1);

  /* a receiver plays it: the counters change, and are logged */
  r = gc_test_agent_start (lab, 2, &error, "--receiver", "--sink=fake", "--no-mdns",
                           "--connect=rtsp://10.99.0.1:7236/screen", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (r, 20000));
  w.needle = "source streaming: 1 members";
  w.n = 3;
  g_assert_true (gc_test_wait_until (logged, &w, 6000));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/logging/avahi-missing", test_avahi_missing);
  g_test_add_func ("/groupcast/logging/idle-counters", test_idle_counters);
  return g_test_run ();
}
