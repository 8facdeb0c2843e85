/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "GcSource"

#include "config.h"

#include "gc-source-members.h"
#include "gc-rtp-stats.h"

typedef struct
{
  gchar *address;
  GcMemberState state;
  GcTransport transport;
  gchar *session;
  gpointer client;         /* the RTSP client it came by; compared, never used */
  guint32 ssrc;
  gdouble fraction_lost;
  gint64 packets_lost;
  gdouble jitter_ms;
  gdouble rtt_ms;
  gint64 last_report_us;   /* monotonic */
  gboolean announced;
} Member;

struct _GcMemberTable
{
  GObject parent_instance;

  GHashTable *members;      /* address -> Member */
  GMutex report_lock;
  GHashTable *report_times; /* ssrc -> monotonic µs; written by streaming threads */
  GcMemberNameFunc name_func;
  gpointer name_data;
};

G_DEFINE_FINAL_TYPE (GcMemberTable, gc_member_table, G_TYPE_OBJECT)

enum
{
  SIGNAL_MEMBER_JOINED,
  SIGNAL_MEMBER_LEFT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
member_free (Member *m)
{
  g_free (m->address);
  g_free (m->session);
  g_free (m);
}

void
gc_member_info_free (GcMemberInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->address);
  g_free (info->name);
  g_free (info->session);
  g_free (info);
}

GcMemberTable *
gc_member_table_new (void)
{
  return g_object_new (GC_TYPE_MEMBER_TABLE, NULL);
}

/* @func names a member from its address (the agent asks its peer table) */
void
gc_member_table_set_name_func (GcMemberTable *self, GcMemberNameFunc func, gpointer data)
{
  g_return_if_fail (GC_IS_MEMBER_TABLE (self));
  self->name_func = func;
  self->name_data = data;
}

/* the receiver at @address sent PLAY over @client, for the stream by
 * @transport: it is (still) a member. a receiver trying the group again
 * (the next switch after a fallback) has a second session for a moment:
 * the later one is it */
void
gc_member_table_play (GcMemberTable *self, const gchar *address, gpointer client,
                      const gchar *session, GcTransport transport)
{
  Member *m;

  g_return_if_fail (GC_IS_MEMBER_TABLE (self));
  g_return_if_fail (address != NULL);

  m = g_hash_table_lookup (self->members, address);
  if (m == NULL)
    {
      m = g_new0 (Member, 1);
      m->address = g_strdup (address);
      g_hash_table_insert (self->members, m->address, m);
    }
  if (m->announced && m->transport != transport)
    g_message ("member %s now gets the stream by %s", address, gc_transport_to_string (transport));
  m->client = client;
  m->state = GC_MEMBER_STATE_PLAYING;
  m->transport = transport;
  if (session != NULL)
    {
      g_free (m->session);
      m->session = g_strdup (session);
    }
  if (!m->announced)
    {
      m->announced = TRUE;
      g_message ("member %s joined", address);
      g_signal_emit (self, signals[SIGNAL_MEMBER_JOINED], 0, address);
    }
}

void
gc_member_table_remove (GcMemberTable *self, const gchar *address, const gchar *reason)
{
  g_autofree gchar *addr = g_strdup (address);
  Member *m;
  gboolean announced;

  g_return_if_fail (GC_IS_MEMBER_TABLE (self));

  m = g_hash_table_lookup (self->members, addr);
  if (m == NULL)
    return;
  announced = m->announced;
  g_hash_table_remove (self->members, addr);
  if (announced)
    {
      g_message ("member %s left (%s)", addr, reason);
      g_signal_emit (self, signals[SIGNAL_MEMBER_LEFT], 0, addr, reason);
    }
}

/* the RTSP connection @client is gone (the receiver quit or died) */
void
gc_member_table_remove_client (GcMemberTable *self, gpointer client, const gchar *reason)
{
  GHashTableIter it;
  Member *m;

  g_return_if_fail (GC_IS_MEMBER_TABLE (self));

  g_hash_table_iter_init (&it, self->members);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &m))
    if (m->client == client)
      {
        g_autofree gchar *addr = g_strdup (m->address);

        gc_member_table_remove (self, addr, reason);
        return;
      }
}

void
gc_member_table_clear (GcMemberTable *self, const gchar *reason)
{
  g_autoptr (GList) addrs = NULL;

  g_return_if_fail (GC_IS_MEMBER_TABLE (self));

  addrs = g_hash_table_get_keys (self->members);
  for (GList *l = addrs; l != NULL; l = l->next)
    {
      g_autofree gchar *a = g_strdup (l->data);

      gc_member_table_remove (self, a, reason);
    }
}

/* RTCP arrived from @ssrc; from streaming threads */
void
gc_member_table_note_report (GcMemberTable *self, guint32 ssrc)
{
  g_mutex_lock (&self->report_lock);
  g_hash_table_insert (self->report_times, GUINT_TO_POINTER (ssrc),
                       g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)));
  g_mutex_unlock (&self->report_lock);
}

/* takes each member's latest receiver report from the source's rtpsession
 * statistics; RTCP from a host with no RTSP session is not a member's */
void
gc_member_table_update (GcMemberTable *self, const GstStructure *session_stats,
                        guint clock_rate)
{
  g_autoptr (GArray) sources = NULL;

  g_return_if_fail (GC_IS_MEMBER_TABLE (self));

  sources = gc_rtp_stats_read_session (session_stats, clock_rate);
  for (guint i = 0; i < sources->len; i++)
    {
      const GcRtpSourceStats *s = &g_array_index (sources, GcRtpSourceStats, i);
      g_autofree gchar *ip = gc_rtp_stats_address_of (s->rtcp_from);
      Member *m = ip != NULL ? g_hash_table_lookup (self->members, ip) : NULL;
      gint64 *t;

      if (s->internal || m == NULL)
        continue;
      m->ssrc = s->ssrc;
      if (s->have_rb)
        {
          m->fraction_lost = s->rb_fraction_lost;
          m->packets_lost = s->rb_packets_lost;
          m->jitter_ms = s->rb_jitter_ms;
          m->rtt_ms = s->rb_rtt_ms;
        }
      g_mutex_lock (&self->report_lock);
      t = g_hash_table_lookup (self->report_times, GUINT_TO_POINTER (s->ssrc));
      if (t != NULL)
        m->last_report_us = *t;
      g_mutex_unlock (&self->report_lock);
    }
}

guint
gc_member_table_get_size (GcMemberTable *self)
{
  g_return_val_if_fail (GC_IS_MEMBER_TABLE (self), 0);
  return g_hash_table_size (self->members);
}

guint
gc_member_table_get_n_playing (GcMemberTable *self)
{
  GHashTableIter it;
  Member *m;
  guint n = 0;

  g_return_val_if_fail (GC_IS_MEMBER_TABLE (self), 0);

  g_hash_table_iter_init (&it, self->members);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &m))
    n += m->state == GC_MEMBER_STATE_PLAYING;
  return n;
}

gboolean
gc_member_table_is_playing (GcMemberTable *self, const gchar *address)
{
  Member *m;

  g_return_val_if_fail (GC_IS_MEMBER_TABLE (self), FALSE);
  m = address != NULL ? g_hash_table_lookup (self->members, address) : NULL;
  return m != NULL && m->state == GC_MEMBER_STATE_PLAYING;
}

static GcMemberInfo *
info_of (GcMemberTable *self, const Member *m, gint64 now)
{
  GcMemberInfo *info = g_new0 (GcMemberInfo, 1);
  const gchar *name = self->name_func != NULL ? self->name_func (m->address, self->name_data)
                                              : NULL;

  info->address = g_strdup (m->address);
  info->name = g_strdup (name != NULL ? name : m->address);
  info->state = m->state;
  info->session = g_strdup (m->session != NULL ? m->session : "");
  info->transport = m->transport;
  info->fraction_lost = m->fraction_lost;
  info->packets_lost = m->packets_lost;
  info->jitter_ms = m->jitter_ms;
  info->rtt_ms = m->rtt_ms;
  info->report_age_ms = m->last_report_us > 0 ? (now - m->last_report_us) / 1000 : -1;
  return info;
}

/* the member at @address, or NULL */
GcMemberInfo *
gc_member_table_dup_info (GcMemberTable *self, const gchar *address)
{
  Member *m;

  g_return_val_if_fail (GC_IS_MEMBER_TABLE (self), NULL);
  m = address != NULL ? g_hash_table_lookup (self->members, address) : NULL;
  return m != NULL ? info_of (self, m, g_get_monotonic_time ()) : NULL;
}

/* every member, as GcMemberInfo (freed with the array) */
GPtrArray *
gc_member_table_dup_infos (GcMemberTable *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_member_info_free);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter it;
  Member *m;

  g_return_val_if_fail (GC_IS_MEMBER_TABLE (self), out);

  g_hash_table_iter_init (&it, self->members);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &m))
    g_ptr_array_add (out, info_of (self, m, now));
  return out;
}

static void
gc_member_table_finalize (GObject *object)
{
  GcMemberTable *self = GC_MEMBER_TABLE (object);

  g_hash_table_unref (self->members);
  g_hash_table_unref (self->report_times);
  g_mutex_clear (&self->report_lock);
  G_OBJECT_CLASS (gc_member_table_parent_class)->finalize (object);
}

static void
gc_member_table_class_init (GcMemberTableClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gc_member_table_finalize;

  /* a receiver began to play (once per membership) */
  signals[SIGNAL_MEMBER_JOINED] =
    g_signal_new ("member-joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* a member went: (address, reason: "teardown", "closed", "stopped") */
  signals[SIGNAL_MEMBER_LEFT] =
    g_signal_new ("member-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
gc_member_table_init (GcMemberTable *self)
{
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) member_free);
  self->report_times = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_mutex_init (&self->report_lock);
}
