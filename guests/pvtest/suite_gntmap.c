/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two guests share granted pages by mapping them (GNTTABOP_map_grant_ref):
 *   suite=gntmap role=granter peer=N
 *       grants one page writable and one read-only to domain N, offers a
 *       port, and prints "gntmap: offering gref R ro Q port P";
 *   suite=gntmap role=mapper peer=N gref=R rogref=Q port=P
 *       maps both over pages of its own, writes through the writable one,
 *       tries what it must not, unmaps (revoking), and checks that it sees
 *       its own pages again and none of the granter's later writes.
 * Each step is one event on the port, so the two check each other's side.
 * With hold=1 the mapper only maps and keeps the mapping, and the granter
 * only waits for the grant to be taken and given back: that is how the
 * tests destroy one side under a live mapping. Both kernels run this file;
 * what the mapper does differently on each (where a mapping goes, what only
 * one of them checks) is gntmap_pv.c's and hvmtest's gntmap_hvm.c's.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

volatile char *text_at(unsigned long pfn, unsigned int off)
{
	return (volatile char *)pfn_to_virt(pfn) + off;
}

bool text_is(volatile const char *p, const char *s)
{
	return memcmp((const void *)p, s, strlen(s) + 1) == 0;
}

void put_text(volatile char *p, const char *s)
{
	memcpy((void *)p, s, strlen(s) + 1);
}

/* Yield until the entry's busy bits are want, or a minute has passed. */
static bool flags_become(volatile grant_entry_v1_t *e, uint16_t want)
{
	uint64_t end = system_time() + 60ull * 1000000000ull;

	while ((e->flags & (GTF_reading | GTF_writing)) != want && system_time() < end)
		hv_sched_op(SCHEDOP_yield, NULL);
	return (e->flags & (GTF_reading | GTF_writing)) == want;
}

static void granter(domid_t peer, bool hold)
{
	volatile grant_entry_v1_t *gt = grant_table();
	unsigned long p_rw = mm_alloc_page(), p_ro = mm_alloc_page();
	evtchn_port_t port = port_offer(peer);
	uint16_t busy = GTF_reading | GTF_writing;

	check(gt != NULL && port != 0, "grant table mapped, port %u offered", port);
	if (gt == NULL || port == 0)
		return;
	put_text(text_at(p_rw, 0), GM_RW_TEXT);
	put_text(text_at(p_ro, 0), GM_RO_TEXT);
	grant_offer(&gt[GM_REF_RW], peer, p_rw, 0);
	grant_offer(&gt[GM_REF_RO], peer, p_ro, GTF_readonly);
	printk("gntmap: offering gref %u ro %u port %u\n", GM_REF_RW, GM_REF_RO, port);
	if (hold) {
		check(flags_become(&gt[GM_REF_RW], GTF_reading | GTF_writing),
		    "the mapper took the grant");
		check(flags_become(&gt[GM_REF_RW], 0), "and gave it back");
		return;
	}

	check(port_wait(port, 1), "the mapper mapped and wrote");
	check(text_is(text_at(p_rw, 64), GM_MAPPER_TEXT), "its write reached our page");
	check((gt[GM_REF_RW].flags & busy) == busy, "writable grant in use: flags %#x",
	    gt[GM_REF_RW].flags);
	check((gt[GM_REF_RO].flags & busy) == GTF_reading,
	    "read-only grant in use for reading only: flags %#x", gt[GM_REF_RO].flags);
	port_send(port);

	check(port_wait(port, 2), "the mapper unmapped");
	check((gt[GM_REF_RW].flags & busy) == 0 && (gt[GM_REF_RO].flags & busy) == 0,
	    "both grants idle again: flags %#x %#x", gt[GM_REF_RW].flags,
	    gt[GM_REF_RO].flags);
	put_text(text_at(p_rw, 128), GM_LATE_TEXT);
	port_send(port);
	check(port_wait(port, 3), "the mapper finished");
	check(text_is(text_at(p_rw, 0), GM_RW_TEXT), "our page kept its content");
}

int16_t gntmap_map(domid_t dom, grant_ref_t ref, uint64_t host_addr, uint32_t flags,
    grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = host_addr, .flags = GNTMAP_host_map | flags, .ref = ref, .dom = dom,
	};

	if (hv_grant_table_op(GNTTABOP_map_grant_ref, &op, 1) != 0)
		return 1;
	if (handle != NULL)
		*handle = op.handle;
	return op.status;
}

int16_t gntmap_unmap(uint64_t host_addr, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = host_addr, .handle = handle };

	if (hv_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1) != 0)
		return 1;
	return op.status;
}

/* What a mapper must not get, each with Xen's status (mapped: an address
 * already showing a grant). */
static void mapper_refused(domid_t peer, grant_ref_t ref, grant_ref_t roref,
    uint64_t mapped)
{
	uint64_t spare = gntmap_addr(mm_alloc_page());

	check(gntmap_map(peer, GM_REF_NEVER, spare, 0, NULL) == GNTST_general_error,
	    "a gref never granted is refused");
	check(gntmap_map(peer, 1u << 20, spare, 0, NULL) == GNTST_bad_gntref,
	    "a gref out of range is bad_gntref");
	check(gntmap_map(999, ref, spare, 0, NULL) == GNTST_bad_domain,
	    "a domain that does not exist is bad_domain");
	check(gntmap_map(peer, roref, spare, 0, NULL) == GNTST_permission_denied,
	    "a writable map of a read-only grant is permission_denied");
	check(gntmap_map(peer, ref, spare + 8, 0, NULL) == GNTST_bad_virt_addr,
	    "an unaligned address is bad_virt_addr");
	check(gntmap_map(peer, ref, mapped, 0, NULL) == GNTST_bad_virt_addr,
	    "a frame already showing a grant is refused");
	check(gntmap_map(peer, ref, spare, GNTMAP_device_map, NULL) == GNTST_general_error,
	    "device mappings are not offered");
	check(gntmap_unmap(0, 5000) == GNTST_bad_handle, "unmap of a handle never given");
	gntmap_refused_here(peer, ref, spare, mapped);
}

static void mapper_hold(domid_t peer, grant_ref_t ref)
{
	unsigned long p = mm_alloc_page();
	grant_handle_t h = 0;

	check(gntmap_map(peer, ref, gntmap_addr(p), 0, &h) == GNTST_okay,
	    "mapped gref %u: handle %u", ref, h);
	check(text_is(text_at(p, 0), GM_RW_TEXT), "the granted page shows through");
	printk("gntmap: holding\n");
}

static void mapper(domid_t peer, grant_ref_t ref, grant_ref_t roref,
    evtchn_port_t rport)
{
	unsigned long p_own = mm_alloc_page(), p_ro = mm_alloc_page();
	uint64_t at = gntmap_addr(p_own), at_ro = gntmap_addr(p_ro);
	evtchn_port_t port = port_bind(peer, rport);
	struct gnttab_unmap_grant_ref both[2];
	unsigned long base;
	grant_handle_t h = 0, h_ro = 0;

	check(port != 0, "bound to domain %u port %u", peer, rport);
	if (port == 0)
		return;
	base = port_hits[port];
	put_text(text_at(p_own, 0), GM_OWN_TEXT);
	put_text(text_at(p_own, 128), GM_OWN_TEXT);
	check(gntmap_map(peer, ref, at, 0, &h) == GNTST_okay, "mapped gref %u: handle %u", ref, h);
	check(text_is(text_at(p_own, 0), GM_RW_TEXT), "the granted page shows through");
	put_text(text_at(p_own, 64), GM_MAPPER_TEXT);
	check(gntmap_map(peer, roref, at_ro, GNTMAP_readonly, &h_ro) == GNTST_okay,
	    "mapped gref %u read-only", roref);
	check(text_is(text_at(p_ro, 0), GM_RO_TEXT), "the read-only page shows through");
	if (!gntmap_ro_mapped(p_ro))
		return;
	mapper_refused(peer, ref, roref, at);
	port_send(port);
	check(port_wait(port, base + 1), "the granter saw our write");

	both[0] = (struct gnttab_unmap_grant_ref){ .host_addr = at, .handle = h };
	both[1] = (struct gnttab_unmap_grant_ref){ .host_addr = at_ro, .handle = h_ro };
	check(hv_grant_table_op(GNTTABOP_unmap_grant_ref, both, 2) == 0 &&
	    both[0].status == GNTST_okay && both[1].status == GNTST_okay,
	    "both unmapped in one batch");
	check(text_is(text_at(p_own, 0), GM_OWN_TEXT), "our own page is back");
	check(gntmap_unmap(at, h) == GNTST_bad_handle, "a second unmap is bad_handle");
	port_send(port);
	check(port_wait(port, base + 2), "the granter wrote after the unmap");
	check(text_is(text_at(p_own, 128), GM_OWN_TEXT), "and we see none of it");
	gntmap_last(peer, ref, p_own);
	port_send(port);
}

void suite_gntmap(void)
{
	const char *role = cmdline_get("role");
	bool is_granter = role != NULL && strcmp(role, "granter") == 0;
	domid_t peer = (domid_t)cmdline_ulong("peer", 0);	/* reuses role's buffer */
	bool hold = cmdline_ulong("hold", 0) != 0;
	grant_ref_t ref = (grant_ref_t)cmdline_ulong("gref", GM_REF_RW);

	shared_info_map();
	events_init();
	my_vcpu_info()->evtchn_upcall_mask = 0;
	if (is_granter)
		granter(peer, hold);
	else if (hold)
		mapper_hold(peer, ref);
	else
		mapper(peer, ref, (grant_ref_t)cmdline_ulong("rogref", GM_REF_RO),
		    (evtchn_port_t)cmdline_ulong("port", 0));
}
