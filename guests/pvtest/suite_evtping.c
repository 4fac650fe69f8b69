/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two guests ping each other over an interdomain event channel:
 *   suite=evtping role=server peer=N         offers a port to domain N
 *   suite=evtping role=client peer=N port=P  binds to it and pings
 * count=C round trips (default 1000). The client reports the round-trip
 * time; both check every ping was answered. Without a store, the test
 * harness passes the port from the server's console to the client.
 * mode=poll: both sides mask the port and spin on its pending bit instead
 * of blocking for an upcall, so a round trip is two send hypercalls and
 * nothing else: the cost of event delivery itself.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

#define POLL_NS (60ull * 1000000000ull)

static bool polling;

/* Spin until port is pending, and take it; false after a minute. */
static bool poll_port(evtchn_port_t port)
{
	volatile unsigned long *w = &shared_info->evtchn_pending[port / 64];
	unsigned long bit = 1ul << (port % 64);
	uint64_t end = system_time() + POLL_NS;
	unsigned int spins = 0;

	while (!(__atomic_fetch_and(w, ~bit, __ATOMIC_ACQ_REL) & bit))
		if (++spins % 4096 == 0 && system_time() > end)
			return false;
	return true;
}

static void mask_for_polling(evtchn_port_t port)
{
	__atomic_fetch_or(&shared_info->evtchn_mask[port / 64], 1ul << (port % 64),
	    __ATOMIC_SEQ_CST);
	__atomic_fetch_and(&shared_info->evtchn_pending[port / 64],
	    ~(1ul << (port % 64)), __ATOMIC_SEQ_CST);
}

/* The next event on port: the hits-th upcall, or the pending bit. */
static bool next_event(evtchn_port_t port, unsigned long hits)
{
	return polling ? poll_port(port) : port_wait(port, hits);
}

static void server(domid_t peer, unsigned long count)
{
	evtchn_port_t port = port_offer(peer);
	unsigned long i;

	check(port != 0, "port %u offered to domain %u", port, peer);
	if (port == 0)
		return;
	if (polling)
		mask_for_polling(port);
	printk("evtping: listening on port %u\n", port);
	/* One hit per ping (the bind raises the client's port, not ours). */
	for (i = 0; i < count; i++) {
		if (!next_event(port, i + 1))
			break;
		port_send(port);
	}
	check(i == count, "answered %lu of %lu pings", i, count);
}

static void client(domid_t peer, evtchn_port_t rport, unsigned long count)
{
	evtchn_port_t local = port_bind(peer, rport);
	struct evtchn_status st = { .dom = DOMID_SELF, .port = local };
	uint64_t t0, t1;
	unsigned long i, base;
	long r;

	check(local != 0, "bound to domain %u port %u: local port %u", peer, rport,
	    local);
	if (local == 0)
		return;
	r = hv_event_channel_op(EVTCHNOP_status, &st);
	check(r == 0 && st.status == EVTCHNSTAT_interdomain &&
	    st.u.interdomain.dom == peer && st.u.interdomain.port == rport,
	    "status: interdomain with domain %u port %u", st.u.interdomain.dom,
	    st.u.interdomain.port);
	if (polling)
		mask_for_polling(local);
	base = port_hits[local];
	t0 = system_time();
	for (i = 0; i < count; i++) {
		port_send(local);
		if (!next_event(local, base + i + 1))
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
	domid_t peer = (domid_t)cmdline_ulong("peer", 0);
	unsigned long count = cmdline_ulong("count", 1000);
	evtchn_port_t port = (evtchn_port_t)cmdline_ulong("port", 0);
	const char *mode = cmdline_get("mode");

	polling = mode != NULL && strcmp(mode, "poll") == 0;
	events_init();
	my_vcpu_info()->evtchn_upcall_mask = 0;
	if (is_server)
		server(peer, count);
	else
		client(peer, port, count);
}
