/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palstored: the store (xenstore semantics and wire protocol, dom0/store).
 * dom0 clients connect to palstored.sock in the run directory, the socket
 * Xen's tools find through XENSTORED_PATH; every connection there is dom0,
 * as on xenstored's socket. This file only moves bytes: each connection's
 * input is cut into messages (a header and at most XENSTORE_PAYLOAD_MAX
 * bytes) for the store, and its output is queued, up to a bound: a client
 * that never reads its replies and events is dropped rather than let grow
 * the daemon (XSA-326).
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
#include "store/store.h"

#define STORE_SOCKET	"palstored.sock"
#define MAX_CLIENTS	256
#define OUT_MAX		(1u << 20)	/* queued output per connection */
#define EP_LISTEN	(1ull << 62)

struct client {
	int fd;
	struct xs_conn *conn;
	uint8_t in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_cap;
	bool dead;
};

static struct client clients[MAX_CLIENTS];
static struct xs_store *store;
static int ep;
static volatile sig_atomic_t stopping;

static void client_close(struct client *cl)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	xs_conn_free(cl->conn);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

static void flush(struct client *cl)
{
	struct epoll_event ev = { .data.u64 = (uint64_t)(cl - clients) };
	ssize_t n;

	while (cl->out_len > 0) {
		n = write(cl->fd, cl->out, cl->out_len);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				cl->dead = true;
			break;
		}
		memmove(cl->out, cl->out + n, cl->out_len - (size_t)n);
		cl->out_len -= (size_t)n;
	}
	ev.events = EPOLLIN | (cl->out_len ? EPOLLOUT : 0);
	epoll_ctl(ep, EPOLL_CTL_MOD, cl->fd, &ev);
}

/* The store's send function: queue a message, then try to write it. */
static void client_send(void *opaque, const struct xsd_sockmsg *h, const void *payload)
{
	struct client *cl = opaque;
	size_t need = cl->out_len + sizeof(*h) + h->len;

	if (cl->dead)
		return;
	if (need > OUT_MAX) {
		log_warnx("client %d: %zu bytes unread, dropping it", cl->fd, cl->out_len);
		cl->dead = true;
		return;
	}
	if (need > cl->out_cap) {
		size_t cap = need * 2 < OUT_MAX ? need * 2 : OUT_MAX;
		uint8_t *o = realloc(cl->out, cap);

		if (o == NULL) {
			cl->dead = true;
			return;
		}
		cl->out = o;
		cl->out_cap = cap;
	}
	memcpy(cl->out + cl->out_len, h, sizeof(*h));
	memcpy(cl->out + cl->out_len + sizeof(*h), payload, h->len);
	cl->out_len = need;
	flush(cl);
}

static void accept_client(int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS && clients[i].fd >= 0; i++)
		;
	if (i == MAX_CLIENTS) {
		log_warnx("too many clients");
		close(fd);
		return;
	}
	clients[i].fd = fd;
	clients[i].conn = xs_conn_new(store, 0, client_send, &clients[i]);
	ev.data.u64 = (uint64_t)i;
	if (clients[i].conn == NULL || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		client_close(&clients[i]);
}

/* Hand every complete message in the input buffer to the store. */
static void client_input(struct client *cl)
{
	const size_t hl = sizeof(struct xsd_sockmsg);
	struct xsd_sockmsg h;
	ssize_t n = read(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			cl->dead = true;
		return;
	}
	cl->in_len += (size_t)n;
	while (cl->in_len >= hl && !cl->dead) {
		memcpy(&h, cl->in, hl);
		if (h.len > XENSTORE_PAYLOAD_MAX) {
			log_warnx("client %d: a %u-byte message, dropping it", cl->fd, h.len);
			cl->dead = true;
			break;
		}
		if (cl->in_len < hl + h.len)
			break;
		if (xs_handle(cl->conn, &h, cl->in + hl) < 0)
			cl->dead = true;
		memmove(cl->in, cl->in + hl + h.len, cl->in_len - hl - h.len);
		cl->in_len -= hl + h.len;
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[32], ev = { .events = EPOLLIN, .data.u64 = EP_LISTEN };
	bool foreground = false;
	char logp[256];
	int c, lfd, n, i;

	while ((c = getopt(argc, argv, "fr:")) != -1) {
		if (c == 'f')
			foreground = true;
		else if (c == 'r')
			setenv("PALISADE_RUNDIR", optarg, 1);
		else {
			fprintf(stderr, "usage: palstored [-f] [-r rundir]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	rundir_path(logp, sizeof(logp), "palstored.log");
	if (log_init("palstored", logp, LOG_LVL_INFO) < 0) {
		fprintf(stderr, "palstored: cannot open %s: %s\n", logp, strerror(errno));
		return 1;
	}
	store = xs_store_new(NULL);
	lfd = rundir_listen(STORE_SOCKET);
	if (store == NULL || lfd < 0) {
		fprintf(stderr, "palstored: cannot listen on %s/%s: %s\n", rundir_get(),
		    STORE_SOCKET, strerror(errno));
		return 1;
	}
	if (!foreground && daemon(1, 0) < 0)
		fatal("daemon");
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		fatal("epoll");
	pidfile_write("palstored");
	log_info("palstored ready: %s/%s", rundir_get(), STORE_SOCKET);
	while (!stopping) {
		n = epoll_wait(ep, evs, 32, -1);
		if (n < 0 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n; i++) {
			struct client *cl;

			if (evs[i].data.u64 == EP_LISTEN) {
				accept_client(lfd);
				continue;
			}
			cl = &clients[evs[i].data.u64];
			if (cl->fd < 0)
				continue;
			if (evs[i].events & EPOLLOUT)
				flush(cl);
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				client_input(cl);
		}
		/* Any client may have been marked dead, by its own input or
		 * by the events others' requests sent it. */
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 && clients[i].dead)
				client_close(&clients[i]);
	}
	log_info("palstored stopping");
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	xs_store_free(store);
	return 0;
}
