/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's vif: the xenbus device, its TX and RX rings, and the rounds in
 * which every vif's transmitted packets are copied out of the guests (one
 * batched grant copy), switched, and copied into the receiving guests'
 * posted buffers (another). Each request is copied off the ring once and
 * only the copy is read; a bad packet is answered with an error, counted
 * and logged (a few times per vif), and the vif goes on.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "netback.h"

#define LOG_LIMIT 20
#define MAX_SEGS 4096

/* Our frames: one registered memfd, a slot per frame in flight in a round. */
static uint8_t *buf;
static uint32_t buf_id;
static unsigned int next_slot;

struct pkt {
	struct nb_vif *v;
	uint16_t ids[NB_MAX_SLOTS];
	unsigned int nslots, seg0, nseg;
	uint32_t slot;
	uint16_t len, flags;
};

struct rxq {
	struct nb_vif *v;
	uint16_t id, len, flags;
	unsigned int seg;
};

static struct pkt pkts[NB_BUF_SLOTS];
static struct rxq rxs[NB_BUF_SLOTS];
static unsigned int npkts, nrx;
static struct ctl_gnt_copy_seg tx_segs[MAX_SEGS], rx_segs[NB_BUF_SLOTS];
static unsigned int ntx_segs;
static uint64_t round_ns;

int nb_buffer_init(void)
{
	size_t size = (size_t)NB_BUF_SLOTS * NB_SLOT_SIZE;
	int fd = memfd_create("palnetback-frames", MFD_CLOEXEC), ret;

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return ret;
	}
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = buf == MAP_FAILED ? -errno : palctl_gnt_buf_register(&nb_ctl, fd, size, &buf_id);
	close(fd);
	return ret;
}

static void warn(struct nb_vif *v, const char *what)
{
	if (v->logged++ < LOG_LIMIT)
		log_warnx("%s: %s%s", v->name, what, v->logged == LOG_LIMIT ?
		    " (no more logged)" : "");
}

/* --- the xenbus device ------------------------------------------------------ */

static void refuse(struct xb_dev *xb, const char *msg)
{
	log_warnx("d%u vif %u: %s", xb->fe, xb->devid, msg);
	xb_dev_write(xb, "hotplug-error", "%s", msg);
	xb_dev_write(xb, "hotplug-status", "error");
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6], i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4],
	    &b[5]) != 6 || strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return mac[0] & 1 ? -1 : 0;	/* a unicast address */
}

/* The port this vif gets, as the toolstack wrote it. */
static int port_cfg(struct xb_dev *xb, struct sw_port_cfg *c, uint16_t *vlans,
    unsigned int *nvlans, char *err, size_t n)
{
	char mac[32] = "", vlan[64] = "", trunk[256] = "", bridge[64] = "", rate[32] = "";
	int k;

	xb_dev_read(xb, "mac", mac, sizeof(mac));
	xb_dev_read(xb, "bridge", bridge, sizeof(bridge));
	xb_dev_read(xb, "vlan", vlan, sizeof(vlan));
	xb_dev_read(xb, "trunk", trunk, sizeof(trunk));
	xb_dev_read(xb, "rate-bps", rate, sizeof(rate));
	memset(c, 0, sizeof(*c));
	if (parse_mac(mac, c->mac) < 0)
		return snprintf(err, n, "mac '%s' is not a unicast MAC address", mac), -EINVAL;
	if (bridge[0] != '\0' && strcmp(bridge, nb_switch.name) != 0)
		return snprintf(err, n, "bridge '%s': this switch is %s", bridge,
		    nb_switch.name), -EINVAL;
	c->check_mac = true;
	c->rate_bps = strtoull(rate, NULL, 10);
	if (trunk[0] != '\0') {
		if ((k = sw_parse_vlans(trunk, vlans, SW_MAX_VID)) < 0)
			return snprintf(err, n, "trunk '%s': VLANs 1-4094, comma-separated",
			    trunk), -EINVAL;
		c->trunk = true;
		c->allowed = vlans;
		c->nallowed = *nvlans = (unsigned int)k;
		return 0;
	}
	if (vlan[0] == '\0')
		snprintf(vlan, sizeof(vlan), "1");
	if (sw_parse_vlans(vlan, vlans, 1) != 1)
		return snprintf(err, n, "vlan '%s': one VLAN, 1-4094", vlan), -EINVAL;
	c->vlan = vlans[0];
	*nvlans = 1;
	return 0;
}

/* May the domain be on every VLAN of its port? */
static int vlans_allowed(struct xb_dev *xb, const uint16_t *vlans, unsigned int n)
{
	char res[32], why[CTL_ERROR_LEN];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		snprintf(res, sizeof(res), "vlan:%u", vlans[i]);
		if ((ret = palctl_resource_allowed(&nb_ctl, CTL_ASK_VLAN, xb->fe, res, why,
		    sizeof(why))) < 0) {
			refuse(xb, why);
			return ret;
		}
	}
	return 0;
}

static int probe(struct xb_dev *xb)
{
	static uint16_t vlans[SW_MAX_VID];
	struct sw_port_cfg c;
	struct nb_vif *v = xb->priv;
	unsigned int nv = 0;
	char err[256];
	int ret;

	if (v == NULL) {
		if ((v = xb->priv = calloc(1, sizeof(*v))) == NULL)
			return -ENOMEM;
		v->port = -1;
	}
	v->xb = xb;
	snprintf(v->name, sizeof(v->name), "vif%u.%u", xb->fe, xb->devid);
	if ((ret = port_cfg(xb, &c, vlans, &nv, err, sizeof(err))) < 0) {
		refuse(xb, err);
		return ret;
	}
	if ((ret = vlans_allowed(xb, vlans, nv)) < 0)
		return ret;
	memcpy(v->mac, c.mac, sizeof(v->mac));
	xb_dev_write(xb, "feature-rx-copy", "1");
	xb_dev_write(xb, "feature-rx-flip", "0");
	xb_dev_write(xb, "feature-sg", "1");
	xb_dev_write(xb, "feature-gso-tcpv4", "0");
	xb_dev_write(xb, "feature-ipv6-csum-offload", "0");	/* IPv4 only */
	xb_dev_write(xb, "feature-split-event-channels", "0");
	xb_dev_write(xb, "feature-multicast-control", "0");
	xb_dev_write(xb, "hotplug-status", "connected");
	return 0;
}

static void deliver_guest(struct sw_port *p, const uint8_t *f, size_t len, void *arg);

static void disconnect(struct xb_dev *xb)
{
	struct nb_vif *v = xb->priv;

	if (v == NULL)
		return;
	v->connected = false;
	if (v->port >= 0)
		sw_port_remove(&nb_switch, v->port);
	v->port = -1;
	if (v->bound) {
		nb_poll_del(v->ev.event_fd);
		palctl_evtchn_unbind(&nb_ctl, &v->ev);
		v->bound = false;
	}
	if (v->tx_mapped) {
		munmap(v->tx_va, 4096);
		palctl_gnt_unmap(&nb_ctl, v->tx_handle);
	}
	if (v->rx_mapped) {
		munmap(v->rx_va, 4096);
		palctl_gnt_unmap(&nb_ctl, v->rx_handle);
	}
	v->tx_mapped = v->rx_mapped = false;
}

static int map_ring(struct xb_dev *xb, const char *key, void **va, uint32_t *handle)
{
	char s[32] = "";
	unsigned long ref;
	char *end;
	int fd;

	if (xb_dev_read_fe(xb, key, s, sizeof(s)) < 0 || (ref = strtoul(s, &end, 10), *end) ||
	    s[0] == '\0')
		return -EINVAL;
	fd = palctl_gnt_map(&nb_ctl, xb->fe, (uint32_t)ref, false, handle);
	if (fd < 0)
		return fd;
	*va = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (*va == MAP_FAILED) {
		palctl_gnt_unmap(&nb_ctl, *handle);
		return -ENOMEM;
	}
	return 0;
}

static int connect(struct xb_dev *xb)
{
	static uint16_t vlans[SW_MAX_VID];
	struct nb_vif *v = xb->priv;
	struct sw_port_cfg c;
	char s[32] = "", err[256];
	unsigned int nv = 0;
	unsigned long port;
	int ret;

	if (xb_dev_read_fe(xb, "request-rx-copy", s, sizeof(s)) < 0 || strcmp(s, "1") != 0) {
		refuse(xb, "the frontend does not ask for receive by copy (request-rx-copy)");
		return -EINVAL;
	}
	if ((ret = map_ring(xb, "tx-ring-ref", &v->tx_va, &v->tx_handle)) < 0) {
		refuse(xb, "tx-ring-ref cannot be mapped");
		return ret;
	}
	v->tx_mapped = true;
	if ((ret = map_ring(xb, "rx-ring-ref", &v->rx_va, &v->rx_handle)) < 0) {
		refuse(xb, "rx-ring-ref cannot be mapped");
		disconnect(xb);
		return ret;
	}
	v->rx_mapped = true;
	BACK_RING_INIT(&v->tx, (netif_tx_sring_t *)v->tx_va, 4096);
	BACK_RING_INIT(&v->rx, (netif_rx_sring_t *)v->rx_va, 4096);
	s[0] = '\0';
	xb_dev_read_fe(xb, "event-channel", s, sizeof(s));
	port = strtoul(s, NULL, 10);
	if (s[0] == '\0' || (ret = palctl_evtchn_bind(&nb_ctl, xb->fe, (uint32_t)port,
	    &v->ev)) < 0) {
		refuse(xb, "event-channel cannot be bound");
		disconnect(xb);
		return ret < 0 ? ret : -EINVAL;
	}
	v->bound = true;
	if ((ret = port_cfg(xb, &c, vlans, &nv, err, sizeof(err))) < 0 ||
	    (ret = vlans_allowed(xb, vlans, nv)) < 0) {
		if (err[0] != '\0')
			refuse(xb, err);
		disconnect(xb);
		return ret;
	}
	snprintf(c.name, sizeof(c.name), "%s", v->name);
	c.deliver = deliver_guest;
	c.arg = v;
	if ((v->port = sw_port_add(&nb_switch, &c)) < 0) {
		refuse(xb, "the switch has no port left");
		v->port = -1;
		disconnect(xb);
		return -ENOSPC;
	}
	if ((ret = nb_poll_add(v->ev.event_fd, v)) < 0) {
		disconnect(xb);
		return ret;
	}
	v->connected = true;
	log_info("%s: connected, mac %02x:%02x:%02x:%02x:%02x:%02x, port %d", v->name,
	    v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5], v->port);
	return 0;
}

static void remove_dev(struct xb_dev *xb)
{
	disconnect(xb);
	free(xb->priv);
	xb->priv = NULL;
}

const struct xb_ops nb_xb_ops = {
	.type = "vif", .probe = probe, .connect = connect, .disconnect = disconnect,
	.remove = remove_dev,
};

/* --- receive: frames the switch hands to a guest ------------------------- */

static void deliver_guest(struct sw_port *p, const uint8_t *f, size_t len, void *arg)
{
	struct nb_vif *v = arg;
	netif_rx_request_t req;
	struct rxq *r;
	RING_IDX rp;

	(void)p;
	if (!v->connected)
		return;
	rp = v->rx.sring->req_prod;
	xen_rmb();
	if (RING_REQUEST_PROD_OVERFLOW(&v->rx, rp) || v->rx.req_cons == rp ||
	    RING_REQUEST_CONS_OVERFLOW(&v->rx, v->rx.req_cons) ||
	    nrx == NB_BUF_SLOTS || next_slot == NB_BUF_SLOTS) {
		v->no_rx_buffer++;
		return;
	}
	RING_COPY_REQUEST(&v->rx, v->rx.req_cons, &req);
	v->rx.req_cons++;
	r = &rxs[nrx];
	r->v = v;
	r->id = req.id;
	r->len = (uint16_t)len;
	r->flags = NETRXF_data_validated;
	r->seg = nrx;
	memcpy(buf + (size_t)next_slot * NB_SLOT_SIZE, f, len);
	rx_segs[nrx] = (struct ctl_gnt_copy_seg){ .flags = CTL_GNT_COPY_TO_GUEST,
	    .ref = req.gref, .domid = (uint16_t)v->xb->fe, .offset = 0, .len = (uint16_t)len,
	    .buf = buf_id, .buf_offset = next_slot * NB_SLOT_SIZE };
	next_slot++;
	nrx++;
}

static void rx_flush(void)
{
	unsigned int i;
	int ret;

	if (nrx == 0)
		return;
	ret = palctl_gnt_copy(&nb_ctl, rx_segs, nrx);
	for (i = 0; i < nrx; i++) {
		struct rxq *r = &rxs[i];
		netif_rx_response_t *rsp;
		bool ok = ret == 0 && rx_segs[i].status == GNTST_okay;

		if (!r->v->connected)
			continue;
		if (!ok) {
			r->v->copy_errors++;
			warn(r->v, "a receive buffer could not be written (bad grant)");
		}
		rsp = RING_GET_RESPONSE(&r->v->rx, r->v->rx.rsp_prod_pvt);
		rsp->id = r->id;
		rsp->offset = 0;
		rsp->flags = ok ? r->flags : 0;
		rsp->status = ok ? (int16_t)r->len : NETIF_RSP_ERROR;
		r->v->rx.rsp_prod_pvt++;
		r->v->rx_pending_notify = true;
	}
	nrx = 0;
}

/* --- transmit: packets taken off a guest's TX ring ------------------------ */

static void tx_respond(struct nb_vif *v, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp = RING_GET_RESPONSE(&v->tx, v->tx.rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	v->tx.rsp_prod_pvt++;
	v->tx_pending_notify = true;
}

/*
 * One packet's requests, copied off the ring: 1 taken (p filled), 0 none
 * or not all there yet, -1 a packet refused (answered). The chain is
 * bounded: a guest that never ends one loses those slots.
 */
static int take_packet(struct nb_vif *v, struct pkt *p)
{
	enum { LIMIT = NB_MAX_SLOTS + 4 };
	netif_tx_request_t slot[LIMIT];
	bool is_extra[LIMIT], more = true, extra = false;
	RING_IDX rp = v->tx.sring->req_prod, i = v->tx.req_cons;
	unsigned int n = 0, k, data = 0;
	const char *why = NULL;
	uint32_t at, rest = 0;

	xen_rmb();
	if (RING_REQUEST_PROD_OVERFLOW(&v->tx, rp)) {
		warn(v, "impossible TX producer index: vif stopped");
		v->connected = false;
		return 0;
	}
	while ((more || extra) && i != rp && n < LIMIT) {
		RING_COPY_REQUEST(&v->tx, i, &slot[n]);
		i++;
		is_extra[n] = extra;
		if (extra) {	/* an extra-info slot: its own flag chains extras */
			netif_extra_info_t x;

			memcpy(&x, &slot[n], sizeof(x));
			extra = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
			why = "extra info slots (no GSO is offered)";
		} else {
			extra = slot[n].flags & NETTXF_extra_info;
			more = slot[n].flags & NETTXF_more_data;
			data++;
		}
		n++;
	}
	if ((more || extra) && n < LIMIT)
		return 0;		/* the rest is not there yet */
	v->tx.req_cons = i;
	if (why == NULL && (more || extra))
		why = "too many slots";
	if (why == NULL)
		nb_tx_check(slot, data, &why);
	if (why != NULL || next_slot == NB_BUF_SLOTS || ntx_segs + n > MAX_SEGS) {
		uint16_t id = slot[0].id;

		if (why != NULL) {
			v->malformed++;
			warn(v, why);
		}
		for (k = 0; k < n; k++) {
			id = is_extra[k] ? id : slot[k].id;
			tx_respond(v, id, is_extra[k] ? NETIF_RSP_NULL : why != NULL ?
			    NETIF_RSP_ERROR : NETIF_RSP_DROPPED);
		}
		return -1;
	}
	/* No extras here: the slots are the packet's, the first holding what
	 * the others do not. */
	p->v = v;
	p->nslots = n;
	p->len = slot[0].size;
	p->flags = slot[0].flags;
	p->slot = next_slot++;
	p->seg0 = ntx_segs;
	p->nseg = n;
	for (k = 1; k < n; k++)
		rest += slot[k].size;
	for (k = 0, at = 0; k < n; k++) {
		uint16_t len = (uint16_t)(k == 0 ? p->len - rest : slot[k].size);

		p->ids[k] = slot[k].id;
		tx_segs[ntx_segs++] = (struct ctl_gnt_copy_seg){ .ref = slot[k].gref,
		    .domid = (uint16_t)v->xb->fe, .offset = slot[k].offset, .len = len,
		    .buf = buf_id, .buf_offset = p->slot * NB_SLOT_SIZE + at };
		at += len;
	}
	return 1;
}

static bool take_all(void)
{
	bool more = false;
	unsigned int i;

	for (i = 0; i < XB_MAX_DEVS; i++) {
		struct nb_vif *v = nb_backend_dev(i);
		unsigned int taken = 0;
		int r, again;

		if (v == NULL || !v->connected)
			continue;
		while (taken < NB_BATCH && npkts < NB_BUF_SLOTS &&
		    (r = take_packet(v, &pkts[npkts])) != 0) {
			if (r > 0)
				npkts++;
			taken++;
		}
		if (!v->connected)
			continue;
		RING_FINAL_CHECK_FOR_REQUESTS(&v->tx, again);
		more |= again != 0;
	}
	return more;
}

static void push_all(void)
{
	unsigned int i;

	for (i = 0; i < XB_MAX_DEVS; i++) {
		struct nb_vif *v = nb_backend_dev(i);
		int n1 = 0, n2 = 0;

		if (v == NULL || !v->bound || (!v->tx_pending_notify && !v->rx_pending_notify))
			continue;
		if (v->tx_pending_notify)
			RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->tx, n1);
		if (v->rx_pending_notify)
			RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->rx, n2);
		v->tx_pending_notify = v->rx_pending_notify = false;
		if (n1 || n2)
			palctl_evtchn_notify(&v->ev);
	}
}

void nb_rx_flush_all(void)
{
	rx_flush();
	push_all();
	next_slot = 0;
}

bool nb_round(void)
{
	unsigned int i, k, rounds = 0;
	bool more;
	int ret;

	do {
		npkts = ntx_segs = 0;
		next_slot = 0;
		more = take_all();
		ret = ntx_segs > 0 ? palctl_gnt_copy(&nb_ctl, tx_segs, ntx_segs) : 0;
		round_ns = now_ns();
		for (i = 0; i < npkts; i++) {
			struct pkt *p = &pkts[i];
			bool ok = ret == 0;

			for (k = 0; ok && k < p->nseg; k++)
				ok = tx_segs[p->seg0 + k].status == GNTST_okay;
			if (!ok) {
				p->v->copy_errors++;
				warn(p->v, "a transmitted packet could not be read (bad grant)");
			}
			for (k = 0; k < p->nslots; k++)
				tx_respond(p->v, p->ids[k], ok ? NETIF_RSP_OKAY : NETIF_RSP_ERROR);
			if (ok && (p->flags & NETTXF_csum_blank))
				nb_csum_complete(buf + (size_t)p->slot * NB_SLOT_SIZE, p->len);
			if (ok && p->v->connected && p->v->port >= 0)
				sw_input(&nb_switch, p->v->port, buf + (size_t)p->slot * NB_SLOT_SIZE,
				    p->len, round_ns);
		}
		rx_flush();
		push_all();
	} while (more && ++rounds < 4);
	return more;
}
