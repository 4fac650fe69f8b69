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
#include "../hypervisor/tinyvm.h"
#include "benchlib.h"

struct hv hv;

static double raw_exit_us(long n)
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

/* Guest time for count operations, minus the same guest's boot with none. */
static double guest_op_us(struct palctl *c, const char *suite, long count)
{
	struct pal_domain pd;
	char cmd[128];
	double full, empty;

	snprintf(cmd, sizeof(cmd), "suite=%s count=%ld", suite, count);
	bench_domain(c, "bench", 32, cmd, &pd);
	full = bench_run_to_shutdown(c, pd.domid);
	snprintf(cmd, sizeof(cmd), "suite=%s count=0", suite);
	bench_domain(c, "bench0", 32, cmd, &pd);
	empty = bench_run_to_shutdown(c, pd.domid);
	return (full - empty) * 1e6 / count;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

#define ROUNDS 5

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	double raw[ROUNDS], hc[ROUNDS], trap[ROUNDS], r, h, t;
	struct palctl c;
	int i;

	hv.kvm_fd = kvm_open();
	if (hv.kvm_fd < 0) {
		fprintf(stderr, "bench: /dev/kvm is not usable here\n");
		return 77;
	}
	bench_connect(&c);
	/* Interleaved rounds, medians: exit costs drift on a busy host. */
	for (i = 0; i < ROUNDS; i++) {
		raw[i] = raw_exit_us(n);
		hc[i] = guest_op_us(&c, "bench-hypercall", n);
		trap[i] = guest_op_us(&c, "bench-trap", n / 4);
	}
	r = median(raw, ROUNDS);
	h = median(hc, ROUNDS);
	t = median(trap, ROUNDS);
	printf("raw CPL3 exit (limit):            %8.2f us  (median of %d)\n", r, ROUNDS);
	printf("null hypercall round trip:        %8.2f us\n", h);
	printf("int3 bounce + iret (2 exits):     %8.2f us  (%.2f per exit)\n", t, t / 2);
	printf("ratio: %.2f\n", h / r);
	return 0;
}
