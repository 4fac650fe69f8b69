/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest's block frontend (blkfront.c): xen/io/blkif.h over grant tables. */
#ifndef PVTEST_BLKFRONT_H
#define PVTEST_BLKFRONT_H

#include "pvtest.h"
#include "gntalloc.h"

#define xen_mb()	mb()
#define xen_rmb()	barrier()
#define xen_wmb()	barrier()
#include <xen/io/blkif.h>

#define BLKF_MAX_QUEUES 4
#define BLKF_MAX_ORDER 4
#define BLKF_MAX_SEGS 256	/* per request, with indirect segments */
#define BLKF_POOL 1024		/* pages kept granted (persistent grants) */
#define BLKF_MAX_REG 1024	/* pages of a caller's registered buffer */

struct blkf_opts {
	unsigned int queues, order;	/* wanted; the backend may offer less */
	bool persistent, indirect, large_sectors;
	unsigned int pool;		/* pool pages, at most BLKF_POOL; 0: BLKF_POOL */
};

struct blkf_shadow;

struct blkf_queue {
	unsigned int idx;
	void *sring;
	unsigned int npages;
	grant_ref_t refs[1u << BLKF_MAX_ORDER];
	evtchn_port_t port;
	unsigned int size;		/* ring entries */
	struct blkf_shadow *sh;		/* one per entry */
	unsigned int inflight;
	blkif_front_ring_t ring;
};

struct blkf_dev {
	uint32_t devid;
	char fe[64], be[128];
	uint64_t sectors;		/* in units of unit */
	unsigned int unit, sector_size, info;
	bool flush, barrier, discard, persistent, readonly;
	unsigned int max_segs, nq, order;
	size_t max_bytes;		/* in one request */
	struct blkf_queue q[BLKF_MAX_QUEUES];
	uint16_t pool[BLKF_POOL];	/* free pool pages (their index) */
	unsigned int npool;
	unsigned long pool_pfn;		/* BLKF_POOL pages from here */
	grant_ref_t pool_ref[BLKF_POOL];
	unsigned int pool_size;
	uint8_t *reg;			/* the registered buffer: reg_pages pages */
	unsigned int reg_pages;
	grant_ref_t reg_ref[BLKF_MAX_REG];
	unsigned long reconnects;
	bool batch;			/* blkf_submit leaves the push to blkf_push */
	uint64_t poll_ns;		/* blkf_reap spins this long before it blocks */
};

/* The nth disk in the store (0: the first), connected: 0, or -1 (said). */
int blkf_open(struct blkf_dev *d, unsigned int nth, const struct blkf_opts *o);
/*
 * Keep the len bytes at buf (page-aligned, ours) granted for as long as
 * the device is open: requests on them need neither grants of their own
 * nor a copy through the pool, and a backend keeping persistent grants
 * maps them once. One buffer per device; 0, or -1 (too big, no grants).
 */
int blkf_register(struct blkf_dev *d, void *buf, size_t len);
/* Through Closing to Closed. */
void blkf_close(struct blkf_dev *d);
/*
 * Start op (BLKIF_OP_*) on sector (in units of d->unit) for len bytes of
 * buf (a page-aligned buffer of ours; for a discard, only len counts) on
 * queue qi: the request's tag, or -1 if that queue is full, -2 if it does
 * not fit in one request.
 */
int blkf_submit(struct blkf_dev *d, unsigned int qi, uint8_t op, uint64_t sector,
    void *buf, size_t len);
/* Requests submitted with d->batch set go to the backend (one
 * notification per queue, if it is asleep). */
void blkf_push(struct blkf_dev *d);
/* The next finished request: 1 with its tag and BLKIF_RSP_* status, 0
 * none within timeout_ns. A backend that went away is reconnected to
 * meanwhile, and what was in flight is sent again. */
int blkf_reap(struct blkf_dev *d, int *tag, int *status, uint64_t timeout_ns);
/* Submit and wait (chunked into requests as big as allowed): the status. */
int blkf_sync(struct blkf_dev *d, uint8_t op, uint64_t sector, void *buf, size_t len);
/* A request exactly as given (for the hostile suite): its status, or -1 if
 * no response came. */
int blkf_raw(struct blkf_dev *d, const void *req);

#endif
