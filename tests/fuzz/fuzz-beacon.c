/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libFuzzer target for what discovery reads off the network: the beacon
 * parser (with and without a site key) and the mDNS TXT record parser.
 * seeds: tests/fuzz/corpus/beacon/ (replayed in the normal build by
 * /groupcast/beacon/corpus).
 *
 *   CC=clang meson setup build-fuzz -Dfuzzing=true \
 *     -Db_sanitize=address,undefined -Db_lundef=false
 *   ninja -C build-fuzz tests/fuzz-beacon
 *   build-fuzz/tests/fuzz-beacon tests/fuzz/corpus/beacon -max_total_time=60
 */
#include "config.h"

#include "gc-avahi.h"
#include "gc-beacon.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static GBytes *key;
  g_auto (GcAnnouncement) a = { 0 };

  if (key == NULL)
    key = g_bytes_new_static ("fuzz key", 8);

  /* errors are expected; crashes, leaks and overreads are the findings */
  if (gc_beacon_parse (data, size, NULL, &a, NULL))
    g_assert (g_uuid_string_is_valid (a.id) && a.name != NULL && a.control_port != 0);
  gc_beacon_parse (data, size, key, &a, NULL);
  if (gc_txt_parse (data, size, &a, NULL))
    g_assert (g_uuid_string_is_valid (a.id) && a.name != NULL);
  return 0;
}
