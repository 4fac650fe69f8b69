/* SPDX-License-Identifier: GPL-2.0-only */
/* palstored's guest connections: store pages and event channels. */
#ifndef PAL_STORE_RING_H
#define PAL_STORE_RING_H

#include <stdint.h>

#include "store/store.h"

struct palctl;

#define RING_EVENT	(1ull << 61)	/* epoll data: a ring's event channel */

/* Serve every domain s knows and every one dom0 introduces from now on,
 * through palisade-hv (c), with their event channels in epoll_fd. */
void ring_init(struct xs_store *s, struct palctl *c, int epoll_fd);
void ring_event(uint64_t data);
void ring_reap(void);		/* every so often */

#endif
