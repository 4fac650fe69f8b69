/* SPDX-License-Identifier: GPL-2.0-only */
/* The binary ACM policy parser: a policy is untrusted input to the
 * hypervisor. The seed corpus is the test policy; mutations mostly fail
 * the checksum, so every input is also tried with its checksum fixed. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../unit/policybuild.h"
#include "fuzz.h"

static void parse(const uint8_t *data, size_t size)
{
	char err[256];
	struct acmpol *p = acmpol_decode(data, size, err, sizeof(err));
	unsigned int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->h->nr_labels; i++)
		acmpol_ste_share(p, i, p->h->bootstrap);
	acmpol_label(p, "blue", ACMPOL_VM);
	acmpol_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	parse(data, size);
	if (size < sizeof(struct acmpol_header) || size > ACMPOL_MAX_SIZE)
		return 0;
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	((struct acmpol_header *)copy)->size = (uint32_t)size;
	pb_reseal(copy);
	parse(copy, size);
	free(copy);
	return 0;
}
