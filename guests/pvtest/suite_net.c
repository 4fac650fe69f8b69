/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Networking over netfront, just enough to test the backend and the
 * switch: ARP (answering and asking), IPv4, ICMP echo (both ways) and UDP.
 *   suite=net ip=A [peer=B count=N] [seconds=S] [spoof=1]
 * answers ARP and pings for A; with peer=, pings B count times and
 * checks the replies (expect=0: checks that none come); for seconds=S
 * it keeps answering afterwards. spoof=1 sends its pings from a forged
 * MAC (the switch must drop them).
 *   suite=netflood: hostile transmit requests, then a working ping.
 *   suite=udpbench ip=A peer=B bytes=N seconds=S role=send|recv
 */
#include "netfront.h"
#include "arch.h"
#include "suites.h"

#define ETH_ARP 0x0806
#define ETH_IP 0x0800

static struct netf nf;
static uint32_t my_ip;
static uint8_t peer_mac[6];
static bool peer_known;
static uint8_t src_mac[6];
static uint64_t udp_bytes, udp_frames;

/* "A.B.C.D": the address, 0 if it is not one. */
static uint32_t parse_ip(const char *s)
{
	uint32_t ip = 0;
	unsigned int part, v;

	for (part = 0; s != NULL && part < 4; part++) {
		if (*s < '0' || *s > '9')
			return 0;
		for (v = 0; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (unsigned int)(*s - '0');
		if (v > 255 || (part < 3 && *s++ != '.') || (part == 3 && *s != '\0' && *s != ' '))
			return 0;
		ip = ip << 8 | v;
	}
	return s != NULL ? ip : 0;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src_mac, 6);
	put16(f + 12, type);
	return 14;
}

static void arp_send(uint16_t op, const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[60] = { 0 }, *a = f + 14;

	eth(f, op == 1 ? bcast : tha, ETH_ARP);
	put16(a, 1);
	put16(a + 2, ETH_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, src_mac, 6);
	put32(a + 14, my_ip);
	memcpy(a + 18, op == 1 ? (const uint8_t[6]){ 0 } : tha, 6);
	put32(a + 24, tpa);
	netf_send(&nf, f, sizeof(f));
}

/* An IPv4 packet to dst (MAC dmac) carrying payload of proto. */
static void ip_send(const uint8_t *dmac, uint32_t dst, uint8_t proto, const uint8_t *payload,
    size_t len)
{
	static uint16_t ident;
	uint8_t f[NETF_MTU_FRAME];
	size_t h = eth(f, dmac, ETH_IP);
	uint8_t *ip = f + h;

	if (len > NETF_MTU_FRAME - 14 - 20)
		return;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + len));
	put16(ip + 4, ident++);
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, my_ip);
	put32(ip + 16, dst);
	put16(ip + 10, csum(ip, 20));
	memcpy(ip + 20, payload, len);
	while (netf_send(&nf, f, h + 20 + len) != 0)
		netf_recv(&nf, f, 0, 0);	/* reap, and wait a little */
}

static void icmp_send(const uint8_t *dmac, uint32_t dst, uint8_t type, uint16_t id,
    uint16_t seq, const uint8_t *data, size_t dlen)
{
	uint8_t m[1400];

	if (dlen > sizeof(m) - 8)
		dlen = sizeof(m) - 8;
	m[0] = type;
	m[1] = 0;
	put16(m + 2, 0);
	put16(m + 4, id);
	put16(m + 6, seq);
	memcpy(m + 8, data, dlen);
	put16(m + 2, csum(m, 8 + dlen));
	ip_send(dmac, dst, 1, m, 8 + dlen);
}

/* What came in: ARP and pings answered; 1 for an echo reply (id, seq). */
static int handle(const uint8_t *f, size_t len, uint16_t *id, uint16_t *seq, uint32_t peer)
{
	const uint8_t *ip = f + 14;
	size_t ihl, tot;

	if (len < 14)
		return 0;
	if (get16(f + 12) == ETH_ARP && len >= 14 + 28) {
		const uint8_t *a = f + 14;

		if (get32(a + 24) != my_ip)
			return 0;
		if (get32(a + 14) == peer) {
			memcpy(peer_mac, a + 8, 6);
			peer_known = true;
		}
		if (get16(a + 6) == 1)
			arp_send(2, a + 8, get32(a + 14));
		return 0;
	}
	if (get16(f + 12) != ETH_IP || len < 14 + 20 || (ip[0] >> 4) != 4)
		return 0;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ihl < 20 || tot < ihl || 14 + tot > len || get32(ip + 16) != my_ip ||
	    csum(ip, ihl) != 0)
		return 0;
	if (ip[9] == 17 && tot >= ihl + 8) {	/* UDP: counted */
		udp_frames++;
		udp_bytes += tot - ihl - 8;
		return 0;
	}
	if (ip[9] != 1 || tot < ihl + 8 || csum(ip + ihl, tot - ihl) != 0)
		return 0;
	if (ip[ihl] == 8)			/* echo request: answered */
		icmp_send(f + 6, get32(ip + 12), 0, get16(ip + ihl + 4), get16(ip + ihl + 6),
		    ip + ihl + 8, tot - ihl - 8);
	else if (ip[ihl] == 0) {
		*id = get16(ip + ihl + 4);
		*seq = get16(ip + ihl + 6);
		return 1;
	}
	return 0;
}

/* Serve (answer ARP and pings) for ns; an echo reply for (id, seq) ends it. */
static bool serve(uint64_t ns, uint32_t peer, uint16_t want_id, uint16_t want_seq)
{
	uint64_t end = system_time() + ns;
	uint8_t f[2048];
	uint16_t id, seq;
	size_t len;

	while (system_time() < end) {
		len = netf_recv(&nf, f, sizeof(f), end - system_time());
		if (len > 0 && handle(f, len, &id, &seq, peer) == 1 && id == want_id &&
		    seq == want_seq)
			return true;
	}
	return false;
}

static bool resolve(uint32_t peer)
{
	unsigned int i;

	for (i = 0; i < 20 && !peer_known; i++) {
		arp_send(1, NULL, peer);
		serve(100000000ull, peer, 0xffff, 0xffff);
	}
	return peer_known;
}

static bool open_net(void)
{
	my_ip = parse_ip(cmdline_get("ip"));
	if (my_ip == 0 || netf_open(&nf, (unsigned int)cmdline_ulong("vif", 0)) != 0) {
		check(0, "the vif connected (ip=A.B.C.D given)");
		return false;
	}
	memcpy(src_mac, nf.mac, 6);
	return true;
}

void suite_net(void)
{
	unsigned long count = cmdline_ulong("count", 0), expect = cmdline_ulong("expect", 1);
	uint64_t t0, rtt = 0;
	uint32_t peer;
	unsigned long i, got = 0;
	uint8_t data[56];

	if (!open_net())
		return;
	peer = parse_ip(cmdline_get("peer"));
	if (cmdline_ulong("spoof", 0) != 0)
		src_mac[5] ^= 0x5a;
	printk("net: ready\n");
	if (peer != 0 && count > 0) {
		bool known = resolve(peer);

		if (expect)
			check(known, "the peer's MAC resolved by ARP");
		for (i = 0; known && i < count; i++) {
			memset(data, (int)i, sizeof(data));
			t0 = system_time();
			icmp_send(peer_mac, peer, 8, 0x4242, (uint16_t)i, data, sizeof(data));
			if (serve(1000000000ull, peer, 0x4242, (uint16_t)i)) {
				got++;
				rtt += system_time() - t0;
			}
		}
		if (expect)
			check(got == count, "%lu of %lu pings answered", got, count);
		else
			check(got == 0 && (!known || count > 0), "no reply came (%lu answered, %s)",
			    got, known ? "ARP resolved" : "ARP unanswered");
		if (got > 0)
			printk("net: ping round trip %llu ns (%lu pings)\n",
			    (unsigned long long)(rtt / got), got);
	}
	serve(cmdline_ulong("seconds", 0) * 1000000000ull, peer, 0xffff, 0xffff);
	printk("net: tx errors %llu, rx errors %llu\n", (unsigned long long)nf.tx_errors,
	    (unsigned long long)nf.rx_errors);
}

/* Malformed transmits of every kind the backend must refuse, then a ping
 * that must still work (peer= answers). */
void suite_netflood(void)
{
	uint32_t peer;
	uint8_t *page;
	grant_ref_t g;
	netif_tx_request_t s[24];
	unsigned int i;

	if (!open_net())
		return;
	peer = parse_ip(cmdline_get("peer"));
	g = netf_tx_gref(&nf, 0, &page);
	memset(page, 0, 64);
	for (i = 0; i < 24; i++)	/* a chain of 24 slots (too many) */
		s[i] = (netif_tx_request_t){ .gref = g, .offset = 0, .flags = i < 23 ?
		    NETTXF_more_data : 0, .id = 1000, .size = i == 0 ? 24 * 60 : 60 };
	check(netf_send_raw(&nf, s, 24) == 0, "24 chained slots sent");
	s[0] = (netif_tx_request_t){ .gref = g, .offset = 4000, .size = 200, .id = 1001 };
	check(netf_send_raw(&nf, s, 1) == 0, "a slot past its page sent");
	s[0] = (netif_tx_request_t){ .gref = g, .size = 9000, .id = 1002 };
	check(netf_send_raw(&nf, s, 1) == 0, "a jumbo frame sent");
	s[0] = (netif_tx_request_t){ .gref = 1999, .size = 60, .id = 1003 };
	check(netf_send_raw(&nf, s, 1) == 0, "a bad grant sent");
	s[0] = (netif_tx_request_t){ .gref = g, .size = 60, .flags = NETTXF_more_data, .id = 1004 };
	s[1] = (netif_tx_request_t){ .gref = g, .size = 54, .id = 1005 };	/* 6-byte header */
	check(netf_send_raw(&nf, s, 2) == 0, "a header split across slots sent");
	s[0] = (netif_tx_request_t){ .gref = g, .size = 60, .flags = NETTXF_extra_info, .id = 1006 };
	memset(&s[1], 0, sizeof(s[1]));
	check(netf_send_raw(&nf, s, 2) == 0, "an extra-info slot sent");
	for (i = 0; i < 200; i++) {	/* maximally fragmented: 1-byte slots */
		netif_tx_request_t t[18];
		unsigned int k;

		for (k = 0; k < 18; k++)
			t[k] = (netif_tx_request_t){ .gref = g, .offset = (uint16_t)k,
			    .flags = k < 17 ? NETTXF_more_data : 0, .id = (uint16_t)(2000 + k),
			    .size = (uint16_t)(k == 0 ? 31 : 1) };
		if (netf_send_raw(&nf, t, 18) != 0)
			netf_recv(&nf, page + 2048, 0, 1000000ull);
	}
	serve(200000000ull, peer, 0xffff, 0xffff);
	check(nf.tx_errors > 0, "the backend refused them (%llu errors)",
	    (unsigned long long)nf.tx_errors);
	check(resolve(peer), "and still serves this guest: ARP resolved");
	{
		uint8_t d[8] = { 0 };

		icmp_send(peer_mac, peer, 8, 0x77, 1, d, sizeof(d));
		check(serve(1000000000ull, peer, 0x77, 1), "a ping answered after the flood");
	}
}

/* UDP one way, for seconds: the sender's frames, the receiver's count. */
void suite_udpbench(void)
{
	uint64_t secs = cmdline_ulong("seconds", 2), t0, t1;
	size_t bytes = cmdline_ulong("bytes", 1472);
	const char *role = cmdline_get("role");
	bool send = role != NULL && strcmp(role, "send") == 0;
	uint32_t peer;
	uint8_t u[1480], f[2048];
	uint64_t sent = 0;
	uint16_t id, seq;

	if (!open_net())
		return;
	peer = parse_ip(cmdline_get("peer"));
	if (bytes > 1472)
		bytes = 1472;
	printk("net: ready\n");
	if (!send) {
		uint64_t end = system_time() + (secs + 5) * 1000000000ull, first = 0, last = 0;

		while (system_time() < end) {
			size_t len = netf_recv(&nf, f, sizeof(f), 500000000ull);
			uint64_t before = udp_frames;

			if (len == 0 && udp_frames > 0)
				break;		/* the sender stopped */
			if (len > 0)
				handle(f, len, &id, &seq, peer);
			if (udp_frames > before) {
				last = system_time();
				if (first == 0)
					first = last;
			}
		}
		printk("udpbench: received %llu frames, %llu bytes in %llu us\n",
		    (unsigned long long)udp_frames, (unsigned long long)udp_bytes,
		    (unsigned long long)((last - first) / 1000));
		return;
	}
	check(resolve(peer), "the receiver resolved");
	memset(u, 0x33, sizeof(u));
	put16(u, 4000);
	put16(u + 2, 4001);
	put16(u + 4, (uint16_t)(8 + bytes));
	put16(u + 6, 0);		/* no UDP checksum (allowed in IPv4) */
	t0 = system_time();
	while ((t1 = system_time()) - t0 < secs * 1000000000ull) {
		ip_send(peer_mac, peer, 17, u, 8 + bytes);
		sent++;
	}
	printk("udpbench: sent %llu frames of %lu bytes in %llu us\n", (unsigned long long)sent,
	    (unsigned long)bytes, (unsigned long long)((t1 - t0) / 1000));
}
