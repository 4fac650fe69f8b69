/* SPDX-License-Identifier: GPL-2.0-only */
/* Loops for the host-side benchmarks: count=N operations, nothing printed. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

static unsigned long bench_count(void)
{
	const char *s = cmdline_get("count");

	return s != NULL ? strtoul(s, NULL, 0) : 1000;
}

void suite_bench_hypercall(void)
{
	unsigned long i, n = bench_count();

	for (i = 0; i < n; i++)
		hv_xen_version(XENVER_version, NULL);
}

void suite_bench_trap(void)
{
	unsigned long i, n = bench_count();

	traps_init();
	for (i = 0; i < n; i++)
		asm volatile("int3" ::: "memory");
}
