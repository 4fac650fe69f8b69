/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points the hypervisor bounces into. Xen's x86-64 PV frame is
 * [rcx, r11, (error), rip, cs, rflags, rsp, ss] on the kernel stack; we
 * normalise it to struct trap_frame (all registers, vector, error code,
 * then the iret frame), call C, and return through HYPERVISOR_iret, whose
 * hypercall-page slot completes Xen's iret_context for us.
 */
#define IRET_SLOT (23 * 32)
#define VGCF_in_syscall 0x100

.macro SAVE_REGS
	push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi
	push %rbp; push %r8; push %r9; push %r10; push %r11; push %r12
	push %r13; push %r14; push %r15
.endm

.macro RESTORE_REGS
	pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9
	pop %r8; pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx
	pop %rax
.endm

.macro ENTRY name, vec, has_err, handler, iret_flags=0
	.globl \name
\name:
	pop %rcx
	pop %r11
	.if \has_err == 0
	push $0
	.endif
	push $\vec
	SAVE_REGS
	mov %rsp, %rdi
	call \handler
	RESTORE_REGS
	add $16, %rsp
	pushq $\iret_flags
	jmp hypercall_page + IRET_SLOT
.endm

	.text
ENTRY trap_de, 0, 0, trap_handler
ENTRY trap_bp, 3, 0, trap_handler
ENTRY trap_ud, 6, 0, trap_handler
ENTRY trap_nm, 7, 0, trap_handler
ENTRY trap_gp, 13, 1, trap_handler
ENTRY trap_pf, 14, 1, trap_handler
ENTRY trap_int80, 0x80, 0, trap_handler
ENTRY event_entry, 0x200, 0, event_handler
ENTRY syscall_entry, 0x100, 0, syscall_handler, VGCF_in_syscall

/* ctx_save(ctx): returns 0; ctx_restore(ctx, v) makes ctx_save return v. */
	.globl ctx_save
ctx_save:
	mov %rbx, 0(%rdi); mov %rbp, 8(%rdi); mov %r12, 16(%rdi)
	mov %r13, 24(%rdi); mov %r14, 32(%rdi); mov %r15, 40(%rdi)
	lea 8(%rsp), %rax; mov %rax, 48(%rdi)
	mov (%rsp), %rax; mov %rax, 56(%rdi)
	xor %eax, %eax
	ret

	.globl ctx_restore
ctx_restore:
	mov 0(%rdi), %rbx; mov 8(%rdi), %rbp; mov 16(%rdi), %r12
	mov 24(%rdi), %r13; mov 32(%rdi), %r14; mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	mov %rsi, %rax
	jmp *56(%rdi)

/* Code copied into a user page: a few system calls, then exit. */
	.globl user_prog, user_prog_end
user_prog:
	mov $1, %eax		/* sys_add1(41) */
	mov $41, %edi
	syscall
	mov %rax, %rdi		/* sys_check(42) */
	mov $2, %eax
	syscall
	int $0x80		/* allowed from user: DPL 3 */
	int $0x81		/* not allowed: #GP */
	movabs $0xffffffff80000000, %rbx
	mov (%rbx), %rax	/* kernel memory: #PF, 3 bytes */
	mov $3, %eax		/* sys_exit(7) */
	mov $7, %edi
	syscall
	ud2
user_prog_end:

	.section .note.GNU-stack, "", @progbits
