/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test backend on libpalctl's xenbus library: xbpeer FE. As the
 * toolstack it adds a "vtest" device 0 for domain FE; as the backend it
 * publishes feature-test, connects once the frontend (pvtest xbfront) is
 * Initialised, checks what the frontend wrote, and follows it through
 * Closing to Closed; once the frontend says it saw that (finished=1), it
 * removes the device. One line per check.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/util.h"
#include "../../libctl/palctl.h"
#include "peercheck.h"

static int connects, disconnects;

static int probe(struct xb_dev *d)
{
	check(xb_dev_write(d, "feature-test", "1") == 0, "probed d%u device %u: "
	    "feature-test published", d->fe, d->devid);
	return 0;
}

static int connect_fe(struct xb_dev *d)
{
	char ref[16];

	connects++;
	check(xb_dev_read_fe(d, "ring-ref", ref, sizeof(ref)) == 0 &&
	    strcmp(ref, "42") == 0, "connected: the frontend's ring-ref is '%s'", ref);
	return 0;
}

static void disconnect_fe(struct xb_dev *d)
{
	(void)d;
	disconnects++;
}

static const struct xb_ops ops = {
	.type = "vtest", .probe = probe, .connect = connect_fe,
	.disconnect = disconnect_fe,
};

int main(int argc, char **argv)
{
	static const char *const kv[] = { "mode=test", NULL };
	static struct xb_backend b;
	struct palctl_xs x;
	uint32_t fe;
	uint64_t end;
	int ret;

	peer_name = "xbpeer";
	if (argc != 2)
		return fprintf(stderr, "usage: xbpeer FE\n"), 2;
	fe = (uint32_t)strtoul(argv[1], NULL, 10);
	if (palctl_xs_open(&x) < 0 || xb_backend_open(&b, &ops) < 0)
		return fprintf(stderr, "xbpeer: palstored is not running\n"), 1;
	check(palctl_xs_dev_add(&x, "vtest", fe, 0, 0, NULL, kv) == 0, "device added for d%u", fe);
	end = now_ns() + 60000000000ull;
	while (now_ns() < end && !(b.dev[0].used && b.dev[0].state == 6 && disconnects))
		xb_backend_poll(&b, 200);
	check(connects == 1 && disconnects == 1, "connected once, disconnected once");
	check(b.dev[0].state == 6, "the device is Closed");
	/* The frontend says when it has seen us Closed; only then remove. */
	for (end = now_ns() + 30000000000ull; now_ns() < end;) {
		char done[8] = "";

		if (b.dev[0].used && xb_dev_read_fe(&b.dev[0], "finished", done, sizeof(done)) == 0 &&
		    strcmp(done, "1") == 0)
			break;
		xb_backend_poll(&b, 100);
	}
	/* A frontend that powered off first took its half with it (slow hosts). */
	ret = palctl_xs_dev_remove(&x, "vtest", fe, 0, 0);
	check(ret == 0 || ret == -ENOENT, "device removed");
	xb_backend_poll(&b, 500);
	check(!b.dev[0].used, "and forgotten");
	xb_backend_close(&b);
	palctl_xs_close(&x);
	return peer_failed;
}
