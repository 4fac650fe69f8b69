/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables from the guest's side: set up and map our table, check the
 * toolstack's reserved entries, grant pages to dom0 (one writable, one
 * read-only) and follow what tests/integration/gntpeer does with them:
 * dom0 writes through its mapping and unmaps; our next write reaches only
 * a new mapping, through which dom0 answers. Copy and version errors are
 * checked on the way.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

#define REF_RW	8
#define REF_RO	9
#define WAIT_NS	(60ull * 1000000000ull)

/* Spin (yielding) until cond holds or a minute has passed. */
#define WAIT_FOR(cond) ({						\
	uint64_t end_ = system_time() + WAIT_NS;			\
	while (!(cond) && system_time() < end_)				\
		hv_sched_op(SCHEDOP_yield, NULL);			\
	(cond);								\
})

void suite_grant(void)
{
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { .version = 2 };
	struct gnttab_copy cp = { .len = 8, .flags = GNTCOPY_source_gref };
	unsigned long p_rw = mm_alloc_page(), p_ro = mm_alloc_page();
	volatile grant_entry_v1_t *gt;
	volatile char *rw = pfn_to_virt(p_rw);
	xen_pfn_t frame = 0;
	long r;

	shared_info_map();		/* for system_time() */
	set_xen_guest_handle(st.frame_list, &frame);
	r = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
	check(r == 0 && st.status == GNTST_okay, "setup_table: frame %#lx", frame);
	r = hv_grant_table_op(GNTTABOP_query_size, &qs, 1);
	check(r == 0 && qs.status == GNTST_okay && qs.nr_frames >= 1 &&
	    qs.max_nr_frames >= qs.nr_frames, "query_size: %u of %u frames",
	    qs.nr_frames, qs.max_nr_frames);
	check(hv_grant_table_op(GNTTABOP_set_version, &sv, 1) == -XEN_ENOSYS && sv.version == 1,
	    "grant table v2 is refused; we stay at v1");
	gt = mm_map_machine(frame, 1);
	if (gt == NULL) {
		check(0, "map our grant table");
		return;
	}
	check(gt[GNTTAB_RESERVED_CONSOLE].flags == GTF_permit_access &&
	    gt[GNTTAB_RESERVED_CONSOLE].domid == 0 &&
	    gt[GNTTAB_RESERVED_CONSOLE].frame == start_info->console.domU.mfn,
	    "reserved console entry grants our console page to dom0");
	check(gt[GNTTAB_RESERVED_XENSTORE].frame == start_info->store_mfn,
	    "reserved store entry");

	cp.source.u.ref = REF_RW;
	cp.source.domid = 0;
	cp.dest.u.gmfn = pfn_to_mfn(p_ro);
	cp.dest.domid = DOMID_SELF;
	cp.dest.offset = PAGE_SIZE - 4;
	check(hv_grant_table_op(GNTTABOP_copy, &cp, 1) == 0 && cp.status == GNTST_bad_copy_arg,
	    "a copy across a page end is refused");
	cp.dest.offset = 0;
	r = hv_grant_table_op(GNTTABOP_copy, &cp, 1);
	check(r == 0 && cp.status == GNTST_bad_domain,
	    "a copy from a domain without grants is refused (%d)", cp.status);
	check(hv_grant_table_op(GNTTABOP_transfer, &cp, 1) == -XEN_ENOSYS,
	    "page transfer is not offered");

	memcpy((char *)rw, "hello dom0", 11);
	memcpy(pfn_to_virt(p_ro), "read only", 10);
	grant_offer(&gt[REF_RW], 0, p_rw, 0);
	grant_offer(&gt[REF_RO], 0, p_ro, GTF_readonly);
	printk("grant: ready, ref %u writable, ref %u read-only\n", REF_RW, REF_RO);

	check(WAIT_FOR(rw[0] == 'A'), "dom0 wrote through its mapping: '%s'", (char *)rw);
	r = WAIT_FOR(!(gt[REF_RW].flags & (GTF_reading | GTF_writing)));
	check(r, "dom0 unmapped: the busy bits are clear (flags %#x)", gt[REF_RW].flags);
	check(!(gt[REF_RO].flags & GTF_writing), "the read-only grant was never write-pinned");
	memcpy((char *)rw, "after unmap", 12);
	printk("grant: wrote after unmap\n");
	/* dom0's old mapping must not show that; a new one does, and says
	 * "Done" through it. */
	check(WAIT_FOR(rw[0] == 'D'), "dom0 mapped again and is done: '%s'", (char *)rw);
	check(WAIT_FOR(!(gt[REF_RW].flags & GTF_reading)), "and unmapped again");
	gt[REF_RW].flags = 0;
	gt[REF_RO].flags = 0;
}
