/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palnetback: Xen's netif protocol (xen/io/netif.h) for guests' vifs, each
 * a port of the VLAN switch (dom0/switch) in the same process, with a TAP
 * device as the trunk uplink. A guest's transmitted frame is copied once
 * out of its pages (grant copy, batched over every vif in a round) into
 * our buffer, switched, and copied once into each receiving guest's
 * posted buffer (batched again) or written to the TAP.
 */
#ifndef PALISADE_NETBACK_H
#define PALISADE_NETBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "palisade/xen.h"
#include <xen/io/netif.h>

#include "libctl/palctl.h"
#include "dom0/switch/switch.h"

#define NB_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN	/* a packet's TX slots at most */
#define NB_BUF_SLOTS	1024	/* frames in flight in our buffer, 2 KiB each */
#define NB_SLOT_SIZE	2048
#define NB_BATCH	256	/* packets taken per vif per round */

/* --- TX requests (txcheck.c): a guest's packet, checked ------------------ */

/*
 * slots[0..n) are the TX requests of one packet as copied off the ring
 * (the first's size is the packet's, the others' their own; NETTXF_more_data
 * on all but the last). 0 if it is a packet we take, or -1 with why:
 * too many slots, a slot past its page, sizes that do not add up, a frame
 * over the MTU or under an Ethernet header, the header not in the first
 * slot (XSA-423), extra-info slots (we offer no GSO).
 */
int nb_tx_check(const netif_tx_request_t *slots, unsigned int n, const char **why);
/* A frame the guest sent with NETTXF_csum_blank (checksum offload): its
 * IPv4 TCP or UDP checksum filled in, as the hardware would have. 0, or
 * -1 if it is not such a packet (then it goes as it is). */
int nb_csum_complete(uint8_t *frame, size_t len);

/* --- vifs (vif.c) --------------------------------------------------------- */

struct nb_vif {
	struct xb_dev *xb;
	bool connected;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	void *tx_va, *rx_va;
	uint32_t tx_handle, rx_handle;
	bool tx_mapped, rx_mapped, bound;
	struct palctl_evtchn ev;
	int port;			/* on the switch, or -1 */
	uint8_t mac[6];
	char name[32];			/* vif<domid>.<devid> */
	uint64_t malformed, no_rx_buffer, copy_errors;
	unsigned int logged;
	bool tx_pending_notify, rx_pending_notify;
};

extern struct palctl nb_ctl;
extern struct sw_switch nb_switch;
extern const struct xb_ops nb_xb_ops;

int nb_buffer_init(void);		/* the registered frame buffer */
int nb_poll_add(int fd, void *tag);
void nb_poll_del(int fd);
/* A few rounds: every vif's transmitted packets through the switch. true
 * if some are still waiting (a guest notifies only once we looked at all
 * it sent: call again soon). */
bool nb_round(void);
/* Frames switched outside a round (from the uplink) go to the guests. */
void nb_rx_flush_all(void);
struct nb_vif *nb_backend_dev(unsigned int i);	/* device i's vif, or NULL */

/* --- uplinks (uplink.c) ------------------------------------------------------ */

#define NB_MAX_TAPS 8
struct nb_tap {
	int fd, port;
	char name[16];
};

/* A TAP device called name on the switch: a trunk carrying vlans (all of
 * 1-4094 if n is 0), or an access port of vlans[0]. NULL with *err. */
struct nb_tap *nb_tap_open(const char *name, bool trunk, const uint16_t *vlans,
    unsigned int n, int *err);
void nb_tap_input(struct nb_tap *t);	/* frames the host sent */
bool nb_is_tap(const void *arg);	/* a port's arg is one of ours */
extern int nb_uplink_port;		/* the trunk's */

/* --- status (palnetback.c) ------------------------------------------------ */

/* What pal switch show / network-list print, into a stream. */
void nb_show(FILE *f, int domid);

#endif
