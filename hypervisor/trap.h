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

/* What a PV vCPU really runs with, under either strategy: long mode with
 * NX (Linux's PTEs use it) and SSE enabled (OSFXSR, OSXMMEXCPT) on PAE. */
#define PV_HOST_EFER	0xd01ull	/* NXE LMA LME SCE */
#define PV_HOST_CR4	0x620ull

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

/* What the start-up probe found out about this host's KVM. */
struct trap_host {
	bool shutdown_keeps_vector;	/* a CPL3 #UD's vector after KVM_EXIT_SHUTDOWN */
	bool shutdown_keeps_regs;	/* ...and RIP, GPRs, CS and CR3 as they were */
	bool pio_exit_past_insn;	/* RIP already after "out" at its exit */
	bool cr0_ts_honoured;		/* CR0.TS raises #NM at CPL3 */
	bool io_bitmap_honoured;	/* CPL3 "out" checked against the TSS */
};

/* Probes this host (trap_probe.c, real KVM only) and picks a strategy;
 * the name may force one ("idt"/"shutdown"). */
const struct trap_ops *trap_probe(const char *force);
/* The choice alone, for any host: trap_choose.c. */
const struct trap_ops *trap_choose(const struct trap_host *host, const char *force);

/* Shared by the strategies: segment state of a CPL3 PV vCPU. */
void trap_setup_segments(struct vcpu *v);
/* Where a hypercall returns to: after the stub's "out". */
uint64_t trap_hcall_return_rip(const struct vcpu *v);

#endif
