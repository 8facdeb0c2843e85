/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "gc-frame-damage.h"
#include "gc-h264.h"

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
  gboolean lost;           /* a packet was lost before the next one (an event said) */
  gboolean after_marker;   /* the last frame ended with its marker packet */
  guint32 last_time;       /* and its RTP time */
  guint32 step;            /* the least RTP time between frames seen; 0: none yet */
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

/* a NAL unit that starts a picture (RFC 6184 header @p, @len bytes): the
 * first slice (first_mb_in_slice 0, whose Exp-Golomb code is a single 1
 * bit), or one of those that come before the slices (SEI, SPS, PPS, an
 * access unit delimiter) */
static gboolean
nal_starts_picture (guint type, const guint8 *rest, gsize len)
{
  if (type >= 6 && type <= 9)
    return TRUE;
  return (type == 1 || type == 5) && len >= 1 && (rest[0] & 0x80) != 0;
}

/* the packet's first NAL unit starts a picture: a single NAL unit, the
 * first of a STAP-A, the start of an FU-A */
static gboolean
starts_picture (const guint8 *p, gsize len)
{
  GcH264Nal nal;

  return gc_h264_first_nal (p, len, &nal) && nal.start
         && nal_starts_picture (nal.type, nal.rest, nal.rest_len);
}

/* a gap between two frames: the previous one ended with its marker, this
 * one starts at its beginning, and no frame's time is missing between
 * them. what was missing there was no picture: the source's FEC packets
 * (RFC 5109: they share the stream's sequence numbers, and their own
 * payload type goes elsewhere), or one of them lost */
static gboolean
gap_between_frames (GcFrameDamage *self, guint32 rtp_time, const guint8 *payload, gsize len)
{
  guint32 delta = rtp_time - self->last_time;

  return self->after_marker && self->step != 0 && delta <= self->step + self->step / 2
         && starts_picture (payload, len);
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
  gap = (self->started && seq != (guint16) (self->last_seq + 1)) || self->lost;
  /* an old or repeated packet (the jitter buffer lets none through, but a
   * wrap or a restart of the sender's numbering must not count twice) */
  if (self->started && (guint16) (seq - self->last_seq) >= 0x8000)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->started = TRUE;
  self->last_seq = seq;
  self->lost = FALSE;
  if (self->in_frame && rtp_time != self->frame_time)
    {
      /* the last frame's end was lost with the gap: it is damaged */
      if (gap)
        self->frame_lost = TRUE;
      end_frame (self);
      self->after_marker = FALSE;
    }
  if (!self->in_frame)
    {
      guint32 delta = rtp_time - self->last_time;

      /* the frame rate's step: the least seen (a frame lost whole makes a
       * longer one, never a shorter) */
      if (self->after_marker && delta > 0 && delta < 0x80000000u
          && (self->step == 0 || delta < self->step))
        self->step = delta;
      self->in_frame = TRUE;
      self->frame_time = rtp_time;
      self->frame_pts = pts;
      self->frame_lost = FALSE;
      self->frame_key = FALSE;
      /* whole frames lost in the gap: what refers to them is damaged */
      if (gap && !gap_between_frames (self, rtp_time, payload, len))
        self->broken = TRUE;
    }
  else if (gap)
    self->frame_lost = TRUE;
  self->frame_key |= carries_idr (payload, len);
  if (marker)
    {
      end_frame (self);
      self->after_marker = TRUE;
      self->last_time = rtp_time;
    }
  g_mutex_unlock (&self->lock);
}

void
gc_frame_damage_lost (GcFrameDamage *self)
{
  g_mutex_lock (&self->lock);
  self->lost = TRUE;
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
      /* the next one is nearer: this one was not decoded (a key frame
       * the source repeated its last picture for comes 1 ms after the
       * frame a joiner got only the end of) */
      if (self->len > 1 && GST_CLOCK_TIME_IS_VALID (v->pts))
        {
          const Verdict *next = &self->ring[(self->head + 1) % GC_FRAME_DAMAGE_KEEP];

          if (GST_CLOCK_TIME_IS_VALID (next->pts) && next->pts <= pts + PTS_SLACK
              && ABS (GST_CLOCK_DIFF (next->pts, pts)) < ABS (GST_CLOCK_DIFF (v->pts, pts)))
            {
              self->head = (self->head + 1) % GC_FRAME_DAMAGE_KEEP;
              self->len--;
              continue;
            }
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
