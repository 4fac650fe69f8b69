/* SPDX-License-Identifier: GPL-2.0-only */
/* Choosing the trap strategy: a probe of what this host's KVM does. */
#include "config.h"

#include <string.h>

#include "palisade/hcall.h"

#include "hv.h"
#include "kvm.h"
#include "trap.h"
#include "tinyvm.h"

/*
 * Does a CPL3 #UD with no IDT come back as KVM_EXIT_SHUTDOWN with the vector
 * still in the vCPU events (kvm-pvm)? Then the no-IDT strategy works here.
 * kvm-pvm leaves the vector there with neither "injected" nor "pending"
 * set; a real triple fault on VT-x/SVM clears it.
 */
static bool probe_shutdown_keeps_vector(void)
{
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	struct kvm_vcpu_events ev;
	struct tinyvm t;
	bool ok = false;

	if (tinyvm_create(&t, ud2, sizeof(ud2)) < 0)
		return false;
	if (kvm_run(&t.v) == 0 && t.v.run->exit_reason == KVM_EXIT_SHUTDOWN &&
	    kvm_get_events(&t.v, &ev) == 0)
		ok = ev.exception.nr == 6;
	tinyvm_destroy(&t);
	return ok;
}

/*
 * Where is RIP when an "out" exits to us? Past the instruction (kvm-pvm,
 * which emulates it) or still on it: hypercalls resume after the stub's
 * "out" either way.
 */
static bool probe_pio_exit_past_insn(void)
{
	static const uint8_t out[] = { 0xe6, PAL_HCALL_PORT };
	struct tinyvm t;
	uint64_t start;
	bool past = false;

	if (tinyvm_create(&t, out, sizeof(out)) < 0)
		return false;
	start = t.v.regs.rip;
	if (kvm_run(&t.v) == 0 && t.v.run->exit_reason == KVM_EXIT_IO &&
	    kvm_get_regs(&t.v) == 0)
		past = t.v.regs.rip == start + sizeof(out);
	tinyvm_destroy(&t);
	return past;
}

/* Does CR0.TS make CPL3 FPU instructions raise #NM? kvm-pvm ignores it. */
static bool probe_cr0_ts_honoured(void)
{
	static const uint8_t fninit_out[] = { 0xdb, 0xe3, 0xe6, PAL_HCALL_PORT };
	struct tinyvm t;
	bool honoured = false;

	if (tinyvm_create(&t, fninit_out, sizeof(fninit_out)) < 0)
		return false;
	t.v.sregs.cr0 |= X86_CR0_TS;
	if (kvm_set_sregs(&t.v) == 0 && kvm_run(&t.v) == 0)
		honoured = t.v.run->exit_reason != KVM_EXIT_IO;
	tinyvm_destroy(&t);
	return honoured;
}

const struct trap_ops *trap_probe(const char *force)
{
	hv.pio_exit_past_insn = probe_pio_exit_past_insn();
	hv.cr0_ts_honoured = probe_cr0_ts_honoured();
	if (force != NULL && strcmp(force, "idt") == 0)
		return &trap_idt_ops;
	if (force != NULL && strcmp(force, "shutdown") == 0)
		return &trap_shutdown_ops;
	return probe_shutdown_keeps_vector() ? &trap_shutdown_ops : &trap_idt_ops;
}
