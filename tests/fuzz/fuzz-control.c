/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the control request parser (and the answer parser,
 * which reads the same framing). seeds: tests/fuzz/corpus/control/, run:
 *   CC=clang meson setup build-fuzzctl -Dfuzzing=true \
 *     -Db_sanitize=address,undefined -Db_lundef=false
 *   ninja -C build-fuzzctl tests/fuzz-control
 *   build-fuzzctl/tests/fuzz-control -max_len=9000 tests/fuzz/corpus/control */
#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "gc-control-auth.h"

/* the same parameters as the corpus test in gc-control-message-test.c */
#define FUZZ_KEY     "groupcast-fuzz-site-key"
#define FUZZ_ADDRESS "192.0.2.1:7237"
#define FUZZ_NOW_US  G_GINT64_CONSTANT (1700000000000000)

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GBytes *key = NULL;

const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

/* GLib has no frame pointers: without the slow unwinder a leak's stack
 * stops at g_malloc and says nothing */
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

/* GLib allocates its quark table in a library constructor and lets it go
 * when the table grows (on purpose: readers may still hold it); not ours
 * to report */
const char *
__lsan_default_suppressions (void)
{
  return "leak:_dl_init\n";
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const gchar warm[] = "GET_PARAMETER rtsp://x/groupcast RTSP/1.0\r\n"
                              "CSeq: 1\r\n\r\n";

  gst_init (NULL, NULL);
  key = g_bytes_new_static (FUZZ_KEY, strlen (FUZZ_KEY));
  /* GLib and GStreamer set up their type and quark tables lazily, and
   * GLib keeps the old quark table when it grows: do that once here, so
   * the leak checker does not pin it on the first input */
  LLVMFuzzerTestOneInput ((const guint8 *) warm, sizeof warm - 1);
  LLVMFuzzerTestOneInput ((const guint8 *) "x", 1);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  GcReplayCache *cache;
  GcControlRequest req = { 0 };
  GcControlResponse resp = { 0 };
  GError *error = NULL;

  /* a fresh cache each time, so a valid seed stays valid */
  cache = gc_replay_cache_new (16, 60 * G_USEC_PER_SEC);
  if (!gc_control_request_parse (data, size, key, cache, FUZZ_NOW_US,
                                 FUZZ_ADDRESS, &req, &error))
    g_assert (error != NULL);
  g_clear_error (&error);
  gc_control_request_clear (&req);

  /* the unsigned path reads every field without the MAC in the way */
  if (!gc_control_request_parse (data, size, NULL, NULL, FUZZ_NOW_US,
                                 FUZZ_ADDRESS, &req, &error))
    g_assert (error != NULL);
  g_clear_error (&error);
  gc_control_request_clear (&req);

  if (!gc_control_response_parse (data, size, &resp, &error))
    g_assert (error != NULL);
  g_clear_error (&error);
  gc_control_response_clear (&resp);

  gc_replay_cache_free (cache);
  return 0;
}
