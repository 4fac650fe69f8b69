/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An HVM guest's costs against the host's own, measured in the same run:
 * hvmtest's null hypercall (xen_version through the page its MSR
 * installed, an "out" from ring 0) against a bare VM's "out" exit from
 * ring 0, and hvmtest's instruction rate (a dec/jnz loop, in ring 0)
 * against the same loop in a bare ring-0 VM. On kvm-pvm hosts ring 0 is
 * emulated instruction by instruction; on VT-x/SVM both run natively.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "../hypervisor/hv.h"
#include "benchlib.h"

struct hv hv;

#define ROUNDS 5

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000, loops = 200000;
	double exit0[ROUNDS], insn0[ROUNDS], hc[ROUNDS], insn[ROUNDS];
	double e, i0, h, g;
	struct palctl c;
	int i;

	bench_kvm_open();
	bench_connect(&c);
	for (i = 0; i < ROUNDS; i++) {
		exit0[i] = bench_cpl0_exit_us(n);
		insn0[i] = bench_cpl0_insn_ns(loops);
		hc[i] = bench_suite_delta_s(&c, true, "bench-hypercall", n) * 1e6 / n;
		insn[i] = bench_suite_delta_s(&c, true, "bench-insn", loops) * 1e9 / (2.0 * loops);
	}
	e = bench_median(exit0, ROUNDS);
	i0 = bench_median(insn0, ROUNDS);
	h = bench_median(hc, ROUNDS);
	g = bench_median(insn, ROUNDS);
	printf("ring-0 out exit, bare VM (limit): %8.2f us  (median of %d)\n", e, ROUNDS);
	printf("HVM null hypercall round trip:    %8.2f us\n", h);
	printf("ring-0 instruction, bare VM:      %8.1f ns  (%.2f M/s)\n", i0, 1e3 / i0);
	printf("HVM guest instruction:            %8.1f ns  (%.2f M/s, ratio %.2f)\n", g,
	    1e3 / g, g / i0);
	printf("ratio: %.2f\n", h / e);
	return 0;
}
