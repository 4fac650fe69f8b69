/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Following a domain to its end, as xl's monitor does: relay its console
 * when asked, and when it shuts down apply the on_poweroff / on_reboot /
 * on_crash action. The exit status is 0 for a poweroff (or reboot), 1 for a
 * crash and 2 for anything else.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "palisade/xen.h"
#include "pal.h"

#define DRAIN_MS 50	/* a shut-down guest's console, quiet this long, is done */
#define POLL_MS 20
#define CTRL_RBRACKET 0x1d

/* Copy what the console has now; false at EOF. */
static bool console_pump(int fd)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
				return false;
			fflush(stdout);
			continue;
		}
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	}
}

static int reason_status(uint32_t reason)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
	case SHUTDOWN_reboot:
		return 0;
	case SHUTDOWN_crash:
		return 1;
	default:
		return 2;
	}
}

static uint8_t reason_action(const struct domcfg *cfg, uint32_t reason)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
		return cfg->on_poweroff;
	case SHUTDOWN_reboot:
		return cfg->on_reboot;
	case SHUTDOWN_crash:
		return cfg->on_crash;
	default:
		return CTL_ACT_DESTROY;
	}
}

static int restart(struct palctl *c, const struct domcfg *cfg, struct pal_domain *pd,
    int *cfd)
{
	char err[512];

	palctl_domid_op(c, CTL_DOMAIN_DESTROY, pd->domid, 0);
	if (pal_domain_start(c, cfg, pd, err, sizeof(err)) < 0 ||
	    cons_attach(pd, cfg->name, err, sizeof(err)) < 0)
		return pal_err("restart of %s failed: %s", cfg->name, err), -1;
	if (*cfd >= 0) {
		close(*cfd);
		*cfd = cons_connect(pd->domid);
	}
	return palctl_domid_op(c, CTL_DOMAIN_UNPAUSE, pd->domid, 0);
}

int pal_monitor(struct palctl *c, const struct domcfg *cfg, struct pal_domain *pd,
    int cfd)
{
	struct ctl_domain_info info;
	struct pollfd p;
	int ret, status;

	for (;;) {
		if (cfd >= 0) {
			p.fd = cfd;
			p.events = POLLIN;
			if (poll(&p, 1, POLL_MS) > 0 && !console_pump(cfd)) {
				close(cfd);
				cfd = -1;
			}
		} else {
			poll(NULL, 0, POLL_MS * 5);
		}
		ret = palctl_domain_info(c, pd->domid, &info);
		if (ret == -XEN_ESRCH)
			return 0;	/* destroyed by someone else */
		if (ret < 0)
			return pal_err("lost the hypervisor: %s", palctl_strerror(ret)), 2;
		if (info.state != CTL_DOM_SHUTDOWN)
			continue;
		/* What the guest wrote last may still be on its way through
		 * palconsoled: take it until the stream is quiet. */
		p.fd = cfd;
		p.events = POLLIN;
		while (cfd >= 0 && poll(&p, 1, DRAIN_MS) > 0 && console_pump(cfd))
			;
		status = reason_status(info.shutdown_reason);
		switch (reason_action(cfg, info.shutdown_reason)) {
		case CTL_ACT_PRESERVE:
			return status;
		case CTL_ACT_RESTART:
			if (restart(c, cfg, pd, &cfd) < 0)
				return 2;
			continue;
		default:
			palctl_domid_op(c, CTL_DOMAIN_DESTROY, pd->domid, 0);
			return status;
		}
	}
}

/* "pal console": both directions until Ctrl-] or the domain goes away. */
int pal_console_relay(int fd, bool interactive)
{
	struct termios saved, raw;
	struct pollfd p[2];
	char buf[512];
	ssize_t n, i;
	int ret = 0;

	if (interactive && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	} else {
		interactive = false;
	}
	p[0].fd = fd;
	p[0].events = POLLIN;
	p[1].fd = 0;
	p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if ((p[0].revents & (POLLIN | POLLHUP)) && !console_pump(fd))
			break;
		if (p[1].revents & POLLIN) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				p[1].fd = -1;
				continue;
			}
			for (i = 0; i < n && buf[i] != CTRL_RBRACKET; i++)
				;
			if (i > 0 && write(fd, buf, (size_t)i) != i)
				break;
			if (i < n)
				break;	/* Ctrl-] */
		}
		if (p[1].revents & (POLLHUP | POLLERR))
			p[1].fd = -1;
	}
	if (interactive)
		tcsetattr(0, TCSANOW, &saved);
	close(fd);
	return ret;
}
