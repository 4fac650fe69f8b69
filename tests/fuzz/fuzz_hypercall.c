/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercall handlers: a fresh guest per input (PV, or HVM when the first
 * byte is odd: hvm_op, add_to_physmap) makes up to 64 hypercalls
 * whose numbers and arguments come from the input: small numbers, pointers
 * into its scratch pages (filled from the input too), raw 64-bit values and
 * special domain ids. Whatever the guest asks, the hypervisor must answer
 * without a fault, a leak or undefined behaviour.
 */
#include "config.h"

#include <string.h>

#include "palisade/log.h"
#include "../unit/fakeguest.h"
#include "fuzz.h"

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct cursor *c, unsigned int n)
{
	uint64_t v = 0;

	while (n-- > 0 && c->left > 0) {
		v = (v << 8) | *c->p++;
		c->left--;
	}
	return v;
}

static uint64_t arg(struct cursor *c)
{
	static const uint64_t special[] = {
		DOMID_SELF, 0, 1, 0x7fff, ~0ull, 0x8000000000000000ull,
		FG_KBASE, FG_SCRATCH + FG_SCRATCH_LEN - 1,
	};

	switch (take(c, 1) & 7) {
	case 0: case 1: case 2:
		return take(c, 1);
	case 3: case 4:
		return FG_SCRATCH + take(c, 2) % FG_SCRATCH_LEN;
	case 5:
		return take(c, 8);
	default:
		return special[take(c, 1) % (sizeof(special) / sizeof(special[0]))];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct cursor c = { data, size };
	struct domain *d;
	unsigned int i, j;
	size_t fill;

	if (!ready) {
		fg_init();
		log_init("fuzz", NULL, LOG_LVL_QUIET);
		ready = true;
	}
	d = fg_new_type(size > 0 && (data[0] & 1) ? CTL_DOM_HVM : CTL_DOM_PV);
	if (d == NULL)
		return 0;
	fill = size < FG_SCRATCH_LEN ? size : FG_SCRATCH_LEN;
	memcpy(fg_ptr(d, FG_SCRATCH), data, fill);
	for (i = 0; i < 64 && c.left > 0; i++) {
		unsigned int nr = (unsigned int)take(&c, 1) % 48;
		uint64_t a[6];

		for (j = 0; j < 6; j++)
			a[j] = arg(&c);
		hypercall_call(d->vcpu[0], nr, a);
	}
	fg_drop(d);
	return 0;
}
