/* SPDX-License-Identifier: GPL-2.0-only */
/* Build binary ACM policies in memory for tests, through acmpol_encode (the
 * XML compiler's own layout): types are named s0.., c0..; a label called
 * "system" is the bootstrap label (else the first); labels named "res:..."
 * are resource labels. */
#ifndef POLICYBUILD_H
#define POLICYBUILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "palisade/acmpol.h"

struct pb_label {
	const char *name;
	uint64_t ste, cw;	/* the first 64 types of each */
};

/* Lay out a policy in buf (at least 64 KiB); returns its size. */
static inline size_t pb_build(uint8_t *buf, const char *name, uint32_t nste,
    uint32_t ncw, const struct pb_label *labels, uint32_t nlabels,
    const uint64_t *conflicts, uint32_t nconflicts)
{
	struct acmpol_header h = { .nr_ste_types = nste, .nr_cw_types = ncw,
	    .nr_labels = nlabels, .nr_conflicts = nconflicts, .major = 1 };
	static struct acmpol_name types[2 * 64];
	static struct acmpol_label l[64];
	static struct acmpol_conflict c[16];
	size_t len = 0;
	uint32_t i;
	void *b;

	snprintf(h.name, sizeof(h.name), "%s", name);
	for (i = 0; i < nste + ncw; i++)
		snprintf(types[i].s, sizeof(types[i].s), "%c%u", i < nste ? 's' : 'c',
		    i < nste ? i : i - nste);
	memset(l, 0, sizeof(l));
	for (i = 0; i < nlabels; i++) {
		bool res = strncmp(labels[i].name, "res:", 4) == 0;

		snprintf(l[i].name, sizeof(l[i].name), "%s", labels[i].name + (res ? 4 : 0));
		l[i].kind = res ? ACMPOL_RESOURCE : ACMPOL_VM;
		l[i].ste[0] = labels[i].ste;
		l[i].cw[0] = labels[i].cw;
		if (strcmp(labels[i].name, "system") == 0)
			h.bootstrap = i;
	}
	memset(c, 0, sizeof(c));
	for (i = 0; i < nconflicts; i++) {
		snprintf(c[i].name, sizeof(c[i].name), "set%u", i);
		c[i].cw[0] = conflicts[i];
	}
	b = acmpol_encode(&h, types, l, c, &len);
	if (b == NULL || len > 65536)
		abort();
	memcpy(buf, b, len);
	free(b);
	return len;
}

/* After editing a built policy: make its checksum right again. */
static inline void pb_reseal(uint8_t *buf)
{
	struct acmpol_header *h = (struct acmpol_header *)buf;

	h->crc32 = (uint32_t)crc32(0, buf + sizeof(*h), h->size - sizeof(*h));
}

/* The policy the tests use: blue and red share nothing; green and yellow
 * share blue's type but stand on two sides of one Chinese Wall; dom0
 * (system) has every type; disk "res:bluedisk" is blue's. */
static inline size_t pb_test_policy(uint8_t *buf)
{
	static const struct pb_label labels[] = {
		{ "blue", 1u << 0, 0 },
		{ "red", 1u << 1, 0 },
		{ "green", 1u << 0, 1u << 0 },
		{ "yellow", 1u << 0, 1u << 1 },
		{ "system", 3, 0 },
		{ "res:bluedisk", 1u << 0, 0 },
	};
	static const uint64_t conflicts[] = { (1u << 0) | (1u << 1) };

	return pb_build(buf, "test-policy", 2, 2, labels, 6, conflicts, 1);
}

#endif
