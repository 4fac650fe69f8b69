/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant copy for dom0 processes (ctl.h, GNT_BUF_* and GNT_COPY): a backend
 * registers memfds as buffers, and the hypervisor copies between them and
 * pages granted to dom0, between memfds it holds, as ARCHITECTURE.md says
 * bulk data moves. Buffers belong to the control connection that
 * registered them and go with it. Main thread only, like the control
 * socket.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "palisade/log.h"
#include "hv.h"

#define GNT_BUFS (4 * CTL_GNT_BUF_MAX)	/* for every connection together */

struct gnt_buf {
	bool used;
	int conn;
	uint8_t *base;
	uint64_t size;
};

static struct gnt_buf bufs[GNT_BUFS];

int gnt_buf_register(int conn, int fd, uint64_t size, uint32_t *id)
{
	unsigned int i, mine = 0, free_slot = GNT_BUFS;
	void *p;

	if (size == 0 || size > CTL_GNT_BUF_MAX_SIZE || size % PAGE_SIZE != 0)
		return -XEN_EINVAL;
	for (i = 0; i < GNT_BUFS; i++) {
		if (bufs[i].used && bufs[i].conn == conn)
			mine++;
		else if (!bufs[i].used && free_slot == GNT_BUFS)
			free_slot = i;
	}
	if (mine >= CTL_GNT_BUF_MAX || free_slot == GNT_BUFS)
		return -XEN_ENOSPC;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -XEN_EINVAL;	/* not a memfd of that size, or read-only */
	bufs[free_slot] = (struct gnt_buf){ true, conn, p, size };
	*id = free_slot;
	return 0;
}

static struct gnt_buf *buf_get(int conn, uint32_t id)
{
	if (id >= GNT_BUFS || !bufs[id].used || bufs[id].conn != conn)
		return NULL;
	return &bufs[id];
}

int gnt_buf_unregister(int conn, uint32_t id)
{
	struct gnt_buf *b = buf_get(conn, id);

	if (b == NULL)
		return -XEN_EINVAL;
	munmap(b->base, b->size);
	b->used = false;
	return 0;
}

void gnt_bufs_release(int conn)
{
	uint32_t i;

	for (i = 0; i < GNT_BUFS; i++)
		if (bufs[i].used && bufs[i].conn == conn)
			gnt_buf_unregister(conn, i);
}

/* One segment; g is the granter, referenced by the caller. */
static int16_t copy_seg(int conn, struct xsm_dom *who, struct domain *g,
    const struct ctl_gnt_copy_seg *s)
{
	bool to_guest = s->flags & CTL_GNT_COPY_TO_GUEST;
	struct gnt_buf *b = buf_get(conn, s->buf);
	uint8_t *page;
	int16_t st;

	if ((s->flags & ~CTL_GNT_COPY_TO_GUEST) != 0 || b == NULL)
		return GNTST_general_error;
	if ((uint32_t)s->offset + s->len > PAGE_SIZE ||
	    (uint64_t)s->buf_offset + s->len > b->size)
		return GNTST_bad_copy_arg;
	if (s->len == 0)
		return GNTST_okay;	/* nothing to copy, nothing to pin */
	if (g == NULL)
		return GNTST_bad_domain;
	if (xsm_check(XSM_GRANT_COPY, who, &g->sec) < 0)
		return GNTST_permission_denied;
	pthread_mutex_lock(&g->lock);
	st = gnt_pin(g, s->ref, 0, to_guest);
	page = st == GNTST_okay ? g->ram + g->gnt_active[s->ref].frame * PAGE_SIZE : NULL;
	pthread_mutex_unlock(&g->lock);
	if (st != GNTST_okay)
		return st;
	if (to_guest)
		memcpy(page + s->offset, b->base + s->buf_offset, s->len);
	else
		memcpy(b->base + s->buf_offset, page + s->offset, s->len);
	pthread_mutex_lock(&g->lock);
	gnt_unpin(g, s->ref, to_guest);
	pthread_mutex_unlock(&g->lock);
	return GNTST_okay;
}

int gnt_copy_dom0(int conn, struct xsm_dom *who, struct ctl_gnt_copy *c)
{
	struct domain *g = NULL;
	uint32_t i, domid = DOMID_INVALID;

	if (c->count > CTL_GNT_COPY_MAX)
		return -XEN_EINVAL;
	for (i = 0; i < c->count; i++) {
		struct ctl_gnt_copy_seg *s = &c->seg[i];

		/* A batch is mostly one guest's: one reference for a run. */
		if (s->domid != domid) {
			if (g != NULL)
				domain_unref(g);
			domid = s->domid;
			g = domain_ref(domid);
		}
		s->status = copy_seg(conn, who, g, s);
		if (s->status != GNTST_okay && g != NULL)
			gwarn(g, "dom0 copy %u (gref %u): status %d", i, s->ref, s->status);
	}
	if (g != NULL)
		domain_unref(g);
	return 0;
}
