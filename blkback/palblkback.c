/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palblkback: the block backend daemon. One thread, one epoll: the store
 * (the xenbus library's connection), every queue's event channel, the
 * io_uring's completions, and a socket in the run directory that says
 * the daemon is alive. Killed and started again, it finds its devices in
 * the store, and their frontends connect again.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "blkback.h"

#define SOCKET_NAME "palblkback.sock"

struct palctl blk_ctl;
static struct xb_backend backend;
static int ep = -1;
static volatile sig_atomic_t stopping;
static int tag_store, tag_aio, tag_listen;	/* their addresses tag epoll events */

int blk_poll_add(int fd, struct blk_queue *q)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = q };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void blk_poll_del(int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
}

static int poll_tag(int fd, int *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Whatever finished, for every connected queue. */
static void finish_all(void)
{
	unsigned int i, j;

	for (i = 0; i < XB_MAX_DEVS; i++) {
		struct blk_dev *d = backend.dev[i].used ? backend.dev[i].priv : NULL;

		for (j = 0; d != NULL && j < d->nqueues; j++)
			if (d->q[j].finished != NULL)
				blk_queue_finish(&d->q[j]);
	}
}

/* Someone asks whether we are alive: a line, and goodbye. */
static void answer(int lfd)
{
	unsigned int i, n = 0;
	char line[64];
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (i = 0; i < XB_MAX_DEVS; i++)
		n += backend.dev[i].used && backend.dev[i].connected;
	snprintf(line, sizeof(line), "palblkback: %u devices connected\n", n);
	if (write(fd, line, strlen(line)) < 0)
		log_debug("a status reader went away");
	close(fd);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[64];
	bool foreground = false, debug = getenv("PALBLKBACK_DEBUG") != NULL;
	int n, i, ret, afd, lfd;

	if (daemon_options(argc, argv, "palblkback", &debug, &foreground) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (log_open_rundir("palblkback", debug) < 0)
		return 1;
	if ((ret = palctl_open(&blk_ctl)) < 0) {
		fprintf(stderr, "palblkback: palisade-hv: %s\n", palctl_strerror(ret));
		return 1;
	}
	if ((afd = blk_aio_init(256)) < 0) {
		fprintf(stderr, "palblkback: io_uring: %s\n", strerror(-afd));
		return 1;
	}
	if ((lfd = xb_backend_serve(&backend, &blk_xb_ops, "palblkback", SOCKET_NAME,
	    foreground)) < 0)
		return 1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || poll_tag(xb_backend_fd(&backend), &tag_store) < 0 ||
	    poll_tag(afd, &tag_aio) < 0 || poll_tag(lfd, &tag_listen) < 0)
		fatal("epoll");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pidfile_write("palblkback");
	log_info("palblkback ready");
	xb_backend_poll(&backend, 0);	/* devices there before us */
	while (!stopping) {
		n = epoll_wait(ep, evs, 64, 1000);
		if (n < 0 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &tag_store) {
				xb_backend_poll(&backend, 0);
			} else if (p == &tag_aio) {
				blk_aio_reap(false);
			} else if (p == &tag_listen) {
				answer(lfd);
			} else {
				struct blk_queue *q = p;

				if (!q->connected)
					continue;	/* gone earlier in this batch */
				palctl_evtchn_wait(&q->ev, 0);
				blk_queue_kick(q);
			}
		}
		finish_all();
	}
	log_info("palblkback stopping");
	xb_backend_close(&backend);
	blk_aio_exit();
	palctl_close(&blk_ctl);
	return 0;
}
