/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "gc-config.h"
#include "gc-error.h"

static gboolean
parse (GcConfig *c, GError **error, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  gchar **argv;
  gint argc;
  gboolean ok;
  va_list ap;

  g_ptr_array_add (args, "groupcast-agent");
  va_start (ap, error);
  for (const gchar *a = va_arg (ap, const gchar *); a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  argc = args->len - 1;
  argv = g_memdup2 (args->pdata, args->len * sizeof (gchar *));
  {
    gchar **copy = argv;

    ok = gc_config_parse_args (c, &argc, &argv, error) && gc_config_validate (c, error);
    g_free (copy);
  }
  return ok;
}

static void
test_defaults (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;

  g_assert_true (parse (c, &error, "--source", NULL));
  g_assert_no_error (error);
  g_assert_true (c->source);
  g_assert_false (c->receiver);
  g_assert_cmpuint (c->rtsp_port, ==, 7236);
  g_assert_cmpuint (c->rtp_port, ==, 15550);
  g_assert_cmpuint (c->control_port, ==, 7237);
  g_assert_cmpuint (c->ttl, ==, 1);
  g_assert_cmpstr (c->mount, ==, "/screen");
  g_assert_null (c->group);
  g_assert_false (c->group_explicit);
  g_assert_cmpuint (c->latency_ms, <=, 50);
}

typedef struct
{
  const gchar *args[4];
  const gchar *needle; /* the message must name the bad value */
} BadCase;

static void
test_bad_values (void)
{
  static const BadCase cases[] = {
    { { "--source", "--rtp-port=15551" }, "15551" },
    { { "--source", "--rtp-port=80" }, "80" },
    { { "--source", "--group=10.0.0.1" }, "10.0.0.1" },
    { { "--source", "--group=224.0.0.5" }, "224.0.0.5" },
    { { "--source", "--group=banana" }, "banana" },
    { { "--source", "--ttl=0" }, "ttl" },
    { { "--source", "--ttl=300" }, "300" },
    { { "--source", "--width=641" }, "641" },
    { { "--source", "--rtsp-port=70000" }, "70000" },
    { { "--source", "--mount=screen" }, "screen" },
    { { "--receiver", "--connect=http://x/" }, "http://x/" },
    { { "--source", "--interface=nosuchif0" }, "nosuchif0" },
    { { "--source", "--bus=moon" }, "moon" },
    { { "--source", "--latency=-3" }, "-3" },
    { { "--source", "--audio-port=15553" }, "15553" },
    { { "--source", "--audio-port=15550" }, "15550" },
    { { "--source", "--audio-port=15551" }, "15551" },
    { { "--source", "--audio=loud" }, "loud" },
    { { "--source", "--audio-frame=15" }, "15" },
    { { "--source", "--audio-frame=40" }, "40" },
    { { "--source", "--fec=lots" }, "lots" },
    { { "--source", "--fec=0" }, "fec '0'" },
    { { "--source", "--fec=101%" }, "101%" },
    { { "--source", "--audio=alsa:" }, "alsa:" },
    { { "--source", "--audio=pulse:a\"b" }, "pulse:a\"b" },
    { { "--receiver", "--audio-sink=speaker" }, "speaker" },
    { { "--receiver", "--audio-sink=alsa:hw 0" }, "alsa:hw 0" },
    { { NULL }, "role" },
    { { "--source", "stray" }, "stray" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GcConfig) c = gc_config_new_default ();
      g_autoptr (GError) error = NULL;
      const gchar *const *a = cases[i].args;

      g_assert_false (parse (c, &error, a[0], a[1], a[2], NULL));
      g_assert_nonnull (error);
      g_test_message ("%s %s -> %s", a[0] ? a[0] : "", a[1] ? a[1] : "", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
}

/* FEC levels: on by default at 25 % */
static void
test_fec (void)
{
  static const struct { const gchar *arg; guint pct; } cases[] = {
    { NULL, 25 }, { "--fec=none", 0 }, { "--fec=low", 10 }, { "--fec=HIGH", 25 },
    { "--fec=40", 40 }, { "--fec=15%", 15 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GcConfig) c = gc_config_new_default ();
      g_autoptr (GError) error = NULL;

      g_assert_true (parse (c, &error, "--source", cases[i].arg, NULL));
      g_assert_no_error (error);
      g_assert_cmpuint (c->fec_percentage, ==, cases[i].pct);
    }
}

/* the sound's words and port */
static void
test_audio (void)
{
  const gchar *good[] = { "test", "desktop", "none", "pulse:alsa_input.usb-mic", "alsa:hw:1,0" };
  const gchar *bad[] = { "", "Test", "pulse:", "alsa:hw\\0", "file:/tmp/x", "pulse:a b" };
  const gchar *sinks[] = { "auto", "pulse", "fake", "none", "alsa:hw:0" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (gc_config_audio_is_valid (good[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (gc_config_audio_is_valid (bad[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (sinks); i++)
    g_assert_true (gc_config_audio_sink_is_valid (sinks[i]));
  g_assert_false (gc_config_audio_sink_is_valid ("alsa:"));
  g_assert_false (gc_config_audio_sink_is_valid (NULL));
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    /* the next pair after the picture's, unless told */
    g_assert_cmpuint (gc_config_audio_port (c), ==, 15552);
    c->rtp_port = 65534;
    g_assert_cmpuint (gc_config_audio_port (c), ==, 65532);
    c->audio_port = 20000;
    g_assert_cmpuint (gc_config_audio_port (c), ==, 20000);
  }
}

static void
test_config_file (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = NULL;
  gint fd = g_file_open_tmp ("gc-config-XXXXXX.ini", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, "[agent]\nsource=true\nname=Room 101\nttl=4\ngroup=239.1.2.3\n",
                       -1, &error);
  g_assert_no_error (error);
  {
    g_autofree gchar *opt = g_strdup_printf ("--config=%s", path);

    /* the command line wins over the file */
    g_assert_true (parse (c, &error, opt, "--ttl=2", NULL));
  }
  g_assert_no_error (error);
  g_assert_true (c->source);
  g_assert_cmpstr (c->name, ==, "Room 101");
  g_assert_cmpuint (c->ttl, ==, 2);
  g_assert_cmpstr (c->group, ==, "239.1.2.3");
  g_unlink (path);
}

static void
test_config_file_errors (void)
{
  const gchar *bodies[] = {
    "[agent]\nsource=maybe\n",
    "[agent]\nflux=1\n",
    "[other]\nsource=true\n",
    "not a key file\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (GcConfig) c = gc_config_new_default ();
      g_autoptr (GError) error = NULL;
      g_autofree gchar *path = NULL;
      g_autofree gchar *opt = NULL;
      gint fd = g_file_open_tmp ("gc-config-XXXXXX.ini", &path, NULL);

      close (fd);
      g_file_set_contents (path, bodies[i], -1, NULL);
      opt = g_strdup_printf ("--config=%s", path);
      g_assert_false (parse (c, &error, opt, NULL));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, path));
      g_unlink (path);
    }
}

/* key= inline: only in a file as private as a key file */
static void
test_inline_key (void)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *opt = NULL;
  gint fd = g_file_open_tmp ("gc-config-XXXXXX.ini", &path, NULL);

  close (fd);
  g_file_set_contents (path, "[agent]\nreceiver=true\nkey=inline-site-key-text\n", -1, NULL);
  opt = g_strdup_printf ("--config=%s", path);
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();
    g_autoptr (GError) error = NULL;

    g_assert_cmpint (g_chmod (path, 0644), ==, 0);
    g_assert_false (parse (c, &error, opt, NULL));
    g_assert_error (error, GC_ERROR, GC_ERROR_INVALID_ARGS);
    g_assert_nonnull (strstr (error->message, "0644"));
    g_assert_null (strstr (error->message, "inline-site-key-text"));
    /* nothing was taken from it */
    g_assert_null (c->key_string);
  }
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();
    g_autoptr (GError) error = NULL;

    g_assert_cmpint (g_chmod (path, 0600), ==, 0);
    g_assert_true (parse (c, &error, opt, NULL));
    g_assert_no_error (error);
    g_assert_cmpstr (c->key_string, ==, "inline-site-key-text");
  }
  /* without key=, a readable config file is fine */
  g_file_set_contents (path, "[agent]\nreceiver=true\n", -1, NULL);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();
    g_autoptr (GError) error = NULL;

    g_assert_true (parse (c, &error, opt, NULL));
    g_assert_no_error (error);
  }
  g_unlink (path);
}

/* the announced address: never a container bridge's or a tunnel's when
 * the LAN has one */
/* the system unit's ConfigurationDirectory=: its agent.conf is read when
 * present and --config is not given; an absent one is no error; a bad one
 * stops the agent naming the file */
static void
test_configuration_directory (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("gc-confdir-XXXXXX", &error);
  g_autofree gchar *path = NULL;
  g_autofree gchar *other = NULL;

  g_assert_no_error (error);
  g_setenv ("CONFIGURATION_DIRECTORY", dir, TRUE);
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    g_assert_true (parse (c, &error, "--source", NULL));
    g_assert_no_error (error);
    g_assert_cmpstr (c->name, ==, g_get_host_name ());
  }
  path = g_build_filename (dir, "agent.conf", NULL);
  g_file_set_contents (path, "[agent]\nname=Room 9\nttl=3\n", -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    g_assert_true (parse (c, &error, "--source", "--ttl=5", NULL));
    g_assert_no_error (error);
    g_assert_cmpstr (c->name, ==, "Room 9");
    g_assert_cmpuint (c->ttl, ==, 5);
  }
  /* --config names another file: the directory's is not read */
  other = g_build_filename (dir, "other.conf", NULL);
  g_file_set_contents (other, "[agent]\nttl=7\n", -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();
    g_autofree gchar *opt = g_strdup_printf ("--config=%s", other);

    g_assert_true (parse (c, &error, "--source", opt, NULL));
    g_assert_no_error (error);
    g_assert_cmpstr (c->name, ==, g_get_host_name ());
    g_assert_cmpuint (c->ttl, ==, 7);
  }
  g_file_set_contents (path, "[agent]\nttl=0\n", -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    g_assert_false (parse (c, &error, "--source", NULL));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, path));
    g_clear_error (&error);
  }
  g_unsetenv ("CONFIGURATION_DIRECTORY");
  g_unlink (path);
  g_unlink (other);
  g_rmdir (dir);
}

/* --version needs no role and reads no file */
static void
test_version (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  const gchar *args[] = { "groupcast-agent", "--version", "--config=/nonexistent", NULL };
  gchar **argv = g_memdup2 (args, sizeof args);
  gchar **copy = argv;
  gint argc = 3;

  g_assert_true (gc_config_parse_args (c, &argc, &argv, &error));
  g_assert_no_error (error);
  g_assert_true (c->version);
  g_free (copy);
}

/* --new-site-key FILE needs no role either, and no config file */
static void
test_new_site_key_option (void)
{
  g_autoptr (GcConfig) c = gc_config_new_default ();
  g_autoptr (GError) error = NULL;
  const gchar *args[] = { "groupcast-agent", "--new-site-key", "/tmp/x/site.key", NULL };
  gchar **argv = g_memdup2 (args, sizeof args);
  gchar **copy = argv;
  gint argc = 3;

  g_assert_true (gc_config_parse_args (c, &argc, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c->new_site_key, ==, "/tmp/x/site.key");
  g_assert_false (c->version);
  g_free (copy);
}

static void
test_pick_address (void)
{
  const GcIfAddress docker_first[] = {
    { "lo", "127.0.0.1", TRUE },
    { "docker0", "172.17.0.1", FALSE },
    { "wg0", "10.8.0.2", FALSE },
    { "eth0", "192.168.1.20", FALSE },
    { "eth0", "192.168.1.21", FALSE },
  };
  const GcIfAddress only_virtual[] = {
    { "lo", "127.0.0.1", TRUE },
    { "tun0", "10.8.0.2", FALSE },
  };
  const GcIfAddress only_lo[] = { { "lo", "127.0.0.1", TRUE } };

  /* --interface: that interface's first address, whatever it is */
  g_assert_cmpint (gc_config_pick_address (docker_first, 5, "eth0", NULL), ==, 3);
  g_assert_cmpint (gc_config_pick_address (docker_first, 5, "docker0", NULL), ==, 1);
  g_assert_cmpint (gc_config_pick_address (docker_first, 5, "eth1", NULL), ==, -1);
  /* no --interface: the default route's, or the first LAN-looking one */
  g_assert_cmpint (gc_config_pick_address (docker_first, 5, NULL, "eth0"), ==, 3);
  g_assert_cmpint (gc_config_pick_address (docker_first, 5, NULL, NULL), ==, 3);
  /* a full-tunnel VPN holds the default route: still the LAN */
  g_assert_cmpint (gc_config_pick_address (docker_first, 5, NULL, "wg0"), ==, 3);
  /* only virtual ones: better than nothing */
  g_assert_cmpint (gc_config_pick_address (only_virtual, 2, NULL, NULL), ==, 1);
  g_assert_cmpint (gc_config_pick_address (only_lo, 1, NULL, NULL), ==, -1);
  g_assert_true (gc_config_interface_is_virtual ("docker0"));
  g_assert_true (gc_config_interface_is_virtual ("br-3f2a1b"));
  g_assert_true (gc_config_interface_is_virtual ("tailscale0"));
  g_assert_false (gc_config_interface_is_virtual ("eth0"));
  g_assert_false (gc_config_interface_is_virtual ("enp3s0"));
  g_assert_false (gc_config_interface_is_virtual ("wlan0"));
}

static gchar *config_home;   /* XDG_CONFIG_HOME of this test, set in main */

/* a desktop agent reads its user's key from ~/.config/groupcast/site.key
 * (where the panel's banner says to put it) when there is one and no
 * other is given; a board's agent does not look there */
static void
test_desktop_key (void)
{
  g_autofree gchar *dir = g_build_filename (config_home, "groupcast", NULL);
  g_autofree gchar *path = g_build_filename (dir, "site.key", NULL);

  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    g_assert_true (parse (c, NULL, "--desktop", "--source", NULL));
    g_assert_null (c->key_file);
  }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "a desktop's site key", -1, NULL));
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    g_assert_true (parse (c, NULL, "--desktop", "--source", NULL));
    g_assert_cmpstr (c->key_file, ==, path);
  }
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    g_assert_true (parse (c, NULL, "--desktop", "--source", "--key-file=/etc/groupcast/site.key", NULL));
    g_assert_cmpstr (c->key_file, ==, "/etc/groupcast/site.key");
  }
  {
    g_autoptr (GcConfig) c = gc_config_new_default ();

    g_assert_true (parse (c, NULL, "--receiver", NULL));
    g_assert_null (c->key_file);
  }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  /* before anything asks GLib for the user's config directory */
  config_home = g_dir_make_tmp ("gc-config-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/groupcast/config/desktop-key", test_desktop_key);
  g_test_add_func ("/groupcast/config/defaults", test_defaults);
  g_test_add_func ("/groupcast/config/bad-values", test_bad_values);
  g_test_add_func ("/groupcast/config/audio", test_audio);
  g_test_add_func ("/groupcast/config/fec", test_fec);
  g_test_add_func ("/groupcast/config/file", test_config_file);
  g_test_add_func ("/groupcast/config/file-errors", test_config_file_errors);
  g_test_add_func ("/groupcast/config/pick-address", test_pick_address);
  g_test_add_func ("/groupcast/config/inline-key", test_inline_key);
  g_test_add_func ("/groupcast/config/configuration-directory", test_configuration_directory);
  g_test_add_func ("/groupcast/config/version", test_version);
  g_test_add_func ("/groupcast/config/new-site-key", test_new_site_key_option);
  status = g_test_run ();
  g_rmdir (config_home);
  g_free (config_home);
  return status;
}
