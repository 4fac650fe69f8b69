/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypervisor memory per domain beyond guest RAM: palisade-hv's anonymous
 * memory (heap, vCPU threads) and its private frames, measured from
 * /proc before and after 50 idle 16 MiB domains, against the 2 MiB target.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/util.h"
#include "benchlib.h"

#define N 50

static long status_kb(int pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = atol(line + strlen(field) + 1);
	fclose(f);
	return v;
}

int main(void)
{
	struct pal_domain pd[N];
	struct palctl c;
	long anon0, anon1, shm0, shm1, guest_kb;
	int pid = pidfile_read("palisade-hv"), i;
	char name[32];

	if (pid <= 0) {
		fprintf(stderr, "bench: palisade-hv is not running\n");
		return 1;
	}
	bench_connect(&c);
	anon0 = status_kb(pid, "RssAnon:");
	shm0 = status_kb(pid, "RssShmem:");
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "mem%d", i);
		bench_domain(&c, name, 16, "suite=idle", &pd[i]);
		palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, pd[i].domid, 0);
	}
	anon1 = status_kb(pid, "RssAnon:");
	shm1 = status_kb(pid, "RssShmem:");
	/* What the builder wrote into each guest: the bootstrap region. */
	guest_kb = 4096;
	for (i = 0; i < N; i++)
		palctl_domid_op(&c, CTL_DOMAIN_DESTROY, pd[i].domid, 0);
	printf("target per domain (limit):        %8d KiB\n", 2048);
	printf("anonymous memory per domain:      %8ld KiB\n", (anon1 - anon0) / N);
	printf("shared memory per domain:         %8ld KiB (guest RAM touched + private "
	    "frames, at most %ld KiB of it guest bootstrap)\n", (shm1 - shm0) / N, guest_kb);
	printf("ratio: %.2f\n", (double)(anon1 - anon0) / N / 2048);
	return 0;
}
