/* SPDX-License-Identifier: GPL-2.0-only */
/* Choosing the trap strategy: a probe of what this host's KVM does. */
#include "config.h"

#include <string.h>

#include "palisade/hcall.h"
#include "palisade/log.h"

#include "hv.h"
#include "kvm.h"
#include "trap.h"
#include "tinyvm.h"

/*
 * Does a CPL3 #UD with no IDT come back as KVM_EXIT_SHUTDOWN with the vector
 * still in the vCPU events, and the registers as they were at the fault
 * (kvm-pvm)? Then the no-IDT strategy works here. kvm-pvm leaves the vector
 * there with neither "injected" nor "pending" set; a real triple fault on
 * VT-x clears it, and on SVM keeps it but resets the vCPU.
 */
#define PROBE_RAX 0x5a5a1234c3c3ull
#define PROBE_R15 0x0123456789abcdefull

static void probe_shutdown(struct trap_host *host)
{
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	struct kvm_vcpu_events ev;
	struct tinyvm t;
	uint64_t rip, cr3;

	if (tinyvm_create(&t, ud2, sizeof(ud2)) < 0)
		return;
	rip = t.v.regs.rip;
	cr3 = t.v.sregs.cr3;
	t.v.regs.rax = PROBE_RAX;
	t.v.regs.r15 = PROBE_R15;
	if (kvm_set_regs(&t.v) < 0 || kvm_run(&t.v) < 0 ||
	    t.v.run->exit_reason != KVM_EXIT_SHUTDOWN)
		goto out;
	if (kvm_get_events(&t.v, &ev) == 0)
		host->shutdown_keeps_vector = ev.exception.nr == 6;
	if (kvm_get_regs(&t.v) == 0 && kvm_get_sregs(&t.v) == 0)
		host->shutdown_keeps_regs = t.v.regs.rip == rip &&
		    t.v.regs.rax == PROBE_RAX && t.v.regs.r15 == PROBE_R15 &&
		    t.v.sregs.cs.selector == SEL_USER_CS && t.v.sregs.cr3 == cr3;
out:
	tinyvm_destroy(&t);
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

/*
 * Does a CPL3 "out" at IOPL 0 get through to us on a port our TSS's I/O
 * bitmap opens? Real VT-x, SVM and kvm-pvm check the bitmap; QEMU's
 * emulated SVM (the test VM) refuses every port with a busy TSS. Where it
 * does not, guest code runs at IOPL 3 and its port I/O exits to us.
 */
#define PROBE_TSS	0x11000

static bool probe_io_bitmap(void)
{
	static const uint8_t out[] = { 0xe6, PAL_HCALL_PORT };
	struct kvm_segment tr = {
		.base = PROBE_TSS, .limit = TSS_LIMIT, .selector = SEL_TSS,
		.type = 11, .present = 1,
	};
	struct tinyvm t;
	bool honoured = false;

	if (tinyvm_create(&t, out, sizeof(out)) < 0)
		return false;
	priv_io_bitmap(t.ram + PROBE_TSS);
	t.v.sregs.tr = tr;
	t.v.regs.rflags = RFLAGS_FIXED;
	if (kvm_set_sregs(&t.v) == 0 && kvm_set_regs(&t.v) == 0 &&
	    kvm_run(&t.v) == 0)
		honoured = t.v.run->exit_reason == KVM_EXIT_IO &&
		    t.v.run->io.port == PAL_HCALL_PORT;
	tinyvm_destroy(&t);
	return honoured;
}

const struct trap_ops *trap_probe(const char *force)
{
	struct trap_host host = { 0 };
	const struct trap_ops *ops;

	probe_shutdown(&host);
	host.pio_exit_past_insn = probe_pio_exit_past_insn();
	host.cr0_ts_honoured = probe_cr0_ts_honoured();
	host.io_bitmap_honoured = probe_io_bitmap();
	hv.pio_exit_past_insn = host.pio_exit_past_insn;
	hv.cr0_ts_honoured = host.cr0_ts_honoured;
	hv.guest_iopl = host.io_bitmap_honoured ? 0 : RFLAGS_IOPL3;
	ops = trap_choose(&host, force);
	log_info("trap probe: shutdown exit keeps the vector %s, the registers %s; "
	    "'out' exits %s it; CR0.TS %s; TSS I/O bitmap %s: strategy '%s'%s",
	    host.shutdown_keeps_vector ? "yes" : "no",
	    host.shutdown_keeps_regs ? "yes" : "no",
	    host.pio_exit_past_insn ? "past" : "on",
	    host.cr0_ts_honoured ? "honoured" : "ignored",
	    host.io_bitmap_honoured ? "honoured (guests at IOPL 0)" :
	    "ignored (guests at IOPL 3)", ops->name,
	    force != NULL ? " (forced)" : "");
	return ops;
}
