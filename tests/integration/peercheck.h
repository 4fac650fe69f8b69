/* SPDX-License-Identifier: GPL-2.0-only */
/* What the dom0 peers of the integration tests print: one line a check. */
#ifndef PEERCHECK_H
#define PEERCHECK_H

#include <stdarg.h>
#include <stdio.h>

static int peer_failed;
static const char *peer_name = "peer";

__attribute__((format(printf, 2, 3)))
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s: ", ok ? "PASS" : "FAIL", peer_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	peer_failed |= !ok;
}

#endif
