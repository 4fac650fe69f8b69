/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channel ping-pong (pvtest "evtping") against two raw CPL3 exits
 * measured in this run, a round trip being at least one send hypercall on
 * each side:
 *   - guest to guest, both blocking for upcalls (what most guests do);
 *   - guest to guest, both polling the pending bit (mode=poll): the cost of
 *     event delivery itself;
 *   - guest to a dom0 process (libpalctl's eventfds), the guest polling.
 * The closing ratio is the worse of the two polled ones. Domain ids are
 * handed out in order, so a throwaway domain tells which id comes next.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "palisade/util.h"
#include "../hypervisor/hv.h"
#include "../hypervisor/kvm.h"
#include "benchlib.h"

#define PINGS 2000
#define ROUNDS 3

struct hv hv;

static uint32_t next_domid(struct palctl *c)
{
	struct pal_domain probe;

	bench_domain(c, "evprobe", 16, "suite=idle", &probe);
	palctl_domid_op(c, CTL_DOMAIN_DESTROY, probe.domid, 0);
	return probe.domid + 1;
}

/* Start an evtping server for peer; returns its port. Each run has names
 * of its own, as console logs outlive their domains. */
static unsigned int server(struct palctl *c, const char *name, uint32_t peer,
    const char *mode, struct pal_domain *srv)
{
	char cmd[160], line[256];
	unsigned int port;

	snprintf(cmd, sizeof(cmd), "suite=evtping role=server peer=%u count=%d mode=%s",
	    peer, PINGS, mode);
	bench_domain(c, name, 32, cmd, srv);
	palctl_domid_op(c, CTL_DOMAIN_UNPAUSE, srv->domid, 0);
	if (bench_console_wait(name, "evtping: listening on port ", line,
	    sizeof(line), 30) < 0 || sscanf(line, "evtping: listening on port %u",
	    &port) != 1) {
		fprintf(stderr, "bench: the server did not listen\n");
		exit(1);
	}
	return port;
}

/* Two guests; the client's round trip in us, and the exits both took
 * per round trip (boot included, a few hundred in all). */
static double guest_pair(struct palctl *c, const char *mode, double *exits)
{
	struct ctl_domain_info si, ci;
	struct pal_domain srv, cli;
	uint32_t first = next_domid(c);
	char cmd[160], line[256], sname[32], cname[32];
	unsigned int port;
	unsigned long ns;

	snprintf(sname, sizeof(sname), "evserver-%s", mode);
	snprintf(cname, sizeof(cname), "evclient-%s", mode);
	port = server(c, sname, first + 1, mode, &srv);
	snprintf(cmd, sizeof(cmd), "suite=evtping role=client peer=%u port=%u count=%d mode=%s",
	    srv.domid, port, PINGS, mode);
	bench_domain(c, cname, 32, cmd, &cli);
	if (cli.domid != first + 1) {
		fprintf(stderr, "bench: the client is d%u, not d%u\n", cli.domid, first + 1);
		exit(1);
	}
	palctl_domid_op(c, CTL_DOMAIN_UNPAUSE, cli.domid, 0);
	if (bench_console_wait(cname, "evtping: round trip ", line, sizeof(line),
	    120) < 0 || sscanf(line, "evtping: round trip %lu ns", &ns) != 1) {
		fprintf(stderr, "bench: no round trip from the client\n");
		exit(1);
	}
	*exits = 0;
	if (palctl_domain_info(c, cli.domid, &ci) == 0 &&
	    palctl_domain_info(c, srv.domid, &si) == 0)
		*exits = (double)(ci.exits + si.exits) / PINGS;
	palctl_domid_op(c, CTL_DOMAIN_DESTROY, cli.domid, 0);
	palctl_domid_op(c, CTL_DOMAIN_DESTROY, srv.domid, 0);
	return ns / 1000.0;
}

/* A polling guest and this process; our round trip in us. */
static double guest_dom0(struct palctl *c)
{
	struct palctl_evtchn e;
	struct pal_domain srv;
	unsigned int port = server(c, "evserver-dom0", 0, "poll", &srv);
	double t0, t;
	int i, ret;

	ret = palctl_evtchn_bind(c, srv.domid, port, &e);
	if (ret != 0) {
		fprintf(stderr, "bench: cannot bind to d%u port %u: %s\n", srv.domid,
		    port, palctl_strerror(ret));
		exit(1);
	}
	t0 = bench_now();
	for (i = 0; i < PINGS; i++)
		if (palctl_evtchn_notify(&e) != 0 || palctl_evtchn_wait(&e, 10000) <= 0) {
			fprintf(stderr, "bench: ping %d not answered\n", i);
			exit(1);
		}
	t = (bench_now() - t0) / PINGS * 1e6;
	palctl_evtchn_unbind(c, &e);
	palctl_domid_op(c, CTL_DOMAIN_DESTROY, srv.domid, 0);
	return t;
}

int main(void)
{
	double raw[ROUNDS], r, blocking, polled, dom0, bx, px;
	struct palctl c;
	int i;

	bench_kvm_open();
	bench_connect(&c);
	for (i = 0; i < ROUNDS; i++)
		raw[i] = bench_raw_exit_us(10000);
	r = 2 * bench_median(raw, ROUNDS);
	blocking = guest_pair(&c, "block", &bx);
	polled = guest_pair(&c, "poll", &px);
	dom0 = guest_dom0(&c);
	printf("two raw CPL3 exits (limit):        %8.2f us  (median of %d)\n", r, ROUNDS);
	printf("guest-to-guest, blocking guests:   %8.2f us  (%d round trips, %.2fx, %.1f exits each)\n",
	    blocking, PINGS, blocking / r, bx);
	printf("guest-to-guest, polling guests:    %8.2f us  (%d round trips, %.2fx, %.1f exits each)\n",
	    polled, PINGS, polled / r, px);
	printf("guest-to-dom0, polling guest:      %8.2f us  (%d round trips, %.2fx)\n",
	    dom0, PINGS, dom0 / r);
	printf("ratio: %.2f\n", (polled > dom0 ? polled : dom0) / r);
	return 0;
}
