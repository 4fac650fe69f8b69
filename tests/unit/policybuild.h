/* SPDX-License-Identifier: GPL-2.0-only */
/* Build binary ACM policies in memory, for tests (the XML front end comes
 * later). */
#ifndef POLICYBUILD_H
#define POLICYBUILD_H

#include <string.h>
#include <zlib.h>

#include "palisade/acmpol.h"

struct pb_label {
	const char *name;
	uint64_t ste, cw;
};

/* Lay out a policy in buf (big enough); returns its size. */
static inline size_t pb_build(uint8_t *buf, const char *name, uint32_t nste,
    uint32_t ncw, const struct pb_label *labels, uint32_t nlabels,
    const uint64_t *conflicts, uint32_t nconflicts)
{
	struct acmpol_header *h = (struct acmpol_header *)buf;
	struct acmpol_label *l;
	struct acmpol_conflict *c;
	uint32_t i;

	memset(h, 0, sizeof(*h));
	h->magic = ACMPOL_MAGIC;
	h->version = ACMPOL_VERSION;
	h->nr_ste_types = nste;
	h->nr_cw_types = ncw;
	h->nr_labels = nlabels;
	h->nr_conflicts = nconflicts;
	strncpy(h->name, name, sizeof(h->name) - 1);
	h->labels_off = sizeof(*h);
	l = (struct acmpol_label *)(buf + h->labels_off);
	for (i = 0; i < nlabels; i++) {
		memset(&l[i], 0, sizeof(l[i]));
		strncpy(l[i].name, labels[i].name, sizeof(l[i].name) - 1);
		l[i].ste = labels[i].ste;
		l[i].cw = labels[i].cw;
	}
	h->conflicts_off = h->labels_off + nlabels * sizeof(*l);
	c = (struct acmpol_conflict *)(buf + h->conflicts_off);
	for (i = 0; i < nconflicts; i++)
		c[i].cw = conflicts[i];
	h->size = h->conflicts_off + nconflicts * sizeof(*c);
	h->crc32 = (uint32_t)crc32(0, buf + sizeof(*h), h->size - sizeof(*h));
	return h->size;
}

/* After editing a built policy: make its checksum right again. */
static inline void pb_reseal(uint8_t *buf)
{
	struct acmpol_header *h = (struct acmpol_header *)buf;

	h->crc32 = (uint32_t)crc32(0, buf + sizeof(*h), h->size - sizeof(*h));
}

/* The policy the tests use: blue and red share nothing; green and yellow
 * share blue's type but stand on two sides of one Chinese Wall. */
static inline size_t pb_test_policy(uint8_t *buf)
{
	static const struct pb_label labels[] = {
		{ "blue", 1u << 0, 0 },
		{ "red", 1u << 1, 0 },
		{ "green", 1u << 0, 1u << 0 },
		{ "yellow", 1u << 0, 1u << 1 },
	};
	static const uint64_t conflicts[] = { (1u << 0) | (1u << 1) };

	return pb_build(buf, "test-policy", 2, 2, labels, 4, conflicts, 1);
}

#endif
