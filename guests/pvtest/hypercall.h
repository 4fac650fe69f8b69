/* SPDX-License-Identifier: GPL-2.0-only */
/* Calls through the hypercall page, Xen's x86-64 register convention. */
#ifndef PVTEST_HYPERCALL_H
#define PVTEST_HYPERCALL_H

#include "pvtest.h"

extern char hypercall_page[4096];

#define HC_CLOBBERS "memory", "rcx", "r11"

static inline long hcall5(unsigned int nr, long a1, long a2, long a3, long a4,
    long a5)
{
	register long r10 asm("r10") = a4;
	register long r8 asm("r8") = a5;
	long ret;

	asm volatile("call *%[stub]"
	    : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
	    : [stub] "r"(hypercall_page + nr * 32)
	    : HC_CLOBBERS);
	return ret;
}

#define hcall0(nr) hcall5(nr, 0, 0, 0, 0, 0)
#define hcall1(nr, a) hcall5(nr, (long)(a), 0, 0, 0, 0)
#define hcall2(nr, a, b) hcall5(nr, (long)(a), (long)(b), 0, 0, 0)
#define hcall3(nr, a, b, c) hcall5(nr, (long)(a), (long)(b), (long)(c), 0, 0)
#define hcall4(nr, a, b, c, d) \
	hcall5(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0)

static inline long hv_console_write(const char *s, unsigned long n)
{ return hcall3(__HYPERVISOR_console_io, CONSOLEIO_write, n, s); }
static inline long hv_sched_op(int cmd, void *arg)
{ return hcall2(__HYPERVISOR_sched_op, cmd, arg); }
static inline long hv_xen_version(int cmd, void *arg)
{ return hcall2(__HYPERVISOR_xen_version, cmd, arg); }
static inline long hv_event_channel_op(int cmd, void *arg)
{ return hcall2(__HYPERVISOR_event_channel_op, cmd, arg); }
static inline long hv_grant_table_op(unsigned int cmd, void *op, unsigned int n)
{ return hcall3(__HYPERVISOR_grant_table_op, cmd, op, n); }
static inline long hv_memory_op(int cmd, void *arg)
{ return hcall2(__HYPERVISOR_memory_op, cmd, arg); }
static inline long hv_vcpu_op(int cmd, int vcpu, void *arg)
{ return hcall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg); }
static inline long hv_set_trap_table(const struct trap_info *t)
{ return hcall1(__HYPERVISOR_set_trap_table, t); }
static inline long hv_mmu_update(mmu_update_t *req, unsigned int n,
    unsigned int *done)
{ return hcall4(__HYPERVISOR_mmu_update, req, n, done, DOMID_SELF); }
static inline long hv_mmuext_op(struct mmuext_op *op, unsigned int n,
    unsigned int *done)
{ return hcall4(__HYPERVISOR_mmuext_op, op, n, done, DOMID_SELF); }
static inline long hv_update_va_mapping(unsigned long va, uint64_t pte,
    unsigned long flags)
{ return hcall3(__HYPERVISOR_update_va_mapping, va, pte, flags); }
static inline long hv_stack_switch(unsigned long ss, unsigned long sp)
{ return hcall2(__HYPERVISOR_stack_switch, ss, sp); }
static inline long hv_callback_op(int cmd, void *arg)
{ return hcall2(__HYPERVISOR_callback_op, cmd, arg); }
static inline long hv_set_timer_op(uint64_t t)
{ return hcall1(__HYPERVISOR_set_timer_op, t); }
static inline long hv_multicall(multicall_entry_t *c, unsigned int n)
{ return hcall2(__HYPERVISOR_multicall, c, n); }
static inline long hv_vm_assist(unsigned int cmd, unsigned int type)
{ return hcall2(__HYPERVISOR_vm_assist, cmd, type); }
static inline long hv_fpu_taskswitch(int set)
{ return hcall1(__HYPERVISOR_fpu_taskswitch, set); }
static inline long hv_set_segment_base(unsigned int which, unsigned long base)
{ return hcall2(__HYPERVISOR_set_segment_base, which, base); }

#endif
