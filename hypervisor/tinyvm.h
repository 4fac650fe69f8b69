/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HV_TINYVM_H
#define HV_TINYVM_H

#include "hv.h"

struct tinyvm {
	int vm_fd;
	uint8_t *ram;
	struct vcpu v;		/* only fd, run, regs and sregs are used */
};

int tinyvm_create(struct tinyvm *t, const uint8_t *code, size_t len);
void tinyvm_destroy(struct tinyvm *t);
/* The same code in ring 0 (flat 64-bit segments at DPL 0). */
int tinyvm_ring0(struct tinyvm *t);

#endif
