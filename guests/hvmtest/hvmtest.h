/* SPDX-License-Identifier: GPL-2.0-only */
/* hvmtest's own platform calls (platform.c). */
#ifndef HVMTEST_H
#define HVMTEST_H

#include "pvtest.h"

enum { HVM_BOOT_PLAIN, HVM_BOOT_PVH, HVM_BOOT_MULTIBOOT, HVM_BOOT_REAL };
extern unsigned int hvm_boot_kind;
extern unsigned long hvm_callbacks;	/* callback-vector interrupts taken */

uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t v);
void cpuid(uint32_t leaf, uint32_t r[4]);
/* An interrupt gate for vec to handler, in ring 0. */
void idt_set(unsigned int vec, void *handler);
long hvm_param_get(uint32_t index, uint64_t *value);
long hvm_param_set(uint32_t index, uint64_t value);

#endif
