/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channel ping-pong between two guests (pvtest "evtping"): the
 * client's round trip, as it measures it with PV time, against two raw
 * CPL3 exits measured in this run (a round trip is at least a send
 * hypercall on each side). Domain ids are handed out in order, so a
 * throwaway domain tells which ids the two guests will get.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hypervisor/hv.h"
#include "../hypervisor/kvm.h"
#include "benchlib.h"

#define PINGS 2000
#define ROUNDS 3

struct hv hv;

int main(void)
{
	struct pal_domain probe, srv, cli;
	double raw[ROUNDS], r, rt;
	char cmd[128], line[256];
	struct palctl c;
	unsigned long ns;
	unsigned int port;
	int i;

	bench_kvm_open();
	bench_connect(&c);
	for (i = 0; i < ROUNDS; i++)
		raw[i] = bench_raw_exit_us(10000);
	bench_domain(&c, "evprobe", 16, "suite=idle", &probe);
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, probe.domid, 0);
	snprintf(cmd, sizeof(cmd), "suite=evtping role=server peer=%u count=%d",
	    probe.domid + 2, PINGS);
	bench_domain(&c, "evserver", 32, cmd, &srv);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, srv.domid, 0);
	if (bench_console_wait("evserver", "evtping: listening on port ", line,
	    sizeof(line), 30) < 0 || sscanf(line, "evtping: listening on port %u",
	    &port) != 1) {
		fprintf(stderr, "bench: the server did not listen\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "suite=evtping role=client peer=%u port=%u count=%d",
	    srv.domid, port, PINGS);
	bench_domain(&c, "evclient", 32, cmd, &cli);
	if (cli.domid != probe.domid + 2) {
		fprintf(stderr, "bench: the client is d%u, not d%u\n", cli.domid,
		    probe.domid + 2);
		return 1;
	}
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, cli.domid, 0);
	if (bench_console_wait("evclient", "evtping: round trip ", line, sizeof(line),
	    120) < 0 || sscanf(line, "evtping: round trip %lu ns", &ns) != 1) {
		fprintf(stderr, "bench: no round trip from the client\n");
		return 1;
	}
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, cli.domid, 0);
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, srv.domid, 0);
	r = bench_median(raw, ROUNDS);
	rt = ns / 1000.0;
	printf("two raw CPL3 exits (limit):    %8.2f us  (median of %d)\n", 2 * r, ROUNDS);
	printf("guest-to-guest ping-pong:      %8.2f us  (%d round trips)\n", rt, PINGS);
	printf("ratio: %.2f\n", rt / (2 * r));
	return 0;
}
