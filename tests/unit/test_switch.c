/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VLAN switch: tagging onto trunks and untagging off them, learning
 * per VLAN, flooding only within a VLAN, never a frame across VLANs,
 * anti-spoofing, rate limits, bad frames, ports going away.
 */
#include "config.h"

#include "unit.h"
#include <string.h>

#include "dom0/switch/switch.h"

static struct sw_switch sw;

/* What each port received last, and how often. */
static struct {
	uint8_t frame[2048];
	size_t len;
	unsigned int count;
} got[SW_MAX_PORTS];

static void deliver(struct sw_port *p, const uint8_t *f, size_t len, void *arg)
{
	int i = (int)(intptr_t)arg;

	(void)p;
	memcpy(got[i].frame, f, len);
	got[i].len = len;
	got[i].count++;
}

static void reset(void)
{
	memset(got, 0, sizeof(got));
}

static int access_port(const char *name, uint16_t vlan, uint8_t last)
{
	struct sw_port_cfg c = { .vlan = vlan, .check_mac = true, .deliver = deliver,
	    .mac = { 0x00, 0x16, 0x3e, 0, 0, last } };
	int p;

	snprintf(c.name, sizeof(c.name), "%s", name);
	c.arg = (void *)(intptr_t)0;
	p = sw_port_add(&sw, &c);
	CU_ASSERT_FATAL(p >= 0);
	sw.port[p].cfg.arg = (void *)(intptr_t)p;
	return p;
}

static int trunk_port(const char *vlans)
{
	uint16_t v[16];
	struct sw_port_cfg c = { .trunk = true, .allowed = v, .deliver = deliver };
	int n = sw_parse_vlans(vlans, v, 16), p;

	CU_ASSERT_FATAL(n > 0);
	c.nallowed = (unsigned int)n;
	snprintf(c.name, sizeof(c.name), "uplink");
	p = sw_port_add(&sw, &c);
	CU_ASSERT_FATAL(p >= 0);
	sw.port[p].cfg.arg = (void *)(intptr_t)p;
	return p;
}

/* An untagged frame from ...:src to ...:dst (0xff: broadcast). */
static size_t frame(uint8_t *f, uint8_t dst, uint8_t src, size_t len)
{
	static const uint8_t oui[3] = { 0x00, 0x16, 0x3e };

	memset(f, 0, len);
	if (dst == 0xff)
		memset(f, 0xff, 6);
	else {
		memcpy(f, oui, 3);
		f[5] = dst;
	}
	memcpy(f + 6, oui, 3);
	f[11] = src;
	f[12] = 0x08;			/* IPv4 */
	f[13] = 0x00;
	f[len - 1] = 0xab;
	return len;
}

static size_t tag(uint8_t *out, const uint8_t *f, size_t len, uint16_t vid)
{
	memcpy(out, f, 12);
	out[12] = 0x81;
	out[13] = 0x00;
	out[14] = (uint8_t)(vid >> 8);
	out[15] = (uint8_t)vid;
	memcpy(out + 16, f + 12, len - 12);
	return len + 4;
}

static void test_vlans(void)
{
	uint8_t f[1600], t[1600];
	int a, b, c, up;
	size_t n;

	sw_init(&sw, "sw0");
	reset();
	a = access_port("a", 10, 1);
	b = access_port("b", 10, 2);
	c = access_port("c", 20, 3);
	up = trunk_port("10,20");

	/* A broadcast from a: b and the trunk (tagged 10), never c. */
	n = frame(f, 0xff, 1, 60);
	sw_input(&sw, a, f, n, 1);
	CU_ASSERT_EQUAL(got[b].count, 1);
	CU_ASSERT_EQUAL(got[b].len, 60);
	CU_ASSERT_EQUAL(memcmp(got[b].frame, f, 60), 0);
	CU_ASSERT_EQUAL(got[c].count, 0);
	CU_ASSERT_EQUAL(got[up].count, 1);
	CU_ASSERT_EQUAL(got[up].len, 64);
	CU_ASSERT_EQUAL(got[up].frame[12], 0x81);
	CU_ASSERT_EQUAL(got[up].frame[13], 0x00);
	CU_ASSERT_EQUAL((got[up].frame[14] << 8 | got[up].frame[15]) & 0xfff, 10);
	CU_ASSERT_EQUAL(got[up].frame[16], 0x08);	/* the ethertype moved after the tag */
	CU_ASSERT_EQUAL(got[a].count, 0);		/* never back where it came from */
	CU_ASSERT_EQUAL(sw_lookup(&sw, 10, f + 6), a);
	CU_ASSERT_EQUAL(sw_lookup(&sw, 20, f + 6), -1);	/* learnt per VLAN */

	/* b answers a: learnt, so only a gets it. */
	reset();
	n = frame(f, 1, 2, 100);
	sw_input(&sw, b, f, n, 2);
	CU_ASSERT_EQUAL(got[a].count, 1);
	CU_ASSERT_EQUAL(got[up].count, 0);
	CU_ASSERT_EQUAL(got[c].count, 0);

	/* A tagged frame off the trunk for VLAN 20 reaches c, untagged. */
	reset();
	n = tag(t, f, frame(f, 0xff, 9, 80), 20);
	sw_input(&sw, up, t, n, 3);
	CU_ASSERT_EQUAL(got[c].count, 1);
	CU_ASSERT_EQUAL(got[c].len, 80);
	CU_ASSERT_EQUAL(memcmp(got[c].frame, f, 80), 0);
	CU_ASSERT_EQUAL(got[a].count + got[b].count, 0);

	/* c may not reach a, even knowing its MAC: VLAN 10's table is not 20's. */
	reset();
	n = frame(f, 1, 3, 60);
	sw_input(&sw, c, f, n, 4);
	CU_ASSERT_EQUAL(got[a].count + got[b].count, 0);
	CU_ASSERT_EQUAL(got[up].count, 1);		/* flooded in 20: the trunk */
	CU_ASSERT_EQUAL(got[up].frame[15], 20);

	/* What is refused, counted by reason. */
	reset();
	n = tag(t, f, frame(f, 0xff, 1, 60), 10);
	sw_input(&sw, a, t, n, 5);			/* tagged on an access port */
	CU_ASSERT_EQUAL(sw.port[a].c.drops[SW_DROP_TAGGED], 1);
	n = frame(f, 0xff, 9, 60);
	sw_input(&sw, up, f, n, 5);			/* untagged on a trunk */
	CU_ASSERT_EQUAL(sw.port[up].c.drops[SW_DROP_UNTAGGED], 1);
	n = tag(t, f, frame(f, 0xff, 9, 60), 30);
	sw_input(&sw, up, t, n, 5);			/* a VLAN it does not carry */
	CU_ASSERT_EQUAL(sw.port[up].c.drops[SW_DROP_VLAN], 1);
	n = tag(t, f, frame(f, 0xff, 9, 60), 0);
	sw_input(&sw, up, t, n, 5);			/* priority tag, VID 0 */
	CU_ASSERT_EQUAL(sw.port[up].c.drops[SW_DROP_VLAN], 2);
	n = frame(f, 0xff, 7, 60);
	sw_input(&sw, a, f, n, 5);			/* not a's MAC */
	CU_ASSERT_EQUAL(sw.port[a].c.drops[SW_DROP_SPOOF], 1);
	frame(f, 0xff, 1, 60);
	f[6] |= 1;					/* multicast source */
	sw_input(&sw, a, f, 60, 5);
	CU_ASSERT_EQUAL(sw.port[a].c.drops[SW_DROP_SRC_MCAST], 1);
	sw_input(&sw, a, f, 10, 5);
	CU_ASSERT_EQUAL(sw.port[a].c.drops[SW_DROP_RUNT], 1);
	n = frame(f, 0xff, 1, SW_MAX_FRAME + 1);
	sw_input(&sw, a, f, n, 5);
	CU_ASSERT_EQUAL(sw.port[a].c.drops[SW_DROP_GIANT], 1);
	n = tag(t, f, frame(f, 0xff, 9, SW_MAX_FRAME), 10);
	sw_input(&sw, up, t, n, 5);			/* 1518 tagged is fine */
	CU_ASSERT_EQUAL(got[a].count, 1);
	CU_ASSERT_EQUAL(got[a].len, SW_MAX_FRAME);
	CU_ASSERT_EQUAL(got[c].count, 0);

	{
		char v[64];

		sw_port_vlans(&sw.port[up], v, sizeof(v));
		CU_ASSERT_STRING_EQUAL(v, "trunk:10,20");
		sw_port_vlans(&sw.port[c], v, sizeof(v));
		CU_ASSERT_STRING_EQUAL(v, "20");
	}

	/* a goes: what was learnt on it is forgotten. */
	sw_port_remove(&sw, a);
	CU_ASSERT_EQUAL(sw_lookup(&sw, 10, (const uint8_t[]){ 0x00, 0x16, 0x3e, 0, 0, 1 }), -1);
	reset();
	n = frame(f, 1, 2, 60);
	sw_input(&sw, b, f, n, 6);			/* flooded: the trunk only */
	CU_ASSERT_EQUAL(got[up].count, 1);
	CU_ASSERT_EQUAL(got[a].count, 0);
}

static void test_rate_and_config(void)
{
	struct sw_port_cfg c = { .vlan = 5, .deliver = deliver, .rate_bps = 8000 };
	uint16_t v[4];
	uint8_t f[1600];
	int a, b;

	sw_init(&sw, "sw1");
	reset();
	a = sw_port_add(&sw, &c);			/* 1000 bytes a second */
	c.rate_bps = 0;
	b = sw_port_add(&sw, &c);
	sw.port[a].cfg.arg = (void *)(intptr_t)a;
	sw.port[b].cfg.arg = (void *)(intptr_t)b;
	CU_ASSERT_FATAL(a >= 0 && b >= 0);
	frame(f, 0xff, 1, 500);
	sw_input(&sw, a, f, 500, 1000);
	sw_input(&sw, a, f, 500, 1000);
	sw_input(&sw, a, f, 500, 1000);		/* the third is over */
	CU_ASSERT_EQUAL(got[b].count, 2);
	CU_ASSERT_EQUAL(sw.port[a].c.drops[SW_DROP_RATE], 1);
	sw_input(&sw, a, f, 500, 1000 + 600000000ull);	/* 0.6 s later: 600 bytes back */
	CU_ASSERT_EQUAL(got[b].count, 3);

	/* Configuration the switch refuses. */
	c.vlan = 0;
	CU_ASSERT_EQUAL(sw_port_add(&sw, &c), -EINVAL);
	c.vlan = 4095;
	CU_ASSERT_EQUAL(sw_port_add(&sw, &c), -EINVAL);
	c.trunk = true;
	c.nallowed = 0;
	CU_ASSERT_EQUAL(sw_port_add(&sw, &c), -EINVAL);
	CU_ASSERT_EQUAL(sw_parse_vlans("10,20", v, 4), 2);
	CU_ASSERT_EQUAL(v[1], 20);
	CU_ASSERT_EQUAL(sw_parse_vlans("10,,20", v, 4), -EINVAL);
	CU_ASSERT_EQUAL(sw_parse_vlans("4095", v, 4), -EINVAL);
	CU_ASSERT_EQUAL(sw_parse_vlans("1,2,3,4,5", v, 4), -EINVAL);
	CU_ASSERT_EQUAL(sw_parse_vlans("", v, 4), -EINVAL);
	CU_ASSERT_EQUAL(sw_parse_vlans("7x", v, 4), -EINVAL);
}

/* Many addresses: learnt, found, forgotten with their port. */
static void test_table(void)
{
	uint8_t f[64];
	int a, b, i, lost = 0;

	sw_init(&sw, "sw2");
	reset();
	{
		struct sw_port_cfg c = { .vlan = 1, .deliver = deliver };

		a = sw_port_add(&sw, &c);
		b = sw_port_add(&sw, &c);
	}
	for (i = 0; i < 3000; i++) {
		frame(f, 0xff, 0, 60);
		f[10] = (uint8_t)(i >> 8);
		f[11] = (uint8_t)i;
		sw_input(&sw, i % 2 ? a : b, f, 60, 1);
	}
	for (i = 0; i < 3000; i++) {
		uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0, (uint8_t)(i >> 8), (uint8_t)i };

		lost += sw_lookup(&sw, 1, mac) != (i % 2 ? a : b);
	}
	CU_ASSERT_EQUAL(lost, 0);
	sw_port_remove(&sw, a);
	for (i = 0, lost = 0; i < 3000; i++) {
		uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0, (uint8_t)(i >> 8), (uint8_t)i };

		lost += sw_lookup(&sw, 1, mac) != (i % 2 ? -1 : b);
	}
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT_EQUAL(sw.nmacs, 1500);
}

static CU_TestInfo tests[] = {
	{ "tagging, learning, flooding within a VLAN, drops", test_vlans },
	{ "rate limits and configuration", test_rate_and_config },
	{ "the address table", test_table },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "switch", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
