/* SPDX-License-Identifier: GPL-2.0-only */
/* Ballooning: give pages back, take them again, and find them scrubbed. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

#define N 16

static long reservation(int op, xen_pfn_t *pfns, unsigned long n)
{
	struct xen_memory_reservation r = {
		.nr_extents = n, .extent_order = 0, .domid = DOMID_SELF,
	};

	set_xen_guest_handle(r.extent_start, pfns);
	return hv_memory_op(op, &r);
}

void suite_balloon(void)
{
	xen_pfn_t pfns[N];
	unsigned long first = start_info->nr_pages - N, i, cur;
	uint64_t *p;
	domid_t self = DOMID_SELF;
	unsigned int bad = 0;
	mmu_update_t u;
	unsigned int done;

	for (i = 0; i < N; i++)
		pfns[i] = first + i;
	p = mm_map_window(first, N);
	check(p != NULL, "map the last %d pages", N);
	for (i = 0; i < N * PAGE_SIZE / 8; i++)
		p[i] = 0x5a5a5a5a00000000ul | i;
	mm_map_window(first, 0);	/* unmap before giving them away */
	check(reservation(XENMEM_decrease_reservation, pfns, N) == N,
	    "decrease_reservation of %d pages", N);
	cur = hv_memory_op(XENMEM_current_reservation, &self);
	check(cur == start_info->nr_pages - N, "current_reservation now %lu", cur);
	u.ptr = (pfn_to_mfn(virt_to_pfn((void *)start_info->pt_base)) << PAGE_SHIFT) + 8 * 300;
	u.val = (pfns[0] << PAGE_SHIFT) | 1;
	check(hv_mmu_update(&u, 1, &done) == -XEN_EPERM, "mapping a ballooned-out frame "
	    "is refused");
	check(reservation(XENMEM_populate_physmap, pfns, N) == N, "populate_physmap of "
	    "%d pages", N);
	cur = hv_memory_op(XENMEM_current_reservation, &self);
	check(cur == start_info->nr_pages, "current_reservation back to %lu", cur);
	p = mm_map_window(first, N);
	for (i = 0; i < N * PAGE_SIZE / 8; i++)
		if (p[i] != 0)
			bad++;
	check(bad == 0, "returned pages read as zero (%u nonzero words)", bad);
}
