/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * networks set up the way real sites set them up: an interface without a
 * broadcast address, boards cloned from one image, a host with docker and
 * VPN addresses besides its LAN one. real agents in lab hosts, each on its
 * own D-Bus, read through their Peer1 objects.
 */
#include "config.h"

#include "gc-test-agent.h"

#include <glib/gstdio.h>
#include <string.h>

#define PEER_IFACE "io.github.Groupcast.Peer1"
#define AGENT_PATH "/io/github/Groupcast"

static gchar *
agent_id (GcTestAgent *a)
{
  return gc_test_agent_get_string (a, AGENT_PATH, GC_AGENT_IFACE, "Id");
}

static gchar *
peer_path (const gchar *id)
{
  gchar *path = g_strdup_printf (AGENT_PATH "/peer/%s", id);

  for (gchar *p = path; *p != '\0'; p++)
    if (*p == '-')
      *p = '_';
  return path;
}

/* the peer's property as @a sees it, NULL when @a does not list the peer */
static gchar *
peer_string (GcTestAgent *a, const gchar *id, const gchar *prop)
{
  g_autofree gchar *path = peer_path (id);

  return gc_test_agent_get_string (a, path, PEER_IFACE, prop);
}

typedef struct
{
  GcTestAgent *a;
  const gchar *id;
  const gchar *address; /* NULL: any */
} PeerWait;

static gboolean
peer_listed (gpointer data)
{
  PeerWait *w = data;
  g_autofree gchar *address = peer_string (w->a, w->id, "Address");

  return address != NULL && (w->address == NULL || g_str_equal (address, w->address));
}

/* @a lists @id (at @address, when given) within @timeout_ms; the time it
 * took goes in the test log */
static gboolean
wait_peer (GcTestAgent *a, const gchar *id, const gchar *address, guint timeout_ms)
{
  PeerWait w = { a, id, address };
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = gc_test_wait_until (peer_listed, &w, timeout_ms);

  g_test_message ("host %u %s %s%s%s after %.0f ms", a->host, ok ? "lists" : "does not list",
                  id, address ? " at " : "", address ? address : "",
                  (g_get_monotonic_time () - t0) / 1000.0);
  return ok;
}

static GcTestAgent *
start_receiver (GcLab *lab, guint host, const gchar *extra)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a = gc_test_agent_start (lab, host, &error, "--receiver", "--sink=fake",
                                        "--beacon-interval=500", extra, NULL);

  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  return a;
}

static gboolean
log_has (GcTestAgent *a, const gchar *text)
{
  g_autofree gchar *log = gc_test_agent_get_log (a);

  return strstr (log, text) != NULL;
}

/* ---- an interface without a broadcast address ---------------------------- */

/* a board whose address a script set with "ip addr add A/24 dev eth0": the
 * kernel reports 0.0.0.0 as its broadcast address. beacons only (no mDNS
 * to hide the fault): each side must see the other */
static void
test_no_broadcast_address (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) a = NULL;
  g_autoptr (GcTestAgent) b = NULL;
  g_autofree gchar *id_a = NULL;
  g_autofree gchar *id_b = NULL;
  g_autofree gchar *addr = NULL;

  if (lab == NULL)
    return;
  gc_lab_remove_broadcast_address (lab, 2, &error);
  g_assert_no_error (error);
  addr = gc_lab_run (lab, 2, &error, "ip", "-4", "addr", "show", "dev", "eth0", NULL);
  g_assert_no_error (error);
  g_assert_null (strstr (addr, " brd "));

  a = start_receiver (lab, 1, "--no-mdns");
  b = start_receiver (lab, 2, "--no-mdns");
  id_a = agent_id (a);
  id_b = agent_id (b);
  g_assert_true (wait_peer (a, id_b, "10.99.0.2", 5000));
  g_assert_true (wait_peer (b, id_a, "10.99.0.1", 5000));
  /* each says where its beacons go, and why */
  g_assert_true (log_has (b, "beacons go to 10.99.0.255 port 7237 on eth0: the subnet's "
                             "directed broadcast"));
  g_assert_true (log_has (a, "beacons go to 10.99.0.255 port 7237 on eth0: the "
                             "interface's broadcast address"));
  {
    GcTestAgent *all[] = { a, b };

    gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/network/no-broadcast-address", test_no_broadcast_address);
  return g_test_run ();
}
