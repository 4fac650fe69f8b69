/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A network frontend: one vif's TX and RX rings in one page each, one
 * event channel, receive by copy (request-rx-copy). Every frame goes in one
 * TX slot from a page granted read-only; RX buffers are whole pages kept
 * posted. Enough to test palnetback and the switch, not a full netfront.
 */
#include "netfront.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"
#include "xenbus.h"
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>

#define STATE_WAIT_NS (20ull * 1000000000ull)

#define fe_write(n, key, ...) xb_printf((n)->fe, key, __VA_ARGS__)

static unsigned long be_num(struct netf *n, const char *key, unsigned long def)
{
	return xb_num(n->be, key, def);
}

static bool be_wait_state(struct netf *n, unsigned long want)
{
	return xb_wait_state(n->be, want, STATE_WAIT_NS);
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "00:16:3e:01:02:03" */
static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int i;

	for (i = 0; i < 6; i++, s += 3) {
		if (hex(s[0]) < 0 || hex(s[1]) < 0 || (i < 5 && s[2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hex(s[0]) << 4 | hex(s[1]));
	}
	return 0;
}

static int find_vif(struct netf *n, unsigned int nth)
{
	char mac[32] = "", path[96];

	if (xb_find_dev("vif", nth, &n->devid, n->fe, sizeof(n->fe), n->be, sizeof(n->be)) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/mac", n->fe);
	return xb_read(path, mac, sizeof(mac)) == 0 && parse_mac(mac, n->mac) == 0 ? 0 : -1;
}

static void post_rx(struct netf *n, uint16_t id)
{
	netif_rx_request_t *r = RING_GET_REQUEST(&n->rx, n->rx.req_prod_pvt);

	r->id = id;
	r->gref = n->rx_gref[id];
	n->rx.req_prod_pvt++;
}

static void push(struct netf *n)
{
	int a = 0, b = 0;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&n->tx, a);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&n->rx, b);
	if (a || b)
		port_send(n->port);
}

int netf_open(struct netf *n, unsigned int nth)
{
	char path[192];
	unsigned int i;
	unsigned long p;

	memset(n, 0, sizeof(*n));
	xb_init();
	gnt_left();
	mm_grow(~0ul);
	if (find_vif(n, nth) != 0) {
		printk("netfront: no vif %u in the store\n", nth);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/state", n->be);
	xb_watch(path, "net-be");
	if (!be_wait_state(n, XenbusStateInitWait)) {
		printk("netfront: vif %u: the backend never waited for us (state %lu)\n",
		    n->devid, be_num(n, "state", 0));
		return -1;
	}
	p = mm_alloc_page();
	SHARED_RING_INIT((netif_tx_sring_t *)pfn_to_virt(p));
	FRONT_RING_INIT(&n->tx, (netif_tx_sring_t *)pfn_to_virt(p), PAGE_SIZE);
	n->tx_ref = gnt_page(p, false);
	p = mm_alloc_page();
	SHARED_RING_INIT((netif_rx_sring_t *)pfn_to_virt(p));
	FRONT_RING_INIT(&n->rx, (netif_rx_sring_t *)pfn_to_virt(p), PAGE_SIZE);
	n->rx_ref = gnt_page(p, false);
	for (i = 0; i < NETF_TX_BUFS; i++) {
		p = mm_alloc_page();
		n->tx_buf[i] = pfn_to_virt(p);
		n->tx_gref[i] = gnt_page(p, true);
		n->tx_free[n->ntx_free++] = (uint16_t)i;
	}
	for (i = 0; i < NETF_RX_BUFS; i++) {
		p = mm_alloc_page();
		n->rx_buf[i] = pfn_to_virt(p);
		n->rx_gref[i] = gnt_page(p, false);
		post_rx(n, (uint16_t)i);
	}
	n->port = port_offer(0);
	if (n->port == 0)
		return -1;
	fe_write(n, "tx-ring-ref", "%u", n->tx_ref);
	fe_write(n, "rx-ring-ref", "%u", n->rx_ref);
	fe_write(n, "event-channel", "%u", n->port);
	fe_write(n, "request-rx-copy", "1");
	fe_write(n, "feature-rx-notify", "1");
	fe_write(n, "feature-sg", "1");
	fe_write(n, "state", "%d", XenbusStateConnected);
	if (!be_wait_state(n, XenbusStateConnected)) {
		printk("netfront: vif %u: the backend did not connect (state %lu)\n", n->devid,
		    be_num(n, "state", 0));
		return -1;
	}
	push(n);
	printk("netfront: vif %u: mac %02x:%02x:%02x:%02x:%02x:%02x, connected\n", n->devid,
	    n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	return 0;
}

static void reap_tx(struct netf *n)
{
	RING_IDX rp = n->tx.sring->rsp_prod, i;

	xen_rmb();
	for (i = n->tx.rsp_cons; i != rp; i++) {
		netif_tx_response_t r = *RING_GET_RESPONSE(&n->tx, i);

		if (r.status == NETIF_RSP_NULL)
			continue;
		if (r.status != NETIF_RSP_OKAY)
			n->tx_errors++;
		if (r.id < NETF_TX_BUFS && n->ntx_free < NETF_TX_BUFS)
			n->tx_free[n->ntx_free++] = r.id;
	}
	n->tx.rsp_cons = rp;
}

int netf_send(struct netf *n, const void *frame, size_t len)
{
	netif_tx_request_t *r;
	uint16_t id;

	reap_tx(n);
	if (n->ntx_free == 0 || len > PAGE_SIZE || RING_FULL(&n->tx))
		return -1;
	id = n->tx_free[--n->ntx_free];
	memcpy(n->tx_buf[id], frame, len);
	r = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt);
	r->gref = n->tx_gref[id];
	r->offset = 0;
	r->flags = 0;
	r->id = id;
	r->size = (uint16_t)len;
	n->tx.req_prod_pvt++;
	push(n);
	return 0;
}

grant_ref_t netf_tx_gref(struct netf *n, unsigned int i, uint8_t **page)
{
	*page = n->tx_buf[i % NETF_TX_BUFS];
	return n->tx_gref[i % NETF_TX_BUFS];
}

int netf_send_raw(struct netf *n, const netif_tx_request_t *slots, unsigned int count)
{
	unsigned int i;

	reap_tx(n);
	if (RING_FREE_REQUESTS(&n->tx) < count)
		return -1;
	for (i = 0; i < count; i++) {
		*RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt) = slots[i];
		n->tx.req_prod_pvt++;
	}
	push(n);
	return 0;
}

size_t netf_recv(struct netf *n, void *out, size_t max, uint64_t timeout_ns)
{
	uint64_t end = system_time() + timeout_ns;

	for (;;) {
		RING_IDX rp = n->rx.sring->rsp_prod;
		int more;

		xen_rmb();
		reap_tx(n);
		if (n->rx.rsp_cons != rp) {
			netif_rx_response_t r = *RING_GET_RESPONSE(&n->rx, n->rx.rsp_cons);
			size_t len = 0;

			n->rx.rsp_cons++;
			if (r.id < NETF_RX_BUFS) {
				if (r.status > 0 && r.offset + (size_t)r.status <= PAGE_SIZE) {
					len = (size_t)r.status < max ? (size_t)r.status : max;
					memcpy(out, n->rx_buf[r.id] + r.offset, len);
				} else {
					n->rx_errors++;
				}
				post_rx(n, r.id);
				push(n);
			}
			if (len > 0)
				return len;
			continue;
		}
		if (system_time() >= end)
			return 0;
		upcalls_off();
		RING_FINAL_CHECK_FOR_RESPONSES(&n->rx, more);
		if (!more)
			port_wait_ns(n->port, port_hits[n->port] + 1,
			    end - system_time() < 10000000ull ? end - system_time() : 10000000ull);
		upcalls_on();
	}
}
