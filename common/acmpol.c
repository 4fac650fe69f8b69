/* SPDX-License-Identifier: GPL-2.0-only */
/* The binary ACM policy (include/palisade/acmpol.h): checked, laid out. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "palisade/acmpol.h"

static struct acmpol *fail(struct acmpol *p, char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	free(p);
	return NULL;
}

/* An array of count records of size sz at off lies inside the policy,
 * after the header, aligned. */
static bool array_ok(uint32_t off, uint32_t count, size_t sz, uint32_t size)
{
	uint64_t end = (uint64_t)off + (uint64_t)count * sz;

	return off % 8 == 0 && off >= sizeof(struct acmpol_header) && end <= size;
}

static bool terminated(const char *s)
{
	return memchr(s, '\0', ACMPOL_NAME_LEN) != NULL;
}

static bool name_ok(const char *s)
{
	return terminated(s) && s[0] != '\0';
}

/* No bit at or above n is set. */
static bool within(const uint64_t *map, uint32_t n)
{
	unsigned int w;

	for (w = 0; w < ACMPOL_TYPE_WORDS; w++) {
		uint64_t allowed = n >= (w + 1) * 64 ? ~0ull :
		    n <= w * 64 ? 0 : (1ull << (n - w * 64)) - 1;

		if (map[w] & ~allowed)
			return false;
	}
	return true;
}

static int cmp_names(const void *a, const void *b, void *arg)
{
	const struct acmpol_name *t = arg;

	return strcmp(t[*(const uint32_t *)a].s, t[*(const uint32_t *)b].s);
}

static int cmp_labels(const void *a, const void *b, void *arg)
{
	const struct acmpol_label *l = arg, *x = &l[*(const uint32_t *)a],
	    *y = &l[*(const uint32_t *)b];

	return x->kind != y->kind ? (x->kind < y->kind ? -1 : 1) : strcmp(x->name, y->name);
}

/* Sorted, no two alike (idx: count slots to sort in). */
static bool unique_names(const struct acmpol_name *t, uint32_t count, uint32_t *idx)
{
	uint32_t i;

	for (i = 0; i < count; i++)
		idx[i] = i;
	qsort_r(idx, count, sizeof(*idx), cmp_names, (void *)t);
	for (i = 1; i < count; i++)
		if (strcmp(t[idx[i - 1]].s, t[idx[i]].s) == 0)
			return false;
	return true;
}

/* Popcount of a & b over the policy's words. */
static unsigned int common_bits(const uint64_t *a, const uint64_t *b, unsigned int words)
{
	unsigned int w, n = 0;

	for (w = 0; w < words; w++)
		n += (unsigned int)__builtin_popcountll(a[w] & b[w]);
	return n;
}

static struct acmpol *check_labels(struct acmpol *p, char *err, size_t n)
{
	const struct acmpol_header *h = p->h;
	uint32_t i, c;

	for (i = 0; i < h->nr_labels; i++) {
		const struct acmpol_label *l = &p->labels[i];

		if (!name_ok(l->name) || !terminated(l->from))
			return fail(p, err, n, "label %u: name missing or not terminated", i);
		if (l->kind != ACMPOL_VM && l->kind != ACMPOL_RESOURCE)
			return fail(p, err, n, "label '%s': unknown kind %u", l->name, l->kind);
		if (!within(l->ste, h->nr_ste_types) || !within(l->cw, h->nr_cw_types))
			return fail(p, err, n, "label '%s' uses undeclared types", l->name);
		if (l->kind == ACMPOL_RESOURCE && !within(l->cw, 0))
			return fail(p, err, n, "resource label '%s' has Chinese Wall types",
			    l->name);
		for (c = 0; c < h->nr_conflicts; c++)
			if (common_bits(l->cw, p->conflicts[c].cw, p->words) > 1)
				return fail(p, err, n, "label '%s' holds two types of conflict "
				    "set %u", l->name, c);
	}
	for (i = 0; i < h->nr_labels; i++)
		p->order[i] = i;
	qsort_r(p->order, h->nr_labels, sizeof(*p->order), cmp_labels, (void *)p->labels);
	for (i = 1; i < h->nr_labels; i++)
		if (cmp_labels(&p->order[i - 1], &p->order[i], (void *)p->labels) == 0)
			return fail(p, err, n, "label '%s' is defined twice",
			    p->labels[p->order[i]].name);
	if (h->bootstrap >= h->nr_labels || p->labels[h->bootstrap].kind != ACMPOL_VM)
		return fail(p, err, n, "the bootstrap label is not a VM label");
	return p;
}

struct acmpol *acmpol_decode(const void *buf, size_t len, char *err, size_t n)
{
	struct acmpol_header h;
	struct acmpol *p;
	uint32_t i;

	if (len < sizeof(h))
		return fail(NULL, err, n, "policy truncated: %zu bytes, less than a header", len);
	memcpy(&h, buf, sizeof(h));
	if (h.magic != ACMPOL_MAGIC)
		return fail(NULL, err, n, "not an ACM policy (bad magic)");
	if (h.version != ACMPOL_VERSION)
		return fail(NULL, err, n, "ACM policy format %u, expected %u", h.version,
		    ACMPOL_VERSION);
	if (h.size != len || len > ACMPOL_MAX_SIZE)
		return fail(NULL, err, n, "policy size %u does not match its %zu bytes",
		    h.size, len);
	if (h.crc32 != (uint32_t)crc32(0, (const Bytef *)buf + sizeof(h),
	    (uInt)(len - sizeof(h))))
		return fail(NULL, err, n, "policy checksum mismatch");
	if (!name_ok(h.name) || !terminated(h.from_name) ||
	    ((h.flags & ACMPOL_HAS_FROM) && !name_ok(h.from_name)))
		return fail(NULL, err, n, "policy name missing or not terminated");
	if (h.nr_ste_types > ACMPOL_MAX_TYPES || h.nr_cw_types > ACMPOL_MAX_TYPES ||
	    h.nr_labels == 0 || h.nr_labels > ACMPOL_MAX_LABELS ||
	    h.nr_conflicts > ACMPOL_MAX_CONFLICTS)
		return fail(NULL, err, n, "policy counts out of range (%u STE types, %u CW "
		    "types, %u labels, %u conflict sets)", h.nr_ste_types, h.nr_cw_types,
		    h.nr_labels, h.nr_conflicts);
	if (!array_ok(h.types_off, h.nr_ste_types + h.nr_cw_types,
	    sizeof(struct acmpol_name), h.size) ||
	    !array_ok(h.labels_off, h.nr_labels, sizeof(struct acmpol_label), h.size) ||
	    !array_ok(h.conflicts_off, h.nr_conflicts, sizeof(struct acmpol_conflict), h.size))
		return fail(NULL, err, n, "policy arrays outside the policy or misaligned");
	/* The blob, then room for the label order (and, meanwhile, the types'). */
	p = malloc(sizeof(*p) + ((len + 7) & ~(size_t)7) + sizeof(uint32_t) *
	    (h.nr_labels > h.nr_ste_types + h.nr_cw_types ? h.nr_labels :
	    h.nr_ste_types + h.nr_cw_types));
	if (p == NULL)
		return fail(NULL, err, n, "out of memory");
	memcpy(p->blob, buf, len);
	p->order = (uint32_t *)(p->blob + ((len + 7) & ~(size_t)7));
	p->size = len;
	p->h = (const struct acmpol_header *)p->blob;
	p->types = (const struct acmpol_name *)(p->blob + h.types_off);
	p->labels = (const struct acmpol_label *)(p->blob + h.labels_off);
	p->conflicts = (const struct acmpol_conflict *)(p->blob + h.conflicts_off);
	p->words = (unsigned int)((h.nr_ste_types > h.nr_cw_types ? h.nr_ste_types :
	    h.nr_cw_types) + 63) / 64;
	for (i = 0; i < h.nr_ste_types + h.nr_cw_types; i++)
		if (!name_ok(p->types[i].s))
			return fail(p, err, n, "type %u: name missing or not terminated", i);
	if (!unique_names(p->types, h.nr_ste_types, p->order) ||
	    !unique_names(p->types + h.nr_ste_types, h.nr_cw_types, p->order))
		return fail(p, err, n, "a type is declared twice");
	for (i = 0; i < h.nr_conflicts; i++)
		if (!terminated(p->conflicts[i].name) ||
		    !within(p->conflicts[i].cw, h.nr_cw_types))
			return fail(p, err, n, "conflict set %u uses undeclared types", i);
	return check_labels(p, err, n);
}

void acmpol_free(struct acmpol *p)
{
	free(p);
}

void *acmpol_encode(const struct acmpol_header *h, const struct acmpol_name *types,
    const struct acmpol_label *labels, const struct acmpol_conflict *conflicts,
    size_t *len)
{
	size_t ntypes = (size_t)h->nr_ste_types + h->nr_cw_types;
	size_t size = sizeof(*h) + ntypes * sizeof(*types) +
	    (size_t)h->nr_labels * sizeof(*labels) +
	    (size_t)h->nr_conflicts * sizeof(*conflicts);
	struct acmpol_header *out;
	uint8_t *b;

	if (size > ACMPOL_MAX_SIZE || (b = calloc(1, size)) == NULL)
		return NULL;
	out = (struct acmpol_header *)b;
	*out = *h;
	out->magic = ACMPOL_MAGIC;
	out->version = ACMPOL_VERSION;
	out->size = (uint32_t)size;
	out->types_off = sizeof(*h);
	out->labels_off = out->types_off + (uint32_t)(ntypes * sizeof(*types));
	out->conflicts_off = out->labels_off + h->nr_labels * (uint32_t)sizeof(*labels);
	if (ntypes > 0)
		memcpy(b + out->types_off, types, ntypes * sizeof(*types));
	if (h->nr_labels > 0)
		memcpy(b + out->labels_off, labels, h->nr_labels * sizeof(*labels));
	if (h->nr_conflicts > 0)
		memcpy(b + out->conflicts_off, conflicts, h->nr_conflicts * sizeof(*conflicts));
	out->crc32 = (uint32_t)crc32(0, b + sizeof(*h), (uInt)(size - sizeof(*h)));
	*len = size;
	return b;
}

int acmpol_label(const struct acmpol *p, const char *name, enum acmpol_kind kind)
{
	uint32_t lo = 0, hi = p->h->nr_labels;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct acmpol_label *l = &p->labels[p->order[mid]];
		int c = l->kind != (uint32_t)kind ? (l->kind < (uint32_t)kind ? -1 : 1) :
		    strcmp(l->name, name);

		if (c == 0)
			return (int)p->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

bool acmpol_ste_share(const struct acmpol *p, unsigned int i, unsigned int j)
{
	unsigned int w;

	for (w = 0; w < p->words; w++)
		if (p->labels[i].ste[w] & p->labels[j].ste[w])
			return true;
	return false;
}

const char *acmpol_ste_name(const struct acmpol *p, unsigned int type)
{
	return type < p->h->nr_ste_types ? p->types[type].s : "?";
}

const char *acmpol_cw_name(const struct acmpol *p, unsigned int type)
{
	return type < p->h->nr_cw_types ? p->types[p->h->nr_ste_types + type].s : "?";
}
