/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV CPU model and hypercall argument checking, on the real hypervisor
 * core (real memfd guest memory, real page-table walks) over a platform
 * that runs nothing (fake_kvm.c). A tiny guest address space is built by
 * hand: 2 MiB at FG_KBASE mapped to guest frames 0-511.
 */
#include "config.h"

#include "unit.h"
#include <string.h>

#include "fakeguest.h"
#include "../../hypervisor/trap.h"

#define HANDLER		(FG_KBASE + 0x2000)
#define PTE		0x7ull		/* present, writable, user */

static struct domain *d;
static struct vcpu *v;

static uint64_t *frame_ptr(uint64_t pfn)
{
	return (uint64_t *)(d->ram + pfn * PAGE_SIZE);
}

static void guest_new(void)
{
	d = fg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	v = d->vcpu[0];
	v->regs.rcx = 0x1111;
	v->regs.r11 = 0x2222;
}

static void guest_drop(void)
{
	CU_ASSERT_PTR_NOT_NULL(domain_get(d->domid));
	fg_drop(d);
	d = NULL;
	v = NULL;
}

static void set_trap(unsigned int vector, uint8_t flags, uint64_t address)
{
	v->traps[vector] = (struct trap_info){ .vector = vector, .flags = flags,
	    .cs = FLAT_KERNEL_CS, .address = address };
}

static uint64_t *stack_at(uint64_t va)
{
	return fg_ptr(d, va);
}

static bool crashed(void)
{
	return d->state == DOM_SHUTDOWN && d->shutdown_reason == SHUTDOWN_crash;
}

static void test_bounce_from_kernel(void)
{
	uint64_t old_rip, old_rsp, *f;

	guest_new();
	set_trap(13, 0, HANDLER);
	old_rip = v->frame.rip;
	old_rsp = v->frame.rsp;
	CU_ASSERT_EQUAL_FATAL(pv_bounce_exception(v, 13, 0x18, true, 0), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_EQUAL(v->frame.rsp, old_rsp - 8 * 8);
	CU_ASSERT_TRUE(v->kernel_mode);
	f = stack_at(v->frame.rsp);
	CU_ASSERT_EQUAL(f[0], 0x1111);			/* rcx */
	CU_ASSERT_EQUAL(f[1], 0x2222);			/* r11 */
	CU_ASSERT_EQUAL(f[2], 0x18);			/* error code */
	CU_ASSERT_EQUAL(f[3], old_rip);
	CU_ASSERT_EQUAL(f[4], FLAT_KERNEL_CS & ~3u);	/* RPL 0: from kernel */
	CU_ASSERT_EQUAL(f[5], 0x202);
	CU_ASSERT_EQUAL(f[6], old_rsp);
	CU_ASSERT_EQUAL(f[7], FLAT_KERNEL_SS);
	/* A trap gate (flags bit 2 clear) leaves events unmasked. */
	CU_ASSERT_EQUAL(vcpu_info_ptr(v)->evtchn_upcall_mask, 0);
	CU_ASSERT_FALSE(crashed());
	guest_drop();
}

static void test_bounce_no_error_code(void)
{
	uint64_t old_rsp;

	guest_new();
	set_trap(3, 0, HANDLER);
	v->frame.rsp = FG_KSTACK_TOP - 0x808;		/* realigned to 16 */
	old_rsp = v->frame.rsp;
	CU_ASSERT_EQUAL_FATAL(pv_bounce_exception(v, 3, 0, false, 0), 0);
	CU_ASSERT_EQUAL(v->frame.rsp, (old_rsp & ~0xfull) - 7 * 8);
	CU_ASSERT_EQUAL(stack_at(v->frame.rsp)[2], FG_KBASE + 0x3000);
	CU_ASSERT_EQUAL(stack_at(v->frame.rsp)[5], old_rsp);
	guest_drop();
}

static void test_bounce_from_user(void)
{
	vcpu_info_t *vi;
	uint64_t *f;

	guest_new();
	set_trap(14, 4, HANDLER);	/* interrupt gate: masks events */
	v->kernel_mode = false;
	v->user_cr3 = v->kernel_cr3;
	v->frame.rip = 0x400000;
	v->frame.rsp = 0x7ff000;
	v->frame.rflags = 0x246;
	vi = vcpu_info_ptr(v);
	vi->evtchn_upcall_mask = 1;
	CU_ASSERT_EQUAL_FATAL(pv_bounce_exception(v, 14, 0x1, true, 0xdead000), 0);
	CU_ASSERT_TRUE(v->kernel_mode);
	CU_ASSERT_EQUAL(v->sregs.cr3, v->kernel_cr3);
	CU_ASSERT_EQUAL(v->frame.rsp, FG_KSTACK_TOP - 8 * 8);
	CU_ASSERT_EQUAL(vi->arch.cr2, 0xdead000);
	CU_ASSERT_EQUAL(vi->evtchn_upcall_mask, 1);
	f = stack_at(v->frame.rsp);
	CU_ASSERT_EQUAL(f[2], 0x5);			/* the user bit is the guest's */
	CU_ASSERT_EQUAL(f[3], 0x400000);
	CU_ASSERT_EQUAL(f[4] & 0xffff, FLAT_USER_CS);
	CU_ASSERT_EQUAL(f[4] >> 32, 1);		/* saved upcall mask */
	CU_ASSERT_EQUAL(f[5] & RFLAGS_IF, 0);	/* events were masked */
	CU_ASSERT_EQUAL(f[6], 0x7ff000);
	guest_drop();
}

static void test_bounce_failures(void)
{
	/* No handler registered: the domain crashes, the hypervisor does not. */
	guest_new();
	CU_ASSERT_EQUAL(pv_bounce_exception(v, 6, 0, false, 0), -1);
	CU_ASSERT_TRUE(crashed());
	guest_drop();

	/* Kernel stack not mapped. */
	guest_new();
	set_trap(13, 0, HANDLER);
	v->frame.rsp = 0x1000;
	CU_ASSERT_EQUAL(pv_bounce_exception(v, 13, 0, true, 0), -1);
	CU_ASSERT_TRUE(crashed());
	guest_drop();

	/* Kernel stack mapped read-only. */
	guest_new();
	set_trap(13, 0, HANDLER);
	v->frame.rsp = FG_KBASE + (FG_RO_PFN + 1) * PAGE_SIZE - 0x100;
	CU_ASSERT_EQUAL(pv_bounce_exception(v, 13, 0, true, 0), -1);
	CU_ASSERT_TRUE(crashed());
	guest_drop();

	/* A non-canonical kernel stack pointer. */
	guest_new();
	set_trap(13, 0, HANDLER);
	v->frame.rsp = 0x8000000000001000ull;
	CU_ASSERT_EQUAL(pv_bounce_exception(v, 13, 0, true, 0), -1);
	CU_ASSERT_TRUE(crashed());
	guest_drop();
}

static void test_event_upcall(void)
{
	vcpu_info_t *vi;

	guest_new();
	vi = vcpu_info_ptr(v);
	v->event_cb = HANDLER + 0x40;
	vi->evtchn_upcall_pending = 1;
	vi->evtchn_upcall_mask = 1;
	CU_ASSERT_EQUAL(pv_deliver_events(v), 0);
	CU_ASSERT_NOT_EQUAL(v->frame.rip, HANDLER + 0x40);	/* masked */
	vi->evtchn_upcall_mask = 0;
	CU_ASSERT_EQUAL(pv_deliver_events(v), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER + 0x40);
	CU_ASSERT_EQUAL(vi->evtchn_upcall_mask, 1);
	guest_drop();
}

/* A hypercall with arguments as the guest would pass them. */
static long hc(unsigned int nr, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3)
{
	uint64_t a[6] = { a0, a1, a2, a3, 0, 0 };

	return hypercall_call(v, nr, a);
}

#define UNMAPPED	0x1000ull

static void test_hypercall_args(void)
{
	struct sched_shutdown sd = { .reason = 99 };
	mmu_update_t u;

	guest_new();
	CU_ASSERT_EQUAL(hc(200, 0, 0, 0, 0), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(hc(0xffffffffu, 0, 0, 0, 0), -XEN_ENOSYS);

	CU_ASSERT_EQUAL(hc(__HYPERVISOR_console_io, CONSOLEIO_write, 16, UNMAPPED, 0), -XEN_EFAULT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_console_io, CONSOLEIO_write, 1 << 20, FG_SCRATCH, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_console_io, 77, 1, FG_SCRATCH, 0), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_console_io, CONSOLEIO_write, 0, FG_SCRATCH, 0), 0);

	CU_ASSERT_EQUAL(hc(__HYPERVISOR_xen_version, 1000, 0, 0, 0), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_xen_version, XENVER_extraversion, UNMAPPED, 0, 0), -XEN_EFAULT);
	CU_ASSERT(hc(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0) > 0);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_xen_version, XENVER_compile_info, FG_SCRATCH, 0, 0), 0);
	CU_ASSERT_NSTRING_EQUAL(((xen_compile_info_t *)fg_ptr(d, FG_SCRATCH))->compiler, "gcc ", 4);
	CU_ASSERT_EQUAL(((xen_compile_info_t *)fg_ptr(d, FG_SCRATCH))->compile_date[31], '\0');
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_xen_version, XENVER_compile_info, UNMAPPED, 0, 0), -XEN_EFAULT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_xen_version, XENVER_changeset, FG_SCRATCH, 0, 0), 0);
	CU_ASSERT_NSTRING_EQUAL((char *)fg_ptr(d, FG_SCRATCH), "palisade ", 9);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_xen_version, XENVER_commandline, FG_SCRATCH, 0, 0), -XEN_EPERM);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_xen_version, XENVER_build_id, FG_SCRATCH, 0, 0), -XEN_EPERM);

	CU_ASSERT_EQUAL(hc(__HYPERVISOR_sched_op, 1000, 0, 0, 0), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_sched_op, SCHEDOP_shutdown, UNMAPPED, 0, 0), -XEN_EFAULT);
	memcpy(stack_at(FG_SCRATCH), &sd, sizeof(sd));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_sched_op, SCHEDOP_shutdown, FG_SCRATCH, 0, 0), -XEN_EINVAL);
	CU_ASSERT_FALSE(crashed());

	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 7, 0, 0), -XEN_ENOENT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 1u << 31, 0, 0), -XEN_ENOENT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_memory_op, 999, 0, 0, 0), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, UNMAPPED, 0, 0), -XEN_EFAULT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_multicall, FG_SCRATCH, 100000, 0, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_multicall, UNMAPPED, 2, 0, 0), -XEN_EFAULT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_set_trap_table, UNMAPPED, 0, 0, 0), -XEN_EFAULT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_event_channel_op, EVTCHNOP_send, UNMAPPED, 0, 0), -XEN_EFAULT);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_event_channel_op, 1000, FG_SCRATCH, 0, 0), -XEN_ENOSYS);
	*(uint32_t *)stack_at(FG_SCRATCH) = 5000;		/* evtchn_send.port */
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_event_channel_op, EVTCHNOP_send, FG_SCRATCH, 0, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_set_segment_base, 77, 0, 0, 0), -XEN_EINVAL);

	/* mmu_update: only our own frames, never Xen's L4 slot, count reported. */
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_mmu_update, FG_SCRATCH, 1, 0, 5), -XEN_EPERM);
	u.ptr = 0x7ffff000ull;			/* beyond guest RAM */
	u.val = 0;
	memcpy(stack_at(FG_SCRATCH), &u, sizeof(u));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_mmu_update, FG_SCRATCH, 1, 0, DOMID_SELF), -XEN_EINVAL);
	u.ptr = (FG_PT_PFN + 3) << PAGE_SHIFT;	/* our L1, entry 0 */
	u.val = (0x100000ull << PAGE_SHIFT) | PTE;	/* a frame not ours */
	memcpy(stack_at(FG_SCRATCH), &u, sizeof(u));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_mmu_update, FG_SCRATCH, 1, FG_SCRATCH + 0x100, DOMID_SELF), -XEN_EPERM);
	CU_ASSERT_EQUAL(*(uint32_t *)stack_at(FG_SCRATCH + 0x100), 0);
	u.ptr = (FG_PT_PFN << PAGE_SHIFT) + XEN_L4_SLOT * 8;
	u.val = (30ull << PAGE_SHIFT) | PTE;
	memcpy(stack_at(FG_SCRATCH), &u, sizeof(u));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_mmu_update, FG_SCRATCH, 1, 0, DOMID_SELF), -XEN_EPERM);
	u.ptr = ((FG_PT_PFN + 3) << PAGE_SHIFT) + 511 * 8;
	u.val = (30ull << PAGE_SHIFT) | PTE;
	memcpy(stack_at(FG_SCRATCH), &u, sizeof(u));
	memcpy(stack_at(FG_SCRATCH) + 2, &u, sizeof(u));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_mmu_update, FG_SCRATCH, 2, FG_SCRATCH + 0x100, DOMID_SELF), 0);
	CU_ASSERT_EQUAL(*(uint32_t *)stack_at(FG_SCRATCH + 0x100), 2);
	CU_ASSERT_EQUAL(frame_ptr(FG_PT_PFN + 3)[511], u.val);
	CU_ASSERT_FALSE(crashed());
	guest_drop();
}

static void test_set_trap_table(void)
{
	struct trap_info t[3] = {
		{ .vector = 13, .flags = 3, .cs = FLAT_KERNEL_CS, .address = HANDLER },
		{ .vector = 14, .flags = 0, .cs = FLAT_KERNEL_CS, .address = 0x800000000000ull },
		{ 0 },
	};
	struct callback_register cb;

	guest_new();
	memcpy(stack_at(FG_SCRATCH), t, sizeof(t));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_set_trap_table, FG_SCRATCH, 0, 0, 0), -XEN_EINVAL);
	t[1].address = HANDLER + 0x10;
	memcpy(stack_at(FG_SCRATCH), t, sizeof(t));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_set_trap_table, FG_SCRATCH, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(v->traps[13].address, HANDLER);
	CU_ASSERT_EQUAL(v->traps[13].flags, 3);
	CU_ASSERT_EQUAL(v->traps[14].address, HANDLER + 0x10);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_set_trap_table, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(v->traps[13].address, 0);

	/* Callbacks: canonical addresses only. */
	cb = (struct callback_register){ .type = CALLBACKTYPE_event,
	    .address = 0x800000000000ull };
	memcpy(stack_at(FG_SCRATCH), &cb, sizeof(cb));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_callback_op, CALLBACKOP_register, FG_SCRATCH, 0, 0), -XEN_EINVAL);
	cb.address = HANDLER;
	memcpy(stack_at(FG_SCRATCH), &cb, sizeof(cb));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_callback_op, CALLBACKOP_register, FG_SCRATCH, 0, 0), 0);
	CU_ASSERT_EQUAL(v->event_cb, HANDLER);
	cb.type = 99;
	memcpy(stack_at(FG_SCRATCH), &cb, sizeof(cb));
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_callback_op, CALLBACKOP_register, FG_SCRATCH, 0, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_set_callbacks, HANDLER, 1ull << 63, HANDLER, 0), -XEN_EINVAL);
	guest_drop();
}

/* Guest user mode that reaches the hypercall port takes a #GP instead. */
static void test_hypercall_from_user(void)
{
	guest_new();
	set_trap(13, 0, HANDLER);
	v->kernel_mode = false;
	v->user_cr3 = v->kernel_cr3;
	v->frame.rip = 0x400002;
	v->regs.rax = __HYPERVISOR_sched_op;
	v->regs.rdi = SCHEDOP_shutdown;
	hypercall_dispatch(v);
	CU_ASSERT_TRUE(v->kernel_mode);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_EQUAL(stack_at(v->frame.rsp)[3], 0x400000);
	CU_ASSERT_EQUAL(d->state, DOM_RUNNING);	/* no shutdown happened */
	guest_drop();
}

/* A #GP at code bytes placed in the scratch area, from the current mode. */
static int gp_at(const uint8_t *code, size_t len)
{
	struct trap t = { .kind = TRAP_EXCEPTION, .vector = 13 };

	memcpy(fg_ptr(d, FG_SCRATCH), code, len);
	v->frame.rip = FG_SCRATCH;
	return pv_handle_trap(v, &t);
}

static void test_priv_emulation(void)
{
	static const uint8_t wrmsr[] = { 0x0f, 0x30 }, rdmsr[] = { 0x0f, 0x32 };
	static const uint8_t mov_cr0_rax[] = { 0x0f, 0x20, 0xc0 };
	static const uint8_t mov_rax_dr7[] = { 0x0f, 0x23, 0xf8 };
	static const uint8_t mov_rcx_cr12[] = { 0x44, 0x0f, 0x22, 0xe1 };	/* REX.R */

	guest_new();
	set_trap(13, 0, HANDLER);
	/* Linux's startup_xen: wrmsr MSR_GS_BASE before any trap table */
	v->regs.rcx = 0xc0000101;
	v->regs.rdx = 0xffffffff;
	v->regs.rax = 0x81234000;
	CU_ASSERT_EQUAL(gp_at(wrmsr, sizeof(wrmsr)), 0);
	CU_ASSERT_EQUAL(v->frame.rip, FG_SCRATCH + 2);
	CU_ASSERT_EQUAL(v->gs_base_kernel, 0xffffffff81234000ull);
	v->regs.rax = v->regs.rdx = 0;
	CU_ASSERT_EQUAL(gp_at(rdmsr, sizeof(rdmsr)), 0);
	CU_ASSERT_EQUAL(v->regs.rax, 0x81234000);
	CU_ASSERT_EQUAL(v->regs.rdx, 0xffffffff);
	/* a base that is not canonical, an MSR Xen does not emulate: #GP */
	v->regs.rdx = 0x00008000;
	CU_ASSERT_EQUAL(gp_at(wrmsr, sizeof(wrmsr)), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_EQUAL(v->gs_base_kernel, 0xffffffff81234000ull);
	v->frame.rsp = FG_KSTACK_TOP;
	v->regs.rcx = 0x1b;			/* APIC base */
	CU_ASSERT_EQUAL(gp_at(rdmsr, sizeof(rdmsr)), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	v->frame.rsp = FG_KSTACK_TOP;
	CU_ASSERT_EQUAL(gp_at(mov_cr0_rax, sizeof(mov_cr0_rax)), 0);
	CU_ASSERT_EQUAL(v->frame.rip, FG_SCRATCH + 3);
	CU_ASSERT(v->regs.rax & 0x80000001ull);	/* PG and PE */
	/* DR7.GD is refused, as by set_debugreg */
	v->regs.rax = 1ull << 13;
	CU_ASSERT_EQUAL(gp_at(mov_rax_dr7, sizeof(mov_rax_dr7)), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	/* %cr12 (REX.R) does not exist */
	v->frame.rsp = FG_KSTACK_TOP;
	CU_ASSERT_EQUAL(gp_at(mov_rcx_cr12, sizeof(mov_rcx_cr12)), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	/* guest user mode gets the #GP for all of it */
	v->frame.rsp = FG_KSTACK_TOP;
	v->kernel_mode = false;
	v->user_cr3 = v->kernel_cr3;
	v->regs.rcx = 0xc0000100;
	v->regs.rdx = 0;
	CU_ASSERT_EQUAL(gp_at(wrmsr, sizeof(wrmsr)), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_EQUAL(v->fs_base, 0);
	CU_ASSERT_FALSE(crashed());
	guest_drop();
}

static void test_set_gdt(void)
{
	uint64_t pfn = (FG_SCRATCH + 0x1000 - FG_KBASE) >> PAGE_SHIFT;
	uint64_t a[6] = { FG_SCRATCH, 16 }, *list, *gdt;

	guest_new();
	list = fg_ptr(d, FG_SCRATCH);
	gdt = fg_ptr(d, FG_SCRATCH + 0x1000);
	list[0] = pfn;
	memset(gdt, 0, PAGE_SIZE);
	gdt[1] = 0x00cf9b000000ffffull;		/* a DPL 0 code segment */
	gdt[6] = 0x00affb000000ffffull;		/* Linux's __USER_CS */
	gdt[7] = 0x12cff3345678ffffull;		/* data, base 0x12345678 */
	gdt[9] = 0x00cff8000000ffffull;		/* execute-only code */
	CU_ASSERT_EQUAL(hc_set_gdt(v, a), 0);
	CU_ASSERT_EQUAL(priv_vcpu_gdt(v)[1], 0x00cffb000000ffffull);	/* made DPL 3 */
	CU_ASSERT_EQUAL(priv_vcpu_gdt(v)[6], gdt[6]);
	/* later writes reach the CPU only through update_descriptor */
	gdt[5] = 0x00cff3000000ffffull;
	CU_ASSERT_EQUAL(priv_vcpu_gdt(v)[5], 0);
	a[0] = (pfn << PAGE_SHIFT) + 5 * 8;
	a[1] = 0x00cf93000000ffffull;
	CU_ASSERT_EQUAL(hc_update_descriptor(v, a), 0);
	CU_ASSERT_EQUAL(priv_vcpu_gdt(v)[5], 0x00cff3000000ffffull);
	CU_ASSERT_EQUAL(gdt[5], 0x00cff3000000ffffull);
	/* the user %gs selector (SEGBASE_GS_USER_SEL): RPL 3, its base the
	 * user GS base; what the CPU would refuse loads null, and succeeds */
	v->gs_base_kernel = 0xffff888000001000ull;
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_set_segment_base, SEGBASE_GS_USER_SEL, 0x38, 0, 0), 0);
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0x3b);
	CU_ASSERT_EQUAL(v->gs_base_user, 0x12345678);
	CU_ASSERT_EQUAL(v->sregs.gs.base, v->gs_base_kernel);
	CU_ASSERT_EQUAL(v->sregs.gs.limit, 0xffffffff);
	pv_load_user_gs(v, 0x2b);
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0x2b);
	CU_ASSERT_EQUAL(v->gs_base_user, 0);
	CU_ASSERT_EQUAL(v->sregs.gs.type, 3);
	pv_load_user_gs(v, 0xe02b);		/* Xen's FLAT_USER_DS */
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0xe02b);
	pv_load_user_gs(v, 0x08);		/* readable code: allowed */
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0x0b);
	v->gs_base_user = 77;
	pv_load_user_gs(v, 0x48);		/* execute-only */
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0);
	CU_ASSERT_EQUAL(v->gs_base_user, 0);
	CU_ASSERT_TRUE(v->sregs.gs.unusable);
	pv_load_user_gs(v, 0xe008);		/* our ring-0 code */
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0);
	pv_load_user_gs(v, 0x2f);		/* an LDT selector */
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0);
	pv_load_user_gs(v, 0x80);		/* past the GDT */
	CU_ASSERT_EQUAL(v->sregs.gs.selector, 0);
	pv_load_user_gs(v, 0x38);
	pv_toggle_mode(v);			/* to user mode: its base is live */
	CU_ASSERT_EQUAL(v->sregs.gs.base, 0x12345678);
	pv_toggle_mode(v);
	/* system descriptors, misaligned or foreign addresses, sizes */
	a[0] = (pfn << PAGE_SHIFT) + 8 * 8;
	a[1] = 0x0000890000000067ull;		/* a TSS */
	CU_ASSERT_EQUAL(hc_update_descriptor(v, a), -XEN_EINVAL);
	a[0] = (pfn << PAGE_SHIFT) + 3;
	a[1] = 0;
	CU_ASSERT_EQUAL(hc_update_descriptor(v, a), -XEN_EINVAL);
	a[0] = d->max_pages << PAGE_SHIFT;
	CU_ASSERT_EQUAL(hc_update_descriptor(v, a), -XEN_EINVAL);
	gdt[8] = 0x0000890000000067ull;
	a[0] = FG_SCRATCH;
	a[1] = 16;
	CU_ASSERT_EQUAL(hc_set_gdt(v, a), -XEN_EINVAL);
	CU_ASSERT_EQUAL(priv_vcpu_gdt(v)[5], 0x00cff3000000ffffull);	/* unchanged */
	a[1] = FIRST_RESERVED_GDT_ENTRY + 1;
	CU_ASSERT_EQUAL(hc_set_gdt(v, a), -XEN_EINVAL);
	list[0] = d->max_pages + 7;
	a[1] = 4;
	CU_ASSERT_EQUAL(hc_set_gdt(v, a), -XEN_EINVAL);
	a[0] = 0x1000;				/* an unmapped frame list */
	CU_ASSERT_EQUAL(hc_set_gdt(v, a), -XEN_EFAULT);
	guest_drop();
}

/* Xen's user bit, set on present entries as they are walked. */
static void test_user_bits(void)
{
	uint64_t va = FG_KBASE + 40 * PAGE_SIZE, *l1;
	struct trap t = { .kind = TRAP_EXCEPTION, .vector = 14, .error = 1, .cr2 = va };

	guest_new();
	l1 = frame_ptr(FG_PT_PFN + 3);
	l1[40] &= ~4ull;
	v->frame.rip = HANDLER;
	CU_ASSERT_EQUAL(pv_handle_trap(v, &t), 0);
	CU_ASSERT_EQUAL(l1[40] & 4, 4);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);		/* retried, not bounced */
	CU_ASSERT_FALSE(pv_fix_user_bits(v, va));
	/* a hypercall argument there needs no fault first */
	l1[41] &= ~4ull;
	CU_ASSERT_EQUAL(copy_to_guest(v, va + PAGE_SIZE, &va, 8), 0);
	CU_ASSERT_EQUAL(l1[41] & 4, 4);
	guest_drop();
}

static long mmuext1(unsigned int cmd, uint64_t mfn)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };

	memcpy(stack_at(FG_SCRATCH + 0x800), &op, sizeof(op));
	return hc(__HYPERVISOR_mmuext_op, FG_SCRATCH + 0x800, 1, 0, DOMID_SELF);
}

static long mmu1(uint64_t table_pfn, unsigned int slot, uint64_t val)
{
	mmu_update_t u = { .ptr = (table_pfn << PAGE_SHIFT) + slot * 8, .val = val };

	memcpy(stack_at(FG_SCRATCH + 0x800), &u, sizeof(u));
	return hc(__HYPERVISOR_mmu_update, FG_SCRATCH + 0x800, 1, 0, DOMID_SELF);
}

#define L4_PFN	FG_PT_PFN
#define L2_PFN	(FG_PT_PFN + 2)
#define L1_PFN	(FG_PT_PFN + 3)

/* Xen's page types as pinning gives them: a pinned table is never mapped
 * writable, except as the next level's link; read-only aliases are fine. */
static void test_page_types(void)
{
	guest_new();
	CU_ASSERT_EQUAL(mmuext1(MMUEXT_PIN_L1_TABLE, L1_PFN), 0);
	CU_ASSERT_EQUAL(mmuext1(MMUEXT_PIN_L2_TABLE, L2_PFN), 0);
	CU_ASSERT_EQUAL(mmuext1(MMUEXT_PIN_L4_TABLE, L4_PFN), 0);
	CU_ASSERT_EQUAL(mmuext1(MMUEXT_PIN_L1_TABLE, 0x7ffff), -XEN_EINVAL);

	/* a writable leaf mapping of a pinned L1, and a read-only one */
	CU_ASSERT_EQUAL(mmu1(L1_PFN, 100, (L1_PFN << PAGE_SHIFT) | PTE), -XEN_EPERM);
	CU_ASSERT_EQUAL(frame_ptr(L1_PFN)[100], (100ull << PAGE_SHIFT) | PTE);
	CU_ASSERT_EQUAL(mmu1(L1_PFN, 100, (L1_PFN << PAGE_SHIFT) | 5), 0);
	CU_ASSERT_EQUAL(frame_ptr(L1_PFN)[100], (L1_PFN << PAGE_SHIFT) | 5);
	/* XSA-182: a writable recursive L4 entry; read-only is Linux's own use */
	CU_ASSERT_EQUAL(mmu1(L4_PFN, 5, (L4_PFN << PAGE_SHIFT) | PTE), -XEN_EPERM);
	CU_ASSERT_EQUAL(frame_ptr(L4_PFN)[5], 0);
	CU_ASSERT_EQUAL(mmu1(L4_PFN, 5, (L4_PFN << PAGE_SHIFT) | 5), 0);
	/* nor from a table of no known type */
	CU_ASSERT_EQUAL(mmu1(50, 0, (L4_PFN << PAGE_SHIFT) | PTE), -XEN_EPERM);
	/* an L2's writable link to an L1 is what page tables are made of;
	 * a superpage is not for PV */
	CU_ASSERT_EQUAL(mmu1(L2_PFN, 100, (L1_PFN << PAGE_SHIFT) | PTE), 0);
	CU_ASSERT_EQUAL(mmu1(L2_PFN, 101, (50ull << PAGE_SHIFT) | 0x80 | PTE), -XEN_EINVAL);
	CU_ASSERT_EQUAL(frame_ptr(L2_PFN)[101], 0);
	/* unpinned, it is just a page again */
	CU_ASSERT_EQUAL(mmuext1(MMUEXT_UNPIN_TABLE, L1_PFN), 0);
	CU_ASSERT_EQUAL(mmu1(L1_PFN, 100, (L1_PFN << PAGE_SHIFT) | PTE), 0);
	CU_ASSERT_FALSE(crashed());
	guest_drop();
}

static long reservation(unsigned int op, xen_pfn_t first, unsigned int n)
{
	struct xen_memory_reservation r = { .nr_extents = n, .domid = DOMID_SELF };
	xen_pfn_t *list = stack_at(FG_SCRATCH + 0x100);
	unsigned int i;

	set_xen_guest_handle(r.extent_start, (xen_pfn_t *)(FG_SCRATCH + 0x100));
	for (i = 0; i < n; i++)
		list[i] = first + i;
	memcpy(stack_at(FG_SCRATCH), &r, sizeof(r));
	return hc(__HYPERVISOR_memory_op, op, FG_SCRATCH, 0, 0);
}

/* What a balloon driver does, under the limit pal mem-set sets. */
static void test_reservation_limit(void)
{
	guest_new();
	frame_ptr(100)[0] = 0x5a5a;
	CU_ASSERT_EQUAL(reservation(XENMEM_decrease_reservation, 100, 4), 4);
	CU_ASSERT_EQUAL(d->nr_pages, 1020);
	*(domid_t *)stack_at(FG_SCRATCH + 0x200) = DOMID_SELF;
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_memory_op, XENMEM_current_reservation,
	    FG_SCRATCH + 0x200, 0, 0), 1020);
	CU_ASSERT_EQUAL(domain_set_max_mem(d, 1021 * 4), 0);
	CU_ASSERT_EQUAL(reservation(XENMEM_populate_physmap, 100, 4), 1);
	CU_ASSERT_EQUAL(frame_ptr(100)[0], 0);		/* scrubbed */
	CU_ASSERT_EQUAL(domain_set_max_mem(d, 1025 * 4), -XEN_EINVAL);
	CU_ASSERT_EQUAL(domain_set_max_mem(d, 1024 * 4), 0);
	CU_ASSERT_EQUAL(reservation(XENMEM_populate_physmap, 101, 3), 3);
	CU_ASSERT_EQUAL(d->nr_pages, 1024);
	/* a pinned table is not given back */
	CU_ASSERT_EQUAL(mmuext1(MMUEXT_PIN_L1_TABLE, L1_PFN), 0);
	CU_ASSERT_EQUAL(reservation(XENMEM_decrease_reservation, L1_PFN, 1), 0);
	CU_ASSERT_EQUAL(d->nr_pages, 1024);
	CU_ASSERT_FALSE(crashed());
	guest_drop();
}

/* VCPUOP_up, _down and _initialise as Xen answers them. */
static void test_vcpu_up_down(void)
{
	guest_new();
	v->up = v->initialised = true;	/* as the builder leaves vCPU 0 */
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 0, 0, 0), 1);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_up, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_initialise, 0, FG_SCRATCH, 0),
	    -XEN_EEXIST);
	v->initialised = false;		/* as a secondary before its context */
	v->up = false;
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_up, 0, 0, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 0, 0, 0), 0);
	v->up = v->initialised = true;
	/* the last vCPU going down powers the domain off */
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vcpu_op, VCPUOP_down, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(d->state, DOM_SHUTDOWN);
	CU_ASSERT_EQUAL(d->shutdown_reason, SHUTDOWN_poweroff);
	guest_drop();
}

static void test_ptwr_decode(void)
{
	static const struct {
		uint8_t b[15];
		unsigned int avail, len, size, reg;
		enum ptwr_kind kind;
	} ok[] = {
		{ { 0x48, 0x89, 0x03 }, 3, 3, 8, 0, PTWR_MOV },		/* mov %rax,(%rbx) */
		{ { 0x89, 0x43, 0x04 }, 3, 3, 4, 0, PTWR_MOV },		/* mov %eax,4(%rbx) */
		{ { 0x4c, 0x89, 0x04, 0xd7 }, 4, 4, 8, 8, PTWR_MOV },	/* mov %r8,(%rdi,%rdx,8) */
		{ { 0x48, 0x89, 0x8c, 0x24, 1, 2, 3, 4 }, 8, 8, 8, 1, PTWR_MOV },
		{ { 0xf0, 0x48, 0x0f, 0xb1, 0x0b }, 5, 5, 8, 1, PTWR_CMPXCHG },
		{ { 0x48, 0x87, 0x17 }, 3, 3, 8, 2, PTWR_XCHG },	/* xchg %rdx,(%rdi) */
		/* clear_bit(_PAGE_BIT_RW): lock andb $0xfd,%ds:(%r12) */
		{ { 0x3e, 0x41, 0x80, 0x24, 0x24, 0xfd }, 6, 6, 1, 4, PTWR_AND },
		{ { 0xf0, 0x80, 0x0f, 0x40 }, 4, 4, 1, 1, PTWR_OR },	/* lock orb $0x40,(%rdi) */
		{ { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05 }, 6, 6, 8, 6, PTWR_BTR },
		{ { 0xf0, 0x48, 0x0f, 0xab, 0x07 }, 5, 5, 8, 0, PTWR_BTS },
		{ { 0x48, 0x21, 0x07 }, 3, 3, 8, 0, PTWR_AND },
		{ { 0x48, 0x83, 0x37, 0x02 }, 4, 4, 8, 6, PTWR_XOR },
		{ { 0x88, 0x27 }, 2, 2, 1, 0, PTWR_MOV },		/* mov %ah,(%rdi) */
		{ { 0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff }, 7, 7, 8, 0, PTWR_MOV },
	};
	static const struct {
		uint8_t b[8];
		unsigned int avail;
	} bad[] = {
		{ { 0x66, 0x89, 0x03 }, 3 },		/* 16-bit store */
		{ { 0x48, 0x89, 0xd8 }, 3 },		/* register to register */
		{ { 0x48, 0x8b, 0x03 }, 3 },		/* a load */
		{ { 0x48, 0xc7, 0x0f, 1, 2, 3, 4 }, 7 },	/* c7 /1 */
		{ { 0x48, 0x83, 0x07, 1 }, 4 },		/* add: not a bit operation */
		{ { 0x48, 0xc7, 0x07, 1, 2 }, 5 },	/* immediate cut short */
		{ { 0x48, 0x89, 0x04 }, 3 },		/* SIB missing */
		{ { 0x0f, 0xb0, 0x0b }, 3 },		/* byte cmpxchg */
		{ { 0x48, 0x89 }, 2 },			/* cut short */
		{ { 0 }, 0 },
	};
	struct ptwr_store s;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_TRUE_FATAL(ptwr_decode(ok[i].b, ok[i].avail, &s));
		CU_ASSERT_EQUAL(s.len, ok[i].len);
		CU_ASSERT_EQUAL(s.size, ok[i].size);
		CU_ASSERT_EQUAL(s.kind, ok[i].kind);
		if (!s.has_imm)
			CU_ASSERT_EQUAL(s.reg, ok[i].reg);
		if (s.len != ok[i].len || s.kind != ok[i].kind)
			fprintf(stderr, "form %zu decoded wrong\n", i);
	}
	CU_ASSERT_EQUAL(s.imm, 0xfffffffffffffffeull);
	CU_ASSERT_TRUE(ptwr_decode(ok[12].b, ok[12].avail, &s) && s.high_byte);
	CU_ASSERT_TRUE(ptwr_decode(ok[6].b, ok[6].avail, &s) && s.imm == 0xfffffffffffffffdull);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_FALSE(ptwr_decode(bad[i].b, bad[i].avail, &s));
}

/* The kernel stores straight into its pinned, read-only L1 table. */
static int ptwr_at(const uint8_t *code, size_t len, uint64_t cr2)
{
	struct trap t = { .kind = TRAP_EXCEPTION, .vector = 14, .error = 3, .cr2 = cr2 };

	memcpy(fg_ptr(d, FG_SCRATCH), code, len);
	v->frame.rip = FG_SCRATCH;
	v->frame.rsp = FG_KSTACK_TOP;
	return pv_handle_trap(v, &t);
}

static void test_ptwr(void)
{
	static const uint8_t mov[] = { 0x48, 0x89, 0x03 };
	static const uint8_t mov_high[] = { 0x89, 0x43, 0x04 };
	static const uint8_t cmpxchg[] = { 0xf0, 0x48, 0x0f, 0xb1, 0x0b };
	static const uint8_t xchg[] = { 0x48, 0x87, 0x03 };
	static const uint8_t andb[] = { 0x3e, 0x41, 0x80, 0x24, 0x24, 0xfd };
	static const uint8_t btr[] = { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05 };
	static const uint8_t movb_ah[] = { 0x88, 0x67, 0x01 };	/* mov %ah,1(%rdi) */
	uint64_t *l1, slot = FG_KBASE + L1_PFN * PAGE_SIZE + 100 * 8;

	guest_new();
	set_trap(14, 0, HANDLER);
	l1 = frame_ptr(L1_PFN);
	l1[L1_PFN] &= ~2ull;			/* the guest's own view: read-only */
	CU_ASSERT_EQUAL(mmuext1(MMUEXT_PIN_L1_TABLE, L1_PFN), 0);
	v->regs.rbx = slot;
	v->regs.rax = (30ull << PAGE_SHIFT) | PTE;
	CU_ASSERT_EQUAL(ptwr_at(mov, sizeof(mov), slot), 0);
	CU_ASSERT_EQUAL(l1[100], (30ull << PAGE_SHIFT) | PTE);
	CU_ASSERT_EQUAL(v->frame.rip, FG_SCRATCH + sizeof(mov));
	v->regs.rax = 0x80000000;		/* NX, in the upper half */
	CU_ASSERT_EQUAL(ptwr_at(mov_high, sizeof(mov_high), slot + 4), 0);
	CU_ASSERT_EQUAL(l1[100], (1ull << 63) | (30ull << PAGE_SHIFT) | PTE);
	/* cmpxchg that matches, then one that does not */
	v->regs.rax = l1[100];
	v->regs.rcx = (31ull << PAGE_SHIFT) | PTE;
	CU_ASSERT_EQUAL(ptwr_at(cmpxchg, sizeof(cmpxchg), slot), 0);
	CU_ASSERT_EQUAL(l1[100], (31ull << PAGE_SHIFT) | PTE);
	CU_ASSERT(v->frame.rflags & 0x40);
	v->regs.rcx = (32ull << PAGE_SHIFT) | PTE;
	CU_ASSERT_EQUAL(ptwr_at(cmpxchg, sizeof(cmpxchg), slot), 0);
	CU_ASSERT_EQUAL(l1[100], (31ull << PAGE_SHIFT) | PTE);
	CU_ASSERT_EQUAL(v->regs.rax, (31ull << PAGE_SHIFT) | PTE);
	CU_ASSERT_FALSE(v->frame.rflags & 0x40);
	/* Linux's clear_bit(_PAGE_BIT_RW) and test_and_clear_bit(ACCESSED) */
	v->regs.r12 = slot;
	CU_ASSERT_EQUAL(ptwr_at(andb, sizeof(andb), slot), 0);
	CU_ASSERT_EQUAL(l1[100], (31ull << PAGE_SHIFT) | 5);
	CU_ASSERT_EQUAL(v->frame.rip, FG_SCRATCH + sizeof(andb));
	l1[100] |= 0x20;
	v->regs.rdi = slot;
	CU_ASSERT_EQUAL(ptwr_at(btr, sizeof(btr), slot), 0);
	CU_ASSERT_EQUAL(l1[100], (31ull << PAGE_SHIFT) | 5);
	CU_ASSERT(v->frame.rflags & 1);		/* CF: the bit was set */
	CU_ASSERT_EQUAL(ptwr_at(btr, sizeof(btr), slot), 0);
	CU_ASSERT_FALSE(v->frame.rflags & 1);
	/* a byte store into the second byte of the entry */
	v->regs.rax = 0x1f00;			/* %ah */
	CU_ASSERT_EQUAL(ptwr_at(movb_ah, sizeof(movb_ah), slot + 1), 0);
	CU_ASSERT_EQUAL(l1[100], (0x1full << 8) | (31ull << PAGE_SHIFT & ~0xff00ull) | 5);
	v->regs.rax = 0;
	CU_ASSERT_EQUAL(ptwr_at(xchg, sizeof(xchg), slot), 0);
	CU_ASSERT_EQUAL(l1[100], 0);
	CU_ASSERT_EQUAL(v->regs.rax, (0x1full << 8) | (31ull << PAGE_SHIFT & ~0xff00ull) | 5);
	/* a writable mapping of the table itself is refused: the #PF is the
	 * guest's, and the entry is as it was */
	v->regs.rax = (L1_PFN << PAGE_SHIFT) | PTE;
	CU_ASSERT_EQUAL(ptwr_at(mov, sizeof(mov), slot), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_EQUAL(l1[100], 0);
	/* an ordinary read-only page is not a page table: the guest's #PF */
	v->regs.rbx = FG_KBASE + FG_RO_PFN * PAGE_SIZE;
	CU_ASSERT_EQUAL(ptwr_at(mov, sizeof(mov), v->regs.rbx), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_FALSE(crashed());
	guest_drop();
}

/* An IDT stub's exit, once handled, is not handled again: if the same
 * stub exit reached us twice, an exception whose return frame already names
 * its handler would be bounced a second time from there. */
static void test_idt_stub_once(void)
{
	struct kvm_run run;
	struct trap t;
	uint64_t *f, top;

	guest_new();
	set_trap(3, 0, HANDLER);
	top = priv_vcpu_stack_top_va(0);
	f = (uint64_t *)((uint8_t *)priv_vcpu_stack(d, 0) + PAGE_SIZE - 7 * 8);
	f[0] = 3;				/* vector: int3 */
	f[1] = 0;
	f[2] = FG_KBASE + 0x3001;		/* the CPU's frame */
	f[3] = SEL_USER_CS;
	f[4] = 0x202;
	f[5] = FG_KSTACK_TOP - 0x800;
	f[6] = SEL_USER_DS;
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_IO;
	run.io.direction = KVM_EXIT_IO_OUT;
	run.io.port = PAL_TRAP_PORT;
	v->run = &run;
	v->sregs.cs.selector = SEL_HV_CS;
	v->regs.rsp = top - 7 * 8;
	CU_ASSERT_TRUE_FATAL(trap_idt_ops.decode(v, &t));
	CU_ASSERT_EQUAL(t.kind, TRAP_EXCEPTION);
	CU_ASSERT_EQUAL(t.vector, 3);
	CU_ASSERT_EQUAL(pv_handle_trap(v, &t), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_EQUAL(trap_idt_ops.resume(v), 0);
	CU_ASSERT_EQUAL(f[2], HANDLER);		/* its iretq goes to the handler */
	/* The same exit again: nothing to do, the return frame stays. */
	CU_ASSERT_TRUE_FATAL(trap_idt_ops.decode(v, &t));
	CU_ASSERT_EQUAL(t.kind, TRAP_NONE);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_EQUAL(trap_idt_ops.resume(v), 0);
	CU_ASSERT_EQUAL(f[2], HANDLER);
	CU_ASSERT_FALSE(crashed());
	v->run = NULL;
	guest_drop();
}

/* The runstate area, and the vm_assist types Linux asks for. */
static void test_runstate(void)
{
	struct vcpu_register_runstate_memory_area area;
	struct vcpu_runstate_info *r;

	guest_new();
	r = fg_ptr(d, FG_SCRATCH + 0x100);
	area.addr.p = FG_SCRATCH + 0x100;
	memcpy(stack_at(FG_SCRATCH), &area, sizeof(area));
	CU_ASSERT_EQUAL(runstate_register(v, v, FG_SCRATCH), 0);
	CU_ASSERT_EQUAL(r->state, RUNSTATE_running);
	/* not offered yet: Linux reads the area without it */
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vm_assist, VMASST_CMD_enable,
	    VMASST_TYPE_runstate_update_flag, 0, 0), -XEN_EINVAL);
	v->d->vm_assist |= 1ull << VMASST_TYPE_runstate_update_flag;
	runstate_set(v, RUNSTATE_blocked);
	CU_ASSERT_EQUAL(r->state, RUNSTATE_blocked);
	CU_ASSERT_NOT_EQUAL(r->state_entry_time, 0);
	CU_ASSERT_FALSE(r->state_entry_time & XEN_RUNSTATE_UPDATE);	/* cleared after */
	CU_ASSERT_EQUAL(r->state_entry_time, v->runstate.state_entry_time);
	/* architectural IOPL: the kernel counts as ring 0 then */
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vm_assist, VMASST_CMD_enable,
	    VMASST_TYPE_architectural_iopl, 0, 0), 0);
	CU_ASSERT_EQUAL(hc(__HYPERVISOR_vm_assist, VMASST_CMD_enable, 17, 0, 0), -XEN_EINVAL);
	guest_drop();
}

/* A #PF the tables do not explain (KVM's view was behind) is retried, with
 * the walk's entries queued for pt_sync; three times at most. */
static void test_spurious_fault(void)
{
	uint64_t va = FG_KBASE + 42 * PAGE_SIZE;
	struct trap t = { .kind = TRAP_EXCEPTION, .vector = 14, .error = 2, .cr2 = va };
	unsigned int logged;

	guest_new();
	set_trap(14, 0, HANDLER);
	v->frame.rip = FG_SCRATCH;
	v->frame.rsp = FG_KSTACK_TOP;
	logged = v->pt_logged;
	CU_ASSERT_EQUAL(pv_handle_trap(v, &t), 0);
	CU_ASSERT_EQUAL(v->frame.rip, FG_SCRATCH);	/* retried */
	CU_ASSERT_EQUAL(v->pt_logged, logged + 4);	/* L4 to L1 */
	CU_ASSERT_TRUE(v->tlb_flush);
	CU_ASSERT_EQUAL(pv_handle_trap(v, &t), 0);
	CU_ASSERT_EQUAL(pv_handle_trap(v, &t), 0);
	CU_ASSERT_EQUAL(v->frame.rip, FG_SCRATCH);
	CU_ASSERT_EQUAL(pv_handle_trap(v, &t), 0);	/* the fourth is the guest's */
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	/* a write to a read-only page is no spurious fault */
	v->frame.rip = FG_SCRATCH;
	v->frame.rsp = FG_KSTACK_TOP;
	t.cr2 = FG_KBASE + FG_RO_PFN * PAGE_SIZE;
	t.error = 3;
	CU_ASSERT_EQUAL(pv_handle_trap(v, &t), 0);
	CU_ASSERT_EQUAL(v->frame.rip, HANDLER);
	CU_ASSERT_FALSE(crashed());
	guest_drop();
}

/* The probe's findings on each kind of host, and what they must choose. */
static void test_trap_choice(void)
{
	static const struct trap_host pvm = { true, true, true, false, true };
	static const struct trap_host svm = { true, false, false, true, true };
	static const struct trap_host vmx = { false, false, false, true, true };
	static const struct trap_host regs_only = { false, true, false, true, false };

	CU_ASSERT_PTR_EQUAL(trap_choose(&pvm, NULL), &trap_shutdown_ops);
	CU_ASSERT_PTR_EQUAL(trap_choose(&svm, NULL), &trap_idt_ops);
	CU_ASSERT_PTR_EQUAL(trap_choose(&vmx, NULL), &trap_idt_ops);
	CU_ASSERT_PTR_EQUAL(trap_choose(&regs_only, NULL), &trap_idt_ops);
	CU_ASSERT_PTR_EQUAL(trap_choose(&svm, "shutdown"), &trap_shutdown_ops);
	CU_ASSERT_PTR_EQUAL(trap_choose(&pvm, "idt"), &trap_idt_ops);
}

static CU_TestInfo tests[] = {
	{ "bounce frame from kernel mode", test_bounce_from_kernel },
	{ "bounce frame without error code", test_bounce_no_error_code },
	{ "bounce frame from user mode", test_bounce_from_user },
	{ "unbounceable exceptions crash the domain", test_bounce_failures },
	{ "event upcall honours the mask", test_event_upcall },
	{ "hypercall argument checking", test_hypercall_args },
	{ "set_trap_table", test_set_trap_table },
	{ "hypercall from guest user mode", test_hypercall_from_user },
	{ "trap strategy chosen from the host probe", test_trap_choice },
	{ "privileged instructions of a PV kernel", test_priv_emulation },
	{ "set_gdt and update_descriptor", test_set_gdt },
	{ "Xen's user bit on PV page tables", test_user_bits },
	{ "page types of pinned tables", test_page_types },
	{ "reservations under the domain's limit", test_reservation_limit },
	{ "VCPUOP_up, _down and _initialise", test_vcpu_up_down },
	{ "an IDT stub's exit is handled once", test_idt_stub_once },
	{ "runstate area and vm_assist", test_runstate },
	{ "a spurious #PF is retried", test_spurious_fault },
	{ "writable page tables: store decoding", test_ptwr_decode },
	{ "writable page tables: emulated stores", test_ptwr },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "pv", fg_init, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
