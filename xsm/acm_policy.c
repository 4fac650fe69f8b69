/* SPDX-License-Identifier: GPL-2.0-only */
/* Validating a binary ACM policy (include/palisade/acmpol.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "palisade/xen.h"
#include "xsm.h"

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -XEN_EINVAL;
}

static uint64_t type_mask(uint32_t n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* An array of count records of size sz at off lies inside the policy,
 * after the header, aligned. */
static bool array_ok(uint32_t off, uint32_t count, size_t sz, uint32_t size)
{
	uint64_t end = (uint64_t)off + (uint64_t)count * sz;

	return off % 8 == 0 && off >= sizeof(struct acmpol_header) && end <= size;
}

static bool name_ok(const char *name)
{
	return memchr(name, '\0', ACMPOL_NAME_LEN) != NULL && name[0] != '\0';
}

int acm_policy_parse(const void *buf, size_t len, struct acm_policy **out,
    char *err, size_t n)
{
	struct acmpol_header h;
	const uint8_t *p = buf;
	struct acm_policy *pol;
	uint32_t i, j;
	int ret;

	if (len < sizeof(h))
		return fail(err, n, "policy truncated: %zu bytes, less than a header", len);
	memcpy(&h, p, sizeof(h));
	if (h.magic != ACMPOL_MAGIC)
		return fail(err, n, "not an ACM policy (bad magic)");
	if (h.version != ACMPOL_VERSION)
		return fail(err, n, "ACM policy version %u, expected %u", h.version,
		    ACMPOL_VERSION);
	if (h.size != len || len > ACMPOL_MAX_SIZE)
		return fail(err, n, "policy size %u does not match its %zu bytes", h.size, len);
	if (h.crc32 != (uint32_t)crc32(0, p + sizeof(h), (uInt)(len - sizeof(h))))
		return fail(err, n, "policy checksum mismatch");
	if (!name_ok(h.name))
		return fail(err, n, "policy name missing or not terminated");
	if (h.nr_ste_types > ACMPOL_MAX_TYPES || h.nr_cw_types > ACMPOL_MAX_TYPES ||
	    h.nr_labels == 0 || h.nr_labels > ACMPOL_MAX_LABELS ||
	    h.nr_conflicts > ACMPOL_MAX_CONFLICTS)
		return fail(err, n, "policy counts out of range (%u STE types, %u CW "
		    "types, %u labels, %u conflict sets)", h.nr_ste_types,
		    h.nr_cw_types, h.nr_labels, h.nr_conflicts);
	if (!array_ok(h.labels_off, h.nr_labels, sizeof(struct acmpol_label), h.size) ||
	    !array_ok(h.conflicts_off, h.nr_conflicts, sizeof(struct acmpol_conflict),
	    h.size))
		return fail(err, n, "policy arrays outside the policy or misaligned");
	pol = calloc(1, sizeof(*pol) + h.nr_labels * sizeof(pol->labels[0]));
	if (pol == NULL)
		return fail(err, n, "out of memory");
	memcpy(pol->name, h.name, sizeof(pol->name));
	pol->nr_labels = h.nr_labels;
	memcpy(pol->labels, p + h.labels_off, h.nr_labels * sizeof(pol->labels[0]));
	for (i = 0; i < h.nr_labels; i++) {
		const struct acmpol_label *l = &pol->labels[i];

		if (!name_ok(l->name)) {
			ret = fail(err, n, "label %u: name missing or not terminated", i);
			goto bad;
		}
		if ((l->ste & ~type_mask(h.nr_ste_types)) || (l->cw & ~type_mask(h.nr_cw_types))) {
			ret = fail(err, n, "label '%s' uses undeclared types", l->name);
			goto bad;
		}
		for (j = 0; j < i; j++)
			if (strcmp(pol->labels[j].name, l->name) == 0) {
				ret = fail(err, n, "label '%s' is defined twice", l->name);
				goto bad;
			}
	}
	pol->nr_conflicts = h.nr_conflicts;
	for (i = 0; i < h.nr_conflicts; i++) {
		memcpy(&pol->conflicts[i], p + h.conflicts_off + i * sizeof(pol->conflicts[0]),
		    sizeof(pol->conflicts[0]));
		if (pol->conflicts[i].cw & ~type_mask(h.nr_cw_types)) {
			ret = fail(err, n, "conflict set %u uses undeclared types", i);
			goto bad;
		}
	}
	/* Decisions are computed once: sharing is one bit lookup. */
	for (i = 0; i < h.nr_labels; i++)
		for (j = 0; j < h.nr_labels; j++)
			if (pol->labels[i].ste & pol->labels[j].ste)
				pol->share[i][j / 64] |= 1ull << (j % 64);
	*out = pol;
	return 0;
bad:
	free(pol);
	return ret;
}

int acm_policy_label(const struct acm_policy *pol, const char *name)
{
	uint32_t i;

	for (i = 0; i < pol->nr_labels; i++)
		if (strcmp(pol->labels[i].name, name) == 0)
			return (int)i;
	return -1;
}
