/* SPDX-License-Identifier: GPL-2.0-only */
/* What both trap strategies share: the segment state of a CPL3 PV vCPU. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "palisade/hcall.h"
#include "palisade/log.h"
#include "hv.h"
#include "kvm.h"
#include "trap.h"

void trap_setup_segments(struct vcpu *v)
{
	struct kvm_segment cs = {
		.limit = 0xffffffff, .present = 1, .type = 11, .s = 1, .l = 1,
		.g = 1, .dpl = 3, .selector = SEL_USER_CS,
	};
	struct kvm_segment ds = {
		.limit = 0xffffffff, .present = 1, .type = 3, .s = 1, .db = 1,
		.g = 1, .dpl = 3, .selector = SEL_USER_DS,
	};
	struct kvm_sregs *s = &v->sregs;

	s->cs = cs;
	s->ds = s->es = s->ss = ds;
	s->fs = s->gs = ds;
	s->fs.selector = s->gs.selector = 0;
	s->gdt.base = priv_vcpu_gdt_va(v->id);
	s->gdt.limit = GDT_PAGES * PAGE_SIZE - 1;
	v->regs.rflags = RFLAGS_FIXED | RFLAGS_IF | hv.guest_iopl;
	v->sregs_dirty = v->regs_dirty = true;
}

uint64_t trap_hcall_return_rip(const struct vcpu *v)
{
	return v->regs.rip + (hv.pio_exit_past_insn ? 0 : PAL_HCALL_OUT_LEN);
}
