/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant copy throughput: GNTTABOP_copy in batches of 32 ops of 4 KiB, from
 * pages one guest granted to another, through the hypervisor's own path
 * (argument copy-in, grant checks and pins, XSM, status copy-out) on the
 * fake platform, so no exit cost is included; against memcpy of the same
 * pages in the same run. Target: at least 60% of memcpy.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../tests/unit/fakeguest.h"
#include "benchlib.h"

#define OPS 32
#define ROUNDS 4000
#define SRC_PFN 64
#define DST_PFN 200

int main(void)
{
	struct gnttab_copy ops[OPS];
	struct domain *a, *b;
	grant_entry_v1_t *gt;
	uint64_t args[6];
	double t, hv_s, mc_s, mb;
	int i, r;

	fg_init();
	a = fg_new();
	b = fg_new();
	if (a == NULL || b == NULL)
		return fprintf(stderr, "bench: cannot create the fake guests\n"), 1;
	gt = (grant_entry_v1_t *)(a->priv + PF_GNT * PAGE_SIZE);
	gnt_init(a, 10, 11);
	for (i = 0; i < OPS; i++) {
		gt[8 + i] = (grant_entry_v1_t){ .flags = GTF_permit_access | GTF_readonly,
		    .domid = (domid_t)b->domid, .frame = SRC_PFN + i };
		memset(a->ram + (SRC_PFN + i) * PAGE_SIZE, 'a' + i, PAGE_SIZE);
		ops[i] = (struct gnttab_copy){
			.source = { .u.ref = 8 + i, .domid = (domid_t)a->domid },
			.dest = { .u.gmfn = DST_PFN + i, .domid = DOMID_SELF },
			.len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
		};
	}
	memcpy(fg_ptr(b, FG_SCRATCH), ops, sizeof(ops));
	t = bench_now();
	for (r = 0; r < ROUNDS; r++) {
		args[0] = GNTTABOP_copy;
		args[1] = FG_SCRATCH;
		args[2] = OPS;
		if (hypercall_call(b->vcpu[0], __HYPERVISOR_grant_table_op, args) != 0)
			return fprintf(stderr, "bench: copy failed\n"), 1;
	}
	hv_s = bench_now() - t;
	for (i = 0; i < OPS; i++)
		if (((struct gnttab_copy *)fg_ptr(b, FG_SCRATCH))[i].status != GNTST_okay ||
		    b->ram[(DST_PFN + i) * PAGE_SIZE] != 'a' + i)
			return fprintf(stderr, "bench: op %d did not copy\n", i), 1;
	t = bench_now();
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < OPS; i++)
			memcpy(b->ram + (DST_PFN + i) * PAGE_SIZE,
			    a->ram + (SRC_PFN + i) * PAGE_SIZE, PAGE_SIZE);
	mc_s = bench_now() - t;
	mb = (double)ROUNDS * OPS * PAGE_SIZE / (1 << 20);
	printf("memcpy, same pages (limit):    %8.0f MiB/s\n", mb / mc_s);
	printf("grant copy, 32 x 4 KiB per op: %8.0f MiB/s\n", mb / hv_s);
	printf("ratio: %.2f\n", mc_s / hv_s);
	fg_drop(a);
	fg_drop(b);
	return 0;
}
