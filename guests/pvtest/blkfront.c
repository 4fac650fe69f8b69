/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvtest's block frontend: finds a vbd in the store, negotiates with its
 * backend (queues, multi-page rings, indirect segments, persistent grants,
 * large sectors), and moves data through requests on the shared rings.
 * Each request in flight keeps a shadow (what was sent, which grants it
 * used), so that when the backend goes away and comes back (its state
 * leaves Connected), the rings are set up again and everything unanswered
 * is sent again.
 */
#include "blkfront.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"
#include "xenbus.h"

#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>

#define NO_POOL 0xffff
#define STATE_WAIT_NS (20ull * 1000000000ull)

struct blkf_shadow {
	bool used, done;
	int status;
	struct blkif_request req;	/* as sent: sent again after a reconnection */
	uint8_t *buf;
	size_t len;
	unsigned int nseg;
	grant_ref_t gref[BLKF_MAX_SEGS];
	uint16_t pool[BLKF_MAX_SEGS];	/* pool page per segment, or NO_POOL */
	bool registered;		/* buf is in the registered buffer */
	void *indirect;			/* this entry's indirect page */
	grant_ref_t indirect_ref;
};

/* --- the store ------------------------------------------------------------ */

static unsigned long be_num(struct blkf_dev *d, const char *key, unsigned long def)
{
	return xb_num(d->be, key, def);
}

#define fe_write(d, key, ...) xb_printf((d)->fe, key, __VA_ARGS__)

static bool be_wait_state(struct blkf_dev *d, unsigned long want)
{
	return xb_wait_state(d->be, want, STATE_WAIT_NS);
}

/* --- rings ---------------------------------------------------------------- */

/* The shared ring empty, and our indices with it. */
static void ring_reset(struct blkf_queue *q)
{
	SHARED_RING_INIT((blkif_sring_t *)q->sring);
	FRONT_RING_INIT(&q->ring, (blkif_sring_t *)q->sring, PAGE_SIZE * q->npages);
}

static int queue_setup(struct blkf_dev *d, struct blkf_queue *q)
{
	unsigned int i;
	unsigned long pfn = 0;

	q->npages = 1u << d->order;
	for (i = 0; i < q->npages; i++) {
		unsigned long p = mm_alloc_page();

		if (i == 0)
			pfn = p;
		else if (p != pfn + i)
			return -1;	/* the ring must be contiguous for us */
		q->refs[i] = gnt_page(p, false);
	}
	q->sring = pfn_to_virt(pfn);
	ring_reset(q);
	q->size = RING_SIZE(&q->ring);
	if (q->sh == NULL) {
		/* Shadows: one page per entry for its indirect segments too. */
		unsigned int per_page = PAGE_SIZE / sizeof(struct blkf_shadow);
		unsigned int pages = (q->size + per_page - 1) / per_page;

		q->sh = pfn_to_virt(mm_alloc_page());
		for (i = 1; i < pages; i++)
			mm_alloc_page();	/* contiguous after the first */
		for (i = 0; i < q->size && d->max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
			unsigned long ip = mm_alloc_page();

			q->sh[i].indirect = pfn_to_virt(ip);
			q->sh[i].indirect_ref = gnt_page(ip, true);
		}
	}
	if (q->port == 0)
		q->port = port_offer(0);
	return q->port != 0 ? 0 : -1;
}

static void publish(struct blkf_dev *d, const struct blkf_opts *o)
{
	unsigned int i, j;
	char key[48], pre[16] = "";

	if (d->order > 0)
		fe_write(d, "ring-page-order", "%u", d->order);
	if (d->nq > 1)
		fe_write(d, "multi-queue-num-queues", "%u", d->nq);
	for (i = 0; i < d->nq; i++) {
		struct blkf_queue *q = &d->q[i];

		if (d->nq > 1)
			snprintf(pre, sizeof(pre), "queue-%u/", i);
		for (j = 0; j < q->npages; j++) {
			if (d->order == 0)
				snprintf(key, sizeof(key), "%sring-ref", pre);
			else
				snprintf(key, sizeof(key), "%sring-ref%u", pre, j);
			fe_write(d, key, "%u", q->refs[j]);
		}
		snprintf(key, sizeof(key), "%sevent-channel", pre);
		fe_write(d, key, "%u", q->port);
	}
	fe_write(d, "protocol", "x86_64-abi");
	fe_write(d, "feature-persistent", "%d", o->persistent);
	fe_write(d, "feature-large-sector-size", "%d", o->large_sectors);
}

static void read_geometry(struct blkf_dev *d)
{
	d->sectors = be_num(d, "sectors", 0);
	d->unit = (unsigned int)be_num(d, "sector-size", 512);
	d->info = (unsigned int)be_num(d, "info", 0);
	d->readonly = d->info & VDISK_READONLY;
}

/* --- requests ---------------------------------------------------------- */

static void notify(struct blkf_queue *q)
{
	int n;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->ring, n);
	if (n)
		port_send(q->port);
}

static void put_request(struct blkf_queue *q, const struct blkif_request *req)
{
	memcpy(RING_GET_REQUEST(&q->ring, q->ring.req_prod_pvt), req, sizeof(*req));
	q->ring.req_prod_pvt++;
}

static int free_shadow(struct blkf_queue *q)
{
	unsigned int i;

	for (i = 0; i < q->size; i++)
		if (!q->sh[i].used)
			return (int)i;
	return -1;
}

int blkf_submit(struct blkf_dev *d, unsigned int qi, uint8_t op, uint64_t sector,
    void *buf, size_t len)
{
	struct blkf_queue *q = &d->q[qi % d->nq];
	struct blkif_request req = { .operation = op, .handle = (blkif_vdev_t)d->devid,
	    .sector_number = sector };
	struct blkif_request_segment *segs = req.seg;
	struct blkf_shadow *s;
	bool data = op == BLKIF_OP_READ || op == BLKIF_OP_WRITE ||
	    ((op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER) && len > 0);
	unsigned int i, nseg = data ? (unsigned int)((len + PAGE_SIZE - 1) / PAGE_SIZE) : 0;
	int tag = free_shadow(q);
	bool reg = d->reg != NULL && (uint8_t *)buf >= d->reg &&
	    (size_t)((uint8_t *)buf - d->reg) + nseg * PAGE_SIZE <= d->reg_pages * PAGE_SIZE &&
	    ((uint8_t *)buf - d->reg) % PAGE_SIZE == 0;

	if (data && (len > d->max_bytes || nseg > d->max_segs))
		return -2;
	/* Pool pages stay granted (the backend may keep them mapped): a
	 * request waits for them rather than granting other pages. */
	if (tag < 0 || (!reg && d->persistent && d->npool < nseg))
		return -1;
	s = &q->sh[tag];
	memset(s->pool, 0xff, sizeof(s->pool[0]) * nseg);
	s->registered = reg;
	s->buf = buf;
	s->len = len;
	s->nseg = nseg;
	if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		segs = s->indirect;
	for (i = 0; i < nseg; i++) {
		size_t chunk = len - i * PAGE_SIZE < PAGE_SIZE ? len - i * PAGE_SIZE : PAGE_SIZE;
		uint8_t *page = (uint8_t *)buf + i * PAGE_SIZE;

		if (reg) {
			s->gref[i] = d->reg_ref[(page - d->reg) / PAGE_SIZE];
		} else if (d->persistent) {
			s->pool[i] = d->pool[--d->npool];
			s->gref[i] = d->pool_ref[s->pool[i]];
			if (op != BLKIF_OP_READ)
				memcpy(pfn_to_virt(d->pool_pfn + s->pool[i]), page, chunk);
		} else {
			s->gref[i] = gnt_page(virt_to_pfn(page), op != BLKIF_OP_READ);
		}
		segs[i].gref = s->gref[i];
		segs[i].first_sect = 0;
		segs[i].last_sect = (uint8_t)((chunk + d->unit - 1) / d->unit - 1);
	}
	if (op == BLKIF_OP_DISCARD) {
		struct blkif_request_discard *dr = (struct blkif_request_discard *)&req;

		dr->flag = 0;
		dr->nr_sectors = len / d->unit;
	} else if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		struct blkif_request_indirect *ir = (struct blkif_request_indirect *)&req;

		memset(ir, 0, sizeof(*ir));
		ir->operation = BLKIF_OP_INDIRECT;
		ir->indirect_op = op;
		ir->nr_segments = (uint16_t)nseg;
		ir->sector_number = sector;
		ir->handle = (blkif_vdev_t)d->devid;
		ir->indirect_grefs[0] = s->indirect_ref;
	} else {
		req.nr_segments = (uint8_t)nseg;
	}
	req.id = (uint64_t)tag;
	s->req = req;
	s->used = true;
	s->done = false;
	q->inflight++;
	put_request(q, &req);
	if (!d->batch)
		notify(q);
	return (int)(qi % d->nq) * 1024 + tag;
}

void blkf_push(struct blkf_dev *d)
{
	unsigned int i;

	for (i = 0; i < d->nq; i++)
		notify(&d->q[i]);
}

/* The operation a response must carry: an indirect request's is the
 * operation inside it (blkif.h; Linux's blkfront refuses anything else). */
static uint8_t answered_op(const struct blkif_request *r)
{
	if (r->operation == BLKIF_OP_INDIRECT)
		return ((const struct blkif_request_indirect *)r)->indirect_op;
	return r->operation;
}

/* A response for shadow s: its data out of the pool, its grants back. */
static void complete(struct blkf_dev *d, struct blkf_shadow *s, int status)
{
	unsigned int i;

	for (i = 0; i < s->nseg; i++) {
		size_t chunk = s->len - i * PAGE_SIZE < PAGE_SIZE ? s->len - i * PAGE_SIZE :
		    PAGE_SIZE;

		if (s->pool[i] != NO_POOL) {
			if (answered_op(&s->req) == BLKIF_OP_READ)
				memcpy(s->buf + i * PAGE_SIZE, pfn_to_virt(d->pool_pfn + s->pool[i]),
				    chunk);
			d->pool[d->npool++] = s->pool[i];
		} else if (!s->registered) {
			gnt_end(s->gref[i]);
		}
	}
	s->status = status;
	s->done = true;
}

/* Set up again after the backend went away; send what is unanswered. */
static void reconnect(struct blkf_dev *d)
{
	struct blkf_opts o = { .persistent = d->persistent, .large_sectors = d->unit != 512 };
	unsigned int i, j;

	printk("blkfront: backend of vbd %u left Connected: reconnecting\n", d->devid);
	d->reconnects++;
	if (!be_wait_state(d, XenbusStateInitWait)) {
		printk("blkfront: the backend did not come back\n");
		poweroff(SHUTDOWN_crash);
	}
	fe_write(d, "state", "%d", XenbusStateInitialising);
	for (i = 0; i < d->nq; i++)
		ring_reset(&d->q[i]);
	publish(d, &o);
	fe_write(d, "state", "%d", XenbusStateInitialised);
	if (!be_wait_state(d, XenbusStateConnected)) {
		printk("blkfront: the backend did not connect again\n");
		poweroff(SHUTDOWN_crash);
	}
	fe_write(d, "state", "%d", XenbusStateConnected);
	for (i = 0; i < d->nq; i++) {
		struct blkf_queue *q = &d->q[i];
		unsigned int again = 0;

		for (j = 0; j < q->size; j++)
			if (q->sh[j].used && !q->sh[j].done) {
				put_request(q, &q->sh[j].req);
				again++;
			}
		notify(q);
		if (again)
			printk("blkfront: queue %u: %u requests sent again\n", i, again);
	}
}

/* Did the backend leave Connected? Looked at when the store says anything. */
static void check_backend(struct blkf_dev *d)
{
	bool any = false;

	while (xb_event_pending()) {
		xb_event();
		any = true;
	}
	if (any && be_num(d, "state", 0) != XenbusStateConnected)
		reconnect(d);
}

int blkf_reap(struct blkf_dev *d, int *tag, int *status, uint64_t timeout_ns)
{
	uint64_t now = system_time(), end = now + timeout_ns;
	uint64_t spin = now + (d->poll_ns < timeout_ns ? d->poll_ns : timeout_ns);
	evtchn_port_t ports[BLKF_MAX_QUEUES + 1];
	struct sched_poll poll = { .nr_ports = d->nq + 1 };
	unsigned int i, j;

	for (i = 0; i < d->nq; i++)
		ports[i] = d->q[i].port;
	ports[d->nq] = start_info->store_evtchn;
	set_xen_guest_handle(poll.ports, ports);
	for (;;) {
		for (i = 0; i < d->nq; i++) {
			struct blkf_queue *q = &d->q[i];
			RING_IDX rp = q->ring.sring->rsp_prod;

			xen_rmb();
			while (q->ring.rsp_cons != rp) {
				blkif_response_t rsp = *RING_GET_RESPONSE(&q->ring, q->ring.rsp_cons);

				q->ring.rsp_cons++;
				if (rsp.id < q->size && q->sh[rsp.id].used && !q->sh[rsp.id].done) {
					struct blkf_shadow *s = &q->sh[rsp.id];

					if (rsp.operation != answered_op(&s->req)) {
						printk("blkfront: response %u has operation %u, not %u\n",
						    (unsigned int)rsp.id, rsp.operation, answered_op(&s->req));
						rsp.status = BLKIF_RSP_ERROR;
					}
					complete(d, s, rsp.status);
				}
			}
			for (j = 0; j < q->size; j++)
				if (q->sh[j].used && q->sh[j].done) {
					q->sh[j].used = false;
					q->inflight--;
					*tag = (int)i * 1024 + (int)j;
					*status = q->sh[j].status;
					return 1;
				}
		}
		check_backend(d);
		now = system_time();
		if (now >= end)
			return 0;
		if (now < spin) {
			cpu_relax();
			continue;
		}
		poll.timeout = end;
		upcalls_off();
		/* Ask to be told of the next response (rsp_event), then look. */
		for (i = 0; i < d->nq; i++) {
			int more;

			RING_FINAL_CHECK_FOR_RESPONSES(&d->q[i].ring, more);
			if (more)
				break;
		}
		if (i == d->nq && !xb_event_pending())
			hv_sched_op(SCHEDOP_poll, &poll);
		upcalls_on();
	}
}

int blkf_sync(struct blkf_dev *d, uint8_t op, uint64_t sector, void *buf, size_t len)
{
	size_t done = 0, chunk;
	int tag, st = BLKIF_RSP_OKAY, t;

	do {
		chunk = len - done < d->max_bytes ? len - done : d->max_bytes;
		if (op == BLKIF_OP_DISCARD)
			chunk = len;
		tag = blkf_submit(d, 0, op, sector + done / d->unit, (uint8_t *)buf + done, chunk);
		if (tag < 0)
			return BLKIF_RSP_ERROR;
		if (blkf_reap(d, &t, &st, 30ull * 1000000000ull) != 1)
			return BLKIF_RSP_ERROR;
		done += chunk;
	} while (st == BLKIF_RSP_OKAY && done < len);
	return st;
}

int blkf_raw(struct blkf_dev *d, const void *raw)
{
	struct blkf_queue *q = &d->q[0];
	struct blkif_request req;
	int tag = free_shadow(q), t, st;

	if (tag < 0)
		return -1;
	memcpy(&req, raw, sizeof(req));
	req.id = (uint64_t)tag;
	q->sh[tag] = (struct blkf_shadow){ .used = true, .req = req,
	    .indirect = q->sh[tag].indirect, .indirect_ref = q->sh[tag].indirect_ref };
	q->inflight++;
	put_request(q, &req);
	notify(q);
	return blkf_reap(d, &t, &st, 10ull * 1000000000ull) == 1 ? st : -1;
}

/* --- connecting ------------------------------------------------------- */

int blkf_open(struct blkf_dev *d, unsigned int nth, const struct blkf_opts *o)
{
	char path[192];
	unsigned int i;

	memset(d, 0, sizeof(*d));
	xb_init();
	gnt_left();		/* the grant table, before the memory grows */
	mm_grow(~0ul);		/* rings, shadows and pools need room */
	if (xb_find_dev("vbd", nth, &d->devid, d->fe, sizeof(d->fe), d->be,
	    sizeof(d->be)) != 0) {
		printk("blkfront: no vbd %u in the store\n", nth);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/state", d->be);
	xb_watch(path, "blk-be");
	if (!be_wait_state(d, XenbusStateInitWait)) {
		printk("blkfront: vbd %u: the backend never waited for us (state %lu)\n",
		    d->devid, be_num(d, "state", 0));
		return -1;
	}
	d->nq = o->queues ? o->queues : 1;
	if (d->nq > be_num(d, "multi-queue-max-queues", 1))
		d->nq = (unsigned int)be_num(d, "multi-queue-max-queues", 1);
	if (d->nq > BLKF_MAX_QUEUES)
		d->nq = BLKF_MAX_QUEUES;
	d->order = o->order;
	if (d->order > be_num(d, "max-ring-page-order", 0))
		d->order = (unsigned int)be_num(d, "max-ring-page-order", 0);
	if (d->order > BLKF_MAX_ORDER)
		d->order = BLKF_MAX_ORDER;
	d->persistent = o->persistent && be_num(d, "feature-persistent", 0) == 1;
	d->max_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	if (o->indirect && be_num(d, "feature-max-indirect-segments", 0) > d->max_segs)
		d->max_segs = (unsigned int)be_num(d, "feature-max-indirect-segments", 0);
	if (d->max_segs > BLKF_MAX_SEGS)
		d->max_segs = BLKF_MAX_SEGS;
	d->max_bytes = d->max_segs * PAGE_SIZE;
	d->flush = be_num(d, "feature-flush-cache", 0) == 1;
	d->barrier = be_num(d, "feature-barrier", 0) == 1;
	d->discard = be_num(d, "feature-discard", 0) == 1;
	if (d->persistent) {
		d->pool_pfn = mm_alloc_page();
		d->pool_size = o->pool > 0 && o->pool < BLKF_POOL ? o->pool : BLKF_POOL;
		for (i = 1; i < d->pool_size; i++)
			mm_alloc_page();
		for (i = 0; i < d->pool_size; i++) {
			d->pool_ref[i] = gnt_page(d->pool_pfn + i, false);
			d->pool[d->npool++] = (uint16_t)(d->pool_size - 1 - i);
		}
	}
	for (i = 0; i < d->nq; i++) {
		d->q[i].idx = i;
		if (queue_setup(d, &d->q[i]) != 0) {
			printk("blkfront: vbd %u: queue %u cannot be set up\n", d->devid, i);
			return -1;
		}
	}
	publish(d, o);
	fe_write(d, "state", "%d", XenbusStateInitialised);
	if (!be_wait_state(d, XenbusStateConnected)) {
		printk("blkfront: vbd %u: the backend did not connect (state %lu)\n",
		    d->devid, be_num(d, "state", 0));
		return -1;
	}
	read_geometry(d);
	fe_write(d, "state", "%d", XenbusStateConnected);
	printk("blkfront: vbd %u: %llu sectors of %u bytes%s, %u queue(s) of %u page(s), "
	    "%u segments per request%s%s%s%s\n", d->devid, (unsigned long long)d->sectors,
	    d->unit, d->readonly ? " (read-only)" : "", d->nq, 1u << d->order, d->max_segs,
	    d->persistent ? ", persistent grants" : "", d->flush ? ", flush" : "",
	    d->barrier ? ", barrier" : "", d->discard ? ", discard" : "");
	return 0;
}

int blkf_register(struct blkf_dev *d, void *buf, size_t len)
{
	unsigned int i, n = (unsigned int)((len + PAGE_SIZE - 1) / PAGE_SIZE);

	if (d->reg != NULL || n > BLKF_MAX_REG || n > gnt_left() ||
	    (uintptr_t)buf % PAGE_SIZE != 0)
		return -1;
	for (i = 0; i < n; i++)
		d->reg_ref[i] = gnt_page(virt_to_pfn((uint8_t *)buf + i * PAGE_SIZE), false);
	d->reg = buf;
	d->reg_pages = n;
	return 0;
}

void blkf_close(struct blkf_dev *d)
{
	fe_write(d, "state", "%d", XenbusStateClosing);
	be_wait_state(d, XenbusStateClosing);
	fe_write(d, "state", "%d", XenbusStateClosed);
	be_wait_state(d, XenbusStateClosed);
}
