/* SPDX-License-Identifier: GPL-2.0-only */
/* The XML policy compiler: a policy file is untrusted input to dom0. Any
 * input either is refused with a message or compiles to a binary that the
 * hypervisor's own checks accept (anything else is a compiler bug). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "dom0/policy/policy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024], err2[256];
	struct acmpol *p;
	size_t len = 0;
	void *bin = policy_compile("fuzz.xml", (const char *)data, size, &len, err, sizeof(err));

	if (bin == NULL) {
		if (err[0] == '\0')
			abort();		/* refused without saying why */
		return 0;
	}
	p = acmpol_decode(bin, len, err2, sizeof(err2));
	if (p == NULL) {
		fprintf(stderr, "the compiler wrote a policy the hypervisor refuses: %s\n", err2);
		abort();
	}
	acmpol_free(p);
	free(bin);
	return 0;
}
