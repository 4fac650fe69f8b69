/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two guests ping each other over an interdomain event channel:
 *   suite=evtping role=server peer=N         offers a port to domain N
 *   suite=evtping role=client peer=N port=P  binds to it and pings
 * count=C round trips (default 1000). The client reports the round-trip
 * time; both check every ping was answered. Without a store, the test
 * harness passes the port from the server's console to the client.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

#define WAIT_NS (60ull * 1000000000ull)

static unsigned long param(const char *key, unsigned long def)
{
	const char *s = cmdline_get(key);

	return s != NULL ? strtoul(s, NULL, 0) : def;
}

/* Block until port has been hit want times, or a minute has passed. */
static bool wait_hits(evtchn_port_t port, unsigned long want)
{
	uint64_t end = system_time() + WAIT_NS;

	while (port_hits[port] < want && system_time() < end)
		hv_sched_op(SCHEDOP_block, NULL);
	return port_hits[port] >= want;
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return hv_event_channel_op(EVTCHNOP_send, &s);
}

static void server(domid_t peer, unsigned long count)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = peer };
	unsigned long i;
	long r;

	r = hv_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	check(r == 0 && au.port < 64, "port %u offered to domain %u", au.port, peer);
	if (r != 0 || au.port >= 64)
		return;
	unmask_port(au.port);
	printk("evtping: listening on port %u\n", au.port);
	/* One hit per ping (the bind raises the client's port, not ours). */
	for (i = 0; i < count; i++) {
		if (!wait_hits(au.port, i + 1))
			break;
		send(au.port);
	}
	check(i == count, "answered %lu of %lu pings", i, count);
}

static void client(domid_t peer, evtchn_port_t rport, unsigned long count)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = peer, .remote_port = rport };
	struct evtchn_status st = { .dom = DOMID_SELF };
	uint64_t t0, t1;
	unsigned long i, base;
	long r;

	r = hv_event_channel_op(EVTCHNOP_bind_interdomain, &bi);
	check(r == 0 && bi.local_port < 64, "bound to domain %u port %u: local port %u",
	    peer, rport, bi.local_port);
	if (r != 0 || bi.local_port >= 64)
		return;
	st.port = bi.local_port;
	r = hv_event_channel_op(EVTCHNOP_status, &st);
	check(r == 0 && st.status == EVTCHNSTAT_interdomain &&
	    st.u.interdomain.dom == peer && st.u.interdomain.port == rport,
	    "status: interdomain with domain %u port %u", st.u.interdomain.dom,
	    st.u.interdomain.port);
	unmask_port(bi.local_port);
	wait_hits(bi.local_port, 1);		/* the binding's own event */
	base = port_hits[bi.local_port];
	t0 = system_time();
	for (i = 0; i < count; i++) {
		send(bi.local_port);
		if (!wait_hits(bi.local_port, base + i + 1))
			break;
	}
	t1 = system_time();
	check(i == count, "%lu of %lu pings answered", i, count);
	if (i > 0)
		printk("evtping: round trip %lu ns (%lu pings)\n",
		    (unsigned long)((t1 - t0) / i), i);
}

void suite_evtping(void)
{
	const char *role = cmdline_get("role");
	bool is_server = role != NULL && strcmp(role, "server") == 0;
	domid_t peer = (domid_t)param("peer", 0);
	unsigned long count = param("count", 1000);
	evtchn_port_t port = (evtchn_port_t)param("port", 0);

	events_init();
	my_vcpu_info()->evtchn_upcall_mask = 0;
	if (is_server)
		server(peer, count);
	else
		client(peer, port, count);
}
