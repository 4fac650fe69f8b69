/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvmtest's three ways in, all ending in 64-bit mode at hvm_main(kind,
 * info): a flat image's first byte at 0:7c00 in real mode (EBX = the
 * hvm_start_info), the PVH entry XEN_ELFNOTE_PHYS32_ENTRY names, and the
 * ELF entry for multiboot loaders (EAX = 0x2BADB002, EBX = the multiboot
 * information). The kernel is linked at 0x7c00, so the flat image is the
 * same code as the ELF file.
 */
#include <xen/elfnote.h>

#define BOOT_REAL	3
#define BOOT_PVH	1
#define BOOT_MULTIBOOT	2
#define CALLBACK_VECTOR	0xf3
#define SEL_CODE64	0x08
#define SEL_CODE32	0x10
#define SEL_DATA	0x18

	.pushsection .note.Xen, "a", @note
	.align 4
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start
	.popsection

	.section .text.boot, "ax"
	.code16
	.globl real_start
real_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7000, %sp
	lgdtl gdt_desc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	movl $BOOT_REAL, %esi
	ljmpl $SEL_CODE32, $common32

	/* Within the first 64 KiB, for lgdt in real mode. */
	.align 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf9a000000ffff	/* 0x10: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x18: data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	/* A multiboot header in the first 8 KiB: magic, flags (none), checksum. */
	.align 4
	.long 0x1badb002, 0, -0x1badb002

	.code32
	.globl mb_start
mb_start:
	movl $0, %esi
	cmpl $0x2badb002, %eax
	jne common32
	movl $BOOT_MULTIBOOT, %esi
	jmp common32

	.globl pvh_start
pvh_start:
	movl $BOOT_PVH, %esi

/* Protected mode, paging off; ESI = how we came, EBX = the boot info. */
common32:
	lgdtl gdt_desc
	ljmpl $SEL_CODE32, $1f
1:	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl $boot_stack_top, %esp
	/* 1 GiB identity-mapped with 2 MiB pages, and the same at -2 GiB
	 * (pvtest's VIRT_BASE), so the shared frontends' pfn_to_virt works. */
	movl $pt_l2, %edi
	movl $0x83, %eax		/* P RW PS */
	movl $512, %ecx
2:	movl %eax, (%edi)
	movl $0, 4(%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 2b
	movl $pt_l2, %eax
	orl $3, %eax
	movl %eax, pt_l3_low
	movl %eax, pt_l3_high + 510 * 8
	movl $pt_l3_low, %eax
	orl $3, %eax
	movl %eax, pt_l4
	movl $pt_l3_high, %eax
	orl $3, %eax
	movl %eax, pt_l4 + 511 * 8
	movl $pt_l4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG PE */
	movl %eax, %cr0
	ljmpl $SEL_CODE64, $long64

	.code64
long64:
	xorl %eax, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %esi, %edi			/* kind */
	movl %ebx, %esi			/* info */
	lidt idt_desc(%rip)
	call hvm_main
3:	hlt
	jmp 3b

/* Exceptions: vector and error code to trap_report (which powers off). */
.macro EXC vec, has_err
	.globl exc_\vec
exc_\vec:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp exc_common
.endm
	EXC 0, 0
	EXC 3, 0
	EXC 6, 0
	EXC 8, 1
	EXC 13, 1
	EXC 14, 1

exc_common:
	movq %rsp, %rdi
	call trap_report
4:	hlt
	jmp 4b

/* Interrupt entries: every register the C side may clobber is saved. */
.macro IRQ_ENTRY name, handler
	.globl \name
\name:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	call \handler
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq
.endm
	IRQ_ENTRY callback_entry, hvm_callback		/* event channel upcalls */
	IRQ_ENTRY apic_timer_entry, hvm_apic_timer	/* the platform suite's */

	.section .rodata
idt_desc:
	.word 256 * 16 - 1
	.quad idt

	.section .data.hypercall_page, "aw"
	.align 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0

	.bss
	.align 4096
	.globl idt
idt:
	.fill 256 * 16, 1, 0
pt_l4:
	.fill 4096, 1, 0
pt_l3_low:
	.fill 4096, 1, 0
pt_l3_high:
	.fill 4096, 1, 0
pt_l2:
	.fill 4096, 1, 0
	.align 16
boot_stack:
	.fill 32768, 1, 0
boot_stack_top:
	.section .note.GNU-stack, "", @progbits
