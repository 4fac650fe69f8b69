/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the ACM module costs on the hot sharing paths: an event channel
 * send between two guests and a one-page grant copy, each timed with the
 * dummy module and then with an ACM policy in which both guests are blue,
 * on the fake platform (the hypervisor's own path, no exits). The limit is
 * the dummy module's time; target under 3% more.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "xsm/xsm.h"
#include "../tests/unit/fakeguest.h"
#include "../tests/unit/policybuild.h"
#include "benchlib.h"

#define N 200000

static struct domain *a, *b;

static double time_sends(uint32_t port)
{
	struct evtchn_send s = { .port = port };
	uint64_t args[6] = { EVTCHNOP_send, FG_SCRATCH, 0, 0, 0, 0 };
	double t = bench_now();
	int i;

	memcpy(fg_ptr(b, FG_SCRATCH), &s, sizeof(s));
	for (i = 0; i < N; i++)
		hypercall_call(b->vcpu[0], __HYPERVISOR_event_channel_op, args);
	return (bench_now() - t) / N;
}

static double time_copies(void)
{
	struct gnttab_copy op = {
		.source = { .u.ref = 8, .domid = (domid_t)a->domid },
		.dest = { .u.gmfn = 200, .domid = DOMID_SELF },
		.len = 64, .flags = GNTCOPY_source_gref,
	};
	uint64_t args[6] = { GNTTABOP_copy, FG_SCRATCH + 256, 1, 0, 0, 0 };
	double t = bench_now();
	int i;

	memcpy(fg_ptr(b, FG_SCRATCH + 256), &op, sizeof(op));
	for (i = 0; i < N; i++)
		hypercall_call(b->vcpu[0], __HYPERVISOR_grant_table_op, args);
	return (bench_now() - t) / N;
}

int main(void)
{
	static uint8_t pol[65536];
	double send_d[5], send_a[5], copy_d[5], copy_a[5], sd, sa, cd, ca;
	grant_entry_v1_t *gt;
	uint32_t pa, pb;
	char err[256];
	int i;

	fg_init();
	a = fg_new();
	b = fg_new();
	if (a == NULL || b == NULL)
		return fprintf(stderr, "bench: cannot create the fake guests\n"), 1;
	strcpy(a->sec.label, "blue");
	strcpy(b->sec.label, "blue");
	evtchn_alloc_unbound(a, b->domid, &pa);
	{
		struct evtchn_bind_interdomain bi = { .remote_dom = (domid_t)a->domid,
		    .remote_port = pa };
		uint64_t args[6] = { EVTCHNOP_bind_interdomain, FG_SCRATCH, 0, 0, 0, 0 };

		memcpy(fg_ptr(b, FG_SCRATCH), &bi, sizeof(bi));
		if (hypercall_call(b->vcpu[0], __HYPERVISOR_event_channel_op, args) != 0)
			return fprintf(stderr, "bench: bind failed\n"), 1;
		pb = ((struct evtchn_bind_interdomain *)fg_ptr(b, FG_SCRATCH))->local_port;
	}
	gt = (grant_entry_v1_t *)(a->priv + PF_GNT * PAGE_SIZE);
	gnt_init(a, 10, 11);
	gt[8] = (grant_entry_v1_t){ .flags = GTF_permit_access, .domid = (domid_t)b->domid,
	    .frame = 64 };
	/* Alternate the modules, five rounds each: the machine drifts. */
	for (i = 0; i < 5; i++) {
		acm_unload();
		send_d[i] = time_sends(pb);
		copy_d[i] = time_copies();
		if (acm_load(pol, pb_test_policy(pol), 0, err, sizeof(err)) < 0)
			return fprintf(stderr, "bench: %s\n", err), 1;
		send_a[i] = time_sends(pb);
		copy_a[i] = time_copies();
	}
	if (((struct gnttab_copy *)fg_ptr(b, FG_SCRATCH + 256))->status != GNTST_okay)
		return fprintf(stderr, "bench: the copy was refused under ACM\n"), 1;
	sd = bench_median(send_d, 5);
	sa = bench_median(send_a, 5);
	cd = bench_median(copy_d, 5);
	ca = bench_median(copy_a, 5);
	printf("evtchn send, dummy (limit):    %8.1f ns\n", sd * 1e9);
	printf("evtchn send, acm:              %8.1f ns  (%+.1f%%)\n", sa * 1e9,
	    (sa / sd - 1) * 100);
	printf("grant copy 64 B, dummy (limit):%8.1f ns\n", cd * 1e9);
	printf("grant copy 64 B, acm:          %8.1f ns  (%+.1f%%)\n", ca * 1e9,
	    (ca / cd - 1) * 100);
	printf("ratio: %.3f\n", (sa + ca) / (sd + cd));
	acm_unload();
	fg_drop(a);
	fg_drop(b);
	return 0;
}
