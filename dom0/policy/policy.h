/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0's policy manager library: the compiler from XML sHype/ACM policies
 * (docs/policy.md) to the binary the hypervisor loads (palisade/acmpol.h).
 * Resource labels are libpalctl's (labeldb.c): backends read them too.
 */
#ifndef PALISADE_POLICY_H
#define PALISADE_POLICY_H

#include <stddef.h>

#include "palisade/acmpol.h"

#define POLICY_MAX_XML (16u << 20)	/* bytes of XML we read */

/* Compile the XML in xml (size bytes; name is what messages call it): the
 * binary policy (malloc'ed, *len bytes), or NULL and err holding
 * "NAME:LINE: what is wrong". */
void *policy_compile(const char *name, const char *xml, size_t size, size_t *len,
    char *err, size_t n);
void *policy_compile_file(const char *path, size_t *len, char *err, size_t n);

#endif
