/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A throwaway one-vCPU VM running a few bytes of code at CPL3 with paging
 * on (identity map of 2 MiB, flat ring-3 segments, IOPL 3, no IDT): what
 * the start-up probe and the benchmarks measure the host with.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/util.h"
#include "hv.h"
#include "kvm.h"
#include "trap.h"
#include "tinyvm.h"

/* Layout: tables at 0x1000-0x3fff, code at 0x8000, stack below 0x9000,
 * and a GDT at 0x10000 big enough for Xen's selectors (index 0x1c06). */
#define TINY_RAM 0x20000
#define TINY_CODE 0x8000
#define TINY_GDT 0x10000

int tinyvm_create(struct tinyvm *t, const uint8_t *code, size_t len)
{
	uint64_t *pt;

	memset(t, 0, sizeof(*t));
	t->v.fd = -1;
	if (len > 0x800)
		return -1;
	t->vm_fd = kvm_vm_create();
	if (t->vm_fd < 0)
		return -1;
	t->ram = mmap(NULL, TINY_RAM, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->ram == MAP_FAILED || kvm_set_memslot(t->vm_fd, 0, 0, TINY_RAM, t->ram) < 0)
		goto fail;
	t->v.fd = kvm_vcpu_create(t->vm_fd, 0, &t->v.run);
	if (t->v.fd < 0 || kvm_vcpu_init_cpuid(t->v.fd, -1) < 0 || kvm_get_sregs(&t->v) < 0)
		goto fail;
	pt = (uint64_t *)(t->ram + 0x1000);		/* L4 at 0x1000 */
	pt[0] = 0x2000 | 7;
	pt[512] = 0x3000 | 7;				/* L3 at 0x2000 */
	pt[1024] = 0x87;				/* L2: 2 MiB page at 0 */
	memcpy(t->ram + TINY_CODE, code, len);
	trap_setup_segments(&t->v);
	t->v.sregs.gdt.base = TINY_GDT;
	memcpy(t->ram + TINY_GDT + (SEL_USER_CS & ~7), (uint64_t[]){ 0x00affb000000ffffull }, 8);
	memcpy(t->ram + TINY_GDT + (SEL_USER_DS & ~7), (uint64_t[]){ 0x00cff3000000ffffull }, 8);
	t->v.sregs.idt.base = 0;
	t->v.sregs.idt.limit = 0;
	t->v.sregs.cr3 = 0x1000;
	t->v.sregs.cr4 = 0x20;
	t->v.sregs.cr0 = 0x80050033;
	t->v.sregs.efer = 0x500;
	memset(&t->v.regs, 0, sizeof(t->v.regs));
	t->v.regs.rip = TINY_CODE;
	t->v.regs.rsp = 0x9000;
	t->v.regs.rflags = 0x3002;
	if (kvm_set_sregs(&t->v) < 0 || kvm_set_regs(&t->v) < 0)
		goto fail;
	return 0;
fail:
	tinyvm_destroy(t);
	return -1;
}

int tinyvm_ring0(struct tinyvm *t)
{
	t->v.sregs.cs.dpl = t->v.sregs.ss.dpl = t->v.sregs.ds.dpl = 0;
	t->v.sregs.es.dpl = t->v.sregs.fs.dpl = t->v.sregs.gs.dpl = 0;
	t->v.sregs.cs.selector = 0x08;
	t->v.sregs.ss.selector = t->v.sregs.ds.selector = 0x10;
	return kvm_set_sregs(&t->v);
}

void tinyvm_destroy(struct tinyvm *t)
{
	if (t->v.fd >= 0)
		close(t->v.fd);
	if (t->ram != NULL && t->ram != MAP_FAILED)
		munmap(t->ram, TINY_RAM);
	if (t->vm_fd > 0)
		close(t->vm_fd);
	t->v.fd = t->vm_fd = -1;
	t->ram = NULL;
}
