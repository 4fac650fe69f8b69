/* SPDX-License-Identifier: GPL-2.0-only */
/* For the benchmarks that run VMs: /dev/kvm, and the limit most of them
 * measure beside their figure, a loop of "out" at CPL3 in a bare VM, one
 * exit per iteration (kvm-probe's method). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hypervisor/hv.h"
#include "../hypervisor/kvm.h"
#include "../hypervisor/tinyvm.h"
#include "benchlib.h"

double bench_raw_exit_us(long n)
{
	uint8_t code[32];
	struct tinyvm t;
	double t0, t1;
	long exits = 0;
	int i = 0;

	code[i++] = 0x48; code[i++] = 0xb9;		/* mov $n, %rcx */
	memcpy(code + i, &n, 8); i += 8;
	code[i++] = 0xe6; code[i++] = 0x10;		/* 1: out %al, $0x10 */
	code[i++] = 0x48; code[i++] = 0xff; code[i++] = 0xc9;	/* dec %rcx */
	code[i++] = 0x75; code[i++] = 0xf7;		/* jnz 1b */
	code[i++] = 0xe6; code[i++] = 0x11;		/* out %al, $0x11 */
	if (tinyvm_create(&t, code, i) < 0) {
		fprintf(stderr, "bench: cannot create a VM\n");
		exit(1);
	}
	t0 = bench_now();
	for (;;) {
		if (kvm_run(&t.v) < 0 || t.v.run->exit_reason != KVM_EXIT_IO)
			break;
		if (t.v.run->io.port == 0x11)
			break;
		exits++;
	}
	t1 = bench_now();
	tinyvm_destroy(&t);
	if (exits != n) {
		fprintf(stderr, "bench: raw loop made %ld exits, not %ld\n", exits, n);
		exit(1);
	}
	return (t1 - t0) * 1e6 / n;
}

void bench_kvm_open(void)
{
	hv.kvm_fd = kvm_open();
	if (hv.kvm_fd < 0) {
		fprintf(stderr, "bench: /dev/kvm is not usable here\n");
		exit(77);
	}
}
