/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSwitcher"

#include "config.h"

#include "gc-switcher.h"

#include <glib/gi18n.h>

#include "gc-util.h"

/* a switch (or release) of some receivers, as the panel keeps track of
 * it: every item is marked running, then gets its own result as
 * Source1.SwitchFinished brings it, or from its row of the reply. a row the
 * reply leaves out, or a call that fails as a whole, marks the items still
 * running failed. no widget code: the window triggers a run and shows the
 * error */
struct _GcSwitcher
{
  GObject parent_instance;

  GcDBusSource1 *source;
  GcPeerList *followed;   /* its items get every result, whoever switched */
  gulong followed_id;
};

G_DEFINE_FINAL_TYPE (GcSwitcher, gc_switcher, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* the task data of one run */
typedef struct
{
  GcDBusSource1 *source;
  GPtrArray *items;   /* of GcPeerItem */
  gboolean release;
  gulong finished_id; /* SwitchFinished, while the call runs */
} Run;

static void
run_free (Run *run)
{
  g_clear_signal_handler (&run->finished_id, run->source);
  g_clear_object (&run->source);
  g_clear_pointer (&run->items, g_ptr_array_unref);
  g_free (run);
}

/* results name a receiver by whatever we passed in, or by its id */
static GcPeerItem *
find_item (Run         *run,
           const gchar *id)
{
  for (guint i = 0; i < run->items->len; i++)
    if (gc_peer_item_matches (g_ptr_array_index (run->items, i), id))
      return g_ptr_array_index (run->items, i);
  return NULL;
}

static void
apply_result (Run         *run,
              const gchar *id,
              gboolean     ok,
              const gchar *message,
              gdouble      ms)
{
  GcPeerItem *item = find_item (run, id);

  if (item == NULL)
    return;
  if (run->release && ok)
    gc_peer_item_set_switch_state (item, GC_SWITCH_STATE_OK, _("Released"));
  else
    gc_peer_item_set_switch_result (item, ok, message, ms);
}

/* the items no result has reached yet */
static void
mark_running (Run           *run,
              GcSwitchState  state,
              const gchar   *result)
{
  for (guint i = 0; i < run->items->len; i++)
    {
      GcPeerItem *item = g_ptr_array_index (run->items, i);

      if (gc_peer_item_get_switch_state (item) == GC_SWITCH_STATE_RUNNING)
        gc_peer_item_set_switch_state (item, state, result);
    }
}

/* results arrive one by one as SwitchFinished, before the reply */
static void
on_switch_finished (GcDBusSource1 *source,
                    const gchar   *id,
                    gboolean       ok,
                    const gchar   *message,
                    gdouble        ms,
                    GTask         *task)
{
  apply_result (g_task_get_task_data (task), id, ok, message, ms);
}

static void
on_call_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) rows = NULL;
  GVariantIter iter;
  const gchar *id;
  const gchar *message;
  gboolean ok;
  gdouble ms;

  if (run->release)
    ok = gc_dbus_source1_call_release_finish (run->source, &rows, result, &error);
  else
    ok = gc_dbus_source1_call_switch_finish (run->source, &rows, result, &error);
  /* the reply ends the run: a later SwitchFinished is someone else's */
  g_clear_signal_handler (&run->finished_id, run->source);

  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* nobody is left to see a result */
      mark_running (run, GC_SWITCH_STATE_NONE, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!ok)
    {
      g_autoptr (GError) copy = g_error_copy (error);
      g_autofree gchar *sentence = gc_util_explain_error (copy, NULL);

      /* the rows say why in a sentence; the window explains the error,
       * which keeps its D-Bus name for that */
      mark_running (run, GC_SWITCH_STATE_FAILED, sentence);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* each receiver has its own row in the reply: one failure leaves the
   * others' results alone */
  g_variant_iter_init (&iter, rows);
  while (g_variant_iter_next (&iter, "(&sb&sd)", &id, &ok, &message, &ms))
    apply_result (run, id, ok, message, ms);
  mark_running (run, GC_SWITCH_STATE_FAILED, _("No answer from the receiver"));
  g_task_return_boolean (task, TRUE);
}

GcSwitcher *
gc_switcher_new (GcDBusSource1 *source)
{
  g_return_val_if_fail (GC_DBUS_IS_SOURCE1 (source), NULL);

  return g_object_new (GC_TYPE_SWITCHER, "source", source, NULL);
}

static void
on_any_switch_finished (GcDBusSource1 *source,
                        const gchar   *id,
                        gboolean       ok,
                        const gchar   *message,
                        gdouble        ms,
                        GcSwitcher    *self)
{
  GcPeerItem *item = gc_peer_list_find (self->followed, id);

  if (item != NULL)
    gc_peer_item_set_switch_result (item, ok, message, ms);
}

/* results of switches this source runs for anyone (a script on the
 * source, another panel) reach the items of @peers too */
void
gc_switcher_follow (GcSwitcher *self,
                    GcPeerList *peers)
{
  g_return_if_fail (GC_IS_SWITCHER (self));
  g_return_if_fail (peers == NULL || GC_IS_PEER_LIST (peers));

  g_clear_signal_handler (&self->followed_id, self->source);
  g_set_object (&self->followed, peers);
  if (peers != NULL)
    self->followed_id = g_signal_connect (self->source, "switch-finished",
                                          G_CALLBACK (on_any_switch_finished), self);
}

GcDBusSource1 *
gc_switcher_get_source (GcSwitcher *self)
{
  g_return_val_if_fail (GC_IS_SWITCHER (self), NULL);

  return self->source;
}

/* items is an array of GcPeerItem; release asks them to stop showing this
 * source instead. fails (G_IO_ERROR_CANCELLED included) only when the
 * call as a whole did; the message then says what failed, in words */
void
gc_switcher_run_async (GcSwitcher          *self,
                       GPtrArray           *items,
                       gboolean             release,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  Run *run;

  g_return_if_fail (GC_IS_SWITCHER (self));
  g_return_if_fail (items != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  for (guint i = 0; i < items->len; i++)
    g_return_if_fail (GC_IS_PEER_ITEM (g_ptr_array_index (items, i)));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gc_switcher_run_async);
  if (items->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  run = g_new0 (Run, 1);
  run->source = g_object_ref (self->source);
  run->items = g_ptr_array_new_with_free_func (g_object_unref);
  run->release = release;
  for (guint i = 0; i < items->len; i++)
    {
      GcPeerItem *item = g_ptr_array_index (items, i);

      g_ptr_array_add (run->items, g_object_ref (item));
      g_ptr_array_add (ids, (gpointer) gc_peer_item_get_id (item));
      gc_peer_item_set_switch_state (item, GC_SWITCH_STATE_RUNNING, NULL);
    }
  g_ptr_array_add (ids, NULL);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  /* the task outlives the handler: on_call_done disconnects it */
  run->finished_id = g_signal_connect (self->source, "switch-finished",
                                       G_CALLBACK (on_switch_finished), task);
  if (release)
    gc_dbus_source1_call_release (self->source, (const gchar * const *) ids->pdata,
                                  cancellable, on_call_done, g_steal_pointer (&task));
  else
    gc_dbus_source1_call_switch (self->source, (const gchar * const *) ids->pdata,
                                 cancellable, on_call_done, g_steal_pointer (&task));
}

gboolean
gc_switcher_run_finish (GcSwitcher    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (GC_IS_SWITCHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gc_switcher_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* the answer rows of a request to several receivers: those that could
 * not, each with why, or NULL when all could */
static gchar *
failed_rows (GTask    *task,
             GVariant *rows)
{
  g_autoptr (GString) failed = g_string_new (NULL);
  GVariantIter iter;
  const gchar *id, *message;
  gboolean ok;
  gdouble ms;

  g_variant_iter_init (&iter, rows);
  for (guint i = 0; g_variant_iter_next (&iter, "(&sb&sd)", &id, &ok, &message, &ms); i++)
    if (!ok)
      {
        GPtrArray *names = g_task_get_task_data (task);
        g_autofree gchar *sentence = gc_util_explain_result (message, NULL);

        g_string_append_printf (failed, "%s%s (%s)", failed->len > 0 ? ", " : "",
                                i < names->len ? (const gchar *) g_ptr_array_index (names, i) : id,
                                sentence);
      }
  return failed->len > 0 ? g_strdup (failed->str) : NULL;
}

/* the rows of an identify or a mute (which the task's tag says) */
static void
on_rows_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) rows = NULL;
  g_autofree gchar *failed = NULL;
  gboolean identify = g_task_get_source_tag (task) == gc_switcher_identify_async;
  gboolean ok = identify
                ? gc_dbus_source1_call_identify_finish (GC_DBUS_SOURCE1 (object), &rows, result,
                                                        &error)
                : gc_dbus_source1_call_mute_finish (GC_DBUS_SOURCE1 (object), &rows, result,
                                                    &error);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else if ((failed = failed_rows (task, rows)) != NULL && identify)
    /* TRANSLATORS: %s lists the receivers that could not, each with why */
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not identify: %s"),
                             failed);
  else if (failed != NULL)
    /* TRANSLATORS: %s lists the receivers that could not, each with why */
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("Could not change the sound of: %s"), failed);
  else
    g_task_return_boolean (task, TRUE);
}

/* the task for a request to @items: their names, for the answer's words */
static GTask *
rows_task (GcSwitcher   *self,
           GPtrArray    *items,
           gpointer      tag,
           GCancellable *cancellable,
           GAsyncReadyCallback callback,
           gpointer      user_data,
           GPtrArray    *ids)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  g_task_set_source_tag (task, tag);
  /* rows come back in the order asked: named as people know them */
  for (guint i = 0; i < items->len; i++)
    {
      g_ptr_array_add (names, g_strdup (gc_peer_item_get_name (g_ptr_array_index (items, i))));
      g_ptr_array_add (ids, (gpointer) gc_peer_item_get_id (g_ptr_array_index (items, i)));
    }
  g_ptr_array_add (ids, NULL);
  g_task_set_task_data (task, names, (GDestroyNotify) g_ptr_array_unref);
  return task;
}

/* asks the receivers (GcPeerItem) to mute (or unmute) their sound */
void
gc_switcher_mute_async (GcSwitcher          *self,
                        GPtrArray           *items,
                        gboolean             muted,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  GTask *task;

  g_return_if_fail (GC_IS_SWITCHER (self));
  g_return_if_fail (items != NULL);

  task = rows_task (self, items, gc_switcher_mute_async, cancellable, callback, user_data, ids);
  gc_dbus_source1_call_mute (self->source, (const gchar * const *) ids->pdata, muted,
                             cancellable, on_rows_done, task);
}

/* asks the receivers (GcPeerItem) to show their names on their screens
 * for @seconds */
void
gc_switcher_identify_async (GcSwitcher          *self,
                            GPtrArray           *items,
                            guint                seconds,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  GTask *task;

  g_return_if_fail (GC_IS_SWITCHER (self));
  g_return_if_fail (items != NULL);

  task = rows_task (self, items, gc_switcher_identify_async, cancellable, callback, user_data,
                    ids);
  gc_dbus_source1_call_identify (self->source, (const gchar * const *) ids->pdata, seconds,
                                 cancellable, on_rows_done, task);
}

/* the end of an identify or a mute */
gboolean
gc_switcher_identify_finish (GcSwitcher    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_rename_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) rows = NULL;
  const gchar *id, *message;
  gboolean ok = FALSE;
  gdouble ms;

  if (!gc_dbus_source1_call_rename_finish (GC_DBUS_SOURCE1 (object), &rows, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_variant_n_children (rows) == 1)
    g_variant_get_child (rows, 0, "(&sb&sd)", &id, &ok, &message, &ms);
  if (!ok)
    {
      g_autofree gchar *sentence = gc_util_explain_result (g_variant_n_children (rows) == 1
                                                           ? message : NULL, NULL);

      /* TRANSLATORS: %s says why, e.g. "Cannot reach it on the network" */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not rename: %s"),
                               sentence);
    }
  else
    g_task_return_boolean (task, TRUE);
}

/* asks the receiver (a GcPeerItem) to take @name; its row follows when its
 * next beacon says the name */
void
gc_switcher_rename_async (GcSwitcher          *self,
                          GcPeerItem          *item,
                          const gchar         *name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (GC_IS_SWITCHER (self));
  g_return_if_fail (GC_IS_PEER_ITEM (item));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gc_switcher_rename_async);
  gc_dbus_source1_call_rename (self->source, gc_peer_item_get_id (item), name, cancellable,
                               on_rename_done, g_steal_pointer (&task));
}

gboolean
gc_switcher_rename_finish (GcSwitcher    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
gc_switcher_finalize (GObject *object)
{
  GcSwitcher *self = GC_SWITCHER (object);

  g_clear_signal_handler (&self->followed_id, self->source);
  g_clear_object (&self->followed);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (gc_switcher_parent_class)->finalize (object);
}

static void
gc_switcher_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  GcSwitcher *self = GC_SWITCHER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_switcher_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  GcSwitcher *self = GC_SWITCHER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_switcher_class_init (GcSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gc_switcher_finalize;
  object_class->get_property = gc_switcher_get_property;
  object_class->set_property = gc_switcher_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, GC_DBUS_TYPE_SOURCE1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gc_switcher_init (GcSwitcher *self)
{
}
