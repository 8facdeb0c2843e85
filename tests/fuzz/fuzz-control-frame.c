/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the control server's and client's incremental
 * reader (gc_control_frame_read): the input arrives in pieces, as TCP may
 * deliver it, and what the reader says at the end must not depend on how
 * it was cut. seeds: tests/fuzz/corpus/control-frame/; run with tools/fuzz. */
#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "gc-control-frame.h"
#include "gc-error.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:_dl_init\n";
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const gchar warm[] = "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\nCSeq: 1\r\n\r\n";

  gst_init (NULL, NULL);
  LLVMFuzzerTestOneInput ((const guint8 *) warm, sizeof warm - 1);
  return 0;
}

/* 0: a message of *used bytes; 1: more is needed; 2: malformed */
static gint
read_once (const guint8 *data, gsize len, gsize *used)
{
  GError *error = NULL;
  GstRTSPMessage *msg = gc_control_frame_read (data, len, used, &error);
  gint outcome;

  if (msg != NULL)
    {
      g_assert (error == NULL && *used > 0 && *used <= len);
      gst_rtsp_message_free (msg);
      return 0;
    }
  g_assert (error != NULL);
  outcome = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ? 1 : 2;
  g_assert (outcome == 1 || g_error_matches (error, GC_ERROR, GC_ERROR_INVALID_ARGS));
  g_error_free (error);
  return outcome;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  gsize whole_used = 0;
  gint whole;
  gsize step;

  if (size > GC_CONTROL_MAX_MESSAGE_SIZE + 64)
    return 0;
  whole = read_once (data, size, &whole_used);
  /* fed in steps (the last byte of the input picks the step), the reader
   * waits until it has enough, then says what it says of the whole */
  step = size > 0 ? 1 + data[size - 1] % 64 : 1;
  for (gsize len = 0; len < size; len += step)
    {
      gsize used = 0;
      gint now = read_once (data, len, &used);

      if (now == 0)
        {
          /* a complete message in a prefix: the whole has the same one */
          g_assert (whole == 0 && used == whole_used);
          return 0;
        }
      if (now == 2)
        {
          /* malformed so far: more bytes make no message of it, unless the
           * prefix was only over the size limit's edge */
          g_assert (whole == 2);
          return 0;
        }
    }
  return 0;
}
