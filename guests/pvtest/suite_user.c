/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A user-mode task on its own page tables: system calls reach our syscall
 * callback on the kernel stack, int $0x80 is allowed by its DPL, int $0x81
 * is not, and a touch of kernel memory from user mode is a #PF with the
 * user bit set.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

#define USER_CODE_VA	0x400000ul
#define USER_STACK_TOP	(USER_CODE_VA + 512 * PAGE_SIZE - 64)
#define PTE_P 1ul
#define PTE_RW 2ul
#define PTE_US 4ul

extern char user_prog[], user_prog_end[];

static struct ctx user_return;
static long user_checked = -1;
static unsigned int user_syscalls, user_gp, user_int80, user_pf;
static uint64_t user_pf_error, user_pf_cr2;

static long user_syscall(struct trap_frame *f)
{
	user_syscalls++;
	switch (f->rax) {
	case 1:
		return (long)f->rdi + 1;
	case 2:
		user_checked = (long)f->rdi;
		return 0;
	case 3:
		ctx_restore(&user_return, 100 + (int)f->rdi);
	default:
		return -38;
	}
}

static void user_fault(struct trap_frame *f)
{
	switch (f->vector) {
	case 0x80:
		user_int80++;
		return;
	case 13:
		user_gp++;
		f->rip += 2;	/* past the int $0x81 */
		return;
	case 14:
		user_pf++;
		user_pf_error = f->error;
		user_pf_cr2 = shared_info->vcpu_info[0].arch.cr2;
		f->rip += 3;	/* past the load */
		return;
	default:
		ctx_restore(&user_return, 1000 + (int)f->vector);
	}
}

static unsigned long new_table(void)
{
	unsigned long pfn = mm_alloc_page();
	uint64_t pte = *pte_for((unsigned long)pfn_to_virt(pfn)) & ~PTE_RW;

	hv_update_va_mapping((unsigned long)pfn_to_virt(pfn), pte, UVMF_INVLPG);
	return pfn;
}

static int set_entry(unsigned long table_pfn, unsigned int idx, unsigned long pfn,
    unsigned long flags)
{
	mmu_update_t u = {
		.ptr = (pfn_to_mfn(table_pfn) << PAGE_SHIFT) + idx * 8,
		.val = (pfn_to_mfn(pfn) << PAGE_SHIFT) | flags,
	};
	unsigned int done;

	return (int)hv_mmu_update(&u, 1, &done);
}

/* L4 -> L3 -> L2 -> L1 mapping code and stack at low addresses. */
static unsigned long build_user_tables(void)
{
	unsigned long l4 = new_table(), l3 = new_table(), l2 = new_table();
	unsigned long l1 = new_table(), code = mm_alloc_page(), stack = mm_alloc_page();
	unsigned long tf = PTE_P | PTE_RW | PTE_US;
	int r = 0;

	memcpy(pfn_to_virt(code), user_prog, user_prog_end - user_prog);
	r |= set_entry(l4, 0, l3, tf);
	r |= set_entry(l3, 0, l2, tf);
	r |= set_entry(l2, USER_CODE_VA >> 21, l1, tf);
	r |= set_entry(l1, 0, code, PTE_P | PTE_US);
	r |= set_entry(l1, 511, stack, tf);
	return r == 0 ? l4 : 0;
}

/* iret to user mode: Xen's iret_context with a user CS. */
static void enter_user(uint64_t rip, uint64_t rsp)
{
	asm volatile(
	    "pushq %[ss]\n\t"
	    "pushq %[rsp]\n\t"
	    "pushq $0x3202\n\t"
	    "pushq %[cs]\n\t"
	    "pushq %[rip]\n\t"
	    "pushq $0\n\t"
	    "jmp hypercall_page + 23 * 32"
	    : : [ss] "i"(FLAT_USER_SS), [rsp] "r"(rsp), [cs] "i"(FLAT_USER_CS),
	      [rip] "r"(rip) : "memory");
	__builtin_unreachable();
}

void suite_user(void)
{
	struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR };
	static uint8_t kstack[8192] __attribute__((aligned(16)));
	unsigned long l4;
	unsigned int done;
	int ret;

	traps_init();
	shared_info_map();
	l4 = build_user_tables();
	check(l4 != 0, "user page tables built with mmu_update");
	op.arg1.mfn = pfn_to_mfn(l4);
	check(hv_mmuext_op(&op, 1, &done) == 0, "new_user_baseptr");
	check(hv_stack_switch(FLAT_KERNEL_SS, (unsigned long)kstack + sizeof(kstack)) == 0,
	    "stack_switch");
	syscall_hook = user_syscall;
	user_fault_hook = user_fault;
	ret = ctx_save(&user_return);
	if (ret == 0)
		enter_user(USER_CODE_VA, USER_STACK_TOP);
	syscall_hook = NULL;
	user_fault_hook = NULL;
	check(ret == 107, "user task ran and exited with status %d", ret - 100);
	check(user_checked == 42, "system call result reached user mode (%ld)", user_checked);
	check(user_syscalls == 3, "%u system calls", user_syscalls);
	check(user_int80 == 1, "int $0x80 from user mode delivered");
	check(user_gp == 1, "int $0x81 from user mode is #GP");
	check(user_pf == 1 && user_pf_cr2 == 0xffffffff80000000ul && (user_pf_error & 4),
	    "user touching kernel memory: #PF cr2 %#lx error %#lx (user bit)",
	    (unsigned long)user_pf_cr2, (unsigned long)user_pf_error);
}
