/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One ring of one device. Requests are copied off the shared ring once
 * and checked (request.c); a request's data moves through pages the
 * frontend lets us keep mapped (feature-persistent) straight to and from
 * the image, or else through this queue's bounce buffer with grant copy,
 * batched over every request taken in one go. The I/O goes to io_uring;
 * a request is answered only once its I/O is done (and, for a flush or a
 * barrier, synced), so what a frontend saw acknowledged is in the image.
 *
 * Nothing the frontend writes can stop the backend: ring indices that
 * cannot be are the end of this queue only, a bad request is answered with
 * an error and logged.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/log.h"
#include "blkback.h"

#define LOG_LIMIT 20
#define BATCH 1024		/* grant copy segments per batch */

/* Segments to copy, and whose they are. */
struct batch {
	struct ctl_gnt_copy_seg seg[BATCH];
	struct blk_inflight *owner[BATCH];
	unsigned int n;
};
static struct batch batch;

static void warn_req(struct blk_queue *q, const struct blk_req *r, const char *why)
{
	struct blk_dev *d = q->dev;

	d->errors++;
	if (q->logged++ < LOG_LIMIT)
		log_warnx("d%u vbd %u queue %u: request %llu (op %u) refused: %s%s",
		    d->xb->fe, d->xb->devid, q->idx, (unsigned long long)r->id,
		    r->operation, why, q->logged == LOG_LIMIT ? " (no more logged)" : "");
}

/* --- bounce pages ------------------------------------------------------ */

static void bounce_release(struct blk_queue *q, struct blk_inflight *f)
{
	unsigned int i;

	for (i = 0; i < f->req.nseg; i++) {
		if (f->bounce[i] != BLK_MAPPED)
			q->bfree[q->nbfree++] = f->bounce[i];
		f->bounce[i] = BLK_MAPPED;
	}
}

static uint32_t bounce_off(unsigned int page, unsigned int off)
{
	return page * 4096u + off;
}

/* --- responses --------------------------------------------------------- */

static void respond(struct blk_queue *q, const struct blk_req *r, int status)
{
	blkif_response_t *rsp = RING_GET_RESPONSE(&q->ring, q->ring.rsp_prod_pvt);

	log_debug("d%u q%u: response %llu: %d (rsp_prod_pvt %u)", q->dev->xb->fe, q->idx,
	    (unsigned long long)r->id, status, q->ring.rsp_prod_pvt);
	/* Written field by field: nothing is read back from the ring. */
	rsp->id = r->id;
	rsp->operation = r->operation;
	rsp->status = (int16_t)status;
	q->ring.rsp_prod_pvt++;
}

static void push(struct blk_queue *q)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->ring, notify);
	if (notify)
		palctl_evtchn_notify(&q->ev);
}

static void slot_free(struct blk_queue *q, struct blk_inflight *f)
{
	bounce_release(q, f);
	f->next = q->free;
	q->free = f;
	q->inflight--;
}

static void finish(struct blk_queue *q, struct blk_inflight *f, int status)
{
	respond(q, &f->req, status);
	slot_free(q, f);
}

/* --- grant copy ----------------------------------------------------------- */

static void batch_run(struct blk_queue *q)
{
	unsigned int i;
	int ret;

	if (batch.n == 0)
		return;
	ret = palctl_gnt_copy(&blk_ctl, batch.seg, batch.n);
	for (i = 0; i < batch.n; i++)
		if (ret < 0 || batch.seg[i].status != GNTST_okay) {
			if (batch.owner[i]->status == BLKIF_RSP_OKAY && q->logged++ < LOG_LIMIT)
				log_warnx("d%u vbd %u: grant %u: copy status %d",
				    q->dev->xb->fe, q->dev->xb->devid, batch.seg[i].ref,
				    ret < 0 ? ret : batch.seg[i].status);
			batch.owner[i]->status = BLKIF_RSP_ERROR;
		}
	batch.n = 0;
}

static void batch_add(struct blk_queue *q, struct blk_inflight *f, const struct blk_seg *s,
    unsigned int page, bool to_guest)
{
	struct ctl_gnt_copy_seg *c = &batch.seg[batch.n];

	*c = (struct ctl_gnt_copy_seg){
		.flags = to_guest ? CTL_GNT_COPY_TO_GUEST : 0, .ref = s->gref,
		.domid = (uint16_t)q->dev->xb->fe, .offset = s->offset, .len = s->len,
		.buf = q->bounce_id, .buf_offset = bounce_off(page, s->offset),
	};
	batch.owner[batch.n++] = f;
}

/* --- I/O ------------------------------------------------------------------ */

#define INFLIGHT_OF(a, member) \
	((struct blk_inflight *)((char *)(a) - offsetof(struct blk_inflight, member)))

static void op_done(struct blk_inflight *f, long res, long want)
{
	struct blk_queue *q = f->q;

	if (res != want && f->status == BLKIF_RSP_OKAY) {
		f->status = BLKIF_RSP_ERROR;
		if (q->logged++ < LOG_LIMIT)
			log_warnx("d%u vbd %u: I/O at %llu: %s", q->dev->xb->fe,
			    q->dev->xb->devid, (unsigned long long)f->req.offset,
			    res < 0 ? strerror((int)-res) : "short");
	}
	if (--f->pending == 0) {
		f->next = q->finished;
		q->finished = f;
	}
}

static void io_done(struct blk_aio *a, long res)
{
	struct blk_inflight *f = INFLIGHT_OF(a, io);

	op_done(f, res, (long)f->req.len);
}

static void sync_done(struct blk_aio *a, long res)
{
	op_done(INFLIGHT_OF(a, sync), res, 0);
}

/* Queue the request's I/O: the data (if any), then a sync if it asks. */
static void io_start(struct blk_queue *q, struct blk_inflight *f)
{
	struct blk_req *r = &f->req;
	bool data = r->nseg > 0, sync = r->op == BLK_FLUSH || r->op == BLK_BARRIER;
	int fd = q->dev->im.fd;

	f->io.done = io_done;
	f->sync.done = sync_done;
	f->pending = (data ? 1u : 0u) + (sync ? 1u : 0u);
	/* Both or neither: a linked write must not be left leading nowhere. */
	if (blk_aio_reserve(f->pending) < 0) {
		log_warnx("d%u vbd %u: the I/O ring is full", q->dev->xb->fe, q->dev->xb->devid);
		finish(q, f, BLKIF_RSP_ERROR);
		return;
	}
	if (data)
		blk_aio_rw(fd, r->op != BLK_READ, f->iov, r->nseg, r->offset, sync, &f->io);
	if (sync)
		blk_aio_fsync(fd, false, &f->sync);
}

/*
 * Where each segment's data is: a page kept mapped, or a bounce page
 * (for a write, filled by grant copy first). -EAGAIN if the bounce buffer
 * is short: nothing is kept, and the request waits.
 */
static int place(struct blk_queue *q, struct blk_inflight *f)
{
	struct blk_req *r = &f->req;
	unsigned int i;
	uint8_t *va;

	if (q->nbfree < r->nseg && !q->dev->persistent)
		return -EAGAIN;
	for (i = 0; i < r->nseg; i++) {
		const struct blk_seg *s = &r->seg[i];

		va = q->dev->persistent ? blk_pgrant_get(q->dev, s->gref) : NULL;
		if (va != NULL) {
			f->bounce[i] = BLK_MAPPED;
		} else if (q->nbfree == 0) {
			bounce_release(q, f);	/* what it got so far */
			return -EAGAIN;
		} else {
			f->bounce[i] = q->bfree[--q->nbfree];
			va = q->bounce + bounce_off(f->bounce[i], 0);
		}
		f->iov[i].iov_base = va + s->offset;
		f->iov[i].iov_len = s->len;
	}
	return 0;
}

/* The last pages of the bounce buffer hold indirect pages while they are
 * read (one request at a time); the rest are for data. */
#define INDIRECT_AREA (BLK_BOUNCE_PAGES - BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)

/* An indirect request's segments: its pages copied in, then checked. */
static int fetch_indirect(struct blk_queue *q, struct blk_inflight *f, const char **why)
{
	struct ctl_gnt_copy_seg seg[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	unsigned int i, n = f->req.nindirect;
	uint8_t *to = q->bounce + bounce_off(INDIRECT_AREA, 0), *va;

	/* A frontend keeps its indirect pages too: copied from our mapping
	 * (then only the copy is read), no grant copy round trip. */
	for (i = 0; q->dev->persistent && i < n; i++) {
		if ((va = blk_pgrant_get(q->dev, f->req.indirect[i])) == NULL)
			break;
		memcpy(to + i * 4096u, va, 4096);
	}
	if (q->dev->persistent && i == n)
		return blk_req_indirect(&q->dev->g, &f->req,
		    (const struct blkif_request_segment *)to, why);
	for (i = 0; i < n; i++)
		seg[i] = (struct ctl_gnt_copy_seg){ .ref = f->req.indirect[i],
		    .domid = (uint16_t)q->dev->xb->fe, .len = 4096, .buf = q->bounce_id,
		    .buf_offset = bounce_off(INDIRECT_AREA + i, 0) };
	if (palctl_gnt_copy(&blk_ctl, seg, n) < 0) {
		*why = "its indirect pages could not be copied";
		return BLKIF_RSP_ERROR;
	}
	for (i = 0; i < n; i++)
		if (seg[i].status != GNTST_okay) {
			*why = "an indirect page is not granted to us";
			return BLKIF_RSP_ERROR;
		}
	return blk_req_indirect(&q->dev->g, &f->req, (const struct blkif_request_segment *)to,
	    why);
}

/* --- taking requests ------------------------------------------------------ */

/* Requests waiting for copies before their I/O can start. */
struct ready {
	struct blk_inflight *f[BATCH];
	unsigned int n;
};

static void ready_run(struct blk_queue *q, struct ready *rd)
{
	unsigned int i;

	batch_run(q);
	for (i = 0; i < rd->n; i++) {
		struct blk_inflight *f = rd->f[i];

		if (f->status != BLKIF_RSP_OKAY)
			finish(q, f, f->status);
		else
			io_start(q, f);
	}
	rd->n = 0;
}

/*
 * Start a request taken off the ring (its copy checked). 0, or -EAGAIN:
 * it must wait (a barrier for the queue to drain, or bounce pages).
 */
static int start(struct blk_queue *q, struct blk_inflight *f, struct ready *rd)
{
	struct blk_req *r = &f->req;
	unsigned int i, copies = 0;
	int ret;

	if (r->op == BLK_BARRIER && q->inflight > 1)
		return -EAGAIN;			/* everything before it first */
	if (r->op == BLK_DISCARD) {
		ret = blk_image_discard(&q->dev->im, r->offset, r->len);
		if (ret < 0 && q->logged++ < LOG_LIMIT)
			log_warnx("d%u vbd %u: discard: %s", q->dev->xb->fe, q->dev->xb->devid,
			    strerror(-ret));
		finish(q, f, ret == 0 ? BLKIF_RSP_OKAY : ret == -EOPNOTSUPP ?
		    BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR);
		return 0;
	}
	if (place(q, f) < 0)
		return -EAGAIN;
	for (i = 0; i < r->nseg; i++)
		copies += f->bounce[i] != BLK_MAPPED && r->op != BLK_READ;
	if (batch.n + copies > BATCH || rd->n == BATCH)
		ready_run(q, rd);
	for (i = 0; i < r->nseg; i++)
		if (f->bounce[i] != BLK_MAPPED && r->op != BLK_READ)
			batch_add(q, f, &r->seg[i], f->bounce[i], false);
	if (r->op == BLK_BARRIER)
		q->barrier = true;
	rd->f[rd->n++] = f;
	return 0;
}

/* Take what the ring holds, as long as nothing has to wait. */
static void take(struct blk_queue *q)
{
	static struct ready rd;
	struct blkif_request raw;
	const char *why;
	unsigned int i;
	RING_IDX rp;
	int more, st;

	do {
		if (q->held != NULL) {
			if (q->barrier || start(q, q->held, &rd) < 0)
				break;
			q->held = NULL;
		}
		rp = q->ring.sring->req_prod;
		xen_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(&q->ring, rp)) {
			log_warnx("d%u vbd %u queue %u: request producer %u is impossible "
			    "(we answered %u of a %u-entry ring): queue stopped",
			    q->dev->xb->fe, q->dev->xb->devid, q->idx, rp,
			    q->ring.rsp_prod_pvt, RING_SIZE(&q->ring));
			q->broken = true;
			break;
		}
		while (q->ring.req_cons != rp && q->held == NULL && !q->barrier &&
		    !RING_REQUEST_CONS_OVERFLOW(&q->ring, q->ring.req_cons)) {
			struct blk_inflight *f = q->free;

			if (f == NULL)
				break;		/* cannot be: one slot per ring entry */
			q->free = f->next;
			q->inflight++;
			RING_COPY_REQUEST(&q->ring, q->ring.req_cons, &raw);
			log_debug("d%u q%u: request %u: op %u id %llu", q->dev->xb->fe, q->idx,
			    q->ring.req_cons, raw.operation, (unsigned long long)raw.id);
			q->ring.req_cons++;
			q->dev->requests++;
			f->status = BLKIF_RSP_OKAY;
			st = blk_req_parse(&q->dev->g, &raw, &f->req, &why);
			if (st == BLKIF_RSP_OKAY && f->req.nindirect > 0)
				st = fetch_indirect(q, f, &why);
			if (st != BLKIF_RSP_OKAY) {
				warn_req(q, &f->req, why);
				f->req.nseg = 0;
				finish(q, f, st);
				continue;
			}
			for (i = 0; i < f->req.nseg; i++)
				f->bounce[i] = BLK_MAPPED;	/* none yet */
			if (start(q, f, &rd) < 0)
				q->held = f;
		}
		ready_run(q, &rd);
		blk_aio_submit();
		if (q->held != NULL || q->barrier)
			break;
		RING_FINAL_CHECK_FOR_REQUESTS(&q->ring, more);
	} while (more);
	push(q);
}

void blk_queue_kick(struct blk_queue *q)
{
	if (q->connected && !q->broken)
		take(q);
}

void blk_queue_finish(struct blk_queue *q)
{
	struct blk_inflight *f, *next;
	unsigned int i;

	/* Reads through bounce pages: their data to the guest, all at once. */
	for (f = q->finished; f != NULL; f = f->next) {
		if (f->req.op != BLK_READ || f->status != BLKIF_RSP_OKAY)
			continue;
		for (i = 0; i < f->req.nseg; i++) {
			if (f->bounce[i] == BLK_MAPPED)
				continue;
			if (batch.n == BATCH)
				batch_run(q);
			batch_add(q, f, &f->req.seg[i], f->bounce[i], true);
		}
	}
	batch_run(q);
	for (f = q->finished, q->finished = NULL; f != NULL; f = next) {
		next = f->next;
		if (f->req.op == BLK_BARRIER)
			q->barrier = false;
		finish(q, f, f->status);
	}
	if (q->connected && !q->broken)
		take(q);	/* what waited for room or for a barrier */
	push(q);
}

/* --- connecting --------------------------------------------------------- */

static int map_ring(struct blk_queue *q, const struct blk_frontend_ring *fr,
    char *err, size_t n)
{
	size_t size = fr->npages * 4096u;
	unsigned int i;
	void *at;
	int fd;

	q->ring_va = mmap(NULL, BLK_MAX_RING_PAGES * 4096u, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->ring_va == MAP_FAILED) {
		q->ring_va = NULL;
		snprintf(err, n, "no address space for the ring");
		return -ENOMEM;
	}
	for (i = 0; i < fr->npages; i++) {
		fd = palctl_gnt_map(&blk_ctl, q->dev->xb->fe, fr->refs[i], false,
		    &q->ring_handle[i]);
		if (fd < 0) {
			snprintf(err, n, "ring page %u (grant %u): %s", i, fr->refs[i],
			    palctl_strerror(fd));
			return fd;
		}
		q->npages = i + 1;
		at = mmap(q->ring_va + i * 4096u, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, fd, 0);
		close(fd);
		if (at == MAP_FAILED) {
			snprintf(err, n, "ring page %u: %s", i, strerror(errno));
			return -errno;
		}
	}
	/* The frontend initialised the shared ring; its indices are its word
	 * and are checked as they are used. */
	BACK_RING_INIT(&q->ring, (blkif_sring_t *)q->ring_va, size);
	return 0;
}

static int make_bounce(struct blk_queue *q, char *err, size_t n)
{
	size_t size = (size_t)BLK_BOUNCE_PAGES * 4096u;
	unsigned int i;
	int fd = memfd_create("palblkback-bounce", MFD_CLOEXEC), ret;

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		snprintf(err, n, "bounce buffer: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	q->bounce = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = q->bounce == MAP_FAILED ? -errno :
	    palctl_gnt_buf_register(&blk_ctl, fd, size, &q->bounce_id);
	close(fd);
	if (ret < 0) {
		if (q->bounce != MAP_FAILED)
			munmap(q->bounce, size);
		q->bounce = NULL;
		snprintf(err, n, "bounce buffer: %s", palctl_strerror(ret));
		return ret;
	}
	for (i = 0; i < INDIRECT_AREA; i++)
		q->bfree[i] = (uint16_t)(INDIRECT_AREA - 1 - i);
	q->nbfree = INDIRECT_AREA;
	return 0;
}

int blk_queue_connect(struct blk_queue *q, const struct blk_frontend_ring *fr,
    char *err, size_t n)
{
	unsigned int i;
	int ret;

	if ((ret = map_ring(q, fr, err, n)) < 0 || (ret = make_bounce(q, err, n)) < 0)
		goto fail;
	q->nslots = RING_SIZE(&q->ring);
	q->slots = calloc(q->nslots, sizeof(*q->slots));
	if (q->slots == NULL) {
		snprintf(err, n, "no memory for %u requests", q->nslots);
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < q->nslots; i++) {
		q->slots[i].q = q;
		q->slots[i].next = i + 1 < q->nslots ? &q->slots[i + 1] : NULL;
	}
	q->free = q->slots;
	ret = palctl_evtchn_bind(&blk_ctl, q->dev->xb->fe, fr->port, &q->ev);
	if (ret < 0) {
		snprintf(err, n, "event channel %u: %s", fr->port, palctl_strerror(ret));
		goto fail;
	}
	q->bound = true;
	if ((ret = blk_poll_add(q->ev.event_fd, q)) < 0) {
		snprintf(err, n, "epoll: %s", strerror(-ret));
		goto fail;
	}
	q->connected = true;
	take(q);		/* requests queued before we came */
	return 0;
fail:
	blk_queue_disconnect(q);
	return ret;
}

void blk_queue_disconnect(struct blk_queue *q)
{
	struct blk_dev *d = q->dev;
	unsigned int i, idx = q->idx;

	/* The I/O in flight uses our pages: it finishes first, unanswered. */
	q->connected = false;
	if (q->held != NULL) {
		slot_free(q, q->held);	/* it had not started */
		q->held = NULL;
	}
	while (q->inflight > 0) {
		blk_aio_reap(true);
		while (q->finished != NULL) {
			struct blk_inflight *f = q->finished;

			q->finished = f->next;
			slot_free(q, f);
		}
	}
	if (q->bound) {
		blk_poll_del(q->ev.event_fd);
		palctl_evtchn_unbind(&blk_ctl, &q->ev);
	}
	if (q->bounce != NULL) {
		palctl_gnt_buf_unregister(&blk_ctl, q->bounce_id);
		munmap(q->bounce, (size_t)BLK_BOUNCE_PAGES * 4096u);
	}
	for (i = 0; i < q->npages; i++)
		palctl_gnt_unmap(&blk_ctl, q->ring_handle[i]);
	if (q->ring_va != NULL)
		munmap(q->ring_va, BLK_MAX_RING_PAGES * 4096u);
	free(q->slots);
	memset(q, 0, sizeof(*q));
	q->dev = d;
	q->idx = idx;
}
