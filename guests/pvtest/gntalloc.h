/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest's grant entries for its frontends (gntalloc.c). */
#ifndef PVTEST_GNTALLOC_H
#define PVTEST_GNTALLOC_H

#include "pvtest.h"

/* The reference of one of our pages, granted to dom0 (read-only or not). */
grant_ref_t gnt_page(unsigned long pfn, bool readonly);
/* Take it back (waiting while dom0 is in the middle of a copy). */
void gnt_end(grant_ref_t ref);
unsigned int gnt_left(void);		/* entries still free */

#endif
