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
 *
 * The store outlives the daemon: every change is appended to
 * store.journal in the run directory before its reply is sent (so a reply
 * seen means a change kept, even through kill -9), and now and then the
 * whole store is written to store.snap and the journal emptied. At start
 * the snapshot and then the journal are replayed.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "../libctl/palctl.h"
#include "store/store.h"
#include "store_ring.h"

#define STORE_SOCKET	"palstored.sock"
#define MAX_CLIENTS	256
#define OUT_MAX		(1u << 20)	/* queued output per connection */
#define EP_LISTEN	(1ull << 62)
#define SNAPSHOT	"store.snap"
#define JOURNAL		"store.journal"
#define JOURNAL_MIN	(1u << 20)	/* bytes before a new snapshot, at least */

struct client {
	int fd;
	struct xs_conn *conn;
	uint8_t in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	size_t in_len;
	struct xs_outq out;
	bool dead;
};

static struct client clients[MAX_CLIENTS];
static struct xs_store *store;
static int ep;
static volatile sig_atomic_t stopping;
static int journal_fd = -1;
static size_t journal_bytes, snapshot_bytes;

/* --- persistence ----------------------------------------------------------- */

/* One record, framed by its length, appended to fd. */
static int frame_write(int fd, const void *rec, size_t len)
{
	uint32_t n = (uint32_t)len;
	struct iovec iov[2] = { { &n, sizeof(n) }, { (void *)rec, len } };

	return writev(fd, iov, 2) == (ssize_t)(sizeof(n) + len) ? 0 : -1;
}

static void snapshot_rec(void *opaque, const void *rec, size_t len)
{
	int *fd = opaque;

	snapshot_bytes += sizeof(uint32_t) + len;
	if (*fd >= 0 && frame_write(*fd, rec, len) < 0) {
		log_warn("writing %s", SNAPSHOT);
		close(*fd);
		*fd = -1;
	}
}

/* The whole store to store.snap (whole or not at all), the journal emptied. */
static void compact(void)
{
	char tmp[256], snap[256];
	int fd;

	rundir_path(tmp, sizeof(tmp), SNAPSHOT ".tmp");
	rundir_path(snap, sizeof(snap), SNAPSHOT);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("%s", tmp);
		return;
	}
	snapshot_bytes = 0;
	xs_store_dump(store, snapshot_rec, &fd);
	if (fd < 0 || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, snap) < 0) {
		log_warn("%s: keeping the journal", snap);
		unlink(tmp);
		return;
	}
	if (journal_fd >= 0 && ftruncate(journal_fd, 0) == 0)
		journal_bytes = 0;
}

static void journal_rec(void *opaque, const void *rec, size_t len)
{
	(void)opaque;
	if (journal_fd < 0 || frame_write(journal_fd, rec, len) < 0) {
		log_warn("%s: a change is not journaled", JOURNAL);
		return;
	}
	journal_bytes += sizeof(uint32_t) + len;
	/* A snapshot costs the whole store: taken when the journal has grown
	 * past it (twice over), its cost per change stays constant. */
	if (journal_bytes > JOURNAL_MIN && journal_bytes > 2 * snapshot_bytes)
		compact();
}

/* Replay a file of framed records; a torn last record (a write cut short
 * by a crash) ends it, a malformed one is skipped and counted. */
static void replay(const char *name)
{
	char path[256];
	unsigned int done = 0, bad = 0;
	uint8_t *buf = NULL;
	struct stat st;
	size_t at = 0;
	int fd;

	rundir_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (buf = malloc((size_t)st.st_size)) != NULL &&
	    read(fd, buf, (size_t)st.st_size) == st.st_size) {
		while (at + sizeof(uint32_t) <= (size_t)st.st_size) {
			uint32_t n;

			memcpy(&n, buf + at, sizeof(n));
			if (n > (size_t)st.st_size - at - sizeof(n))
				break;
			if (xs_store_apply(store, buf + at + sizeof(n), n) == 0)
				done++;
			else
				bad++;
			at += sizeof(n) + n;
		}
	}
	free(buf);
	close(fd);
	log_info("%s: %u records replayed%s", name, done, bad ? ", some refused" : "");
	if (bad)
		log_warnx("%s: %u malformed records skipped", name, bad);
}

/* The hypervisor's security module on a guest reading another's nodes
 * (ACM: their labels must share a type). A domain that is gone has
 * nothing left to protect. */
static int ask_xsm(void *opaque, uint32_t domid, uint32_t owner)
{
	int ret = palctl_xsm_check(opaque, CTL_ASK_STORE, domid, owner);

	return ret == -ESRCH ? 0 : ret;
}

static int persistence_init(void)
{
	char path[256];

	replay(SNAPSHOT);
	replay(JOURNAL);
	rundir_path(path, sizeof(path), JOURNAL);
	journal_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (journal_fd < 0)
		return -1;
	compact();
	xs_store_set_journal(store, journal_rec, NULL);
	return 0;
}

static void client_close(struct client *cl)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	xs_conn_free(cl->conn);
	xs_outq_free(&cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

static void flush(struct client *cl)
{
	struct epoll_event ev = { .data.u64 = (uint64_t)(cl - clients) };
	ssize_t n;

	while (cl->out.len > 0) {
		n = write(cl->fd, cl->out.buf, cl->out.len);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				cl->dead = true;
			break;
		}
		xs_outq_taken(&cl->out, (size_t)n);
	}
	ev.events = EPOLLIN | (cl->out.len ? EPOLLOUT : 0);
	epoll_ctl(ep, EPOLL_CTL_MOD, cl->fd, &ev);
}

/* The store's send function: queue a message, then try to write it. */
static void client_send(void *opaque, const struct xsd_sockmsg *h, const void *payload)
{
	struct client *cl = opaque;
	int ret;

	if (cl->dead)
		return;
	ret = xs_outq_add(&cl->out, OUT_MAX, h, payload);
	if (ret < 0) {
		if (ret == -ENOSPC)
			log_warnx("client %d: %zu bytes unread, dropping it", cl->fd,
			    cl->out.len);
		cl->dead = true;
		return;
	}
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

/* -q nodes=N,watches=N,...: the guests' quotas; a clear error otherwise. */
static int parse_quota(char *spec, struct xs_quota *q)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "nodes", offsetof(struct xs_quota, nodes) },
		{ "watches", offsetof(struct xs_quota, watches) },
		{ "transactions", offsetof(struct xs_quota, transactions) },
		{ "perms", offsetof(struct xs_quota, perms) },
		{ "value", offsetof(struct xs_quota, value_len) },
		{ "txn-nodes", offsetof(struct xs_quota, txn_nodes) },
		{ "memory", offsetof(struct xs_quota, memory_kb) },
	};
	char *item, *save = NULL, *eq, *end;
	unsigned long v;
	size_t i;

	for (item = strtok_r(spec, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		eq = strchr(item, '=');
		v = eq != NULL ? strtoul(eq + 1, &end, 10) : 0;
		if (eq == NULL || eq[1] == '\0' || *end != '\0' || v == 0 || v > 1000000) {
			fprintf(stderr, "palstored: -q %s: want KEY=N, N from 1 to 1000000\n", item);
			return -1;
		}
		*eq = '\0';
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(item, keys[i].key) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			fprintf(stderr, "palstored: -q: no quota '%s' (nodes, watches, "
			    "transactions, perms, value, txn-nodes, memory)\n", item);
			return -1;
		}
		*(unsigned int *)((char *)q + keys[i].off) = (unsigned int)v;
	}
	if (q->perms > XS_MAX_PERMS) {
		fprintf(stderr, "palstored: -q perms: at most %d\n", XS_MAX_PERMS);
		return -1;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[32], ev = { .events = EPOLLIN, .data.u64 = EP_LISTEN };
	static struct palctl hv;
	struct xs_quota quota = xs_default_quota;
	uint64_t last_reap = 0;
	bool foreground = false, rings;
	int c, lfd, n, i;

	while ((c = getopt(argc, argv, "fr:q:")) != -1) {
		if (c == 'f')
			foreground = true;
		else if (c == 'r')
			setenv("PALISADE_RUNDIR", optarg, 1);
		else if (c == 'q' && parse_quota(optarg, &quota) == 0)
			continue;
		else {
			if (c != 'q')
				fprintf(stderr, "usage: palstored [-f] [-r rundir] "
				    "[-q nodes=N,watches=N,transactions=N,perms=N,value=N,txn-nodes=N,memory=KiB]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (log_open_rundir("palstored", false) < 0)
		return 1;
	store = xs_store_new(&quota);
	lfd = rundir_listen(STORE_SOCKET);
	if (store == NULL || lfd < 0) {
		fprintf(stderr, "palstored: cannot listen on %s/%s: %s\n", rundir_get(),
		    STORE_SOCKET, strerror(errno));
		return 1;
	}
	if (persistence_init() < 0) {
		fprintf(stderr, "palstored: cannot open %s/%s: %s\n", rundir_get(),
		    JOURNAL, strerror(errno));
		return 1;
	}
	if (!foreground && daemon(1, 0) < 0)
		fatal("daemon");
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		fatal("epoll");
	/* Guests reach the store through pages and ports palisade-hv gives. */
	rings = palctl_open(&hv) == 0;
	if (rings) {
		xs_store_set_access_check(store, ask_xsm, &hv);
		ring_init(store, &hv, ep);
	}
	else
		log_warnx("palisade-hv is not running: serving dom0's socket only");
	pidfile_write("palstored");
	log_info("palstored ready: %s/%s", rundir_get(), STORE_SOCKET);
	while (!stopping) {
		n = epoll_wait(ep, evs, 32, rings ? 500 : -1);
		if (n < 0 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n; i++) {
			struct client *cl;

			if (evs[i].data.u64 == EP_LISTEN) {
				accept_client(lfd);
				continue;
			}
			if (evs[i].data.u64 & RING_EVENT) {
				ring_event(evs[i].data.u64 & ~RING_EVENT);
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
		if (rings && now_ns() - last_reap > 500000000ull) {
			ring_reap();
			last_reap = now_ns();
		}
	}
	log_info("palstored stopping");
	compact();
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	xs_store_free(store);
	return 0;
}
