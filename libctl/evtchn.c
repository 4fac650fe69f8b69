/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels for dom0 processes, what libxenevtchn gives Xen's
 * backends. A guest offers a port to dom0 (EVTCHNOP_alloc_unbound with
 * remote_dom 0); binding it gives two eventfds: one the hypervisor signals
 * when the guest sends, one we write to notify the guest.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "palctl.h"

int palctl_evtchn_offer(struct palctl *c, uint32_t domid, uint32_t remote_domid,
    uint32_t *port)
{
	struct ctl_evtchn e = { .domid = domid, .remote_domid = remote_domid };
	struct ctl_msg rep;
	int ret;

	ret = palctl_call(c, CTL_EVTCHN_ALLOC_UNBOUND, &e, sizeof(e), &rep, NULL, NULL);
	if (ret == 0 && rep.hdr.len != sizeof(e))
		ret = -EPROTO;
	if (ret == 0)
		*port = rep.u.req.evtchn.port;
	return ret;
}

int palctl_evtchn_bind(struct palctl *c, uint32_t domid, uint32_t port,
    struct palctl_evtchn *e)
{
	struct ctl_evtchn req = { .domid = domid, .port = port };
	int fds[CTL_MAX_FDS] = { -1, -1 };
	unsigned int nfds = 0, i;
	struct ctl_msg rep;
	int ret;

	ret = palctl_call(c, CTL_EVTCHN_BIND_INTERDOMAIN, &req, sizeof(req), &rep,
	    fds, &nfds);
	if (ret == 0 && nfds != 2)
		ret = -EPROTO;
	if (ret < 0) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return ret;
	}
	e->domid = domid;
	e->port = port;
	e->event_fd = fds[0];
	e->notify_fd = fds[1];
	return 0;
}

int palctl_evtchn_notify(const struct palctl_evtchn *e)
{
	uint64_t one = 1;

	return write(e->notify_fd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

int palctl_evtchn_wait(const struct palctl_evtchn *e, int timeout_ms)
{
	struct pollfd p = { .fd = e->event_fd, .events = POLLIN };
	uint64_t n;
	int ret;

	for (;;) {
		if (read(e->event_fd, &n, sizeof(n)) == sizeof(n))
			return n > INT32_MAX ? INT32_MAX : (int)n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		ret = poll(&p, 1, timeout_ms);
		if (ret == 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
}

int palctl_evtchn_unbind(struct palctl *c, struct palctl_evtchn *e)
{
	struct ctl_evtchn req = { .domid = e->domid, .port = e->port };
	struct ctl_msg rep;
	int ret;

	ret = palctl_call(c, CTL_EVTCHN_CLOSE, &req, sizeof(req), &rep, NULL, NULL);
	close(e->event_fd);
	close(e->notify_fd);
	e->event_fd = e->notify_fd = -1;
	return ret;
}
