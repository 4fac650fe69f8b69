/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant map + unmap by a dom0 process, as a backend does it at connect and
 * disconnect: palctl_gnt_map, mmap, touch, munmap, palctl_gnt_unmap, on a
 * page a running pvtest guest ("grant" suite) has granted. Each map moves
 * the page into its own memfd with the guest paused, each unmap moves it
 * back. The limit beside it: two control-socket round trips (a request
 * that does nothing), the floor for any map plus unmap over the socket.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/util.h"
#include "benchlib.h"

#define ROUNDS 200
#define REF_RW 8

int main(void)
{
	static double maps[ROUNDS], pings[ROUNDS];
	struct pal_domain pd;
	struct palctl c;
	struct ctl_msg rep;
	uint32_t h;
	double t, ping, map;
	int i, fd;

	bench_connect(&c);
	bench_domain(&c, "granter", 32, "suite=grant", &pd);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, pd.domid, 0);
	if (bench_console_wait("granter", "grant: ready", NULL, 0, 30) < 0) {
		fprintf(stderr, "bench: the guest never offered its grant\n");
		return 1;
	}
	for (i = 0; i < ROUNDS; i++) {
		t = bench_now();
		palctl_call(&c, CTL_XSM_INFO, NULL, 0, &rep, NULL, NULL);
		palctl_call(&c, CTL_XSM_INFO, NULL, 0, &rep, NULL, NULL);
		pings[i] = bench_now() - t;

		t = bench_now();
		fd = palctl_gnt_map(&c, pd.domid, REF_RW, false, &h);
		if (fd < 0) {
			fprintf(stderr, "bench: map: %s\n", palctl_strerror(fd));
			return 1;
		}
		{
			volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);

			close(fd);
			if (p == MAP_FAILED || p[0] != 'h')
				return fprintf(stderr, "bench: wrong page\n"), 1;
			munmap((void *)p, 4096);
		}
		palctl_gnt_unmap(&c, h);
		maps[i] = bench_now() - t;
	}
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, pd.domid, 0);
	ping = bench_median(pings, ROUNDS);
	map = bench_median(maps, ROUNDS);
	printf("two control round trips (limit): %8.1f us  (median of %d)\n", ping * 1e6, ROUNDS);
	printf("grant map + unmap by dom0:       %8.1f us\n", map * 1e6);
	printf("ratio: %.2f\n", map / ping);
	return 0;
}
