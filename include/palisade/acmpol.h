/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The binary sHype/ACM policy, as dom0 hands it to the hypervisor: a
 * header, an array of labels and an array of Chinese Wall conflict sets,
 * little-endian, every offset 8-byte aligned. The hypervisor trusts none
 * of it: xsm/acm_policy.c checks every length, offset, count, name and bit
 * before the policy is used.
 *
 * Simple Type Enforcement: two domains may share (grants, event channels)
 * only if their labels have an STE type in common. Chinese Wall: a domain
 * may not be created while a running domain holds a different type of the
 * same conflict set.
 */
#ifndef PALISADE_ACMPOL_H
#define PALISADE_ACMPOL_H

#include <stdint.h>

#define ACMPOL_MAGIC		0x4d434150u	/* "PACM" */
#define ACMPOL_VERSION		1
#define ACMPOL_MAX_TYPES	64	/* of each kind: one bit each */
#define ACMPOL_MAX_LABELS	256
#define ACMPOL_MAX_CONFLICTS	64
#define ACMPOL_MAX_SIZE		(1u << 20)
#define ACMPOL_NAME_LEN		32	/* NUL-terminated within */

struct acmpol_header {
	uint32_t magic;
	uint32_t version;
	uint32_t size;			/* of the whole policy */
	uint32_t crc32;			/* zlib crc32 of everything after the header */
	uint32_t nr_ste_types;
	uint32_t nr_cw_types;
	uint32_t nr_labels;
	uint32_t nr_conflicts;
	uint32_t labels_off;
	uint32_t conflicts_off;
	char name[ACMPOL_NAME_LEN];
};

struct acmpol_label {
	char name[ACMPOL_NAME_LEN];
	uint64_t ste;			/* STE types, bit i = type i */
	uint64_t cw;			/* Chinese Wall types */
};

struct acmpol_conflict {
	uint64_t cw;			/* types that may not run together */
};

#endif
