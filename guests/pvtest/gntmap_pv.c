/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gntmap mapper's PV side: mappings go at virtual addresses of our own
 * page tables, a read-only one is read-only there, an address no page
 * table maps is refused, and unmap_and_replace moves a mapping.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

uint64_t gntmap_addr(unsigned long pfn)
{
	return (uint64_t)(unsigned long)pfn_to_virt(pfn);
}

bool gntmap_ro_mapped(unsigned long pfn)
{
	check((*pte_for((unsigned long)pfn_to_virt(pfn)) & 2) == 0,
	    "and is read-only in our page table");
	return true;
}

void gntmap_refused_here(domid_t peer, grant_ref_t ref, uint64_t spare, uint64_t mapped)
{
	(void)spare;
	(void)mapped;
	check(gntmap_map(peer, ref, 0xdead0000ul, 0, NULL) == GNTST_bad_virt_addr,
	    "an unmapped address is bad_virt_addr");
}

/* unmap_and_replace: pfn's address then maps what another mapped, and
 * the other nothing. */
void gntmap_last(domid_t peer, grant_ref_t ref, unsigned long pfn)
{
	unsigned long p_other = mm_alloc_page();
	unsigned long va = (unsigned long)pfn_to_virt(pfn);
	unsigned long other = (unsigned long)pfn_to_virt(p_other);
	struct gnttab_unmap_and_replace op = { .host_addr = va, .new_addr = other };
	grant_handle_t h = 0;

	put_text(text_at(p_other, 0), "the page moved by unmap_and_replace");
	check(gntmap_map(peer, ref, va, 0, &h) == GNTST_okay, "mapped again");
	op.handle = h;
	check(hv_grant_table_op(GNTTABOP_unmap_and_replace, &op, 1) == 0 &&
	    op.status == GNTST_okay, "unmap_and_replace: status %d", op.status);
	check(text_is((volatile char *)va, "the page moved by unmap_and_replace"),
	    "the mapping now shows the replacement page");
	check(*pte_for(other) == 0, "and the replacement address maps nothing");
}
