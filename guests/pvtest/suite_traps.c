/* SPDX-License-Identifier: GPL-2.0-only */
/* Exceptions reach our handlers through the trap table with Xen's frames. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

/* Run insn with fixup_rip pointing just past it. */
#define FAULT(insn, ...)						\
	asm volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, fixup_rip(%%rip)\n\t" \
	    insn "\n1:\n\tmovq $0, fixup_rip(%%rip)" : : __VA_ARGS__ : "rax", "rdx", "memory")

static bool took(unsigned int before, uint64_t vector)
{
	return last_trap.count == before + 1 && last_trap.vector == vector;
}

static void check_kernel_cs(const char *what)
{
	check((last_trap.cs & 3) == 0 && (last_trap.cs & 0xffff) == (FLAT_KERNEL_CS & ~3),
	    "%s frame says kernel mode (cs %#lx)", what, (unsigned long)last_trap.cs);
}

void suite_traps(void)
{
	long ret;
	unsigned int n;
	uint32_t eax = 0x40000000, ebx, ecx, edx;
	unsigned long cr3;
	char sig[13];

	traps_init();
	shared_info_map();

	n = last_trap.count;
	FAULT("mov $1, %%eax\n\txor %%edx, %%edx\n\tdiv %%rdx", "r"(0));
	check(took(n, 0), "#DE delivered (vector %lu)", (unsigned long)last_trap.vector);
	check_kernel_cs("#DE");

	n = last_trap.count;
	FAULT("ud2", "r"(0));
	check(took(n, 6), "#UD delivered");

	n = last_trap.count;
	FAULT("hlt", "r"(0));
	check(took(n, 13) && last_trap.error == 0, "#GP on a privileged instruction "
	    "(error %#lx)", (unsigned long)last_trap.error);

	n = last_trap.count;
	FAULT("movq (%0), %%rdx", "r"(0xdead0000ul));
	check(took(n, 14) && last_trap.cr2 == 0xdead0000ul, "#PF with cr2 %#lx",
	    (unsigned long)last_trap.cr2);
	check(last_trap.error == 0, "#PF from kernel mode has error 0 (no user bit): %#lx",
	    (unsigned long)last_trap.error);

	n = last_trap.count;
	FAULT("movq $1, (%0)", "r"(start_info->pt_base));
	check(took(n, 14) && last_trap.error == 3, "#PF writing a read-only page table "
	    "(error %#lx)", (unsigned long)last_trap.error);

	n = last_trap.count;
	asm volatile("int3" ::: "memory");
	check(took(n, 3), "#BP from int3");

	n = last_trap.count;
	asm volatile("int $0x80" ::: "memory");
	check(took(n, 0x80), "int $0x80 through the trap table");

	n = last_trap.count;
	FAULT("int $0x81", "r"(0));
	check(took(n, 13) && last_trap.error == ((0x81 << 3) | 2),
	    "int $0x81 (no entry) is #GP with error %#lx",
	    (unsigned long)last_trap.error);

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	check(cr3 == pfn_to_mfn(virt_to_pfn((void *)start_info->pt_base)) << PAGE_SHIFT,
	    "mov from %%cr3 emulated: %#lx", cr3);

	asm volatile("ud2a; .ascii \"xen\"; cpuid"
	    : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = 0;
	check(strcmp(sig, "XenVMMXenVMM") == 0 && eax >= 0x40000002,
	    "forced-emulation cpuid: '%s' max leaf %#x", sig, eax);
	eax = 0x40000001;
	asm volatile("ud2a; .ascii \"xen\"; cpuid"
	    : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	check(eax >> 16 == 4, "Xen version leaf %u.%u", eax >> 16, eax & 0xffff);

	/* Hosts that ignore CR0.TS at CPL3 refuse it (see hc_fpu_taskswitch). */
	ret = hv_fpu_taskswitch(1);
	if (ret == -XEN_EOPNOTSUPP) {
		check(hv_fpu_taskswitch(0) == 0, "fpu_taskswitch(1) refused on this "
		    "host, fpu_taskswitch(0) allowed");
	} else {
		check(ret == 0, "fpu_taskswitch(1)");
		n = last_trap.count;
		FAULT("fninit", "r"(0));
		check(took(n, 7), "#NM after fpu_taskswitch");
		hv_fpu_taskswitch(0);
	}
}
