/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PV (or HVM) guest without code, for driving the hypervisor core directly: a
 * 4 MiB domain on the fake platform (fake_kvm.c) whose vCPU 0 is in kernel
 * mode on hand-built page tables mapping 2 MiB at FG_KBASE to frames 0-511.
 */
#ifndef FAKEGUEST_H
#define FAKEGUEST_H

#include "../../hypervisor/hv.h"

#define FG_KBASE	0xffffffff80000000ull
#define FG_PT_PFN	1		/* L4, L3, L2, L1 at frames 1-4 */
#define FG_RO_PFN	20		/* mapped without write access */
#define FG_KSTACK_TOP	(FG_KBASE + 0x10000)
#define FG_SCRATCH	(FG_KBASE + 0x30000)	/* frames 48-63: free for data */
#define FG_SCRATCH_LEN	0x10000

/* Once per process: what palisade-hv's main() sets up. Returns 0, so a
 * CUnit suite can take it as its initializer. */
int fg_init(void);
/* A fresh guest; NULL if the domain could not be created. */
struct domain *fg_new(void);
/* The same of a given kind (enum ctl_dom_type): HVM and PVH guests are in
 * ring 0, long mode, on the same page tables. */
struct domain *fg_new_type(uint8_t type);
void fg_drop(struct domain *d);
/* The hypervisor's view of a guest virtual address in the 2 MiB window. */
void *fg_ptr(struct domain *d, uint64_t va);

#endif
