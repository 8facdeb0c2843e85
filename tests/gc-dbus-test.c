/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * the D-Bus API as a contract: real agents in lab hosts, each on a bus of
 * its own, driven the way a script would drive them (the gdbus tool) and the
 * way the panel does (GDBus); the shipped system bus policy enforced by a
 * real dbus-daemon.
 */
#include "config.h"

#include "gc-test-agent.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#define ROOT_PATH "/io/github/Groupcast"
#define OM_IFACE "org.freedesktop.DBus.ObjectManager"
#define PEER_IFACE "io.github.Groupcast.Peer1"
#define SMALL "--width=320", "--height=240", "--framerate=30", "--bitrate=500"
#define TEST_USER "gcdbustest"
#define SERVICE_USER "groupcast-agent"

/* ---- gdbus, the command line tool -------------------------------------- */

typedef enum
{
  AS_ROOT,
  AS_NOBODY,   /* not in group groupcast */
  AS_MEMBER,   /* TEST_USER, in group groupcast */
} Who;

/* runs `gdbus call` (as WHO); TRUE when it succeeded. *out gets stdout,
 * *err stderr */
static gboolean
gdbus_call (Who who, const gchar *address, const gchar *path, const gchar *method,
            const gchar * const *args, gchar **out, gchar **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  gint status = 0;

  /* setpriv drops to the user before exec, so the bus sees that user's
   * credentials and supplementary groups */
  if (who == AS_NOBODY)
    {
      g_ptr_array_add (argv, "setpriv");
      g_ptr_array_add (argv, "--reuid=nobody");
      g_ptr_array_add (argv, "--regid=nogroup");
      g_ptr_array_add (argv, "--clear-groups");
    }
  else if (who == AS_MEMBER)
    {
      g_ptr_array_add (argv, "setpriv");
      g_ptr_array_add (argv, "--reuid=" TEST_USER);
      g_ptr_array_add (argv, "--regid=nogroup");
      g_ptr_array_add (argv, "--init-groups");
    }
  g_ptr_array_add (argv, "gdbus");
  g_ptr_array_add (argv, "call");
  g_ptr_array_add (argv, "--address");
  g_ptr_array_add (argv, (gpointer) address);
  g_ptr_array_add (argv, "--dest");
  /* calls on the bus's own object go to the bus */
  g_ptr_array_add (argv, g_str_equal (path, "/org/freedesktop/DBus") ? "org.freedesktop.DBus"
                                                                     : GC_DBUS_NAME);
  g_ptr_array_add (argv, "--object-path");
  g_ptr_array_add (argv, (gpointer) path);
  g_ptr_array_add (argv, "--timeout");
  g_ptr_array_add (argv, "15");
  g_ptr_array_add (argv, "--method");
  g_ptr_array_add (argv, (gpointer) method);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     out, err, &status, &error))
    g_error ("cannot run gdbus: %s", error->message);
  return g_spawn_check_wait_status (status, NULL);
}

/* a gdbus call that must fail with the D-Bus error NAME; returns the message */
static gchar *
gdbus_expect_error (Who who, const gchar *address, const gchar *path, const gchar *method,
                    const gchar *name, const gchar *first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autofree gchar *want = g_strdup_printf ("GDBus.Error:%s: ", name);
  const gchar *msg;
  va_list ap;

  va_start (ap, first_arg);
  for (const gchar *a = first_arg; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  g_assert_false (gdbus_call (who, address, path, method, (const gchar * const *) args->pdata,
                              &out, &err));
  g_test_message ("%s %s -> %s", method, args->len > 1 ? (gchar *) args->pdata[0] : "",
                  g_strstrip (err));
  msg = strstr (err, want);
  if (msg == NULL)
    g_error ("%s: expected %s, got: %s", method, name, err);
  msg += strlen (want);
  /* a message a person can read, not an empty string or a code */
  g_assert_cmpuint (strlen (msg), >, 8);
  return g_strdup (msg);
}

/* a gdbus call that must succeed; returns its reply parsed as TYPE */
static GVariant *
gdbus_expect_reply (Who who, const gchar *address, const gchar *path, const gchar *method,
                    const gchar *type, const gchar *first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  GVariant *v;
  va_list ap;

  va_start (ap, first_arg);
  for (const gchar *a = first_arg; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  if (!gdbus_call (who, address, path, method, (const gchar * const *) args->pdata, &out, &err))
    g_error ("%s failed: %s", method, err);
  /* gdbus prints the reply in GVariant text format */
  v = g_variant_parse (G_VARIANT_TYPE (type), out, NULL, NULL, &error);
  g_assert_no_error (error);
  return g_variant_ref_sink (v);
}

static gboolean
remote_error_is (const GError *error, const gchar *name)
{
  g_autofree gchar *remote = NULL;

  if (error == NULL || !g_dbus_error_is_remote_error (error))
    return FALSE;
  remote = g_dbus_error_get_remote_error (error);
  return g_strcmp0 (remote, name) == 0;
}

/* ---- signals, as they arrive ------------------------------------------- */

typedef struct
{
  gint64 t;          /* monotonic, µs */
  gchar *path;
  gchar *iface;
  gchar *member;
  GVariant *params;
} Event;

typedef struct
{
  GDBusConnection *bus;
  guint sub_id;
  GPtrArray *events;
} Recorder;

static void
event_free (Event *e)
{
  g_free (e->path);
  g_free (e->iface);
  g_free (e->member);
  g_variant_unref (e->params);
  g_free (e);
}

static void
on_signal (GDBusConnection *bus, const gchar *sender, const gchar *path, const gchar *iface,
           const gchar *member, GVariant *params, gpointer data)
{
  Recorder *r = data;
  Event *e = g_new0 (Event, 1);

  e->t = g_get_monotonic_time ();
  e->path = g_strdup (path);
  e->iface = g_strdup (iface);
  e->member = g_strdup (member);
  e->params = g_variant_ref (params);
  g_ptr_array_add (r->events, e);
}

static Recorder *
recorder_new (GDBusConnection *bus)
{
  Recorder *r = g_new0 (Recorder, 1);

  r->bus = g_object_ref (bus);
  r->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  r->sub_id = g_dbus_connection_signal_subscribe (bus, GC_DBUS_NAME, NULL, NULL, NULL, NULL,
                                                  G_DBUS_SIGNAL_FLAGS_NONE, on_signal, r, NULL);
  return r;
}

static void
recorder_free (Recorder *r)
{
  g_dbus_connection_signal_unsubscribe (r->bus, r->sub_id);
  g_object_unref (r->bus);
  g_ptr_array_unref (r->events);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

/* the first MEMBER signal whose first argument is ARG0 (a string or an
 * object path), or NULL */
static Event *
recorder_find (Recorder *r, const gchar *member, const gchar *arg0)
{
  for (guint i = 0; i < r->events->len; i++)
    {
      Event *e = g_ptr_array_index (r->events, i);
      g_autoptr (GVariant) first = NULL;

      if (!g_str_equal (e->member, member) || g_variant_n_children (e->params) < 1)
        continue;
      first = g_variant_get_child_value (e->params, 0);
      if (arg0 == NULL
          || ((g_variant_is_of_type (first, G_VARIANT_TYPE_STRING)
               || g_variant_is_of_type (first, G_VARIANT_TYPE_OBJECT_PATH))
              && g_str_equal (g_variant_get_string (first, NULL), arg0)))
        return e;
    }
  return NULL;
}

typedef struct
{
  Recorder *r;
  const gchar *member;
  const gchar *arg0;
} Wanted;

static gboolean
seen (gpointer data)
{
  Wanted *w = data;

  return recorder_find (w->r, w->member, w->arg0) != NULL;
}

static Event *
recorder_wait (Recorder *r, const gchar *member, const gchar *arg0, guint timeout_ms)
{
  Wanted w = { r, member, arg0 };

  gc_test_wait_until (seen, &w, timeout_ms);
  return recorder_find (r, member, arg0);
}

/* ---- small helpers ----------------------------------------------------- */

static gchar *
peer_path (const gchar *id)
{
  g_autofree gchar *p = g_strdup_printf (ROOT_PATH "/peer/%s", id);

  g_strdelimit (p + strlen (ROOT_PATH "/peer/"), "-", '_');
  return g_steal_pointer (&p);
}

static GcTestAgent *
start_agent (GcLab *lab, guint host, const gchar *role, gboolean beacons)
{
  g_autoptr (GError) error = NULL;
  GcTestAgent *a;

  if (g_str_equal (role, "source"))
    a = gc_test_agent_start (lab, host, &error, "--source", "--no-mdns", "--allow-unauthenticated",
                             beacons ? "--beacon-interval=1000" : "--no-beacons", SMALL, NULL);
  else
    a = gc_test_agent_start (lab, host, &error, "--receiver", "--sink=fake", "--no-mdns",
                             "--allow-unauthenticated",
                             beacons ? "--beacon-interval=1000" : "--no-beacons", NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_agent_wait_ready (a, 10000));
  if (g_str_equal (role, "source"))
    g_assert_true (gc_test_agent_wait_string (a, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                              "ready", 10000));
  return a;
}

static gboolean
agent_alive (GcTestAgent *a)
{
  g_autofree gchar *id = gc_test_agent_get_string (a, ROOT_PATH, GC_AGENT_IFACE, "Id");

  /* the identifier (the pid) goes once the process has been reaped */
  return a->proc != NULL && g_subprocess_get_identifier (a->proc) != NULL && id != NULL;
}

typedef struct
{
  GcLab *lab;
  const gchar *group;
  guint host;
  gboolean want;
} MdbWait;

static gboolean
mdb_is (gpointer data)
{
  MdbWait *m = data;

  return gc_lab_mdb_has (m->lab, m->group, m->host) == m->want;
}

static gboolean
wait_mdb (GcLab *lab, const gchar *group, guint host, gboolean want, guint timeout_ms)
{
  MdbWait m = { lab, group, host, want };

  return gc_test_wait_until (mdb_is, &m, timeout_ms);
}

typedef struct
{
  GcTestAgent *src;
  const gchar *address;
  gboolean want;
} MemberWait;

static gboolean
member_is (gpointer data)
{
  MemberWait *m = data;
  g_autoptr (GVariant) members = gc_test_agent_get (m->src, GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                                    "Members");
  g_autoptr (GVariant) row = members ? g_variant_lookup_value (members, m->address, NULL) : NULL;

  return members != NULL && (row != NULL) == m->want;
}

static gboolean
wait_member (GcTestAgent *src, const gchar *address, gboolean want, guint timeout_ms)
{
  MemberWait m = { src, address, want };

  return gc_test_wait_until (member_is, &m, timeout_ms);
}

typedef struct
{
  GcTestAgent *a;
  const gchar *path;
} PeerWait;

static gboolean
peer_known (gpointer data)
{
  PeerWait *w = data;
  g_autofree gchar *id = gc_test_agent_get_string (w->a, w->path, PEER_IFACE, "Id");

  return id != NULL;
}

/* a receiver accepts switches only from sources it has heard announce
 * themselves */
static gboolean
wait_knows (GcTestAgent *a, GcTestAgent *other, guint timeout_ms)
{
  g_autofree gchar *id = gc_test_agent_get_string (other, ROOT_PATH, GC_AGENT_IFACE, "Id");
  g_autofree gchar *path = peer_path (id);
  PeerWait w = { a, path };

  return gc_test_wait_until (peer_known, &w, timeout_ms);
}

/* ---- every bad input: a named error and a sentence --------------------- */

static void
test_errors (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) rcv = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) rows = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autofree gchar *src_id = NULL;
  g_autofree gchar *msg = NULL;
  const gchar *sa, *ra;
  gboolean ok = TRUE;
  const gchar *msg_row = NULL;

  if (lab == NULL)
    return;
  /* host 1: source only; host 2: receiver only; host 3: nothing at all */
  src = start_agent (lab, 1, "source", FALSE);
  rcv = start_agent (lab, 2, "receiver", FALSE);
  sa = src->bus_address;
  ra = rcv->bus_address;
  src_id = gc_test_agent_get_string (src, ROOT_PATH, GC_AGENT_IFACE, "Id");

  /* Switch / Release: arguments the agent itself rejects */
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                              "io.github.Groupcast.Error.InvalidArgs", "[]", NULL));
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Release",
                              "io.github.Groupcast.Error.InvalidArgs", "[]", NULL));
  msg = gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                            "io.github.Groupcast.Error.NotFound", "['no-such-receiver']", NULL);
  g_assert_nonnull (strstr (msg, "no-such-receiver"));
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                              "io.github.Groupcast.Error.NotFound", "['239.1.2.3']", NULL));
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                              "io.github.Groupcast.Error.NotFound", "['']", NULL));
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                              "io.github.Groupcast.Error.InvalidArgs",
                              "['10.99.0.2', '10.99.0.2']", NULL));
  {
    g_autofree gchar *own = g_strdup_printf ("['%s']", src_id);

    /* this agent by its own id: it has no receiver role */
    g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                                "io.github.Groupcast.Error.NotSupported", own, NULL));
  }

  /* too many at once */
  {
    g_autoptr (GPtrArray) many = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < 257; i++)
      g_ptr_array_add (many, g_strdup_printf ("10.99.1.%u", i % 250 + 1));
    g_ptr_array_add (many, NULL);
    ret = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                              g_variant_new ("(^as)", (gchar **) many->pdata), 5000, &error);
    g_assert_null (ret);
    g_assert_true (remote_error_is (error, "io.github.Groupcast.Error.InvalidArgs"));
    g_test_message ("Switch (257 receivers) -> %s", error->message);
    g_clear_error (&error);
  }

  /* wrong argument types: the bus layer answers before our code runs */
  ret = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                            g_variant_new ("(i)", 42), 5000, &error);
  g_assert_null (ret);
  g_assert_true (remote_error_is (error, "org.freedesktop.DBus.Error.InvalidArgs"));
  g_test_message ("Switch (i) -> %s", error->message);
  g_clear_error (&error);
  ret = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Switch",
                            g_variant_new ("(s)", "10.99.0.2"), 5000, &error);
  g_assert_true (remote_error_is (error, "org.freedesktop.DBus.Error.InvalidArgs"));
  g_clear_error (&error);
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                              "org.freedesktop.DBus.Error.InvalidArgs", NULL));
  ret = gc_test_agent_call (rcv, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(u)", 7236), 5000, &error);
  g_assert_true (remote_error_is (error, "org.freedesktop.DBus.Error.InvalidArgs"));
  g_clear_error (&error);
  ret = gc_test_agent_call (rcv, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Connect",
                            g_variant_new ("(ss)", "rtsp://10.99.0.1:7236/screen", "x"), 5000,
                            &error);
  g_assert_true (remote_error_is (error, "org.freedesktop.DBus.Error.InvalidArgs"));
  g_clear_error (&error);

  /* members and objects that do not exist */
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Teleport",
                              "org.freedesktop.DBus.Error.UnknownMethod", NULL));
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, "org.freedesktop.DBus.Properties.Get",
                              "org.freedesktop.DBus.Error.InvalidArgs",
                              GC_SOURCE_IFACE, "Colour", NULL));
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, "org.freedesktop.DBus.Properties.Set",
                              "org.freedesktop.DBus.Error.InvalidArgs",
                              GC_SOURCE_IFACE, "State", "<'streaming'>", NULL));
  /* a role that is off has no object: Connect on a source-only agent,
   * Switch on a receiver-only one */
  g_free (gdbus_expect_error (AS_ROOT, sa, GC_RECEIVER_PATH, GC_RECEIVER_IFACE ".Connect",
                              "org.freedesktop.DBus.Error.UnknownMethod",
                              "rtsp://10.99.0.1:7236/screen", NULL));
  g_free (gdbus_expect_error (AS_ROOT, ra, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                              "org.freedesktop.DBus.Error.UnknownMethod", "['10.99.0.2']", NULL));

  /* malformed URLs */
  {
    const gchar *bad[] = { "not a url", "", "http://10.99.0.1:7236/screen", "rtsp://",
                           "rtsp://10.99.0.1:99999/screen", NULL };

    for (guint i = 0; bad[i] != NULL; i++)
      g_free (gdbus_expect_error (AS_ROOT, ra, GC_RECEIVER_PATH, GC_RECEIVER_IFACE ".Connect",
                                  "io.github.Groupcast.Error.InvalidArgs", bad[i], NULL));
  }
  g_assert_true (gc_test_agent_wait_string (rcv, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "idle", 1000));
  /* Disconnect when idle: nothing to do, and no error */
  g_variant_unref (gdbus_expect_reply (AS_ROOT, ra, GC_RECEIVER_PATH,
                                       GC_RECEIVER_IFACE ".Disconnect", "()", NULL));
  g_variant_unref (gdbus_expect_reply (AS_ROOT, ra, GC_RECEIVER_PATH,
                                       GC_RECEIVER_IFACE ".Disconnect", "()", NULL));

  /* a receiver that does not answer is a failed row, not a failed call */
  rows = gdbus_expect_reply (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                             "(a(sbsd))", "['10.99.0.3']", NULL);
  {
    g_autoptr (GVariant) list = g_variant_get_child_value (rows, 0);

    g_assert_cmpuint (g_variant_n_children (list), ==, 1);
    g_variant_get_child (list, 0, "(&sb&sd)", NULL, &ok, &msg_row, NULL);
    g_test_message ("Switch ['10.99.0.3'] -> %s", msg_row);
    g_assert_false (ok);
    g_assert_nonnull (strstr (msg_row, "unreachable"));
  }

  /* Stop, then what needs a running source */
  g_variant_unref (gdbus_expect_reply (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Stop",
                                       "()", NULL));
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "stopped", 2000));
  g_variant_unref (gdbus_expect_reply (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Stop",
                                       "()", NULL));
  g_clear_pointer (&msg, g_free);
  msg = gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".ForceKeyFrame",
                            "io.github.Groupcast.Error.Failed", NULL);
  g_assert_nonnull (strstr (msg, "stopped"));
  g_clear_pointer (&msg, g_free);
  msg = gdbus_expect_error (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                            "io.github.Groupcast.Error.Failed", "['10.99.0.2']", NULL);
  g_assert_nonnull (strstr (msg, "Start"));
  /* Release still works on a stopped source: the receiver is told to let go */
  g_clear_pointer (&rows, g_variant_unref);
  rows = gdbus_expect_reply (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Release",
                             "(a(sbsd))", "['10.99.0.2']", NULL);
  {
    g_autoptr (GVariant) list = g_variant_get_child_value (rows, 0);

    g_variant_get_child (list, 0, "(&sb&sd)", NULL, &ok, &msg_row, NULL);
    g_test_message ("Release on a stopped source -> %s", msg_row);
    g_assert_true (ok);
  }

  /* Start, twice: the second is a no-op */
  g_variant_unref (gdbus_expect_reply (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Start",
                                       "()", NULL));
  g_variant_unref (gdbus_expect_reply (AS_ROOT, sa, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Start",
                                       "()", NULL));
  g_assert_true (gc_test_agent_wait_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "State",
                                            "ready", 5000));
  g_variant_unref (gdbus_expect_reply (AS_ROOT, sa, GC_SOURCE_PATH,
                                       GC_SOURCE_IFACE ".ForceKeyFrame", "()", NULL));

  /* after all that, both agents are still there and answering */
  g_assert_true (agent_alive (src));
  g_assert_true (agent_alive (rcv));
  {
    GcTestAgent *all[] = { src, rcv };
    gc_test_agent_dump_logs_on_failure (all, 2);
  }
}

/* ---- peers, switch, members, and the rate of PropertiesChanged --------- */

/* TRUE when a PropertiesChanged listing ADDRESS in Members came before the
 * MemberJoined for it: a client reading its cache on the signal finds it */
static gboolean
members_before_joined (Recorder *r, const gchar *address)
{
  gboolean listed = FALSE;

  for (guint i = 0; i < r->events->len; i++)
    {
      Event *e = g_ptr_array_index (r->events, i);

      if (g_str_equal (e->member, "MemberJoined"))
        {
          const gchar *who = NULL;

          g_variant_get (e->params, "(&s@a{sv})", &who, NULL);
          if (g_str_equal (who, address))
            return listed;
        }
      else if (g_str_equal (e->member, "PropertiesChanged")
               && g_str_equal (e->path, GC_SOURCE_PATH))
        {
          g_autoptr (GVariant) changed = g_variant_get_child_value (e->params, 1);
          g_autoptr (GVariant) members = g_variant_lookup_value (changed, "Members", NULL);
          g_autoptr (GVariant) row = members ? g_variant_lookup_value (members, address, NULL)
                                             : NULL;

          listed |= row != NULL;
        }
    }
  return FALSE;
}

typedef struct
{
  guint n;            /* PropertiesChanged carrying KEY */
  guint n_all;        /* all PropertiesChanged on the object */
  guint increases;    /* KEY went up from one emission to the next */
  gint64 min_gap_us;  /* between consecutive emissions carrying KEY */
  GString *log;       /* what was emitted when, for a failing run */
} Rate;

static Rate
rate_of (Recorder *r, const gchar *path, const gchar *iface, const gchar *key, gint64 from,
         gint64 to)
{
  Rate rate = { 0, 0, 0, G_MAXINT64, g_string_new (NULL) };
  guint64 last = 0;
  gint64 last_t = 0;

  for (guint i = 0; i < r->events->len; i++)
    {
      Event *e = g_ptr_array_index (r->events, i);
      g_autoptr (GVariant) changed = NULL;
      const gchar *which = NULL;
      guint64 v;

      if (e->t < from || e->t > to || !g_str_equal (e->member, "PropertiesChanged")
          || !g_str_equal (e->path, path))
        continue;
      g_variant_get (e->params, "(&s@a{sv}@as)", &which, &changed, NULL);
      if (!g_str_equal (which, iface))
        continue;
      {
        g_autofree gchar *text = g_variant_print (changed, FALSE);

        g_string_append_printf (rate.log, "%+7.0f ms %s %.160s\n", (e->t - from) / 1000.0,
                                path, text);
      }
      rate.n_all++;
      if (!g_variant_lookup (changed, key, "t", &v))
        continue;
      if (rate.n > 0)
        {
          rate.increases += v > last;
          rate.min_gap_us = MIN (rate.min_gap_us, e->t - last_t);
        }
      rate.n++;
      last = v;
      last_t = e->t;
    }
  return rate;
}

static void
test_switch (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (3);
  g_autoptr (GcTestAgent) src = NULL;
  g_autoptr (GcTestAgent) r2 = NULL;
  g_autoptr (GcTestAgent) r3 = NULL;
  g_autoptr (Recorder) on_src = NULL;
  g_autoptr (Recorder) on_r2 = NULL;
  g_autoptr (GVariant) rows = NULL;
  g_autoptr (GVariant) objects = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *id2 = NULL, *id3 = NULL, *path2 = NULL, *path3 = NULL;
  g_autofree gchar *url = NULL, *group = NULL, *arg = NULL;
  gint64 ready2, ready3, t0, t1;
  Event *e;
  Rate rx, tx;

  if (lab == NULL)
    return;
  src = start_agent (lab, 1, "source", TRUE);
  on_src = recorder_new (src->bus);
  url = gc_test_agent_get_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Url");
  group = gc_test_agent_get_string (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Group");
  g_assert_cmpstr (url, ==, "rtsp://10.99.0.1:7236/screen");

  /* receivers come up: a Peer1 object each on the source's bus within 2 s */
  r2 = start_agent (lab, 2, "receiver", TRUE);
  ready2 = g_get_monotonic_time ();
  r3 = start_agent (lab, 3, "receiver", TRUE);
  ready3 = g_get_monotonic_time ();
  on_r2 = recorder_new (r2->bus);
  id2 = gc_test_agent_get_string (r2, ROOT_PATH, GC_AGENT_IFACE, "Id");
  id3 = gc_test_agent_get_string (r3, ROOT_PATH, GC_AGENT_IFACE, "Id");
  path2 = peer_path (id2);
  path3 = peer_path (id3);
  e = recorder_wait (on_src, "InterfacesAdded", path2, 3000);
  g_assert_nonnull (e);
  g_test_message ("peer 2 appeared %.0f ms after its agent was up", (e->t - ready2) / 1000.0);
  g_assert_cmpint (e->t - ready2, <=, 2 * G_USEC_PER_SEC);
  e = recorder_wait (on_src, "InterfacesAdded", path3, 3000);
  g_assert_nonnull (e);
  g_test_message ("peer 3 appeared %.0f ms after its agent was up", (e->t - ready3) / 1000.0);
  g_assert_cmpint (e->t - ready3, <=, 2 * G_USEC_PER_SEC);

  /* what a script sees: GetManagedObjects lists both, as receivers */
  objects = gdbus_expect_reply (AS_ROOT, src->bus_address, ROOT_PATH,
                                OM_IFACE ".GetManagedObjects", "(a{oa{sa{sv}}})", NULL);
  {
    g_autoptr (GVariant) tree = g_variant_get_child_value (objects, 0);
    g_autoptr (GVariant) o2 = g_variant_lookup_value (tree, path2, NULL);
    g_autoptr (GVariant) o3 = g_variant_lookup_value (tree, path3, NULL);
    g_autoptr (GVariant) p2 = o2 ? g_variant_lookup_value (o2, PEER_IFACE, NULL) : NULL;
    g_autoptr (GVariant) src_obj = g_variant_lookup_value (tree, GC_SOURCE_PATH, NULL);
    g_autofree const gchar **roles = NULL;
    const gchar *address = NULL;

    g_assert_nonnull (p2);
    g_assert_nonnull (o3);
    g_assert_nonnull (src_obj);
    g_assert_true (g_variant_lookup (p2, "Address", "&s", &address));
    g_assert_cmpstr (address, ==, "10.99.0.2");
    g_assert_true (g_variant_lookup (p2, "Roles", "^a&s", &roles));
    g_assert_true (g_strv_contains (roles, "receiver"));
  }

  g_assert_true (wait_knows (r2, src, 3000));
  g_assert_true (wait_knows (r3, src, 3000));

  /* Switch through the gdbus tool, one receiver by id, one by address */
  arg = g_strdup_printf ("['%s', '10.99.0.3']", id2);
  rows = gdbus_expect_reply (AS_ROOT, src->bus_address, GC_SOURCE_PATH,
                             GC_SOURCE_IFACE ".Switch", "(a(sbsd))", arg, NULL);
  list = g_variant_get_child_value (rows, 0);
  g_assert_cmpuint (g_variant_n_children (list), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const gchar *who, *msg;
      gboolean ok;
      gdouble ms;

      g_variant_get_child (list, i, "(&sb&sd)", &who, &ok, &msg, &ms);
      g_test_message ("switch %s: %s, %s, %.1f ms", who, ok ? "ok" : "failed", msg, ms);
      if (!ok)
        {
          GcTestAgent *all[] = { src, r2, r3 };

          g_test_fail ();
          gc_test_agent_dump_logs_on_failure (all, 3);
        }
      g_assert_true (ok);
    }
  /* the receivers say so on their own buses, and the bridge agrees */
  g_assert_true (gc_test_agent_wait_string (r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "playing", 5000));
  g_assert_true (gc_test_agent_wait_string (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "playing", 5000));
  g_assert_true (gc_test_agent_wait_string (r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE,
                                            "SourceUrl", url, 1000));
  g_assert_true (gc_test_agent_wait_string (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "Group",
                                            group, 2000));
  g_assert_true (wait_mdb (lab, group, 2, TRUE, 3000));
  g_assert_true (wait_mdb (lab, group, 3, TRUE, 3000));
  /* the source saw them join: signals and the Members property */
  g_assert_nonnull (recorder_wait (on_src, "MemberJoined", "10.99.0.2", 3000));
  g_assert_nonnull (recorder_wait (on_src, "MemberJoined", "10.99.0.3", 3000));
  g_assert_nonnull (recorder_find (on_src, "SwitchFinished", id2));
  g_assert_true (members_before_joined (on_src, "10.99.0.2"));
  g_assert_true (members_before_joined (on_src, "10.99.0.3"));
  g_assert_true (wait_member (src, "10.99.0.2", TRUE, 1000));
  g_assert_true (wait_member (src, "10.99.0.3", TRUE, 1000));

  /* steady streaming for 5 s: at most two PropertiesChanged a second per
   * object, each with counters that moved */
  gc_test_sleep (1000);
  t0 = g_get_monotonic_time ();
  gc_test_sleep (5000);
  t1 = g_get_monotonic_time ();
  rx = rate_of (on_r2, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "PacketsReceived", t0, t1);
  tx = rate_of (on_src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "PacketsSent", t0, t1);
  g_test_message ("in %.1f s: Receiver1 %u PropertiesChanged (%u with PacketsReceived, "
                  "%u rises, min gap %.0f ms); Source1 %u (%u with PacketsSent, %u rises, "
                  "min gap %.0f ms)", (t1 - t0) / 1e6, rx.n_all, rx.n, rx.increases,
                  rx.min_gap_us / 1000.0, tx.n_all, tx.n, tx.increases, tx.min_gap_us / 1000.0);
  if (g_test_verbose () || rx.n_all > 2 * (t1 - t0) / G_USEC_PER_SEC + 1
      || tx.n_all > 2 * (t1 - t0) / G_USEC_PER_SEC + 1)
    g_test_message ("%s%s", rx.log->str, tx.log->str);
  g_string_free (rx.log, TRUE);
  g_string_free (tx.log, TRUE);
  g_assert_cmpuint (rx.n_all, <=, 2 * (t1 - t0) / G_USEC_PER_SEC + 1);
  g_assert_cmpuint (tx.n_all, <=, 2 * (t1 - t0) / G_USEC_PER_SEC + 1);
  g_assert_cmpuint (rx.n, >=, 6);
  g_assert_cmpuint (tx.n, >=, 6);
  g_assert_cmpuint (rx.increases, ==, rx.n - 1);
  g_assert_cmpuint (tx.increases, ==, tx.n - 1);
  /* coalesced on a half-second tick, not emitted per packet */
  g_assert_cmpint (rx.min_gap_us, >=, 400 * 1000);
  g_assert_cmpint (tx.min_gap_us, >=, 400 * 1000);

  /* Release host 3 through GDBus: it leaves, and the source sees it go */
  ret = gc_test_agent_call (src, GC_SOURCE_PATH, GC_SOURCE_IFACE, "Release",
                            g_variant_new ("(^as)", (const gchar *[]) { "10.99.0.3", NULL }),
                            10000, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (ret, G_VARIANT_TYPE ("(a(sbsd))")));
  g_assert_true (gc_test_agent_wait_string (r3, GC_RECEIVER_PATH, GC_RECEIVER_IFACE, "State",
                                            "idle", 3000));
  g_assert_nonnull (recorder_wait (on_src, "MemberLeft", "10.99.0.3", 5000));
  g_assert_true (wait_member (src, "10.99.0.3", FALSE, 1000));
  g_assert_true (wait_member (src, "10.99.0.2", TRUE, 1000));
  g_assert_true (wait_mdb (lab, group, 3, FALSE, 3000));
  g_assert_true (gc_lab_mdb_has (lab, group, 2));

  /* a receiver that stops cleanly says goodbye: its object goes at once */
  t0 = g_get_monotonic_time ();
  gc_test_agent_stop (r3);
  e = recorder_wait (on_src, "InterfacesRemoved", path3, 4000);
  g_assert_nonnull (e);
  g_test_message ("peer 3 removed %.0f ms after SIGTERM", (e->t - t0) / 1000.0);
  /* one that dies without a word is dropped after three missed beacons */
  t0 = g_get_monotonic_time ();
  gc_test_agent_kill (r2);
  e = recorder_wait (on_src, "InterfacesRemoved", path2, 4500);
  g_assert_nonnull (e);
  g_test_message ("peer 2 removed %.0f ms after SIGKILL", (e->t - t0) / 1000.0);
  g_assert_true (agent_alive (src));
  {
    GcTestAgent *all[] = { src, r2, r3 };
    gc_test_agent_dump_logs_on_failure (all, 3);
  }
}

/* ---- the shipped system bus policy ------------------------------------- */

/* a bus configured like Debian's system bus (deny by default), with our
 * policy file included as the package installs it */
static const gchar policy_bus_conf[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>system</type>\n"
  "  <listen>unix:path=%s</listen>\n"
  "  <auth>EXTERNAL</auth>\n"
  "  <policy context=\"default\">\n"
  "    <allow user=\"*\"/>\n"
  "    <deny own=\"*\"/>\n"
  "    <deny send_type=\"method_call\"/>\n"
  "    <allow send_type=\"signal\"/>\n"
  "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
  "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
  "    <allow receive_type=\"method_call\"/>\n"
  "    <allow receive_type=\"method_return\"/>\n"
  "    <allow receive_type=\"error\"/>\n"
  "    <allow receive_type=\"signal\"/>\n"
  "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
  "    <allow send_destination=\"org.freedesktop.DBus\"\n"
  "           send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
  "  </policy>\n"
  "  <include>%s</include>\n"
  "</busconfig>\n";

static gboolean
run_quiet (const gchar *cmdline)
{
  g_auto (GStrv) argv = NULL;
  gint status = 0;

  if (!g_shell_parse_argv (cmdline, NULL, &argv, NULL)
      || !g_spawn_sync (NULL, argv, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                        | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

/* group "groupcast" and a system user in it, and the agent's own user as
 * sysusers.d/groupcast-agent.conf makes it: made once, kept (idempotent) */
static gboolean
ensure_test_user (gchar **reason)
{
  if (!run_quiet ("id " SERVICE_USER)
      && !run_quiet ("useradd --system --no-create-home --user-group "
                     "--shell /usr/sbin/nologin " SERVICE_USER))
    {
      *reason = g_strdup ("cannot create user " SERVICE_USER " (useradd)");
      return FALSE;
    }
  if (!run_quiet ("getent group groupcast") && !run_quiet ("groupadd --system groupcast"))
    {
      *reason = g_strdup ("cannot create group groupcast (groupadd)");
      return FALSE;
    }
  if (!run_quiet ("id " TEST_USER)
      && !run_quiet ("useradd --system --no-create-home --gid nogroup --groups groupcast "
                     "--shell /usr/sbin/nologin " TEST_USER))
    {
      *reason = g_strdup ("cannot create user " TEST_USER " (useradd)");
      return FALSE;
    }
  /* an older run may have made the user without the group */
  if (!run_quiet ("sh -c 'id -nG " TEST_USER " | grep -qw groupcast'")
      && !run_quiet ("usermod -a -G groupcast " TEST_USER))
    {
      *reason = g_strdup ("cannot add " TEST_USER " to group groupcast");
      return FALSE;
    }
  return TRUE;
}

static gboolean
name_has_owner (gpointer data)
{
  GDBusConnection *bus = data;
  g_autoptr (GVariant) r = NULL;
  gboolean has = FALSE;

  r = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "NameHasOwner",
                                   g_variant_new ("(s)", GC_DBUS_NAME), G_VARIANT_TYPE ("(b)"),
                                   G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  if (r != NULL)
    g_variant_get (r, "(b)", &has);
  return has;
}

static gboolean
source_ready (gpointer data)
{
  GDBusConnection *bus = data;
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GVariant) v = NULL;

  r = g_dbus_connection_call_sync (bus, GC_DBUS_NAME, GC_SOURCE_PATH,
                                   "org.freedesktop.DBus.Properties", "Get",
                                   g_variant_new ("(ss)", GC_SOURCE_IFACE, "State"),
                                   G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 1000, NULL,
                                   NULL);
  if (r == NULL)
    return FALSE;
  g_variant_get (r, "(v)", &v);
  return g_strcmp0 (g_variant_get_string (v, NULL), "ready") == 0;
}

static void
call_root (GDBusConnection *bus, const gchar *method)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = g_dbus_connection_call_sync (bus, GC_DBUS_NAME, GC_SOURCE_PATH,
                                                        GC_SOURCE_IFACE, method, NULL, NULL,
                                                        G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
                                                        &error);

  g_assert_no_error (error);
}

static void
test_policy (void)
{
  g_autoptr (GcLab) lab = NULL;
  g_autofree gchar *reason = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *socket = NULL, *address = NULL, *conf_path = NULL, *conf = NULL;
  g_autofree gchar *conf_arg = NULL, *addr_arg = NULL, *state_arg = NULL, *log_path = NULL;
  g_autofree gchar *mon_path = NULL, *mon_text = NULL, *msg = NULL, *listen_arg = NULL;
  g_autoptr (GSubprocessLauncher) quiet = NULL;
  g_autoptr (GSubprocessLauncher) logged = NULL;
  g_autoptr (GSubprocessLauncher) mon_launcher = NULL;
  g_autoptr (GSubprocess) daemon = NULL;
  g_autoptr (GSubprocess) agent = NULL;
  g_autoptr (GSubprocess) monitor = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant) v = NULL;
  const gchar *policy = GC_SOURCE_DIR "/data/dbus/io.github.Groupcast.conf";

  if (geteuid () != 0)
    {
      g_test_skip ("the policy test needs root: to own the name as root and to run "
                   "gdbus as other users");
      return;
    }
  if (!g_file_test ("/usr/bin/setpriv", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("the policy test needs setpriv (util-linux)");
      return;
    }
  if (!ensure_test_user (&reason))
    {
      g_test_skip (reason);
      return;
    }
  lab = gc_lab_new_or_skip (2);
  if (lab == NULL)
    return;

  /* our own system-like bus, with the shipped policy file included */
  socket = g_build_filename (gc_lab_host_dir (lab, 1), "policy_bus_socket", NULL);
  conf_path = g_build_filename (gc_lab_host_dir (lab, 1), "policy-bus.conf", NULL);
  conf = g_strdup_printf (policy_bus_conf, socket, policy);
  g_file_set_contents (conf_path, conf, -1, &error);
  g_assert_no_error (error);
  conf_arg = g_strdup_printf ("--config-file=%s", conf_path);
  quiet = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  daemon = gc_lab_spawn (lab, 1, quiet, &error, "dbus-daemon", conf_arg, "--nofork",
                         "--nopidfile", NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 100 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (20 * 1000);
  /* a policy file the daemon cannot parse stops it here */
  g_assert_true (g_file_test (socket, G_FILE_TEST_EXISTS));
  address = g_strdup_printf ("unix:path=%s", socket);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (bus, FALSE);

  /* the agent, as its own user (as groupcast-agent.service runs it), owns
   * the name on it; its state directory is root's here, so it derives its id */
  addr_arg = g_strdup_printf ("--bus-address=%s", address);
  state_arg = g_strdup_printf ("--state-dir=%s", gc_lab_host_dir (lab, 1));
  log_path = g_build_filename (gc_lab_host_dir (lab, 1), "agent.log", NULL);
  logged = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdout_file_path (logged, log_path);
  g_subprocess_launcher_set_stderr_file_path (logged, log_path);
  g_subprocess_launcher_setenv (logged, "G_DEBUG", "fatal-criticals", TRUE);
  agent = gc_lab_spawn (lab, 1, logged, &error, "setpriv", "--reuid=" SERVICE_USER,
                        "--regid=" SERVICE_USER, "--init-groups", gc_test_agent_binary (),
                        "--source",
                        "--interface=eth0", "--no-mdns", "--no-beacons", "--name=host1",
                        state_arg, addr_arg, SMALL, NULL);
  g_assert_no_error (error);
  g_assert_true (gc_test_wait_until (name_has_owner, bus, 10000));
  g_assert_true (gc_test_wait_until (source_ready, bus, 10000));

  /* nobody: reads, lists, introspects ... */
  v = gdbus_expect_reply (AS_NOBODY, address, GC_SOURCE_PATH,
                          "org.freedesktop.DBus.Properties.GetAll", "(a{sv})", GC_SOURCE_IFACE,
                          NULL);
  {
    g_autoptr (GVariant) props = g_variant_get_child_value (v, 0);

    g_assert_true (g_variant_lookup (props, "State", "&s", NULL));
  }
  g_clear_pointer (&v, g_variant_unref);
  v = gdbus_expect_reply (AS_NOBODY, address, ROOT_PATH, "org.freedesktop.DBus.Properties.Get",
                          "(v)", GC_AGENT_IFACE, "Name", NULL);
  g_clear_pointer (&v, g_variant_unref);
  v = gdbus_expect_reply (AS_NOBODY, address, ROOT_PATH, OM_IFACE ".GetManagedObjects",
                          "(a{oa{sa{sv}}})", NULL);
  g_clear_pointer (&v, g_variant_unref);
  v = gdbus_expect_reply (AS_NOBODY, address, GC_SOURCE_PATH,
                          "org.freedesktop.DBus.Introspectable.Introspect", "(s)", NULL);
  g_clear_pointer (&v, g_variant_unref);
  /* ... but moves nothing, sets nothing, and cannot take the name */
  g_free (gdbus_expect_error (AS_NOBODY, address, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                              "org.freedesktop.DBus.Error.AccessDenied", "['10.99.0.2']", NULL));
  g_free (gdbus_expect_error (AS_NOBODY, address, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Stop",
                              "org.freedesktop.DBus.Error.AccessDenied", NULL));
  g_free (gdbus_expect_error (AS_NOBODY, address, GC_SOURCE_PATH,
                              GC_SOURCE_IFACE ".ForceKeyFrame",
                              "org.freedesktop.DBus.Error.AccessDenied", NULL));
  g_free (gdbus_expect_error (AS_NOBODY, address, GC_SOURCE_PATH,
                              "org.freedesktop.DBus.Properties.Set",
                              "org.freedesktop.DBus.Error.AccessDenied", GC_SOURCE_IFACE,
                              "State", "<'stopped'>", NULL));
  /* not even a member of group groupcast may own the name */
  g_free (gdbus_expect_error (AS_MEMBER, address, "/org/freedesktop/DBus",
                              "org.freedesktop.DBus.RequestName",
                              "org.freedesktop.DBus.Error.AccessDenied", GC_DBUS_NAME, "4", NULL));

  /* anyone receives signals: nobody watches while root stops and starts */
  mon_path = g_build_filename (gc_lab_host_dir (lab, 1), "monitor.txt", NULL);
  listen_arg = g_strdup (address);
  mon_launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_stdout_file_path (mon_launcher, mon_path);
  monitor = g_subprocess_launcher_spawn (mon_launcher, &error, "setpriv", "--reuid=nobody",
                                         "--regid=nogroup", "--clear-groups", "gdbus", "monitor",
                                         "--address", listen_arg, "--dest", GC_DBUS_NAME, NULL);
  g_assert_no_error (error);
  gc_test_sleep (500);
  call_root (bus, "Stop");
  gc_test_sleep (300);
  call_root (bus, "Start");
  g_assert_true (gc_test_wait_until (source_ready, bus, 10000));
  gc_test_sleep (500);
  g_subprocess_force_exit (monitor);
  g_subprocess_wait (monitor, NULL, NULL);
  g_file_get_contents (mon_path, &mon_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (mon_text, "'State': <'stopped'>"));
  g_assert_nonnull (strstr (mon_text, "'State': <'ready'>"));

  /* a member of group groupcast may call methods */
  g_variant_unref (gdbus_expect_reply (AS_MEMBER, address, GC_SOURCE_PATH,
                                       GC_SOURCE_IFACE ".ForceKeyFrame", "()", NULL));
  v = gdbus_expect_reply (AS_MEMBER, address, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                          "(a(sbsd))", "['10.99.0.2']", NULL);
  g_clear_pointer (&v, g_variant_unref);
  /* the agent's own errors still reach a member: the call got through */
  msg = gdbus_expect_error (AS_MEMBER, address, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                            "io.github.Groupcast.Error.InvalidArgs", "[]", NULL);
  /* and root, of course */
  v = gdbus_expect_reply (AS_ROOT, address, GC_SOURCE_PATH, GC_SOURCE_IFACE ".Switch",
                          "(a(sbsd))", "['10.99.0.2']", NULL);
  g_clear_pointer (&v, g_variant_unref);
  g_variant_unref (gdbus_expect_reply (AS_ROOT, address, GC_SOURCE_PATH,
                                       GC_SOURCE_IFACE ".ForceKeyFrame", "()", NULL));
  /* a site's first key is root's to make, not a member's; root's call gets
   * through to the agent, whose user cannot write root's state directory */
  g_free (gdbus_expect_error (AS_MEMBER, address, ROOT_PATH, GC_AGENT_IFACE ".CreateSiteKey",
                              "org.freedesktop.DBus.Error.AccessDenied", NULL));
  g_free (msg);
  msg = gdbus_expect_error (AS_ROOT, address, ROOT_PATH, GC_AGENT_IFACE ".CreateSiteKey",
                            "io.github.Groupcast.Error.Failed", NULL);
  g_assert_nonnull (strstr (msg, "cannot make a site key"));

  g_assert_nonnull (g_subprocess_get_identifier (agent));
  if (g_test_failed ())
    {
      g_autofree gchar *log = NULL;

      g_file_get_contents (log_path, &log, NULL, NULL);
      g_test_message ("--- agent log ---\n%s", log);
    }
  g_subprocess_send_signal (agent, SIGTERM);
  g_subprocess_wait (agent, NULL, NULL);
  g_subprocess_force_exit (daemon);
  g_subprocess_wait (daemon, NULL, NULL);
}

/* ---- session activation ----------------------------------------------- */

static const gchar activation_bus_conf[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>session</type>\n"
  "  <listen>unix:path=%s</listen>\n"
  "  <auth>EXTERNAL</auth>\n"
  "  <servicedir>%s</servicedir>\n"
  "  <policy context=\"default\">\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "    <allow own=\"*\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

static void
test_activation (void)
{
  g_autoptr (GcLab) lab = gc_lab_new_or_skip (1);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *socket = NULL, *address = NULL, *conf_path = NULL, *conf = NULL;
  g_autofree gchar *conf_arg = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) daemon = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GVariant) v = NULL;
  g_autofree const gchar **roles = NULL;
  guint32 pid = 0;

  if (lab == NULL)
    return;
  /* a session bus whose service directory holds the activation file made
   * from data/dbus/io.github.Groupcast.service.in; the agent it starts
   * lives in the lab host, like the bus */
  socket = g_build_filename (gc_lab_host_dir (lab, 1), "session_bus_socket", NULL);
  conf_path = g_build_filename (gc_lab_host_dir (lab, 1), "session-bus.conf", NULL);
  conf = g_strdup_printf (activation_bus_conf, socket, GC_TEST_SERVICE_DIR);
  g_file_set_contents (conf_path, conf, -1, &error);
  g_assert_no_error (error);
  conf_arg = g_strdup_printf ("--config-file=%s", conf_path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* the activated agent keeps its id here, not in the caller's home */
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", gc_lab_host_dir (lab, 1), TRUE);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  daemon = gc_lab_spawn (lab, 1, launcher, &error, "dbus-daemon", conf_arg, "--nofork",
                         "--nopidfile", NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 100 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (20 * 1000);
  g_assert_true (g_file_test (socket, G_FILE_TEST_EXISTS));
  address = g_strdup_printf ("unix:path=%s", socket);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (bus, FALSE);
  g_assert_false (name_has_owner (bus));

  /* the first call, as the panel makes it, starts the agent */
  r = g_dbus_connection_call_sync (bus, GC_DBUS_NAME, ROOT_PATH,
                                   "org.freedesktop.DBus.Properties", "Get",
                                   g_variant_new ("(ss)", GC_AGENT_IFACE, "Roles"),
                                   G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 20000, NULL,
                                   &error);
  g_assert_no_error (error);
  g_variant_get (r, "(v)", &v);
  roles = g_variant_get_strv (v, NULL);
  g_assert_true (g_strv_contains (roles, "source"));
  g_assert_true (g_strv_contains (roles, "receiver"));
  /* a desktop agent: it shares when the user starts sharing */
  g_assert_false (source_ready (bus));
  g_clear_pointer (&r, g_variant_unref);
  r = g_dbus_connection_call_sync (bus, GC_DBUS_NAME, GC_SOURCE_PATH, GC_SOURCE_IFACE,
                                   "StartWith", g_variant_new_parsed ("({'capture': <'test'>},)"),
                                   NULL, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (gc_test_wait_until (source_ready, bus, 10000));

  /* stop the agent we caused to start, by its pid */
  g_clear_pointer (&r, g_variant_unref);
  r = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                   g_variant_new ("(s)", GC_DBUS_NAME), G_VARIANT_TYPE ("(u)"),
                                   G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (r, "(u)", &pid);
  g_assert_cmpuint (pid, >, 1);
  kill ((pid_t) pid, SIGTERM);
  g_subprocess_force_exit (daemon);
  g_subprocess_wait (daemon, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/dbus/errors", test_errors);
  g_test_add_func ("/groupcast/dbus/switch", test_switch);
  g_test_add_func ("/groupcast/dbus/policy", test_policy);
  g_test_add_func ("/groupcast/dbus/activation", test_activation);
  return g_test_run ();
}
