/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtual block device on the xenbus state machine: probed, it opens its
 * image (params, mode) once the security module agrees, and publishes what
 * it offers; connected, it reads the frontend's choices (ring pages,
 * queues, persistent grants, large sectors), publishes the disk's
 * geometry and serves each queue.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/log.h"
#include "blkback.h"

static long read_fe_num(struct xb_dev *xb, const char *key, long def)
{
	char buf[32], *end;
	long v;

	if (xb_dev_read_fe(xb, key, buf, sizeof(buf)) < 0)
		return def;
	v = strtol(buf, &end, 10);
	return end == buf || *end != '\0' ? -1 : v;
}

static void refuse(struct xb_dev *xb, const char *fmt, const char *what)
{
	char msg[320];

	snprintf(msg, sizeof(msg), fmt, what);
	log_warnx("d%u vbd %u: %s", xb->fe, xb->devid, msg);
	xb_dev_write(xb, "hotplug-error", "%s", msg);
	xb_dev_write(xb, "hotplug-status", "error");
}

static int probe(struct xb_dev *xb)
{
	char why[CTL_ERROR_LEN];
	struct blk_dev *d = xb->priv;
	char mode[8] = "w", ssz[16] = "", err[300];
	unsigned int i;
	bool ro;
	int ret;

	if (d == NULL) {
		if ((d = xb->priv = calloc(1, sizeof(*d))) == NULL)
			return -ENOMEM;
		d->im.fd = -1;
	}
	d->xb = xb;
	for (i = 0; i < BLK_MAX_QUEUES; i++) {
		d->q[i].dev = d;
		d->q[i].idx = i;
	}
	blk_image_close(&d->im);
	if (xb_dev_read(xb, "params", d->path, sizeof(d->path)) < 0 || d->path[0] == '\0') {
		refuse(xb, "%s", "no 'params' (the image) in the backend directory");
		return -EINVAL;
	}
	if (strlen(d->path) == sizeof(d->path) - 1) {	/* cut short: not that file */
		refuse(xb, "%s", "'params' is longer than a path may be");
		return -EINVAL;
	}
	xb_dev_read(xb, "mode", mode, sizeof(mode));
	xb_dev_read(xb, "disk-sector-size", ssz, sizeof(ssz));
	ro = strcmp(mode, "r") == 0;
	if (!ro && strcmp(mode, "w") != 0) {
		refuse(xb, "mode '%s' (r or w)", mode);
		return -EINVAL;
	}
	if ((ret = palctl_disk_allowed(&blk_ctl, xb->fe, d->path, why, sizeof(why))) < 0) {
		refuse(xb, "%s", why);
		return ret;
	}
	if (blk_image_open(&d->im, d->path, ro, (unsigned int)strtoul(ssz, NULL, 10),
	    err, sizeof(err)) < 0) {
		refuse(xb, "%s", err);
		return -EINVAL;
	}
	if (!ro) {
		xb_dev_write(xb, "feature-flush-cache", "1");
		xb_dev_write(xb, "feature-barrier", "1");
	}
	xb_dev_write(xb, "feature-discard", "%d", d->im.can_discard);
	if (d->im.can_discard) {
		xb_dev_write(xb, "discard-granularity", "%u", d->im.sector_size);
		xb_dev_write(xb, "discard-alignment", "0");
		xb_dev_write(xb, "discard-secure", "0");
	}
	xb_dev_write(xb, "feature-max-indirect-segments", "%u", BLK_MAX_INDIRECT);
	xb_dev_write(xb, "feature-persistent", "1");
	xb_dev_write(xb, "max-ring-page-order", "%u", BLK_MAX_RING_ORDER);
	xb_dev_write(xb, "multi-queue-max-queues", "%u", BLK_MAX_QUEUES);
	xb_dev_write(xb, "hotplug-status", "connected");
	log_info("d%u vbd %u: %s (%llu bytes, %u-byte sectors%s)", xb->fe, xb->devid,
	    d->path, (unsigned long long)d->im.size, d->im.sector_size, ro ? ", read-only" : "");
	return 0;
}

/* Queue q's ring references and port: under queue-N with several. */
static int read_ring(struct xb_dev *xb, unsigned int q, unsigned int nq,
    unsigned int order, struct blk_frontend_ring *fr)
{
	char key[64], prefix[24] = "";
	unsigned int i;
	long v;

	if (nq > 1)
		snprintf(prefix, sizeof(prefix), "queue-%u/", q);
	fr->npages = 1u << order;
	for (i = 0; i < fr->npages; i++) {
		if (order == 0)
			snprintf(key, sizeof(key), "%sring-ref", prefix);
		else
			snprintf(key, sizeof(key), "%sring-ref%u", prefix, i);
		if ((v = read_fe_num(xb, key, -1)) < 0 || v > UINT32_MAX)
			return -EINVAL;
		fr->refs[i] = (grant_ref_t)v;
	}
	snprintf(key, sizeof(key), "%sevent-channel", prefix);
	if ((v = read_fe_num(xb, key, -1)) < 0 || v > UINT32_MAX)
		return -EINVAL;
	fr->port = (evtchn_port_t)v;
	return 0;
}

static void disconnect(struct xb_dev *xb)
{
	struct blk_dev *d = xb->priv;
	unsigned int i;

	for (i = 0; i < d->nqueues; i++)
		blk_queue_disconnect(&d->q[i]);
	d->nqueues = 0;
	for (i = 0; i < d->npg; i++) {
		munmap(d->pg[i].va, 4096);
		palctl_gnt_unmap(&blk_ctl, d->pg[i].handle);
	}
	d->npg = 0;
	d->map_failures = 0;
	log_info("d%u vbd %u: disconnected (%llu requests, %llu refused)", xb->fe,
	    xb->devid, (unsigned long long)d->requests, (unsigned long long)d->errors);
}

static int connect(struct xb_dev *xb)
{
	struct blk_dev *d = xb->priv;
	struct blk_frontend_ring fr;
	struct blk_fe_choice fe = {
		.order = read_fe_num(xb, "ring-page-order", 0),
		.queues = read_fe_num(xb, "multi-queue-num-queues", 1),
		.persistent = read_fe_num(xb, "feature-persistent", 0),
		.large = read_fe_num(xb, "feature-large-sector-size", 0),
		.protocol = BLK_PROTO_NATIVE,
	};
	struct blk_conn c;
	const char *why;
	char err[200];
	unsigned int i;

	if (d == NULL || d->im.fd < 0)
		return -EINVAL;
	xb_dev_read_fe(xb, "protocol", fe.protocol, sizeof(fe.protocol));
	if (blk_negotiate(&fe, &d->im, &c, &why) < 0) {
		refuse(xb, "%s", why);
		return -EINVAL;
	}
	d->persistent = c.persistent;
	d->g = c.g;
	for (i = 0; i < c.queues; i++) {
		if (read_ring(xb, i, c.queues, c.order, &fr) < 0) {
			snprintf(err, sizeof(err), "queue %u: ring references or event channel missing", i);
			goto fail;
		}
		d->nqueues = i + 1;
		if (blk_queue_connect(&d->q[i], &fr, err, sizeof(err)) < 0)
			goto fail;
	}
	xb_dev_write(xb, "sectors", "%llu", (unsigned long long)d->g.sectors);
	xb_dev_write(xb, "info", "%u", d->im.readonly ? VDISK_READONLY : 0);
	xb_dev_write(xb, "sector-size", "%u", d->g.unit);
	xb_dev_write(xb, "physical-sector-size", "%u", d->im.physical_sector_size);
	log_info("d%u vbd %u: connected: %u queue(s) of %u page(s)%s%s", xb->fe, xb->devid,
	    c.queues, 1u << c.order, d->persistent ? ", persistent grants" : "",
	    d->g.unit != 512 ? ", large sectors" : "");
	return 0;
fail:
	refuse(xb, "%s", err);
	disconnect(xb);
	return -EINVAL;
}

static void remove_dev(struct xb_dev *xb)
{
	struct blk_dev *d = xb->priv;

	if (d == NULL)
		return;
	blk_image_close(&d->im);
	free(d);
	xb->priv = NULL;
}

const struct xb_ops blk_xb_ops = {
	.type = "vbd", .probe = probe, .connect = connect, .disconnect = disconnect,
	.remove = remove_dev,
};

/* --- persistent grants ------------------------------------------------- */

static unsigned int pg_index(const struct blk_dev *d, grant_ref_t gref, bool *found)
{
	unsigned int lo = 0, hi = d->npg;

	*found = false;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (d->pg[mid].gref == gref) {
			*found = true;
			return mid;
		}
		if (d->pg[mid].gref < gref)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint8_t *blk_pgrant_get(struct blk_dev *d, grant_ref_t gref)
{
	bool found;
	unsigned int at = pg_index(d, gref, &found);
	uint32_t handle;
	void *va;
	int fd;

	if (found)
		return d->pg[at].va;
	if (d->npg == BLK_MAX_PERSISTENT || d->map_failures >= BLK_MAP_FAILURES)
		return NULL;		/* full, or not worth trying: copied */
	fd = palctl_gnt_map(&blk_ctl, d->xb->fe, gref, false, &handle);
	if (fd < 0) {
		/* e.g. granted read-only: copied. A frontend whose grants keep
		 * failing must not cost a map attempt per segment. */
		if (++d->map_failures == BLK_MAP_FAILURES)
			log_warnx("d%u vbd %u: %u grants could not be kept mapped: copying "
			    "from now on", d->xb->fe, d->xb->devid, BLK_MAP_FAILURES);
		return NULL;
	}
	va = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (va == MAP_FAILED) {
		palctl_gnt_unmap(&blk_ctl, handle);
		return NULL;
	}
	memmove(&d->pg[at + 1], &d->pg[at], (d->npg - at) * sizeof(d->pg[0]));
	d->pg[at] = (struct blk_pgrant){ .gref = gref, .handle = handle, .va = va };
	d->npg++;
	return va;
}
