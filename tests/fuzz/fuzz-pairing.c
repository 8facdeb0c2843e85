/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libFuzzer target for what pairing reads off the network before TLS: the
 * receiver's greeting line; and the code as a person (or a D-Bus caller)
 * types it. seeds: tests/fuzz/corpus/pairing/.
 *
 *   CC=clang meson setup build-fuzz -Dfuzzing=true \
 *     -Db_sanitize=address,undefined -Db_lundef=false
 *   ninja -C build-fuzz tests/fuzz-pairing
 *   build-fuzz/tests/fuzz-pairing tests/fuzz/corpus/pairing -max_total_time=60
 */
#include "config.h"

#include "gc-pairing.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  gchar code[GC_PAIRING_CODE_DIGITS + 1];
  GcPairingGreeting greeting;
  guint seconds = 0;

  /* errors are expected; crashes, leaks and overreads are the findings */
  if (gc_pairing_parse_greeting (data, size, &greeting, &seconds, NULL))
    g_assert (greeting != GC_PAIRING_GREETING_LOCKED || (seconds > 0 && seconds <= 3600));
  if (gc_pairing_code_normalize (text, code))
    g_assert (strlen (code) == GC_PAIRING_CODE_DIGITS && strspn (code, "0123456789") == 6);
  return 0;
}
