/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's side of the store: requests written into the store page's
 * request ring (start_info's store_mfn and store_evtchn), replies read from
 * its response ring, one request at a time; watch events that arrive
 * meanwhile are kept for xb_event. Waiting is done with upcalls off, then
 * SCHEDOP_block, so no event is lost between a look and a sleep.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "xenbus.h"

#include <xen/io/xs_wire.h>

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static uint32_t next_id = 1;

/* Watch events that came while a reply was awaited. */
#define EVENTS 8
static char events[EVENTS][128];
static unsigned int ev_head, ev_tail;

void xb_init(void)
{
	intf = pfn_to_virt(start_info->store_mfn);
	port = start_info->store_evtchn;
	events_init();
	unmask_port(port);
}

/* Until cond() holds, sleeping on the store's event channel. */
static void wait_for(bool (*cond)(void))
{
	for (;;) {
		upcalls_off();
		if (cond())
			break;
		wait_event();
	}
	upcalls_on();
}

static bool req_room(void)
{
	return intf->req_prod - intf->req_cons < XENSTORE_RING_SIZE;
}

static void put(const void *data, size_t n)
{
	const char *p = data;
	struct evtchn_send s = { .port = port };

	while (n > 0) {
		XENSTORE_RING_IDX prod;
		size_t room, chunk;

		wait_for(req_room);
		prod = intf->req_prod;
		room = XENSTORE_RING_SIZE - (prod - intf->req_cons);
		chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
		chunk = chunk < room ? chunk : room;
		chunk = chunk < n ? chunk : n;
		memcpy(intf->req + MASK_XENSTORE_IDX(prod), p, chunk);
		mb();
		intf->req_prod = prod + (XENSTORE_RING_IDX)chunk;
		hv_event_channel_op(EVTCHNOP_send, &s);
		p += chunk;
		n -= chunk;
	}
}

static bool rsp_ready(void)
{
	return intf->rsp_prod != intf->rsp_cons;
}

static void get(void *data, size_t n)
{
	char *p = data;
	struct evtchn_send s = { .port = port };

	while (n > 0) {
		XENSTORE_RING_IDX cons;
		size_t avail, chunk;

		wait_for(rsp_ready);
		cons = intf->rsp_cons;
		avail = intf->rsp_prod - cons;
		chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
		chunk = chunk < avail ? chunk : avail;
		chunk = chunk < n ? chunk : n;
		mb();
		memcpy(p, intf->rsp + MASK_XENSTORE_IDX(cons), chunk);
		mb();
		intf->rsp_cons = cons + (XENSTORE_RING_IDX)chunk;
		hv_event_channel_op(EVTCHNOP_send, &s);
		p += chunk;
		n -= chunk;
	}
}

long xb_request(uint32_t type, uint32_t tx, const void *payload, size_t len,
    char *reply, size_t *rlen)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h = { .type = type, .req_id = next_id++, .tx_id = tx,
	    .len = (uint32_t)len };

	put(&h, sizeof(h));
	put(payload, len);
	for (;;) {
		get(&h, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			return -XEN_EIO;
		get(buf, h.len);
		buf[h.len] = '\0';
		if (h.type != XS_WATCH_EVENT)
			break;
		if (ev_head - ev_tail < EVENTS) {
			memcpy(events[ev_head % EVENTS], buf,
			    h.len < sizeof(events[0]) ? h.len + 1 : sizeof(events[0]));
			events[ev_head % EVENTS][sizeof(events[0]) - 1] = '\0';
			ev_head++;
		}
	}
	if (h.type == XS_ERROR) {
		if (reply != NULL && rlen != NULL) {
			*rlen = *rlen < h.len ? *rlen : h.len;
			memcpy(reply, buf, *rlen);	/* "EACCES\0" and the like */
		}
		return -1;
	}
	if (reply != NULL && rlen != NULL) {
		*rlen = *rlen < h.len ? *rlen : h.len;
		memcpy(reply, buf, *rlen);
	}
	return 0;
}

void xb_send(uint32_t type, const void *payload, size_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = next_id++, .len = (uint32_t)len };

	put(&h, sizeof(h));
	put(payload, len);
}

long xb_write(const char *path, const char *value)
{
	char buf[512];
	size_t pl = strlen(path) + 1, vl = strlen(value);

	if (pl + vl > sizeof(buf))
		return -XEN_E2BIG;
	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vl);
	return xb_request(XS_WRITE, 0, buf, pl + vl, NULL, NULL);
}

long xb_read(const char *path, char *value, size_t n)
{
	size_t len = n - 1;
	long r = xb_request(XS_READ, 0, path, strlen(path) + 1, value, &len);

	value[r == 0 ? len : 0] = '\0';
	return r;
}

bool xb_event_pending(void)
{
	return ev_tail != ev_head || intf->rsp_prod != intf->rsp_cons;
}

/* The next watch event's path (the token follows it), or NULL: one that
 * came during a request, or the next one from the ring. */
const char *xb_event(void)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;

	if (ev_tail != ev_head)
		return events[ev_tail++ % EVENTS];
	get(&h, sizeof(h));
	if (h.len > XENSTORE_PAYLOAD_MAX)
		return NULL;
	get(buf, h.len);
	buf[h.len] = '\0';
	return h.type == XS_WATCH_EVENT ? buf : NULL;
}

/* XS_WATCH or XS_UNWATCH: path\0token\0 as one request. */
static long watch_op(uint32_t type, const char *path, const char *token)
{
	char buf[256], rep[16];
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1, rl = sizeof(rep);

	if (pl + tl > sizeof(buf))
		return -1;
	memcpy(buf, path, pl);
	memcpy(buf + pl, token, tl);
	return xb_request(type, 0, buf, pl + tl, rep, &rl);
}

long xb_watch(const char *path, const char *token)
{
	return watch_op(XS_WATCH, path, token);
}

long xb_unwatch(const char *path, const char *token)
{
	return watch_op(XS_UNWATCH, path, token);
}

unsigned long xb_read_ulong(const char *path, unsigned long def)
{
	char val[32];
	const char *end;
	unsigned long v;

	if (xb_read(path, val, sizeof(val)) != 0 || val[0] == '\0')
		return def;
	v = strtoul(val, &end, 10);
	return *end == '\0' ? v : def;
}

/* --- what the frontends share ------------------------------------------------ */

int xb_find_dev(const char *type, unsigned int nth, uint32_t *devid, char *fe, size_t fen,
    char *be, size_t ben)
{
	char list[256], dir[32];
	size_t len = sizeof(list) - 1, at = 0;
	unsigned int i = 0;

	snprintf(dir, sizeof(dir), "device/%s", type);
	if (xb_request(XS_DIRECTORY, 0, dir, strlen(dir) + 1, list, &len) != 0)
		return -1;
	list[len] = '\0';
	while (at < len && i < nth) {
		at += strlen(list + at) + 1;
		i++;
	}
	if (at >= len)
		return -1;
	*devid = (uint32_t)strtoul(list + at, NULL, 10);
	snprintf(fe, fen, "%s/%u", dir, *devid);
	snprintf(list, sizeof(list), "%s/backend", fe);
	return xb_read(list, be, ben) == 0 ? 0 : -1;
}

void xb_printf(const char *dir, const char *key, const char *fmt, ...)
{
	char path[192], val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	xb_write(path, val);
}

unsigned long xb_num(const char *dir, const char *key, unsigned long def)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xb_read_ulong(path, def);
}

bool xb_wait_state(const char *dir, unsigned long want, uint64_t ns)
{
	uint64_t end = system_time() + ns;

	for (;;) {
		if (xb_num(dir, "state", 0) == want)
			return true;
		if (system_time() > end)
			return false;
		while (xb_event_pending())
			xb_event();
		port_wait_ns(start_info->store_evtchn,
		    port_hits[start_info->store_evtchn] + 1, 100000000ull);
	}
}
