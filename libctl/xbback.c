/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's half of the xenbus state machine (xen/io/xenbus.h), for
 * every backend in this project. It watches backend/TYPE below its own
 * domain's directory for devices the toolstack adds, and for each follows
 * the frontend's state: a new device is probed (the backend publishes its
 * features) and waits in InitWait; once the frontend is Initialised or
 * Connected the backend connects (maps its rings) and says Connected;
 * when the frontend or the toolstack (online=0) closes, it disconnects,
 * goes through Closing to Closed, and forgets a device whose directory is
 * gone. What the frontend writes is the frontend's: read it, check it.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "palisade/xen.h"
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>
#include "palctl.h"

static void be_key(const struct xb_dev *d, const char *key, char *p, size_t n)
{
	snprintf(p, n, "%s/%s", d->be_path, key);
}

int xb_dev_write(struct xb_dev *d, const char *key, const char *fmt, ...)
{
	char path[192], val[256];
	va_list ap;

	be_key(d, key, path, sizeof(path));
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return palctl_xs_write(&d->b->x, path, val);
}

int xb_dev_read(struct xb_dev *d, const char *key, char *buf, size_t n)
{
	char path[192];

	be_key(d, key, path, sizeof(path));
	return palctl_xs_read(&d->b->x, path, buf, n);
}

int xb_dev_read_fe(struct xb_dev *d, const char *key, char *buf, size_t n)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", d->fe_path, key);
	return palctl_xs_read(&d->b->x, path, buf, n);
}

static int read_num(struct palctl_xs *x, const char *path, long *v)
{
	char buf[32], *end;
	int ret = palctl_xs_read(x, path, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	*v = strtol(buf, &end, 10);
	return end == buf || *end != '\0' ? -EINVAL : 0;
}

static void set_state(struct xb_dev *d, enum xenbus_state st)
{
	d->state = st;
	xb_dev_write(d, "state", "%d", st);
}

static void drop(struct xb_dev *d)
{
	if (d->connected && d->b->ops->disconnect != NULL)
		d->b->ops->disconnect(d);
	if (d->b->ops->remove != NULL)
		d->b->ops->remove(d);
	memset(d, 0, sizeof(*d));
}

/* A device directory backend/TYPE/FE/ID: known, or new (then probed). */
static void found(struct xb_backend *b, uint32_t fe, uint32_t devid)
{
	struct xb_dev *d = NULL;
	char expect[128], path[192];
	unsigned int i;
	long fe_state;

	for (i = 0; i < XB_MAX_DEVS; i++)
		if (b->dev[i].used && b->dev[i].fe == fe && b->dev[i].devid == devid)
			return;
	for (i = 0; i < XB_MAX_DEVS && d == NULL; i++)
		if (!b->dev[i].used)
			d = &b->dev[i];
	if (d == NULL)
		return;
	*d = (struct xb_dev){ .b = b, .used = true, .fe = fe, .devid = devid };
	snprintf(d->be_path, sizeof(d->be_path), "%s/%u/%u", b->root, fe, devid);
	/* The frontend path is the toolstack's to write, but checked. */
	snprintf(expect, sizeof(expect), "/local/domain/%u/device/%s/%u", fe,
	    b->ops->type, devid);
	be_key(d, "frontend", path, sizeof(path));
	if (palctl_xs_read(&b->x, path, d->fe_path, sizeof(d->fe_path)) < 0 ||
	    strcmp(d->fe_path, expect) != 0) {
		memset(d, 0, sizeof(*d));
		return;
	}
	snprintf(path, sizeof(path), "%s/state", d->fe_path);
	palctl_xs_watch(&b->x, path, "fe");
	/* A frontend already Connected was so to a backend before us (we
	 * were restarted): its ring is in use, and it must start over. */
	if (read_num(&b->x, path, &fe_state) == 0)
		d->fe_seen = fe_state;
	d->stale = d->fe_seen == XenbusStateConnected;
	if (b->ops->probe != NULL && b->ops->probe(d) < 0) {
		set_state(d, XenbusStateClosed);
		return;
	}
	set_state(d, XenbusStateInitWait);
}

static void scan(struct xb_backend *b)
{
	char *fes = NULL, *ids = NULL, path[XENSTORE_ABS_PATH_MAX + 1];
	const char *f, *i;
	int nf, ni, a, c;

	nf = palctl_xs_children(&b->x, b->root, &fes);
	for (a = 0, f = fes; a < nf; a++, f += strlen(f) + 1) {
		snprintf(path, sizeof(path), "%s/%s", b->root, f);
		ni = palctl_xs_children(&b->x, path, &ids);
		for (c = 0, i = ids; c < ni; c++, i += strlen(i) + 1)
			found(b, (uint32_t)strtoul(f, NULL, 10), (uint32_t)strtoul(i, NULL, 10));
		free(ids);
	}
	free(fes);
}

/* Where a device goes from here, by its frontend's state and online. */
static void step(struct xb_dev *d)
{
	struct xb_backend *b = d->b;
	char path[192];
	long fe = XenbusStateUnknown, online = 1, prev;

	be_key(d, "state", path, sizeof(path));
	if (read_num(&b->x, path, &(long){ 0 }) == -ENOENT) {
		drop(d);		/* the toolstack removed it */
		return;
	}
	snprintf(path, sizeof(path), "%s/state", d->fe_path);
	read_num(&b->x, path, &fe);
	prev = d->fe_seen;
	d->fe_seen = fe;
	be_key(d, "online", path, sizeof(path));
	read_num(&b->x, path, &online);
	if (online == 0 || fe == XenbusStateClosing || fe == XenbusStateClosed ||
	    fe == XenbusStateUnknown) {
		if (d->connected && b->ops->disconnect != NULL)
			b->ops->disconnect(d);
		d->connected = false;
		if (d->state != XenbusStateClosing && d->state != XenbusStateClosed)
			set_state(d, XenbusStateClosing);
		if (d->state == XenbusStateClosing &&
		    (fe == XenbusStateClosed || fe == XenbusStateUnknown || online == 0))
			set_state(d, XenbusStateClosed);
		return;
	}
	if (d->state == XenbusStateClosed && fe == XenbusStateInitialising &&
	    prev != XenbusStateInitialising) {
		/* The frontend starts over (it rebooted): so do we, once. */
		if (b->ops->probe == NULL || b->ops->probe(d) == 0)
			set_state(d, XenbusStateInitWait);
		return;
	}
	if (fe != XenbusStateConnected)
		d->stale = false;
	if (d->state == XenbusStateInitWait && (fe == XenbusStateInitialised ||
	    (fe == XenbusStateConnected && !d->stale))) {
		if (b->ops->connect == NULL || b->ops->connect(d) == 0) {
			d->connected = true;
			set_state(d, XenbusStateConnected);
		} else {
			set_state(d, XenbusStateClosing);
		}
	}
}

int xb_backend_open(struct xb_backend *b, const struct xb_ops *ops)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->ops = ops;
	snprintf(b->root, sizeof(b->root), "/local/domain/0/backend/%s", ops->type);
	ret = palctl_xs_open(&b->x);
	if (ret == 0)
		ret = palctl_xs_watch(&b->x, b->root, "be");
	if (ret < 0)
		palctl_xs_close(&b->x);
	return ret;
}

int xb_backend_fd(const struct xb_backend *b)
{
	return b->x.fd;
}

void xb_backend_poll(struct xb_backend *b, int timeout_ms)
{
	char path[256], token[16];
	unsigned int i;

	while (palctl_xs_event(&b->x, path, sizeof(path), token, sizeof(token),
	    timeout_ms) == 1) {
		timeout_ms = 0;
		if (b->x.ev_lost || strcmp(token, "be") == 0) {
			b->x.ev_lost = false;
			scan(b);
		}
		/* Any change may concern any device: each looks again. */
		for (i = 0; i < XB_MAX_DEVS; i++)
			if (b->dev[i].used)
				step(&b->dev[i]);
	}
}

void xb_backend_close(struct xb_backend *b)
{
	unsigned int i;

	for (i = 0; i < XB_MAX_DEVS; i++)
		if (b->dev[i].used)
			drop(&b->dev[i]);
	palctl_xs_close(&b->x);
}

int xb_backend_serve(struct xb_backend *b, const struct xb_ops *ops, const char *name,
    const char *sock, bool foreground)
{
	int ret = xb_backend_open(b, ops), lfd;

	if (ret < 0) {
		fprintf(stderr, "%s: the store: %s\n", name, strerror(-ret));
		return -1;
	}
	if ((lfd = rundir_listen(sock)) < 0) {
		fprintf(stderr, "%s: cannot listen: %s\n", name, strerror(errno));
		return -1;
	}
	if (!foreground && daemon(1, 0) < 0)
		fatal("daemon");
	return lfd;
}
