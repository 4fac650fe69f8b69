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
