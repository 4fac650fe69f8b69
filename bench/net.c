/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-to-guest networking through palnetback and the switch: UDP one
 * way for two seconds with 1472-byte payloads (1514-byte frames) and
 * 18-byte ones (minimum frames): Mbit/s of payload, packets a second and
 * the exits per packet of both guests together; and the ping round trip.
 * Limits measured in the same run: memcpy of the same frames (what a
 * copy of every frame cannot beat) and two raw CPL3 exits (a round
 * trip's floor). Target: 1 Gbit/s at 1500 bytes. ratio: Mbit/s at 1500
 * bytes / 1000.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/util.h"
#include "../hypervisor/hv.h"
#include "benchlib.h"

struct hv hv;		/* the raw-exit probe's tiny VMs use it */

struct flow {
	double mbps, pps, exits_per_pkt;
};

static uint64_t exits_of(struct palctl *c, uint32_t domid)
{
	struct ctl_domain_info info;

	return palctl_domain_info(c, domid, &info) == 0 ? info.exits : 0;
}

static struct flow udp(unsigned int bytes, int round)
{
	char cmd[256], name[2][32], line[256];
	unsigned long long frames = 0, got = 0, us = 1;
	struct pal_domain rx, tx;
	struct palctl c;
	uint64_t e0, e1;
	struct flow f;

	bench_connect(&c);
	snprintf(name[0], sizeof(name[0]), "udprecv%d", round);
	snprintf(name[1], sizeof(name[1]), "udpsend%d", round);
	bench_domain_dev(&c, name[0], 64, "suite=udpbench role=recv ip=10.9.0.1 peer=10.9.0.2",
	    NULL, "mac=00:16:3e:09:00:01, vlan=9", &rx);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, rx.domid, 0);
	if (bench_console_wait(name[0], "net: ready", NULL, 0, 30) < 0)
		exit(1);
	snprintf(cmd, sizeof(cmd), "suite=udpbench role=send ip=10.9.0.2 peer=10.9.0.1 bytes=%u "
	    "seconds=2", bytes);
	bench_domain_dev(&c, name[1], 64, cmd, NULL, "mac=00:16:3e:09:00:02, vlan=9", &tx);
	e0 = exits_of(&c, rx.domid) + exits_of(&c, tx.domid);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, tx.domid, 0);
	if (bench_console_wait(name[1], "udpbench: sent", line, sizeof(line), 60) < 0 ||
	    bench_console_wait(name[0], "udpbench: received", line, sizeof(line), 60) < 0 ||
	    sscanf(line, "udpbench: received %llu frames, %llu bytes in %llu us", &frames, &got,
	    &us) != 3 || us == 0) {
		fprintf(stderr, "bench: no figure from the guests\n");
		exit(1);
	}
	e1 = exits_of(&c, rx.domid) + exits_of(&c, tx.domid);
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, rx.domid, 0);
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, tx.domid, 0);
	palctl_close(&c);
	sleep_ms(500);
	f.mbps = (double)got * 8 / (double)us;
	f.pps = (double)frames * 1e6 / (double)us;
	f.exits_per_pkt = frames ? (double)(e1 - e0) / (double)frames : 0;
	return f;
}

static double ping_us(void)
{
	struct pal_domain a, b;
	struct palctl c;
	char line[256];
	unsigned long long ns = 0, n = 0;

	bench_connect(&c);
	bench_domain_dev(&c, "pingsrv", 32, "suite=net ip=10.9.1.1 seconds=30", NULL,
	    "mac=00:16:3e:09:01:01, vlan=9", &a);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, a.domid, 0);
	bench_console_wait("pingsrv", "net: ready", NULL, 0, 30);
	bench_domain_dev(&c, "pingcli", 32, "suite=net ip=10.9.1.2 peer=10.9.1.1 count=500", NULL,
	    "mac=00:16:3e:09:01:02, vlan=9", &b);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, b.domid, 0);
	if (bench_console_wait("pingcli", "net: ping round trip", line, sizeof(line), 60) < 0 ||
	    sscanf(line, "net: ping round trip %llu ns (%llu pings)", &ns, &n) != 2) {
		fprintf(stderr, "bench: no ping figure\n");
		exit(1);
	}
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, a.domid, 0);
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, b.domid, 0);
	palctl_close(&c);
	sleep_ms(500);
	return (double)ns / 1000.0;
}

/* Copying 1514-byte frames from one buffer ring to another: Mbit/s. */
static double memcpy_mbps(void)
{
	static uint8_t src[256][1514], dst[256][1514];
	double t0 = bench_now(), t;
	uint64_t n = 0;

	do {
		unsigned int i;

		for (i = 0; i < 256; i++)
			memcpy(dst[i], src[(i + n) % 256], sizeof(src[0]));
		n += 256;
		__asm__ volatile("" ::: "memory");
	} while ((t = bench_now() - t0) < 0.5);
	return (double)n * 1514 * 8 / t / 1e6;
}

int main(void)
{
	struct flow big, small;
	double raw, mc, rtt;

	bench_kvm_open();
	raw = bench_raw_exit_us(10000);
	mc = memcpy_mbps();
	big = udp(1472, 0);
	small = udp(18, 1);
	rtt = ping_us();
	printf("memcpy of 1514-byte frames (limit):   %10.0f Mbit/s\n", mc);
	printf("UDP 1500 bytes, guest to guest:       %10.0f Mbit/s  %8.0f packets/s  %.2f exits/packet\n",
	    big.mbps, big.pps, big.exits_per_pkt);
	printf("UDP 64 bytes, guest to guest:         %10.1f Mbit/s  %8.0f packets/s  %.2f exits/packet\n",
	    small.mbps, small.pps, small.exits_per_pkt);
	printf("two raw CPL3 exits (limit):           %10.1f us\n", 2 * raw);
	printf("ping round trip, guest to guest:      %10.1f us  (%.1fx)\n", rtt, rtt / (2 * raw));
	printf("target: 1000 Mbit/s at 1500 bytes: %s\n", big.mbps >= 1000 ? "met" : "NOT met");
	printf("ratio: %.2f\n", big.mbps / 1000);
	return 0;
}
