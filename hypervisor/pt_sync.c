/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes to a PV guest's page tables that reach its MMU.
 *
 * The hypervisor validates page-table updates and writes them through its
 * own mapping of guest RAM, which the guest's MMU does not see: on kvm-pvm
 * hosts KVM shadows the guest's tables and notices only the guest's own
 * writes to them, so a changed entry kept its old translation for as long
 * as the shadow lived (Linux's text_poke patched the wrong page). And on
 * any host, KVM_SET_SREGS with an unchanged CR3 does not flush the TLB.
 *
 * So every entry the hypervisor writes is logged per vCPU, and before that
 * vCPU next enters the guest a ring-0 stub in the private area writes each
 * logged entry again with its own value, through DM_VA, as the guest's
 * CPU: KVM updates its shadow entries, as for a guest kernel's own write.
 * The stub runs on an L4 of the hypervisor's own (the guest's L4 may be
 * one whose Xen slot is among the entries still to sync), and going back
 * to the guest's CR3 from there flushes the TLB.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "palisade/log.h"
#include "hv.h"
#include "kvm.h"

static void pt_log(struct vcpu *v, uint64_t *entry)
{
	struct domain *d = v->d;
	uint64_t gpa = (uint64_t)((uint8_t *)entry - d->ram);

	if (d->hvm != NULL || (uint8_t *)entry < d->ram ||
	    gpa >= d->max_pages * PAGE_SIZE)
		return;
	if (v->pt_logged == PT_LOG_MAX && pt_sync(v) < 0)
		return;
	priv_ptsync_log(v)[v->pt_logged++] = gpa & ~7ull;
}

void pt_store(struct vcpu *v, uint64_t *entry, uint64_t val)
{
	__atomic_store_n(entry, val, __ATOMIC_RELAXED);
	pt_log(v, entry);
}

uint64_t pt_or(struct vcpu *v, uint64_t *entry, uint64_t bits)
{
	uint64_t val = __atomic_or_fetch(entry, bits, __ATOMIC_RELAXED);

	pt_log(v, entry);
	return val;
}

uint64_t pt_and(struct vcpu *v, uint64_t *entry, uint64_t bits)
{
	uint64_t val = __atomic_and_fetch(entry, bits, __ATOMIC_RELAXED);

	pt_log(v, entry);
	return val;
}

void vcpu_flush_tlb(struct vcpu *v)
{
	v->tlb_flush = true;
}

static const struct kvm_segment stub_cs = {
	.limit = 0xffffffff, .present = 1, .type = 11, .s = 1, .l = 1, .g = 1,
	.selector = SEL_HV_CS,
};
static const struct kvm_segment stub_ss = {
	.limit = 0xffffffff, .present = 1, .type = 3, .s = 1, .db = 1, .g = 1,
	.selector = SEL_HV_SS,
};

/* An "out" KVM exited on is finished (the instruction stepped over, if RIP
 * is still on it) at the next KVM_RUN: run that now, on the state it
 * belongs to, without entering the guest, and read back RIP. */
static int finish_io(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	int ret = 0;

	if (v->sregs_dirty)
		ret = kvm_set_sregs(v);
	if (ret == 0 && v->regs_dirty)
		ret = kvm_set_regs(v);
	v->sregs_dirty = v->regs_dirty = false;
	if (ret == 0) {
		r->immediate_exit = 1;
		ret = kvm_run(v);
		r->immediate_exit = 0;
		if (ret == -EINTR || ret == -EAGAIN)
			ret = 0;
	}
	return ret == 0 ? kvm_get_regs(v) : ret;
}

/* Run the stub on this vCPU (its own thread, outside the guest), then put
 * back the guest state it interrupted, to be loaded at the next entry. The
 * exit that brought us here is finished first: an IDT stub waiting on its
 * "out" would run it again otherwise, and the exception be handled twice. */
int pt_sync(struct vcpu *v)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_run *r = v->run;
	int ret;

	if (v->d->hvm != NULL || (v->pt_logged == 0 && !v->tlb_flush))
		return 0;
	ret = finish_io(v);
	if (ret < 0) {
		log_warnx("d%u v%u: page-table sync: %s", v->d->domid, v->id,
		    strerror(-ret));
		return ret;
	}
	regs = v->regs;
	sregs = v->sregs;
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rip = priv_ptsync_stub_va();
	v->regs.rsp = priv_vcpu_stack_top_va(v->id) - 256;
	v->regs.rflags = RFLAGS_FIXED;
	v->regs.rdi = priv_ptsync_log_va(v->id);
	v->regs.rcx = v->pt_logged;
	v->regs.rsi = DM_VA;
	v->sregs.cs = stub_cs;
	v->sregs.ss = stub_ss;
	v->sregs.cr3 = priv_stub_cr3();
	ret = kvm_set_sregs(v);
	if (ret == 0)
		ret = kvm_set_regs(v);
	/* A kick stays pending until drained; v->kicked keeps it for later. */
	while (ret == 0 && ((ret = kvm_run(v)) == -EINTR || ret == -EAGAIN)) {
		vcpu_drain_kicks();
		ret = 0;
	}
	if (ret == 0 && (r->exit_reason != KVM_EXIT_IO ||
	    r->io.port != PAL_PTSYNC_PORT)) {
		kvm_get_regs(v);
		log_warnx("d%u v%u: page-table sync stub: exit %u at %#llx",
		    v->d->domid, v->id, r->exit_reason,
		    (unsigned long long)v->regs.rip);
		ret = -EIO;
	}
	/* And the stub's own "out", on the stub's state, not the guest's. */
	if (ret == 0)
		ret = finish_io(v);
	if (ret < 0 && ret != -EIO)
		log_warnx("d%u v%u: page-table sync stub: %s", v->d->domid, v->id,
		    strerror(-ret));
	v->regs = regs;
	v->sregs = sregs;
	v->regs_dirty = v->sregs_dirty = true;
	v->pt_logged = 0;
	v->tlb_flush = false;
	return ret;
}
