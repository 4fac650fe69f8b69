/* SPDX-License-Identifier: GPL-2.0-only */
/* Grant entries for the frontends: dom0 gets our pages by reference. */
#include "pvtest.h"
#include "suites.h"
#include "gntalloc.h"

#define GNT_FIRST 8			/* below: the toolstack's and the suites' */
#define GNT_COUNT (GRANT_FRAMES_MAX * 512)

static volatile grant_entry_v1_t *gt;
static grant_ref_t gfree[GNT_COUNT];
static unsigned int ngfree;

static void grants_init(void)
{
	unsigned int i;

	if (gt != NULL)
		return;
	gt = grant_table_frames(GRANT_FRAMES_MAX);
	if (gt == NULL) {
		printk("pvtest: no grant table\n");
		poweroff(SHUTDOWN_crash);
	}
	for (i = GNT_COUNT; i-- > GNT_FIRST;)
		gfree[ngfree++] = (grant_ref_t)i;
}

unsigned int gnt_left(void)
{
	grants_init();
	return ngfree;
}

grant_ref_t gnt_page(unsigned long pfn, bool readonly)
{
	grant_ref_t ref;

	grants_init();
	if (ngfree == 0) {
		printk("pvtest: out of grant entries\n");
		poweroff(SHUTDOWN_crash);
	}
	ref = gfree[--ngfree];
	grant_offer(&gt[ref], 0, pfn, readonly ? GTF_readonly : 0);
	return ref;
}

/* Ended only when dom0 is not using it (copies are done when the
 * response comes; a mapping would show as reading/writing). */
void gnt_end(grant_ref_t ref)
{
	uint16_t flags;

	for (;;) {
		flags = gt[ref].flags;
		if (flags & (GTF_reading | GTF_writing))
			continue;
		if (__atomic_compare_exchange_n(&gt[ref].flags, &flags, 0, false,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	gfree[ngfree++] = ref;
}
