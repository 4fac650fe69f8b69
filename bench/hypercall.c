/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The null hypercall (xen_version) and a trap bounce (int3 through the trap
 * table and back with HYPERVISOR_iret), from a pvtest guest, against the
 * raw cost of a CPL3 exit measured in this run (kvm-probe's method: a loop
 * of "out" at CPL3 in a bare VM).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hypervisor/hv.h"
#include "../hypervisor/kvm.h"
#include "benchlib.h"

struct hv hv;

/* Guest time per operation. */
static double guest_op_us(struct palctl *c, const char *suite, long count)
{
	return bench_suite_delta_s(c, false, suite, count) * 1e6 / count;
}

#define ROUNDS 5

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	double raw[ROUNDS], hc[ROUNDS], trap[ROUNDS], r, h, t;
	struct palctl c;
	int i;

	bench_kvm_open();
	bench_connect(&c);
	/* Interleaved rounds, medians: exit costs drift on a busy host. */
	for (i = 0; i < ROUNDS; i++) {
		raw[i] = bench_raw_exit_us(n);
		hc[i] = guest_op_us(&c, "bench-hypercall", n);
		trap[i] = guest_op_us(&c, "bench-trap", n / 4);
	}
	r = bench_median(raw, ROUNDS);
	h = bench_median(hc, ROUNDS);
	t = bench_median(trap, ROUNDS);
	printf("raw CPL3 exit (limit):            %8.2f us  (median of %d)\n", r, ROUNDS);
	printf("null hypercall round trip:        %8.2f us\n", h);
	printf("int3 bounce + iret (2 exits):     %8.2f us  (%.2f per exit)\n", t, t / 2);
	printf("ratio: %.2f\n", h / r);
	return 0;
}
