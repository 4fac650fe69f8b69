/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trap strategy for kvm-pvm hosts (HOST-KVM.md): no IDT. An exception at
 * CPL3 ends in KVM_EXIT_SHUTDOWN with RIP at the faulting instruction and
 * the vector and error code in the vCPU events; we clear the exception and
 * set the registers to resume. "syscall" jumps to an unmapped LSTAR and
 * faults there, so a #PF at LSTAR is a system call (RCX/R11 hold the
 * return RIP and RFLAGS). "int $N" and int3 arrive as #UD at the
 * instruction and are recognised by their bytes.
 */
#include "config.h"

#include <string.h>

#include "palisade/hcall.h"
#include "palisade/log.h"
#include "hv.h"
#include "kvm.h"
#include "trap.h"

/* Canonical, in our private slot, never mapped. */
#define SHUTDOWN_LSTAR (PRIV_VA + 0x3f000000ull)

/*
 * kvm-pvm emulates "out" from CPL3 whatever RFLAGS.IOPL says, and lets it
 * through only if the TSS's I/O bitmap allows the port: TR must name our
 * TSS with its bitmap, or every hypercall is a #GP.
 */
static int shutdown_vcpu_setup(struct vcpu *v)
{
	struct kvm_segment tr = {
		.base = priv_tss_va(v->id), .limit = TSS_LIMIT,
		.selector = SEL_TSS, .type = 11, .present = 1,
	};

	trap_setup_segments(v);
	v->sregs.tr = tr;
	v->sregs.idt.base = 0;
	v->sregs.idt.limit = 0;
	v->sregs.cr0 = 0x80050033;
	v->sregs.cr4 = PV_HOST_CR4;
	v->sregs.efer = PV_HOST_EFER;
	return kvm_set_msr(v, MSR_LSTAR, SHUTDOWN_LSTAR);
}

/* int $N (cd nn) and int3 (cc) show up as #UD: turn them into what an IDT
 * with ring-0 gates would have raised. */
static void shutdown_fix_int(struct vcpu *v, struct trap *t)
{
	uint8_t insn[2];

	if (copy_from_guest(v, insn, v->regs.rip, 2) < 0)
		return;
	if (insn[0] == 0xcc) {
		t->vector = 3;
		t->error = 0;
		v->frame.rip = v->regs.rip + 1;
	} else if (insn[0] == 0xcd) {
		t->vector = 13;
		t->error = ((uint32_t)insn[1] << 3) | 2;
	}
}

static bool shutdown_decode(struct vcpu *v, struct trap *t)
{
	struct kvm_run *r = v->run;
	struct kvm_vcpu_events ev;

	memset(t, 0, sizeof(*t));
	v->frame.rip = v->regs.rip;
	v->frame.rsp = v->regs.rsp;
	v->frame.rflags = v->regs.rflags;
	v->resume_kind = TRAP_HYPERCALL;
	if (r->exit_reason == KVM_EXIT_IO && r->io.port == PAL_HCALL_PORT &&
	    r->io.direction == KVM_EXIT_IO_OUT) {
		t->kind = TRAP_HYPERCALL;
		v->frame.rip = trap_hcall_return_rip(v);
		return true;
	}
	/* The vector is there even with neither "injected" nor "pending" set. */
	if (r->exit_reason != KVM_EXIT_SHUTDOWN || kvm_get_events(v, &ev) < 0)
		return false;
	t->vector = ev.exception.nr;
	t->error = ev.exception.has_error_code ? ev.exception.error_code : 0;
	t->cr2 = v->sregs.cr2;
	memset(&ev.exception, 0, sizeof(ev.exception));
	ev.flags = 0;
	kvm_set_events(v, &ev);
	if (t->vector == 14 && t->cr2 == SHUTDOWN_LSTAR) {
		t->kind = TRAP_SYSCALL;
		v->frame.rip = v->regs.rcx;
		v->frame.rflags = v->regs.r11;
		return true;
	}
	t->kind = TRAP_EXCEPTION;
	if (t->vector == 6)
		shutdown_fix_int(v, t);
	return true;
}

static int shutdown_resume(struct vcpu *v)
{
	uint64_t fl = (v->frame.rflags & 0x40dd5ull) | RFLAGS_FIXED |
	    RFLAGS_IF | hv.guest_iopl;

	if (v->regs.rip != v->frame.rip || v->regs.rsp != v->frame.rsp ||
	    v->regs.rflags != fl) {
		v->regs.rip = v->frame.rip;
		v->regs.rsp = v->frame.rsp;
		v->regs.rflags = fl;
		v->regs_dirty = true;
	}
	return 0;
}

const struct trap_ops trap_shutdown_ops = {
	.name = "shutdown",
	.vcpu_setup = shutdown_vcpu_setup,
	.decode = shutdown_decode,
	.resume = shutdown_resume,
};
