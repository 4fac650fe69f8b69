/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests' store connections: the shared store page (xen/io/xs_wire.h's
 * xenstore_domain_interface, the guest's reserved store grant) and its
 * event channel, mapped and bound through palisade-hv for each domain dom0
 * introduces. Every index in the page is the guest's and untrusted: read
 * once, checked against the ring's size, and a violation ends that guest's
 * connection only. Requests are taken out of the ring as they arrive,
 * in parts if need be, and handled once whole; replies go straight into
 * the response ring while there is room. A guest that leaves its replies unread is not read from until it
 * catches up, and the watch events it would be sent meanwhile are dropped
 * (XSA-326/416: it cannot make palstored grow).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/xen.h"
#include "../libctl/palctl.h"
#include "store_ring.h"

#define MAX_RINGS	256
#define OUT_MAX		(64u << 10)	/* queued for one guest before it is stalled */

struct ring {
	bool used, dead, dropped;
	uint32_t domid;
	struct xenstore_domain_interface *intf;
	uint32_t gnt_handle;
	struct palctl_evtchn ev;
	struct xs_conn *conn;
	struct xs_outq out;
	/* The request being taken from the ring: have bytes of it so far. */
	uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	size_t have;
};

static struct ring rings[MAX_RINGS];
static struct palctl *ctl;
static struct xs_store *store;
static int ep;

static struct ring *ring_of(uint32_t domid)
{
	unsigned int i;

	for (i = 0; i < MAX_RINGS; i++)
		if (rings[i].used && rings[i].domid == domid)
			return &rings[i];
	return NULL;
}

/* Move queued output into the response ring; true if any moved. */
static bool ring_push(struct ring *r)
{
	struct xenstore_domain_interface *in = r->intf;
	XENSTORE_RING_IDX cons = __atomic_load_n(&in->rsp_cons, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX prod = in->rsp_prod;	/* ours; the guest cannot move it */
	size_t room, n, done = 0;

	if (prod - cons > XENSTORE_RING_SIZE) {
		log_warnx("d%u: store ring: response indices %u/%u", r->domid, cons, prod);
		r->dead = true;
		return false;
	}
	room = XENSTORE_RING_SIZE - (prod - cons);
	while (done < r->out.len && room > 0) {
		n = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
		n = n < room ? n : room;
		n = n < r->out.len - done ? n : r->out.len - done;
		memcpy(in->rsp + MASK_XENSTORE_IDX(prod), r->out.buf + done, n);
		prod += (XENSTORE_RING_IDX)n;
		room -= n;
		done += n;
	}
	if (done == 0)
		return false;
	__atomic_store_n(&in->rsp_prod, prod, __ATOMIC_RELEASE);
	xs_outq_taken(&r->out, done);
	return true;
}

static void ring_send(void *opaque, const struct xsd_sockmsg *h, const void *payload)
{
	struct ring *r = opaque;
	int ret;

	if (r->dead)
		return;
	ret = xs_outq_add(&r->out, OUT_MAX, h, payload);
	if (ret == -ENOSPC) {
		if (!r->dropped)
			log_warnx("d%u: store replies unread: dropping its watch events",
			    r->domid);
		r->dropped = true;
		return;
	}
	if (ret < 0) {
		r->dead = true;
		return;
	}
	if (ring_push(r))
		palctl_evtchn_notify(&r->ev);
}

/* Copy n bytes at index at of the request ring. */
static void ring_peek(const struct xenstore_domain_interface *in,
    XENSTORE_RING_IDX at, void *dst, size_t n)
{
	size_t first = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(at);

	first = first < n ? first : n;
	memcpy(dst, in->req + MASK_XENSTORE_IDX(at), first);
	memcpy((uint8_t *)dst + first, in->req, n - first);
}

/*
 * Take everything the guest has written, whole requests or not, and handle
 * each request once it is whole. A part must leave the ring too: Linux
 * notifies only when it finds the ring empty, so it writes a header,
 * notifies, writes the payload and does not notify again.
 */
static bool ring_pull(struct ring *r)
{
	struct xenstore_domain_interface *in = r->intf;
	XENSTORE_RING_IDX cons, prod;
	struct xsd_sockmsg h;
	bool moved = false;
	unsigned int budget;
	size_t want, n;

	/* Each turn takes a byte at least: a ring's worth, however the guest
	 * refills it meanwhile. */
	for (budget = XENSTORE_RING_SIZE; budget > 0 && !r->dead; budget--) {
		if (r->out.len > OUT_MAX / 2)
			break;		/* it is not reading: neither are we */
		cons = in->req_cons;	/* ours */
		prod = __atomic_load_n(&in->req_prod, __ATOMIC_ACQUIRE);
		if (prod - cons > XENSTORE_RING_SIZE) {
			log_warnx("d%u: store ring: request indices %u/%u", r->domid,
			    cons, prod);
			r->dead = true;
			break;
		}
		memcpy(&h, r->msg, sizeof(h));
		want = r->have < sizeof(h) ? sizeof(h) : sizeof(h) + h.len;
		n = prod - cons < want - r->have ? prod - cons : want - r->have;
		if (n == 0)
			break;
		ring_peek(in, cons, r->msg + r->have, n);
		__atomic_store_n(&in->req_cons, cons + (XENSTORE_RING_IDX)n,
		    __ATOMIC_RELEASE);
		r->have += n;
		moved = true;
		if (r->have < sizeof(h))
			continue;
		memcpy(&h, r->msg, sizeof(h));	/* the copy, not the ring */
		if (h.len > XENSTORE_PAYLOAD_MAX) {
			log_warnx("d%u: a %u-byte store request", r->domid, h.len);
			r->dead = true;
			break;
		}
		if (r->have < sizeof(h) + h.len)
			continue;
		r->have = 0;
		if (xs_handle(r->conn, &h, r->msg + sizeof(h)) < 0)
			r->dead = true;
	}
	return moved;
}

static void ring_close(struct ring *r)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, r->ev.event_fd, NULL);
	palctl_evtchn_unbind(ctl, &r->ev);
	if (r->intf != NULL) {
		munmap(r->intf, 4096);
		palctl_gnt_unmap(ctl, r->gnt_handle);
	}
	xs_conn_free(r->conn);
	xs_outq_free(&r->out);
	memset(r, 0, sizeof(*r));
}

void ring_event(uint64_t data)
{
	struct ring *r = &rings[data % MAX_RINGS];
	bool notify;

	if (!r->used)
		return;
	palctl_evtchn_wait(&r->ev, 0);
	notify = ring_push(r);
	notify |= ring_pull(r);
	notify |= ring_push(r);
	if (r->out.len == 0)
		r->dropped = false;
	if (notify && !r->dead)
		palctl_evtchn_notify(&r->ev);
	if (r->dead) {
		log_warnx("d%u: store connection closed", r->domid);
		ring_close(r);
	}
}

static void ring_open(uint32_t domid, uint32_t port)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ring *r = ring_of(domid);
	unsigned int i;
	void *p;
	int fd;

	if (r != NULL)
		ring_close(r);		/* introduced again: a new page and port */
	for (i = 0; i < MAX_RINGS && rings[i].used; i++)
		;
	if (i == MAX_RINGS) {
		log_warnx("d%u: too many store connections", domid);
		return;
	}
	r = &rings[i];
	fd = palctl_gnt_map(ctl, domid, GNTTAB_RESERVED_XENSTORE, false, &r->gnt_handle);
	if (fd < 0) {
		struct ctl_domain_info info;

		log_warnx("d%u: cannot map the store page: %s", domid, palctl_strerror(fd));
		if (palctl_domain_info(ctl, domid, &info) == -XEN_ESRCH)
			xs_store_domain_gone(store, domid);	/* gone while we were down */
		return;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		palctl_gnt_unmap(ctl, r->gnt_handle);
		return;
	}
	r->intf = p;
	if (palctl_evtchn_bind(ctl, domid, port, &r->ev) < 0) {
		log_warnx("d%u: cannot bind store port %u", domid, port);
		munmap(p, 4096);
		palctl_gnt_unmap(ctl, r->gnt_handle);
		memset(r, 0, sizeof(*r));
		return;
	}
	r->used = true;
	r->domid = domid;
	r->conn = xs_conn_new(store, domid, ring_send, r);
	ev.data.u64 = RING_EVENT | i;
	if (r->conn == NULL || epoll_ctl(ep, EPOLL_CTL_ADD, r->ev.event_fd, &ev) < 0) {
		ring_close(r);
		return;
	}
	r->intf->connection = XENSTORE_CONNECTED;
	log_info("d%u: store connected (port %u)", domid, port);
	ring_event(i);		/* requests written before we came */
}

static void on_domain(void *opaque, uint32_t domid, uint64_t mfn, uint32_t port,
    bool introduce)
{
	struct ring *r;

	(void)opaque;
	(void)mfn;	/* the page is found by its grant, not its frame */
	if (introduce)
		ring_open(domid, port);
	else if ((r = ring_of(domid)) != NULL)
		ring_close(r);
}

void ring_init(struct xs_store *s, struct palctl *c, int epoll_fd)
{
	store = s;
	ctl = c;
	ep = epoll_fd;
	xs_store_set_domain_hook(s, on_domain, NULL);
	xs_store_each_domain(s, on_domain, NULL);	/* after a restart */
}

/* Domains that are gone lose their nodes and their connection. */
void ring_reap(void)
{
	struct ctl_domain_info info;
	unsigned int i;

	for (i = 0; i < MAX_RINGS; i++) {
		if (!rings[i].used || palctl_domain_info(ctl, rings[i].domid, &info) !=
		    -XEN_ESRCH)
			continue;
		log_info("d%u: gone: releasing it from the store", rings[i].domid);
		xs_store_domain_gone(store, rings[i].domid);	/* closes the ring */
		if (rings[i].used)
			ring_close(&rings[i]);
	}
}
