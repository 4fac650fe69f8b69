/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the suites that talk to another guest share: numbers from the
 * command line (the test harness passes ports and grant references from
 * one console to the other's command line), event channel ports waited
 * on and signalled, and our grant table.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

unsigned long cmdline_ulong(const char *key, unsigned long def)
{
	const char *s = cmdline_get(key);

	return s != NULL ? strtoul(s, NULL, 0) : def;
}

/*
 * Until the port has been hit that often, or limit_ns has passed. The look
 * is made with upcalls off (see upcalls_off); SCHEDOP_poll sees the port
 * pending whether or not an upcall could take it, and ends at the deadline.
 */
bool port_wait_ns(evtchn_port_t port, unsigned long hits, uint64_t limit_ns)
{
	uint64_t end = system_time() + limit_ns;
	struct sched_poll poll = { .nr_ports = 1, .timeout = end };
	evtchn_port_t polled = port;
	bool done;

	set_xen_guest_handle(poll.ports, &polled);
	for (;;) {
		upcalls_off();
		done = port_hits[port] >= hits;
		if (done || system_time() >= end)
			break;
		hv_sched_op(SCHEDOP_poll, &poll);
		upcalls_on();
	}
	upcalls_on();
	return done;
}

/* The same without a deadline, and one exit cheaper per wake-up:
 * wait_event turns upcalls on as it sleeps, so the upcall is taken on
 * the way back instead of at a hypercall of our own. */
bool port_wait(evtchn_port_t port, unsigned long hits)
{
	for (;;) {
		upcalls_off();
		if (port_hits[port] >= hits)
			break;
		wait_event();
	}
	upcalls_on();
	return true;
}

long port_send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return hv_event_channel_op(EVTCHNOP_send, &s);
}

evtchn_port_t port_offer(domid_t peer)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = peer };

	if (hv_event_channel_op(EVTCHNOP_alloc_unbound, &au) != 0 || au.port >= 64)
		return 0;
	unmask_port(au.port);
	return au.port;
}

/* Bound, unmasked, and past the event the binding itself raises. */
evtchn_port_t port_bind(domid_t peer, evtchn_port_t remote)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = peer, .remote_port = remote };

	if (hv_event_channel_op(EVTCHNOP_bind_interdomain, &bi) != 0 ||
	    bi.local_port >= 64)
		return 0;
	unmask_port(bi.local_port);
	port_wait(bi.local_port, 1);
	return bi.local_port;
}

volatile grant_entry_v1_t *grant_table(void)
{
	return grant_table_frames(1);
}

volatile grant_entry_v1_t *grant_table_frames(unsigned int n)
{
	static volatile grant_entry_v1_t *mapped[GRANT_FRAMES_MAX + 1];
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = n };
	xen_pfn_t frames[GRANT_FRAMES_MAX];
	unsigned long mfns[GRANT_FRAMES_MAX];
	unsigned int i;

	if (n == 0 || n > GRANT_FRAMES_MAX)
		return NULL;
	if (mapped[n] != NULL)
		return mapped[n];
	set_xen_guest_handle(st.frame_list, frames);
	if (hv_grant_table_op(GNTTABOP_setup_table, &st, 1) != 0 ||
	    st.status != GNTST_okay)
		return NULL;
	for (i = 0; i < n; i++)
		mfns[i] = frames[i];
	mapped[n] = mm_vmap(mfns, n);
	return mapped[n];
}

void grant_offer(volatile grant_entry_v1_t *e, domid_t to, unsigned long pfn,
    uint16_t flags)
{
	e->domid = to;
	e->frame = (uint32_t)pfn_to_mfn(pfn);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->flags = GTF_permit_access | flags;
}
