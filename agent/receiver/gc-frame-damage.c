/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-frame-damage.h"

/* a decoded frame's time matches its packets' within this */
#define PTS_SLACK (5 * GST_MSECOND)

typedef struct
{
  GstClockTime pts;
  gboolean damaged;
} Verdict;

struct _GcFrameDamage
{
  GMutex lock;
  gboolean started;
  guint16 last_seq;
  gboolean in_frame;       /* packets of a frame came, its end not yet */
  guint32 frame_time;      /* its RTP time */
  GstClockTime frame_pts;
  gboolean frame_lost;     /* one of its packets was lost */
  gboolean frame_key;      /* it carries an IDR slice */
  gboolean broken;         /* a loss since the last whole key frame */
  gboolean keyed;          /* a whole key frame came: frames before it are no loss */
  guint64 damaged;
  Verdict ring[GC_FRAME_DAMAGE_KEEP];
  guint head, len;         /* oldest verdict, and how many */
};

GcFrameDamage *
gc_frame_damage_new (void)
{
  GcFrameDamage *self = g_new0 (GcFrameDamage, 1);

  g_mutex_init (&self->lock);
  /* nothing before the first whole key frame can be decoded whole */
  self->broken = TRUE;
  return self;
}

void
gc_frame_damage_free (GcFrameDamage *self)
{
  if (self == NULL)
    return;
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* the H.264 NAL unit types a packet carries an IDR slice with (RFC 6184:
 * a single NAL unit, the NAL units of a STAP-A, the start of an FU-A) */
static gboolean
carries_idr (const guint8 *p, gsize len)
{
  guint type;

  if (len < 1)
    return FALSE;
  type = p[0] & 0x1f;
  if (type == 5)
    return TRUE;
  if (type == 28)
    return len >= 2 && (p[1] & 0x1f) == 5;
  if (type == 24)
    {
      /* STAP-A: 16-bit sizes, each NAL unit after its own */
      for (gsize at = 1; at + 2 < len;)
        {
          gsize size = (gsize) p[at] << 8 | p[at + 1];

          if (size == 0 || at + 2 + size > len)
            return FALSE;
          if ((p[at + 2] & 0x1f) == 5)
            return TRUE;
          at += 2 + size;
        }
    }
  return FALSE;
}

static void
keep (GcFrameDamage *self, GstClockTime pts, gboolean damaged)
{
  Verdict *v;

  if (self->len == GC_FRAME_DAMAGE_KEEP)
    {
      self->head = (self->head + 1) % GC_FRAME_DAMAGE_KEEP;
      self->len--;
    }
  v = &self->ring[(self->head + self->len) % GC_FRAME_DAMAGE_KEEP];
  v->pts = pts;
  v->damaged = damaged;
  self->len++;
}

/* the frame being received is over: its verdict */
static void
end_frame (GcFrameDamage *self)
{
  gboolean damaged;

  if (!self->in_frame)
    return;
  self->in_frame = FALSE;
  /* a whole key frame mends what was lost before it */
  if (self->frame_key && !self->frame_lost)
    self->broken = FALSE, self->keyed = TRUE;
  if (self->frame_lost)
    self->broken = TRUE;
  damaged = self->broken;
  /* a join midway through a GOP: what comes before the first key frame
   * is not shown either, but no packet of it was lost */
  if (damaged && self->keyed)
    self->damaged++;
  keep (self, self->frame_pts, damaged);
}

void
gc_frame_damage_packet (GcFrameDamage *self, guint16 seq, guint32 rtp_time, gboolean marker,
                        const guint8 *payload, gsize len, GstClockTime pts)
{
  gboolean gap;

  g_mutex_lock (&self->lock);
  gap = self->started && seq != (guint16) (self->last_seq + 1);
  /* an old or repeated packet (the jitter buffer lets none through, but a
   * wrap or a restart of the sender's numbering must not count twice) */
  if (self->started && (guint16) (seq - self->last_seq) >= 0x8000)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->started = TRUE;
  self->last_seq = seq;
  if (self->in_frame && rtp_time != self->frame_time)
    {
      /* the last frame's end was lost with the gap: it is damaged */
      if (gap)
        self->frame_lost = TRUE;
      end_frame (self);
    }
  if (!self->in_frame)
    {
      self->in_frame = TRUE;
      self->frame_time = rtp_time;
      self->frame_pts = pts;
      self->frame_lost = FALSE;
      self->frame_key = FALSE;
      /* whole frames lost in the gap: what refers to them is damaged */
      if (gap)
        self->broken = TRUE;
    }
  else if (gap)
    self->frame_lost = TRUE;
  self->frame_key |= carries_idr (payload, len);
  if (marker)
    end_frame (self);
  g_mutex_unlock (&self->lock);
}

gboolean
gc_frame_damage_is_damaged (GcFrameDamage *self, GstClockTime pts)
{
  gboolean damaged = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return FALSE;
  g_mutex_lock (&self->lock);
  while (self->len > 0)
    {
      Verdict *v = &self->ring[self->head];

      /* older: a frame the decoder dropped (or never got) */
      if (GST_CLOCK_TIME_IS_VALID (v->pts) && v->pts + PTS_SLACK < pts)
        {
          self->head = (self->head + 1) % GC_FRAME_DAMAGE_KEEP;
          self->len--;
          continue;
        }
      if (!GST_CLOCK_TIME_IS_VALID (v->pts) || v->pts <= pts + PTS_SLACK)
        {
          damaged = v->damaged;
          self->head = (self->head + 1) % GC_FRAME_DAMAGE_KEEP;
          self->len--;
        }
      break;
    }
  g_mutex_unlock (&self->lock);
  return damaged;
}

guint64
gc_frame_damage_count (GcFrameDamage *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->damaged;
  g_mutex_unlock (&self->lock);
  return n;
}
