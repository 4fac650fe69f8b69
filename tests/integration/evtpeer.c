/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dom0 side of pvtest's evtping server, as a backend would do it with
 * libpalctl: evtpeer DOMID PORT COUNT. Binds to the port the guest offered
 * dom0, binds it again as a restarted backend would, unbinds and binds once
 * more (the port waits for dom0 again), then pings COUNT times (each
 * answered by the guest, which then powers off) and reports the round trip. Prints one line per check; exits 1
 * if any failed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "palisade/util.h"
#include "../../libctl/palctl.h"
#include "peercheck.h"

static unsigned long ping(struct palctl_evtchn *e, unsigned long count)
{
	unsigned long i;

	for (i = 0; i < count; i++)
		if (palctl_evtchn_notify(e) != 0 || palctl_evtchn_wait(e, 10000) <= 0)
			break;
	return i;
}

int main(int argc, char **argv)
{
	struct palctl_evtchn e, again;
	unsigned long count, done;
	uint32_t domid, port;
	struct palctl c;
	uint64_t t0;

	peer_name = "evtpeer";
	if (argc != 4)
		return fprintf(stderr, "usage: evtpeer DOMID PORT COUNT\n"), 2;
	domid = (uint32_t)strtoul(argv[1], NULL, 10);
	port = (uint32_t)strtoul(argv[2], NULL, 10);
	count = strtoul(argv[3], NULL, 10);
	if (palctl_open(&c) < 0)
		return fprintf(stderr, "evtpeer: cannot reach palisade-hv\n"), 1;
	check(palctl_evtchn_bind(&c, domid, port, &e) == 0, "bound to d%u port %u",
	    domid, port);
	check(palctl_evtchn_bind(&c, domid, port, &again) == 0,
	    "bound again, as a restarted backend");
	close(e.event_fd);
	close(e.notify_fd);
	check(palctl_evtchn_unbind(&c, &again) == 0, "unbound");
	check(palctl_evtchn_bind(&c, domid, 999, &again) != 0,
	    "a port the guest never offered cannot be bound");
	check(palctl_evtchn_bind(&c, domid, port, &e) == 0,
	    "the port waits for dom0 again after the unbind");
	t0 = now_ns();
	done = ping(&e, count);
	check(done == count, "%lu of %lu pings answered", done, count);
	if (done > 0)
		printf("evtpeer: round trip %lu ns (%lu pings)\n",
		    (unsigned long)((now_ns() - t0) / done), done);
	close(e.event_fd);
	close(e.notify_fd);
	palctl_close(&c);
	return peer_failed;
}
