/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest's start of day: what start_info says, then the suites. */
#include "pvtest.h"
#include "hypercall.h"
#include "suites.h"

start_info_t *start_info;
shared_info_t *shared_info;

void pvtest_main(start_info_t *si);
void pvtest_main(start_info_t *si)
{
	start_info = si;
	shared_info = NULL;
	console_init();
	mm_init();
	printk("pvtest: booted on %s, %lu pages, cmdline '%s'\n", si->magic,
	    si->nr_pages, (const char *)si->cmd_line);
	suites_run("pvtest");
}
