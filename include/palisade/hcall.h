/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a PV guest's hypercall page traps to palisade-hv. Each 32-byte slot i
 * is "mov $i,%eax; out %al,$PAL_HCALL_PORT; ret": the guest runs at CPL3
 * with IOPL 3, so the out leaves KVM_RUN directly, one exit per hypercall.
 * The iret slot is jumped to, not called, and first pushes rcx, r11 and rax
 * to complete Xen's iret_context, as Xen's own page does.
 * The domain builder writes the page; the hypervisor decodes the exit.
 */
#ifndef PALISADE_HCALL_H
#define PALISADE_HCALL_H

#include <stdint.h>
#include <string.h>

#define PAL_HCALL_IRET 23	/* __HYPERVISOR_iret */

#define PAL_HCALL_PORT	0xe4
#define PAL_HCALL_SLOT	32
#define PAL_HCALL_OUT_LEN 2	/* bytes of "out %al,$imm8" */

static inline void pal_hcall_page_fill(uint8_t *page)
{
	unsigned int i;
	uint8_t *s;

	memset(page, 0xcc, 4096);	/* int3 between stubs */
	for (i = 0; i < 4096 / PAL_HCALL_SLOT; i++) {
		s = page + i * PAL_HCALL_SLOT;
		s[0] = 0xb8;		/* mov $i, %eax */
		s[1] = (uint8_t)i;
		s[2] = s[3] = s[4] = 0;
		s[5] = 0xe6;		/* out %al, $port */
		s[6] = PAL_HCALL_PORT;
		s[7] = 0xc3;		/* ret */
	}
	s = page + PAL_HCALL_IRET * PAL_HCALL_SLOT;
	s[0] = 0x51;			/* push %rcx */
	s[1] = 0x41;			/* push %r11 */
	s[2] = 0x53;
	s[3] = 0x50;			/* push %rax */
	s[4] = 0xb8;			/* mov $iret, %eax */
	s[5] = PAL_HCALL_IRET;
	s[6] = s[7] = s[8] = 0;
	s[9] = 0xe6;			/* out %al, $port */
	s[10] = PAL_HCALL_PORT;
	s[11] = 0x0f;			/* ud2: iret never returns here */
	s[12] = 0x0b;
}

#endif
