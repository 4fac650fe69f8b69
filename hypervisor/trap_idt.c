/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trap strategy for hosts with VT-x/SVM: an IDT whose gates lead to ring-0
 * stubs in the private area. An exception pushes the CPU's frame on this
 * vCPU's private stack; the stub adds the vector and leaves with "out". We
 * read and rewrite that frame, and the stub's iretq returns to CPL3. A
 * guest "syscall" lands on a stub that exits the same way and returns with
 * sysretq, whose selectors (STAR) are exactly Xen's flat ring-3 ones, or
 * with the exception stubs' iretq when %rcx and %r11 must survive.
 */
#include "config.h"

#include <string.h>

#include "palisade/hcall.h"
#include "palisade/log.h"
#include "hv.h"
#include "kvm.h"
#include "trap.h"

/* The stub's stack: vector, error code, then the CPU's iret frame. */
struct stub_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/* The vector of a frame already handled and set up for the return: if its
 * stub's exit came to us again, the exception is not handled twice. */
#define STUB_HANDLED	(~0ull)

static int idt_vcpu_setup(struct vcpu *v)
{
	struct kvm_segment tr = {
		.base = priv_tss_va(v->id), .limit = TSS_LIMIT, .selector = SEL_TSS,
		.type = 11, .present = 1,
	};
	int ret;

	trap_setup_segments(v);
	v->sregs.idt.base = priv_idt_va();
	v->sregs.idt.limit = 256 * 16 - 1;
	v->sregs.tr = tr;
	v->sregs.cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	v->sregs.cr4 = PV_HOST_CR4;
	v->sregs.efer = PV_HOST_EFER;
	ret = kvm_set_msr(v, MSR_STAR, ((uint64_t)SEL_USER_CS32 << 48) |
	    ((uint64_t)SEL_HV_CS << 32));
	if (ret == 0)
		ret = kvm_set_msr(v, MSR_LSTAR, priv_syscall_stub_va());
	if (ret == 0)
		ret = kvm_set_msr(v, MSR_SFMASK, 0x47700);
	return ret;
}

static struct stub_frame *stub_frame(struct vcpu *v, uint64_t rsp)
{
	uint64_t top = priv_vcpu_stack_top_va(v->id);

	if (rsp < top - PAGE_SIZE || rsp + sizeof(struct stub_frame) > top)
		return NULL;
	return (struct stub_frame *)((uint8_t *)priv_vcpu_stack(v->d, v->id) +
	    (rsp - (top - PAGE_SIZE)));
}

static bool idt_decode(struct vcpu *v, struct trap *t)
{
	struct kvm_run *r = v->run;
	struct stub_frame *f;

	memset(t, 0, sizeof(*t));
	if (r->exit_reason != KVM_EXIT_IO || r->io.direction != KVM_EXIT_IO_OUT)
		return false;
	switch (r->io.port) {
	case PAL_HCALL_PORT:
		if ((v->sregs.cs.selector & 3) != 3)
			return false;
		t->kind = v->resume_kind = TRAP_HYPERCALL;
		v->frame.rip = trap_hcall_return_rip(v);
		v->frame.rsp = v->regs.rsp;
		v->frame.rflags = v->regs.rflags;
		return true;
	case PAL_TRAP_PORT:
		if (v->sregs.cs.selector != SEL_HV_CS)
			return false;
		f = stub_frame(v, v->regs.rsp);
		if (f == NULL || (f->cs & 3) != 3) {
			t->kind = TRAP_EXCEPTION;
			t->vector = 8;		/* a fault inside our own stubs */
			return true;
		}
		if (f->vector == STUB_HANDLED) {
			gwarn(v->d, "v%u: trap stub's exit seen again (return to %#llx)",
			    v->id, (unsigned long long)f->rip);
			t->kind = TRAP_NONE;
		} else {
			t->kind = TRAP_EXCEPTION;
		}
		v->resume_kind = TRAP_EXCEPTION;
		t->vector = (uint8_t)f->vector;
		t->error = (uint32_t)f->error;
		t->cr2 = v->sregs.cr2;
		v->stub_frame_va = v->regs.rsp;
		v->frame.rip = f->rip;
		v->frame.rsp = f->rsp;
		v->frame.rflags = f->rflags;
		return true;
	case PAL_SYSCALL_PORT:
		if (v->sregs.cs.selector != SEL_HV_CS)
			return false;
		t->kind = v->resume_kind = TRAP_SYSCALL;
		v->frame.rip = v->regs.rcx;
		v->frame.rflags = v->regs.r11;
		v->frame.rsp = v->regs.rsp;
		return true;
	default:
		return false;
	}
}

static uint64_t user_rflags(uint64_t f)
{
	/* Guests keep arithmetic flags, TF, DF, AC; we own IF and IOPL. */
	return (f & 0x40dd5ull) | RFLAGS_FIXED | RFLAGS_IF | hv.guest_iopl;
}

/* The stub's iretq goes back to the guest's frame, at CPL3. */
static void iret_to_frame(struct stub_frame *f, const struct vcpu *v, uint64_t fl)
{
	f->rip = v->frame.rip;
	f->rsp = v->frame.rsp;
	f->rflags = fl;
	f->cs = SEL_USER_CS;
	f->ss = SEL_USER_DS;
}

static int idt_resume(struct vcpu *v)
{
	struct stub_frame *f;
	uint64_t fl = user_rflags(v->frame.rflags), top;

	switch (v->resume_kind) {
	case TRAP_EXCEPTION:
		f = stub_frame(v, v->stub_frame_va);
		if (f == NULL)
			return -1;
		iret_to_frame(f, v, fl);
		f->vector = STUB_HANDLED;
		return 0;
	case TRAP_SYSCALL:
		if (v->regs.rcx == v->frame.rip && v->regs.r11 == fl) {
			v->regs.rsp = v->frame.rsp;
			v->regs_dirty = true;
			return 0;
		}
		/* sysretq would load %rcx and %r11 into RIP and RFLAGS; a
		 * return that must keep them (HYPERVISOR_iret, a bounce) goes
		 * out through the exception stubs' iretq instead. */
		top = priv_vcpu_stack_top_va(v->id);
		f = stub_frame(v, top - sizeof(*f));
		if (f == NULL)
			return -1;
		iret_to_frame(f, v, fl);
		v->regs.rip = priv_iret_stub_va();
		v->regs.rsp = top - sizeof(*f);
		v->regs_dirty = true;
		return 0;
	case TRAP_HYPERCALL:
	case TRAP_NONE:
		if ((v->sregs.cs.selector & 3) != 3)
			return 0;	/* inside a stub: let it reach its exit */
		if (v->regs.rip != v->frame.rip || v->regs.rsp != v->frame.rsp ||
		    v->regs.rflags != fl) {
			v->regs.rip = v->frame.rip;
			v->regs.rsp = v->frame.rsp;
			v->regs.rflags = fl;
			v->regs_dirty = true;
		}
		return 0;
	}
	return 0;
}

const struct trap_ops trap_idt_ops = {
	.name = "idt",
	.vcpu_setup = idt_vcpu_setup,
	.decode = idt_decode,
	.resume = idt_resume,
};
