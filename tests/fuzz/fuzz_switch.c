/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VLAN switch and palnetback's TX check under arbitrary input. The
 * input is a stream of frames, each a port byte, a length byte pair and
 * the bytes, into a switch of three access ports (VLANs 10, 10, 20) and a
 * trunk (10, 20). Whatever comes in, a frame never leaves in another VLAN
 * than it entered, an access port never gets a tagged frame, a trunk only
 * tagged ones of its VLANs, and nothing goes back where it came from. The
 * same bytes are also tried as TX requests: what passes must fit its pages.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dom0/switch/switch.h"
#include "netback/netback.h"
#include "fuzz.h"

static struct sw_switch sw;
static int ports[4];
static uint16_t entered;	/* the VLAN of the frame being switched */
static int from;

static void deliver(struct sw_port *p, const uint8_t *f, size_t len, void *arg)
{
	int me = (int)(intptr_t)arg;
	bool tagged = len >= 18 && f[12] == 0x81 && f[13] == 0x00;

	if (me == from)
		abort();
	if (!p->cfg.trunk && (tagged || p->cfg.vlan != entered))
		abort();
	if (p->cfg.trunk && (!tagged || (((f[14] << 8) | f[15]) & 0xfff) != entered))
		abort();
	if (len > SW_MAX_FRAME + SW_TAG_LEN)
		abort();
}

static void setup(void)
{
	static const uint16_t trunk[] = { 10, 20 };
	static const uint16_t vl[3] = { 10, 10, 20 };
	unsigned int i;

	sw_init(&sw, "fuzz");
	for (i = 0; i < 3; i++) {
		struct sw_port_cfg c = { .vlan = vl[i], .deliver = deliver, .check_mac = i == 2,
		    .mac = { 0, 0x16, 0x3e, 0, 0, 3 }, .arg = (void *)(intptr_t)i,
		    .rate_bps = i == 1 ? 100000 : 0 };

		ports[i] = sw_port_add(&sw, &c);
	}
	{
		struct sw_port_cfg c = { .trunk = true, .allowed = trunk, .nallowed = 2,
		    .deliver = deliver, .arg = (void *)(intptr_t)3 };

		ports[3] = sw_port_add(&sw, &c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t now = 1;
	size_t at = 0;

	setup();
	while (at + 3 <= size) {
		int p = data[at] % 4;
		size_t len = (size_t)(data[at + 1] << 8 | data[at + 2]) % 1600;

		at += 3;
		if (len > size - at)
			len = size - at;
		from = p;
		if (p == 3)
			entered = len >= 16 ? (uint16_t)(((data[at + 14] << 8) | data[at + 15]) & 0xfff) : 0;
		else
			entered = sw.port[ports[p]].cfg.vlan;
		sw_input(&sw, ports[p], data + at, len, now);
		at += len;
		now += 1000000;
	}
	if (size >= sizeof(netif_tx_request_t)) {
		netif_tx_request_t s[NB_MAX_SLOTS];
		unsigned int n = (unsigned int)(size / sizeof(s[0])), i, rest = 0;
		const char *why;

		if (n > NB_MAX_SLOTS)
			n = NB_MAX_SLOTS;
		memcpy(s, data, n * sizeof(s[0]));
		if (nb_tx_check(s, n, &why) == 0) {
			for (i = 1; i < n; i++) {
				if (s[i].size == 0 || s[i].offset + s[i].size > 4096)
					abort();
				rest += s[i].size;
			}
			if (s[0].size > SW_MAX_FRAME || s[0].size - rest < 14 ||
			    s[0].offset + (s[0].size - rest) > 4096)
				abort();
		}
	}
	return 0;
}
