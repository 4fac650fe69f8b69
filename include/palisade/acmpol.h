/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The binary sHype/ACM policy, as dom0's policy compiler writes it and the
 * hypervisor loads it: a header, the type names, the labels and the
 * Chinese Wall conflict sets, little-endian, every offset 8-byte aligned.
 * Neither side trusts a blob it is handed: acmpol_decode checks every
 * length, offset, count, name and bit before anything is used.
 *
 * Simple Type Enforcement: two domains may share (grants, event channels,
 * each other's store nodes), and a domain may use a resource, only if
 * their labels have an STE type in common. Chinese Wall: a domain may not
 * run while a running domain holds a different type of one of its
 * conflict sets. dom0 runs under the bootstrap label.
 */
#ifndef PALISADE_ACMPOL_H
#define PALISADE_ACMPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACMPOL_MAGIC		0x4d434150u	/* "PACM" */
#define ACMPOL_VERSION		2
#define ACMPOL_MAX_TYPES	1024	/* STE types; and Chinese Wall types */
#define ACMPOL_TYPE_WORDS	(ACMPOL_MAX_TYPES / 64)
#define ACMPOL_MAX_LABELS	2048	/* VM and resource labels together */
#define ACMPOL_MAX_CONFLICTS	256
#define ACMPOL_MAX_SIZE		(4u << 20)
#define ACMPOL_NAME_LEN		64	/* NUL-terminated within */
#define ACMPOL_UNLABELED	"__UNLABELED__"	/* what the unlabelled get */

enum acmpol_flags {
	ACMPOL_HAS_FROM = 1u << 0,	/* from_*: the policy this one updates */
	ACMPOL_STE_PRIMARY = 1u << 1,	/* priority="PrimaryPolicyComponent" */
	ACMPOL_CW_PRIMARY = 1u << 2,
};

enum acmpol_kind { ACMPOL_VM = 0, ACMPOL_RESOURCE = 1 };

struct acmpol_header {
	uint32_t magic;
	uint32_t version;
	uint32_t size;			/* of the whole policy */
	uint32_t crc32;			/* zlib crc32 of everything after the header */
	uint32_t nr_ste_types;
	uint32_t nr_cw_types;
	uint32_t nr_labels;
	uint32_t nr_conflicts;
	uint32_t types_off;		/* nr_ste_types names, then nr_cw_types */
	uint32_t labels_off;
	uint32_t conflicts_off;
	uint32_t bootstrap;		/* dom0's label: the index of a VM label */
	uint32_t flags;			/* enum acmpol_flags */
	uint16_t major, minor;		/* the policy's version */
	uint16_t from_major, from_minor;
	uint32_t pad;
	char name[ACMPOL_NAME_LEN];
	char from_name[ACMPOL_NAME_LEN];
};

struct acmpol_name {
	char s[ACMPOL_NAME_LEN];
};

struct acmpol_label {
	char name[ACMPOL_NAME_LEN];
	char from[ACMPOL_NAME_LEN];	/* its name in the policy this one updates */
	uint32_t kind;			/* enum acmpol_kind */
	uint32_t pad;
	uint64_t ste[ACMPOL_TYPE_WORDS];	/* bit i: STE type i */
	uint64_t cw[ACMPOL_TYPE_WORDS];		/* Chinese Wall types (VM labels) */
};

struct acmpol_conflict {
	char name[ACMPOL_NAME_LEN];
	uint64_t cw[ACMPOL_TYPE_WORDS];	/* types that may not run together */
};

/* A checked policy: its own copy of the blob, and where the parts are. */
struct acmpol {
	const struct acmpol_header *h;
	const struct acmpol_name *types;	/* STE types, then CW types */
	const struct acmpol_label *labels;
	const struct acmpol_conflict *conflicts;
	size_t size;
	unsigned int words;		/* bitmap words in use: types / 64, rounded up */
	uint32_t *order;		/* label indices sorted by kind, then name */
	uint8_t blob[] __attribute__((aligned(8)));
};

/* Check len bytes at buf; a copy of them on success (acmpol_free), or
 * NULL with err saying what is wrong. */
struct acmpol *acmpol_decode(const void *buf, size_t len, char *err, size_t n);
void acmpol_free(struct acmpol *p);

/* Lay out a policy: the header's counts, name, version, flags and bootstrap
 * as given (offsets, size and checksum are filled in). A malloc'ed blob
 * and its size in *len, or NULL when it would exceed ACMPOL_MAX_SIZE. */
void *acmpol_encode(const struct acmpol_header *h, const struct acmpol_name *types,
    const struct acmpol_label *labels, const struct acmpol_conflict *conflicts,
    size_t *len);

/* The index of the label called name of that kind, or -1. */
int acmpol_label(const struct acmpol *p, const char *name, enum acmpol_kind kind);
/* Do labels i and j have an STE type in common? */
bool acmpol_ste_share(const struct acmpol *p, unsigned int i, unsigned int j);
const char *acmpol_ste_name(const struct acmpol *p, unsigned int type);
const char *acmpol_cw_name(const struct acmpol *p, unsigned int type);

static inline bool acmpol_bit(const uint64_t *map, unsigned int i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

static inline void acmpol_set(uint64_t *map, unsigned int i)
{
	map[i / 64] |= 1ull << (i % 64);
}

#endif
