/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest's network frontend (netfront.c): xen/io/netif.h over grants. */
#ifndef PVTEST_NETFRONT_H
#define PVTEST_NETFRONT_H

#include "pvtest.h"
#include "gntalloc.h"

#define xen_mb()	mb()
#define xen_rmb()	barrier()
#define xen_wmb()	barrier()
#include <xen/io/netif.h>

#define NETF_TX_BUFS 64		/* frames in flight to the backend */
#define NETF_RX_BUFS 128	/* receive buffers kept posted */
#define NETF_MTU_FRAME 1514

struct netf {
	uint32_t devid;
	char fe[64], be[128];
	uint8_t mac[6];
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	grant_ref_t tx_ref, rx_ref;
	evtchn_port_t port;
	uint8_t *tx_buf[NETF_TX_BUFS];
	grant_ref_t tx_gref[NETF_TX_BUFS];
	uint16_t tx_free[NETF_TX_BUFS];
	unsigned int ntx_free;
	uint8_t *rx_buf[NETF_RX_BUFS];
	grant_ref_t rx_gref[NETF_RX_BUFS];
	uint64_t tx_errors, rx_errors;
};

/* The nth vif in the store, connected: 0, or -1 (said). */
int netf_open(struct netf *n, unsigned int nth);
/* Queue a frame (len bytes, an Ethernet header first): 0, or -1 when no
 * buffer is free. Pushed (and the backend told) at once. */
int netf_send(struct netf *n, const void *frame, size_t len);
/* Requests exactly as given, for the hostile suite: slots chained as
 * their flags say, each with its own gref/offset/size. */
int netf_send_raw(struct netf *n, const netif_tx_request_t *slots, unsigned int count);
/* The next received frame into out (up to max bytes): its length, 0 if
 * none came within timeout_ns. Finished transmits are reaped meanwhile. */
size_t netf_recv(struct netf *n, void *out, size_t max, uint64_t timeout_ns);
/* A page of ours granted to dom0, for raw requests. */
grant_ref_t netf_tx_gref(struct netf *n, unsigned int i, uint8_t **page);

#endif
