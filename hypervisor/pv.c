/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86-64 PV CPU model: guest kernel and guest user both run at CPL3,
 * and this file plays ring 0 for them as Xen does. Exceptions, system
 * calls and event upcalls are "bounced" into the guest kernel: switch to
 * kernel mode (kernel stack, kernel page tables, kernel GS base), push
 * Xen's frame [rcx, r11, (error), rip, cs, rflags, rsp, ss] and jump to the
 * registered handler. The saved CS has RPL 0 when the interrupted context
 * was the guest kernel, and carries the saved upcall mask in bits 32-39.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "palisade/hcall.h"
#include "palisade/log.h"
#include "hv.h"
#include "kvm.h"

#define RFLAGS_TF 0x100ull
#define RFLAGS_NT 0x4000ull
#define RFLAGS_RF 0x10000ull
#define RFLAGS_AC 0x40000ull
#define KERNEL_CS (FLAT_KERNEL_CS & ~3u)

void vcpu_crash(struct vcpu *v, const char *why);

static bool vector_has_error(unsigned int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

void pv_toggle_mode(struct vcpu *v)
{
	v->kernel_mode = !v->kernel_mode;
	if (v->kernel_mode) {
		vcpu_set_cr3(v, v->kernel_cr3);
		v->sregs.gs.base = v->gs_base_kernel;
	} else {
		vcpu_set_cr3(v, v->user_cr3 != 0 ? v->user_cr3 : v->kernel_cr3);
		v->sregs.gs.base = v->gs_base_user;
	}
}

/* Push a bounce frame and enter the guest kernel at eip. */
static int pv_bounce(struct vcpu *v, uint64_t eip, bool has_err, uint32_t err,
    bool mask_events)
{
	vcpu_info_t *vi = vcpu_info_ptr(v);
	bool was_user = !v->kernel_mode;
	uint64_t fr[8], sp, cs;
	uint8_t saved_mask = vi != NULL ? vi->evtchn_upcall_mask : 1;
	unsigned int n = 0;

	if (eip == 0)
		return -1;
	if (was_user) {
		pv_toggle_mode(v);
		sp = v->kernel_sp;
	} else {
		sp = v->frame.rsp;
	}
	sp &= ~0xfull;
	cs = (was_user ? FLAT_USER_CS : KERNEL_CS) | ((uint64_t)saved_mask << 32);
	fr[n++] = v->regs.rcx;
	fr[n++] = v->regs.r11;
	if (has_err)
		fr[n++] = err;
	fr[n++] = v->frame.rip;
	fr[n++] = cs;
	fr[n++] = (v->frame.rflags & ~(RFLAGS_IF | RFLAGS_IOPL3)) |
	    (saved_mask ? 0 : RFLAGS_IF);
	fr[n++] = v->frame.rsp;
	fr[n++] = FLAT_KERNEL_SS;
	sp -= n * 8;
	if (copy_to_guest(v, sp, fr, n * 8) < 0) {
		gwarn(v->d, "v%u: cannot write bounce frame at %#lx", v->id,
		    (unsigned long)sp);
		return -1;
	}
	if (mask_events && vi != NULL)
		vi->evtchn_upcall_mask = 1;
	v->frame.rsp = sp;
	v->frame.rip = eip;
	v->frame.rflags &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC);
	return 0;
}

int pv_bounce_exception(struct vcpu *v, unsigned int vector, uint32_t error,
    bool has_error, uint64_t cr2)
{
	const struct trap_info *ti = &v->traps[vector & 0xff];
	vcpu_info_t *vi = vcpu_info_ptr(v);
	char why[96];

	if (vector == 14) {
		/* The guest sees the user bit for its own notion of mode. */
		error &= ~4u;
		if (!v->kernel_mode)
			error |= 4u;
		if (vi != NULL)
			vi->arch.cr2 = cr2;
	}
	if (pv_bounce(v, ti->address, has_error, error, ti->flags & 4) == 0)
		return 0;
	snprintf(why, sizeof(why), "unhandled exception %u error %#x at %#llx",
	    vector, error, (unsigned long long)v->frame.rip);
	vcpu_crash(v, why);
	return -1;
}

int pv_bounce_syscall(struct vcpu *v)
{
	if (v->syscall_cb == 0)
		return pv_bounce_exception(v, 6, 0, false, 0);
	if (pv_bounce(v, v->syscall_cb, false, 0, v->syscall_mask_events) < 0) {
		vcpu_crash(v, "cannot bounce a system call");
		return -1;
	}
	return 0;
}

int pv_deliver_events(struct vcpu *v)
{
	vcpu_info_t *vi = vcpu_info_ptr(v);

	if (vi == NULL || !vi->evtchn_upcall_pending || vi->evtchn_upcall_mask ||
	    v->event_cb == 0)
		return 0;
	if (pv_bounce(v, v->event_cb, false, 0, true) < 0) {
		vcpu_crash(v, "cannot deliver an event upcall");
		return -1;
	}
	return 0;
}

/* Xen's forced-emulation prefix: ud2; .ascii "xen"; cpuid */
bool pv_emulate_xen_cpuid(struct vcpu *v)
{
	static const uint8_t sig[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };
	uint8_t insn[sizeof(sig)];
	uint32_t leaf = (uint32_t)v->regs.rax, out[4] = { 0, 0, 0, 0 };

	if (copy_from_guest(v, insn, v->frame.rip, sizeof(insn)) < 0 ||
	    memcmp(insn, sig, sizeof(sig)) != 0)
		return false;
	if (!xen_cpuid_leaf(leaf, v->id, out)) {
		kvm_cpuid_host(leaf, (uint32_t)v->regs.rcx, out);
		pv_cpuid_policy(leaf, (uint32_t)v->regs.rcx, out);
	}
	v->regs.rax = out[0];
	v->regs.rbx = out[1];
	v->regs.rcx = out[2];
	v->regs.rdx = out[3];
	v->regs_dirty = true;
	v->frame.rip += sizeof(sig);
	return true;
}

static int pv_handle_gp(struct vcpu *v, uint32_t error)
{
	unsigned int n = error >> 3;
	const struct trap_info *ti;
	uint8_t insn[2];

	if ((error & 3) == 2) {
		/* "int $n" through a ring-0 gate. Take n from the instruction:
		 * some CPU emulators scale the error code by the 16-byte gate. */
		if (copy_from_guest(v, insn, v->frame.rip, 2) == 0 && insn[0] == 0xcd)
			n = insn[1];
		ti = &v->traps[n & 0xff];
		if (ti->address != 0 && (ti->flags & 3) >= (v->kernel_mode ? 1u : 3u)) {
			v->frame.rip += 2;
			return pv_bounce_exception(v, n, 0, false, 0);
		}
		return pv_bounce_exception(v, 13, ((n & 0xff) << 3) | 2, true, 0);
	}
	if (error == 0 && pv_emulate_priv(v))
		return 0;
	return pv_bounce_exception(v, 13, error, true, 0);
}

int pv_handle_trap(struct vcpu *v, const struct trap *t)
{
	uint64_t args[6];

	log_debug("d%u v%u: trap kind %d vector %u error %#x rip %#llx cr2 %#llx",
	    v->d->domid, v->id, t->kind, t->vector, t->error,
	    (unsigned long long)v->frame.rip, (unsigned long long)t->cr2);
	if (t->kind == TRAP_SYSCALL) {
		if (!v->kernel_mode)
			return pv_bounce_syscall(v);
		/* Linux PV kernels issue "syscall" as a hypercall directly. */
		args[0] = v->regs.rdi;
		args[1] = v->regs.rsi;
		args[2] = v->regs.rdx;
		args[3] = v->regs.r10;
		args[4] = v->regs.r8;
		args[5] = v->regs.r9;
		v->regs.rax = hypercall_call(v, (unsigned int)v->regs.rax, args);
		v->regs_dirty = true;
		return 0;
	}
	switch (t->vector) {
	case 8:
		vcpu_crash(v, "double fault");
		return -1;
	case 6:
		if (pv_emulate_xen_cpuid(v))
			return 0;
		break;
	case 13:
		return pv_handle_gp(v, t->error);
	case 14:	/* a protection fault that Xen's user bit would not take */
		if ((t->error & 1) && pv_fix_user_bits(v, t->cr2))
			return 0;
		if ((t->error & 3) == 3 && pv_ptwr(v, t->cr2))
			return 0;
		if (pv_spurious_fault(v, t->cr2, t->error))
			return 0;
		if (log_get_level() >= LOG_LVL_DEBUG) {
			uint64_t *l1e = gva_l1e(v, t->cr2);

			log_debug("d%u v%u: #PF at %#llx: L1 entry %#llx", v->d->domid,
			    v->id, (unsigned long long)t->cr2,
			    l1e != NULL ? (unsigned long long)*l1e : 0ull);
		}
		break;
	}
	return pv_bounce_exception(v, t->vector, t->error,
	    vector_has_error(t->vector), t->cr2);
}

/* HYPERVISOR_iret: pop Xen's iret_context from the guest stack. */
long pv_do_iret(struct vcpu *v)
{
	struct iret_context c;
	vcpu_info_t *vi = vcpu_info_ptr(v);

	if (copy_from_guest(v, &c, v->frame.rsp, sizeof(c)) < 0) {
		vcpu_crash(v, "iret with an unreadable frame");
		return -XEN_EFAULT;
	}
	if (!v->kernel_mode) {
		gwarn(v->d, "v%u: iret from user mode", v->id);
		return -XEN_EPERM;
	}
	if ((c.cs & 3) == 3)
		pv_toggle_mode(v);
	v->frame.rip = c.rip;
	v->frame.rsp = c.rsp;
	v->frame.rflags = c.rflags;
	if (!(c.flags & VGCF_in_syscall)) {
		v->regs.r11 = c.r11;
		v->regs.rcx = c.rcx;
	}
	if (vi != NULL)
		vi->evtchn_upcall_mask = !(c.rflags & RFLAGS_IF);
	v->regs_dirty = true;
	return (long)c.rax;
}
