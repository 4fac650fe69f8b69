/* SPDX-License-Identifier: GPL-2.0-only */
/* Suites that need nothing but the start-of-day state and hypercalls. */
#include "pvtest.h"
#include "hypercall.h"
#include "suites.h"

void suite_console(void)
{
	char big[300];
	int i;

	check(start_info->console.domU.mfn != 0, "console page at pfn %lu",
	    (unsigned long)start_info->console.domU.mfn);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	/* 1.2 KiB, more than the 1 KiB ring: flow control must hold it all. */
	for (i = 0; i < 4; i++)
		printk("%s\n", big);
	check(1, "console survived 1.2 KiB of output");
}

void suite_hypercall(void)
{
	xen_extraversion_t extra;
	xen_feature_info_t fi = { .submap_idx = 0 };
	long v, r;

	v = hv_xen_version(XENVER_version, NULL);
	check(v >> 16 >= 4, "xen_version %ld.%ld", v >> 16, v & 0xffff);
	r = hv_xen_version(XENVER_extraversion, extra);
	check(r == 0 && strcmp(extra, "-palisade") == 0, "extraversion '%s'", extra);
	r = hv_xen_version(XENVER_get_features, &fi);
	check(r == 0 && (fi.submap & (1u << XENFEAT_pae_pgdir_above_4gb)) &&
	    !(fi.submap & (1u << XENFEAT_writable_page_tables)),
	    "features submap 0x%x", fi.submap);
	check(hcall0(63) == -XEN_ENOSYS, "unknown hypercall gives -ENOSYS");
	check(hv_sched_op(SCHEDOP_yield, NULL) == 0, "sched_op yield");
	check(hv_sched_op(99, NULL) == -XEN_ENOSYS, "unknown sched_op gives -ENOSYS");
	check(hv_xen_version(XENVER_extraversion, (void *)0x1000) == -XEN_EFAULT,
	    "bad guest pointer gives -EFAULT");
	check(hv_console_write((const char *)0xdead0000UL, 10) == -XEN_EFAULT,
	    "console_io with an unmapped buffer gives -EFAULT");
	check(hv_memory_op(XENMEM_current_reservation, &(domid_t){DOMID_SELF})
	    == (long)start_info->nr_pages, "current_reservation %lu pages",
	    start_info->nr_pages);
}

/* What Xen's default security policy refuses a guest: each refusal is
 * -EPERM here and a line in the hypervisor's audit log. */
void suite_xsm(void)
{
	struct evtchn_alloc_unbound au = { .dom = 0, .remote_dom = DOMID_SELF };
	struct sched_remote_shutdown rs = { .domain_id = 0, .reason = SHUTDOWN_poweroff };
	char c;
	long r;

	check(hcall3(__HYPERVISOR_console_io, CONSOLEIO_read, 1, (long)&c) == -XEN_EPERM,
	    "console_io read is refused");
	check(hv_memory_op(XENMEM_current_reservation, &(domid_t){0}) == -XEN_EPERM,
	    "dom0's reservation is not ours to read");
	check(hv_event_channel_op(EVTCHNOP_alloc_unbound, &au) == -XEN_EPERM,
	    "no event channel allocated in dom0's name");
	check(hv_sched_op(SCHEDOP_remote_shutdown, &rs) == -XEN_EPERM,
	    "no remote shutdown of dom0");
	au.dom = DOMID_SELF;
	au.remote_dom = 0;
	r = hv_event_channel_op(EVTCHNOP_alloc_unbound, &au);
	check(r == 0 && au.port != 0, "an unbound port of our own, for dom0: port %u",
	    au.port);
}

/* Every frame the builder did not fill reads as zero. */
void suite_zeromem(void)
{
	unsigned long pfn, first = mm_first_free_pfn() + 64, bad = 0, n;
	uint64_t *p;
	unsigned int i, chunk;

	for (pfn = first; pfn < start_info->nr_pages; pfn += chunk) {
		chunk = start_info->nr_pages - pfn < 512 ?
		    start_info->nr_pages - pfn : 512;
		p = mm_map_window(pfn, chunk);
		if (p == NULL) {
			check(0, "map window at pfn %lu", pfn);
			return;
		}
		for (i = 0; i < chunk * PAGE_SIZE / 8; i++)
			if (p[i] != 0)
				bad++;
	}
	n = start_info->nr_pages - first;
	check(bad == 0, "%lu free pages read as zero (%lu nonzero words)", n, bad);
}
