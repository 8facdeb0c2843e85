/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-pipewire-watch.h"
#include "gc-error.h"

#include <fcntl.h>
#include <pipewire/pipewire.h>
#include <unistd.h>

struct _GcPipewireWatch
{
  GObject parent_instance;

  guint32 node;
  GMainContext *context;
  struct pw_thread_loop *loop;
  struct pw_context *pw;
  struct pw_core *core;
  struct pw_registry *registry;
  struct spa_hook core_listener;
  struct spa_hook registry_listener;
  gboolean gone;           /* the loop's thread only */
};

G_DEFINE_FINAL_TYPE (GcPipewireWatch, gc_pipewire_watch, G_TYPE_OBJECT)

enum
{
  SIGNAL_GONE,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static gboolean
gone_on_loop (gpointer data)
{
  GcPipewireWatch *self = data;

  g_signal_emit (self, signals[SIGNAL_GONE], 0);
  return G_SOURCE_REMOVE;
}

/* the loop's thread: once, to the main loop (the watch is held until then) */
static void
report_gone (GcPipewireWatch *self)
{
  if (self->gone)
    return;
  self->gone = TRUE;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, gone_on_loop,
                              g_object_ref (self), g_object_unref);
}

static void
on_global_remove (void *data, uint32_t id)
{
  GcPipewireWatch *self = data;

  if (id == self->node)
    report_gone (self);
}

static const struct pw_registry_events registry_events = {
  PW_VERSION_REGISTRY_EVENTS,
  .global_remove = on_global_remove,
};

static void
on_core_error (void *data, uint32_t id, int seq, int res, const char *message)
{
  GcPipewireWatch *self = data;

  /* the remote itself went (PipeWire stopped, the portal closed it) */
  if (id == PW_ID_CORE && res == -EPIPE)
    report_gone (self);
}

static const struct pw_core_events core_events = {
  PW_VERSION_CORE_EVENTS,
  .error = on_core_error,
};

/* @fd: the portal's PipeWire remote (duplicated; the caller keeps its own) */
GcPipewireWatch *
gc_pipewire_watch_new (gint fd, guint32 node, GError **error)
{
  g_autoptr (GcPipewireWatch) self = g_object_new (GC_TYPE_PIPEWIRE_WATCH, NULL);
  gint own = fcntl (fd, F_DUPFD_CLOEXEC, 3);

  self->node = node;
  if (own < 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "the PipeWire fd: %s", g_strerror (errno));
      return NULL;
    }
  self->loop = pw_thread_loop_new ("gc-pw-watch", NULL);
  self->pw = self->loop != NULL
             ? pw_context_new (pw_thread_loop_get_loop (self->loop), NULL, 0) : NULL;
  if (self->pw == NULL)
    {
      close (own);
      g_set_error_literal (error, GC_ERROR, GC_ERROR_FAILED, "cannot start a PipeWire loop");
      return NULL;
    }
  pw_thread_loop_lock (self->loop);
  /* the context takes the fd */
  self->core = pw_context_connect_fd (self->pw, own, NULL, 0);
  if (self->core != NULL)
    {
      pw_core_add_listener (self->core, &self->core_listener, &core_events, self);
      self->registry = pw_core_get_registry (self->core, PW_VERSION_REGISTRY, 0);
      pw_registry_add_listener (self->registry, &self->registry_listener, &registry_events, self);
    }
  pw_thread_loop_unlock (self->loop);
  if (self->core == NULL || pw_thread_loop_start (self->loop) < 0)
    {
      g_set_error (error, GC_ERROR, GC_ERROR_FAILED, "cannot watch the PipeWire stream: %s",
                   g_strerror (errno));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* is there a PipeWire in this session at all? a local socket's connect,
 * before the desktop's dialog: without one the portal may never answer */
gboolean
gc_pipewire_check (GError **error)
{
  struct pw_loop *loop;
  struct pw_context *context;
  struct pw_core *core;
  gint err;

  pw_init (NULL, NULL);
  loop = pw_loop_new (NULL);
  context = loop != NULL ? pw_context_new (loop, NULL, 0) : NULL;
  core = context != NULL ? pw_context_connect (context, NULL, 0) : NULL;
  err = errno;
  if (core != NULL)
    pw_core_disconnect (core);
  if (context != NULL)
    pw_context_destroy (context);
  if (loop != NULL)
    pw_loop_destroy (loop);
  if (core == NULL)
    {
      g_debug ("PipeWire connect: %s", g_strerror (err));
      g_set_error_literal (error, GC_ERROR, GC_ERROR_NOT_SUPPORTED,
                           "no PipeWire in this session: screen sharing on Wayland goes "
                           "through it; start it (systemctl --user start pipewire "
                           "wireplumber)");
      return FALSE;
    }
  return TRUE;
}

static void
gc_pipewire_watch_dispose (GObject *object)
{
  GcPipewireWatch *self = GC_PIPEWIRE_WATCH (object);

  /* the thread first, then what it used */
  if (self->loop != NULL)
    pw_thread_loop_stop (self->loop);
  if (self->registry != NULL)
    {
      spa_hook_remove (&self->registry_listener);
      pw_proxy_destroy ((struct pw_proxy *) self->registry);
      self->registry = NULL;
    }
  if (self->core != NULL)
    {
      spa_hook_remove (&self->core_listener);
      pw_core_disconnect (self->core);
      self->core = NULL;
    }
  g_clear_pointer (&self->pw, pw_context_destroy);
  g_clear_pointer (&self->loop, pw_thread_loop_destroy);
  G_OBJECT_CLASS (gc_pipewire_watch_parent_class)->dispose (object);
}

static void
gc_pipewire_watch_finalize (GObject *object)
{
  GcPipewireWatch *self = GC_PIPEWIRE_WATCH (object);

  g_main_context_unref (self->context);
  G_OBJECT_CLASS (gc_pipewire_watch_parent_class)->finalize (object);
}

static void
gc_pipewire_watch_class_init (GcPipewireWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gc_pipewire_watch_dispose;
  object_class->finalize = gc_pipewire_watch_finalize;

  /* the node (or the whole remote) went away */
  signals[SIGNAL_GONE] = g_signal_new ("gone", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
  pw_init (NULL, NULL);
}

static void
gc_pipewire_watch_init (GcPipewireWatch *self)
{
  self->context = g_main_context_ref_thread_default ();
}
