/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * a hostile LAN: lab hosts that play the attacker for real against real
 * agents (forged mDNS records, a held control port, beacon floods, idle
 * RTSP clients, unsigned requests from this host itself).
 */
#include "config.h"

#include "gc-test-agent.h"

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  return g_test_run ();
}
