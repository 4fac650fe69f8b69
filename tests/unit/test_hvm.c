/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HVM core on the fake platform: hvm_op's params and their checks,
 * add_to_physmap placing shared_info and grant frames (and giving a frame
 * its RAM back when they move), the HVM hypercall set, and the devices
 * behind port I/O: the 16550 into the console ring, the RTC, empty ports.
 */
#include "config.h"

#include "unit.h"
#include <string.h>

#include "fakeguest.h"
#include "../../hypervisor/hvm.h"
#include <xen/io/console.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

static struct domain *d;

static void *scratch(void)
{
	return fg_ptr(d, FG_SCRATCH);
}

static long hvm_param(unsigned int op, uint32_t index, uint64_t *value)
{
	struct xen_hvm_param *p = scratch();
	uint64_t a[6] = { op, FG_SCRATCH };
	long ret;

	*p = (struct xen_hvm_param){ .domid = DOMID_SELF, .index = index, .value = *value };
	ret = hypercall_call(d->vcpu[0], __HYPERVISOR_hvm_op, a);
	*value = p->value;
	return ret;
}

static long physmap(unsigned int space, uint64_t idx, uint64_t gpfn)
{
	struct xen_add_to_physmap *x = scratch();
	uint64_t a[6] = { XENMEM_add_to_physmap, FG_SCRATCH };

	*x = (struct xen_add_to_physmap){ .domid = DOMID_SELF, .space = space,
	    .idx = idx, .gpfn = gpfn };
	return hypercall_call(d->vcpu[0], __HYPERVISOR_memory_op, a);
}

static void setup(void)
{
	d = fg_new_type(CTL_DOM_HVM);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->hvm);
}

static void test_params(void)
{
	uint64_t v;

	setup();
	d->hvm->store_pfn = 1000;
	d->hvm->store_evtchn = 3;
	v = 0;
	CU_ASSERT_EQUAL(hvm_param(HVMOP_get_param, HVM_PARAM_STORE_PFN, &v), 0);
	CU_ASSERT_EQUAL(v, 1000);
	CU_ASSERT_EQUAL(hvm_param(HVMOP_get_param, HVM_PARAM_STORE_EVTCHN, &v), 0);
	CU_ASSERT_EQUAL(v, 3);
	v = 5;
	CU_ASSERT_EQUAL(hvm_param(HVMOP_set_param, HVM_PARAM_STORE_PFN, &v), -XEN_EPERM);
	CU_ASSERT_EQUAL(hvm_param(HVMOP_get_param, HVM_NR_PARAMS, &v), -XEN_EINVAL);
	v = 0x10;		/* a GSI */
	CU_ASSERT_EQUAL(hvm_param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v), -XEN_EINVAL);
	v = (2ull << 56) | 0x5;	/* a vector below 16 */
	CU_ASSERT_EQUAL(hvm_param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v), -XEN_EINVAL);
	v = (2ull << 56) | 0x1f3;	/* stray bits */
	CU_ASSERT_EQUAL(hvm_param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v), -XEN_EINVAL);
	v = (2ull << 56) | 0xf3;
	CU_ASSERT_EQUAL(hvm_param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v), 0);
	CU_ASSERT_EQUAL(d->hvm->callback_vector, 0xf3);
	v = 0;
	CU_ASSERT_EQUAL(hvm_param(HVMOP_get_param, HVM_PARAM_CALLBACK_IRQ, &v), 0);
	CU_ASSERT_EQUAL(v, (2ull << 56) | 0xf3);
	/* Another domain's params are not ours. */
	((struct xen_hvm_param *)scratch())->domid = 0;
	{
		uint64_t a[6] = { HVMOP_get_param, FG_SCRATCH };

		CU_ASSERT_EQUAL(hypercall_call(d->vcpu[0], __HYPERVISOR_hvm_op, a),
		    -XEN_EPERM);
	}
	fg_drop(d);
}

static void test_hypercall_set(void)
{
	uint64_t a[6] = { 0 };
	struct domain *pv;

	setup();
	CU_ASSERT_EQUAL(hypercall_call(d->vcpu[0], __HYPERVISOR_mmu_update, a), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(hypercall_call(d->vcpu[0], __HYPERVISOR_set_trap_table, a),
	    -XEN_ENOSYS);
	CU_ASSERT_EQUAL(hypercall_call(d->vcpu[0], __HYPERVISOR_iret, a), -XEN_ENOSYS);
	CU_ASSERT(hypercall_call(d->vcpu[0], __HYPERVISOR_xen_version, a) > 0);
	pv = fg_new();
	a[0] = HVMOP_get_param;
	CU_ASSERT_EQUAL(hypercall_call(pv->vcpu[0], __HYPERVISOR_hvm_op, a), -XEN_ENOSYS);
	fg_drop(pv);
	fg_drop(d);
}

static void test_physmap(void)
{
	struct gnttab_setup_table *st;
	xen_pfn_t *frames;
	shared_info_t *si;
	uint8_t *page;
	uint64_t a[6];

	setup();
	si = priv_shared_info(d);
	page = d->ram + 100 * PAGE_SIZE;
	memset(page, 0x5a, PAGE_SIZE);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_shared_info, 0, 100), 0);
	CU_ASSERT_EQUAL(d->hvm->shinfo_gfn, 100);
	si->wc_sec = 12345;
	CU_ASSERT_EQUAL(((shared_info_t *)page)->wc_sec, 12345);	/* the same page */
	((shared_info_t *)page)->wc_nsec = 777;
	CU_ASSERT_EQUAL(si->wc_nsec, 777);
	/* Moved: the old frame is RAM again, with what it held. */
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_shared_info, 0, 101), 0);
	CU_ASSERT_EQUAL(page[0], 0x5a);
	CU_ASSERT_EQUAL(((shared_info_t *)(d->ram + 101 * PAGE_SIZE))->wc_sec, 12345);
	/* Grant frames, and setup_table names where they are. */
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_grant_table, 0, 110), 0);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_grant_table, 1, 111), 0);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_grant_table, 1, 101), -XEN_EBUSY);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_grant_table, GNT_MAX_FRAMES, 112), -XEN_EINVAL);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_grant_table, 0x80000000u, 112), -XEN_EINVAL);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_gmfn, 5, 112), -XEN_EINVAL);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_shared_info, 1, 112), -XEN_EINVAL);
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_shared_info, 0, d->max_pages), -XEN_EINVAL);
	st = scratch();
	frames = (xen_pfn_t *)((uint8_t *)scratch() + 256);
	*st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 2 };
	set_xen_guest_handle(st->frame_list, (xen_pfn_t *)(FG_SCRATCH + 256));
	a[0] = GNTTABOP_setup_table;
	a[1] = FG_SCRATCH;
	a[2] = 1;
	CU_ASSERT_EQUAL(hypercall_call(d->vcpu[0], __HYPERVISOR_grant_table_op, a), 0);
	CU_ASSERT_EQUAL(st->status, GNTST_okay);
	CU_ASSERT_EQUAL(frames[0], 110);
	CU_ASSERT_EQUAL(frames[1], 111);
	/* The special frames are not the guest's to share with dom0. */
	{
		int fd = -1;

		CU_ASSERT_EQUAL(memshare_get(d, 110, &fd), -XEN_EBUSY);
		CU_ASSERT_EQUAL(memshare_get(d, 101, &fd), -XEN_EBUSY);
	}
	fg_drop(d);
}

static long gnttab(unsigned int cmd, const void *op, size_t len)
{
	uint64_t a[6] = { cmd, FG_SCRATCH, 1 };

	memcpy(scratch(), op, len);
	return hypercall_call(d->vcpu[0], __HYPERVISOR_grant_table_op, a);
}

/* An HVM guest maps a PV guest's grant at a guest-physical address. */
static void test_grant_map(void)
{
	struct gnttab_map_grant_ref map;
	struct gnttab_unmap_grant_ref unmap;
	struct gnttab_unmap_and_replace rep = { 0 };
	struct domain *g = fg_new();
	char *mine;

	setup();
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	g->gnt_frames = 1;
	((grant_entry_v1_t *)(g->priv + PF_GNT * PAGE_SIZE))[10] = (grant_entry_v1_t){
		.flags = GTF_permit_access, .domid = (domid_t)d->domid, .frame = 100 };
	strcpy((char *)g->ram + 100 * PAGE_SIZE, "the granter's page");
	mine = (char *)d->ram + 200 * PAGE_SIZE;
	strcpy(mine, "the mapper's own page");
	map = (struct gnttab_map_grant_ref){ .host_addr = 200 * PAGE_SIZE,
	    .flags = GNTMAP_host_map, .ref = 10, .dom = (domid_t)g->domid };
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_map_grant_ref, &map, sizeof(map)), 0);
	map = *(struct gnttab_map_grant_ref *)scratch();
	CU_ASSERT_EQUAL_FATAL(map.status, GNTST_okay);
	CU_ASSERT_STRING_EQUAL(mine, "the granter's page");
	strcpy(mine + 64, "written by the mapper");
	CU_ASSERT_STRING_EQUAL((char *)g->ram + 100 * PAGE_SIZE + 64, "written by the mapper");
	/* Not at a frame that shows shared_info, not unaligned, no replace. */
	CU_ASSERT_EQUAL(physmap(XENMAPSPACE_shared_info, 0, 300), 0);
	map.host_addr = 300 * PAGE_SIZE;
	gnttab(GNTTABOP_map_grant_ref, &map, sizeof(map));
	CU_ASSERT_EQUAL(((struct gnttab_map_grant_ref *)scratch())->status, GNTST_bad_virt_addr);
	map.host_addr = 201 * PAGE_SIZE + 8;
	gnttab(GNTTABOP_map_grant_ref, &map, sizeof(map));
	CU_ASSERT_EQUAL(((struct gnttab_map_grant_ref *)scratch())->status, GNTST_bad_virt_addr);
	rep.host_addr = 200 * PAGE_SIZE;
	rep.new_addr = 202 * PAGE_SIZE;
	gnttab(GNTTABOP_unmap_and_replace, &rep, sizeof(rep));
	CU_ASSERT_EQUAL(((struct gnttab_unmap_and_replace *)scratch())->status,
	    GNTST_general_error);
	unmap = (struct gnttab_unmap_grant_ref){ .host_addr = 200 * PAGE_SIZE,
	    .handle = ((struct gnttab_map_grant_ref *)&map)->handle };
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_unmap_grant_ref, &unmap, sizeof(unmap)), 0);
	CU_ASSERT_EQUAL(((struct gnttab_unmap_grant_ref *)scratch())->status, GNTST_okay);
	CU_ASSERT_STRING_EQUAL(mine, "the mapper's own page");
	fg_drop(d);
	fg_drop(g);
}

static uint8_t pio(uint16_t port, bool in, uint8_t v)
{
	hvm_pio(d->vcpu[0], port, in, &v, 1);
	return v;
}

static void test_uart_rtc(void)
{
	struct xencons_interface *ci;
	const char *msg = "hi\n";
	unsigned int i;

	setup();
	d->hvm->console_pfn = 200;
	ci = (struct xencons_interface *)(d->ram + 200 * PAGE_SIZE);
	CU_ASSERT_EQUAL(pio(0x3fd, true, 0) & 0x60, 0x60);	/* THRE, TEMT */
	for (i = 0; msg[i]; i++)
		pio(0x3f8, false, (uint8_t)msg[i]);
	CU_ASSERT_EQUAL(ci->out_prod, 3);
	CU_ASSERT_NSTRING_EQUAL(ci->out, "hi\n", 3);
	/* The line status follows palconsoled: not empty until it took all,
	 * no room for a FIFO's worth when the ring is nearly full. */
	CU_ASSERT_EQUAL(pio(0x3fd, true, 0) & 0x60, 0x20);
	ci->out_cons = 3;
	CU_ASSERT_EQUAL(pio(0x3fd, true, 0) & 0x60, 0x60);
	ci->out_cons = (XENCONS_RING_IDX)(3u - (uint32_t)(sizeof(ci->out) - 8));
	CU_ASSERT_EQUAL(pio(0x3fd, true, 0) & 0x60, 0);
	ci->out_cons = 3;
	/* Divisor latch: the same ports hold the divisor while DLAB is set. */
	pio(0x3fb, false, 0x83);
	pio(0x3f8, false, 1);
	CU_ASSERT_EQUAL(pio(0x3f8, true, 0), 1);
	pio(0x3fb, false, 0x03);
	CU_ASSERT_EQUAL(ci->out_prod, 3);		/* that was no byte out */
	/* Input from the ring. */
	CU_ASSERT_EQUAL(pio(0x3fd, true, 0) & 1, 0);
	ci->in[0] = 'x';
	ci->in_prod = 1;
	CU_ASSERT_EQUAL(pio(0x3fd, true, 0) & 1, 1);
	CU_ASSERT_EQUAL(pio(0x3f8, true, 0), 'x');
	CU_ASSERT_EQUAL(ci->in_cons, 1);
	/* A ring the guest claims is fuller than it can be takes nothing. */
	ci->out_prod = 5000;
	ci->out_cons = 0;
	pio(0x3f8, false, 'z');
	CU_ASSERT_EQUAL(ci->out_prod, 5000);
	CU_ASSERT_EQUAL(d->hvm->uart.dropped, 1);
	/* RTC: BCD fields in range, status B, the memory size. */
	pio(0x70, false, 0x08);
	i = pio(0x71, true, 0);
	CU_ASSERT(i >= 0x01 && i <= 0x12 && (i & 15) <= 9);
	pio(0x70, false, 0x8b);			/* NMI bit ignored */
	CU_ASSERT_EQUAL(pio(0x71, true, 0), 0x02);
	pio(0x70, false, 0x15);
	CU_ASSERT_EQUAL(pio(0x71, true, 0), 640 & 0xff);
	/* Nothing at COM2: all ones. */
	CU_ASSERT_EQUAL(pio(0x2f8, true, 0), 0xff);
	CU_ASSERT_EQUAL(d->hvm->port_logged[0x2f8 / 8] & (1u << (0x2f8 % 8)), 1u << (0x2f8 % 8));
	fg_drop(d);
}

static CU_TestInfo tests[] = {
	{ "hvm_op params", test_params },
	{ "the HVM hypercall set", test_hypercall_set },
	{ "add_to_physmap: shared_info and grant frames", test_physmap },
	{ "16550, RTC and empty ports", test_uart_rtc },
	{ "mapping a PV guest's grant at a guest-physical address", test_grant_map },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "hvm", fg_init, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
