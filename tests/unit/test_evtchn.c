/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels between two guests on the real hypervisor core (fake
 * platform): binding, sending both ways, closing and destroying one end,
 * reset, port exhaustion and an event storm.
 */
#include "config.h"

#include "unit.h"
#include <pthread.h>
#include <string.h>

#include "fakeguest.h"

static struct domain *a, *b;

static long evtchn(struct domain *d, unsigned int cmd, void *arg, size_t size)
{
	uint64_t args[6] = { cmd, FG_SCRATCH, 0, 0, 0, 0 };
	long ret;

	memcpy(fg_ptr(d, FG_SCRATCH), arg, size);
	ret = hypercall_call(d->vcpu[0], __HYPERVISOR_event_channel_op, args);
	memcpy(arg, fg_ptr(d, FG_SCRATCH), size);
	return ret;
}

static uint32_t unbound_for(struct domain *d, struct domain *remote)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
	    .remote_dom = (domid_t)remote->domid };

	CU_ASSERT_EQUAL(evtchn(d, EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
	return au.port;
}

static long bind(struct domain *d, struct domain *remote, uint32_t rport,
    uint32_t *lport)
{
	struct evtchn_bind_interdomain bi = {
		.remote_dom = (domid_t)(remote ? remote->domid : 999),
		.remote_port = rport,
	};
	long ret = evtchn(d, EVTCHNOP_bind_interdomain, &bi, sizeof(bi));

	*lport = bi.local_port;
	return ret;
}

static struct evtchn_status status(struct domain *d, uint32_t port)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

	CU_ASSERT_EQUAL(evtchn(d, EVTCHNOP_status, &st, sizeof(st)), 0);
	return st;
}

static bool pending(struct domain *d, uint32_t port)
{
	shared_info_t *s = priv_shared_info(d);

	return s->evtchn_pending[port / 64] & (1ull << (port % 64));
}

static void clear_pending(struct domain *d, uint32_t port)
{
	priv_shared_info(d)->evtchn_pending[port / 64] &= ~(1ull << (port % 64));
}

static long send(struct domain *d, uint32_t port)
{
	struct evtchn_send s = { .port = port };

	return evtchn(d, EVTCHNOP_send, &s, sizeof(s));
}

static void pair_new(void)
{
	a = fg_new();
	b = fg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
}

static void pair_drop(void)
{
	if (a != NULL)
		fg_drop(a);
	if (b != NULL)
		fg_drop(b);
	a = b = NULL;
}

static void test_bind_and_send(void)
{
	uint32_t pa, pb;
	struct evtchn_status st;
	struct evtchn_unmask um;

	pair_new();
	pa = unbound_for(a, b);
	st = status(a, pa);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(st.u.unbound.dom, b->domid);
	CU_ASSERT_EQUAL_FATAL(bind(b, a, pa, &pb), 0);
	CU_ASSERT_TRUE(pending(b, pb));		/* a new binding starts pending */
	st = status(b, pb);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
	CU_ASSERT_EQUAL(st.u.interdomain.dom, a->domid);
	CU_ASSERT_EQUAL(st.u.interdomain.port, pa);
	st = status(a, pa);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
	CU_ASSERT_EQUAL(st.u.interdomain.dom, b->domid);
	CU_ASSERT_EQUAL(st.u.interdomain.port, pb);

	clear_pending(b, pb);
	CU_ASSERT_EQUAL(send(a, pa), 0);
	CU_ASSERT_TRUE(pending(b, pb));
	CU_ASSERT_FALSE(pending(a, pa));
	CU_ASSERT_EQUAL(send(b, pb), 0);
	CU_ASSERT_TRUE(pending(a, pa));
	/* Ports start masked; unmasking a pending one raises the upcall. */
	CU_ASSERT_FALSE(vcpu_info_ptr(a->vcpu[0])->evtchn_upcall_pending);
	um.port = pa;
	CU_ASSERT_EQUAL(evtchn(a, EVTCHNOP_unmask, &um, sizeof(um)), 0);
	CU_ASSERT_TRUE(vcpu_info_ptr(a->vcpu[0])->evtchn_upcall_pending);
	/* Unmasking a port that is not masked raises nothing (Xen's
	 * test_and_clear of the mask), and leaves it pending. */
	vcpu_info_ptr(a->vcpu[0])->evtchn_upcall_pending = 0;
	vcpu_info_ptr(a->vcpu[0])->evtchn_pending_sel = 0;
	CU_ASSERT_EQUAL(evtchn(a, EVTCHNOP_unmask, &um, sizeof(um)), 0);
	CU_ASSERT_FALSE(vcpu_info_ptr(a->vcpu[0])->evtchn_upcall_pending);
	CU_ASSERT_TRUE(pending(a, pa));
	pair_drop();
}

static void test_bind_errors(void)
{
	uint32_t pa, pb, other;

	pair_new();
	pa = unbound_for(a, a);			/* waiting for a itself, not b */
	CU_ASSERT_EQUAL(bind(b, a, pa, &pb), -XEN_EINVAL);
	CU_ASSERT_EQUAL(bind(b, NULL, pa, &pb), -XEN_ESRCH);
	CU_ASSERT_EQUAL(bind(b, a, 0, &pb), -XEN_EINVAL);
	CU_ASSERT_EQUAL(bind(b, a, HV_NR_EVTCHN, &pb), -XEN_EINVAL);
	CU_ASSERT_EQUAL(bind(b, a, 77, &pb), -XEN_EINVAL);	/* a free port */
	other = unbound_for(a, b);
	CU_ASSERT_EQUAL(bind(b, a, other, &pb), 0);
	CU_ASSERT_EQUAL(bind(b, a, other, &pb), -XEN_EINVAL);	/* taken */
	CU_ASSERT_EQUAL(send(b, 5000), -XEN_EINVAL);
	CU_ASSERT_EQUAL(send(b, 77), -XEN_EINVAL);
	pair_drop();
}

static void test_close_and_destroy(void)
{
	struct evtchn_close cl;
	uint32_t pa, pb;

	pair_new();
	pa = unbound_for(a, b);
	CU_ASSERT_EQUAL_FATAL(bind(b, a, pa, &pb), 0);
	CU_ASSERT_TRUE(pending(b, pb));		/* as bound */
	cl.port = pb;
	CU_ASSERT_EQUAL(evtchn(b, EVTCHNOP_close, &cl, sizeof(cl)), 0);
	/* The port's pending bit went with it: the next binding on that
	 * port, an IPI here, starts clear, as Xen's do. */
	CU_ASSERT_FALSE(pending(b, pb));
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	CU_ASSERT_EQUAL(evtchn(b, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), 0);
	CU_ASSERT_EQUAL(ipi.port, pb);
	CU_ASSERT_FALSE(pending(b, ipi.port));
	cl.port = ipi.port;
	CU_ASSERT_EQUAL(evtchn(b, EVTCHNOP_close, &cl, sizeof(cl)), 0);
	cl.port = pb;
	CU_ASSERT_EQUAL(status(a, pa).status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(status(a, pa).u.unbound.dom, b->domid);
	CU_ASSERT_EQUAL(status(b, pb).status, EVTCHNSTAT_closed);
	CU_ASSERT_EQUAL(evtchn(b, EVTCHNOP_close, &cl, sizeof(cl)), -XEN_EINVAL);
	cl.port = 0;
	CU_ASSERT_EQUAL(evtchn(b, EVTCHNOP_close, &cl, sizeof(cl)), -XEN_EINVAL);

	/* Bound again, then b is destroyed: a's end waits for b again. */
	CU_ASSERT_EQUAL_FATAL(bind(b, a, pa, &pb), 0);
	fg_drop(b);
	b = NULL;
	CU_ASSERT_EQUAL(status(a, pa).status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(send(a, pa), 0);		/* dropped, as unbound */
	pair_drop();
}

static void test_reset_unbinds_peers(void)
{
	struct evtchn_reset r = { .dom = DOMID_SELF };
	uint32_t pa, pb;

	pair_new();
	pa = unbound_for(a, b);
	CU_ASSERT_EQUAL_FATAL(bind(b, a, pa, &pb), 0);
	CU_ASSERT_EQUAL(evtchn(a, EVTCHNOP_reset, &r, sizeof(r)), 0);
	CU_ASSERT_EQUAL(status(a, pa).status, EVTCHNSTAT_closed);
	CU_ASSERT_EQUAL(status(b, pb).status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(status(b, pb).u.unbound.dom, a->domid);
	r.dom = 0;
	CU_ASSERT_EQUAL(evtchn(a, EVTCHNOP_reset, &r, sizeof(r)), -XEN_EPERM);
	pair_drop();
}

/* A domain may not have more ports than its limit; a flood of sends from
 * another domain coalesces into one pending bit. */
static void test_limits_and_storm(void)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF };
	uint32_t pa, pb, n = 0;
	long ret;
	int i;

	pair_new();
	pa = unbound_for(a, b);
	CU_ASSERT_EQUAL_FATAL(bind(b, a, pa, &pb), 0);
	for (i = 0; i < 100000; i++)
		if (send(b, pb) != 0)
			break;
	CU_ASSERT_EQUAL(i, 100000);
	CU_ASSERT_TRUE(pending(a, pa));
	au.remote_dom = (domid_t)b->domid;
	while ((ret = evtchn(a, EVTCHNOP_alloc_unbound, &au, sizeof(au))) == 0)
		n++;
	CU_ASSERT_EQUAL(ret, -XEN_ENOSPC);
	CU_ASSERT_EQUAL(n, HV_NR_EVTCHN - 2);	/* port 0 and pa */
	pair_drop();
}

/* XSA-343's class: one domain sends without pause while the other binds,
 * resets and closes the channel under it. */
static uint32_t race_port;
static bool race_stop;
static unsigned long race_bad;

static void *race_sender(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
		long r = send(a, __atomic_load_n(&race_port, __ATOMIC_ACQUIRE));

		if (r != 0 && r != -XEN_EINVAL)
			race_bad++;
	}
	return NULL;
}

static void test_reset_races_send(void)
{
	struct evtchn_reset r = { .dom = DOMID_SELF };
	pthread_t t;
	uint32_t pa, pb, p;
	int i;

	pair_new();
	race_stop = false;
	race_bad = 0;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, race_sender, NULL), 0);
	for (i = 0; i < 2000; i++) {
		CU_ASSERT_EQUAL_FATAL(evtchn_alloc_unbound(a, b->domid, &pa), 0);
		__atomic_store_n(&race_port, pa, __ATOMIC_RELEASE);
		if (bind(b, a, pa, &pb) != 0)
			continue;
		if (i % 2)
			evtchn(b, EVTCHNOP_reset, &r, sizeof(r));
		evtchn_close_port(a, pa);
	}
	__atomic_store_n(&race_stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(race_bad, 0);
	for (p = 1; p < 64; p++) {
		CU_ASSERT_NOT_EQUAL(status(a, p).status, EVTCHNSTAT_interdomain);
		CU_ASSERT_NOT_EQUAL(status(b, p).status, EVTCHNSTAT_interdomain);
	}
	pair_drop();
}

/* SCHEDOP_poll from b on its ports, arguments in b's scratch pages. */
static long poll(struct domain *d, const uint32_t *ports, unsigned int n,
    uint64_t timeout)
{
	struct sched_poll p = { .nr_ports = n, .timeout = timeout };
	uint64_t args[6] = { SCHEDOP_poll, FG_SCRATCH, 0, 0, 0, 0 };

	set_xen_guest_handle(p.ports, (evtchn_port_t *)(FG_SCRATCH + 64));
	memcpy(fg_ptr(d, FG_SCRATCH), &p, sizeof(p));
	memcpy(fg_ptr(d, FG_SCRATCH + 64), ports, n * sizeof(*ports));
	return hypercall_call(d->vcpu[0], __HYPERVISOR_sched_op, args);
}

/* Xen's poll: returns at once for a pending port (masked or not), sleeps
 * otherwise, and a send to a masked polled port wakes it. */
static void test_poll(void)
{
	static uint32_t many[SCHED_POLL_MAX + 1];
	uint32_t pa, pb, other[2];
	struct vcpu *v;

	pair_new();
	v = b->vcpu[0];
	pa = unbound_for(a, b);
	CU_ASSERT_EQUAL_FATAL(bind(b, a, pa, &pb), 0);
	CU_ASSERT_EQUAL(poll(b, &pb, 1, 0), 0);		/* pending from the bind */
	CU_ASSERT_FALSE(v->blocked);
	clear_pending(b, pb);
	CU_ASSERT_EQUAL(poll(b, &pb, 1, 0), 0);
	CU_ASSERT_TRUE(v->blocked);
	CU_ASSERT_EQUAL(send(a, pa), 0);		/* pb is masked: no upcall */
	CU_ASSERT_FALSE(vcpu_info_ptr(v)->evtchn_upcall_pending);
	CU_ASSERT_FALSE(v->blocked);
	CU_ASSERT_EQUAL(v->nr_poll, 0);
	clear_pending(b, pb);
	other[0] = pb + 1;
	other[1] = pb + 2;
	CU_ASSERT_EQUAL(poll(b, other, 2, 0), 0);
	CU_ASSERT_TRUE(v->blocked);
	CU_ASSERT_EQUAL(send(a, pa), 0);		/* not a polled port */
	CU_ASSERT_TRUE(v->blocked);
	v->blocked = false;
	CU_ASSERT_EQUAL(poll(b, &pb, 1, 1), 0);		/* timeout long past */
	CU_ASSERT_FALSE(v->blocked);
	other[0] = HV_NR_EVTCHN;
	CU_ASSERT_EQUAL(poll(b, other, 1, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(poll(b, many, SCHED_POLL_MAX + 1, 0), -XEN_EINVAL);
	CU_ASSERT_FALSE(v->blocked);
	pair_drop();
}

static CU_TestInfo tests[] = {
	{ "SCHEDOP_poll", test_poll },
	{ "bind interdomain and send both ways", test_bind_and_send },
	{ "bind errors", test_bind_errors },
	{ "close and destroy leave the peer unbound", test_close_and_destroy },
	{ "reset unbinds peers", test_reset_unbinds_peers },
	{ "port limit and event storm", test_limits_and_storm },
	{ "reset and close racing with sends", test_reset_races_send },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "evtchn", fg_init, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
