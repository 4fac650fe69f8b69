/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest entry, Xen ELF notes, hypercall page, exception and event entries. */
#include <xen/elfnote.h>

#define NOTE(type, kind, value)			\
	.pushsection .note.Xen, "a", @note;	\
	.align 4;				\
	.long 4f - 3f;				\
	.long 6f - 5f;				\
	.long type;				\
3:	.asciz "Xen";				\
4:	.align 4;				\
5:	kind value;				\
6:	.align 4;				\
	.popsection

NOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "pvtest")
NOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz, "1")
NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
NOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
NOTE(XEN_ELFNOTE_VIRT_BASE, .quad, 0xffffffff80000000)
NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad, 0xffffffff80000000)
NOTE(XEN_ELFNOTE_ENTRY, .quad, _start)
NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad, hypercall_page)
NOTE(XEN_ELFNOTE_FEATURES, .asciz, "pae_pgdir_above_4gb")
NOTE(XEN_ELFNOTE_PAE_MODE, .asciz, "yes")

	.section .text.head, "ax"
	.globl _start
_start:
	/* rsi = start_info; use our own boot stack from here on. */
	leaq boot_stack_top(%rip), %rsp
	movq %rsi, %rdi
	call pvtest_main
1:	jmp 1b

	.section .data.hypercall_page, "aw"
	.align 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0

	.bss
	.align 16
boot_stack:
	.fill 65536, 1, 0
boot_stack_top:
	.section .note.GNU-stack, "", @progbits
