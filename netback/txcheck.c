/* SPDX-License-Identifier: GPL-2.0-only */
/* A guest's TX packet, as its requests say it is (netback.h). */
#include "config.h"

#include <stdio.h>

#include "netback.h"

#define ETH_HLEN 14
#define NB_PAGE 4096u

int nb_tx_check(const netif_tx_request_t *slots, unsigned int n, const char **why)
{
	unsigned int i, rest = 0;

	if (n == 0 || n > NB_MAX_SLOTS) {
		*why = "too many slots";
		return -1;
	}
	for (i = 0; i < n; i++) {
		const netif_tx_request_t *s = &slots[i];
		unsigned int own = i == 0 ? 0 : s->size;

		if (s->flags & NETTXF_extra_info) {
			*why = "extra info slots (no GSO is offered)";
			return -1;
		}
		if (((s->flags & NETTXF_more_data) != 0) != (i + 1 < n)) {
			*why = "a chain's more-data flags are wrong";
			return -1;
		}
		if (i > 0 && (own == 0 || (unsigned int)s->offset + own > NB_PAGE)) {
			*why = "a slot past its page";
			return -1;
		}
		rest += own;
	}
	if (slots[0].size > SW_MAX_FRAME) {
		*why = "a frame over the MTU";
		return -1;
	}
	if (rest >= slots[0].size) {
		*why = "slot sizes larger than the packet";
		return -1;
	}
	/* What the first slot holds itself: the packet but the rest. */
	if ((unsigned int)slots[0].offset + (slots[0].size - rest) > NB_PAGE) {
		*why = "a slot past its page";
		return -1;
	}
	if (slots[0].size - rest < ETH_HLEN) {
		*why = slots[0].size < ETH_HLEN ? "a frame shorter than an Ethernet header" :
		    "the Ethernet header split across slots";
		return -1;
	}
	return 0;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

int nb_csum_complete(uint8_t *f, size_t len)
{
	size_t at = 12, ihl, l4len;
	uint8_t *ip, *l4;
	unsigned int off;
	uint32_t s;

	if (len >= 18 && f[12] == 0x81 && f[13] == 0x00)
		at = 16;			/* a tagged frame from a trunk vif */
	if (len < at + 2 + 20 || f[at] != 0x08 || f[at + 1] != 0x00)
		return -1;
	ip = f + at + 2;
	ihl = (size_t)(ip[0] & 15) * 4;
	if ((ip[0] >> 4) != 4 || ihl < 20 || (size_t)(ip + ihl - f) > len ||
	    (ip[6] & 0x3f) != 0 || ip[7] != 0)	/* fragments carry no whole L4 */
		return -1;
	l4len = (size_t)(ip[2] << 8 | ip[3]);
	if (l4len < ihl || (size_t)(ip - f) + l4len > len)
		return -1;
	l4len -= ihl;
	l4 = ip + ihl;
	if (ip[9] == 6 && l4len >= 20)
		off = 16;
	else if (ip[9] == 17 && l4len >= 8)
		off = 6;
	else
		return -1;
	l4[off] = l4[off + 1] = 0;
	s = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)l4len;	/* the pseudo-header */
	s = fold(sum16(l4, l4len, s));
	if (ip[9] == 17 && s == 0)
		s = 0xffff;			/* 0 means "none" in UDP */
	l4[off] = (uint8_t)(s >> 8);
	l4[off + 1] = (uint8_t)s;
	return 0;
}
