/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How traps from CPL3 guest code reach the hypervisor. Chosen by a probe at
 * start-up: on hosts with VT-x/SVM, an IDT of ring-0 stubs in the private
 * area that "out" the vector; on kvm-pvm hosts (no IDT delivery to ring 0),
 * no IDT at all: every exception ends in KVM_EXIT_SHUTDOWN with the details
 * still in the vCPU state (see HOST-KVM.md).
 */
#ifndef HV_TRAP_H
#define HV_TRAP_H

#include "hv.h"

struct trap_ops {
	const char *name;
	/* Segment, descriptor-table and syscall MSR state for a new vCPU. */
	int (*vcpu_setup)(struct vcpu *v);
	/* Decode an exit into t and v->frame; false if the exit is not ours. */
	bool (*decode)(struct vcpu *v, struct trap *t);
	/* Commit v->frame (and dirty registers) before the next KVM_RUN. */
	int (*resume)(struct vcpu *v);
};

extern const struct trap_ops trap_idt_ops;
extern const struct trap_ops trap_shutdown_ops;

/* Picks a strategy for this host; the name may force one ("idt"/"shutdown"). */
const struct trap_ops *trap_probe(const char *force);

/* Shared by the strategies: segment state of a CPL3 PV vCPU. */
void trap_setup_segments(struct vcpu *v);
/* Where a hypercall returns to: after the stub's "out". */
uint64_t trap_hcall_return_rip(const struct vcpu *v);

#endif
