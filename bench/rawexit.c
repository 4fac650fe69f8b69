/* SPDX-License-Identifier: GPL-2.0-only */
/* For the benchmarks that run VMs: /dev/kvm, and the limits they measure
 * beside their figures, kvm-probe's way: a loop of "out" in a bare VM, one
 * exit per iteration, at CPL3 or CPL0, and a bare loop at CPL0 (every
 * instruction emulated on kvm-pvm hosts). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hypervisor/hv.h"
#include "../hypervisor/kvm.h"
#include "../hypervisor/tinyvm.h"
#include "benchlib.h"

/* n rounds of a loop in a bare VM at cpl (3, or 0: emulated on kvm-pvm),
 * with an "out" per round or without: seconds, and exits counted. */
static double tiny_loop(int cpl, long n, bool with_out, long *exits)
{
	uint8_t code[32];
	struct tinyvm t;
	double t0, t1;
	int i = 0;

	code[i++] = 0x48; code[i++] = 0xb9;		/* mov $n, %rcx */
	memcpy(code + i, &n, 8); i += 8;
	if (with_out) {
		code[i++] = 0xe6; code[i++] = 0x10;	/* 1: out %al, $0x10 */
	}
	code[i++] = 0x48; code[i++] = 0xff; code[i++] = 0xc9;	/* dec %rcx */
	code[i++] = 0x75; code[i++] = with_out ? 0xf7 : 0xfb;	/* jnz 1b */
	code[i++] = 0xe6; code[i++] = 0x11;		/* out %al, $0x11 */
	if (tinyvm_create(&t, code, i) < 0 || (cpl == 0 && tinyvm_ring0(&t) < 0)) {
		fprintf(stderr, "bench: cannot create a VM\n");
		exit(1);
	}
	*exits = 0;
	t0 = bench_now();
	for (;;) {
		if (kvm_run(&t.v) < 0 || t.v.run->exit_reason != KVM_EXIT_IO)
			break;
		if (t.v.run->io.port == 0x11)
			break;
		(*exits)++;
	}
	t1 = bench_now();
	tinyvm_destroy(&t);
	return t1 - t0;
}

static double exit_us(int cpl, long n)
{
	long exits;
	double t = tiny_loop(cpl, n, true, &exits);

	if (exits != n) {
		fprintf(stderr, "bench: raw loop made %ld exits, not %ld\n", exits, n);
		exit(1);
	}
	return t * 1e6 / n;
}

double bench_raw_exit_us(long n)
{
	return exit_us(3, n);
}

double bench_cpl0_exit_us(long n)
{
	return exit_us(0, n);
}

/* Two instructions a round (dec, jnz). */
double bench_cpl0_insn_ns(long n)
{
	long exits;

	return tiny_loop(0, n, false, &exits) * 1e9 / (2.0 * n);
}

void bench_kvm_open(void)
{
	hv.kvm_fd = kvm_open();
	if (hv.kvm_fd < 0) {
		fprintf(stderr, "bench: /dev/kvm is not usable here\n");
		exit(77);
	}
}
