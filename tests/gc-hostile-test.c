/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a hostile LAN: lab hosts that play the attacker for real against real
 * agents (forged mDNS records on a real avahi-daemon, a held control port
 * and a beacon flood, idle RTSP connections, unsigned requests from the
 * agent's own host). tests/gc-attacker.c is the attacker.
 */
#include "config.h"

#include "gc-control-auth.h"
#include "gc-control-server.h"
#include "gc-test-agent.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define PEER_IFACE "io.github.Groupcast.Peer1"
#define AGENT_PATH "/io/github/Groupcast"
#define KEY "hostile test site key"
#define WRONG_KEY "not this site's key"

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

static GVariant *
peer_prop (GcTestAgent *a, const gchar *id, const gchar *prop)
{
  g_autofree gchar *path = peer_path (id);

  return gc_test_agent_get (a, path, PEER_IFACE, prop);
}

static gchar *
peer_string (GcTestAgent *a, const gchar *id, const gchar *prop)
{
  g_autoptr (GVariant) v = peer_prop (a, id, prop);

  return v != NULL ? g_variant_dup_string (v, NULL) : NULL;
}

/* -1: not listed */
static gint
peer_verified (GcTestAgent *a, const gchar *id)
{
  g_autoptr (GVariant) v = peer_prop (a, id, "Verified");

  return v != NULL ? g_variant_get_boolean (v) : -1;
}

static gchar *
peer_seen_by (GcTestAgent *a, const gchar *id)
{
  g_autoptr (GVariant) v = peer_prop (a, id, "SeenBy");
  g_autofree const gchar **strv = NULL;

  if (v == NULL)
    return NULL;
  strv = g_variant_get_strv (v, NULL);
  return g_strjoinv (",", (gchar **) strv);
}

typedef struct
{
  GcTestAgent *a;
  const gchar *id;
  const gchar *address;
  gint verified; /* -1: either */
} PeerWait;

static gboolean
peer_is (gpointer data)
{
  PeerWait *w = data;
  g_autofree gchar *address = peer_string (w->a, w->id, "Address");

  return address != NULL && (w->address == NULL || g_str_equal (address, w->address))
         && (w->verified < 0 || peer_verified (w->a, w->id) == w->verified);
}

static gboolean
wait_peer (GcTestAgent *a, const gchar *id, const gchar *address, gint verified,
           guint timeout_ms)
{
  PeerWait w = { a, id, address, verified };

  return gc_test_wait_until (peer_is, &w, timeout_ms);
}

static gboolean
log_has (GcTestAgent *a, const gchar *text)
{
  g_autofree gchar *log = gc_test_agent_get_log (a);

  return strstr (log, text) != NULL;
}

/* Switch(@targets) on @src: the one row's ok and message (NULL and the
 * error when the call itself failed) */
static gboolean
switch_one (GcTestAgent *src, const gchar *target, gchar **message, GError **error)
{
  const gchar *targets[] = { target, NULL };
  g_autoptr (GVariant) rows = NULL;
  g_autoptr (GVariant) list = NULL;
  const gchar *msg = NULL;
  gboolean ok = FALSE;

  rows = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                             g_variant_new ("(^as)", targets), 15000, error);
  if (rows == NULL)
    return FALSE;
  list = g_variant_get_child_value (rows, 0);
  g_variant_get_child (list, 0, "(&sb&sd)", NULL, &ok, &msg, NULL);
  if (message != NULL)
    *message = g_strdup (msg);
  return ok;
}

/* an attacker program in @host, its stdout captured */
static GSubprocess *
attack (GcLab *lab, guint host, const gchar *first, ...)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GSubprocess *p;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) GC_ATTACKER);
  va_start (ap, first);
  for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  p = gc_lab_spawnv (lab, host, l, (const gchar * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

static gchar *
finish (GSubprocess *p)
{
  g_autoptr (GError) error = NULL;
  gchar *out = NULL;

  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (p));
  return out;
}

/* ---- mDNS cannot override signed facts ------------------------------------ */

static GcTestAgent *
start_with_bus (GcLab *lab, guint host, const gchar *bus, const gchar *a1, const gchar *a2,
                const gchar *a3, const gchar *a4)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a;

  /* the agent finds its host's avahi-daemon through its system bus */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  a = gc_test_agent_start (lab, host, &error, "--beacon-interval=500", a1, a2, a3, a4, NULL);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  return a;
}

static GSubprocess *
publish (GcLab *lab, guint host, const gchar *bus, const gchar *name, const gchar *id)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                                 | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *id_kv = g_strdup_printf ("id=%s", id);
  g_autofree gchar *url = g_strdup_printf ("url=rtsp://10.99.0.%u:7236/screen", host);
  GSubprocess *p;

  g_subprocess_launcher_setenv (l, "DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  p = gc_lab_spawn (lab, host, l, &error, "avahi-publish", "-s", name, "_groupcast._tcp", "7237",
                    "v=1", id_kv, "name=evil", "roles=source,receiver", url, NULL);
  g_assert_no_error (error);
  return p;
}

/* with a site key, a host publishing _groupcast._tcp under a genuine
 * receiver's id takes over nothing, and a made-up id is listed but is no
 * switch target */
static void
test_mdns_forgery (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autoptr (GPtrArray) buses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) daemons = g_ptr_array_new_with_free_func (g_object_unref);
  const gchar *bus[4] = { NULL };
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GSubprocess) forged = NULL;
  g_autoptr (GSubprocess) made_up = NULL;
  g_autofree gchar *rid = NULL;
  g_autofree gchar *fake = g_uuid_string_random ();
  g_autofree gchar *msg = NULL;
  g_autofree gchar *seen = NULL;

  if (lab == NULL)
    return;
  for (guint h = 1; h <= 3; h++)
    {
      gchar *address = gc_lab_start_system_bus (lab, h, &error);

      g_assert_no_error (error);
      g_ptr_array_add (buses, address);
      bus[h] = address;
      g_ptr_array_add (daemons, gc_lab_start_avahi (lab, h, &error));
      g_assert_no_error (error);
    }
  key = gc_test_write_site_key (lab, "site.key", KEY);
  key_arg = g_strdup_printf ("--key-file=%s", key);
  src = start_with_bus (lab, 1, bus[1], "--source", "--group=239.0.0.11", key_arg, NULL);
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 20000));
  r = start_with_bus (lab, 2, bus[2], "--receiver", "--sink=fake", key_arg, NULL);
  rid = agent_id (r);
  /* both paths, signed: beacons and the TXT record */
  g_assert_true (wait_peer (src, rid, "10.99.0.2", TRUE, 10000));

  /* host 3 publishes the receiver's id, and an id of its own */
  forged = publish (lab, 3, bus[3], "evil twin", rid);
  made_up = publish (lab, 3, bus[3], "evil fresh", fake);
  g_assert_true (wait_peer (src, fake, "10.99.0.3", FALSE, 10000));
  seen = peer_seen_by (src, fake);
  g_assert_cmpstr (seen, ==, "mdns");
  /* the forged record reached the source (the made-up one did), and moved
   * nothing: three seconds of looking */
  for (guint i = 0; i < 30; i++)
    {
      g_autofree gchar *address = peer_string (src, rid, "Address");
      g_autofree gchar *name = peer_string (src, rid, "Name");
      g_autofree gchar *url = peer_string (src, rid, "Url");

      g_assert_cmpstr (address, ==, "10.99.0.2");
      g_assert_cmpstr (name, ==, "host2");
      g_assert_cmpstr (url, ==, "");
      g_assert_cmpint (peer_verified (src, rid), ==, TRUE);
      gc_test_sleep (100);
    }
  /* the made-up peer is no target; the genuine one is switched for real */
  g_assert_false (switch_one (src, fake, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (g_dbus_error_is_remote_error (error));
  {
    g_autofree gchar *remote = g_dbus_error_get_remote_error (error);

    g_assert_cmpstr (remote, ==, "io.github.Groupcast.Error.NotAuthorized");
  }
  g_test_message ("switch to the made-up peer: %s", error->message);
  g_clear_error (&error);
  g_assert_true (switch_one (src, rid, &msg, &error));
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (r, 5000));

  /* the source stops hearing beacons: only the signed record remains, and
   * still the forged one changes nothing */
  gc_lab_block_broadcast (lab, 1, &error);
  g_assert_no_error (error);
  gc_test_sleep (2500);
  g_free (seen);
  seen = peer_seen_by (src, rid);
  g_assert_cmpstr (seen, ==, "mdns");
  g_assert_true (wait_peer (src, rid, "10.99.0.2", TRUE, 1000));
  g_clear_pointer (&msg, g_free);
  g_assert_true (switch_one (src, rid, &msg, &error));
  g_assert_no_error (error);
  {
    GcTestAgent *all[] = { src, r };

    gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  }
  g_subprocess_force_exit (forged);
  g_subprocess_force_exit (made_up);
}

/* ---- a held control port and a beacon flood ------------------------------- */

/* one host holds the receiver's control port (as many connections as it
 * can, reopened as they close) and floods beacons: the genuine switch
 * still goes through, and the source never loses the receiver */
static void
test_control_hold_beacon_flood (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GSubprocess) hold = NULL;
  g_autoptr (GSubprocess) flood = NULL;
  g_autofree gchar *rid = NULL;
  g_autofree gchar *msg = NULL;
  g_autofree gchar *held = NULL;
  g_autofree gchar *sent = NULL;
  guint opened = 0, closed = 0, still = 0;
  guint fds_before, fds_after, most_fds = 0;
  gint64 t0;

  if (lab == NULL)
    return;
  key = gc_test_write_site_key (lab, "site.key", KEY);
  key_arg = g_strdup_printf ("--key-file=%s", key);
  src = gc_test_agent_start (lab, 1, &error, "--source", "--group=239.0.0.11", "--no-mdns",
                             "--beacon-interval=500", key_arg, NULL);
  g_assert_no_error (error);
  r = gc_test_agent_start (lab, 2, &error, "--receiver", "--sink=fake", "--no-mdns",
                           "--beacon-interval=500", key_arg, NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (src, 10000) && gc_test_agent_wait_ready (r, 10000));
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 20000));
  rid = agent_id (r);
  g_assert_true (wait_peer (src, rid, "10.99.0.2", TRUE, 5000));
  fds_before = gc_test_fd_count (gc_test_agent_pid (r));

  /* 10 s of attack from host 3: 500 connections held, 5,000 beacons a second */
  hold = attack (lab, 3, "hold", "10.99.0.2", "7237", "500", "10", NULL);
  flood = attack (lab, 3, "beacons", "10.99.0.255", "5000", "10", NULL);
  gc_test_sleep (2000);
  t0 = g_get_monotonic_time ();
  g_assert_true (switch_one (src, rid, &msg, &error));
  g_assert_no_error (error);
  g_test_message ("switch during the attack: %s after %.0f ms", msg,
                  (g_get_monotonic_time () - t0) / 1000.0);
  /* the receiver stays listed at the source through the flood, and holds
   * no more than its share of the attacker's connections. counted from
   * half a second after the switch: rtspsrc's sockets of the connect
   * (the unicast ports it offers, then frees) are gone by then */
  gc_test_sleep (500);
  for (guint i = 0; i < 32; i++)
    {
      g_assert_true (wait_peer (src, rid, "10.99.0.2", TRUE, 100));
      most_fds = MAX (most_fds, gc_test_fd_count (gc_test_agent_pid (r)));
      gc_test_sleep (100);
    }
  held = finish (hold);
  sent = finish (flood);
  g_test_message ("hold: %s; beacons: %s", g_strstrip (held), g_strstrip (sent));
  g_assert_cmpint (sscanf (held, "opened %u closed %u held %u", &opened, &closed, &still), ==, 3);
  /* the agent kept the host to its share: it never held more than 8 of
   * its connections (measured against its fds once the attack is over and
   * it plays, as during it) */
  gc_test_sleep (1000);
  fds_after = gc_test_fd_count (gc_test_agent_pid (r));
  g_test_message ("receiver fds: %u before, at most %u during the attack (playing), %u after",
                  fds_before, most_fds, fds_after);
  g_assert_cmpuint (most_fds, <=, fds_after + GC_CONTROL_SERVER_DEFAULT_MAX_PER_HOST + 4);
  g_assert_true (log_has (r, "control connections from 10.99.0.3: 8 open, the most one host"));
  g_assert_true (log_has (src, "beacons from 10.99.0.3 come faster than"));
  /* and a switch after the attack, as before */
  g_clear_pointer (&msg, g_free);
  g_assert_true (switch_one (src, rid, &msg, &error));
  g_assert_no_error (error);
  {
    GcTestAgent *all[] = { src, r };

    gc_test_agent_dump_logs_on_failure (all, G_N_ELEMENTS (all));
  }
}

/* ---- idle RTSP connections ------------------------------------------------ */

/* 300 connections to the source's RTSP port that never set up a stream
 * (more than the 256 it holds): all closed within seconds, and a receiver
 * that comes meanwhile gets in */
static void
test_rtsp_idle (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autoptr (GSubprocess) flood = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autofree gchar *out = NULL;
  guint connected = 0, failed = 0, closed = 0, open_now = 0;
  gdouble conn_ms = 0, first_ms = 0, last_ms = 0;
  guint fds_before, fds_after = 0;
  gint64 t0;

  if (lab == NULL)
    return;
  src = gc_test_agent_start (lab, 1, &error, "--source", "--group=239.0.0.11", "--no-mdns",
                             NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (src, 10000));
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 20000));
  fds_before = gc_test_fd_count (gc_test_agent_pid (src));
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  flood = gc_lab_spawn (lab, 3, l, &error, GC_FAKE_SERVER, "7236", "flood", "15", "10.99.0.1",
                        "300", NULL);
  g_assert_no_error (error);
  gc_test_sleep (1000);
  r = gc_test_agent_start (lab, 2, &error, "--receiver", "--sink=fake", "--no-mdns",
                           "--connect=rtsp://10.99.0.1:7236/screen", NULL);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  /* the cap is full of idle connections: the receiver's makes room */
  g_assert_true (gc_test_agent_wait_playing (r, 15000));
  g_test_message ("receiver playing %.0f ms after it was started, during the flood",
                  (g_get_monotonic_time () - t0) / 1000.0);
  out = finish (flood);
  g_test_message ("idle RTSP flood: %s", out);
  g_assert_cmpint (sscanf (out, "connected %u failed %u in %lf ms\nclosed %u open %u "
                           "first-close-ms %lf last-close-ms %lf", &connected, &failed, &conn_ms,
                           &closed, &open_now, &first_ms, &last_ms), ==, 7);
  g_assert_cmpuint (connected, ==, 300);
  g_assert_cmpuint (closed, ==, connected);
  g_assert_cmpuint (open_now, ==, 0);
  /* those over the cap of 256 at once (oldest first), the rest after 5 s
   * without a session, with room for a loaded machine */
  g_assert_cmpfloat (last_ms, >=, 4000);
  g_assert_cmpfloat (last_ms, <, 10000);
  /* the fds went with them (the receiver's session holds a few) */
  for (guint i = 0; i < 50; i++)
    {
      fds_after = gc_test_fd_count (gc_test_agent_pid (src));
      if (fds_after <= fds_before + 8)
        break;
      gc_test_sleep (100);
    }
  g_test_message ("source fds: %u before, %u after", fds_before, fds_after);
  g_assert_cmpuint (fds_after, <=, fds_before + 8);
  {
    g_autofree gchar *state = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                        "State");

    g_assert_cmpstr (state, ==, "playing");
  }
}

/* ---- loopback is no bypass -------------------------------------------------- */

static gchar *
request_file (GcLab *lab, const gchar *name, GcControlVerb verb, const gchar *key)
{
  g_auto (GcControlRequest) req = { 0 };
  g_autoptr (GBytes) k = key != NULL ? g_bytes_new_static (key, strlen (key)) : NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = g_build_filename (gc_lab_host_dir (lab, 1), name, NULL);

  req.verb = verb;
  if (verb != GC_CONTROL_VERB_STATUS)
    req.url = g_strdup ("rtsp://127.0.0.1:7236/elsewhere");
  req.source_name = g_strdup ("a local user");
  req.source_id = g_strdup ("00000000-0000-4000-8000-000000000001");
  gc_control_request_stamp (&req, g_get_real_time ());
  bytes = gc_control_request_build (&req, k, "127.0.0.1:7237", &error);
  g_assert_no_error (error);
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
send_local (GcLab *lab, const gchar *file, GcControlResponse *resp)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *answer = gc_lab_run (lab, 1, &error, GC_ATTACKER, "send-raw", file,
                                         "127.0.0.1", "7237", NULL);

  g_assert_no_error (error);
  g_assert_true (gc_control_response_parse ((const guint8 *) answer, strlen (answer), resp,
                                            &error));
  g_assert_no_error (error);
}

/* a request from 127.0.0.1 needs a valid MAC like any other: a local user
 * without the key moves nothing (the D-Bus policy is the only local gate) */
static void
test_loopback (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcTestAgent) r = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *key_arg = NULL;
  const struct
  {
    const gchar *name;
    GcControlVerb verb;
    const gchar *key;
    gboolean ok;
  } cases[] = {
    { "unsigned switch", GC_CONTROL_VERB_SWITCH, NULL, FALSE },
    { "switch with another key", GC_CONTROL_VERB_SWITCH, WRONG_KEY, FALSE },
    { "unsigned release", GC_CONTROL_VERB_RELEASE, NULL, FALSE },
    { "unsigned status", GC_CONTROL_VERB_STATUS, NULL, FALSE },
    { "signed status", GC_CONTROL_VERB_STATUS, KEY, TRUE },
  };

  if (lab == NULL)
    return;
  key = gc_test_write_site_key (lab, "site.key", KEY);
  key_arg = g_strdup_printf ("--key-file=%s", key);
  /* on the loopback interface: its control server listens on 127.0.0.1 */
  r = gc_test_agent_start (lab, 1, &error, "--receiver", "--sink=fake", "--no-mdns",
                           "--interface=lo", key_arg, NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (r, 10000));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *name = g_strdup_printf ("req-%u", i);
      g_autofree gchar *file = request_file (lab, name, cases[i].verb, cases[i].key);
      g_auto (GcControlResponse) resp = { 0 };

      send_local (lab, file, &resp);
      g_test_message ("%s from 127.0.0.1: %s %s", cases[i].name, resp.ok ? "ok" : "refused",
                      resp.message != NULL ? resp.message : "");
      g_assert_cmpint (resp.ok, ==, cases[i].ok);
      if (!cases[i].ok)
        g_assert_cmpint (resp.code, ==, GC_ERROR_NOT_AUTHORIZED);
    }
  g_assert_true (log_has (r, "refused control request from 127.0.0.1"));
  {
    g_autofree gchar *state = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                        "State");

    g_assert_cmpstr (state, ==, "idle");
  }
}

/* ---- encrypted media (SRTP) ---------------------------------------------------- */

typedef struct
{
  GcTestAgent *a;
  const gchar *prop;
  const gchar *text;
} ErrorWait;

static gboolean
string_has (gpointer data)
{
  ErrorWait *w = data;
  g_autofree gchar *v = gc_test_agent_get_string (w->a, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                  w->prop);

  return v != NULL && strstr (v, w->text) != NULL;
}

static gboolean
get_bool (GcTestAgent *a, const gchar *path, const gchar *iface, const gchar *prop)
{
  g_autoptr (GVariant) v = gc_test_agent_get (a, path, iface, prop);

  return v != NULL && g_variant_get_boolean (v);
}

static void
sniff (GcLab *lab, const gchar *group, guint64 *packets, guint64 *frames)
{
  g_autoptr (GSubprocess) p = attack (lab, 3, "sniff", group, "15550", "3", NULL);
  g_autofree gchar *out = finish (p);

  g_test_message ("a host without the key on %s: %s", group, out);
  g_assert_cmpint (sscanf (out, "packets %" G_GUINT64_FORMAT " frames %" G_GUINT64_FORMAT,
                           packets, frames), ==, 2);
}

/* with a site key the media is SRTP: a host without it decodes nothing of
 * the stream, its packets injected into the group are dropped and counted
 * while the picture goes on, a receiver without the key says why it shows
 * nothing, and one with the key refuses a plain stream */
static void
test_srtp (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (5);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *key_arg = NULL;
  GcTestAgent *all[4] = { NULL };
  const gchar *url1 = "rtsp://10.99.0.1:7236/screen";
  const gchar *url4 = "rtsp://10.99.0.4:7236/screen";
  g_autofree gchar *connect1 = g_strdup_printf ("--connect=%s", url1);
  guint64 packets = 0, frames = 0;

  if (lab == NULL)
    return;
  key = gc_test_write_site_key (lab, "site.key", KEY);
  key_arg = g_strdup_printf ("--key-file=%s", key);
  /* 1: a source with the key; 2: a receiver with it; 3: the attacker;
   * 4: a source without a key (plain RTP); 5: a receiver without one */
  all[0] = gc_test_agent_start (lab, 1, &error, "--source", "--group=239.0.0.11", "--no-mdns",
                                "--width=640", "--height=360", key_arg, NULL);
  g_assert_no_error (error);
  all[1] = gc_test_agent_start (lab, 2, &error, "--receiver", "--sink=fake", "--no-mdns",
                                key_arg, connect1, NULL);
  g_assert_no_error (error);
  all[2] = gc_test_agent_start (lab, 4, &error, "--source", "--group=239.0.0.12", "--no-mdns",
                                "--width=640", "--height=360", NULL);
  g_assert_no_error (error);
  all[3] = gc_test_agent_start (lab, 5, &error, "--receiver", "--sink=fake", "--no-mdns",
                                connect1, NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (all[1], 20000));
  g_assert_true (get_bool (all[0], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Encrypted"));
  g_assert_true (get_bool (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Encrypted"));
  g_assert_true (gc_test_agent_wait_string (all[2], GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 20000));
  g_assert_false (get_bool (all[2], GC_SOURCE_PATH, GC_SOURCE_IFACE, "Encrypted"));

  /* the keyless receiver: an error a person can act on, nothing decoded */
  {
    ErrorWait w = { all[3], "Error", "site key this receiver does not have" };

    g_assert_true (gc_test_wait_until (string_has, &w, 10000));
    g_assert_cmpuint (gc_test_agent_get_u64 (all[3], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                             "FramesDecoded"), ==, 0);
  }

  /* an eavesdropper (or a third-party player) without the key: the plain
   * stream (5, keyless, now shows it) decodes, the encrypted one never */
  {
    g_autoptr (GVariant) r = gc_test_agent_call (all[3], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                 "Connect", g_variant_new ("(s)", url4), 5000,
                                                 &error);

    g_assert_no_error (error);
    g_assert_true (gc_test_agent_wait_playing (all[3], 15000));
  }
  sniff (lab, "239.0.0.12", &packets, &frames);
  g_assert_cmpuint (frames, >, 10);
  sniff (lab, "239.0.0.11", &packets, &frames);
  /* (the decoder may give up on what it reads, which ends the sniff) */
  g_assert_cmpuint (packets, >, 0);
  g_assert_cmpuint (frames, ==, 0);

  /* a keyless host injects RTP into the group, passing for the stream (its
   * SSRC, the next sequence numbers) at 1,000 packets a second for 5 s:
   * all refused and counted, the picture goes on with no loss */
  {
    GcTestAgent *r = all[1];
    guint64 f0 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded");
    guint64 l0 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsLost");
    guint64 j0 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsRejected");
    g_autoptr (GSubprocess) p = attack (lab, 3, "rtp-inject", "239.0.0.11", "15550", "1000", "5",
                                        NULL);
    g_autofree gchar *out = finish (p);
    guint64 sent = 0, f1, l1, j1;
    g_autofree gchar *state = NULL;

    g_assert_cmpint (sscanf (out, "sent %" G_GUINT64_FORMAT, &sent), ==, 1);
    gc_test_sleep (1200); /* the counters tick every 0.5 s */
    f1 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "FramesDecoded");
    l1 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsLost");
    j1 = gc_test_agent_get_u64 (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsRejected");
    state = gc_test_agent_get_string (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
    g_test_message ("injected %" G_GUINT64_FORMAT ": rejected %" G_GUINT64_FORMAT
                    ", frames +%" G_GUINT64_FORMAT ", lost +%" G_GUINT64_FORMAT ", %s",
                    sent, j1 - j0, f1 - f0, l1 - l0, state);
    g_assert_cmpuint (sent, >=, 4500);
    g_assert_cmpuint (j1 - j0, >=, sent * 9 / 10);
    g_assert_cmpuint (j1 - j0, <=, sent);
    g_assert_cmpuint (f1 - f0, >=, 60);
    g_assert_cmpuint (l1 - l0, <=, 5);
    g_assert_cmpstr (state, ==, "playing");
  }

  /* a receiver with the key refuses a plain stream and keeps its picture */
  {
    g_autoptr (GVariant) r = gc_test_agent_call (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                 "Connect", g_variant_new ("(s)", url4), 5000,
                                                 &error);
    g_autofree gchar *now = NULL;

    g_assert_no_error (error);
    for (guint i = 0; i < 50 && !log_has (all[1], "sends its picture unencrypted"); i++)
      gc_test_sleep (100);
    g_assert_true (log_has (all[1], "sends its picture unencrypted"));
    g_assert_true (gc_test_agent_wait_string (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                              "SourceUrl", url1, 5000));
    now = gc_test_agent_get_string (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State");
    g_assert_cmpstr (now, ==, "playing");
  }
  /* --plain-media: a receiver with the key shows the plain stream too */
  {
    g_autofree gchar *connect4 = g_strdup_printf ("--connect=%s", url4);
    g_autoptr (GcTestAgent) plain = gc_test_agent_start (lab, 3, &error, "--receiver",
                                                         "--sink=fake", "--no-mdns", key_arg,
                                                         "--plain-media", connect4, NULL);

    g_assert_no_error (error);
    g_assert_true (gc_test_agent_wait_playing (plain, 15000));
    g_assert_false (get_bool (plain, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Encrypted"));
  }
  gc_test_agent_dump_logs_on_failure (all, 4);
  for (guint i = 0; i < 4; i++)
    gc_test_agent_free (all[i]);
}

/* ---- pairing: a keyless board gets the site key from a code on its screen */

/* Agent1.Pair on @src for @id with @code; NULL on success */
static GError *
pair (GcTestAgent *src, const gchar *id, const gchar *code)
{
  GError *error = NULL;
  g_autoptr (GVariant) r = gc_test_agent_call (src, AGENT_PATH, GC_AGENT_IFACE, "Pair",
                                               g_variant_new ("(ss)", id, code), 30000, &error);

  return error;
}

static gchar *
pairing_code (GcTestAgent *r)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) v = gc_test_agent_call (r, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                               "GetPairingCode", NULL, 5000, &error);
  gchar *code = NULL;

  g_assert_no_error (error);
  g_variant_get (v, "(s)", &code);
  g_assert_cmpuint (strlen (code), ==, 6);
  return code;
}

static void
assert_dbus_error (GError *error, const gchar *name, const gchar *words)
{
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, name));
  if (words != NULL)
    g_assert_nonnull (strstr (error->message, words));
  g_error_free (error);
}

/* a keyed source pairs a keyless receiver by the code on its screen; the
 * receiver is then verified and takes a signed switch, and keeps the key
 * across a restart; wrong codes lock pairing, even for the right one */
static void
test_pairing (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *key_arg = NULL;
  g_autofree gchar *id2 = NULL, *id3 = NULL;
  g_autofree gchar *code2 = NULL, *code3 = NULL;
  g_autofree gchar *stored = NULL;
  g_autofree gchar *stored_path = NULL;
  g_autofree gchar *wrong = NULL;
  g_autofree gchar *msg = NULL;
  GcTestAgent *all[3] = { NULL };
  struct stat st;

  if (lab == NULL)
    return;
  key = gc_test_write_site_key (lab, "site.key", KEY);
  key_arg = g_strdup_printf ("--key-file=%s", key);
  /* 1: a source with the key; 2, 3: boards fresh from the box (no key, no
   * --allow-unauthenticated): they show a code at once */
  all[0] = gc_test_agent_start (lab, 1, &error, "--source", "--group=239.0.0.11", "--no-mdns",
                                "--beacon-interval=500", "--width=320", "--height=240",
                                key_arg, NULL);
  g_assert_no_error (error);
  for (guint h = 2; h <= 3; h++)
    {
      all[h - 1] = gc_test_agent_start (lab, h, &error, "--receiver", "--sink=fake",
                                        "--no-mdns", "--beacon-interval=500", NULL);
      g_assert_no_error (error);
      g_assert_true (gc_test_agent_wait_ready (all[h - 1], 15000));
    }
  g_assert_true (gc_test_agent_wait_ready (all[0], 15000));
  id2 = agent_id (all[1]);
  id3 = agent_id (all[2]);
  g_assert_true (wait_peer (all[0], id2, "10.99.0.2", 0, 10000));
  g_assert_true (wait_peer (all[0], id3, "10.99.0.3", 0, 10000));
  g_assert_true (get_bool (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Pairing"));
  g_assert_false (get_bool (all[1], AGENT_PATH, GC_AGENT_IFACE, "Authenticated"));
  code2 = pairing_code (all[1]);

  /* not paired yet: the source does not switch it */
  g_assert_false (switch_one (all[0], "10.99.0.2", &msg, &error));
  g_clear_error (&error);
  g_clear_pointer (&msg, g_free);

  /* a wrong code, then the right one as the screen shows it */
  wrong = g_strdup (code2);
  wrong[5] = wrong[5] == '9' ? '0' : wrong[5] + 1;
  assert_dbus_error (pair (all[0], id2, wrong), "NotAuthorized", "code");
  assert_dbus_error (pair (all[0], id2, "12345"), "InvalidArgs", NULL);
  assert_dbus_error (pair (all[0], "no-such-receiver", code2), "NotFound", NULL);
  {
    g_autofree gchar *spaced = g_strdup_printf ("%.3s %s", code2, code2 + 3);

    g_assert_no_error (pair (all[0], id2, spaced));
  }
  /* the board has the key, kept 0600, and uses it at once */
  g_assert_true (get_bool (all[1], AGENT_PATH, GC_AGENT_IFACE, "Authenticated"));
  g_assert_false (get_bool (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Pairing"));
  stored_path = g_build_filename (gc_lab_host_dir (lab, 2), "site-key", NULL);
  g_assert_true (g_file_get_contents (stored_path, &stored, NULL, NULL));
  g_assert_cmpstr (stored, ==, KEY "\n");
  g_assert_cmpint (g_stat (stored_path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_true (wait_peer (all[0], id2, "10.99.0.2", 1, 5000));
  g_assert_true (switch_one (all[0], "10.99.0.2", &msg, &error));
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_playing (all[1], 15000));
  g_assert_true (get_bool (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Encrypted"));
  /* it is over: nothing listens on the pairing port */
  assert_dbus_error (pair (all[0], id2, code2), "Unreachable", "not pairing");

  /* a restart keeps the key and shows no code */
  g_assert_true (gc_test_agent_restart (all[1], &error));
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (all[1], 15000));
  g_assert_true (get_bool (all[1], AGENT_PATH, GC_AGENT_IFACE, "Authenticated"));
  g_assert_false (get_bool (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Pairing"));
  /* StartPairing shows a code on a paired board too; StopPairing ends it */
  {
    g_autoptr (GVariant) r = gc_test_agent_call (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                                 "StartPairing", NULL, 5000, &error);

    g_assert_no_error (error);
    g_assert_true (get_bool (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Pairing"));
    g_clear_pointer (&r, g_variant_unref);
    r = gc_test_agent_call (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "StopPairing", NULL,
                            5000, &error);
    g_assert_no_error (error);
    g_assert_false (get_bool (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Pairing"));
    g_clear_pointer (&r, g_variant_unref);
    r = gc_test_agent_call (all[1], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "GetPairingCode", NULL,
                            5000, &error);
    g_assert_null (r);
    assert_dbus_error (g_steal_pointer (&error), "NotFound", NULL);
  }

  /* three wrong codes lock board 3: then even its right code is refused */
  code3 = pairing_code (all[2]);
  g_free (wrong);
  wrong = g_strdup (code3);
  wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;
  for (guint i = 0; i < 3; i++)
    assert_dbus_error (pair (all[0], id3, wrong), "NotAuthorized", NULL);
  assert_dbus_error (pair (all[0], id3, code3), "Refused", "wrong");
  g_assert_true (get_bool (all[2], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Pairing"));
  g_assert_false (get_bool (all[2], AGENT_PATH, GC_AGENT_IFACE, "Authenticated"));
  g_clear_pointer (&stored_path, g_free);
  stored_path = g_build_filename (gc_lab_host_dir (lab, 3), "site-key", NULL);
  g_assert_false (g_file_test (stored_path, G_FILE_TEST_EXISTS));
  g_assert_true (log_has (all[2], "3 wrong codes: locked for 60 s"));

  /* board 3 starts a site of its own instead: a fresh key, kept 0600, in
   * use at once; the code leaves its screen; a second key is refused, and
   * so is one for an agent whose configuration names its key */
  {
    g_autoptr (GVariant) r = gc_test_agent_call (all[2], AGENT_PATH, GC_AGENT_IFACE,
                                                 "CreateSiteKey", NULL, 5000, &error);
    g_autofree gchar *made = NULL;

    g_assert_no_error (error);
    g_assert_true (get_bool (all[2], AGENT_PATH, GC_AGENT_IFACE, "Authenticated"));
    g_assert_false (get_bool (all[2], GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Pairing"));
    g_assert_true (g_file_get_contents (stored_path, &made, NULL, NULL));
    g_assert_cmpuint (strlen (made), ==, 65);
    g_assert_cmpstr (made, !=, KEY "\n");
    g_assert_cmpint (g_stat (stored_path, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
    g_clear_pointer (&r, g_variant_unref);
    r = gc_test_agent_call (all[2], AGENT_PATH, GC_AGENT_IFACE, "CreateSiteKey", NULL, 5000,
                            &error);
    assert_dbus_error (g_steal_pointer (&error), "Refused", "already has a site key");
    g_clear_pointer (&stored, g_free);
    g_assert_true (g_file_get_contents (stored_path, &stored, NULL, NULL));
    g_assert_cmpstr (stored, ==, made);
    r = gc_test_agent_call (all[0], AGENT_PATH, GC_AGENT_IFACE, "CreateSiteKey", NULL, 5000,
                            &error);
    assert_dbus_error (g_steal_pointer (&error), "Refused", "configuration");
    /* to the source it is another site's board now */
    g_assert_true (wait_peer (all[0], id3, "10.99.0.3", 0, 5000));
  }

  gc_test_agent_dump_logs_on_failure (all, 3);
  for (guint i = 0; i < 3; i++)
    gc_test_agent_free (all[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/hostile/mdns-forgery", test_mdns_forgery);
  g_test_add_func ("/groupcast/hostile/control-hold-beacon-flood",
                   test_control_hold_beacon_flood);
  g_test_add_func ("/groupcast/hostile/rtsp-idle", test_rtsp_idle);
  g_test_add_func ("/groupcast/hostile/loopback", test_loopback);
  g_test_add_func ("/groupcast/hostile/srtp", test_srtp);
  g_test_add_func ("/groupcast/hostile/pairing", test_pairing);
  return g_test_run ();
}
