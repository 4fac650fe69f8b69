/* SPDX-License-Identifier: GPL-2.0-only */
/* What both trap strategies share: CPL3 segment state and the probe. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
	s->gdt.limit = (SEL_USER_CS >> 3) * 8 + 7;
	v->regs.rflags = RFLAGS_FIXED | RFLAGS_IF | RFLAGS_IOPL3;
	v->sregs_dirty = v->regs_dirty = true;
}

/*
 * Does a CPL3 #UD with no IDT come back as KVM_EXIT_SHUTDOWN with the vector
 * still in the vCPU events (kvm-pvm)? Then the no-IDT strategy works here.
 */
static bool probe_shutdown_keeps_vector(void)
{
	struct vcpu v;
	struct kvm_vcpu_events ev;
	uint8_t *ram;
	uint64_t *pt;
	int vm, ok = 0;

	memset(&v, 0, sizeof(v));
	vm = kvm_vm_create();
	if (vm < 0)
		return false;
	ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		goto out_vm;
	if (kvm_set_memslot(vm, 0, 0, 0x10000, ram) < 0)
		goto out;
	v.fd = kvm_vcpu_create(vm, 0, &v.run);
	if (v.fd < 0 || kvm_vcpu_init_cpuid(v.fd) < 0)
		goto out;
	pt = (uint64_t *)(ram + 0x1000);		/* L4 at 0x1000 */
	pt[0] = 0x2000 | 7;
	pt[512] = 0x3000 | 7;				/* L3 at 0x2000 */
	pt[1024] = 0x87;				/* L2: 2 MiB page at 0 */
	ram[0x8000] = 0x0f;				/* ud2 */
	ram[0x8001] = 0x0b;
	if (kvm_get_sregs(&v) < 0)
		goto out;
	trap_setup_segments(&v);
	v.sregs.gdt.base = 0x4000;
	memcpy(ram + 0x4000 + (SEL_USER_CS & ~7), (uint64_t[]){ 0x00affb000000ffffull }, 8);
	memcpy(ram + 0x4000 + (SEL_USER_DS & ~7), (uint64_t[]){ 0x00cff3000000ffffull }, 8);
	v.sregs.idt.base = 0;
	v.sregs.idt.limit = 0;
	v.sregs.cr3 = 0x1000;
	v.sregs.cr4 = 0x20;
	v.sregs.cr0 = 0x80050033;
	v.sregs.efer = 0x500;
	memset(&v.regs, 0, sizeof(v.regs));
	v.regs.rip = 0x8000;
	v.regs.rsp = 0x9000;
	v.regs.rflags = 0x3002;
	if (kvm_set_sregs(&v) < 0 || kvm_set_regs(&v) < 0 || kvm_run(&v) < 0)
		goto out;
	if (v.run->exit_reason == KVM_EXIT_SHUTDOWN && kvm_get_events(&v, &ev) == 0)
		ok = ev.exception.nr == 6 && (ev.exception.injected || ev.exception.pending);
out:
	if (v.fd > 0)
		close(v.fd);
	munmap(ram, 0x10000);
out_vm:
	close(vm);
	return ok;
}

const struct trap_ops *trap_probe(const char *force)
{
	if (force != NULL && strcmp(force, "idt") == 0)
		return &trap_idt_ops;
	if (force != NULL && strcmp(force, "shutdown") == 0)
		return &trap_shutdown_ops;
	return probe_shutdown_keeps_vector() ? &trap_shutdown_ops : &trap_idt_ops;
}
