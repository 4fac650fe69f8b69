/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gntmap mapper's HVM side: mappings go at guest-physical addresses,
 * as for Xen's auto-translated guests; the frame shared_info shows at is
 * refused, and so is the PV-only unmap_and_replace. With rowrite=1 the
 * mapper writes through its read-only mapping, which must change nothing,
 * and stops there (the granter only waits for its grant back).
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

uint64_t gntmap_addr(unsigned long pfn)
{
	return (uint64_t)pfn << PAGE_SHIFT;
}

bool gntmap_ro_mapped(unsigned long pfn)
{
	if (!cmdline_ulong("rowrite", 0))
		return true;
	printk("gntmap: writing to a read-only grant\n");
	put_text(text_at(pfn, 0), "overwritten");
	check(text_is(text_at(pfn, 0), GM_RO_TEXT),
	    "a write to a read-only grant changes nothing");
	return false;
}

void gntmap_refused_here(domid_t peer, grant_ref_t ref, uint64_t spare, uint64_t mapped)
{
	uint64_t shinfo = ((uint64_t)(unsigned long)shared_info) & ~(PAGE_SIZE - 1);
	struct gnttab_unmap_and_replace rep = { .host_addr = mapped, .new_addr = spare };

	check(gntmap_map(peer, ref, shinfo, 0, NULL) == GNTST_bad_virt_addr,
	    "the frame shared_info shows at is refused");
	check(hv_grant_table_op(GNTTABOP_unmap_and_replace, &rep, 1) == 0 &&
	    rep.status == GNTST_general_error, "unmap_and_replace is PV's only");
}

void gntmap_last(domid_t peer, grant_ref_t ref, unsigned long pfn)
{
	(void)peer;
	(void)ref;
	(void)pfn;	/* nothing more: unmap_and_replace is not ours */
}
