/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * suite=gntmap on hvmtest: the granter is pvtest's own; the mapper maps at
 * guest-physical addresses, as an auto-translated guest does, and speaks
 * the same protocol step by step (suite_gntmap.c) without the PV-only
 * unmap_and_replace, which it checks is refused. With rowrite=1 it then
 * writes through the read-only mapping, which must change nothing.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

static void refusals(domid_t peer, unsigned long mapped_pfn)
{
	uint64_t spare = (uint64_t)mm_alloc_page() << PAGE_SHIFT;
	uint64_t shinfo = ((uint64_t)(unsigned long)shared_info) & ~(PAGE_SIZE - 1);
	struct gnttab_unmap_and_replace rep = {
		.host_addr = (uint64_t)mapped_pfn << PAGE_SHIFT, .new_addr = spare,
	};

	gntmap_refused(peer, GM_REF_RW, GM_REF_RO, spare, (uint64_t)mapped_pfn << PAGE_SHIFT);
	check(gntmap_map(peer, GM_REF_RW, shinfo, 0, NULL) == GNTST_bad_virt_addr,
	    "the frame shared_info shows at is refused");
	check(hv_grant_table_op(GNTTABOP_unmap_and_replace, &rep, 1) == 0 &&
	    rep.status == GNTST_general_error, "unmap_and_replace is PV's only");
}

static void hvm_mapper(domid_t peer, evtchn_port_t rport)
{
	unsigned long p_own = mm_alloc_page(), p_ro = mm_alloc_page();
	evtchn_port_t port = port_bind(peer, rport);
	struct gnttab_unmap_grant_ref both[2];
	grant_handle_t h = 0, h_ro = 0;
	unsigned long base;

	check(port != 0, "bound to domain %u port %u", peer, rport);
	if (port == 0)
		return;
	base = port_hits[port];
	put_text(text_at(p_own, 0), GM_OWN_TEXT);
	put_text(text_at(p_own, 128), GM_OWN_TEXT);
	check(gntmap_map(peer, GM_REF_RW, (uint64_t)p_own << PAGE_SHIFT, 0, &h) == GNTST_okay,
	    "mapped gref %u at gfn %#lx", GM_REF_RW, p_own);
	check(text_is(text_at(p_own, 0), GM_RW_TEXT), "the granted page shows through");
	put_text(text_at(p_own, 64), GM_MAPPER_TEXT);
	check(gntmap_map(peer, GM_REF_RO, (uint64_t)p_ro << PAGE_SHIFT, GNTMAP_readonly, &h_ro) ==
	    GNTST_okay, "mapped gref %u read-only", GM_REF_RO);
	check(text_is(text_at(p_ro, 0), GM_RO_TEXT), "the read-only page shows through");
	if (cmdline_ulong("rowrite", 0)) {
		/* Hostile: write through the read-only mapping; the page must
		 * not change (ours nor the granter's). */
		printk("gntmap: writing to a read-only grant\n");
		put_text(text_at(p_ro, 0), "overwritten");
		check(text_is(text_at(p_ro, 0), GM_RO_TEXT),
		    "a write to a read-only grant changes nothing");
		return;
	}
	refusals(peer, p_own);
	port_send(port);
	check(port_wait(port, base + 1), "the granter saw our write");
	both[0] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)p_own << PAGE_SHIFT,
	    .handle = h };
	both[1] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)p_ro << PAGE_SHIFT,
	    .handle = h_ro };
	check(hv_grant_table_op(GNTTABOP_unmap_grant_ref, both, 2) == 0 &&
	    both[0].status == GNTST_okay && both[1].status == GNTST_okay,
	    "both unmapped in one batch");
	check(text_is(text_at(p_own, 0), GM_OWN_TEXT), "our own page is back");
	port_send(port);
	check(port_wait(port, base + 2), "the granter wrote after the unmap");
	check(text_is(text_at(p_own, 128), GM_OWN_TEXT), "and we see none of it");
	port_send(port);
}

void suite_hvm_gntmap(void)
{
	const char *role = cmdline_get("role");
	bool mapper = role != NULL && strcmp(role, "mapper") == 0;
	domid_t peer = (domid_t)cmdline_ulong("peer", 0);

	if (!mapper) {
		suite_gntmap();
		return;
	}
	events_init();
	hvm_mapper(peer, (evtchn_port_t)cmdline_ulong("port", 0));
}
