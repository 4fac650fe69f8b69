/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palconsoled: serves guests' PV consoles. For each attached domain it maps
 * the console page and binds the console event channel through the control
 * socket, drains the guest's output ring into a per-domain log and to any
 * attached clients ("pal console"), and feeds client input into the ring.
 * The ring indices are guest-written and untrusted.
 *
 * Domains come from the store when palstored runs: palconsoled watches
 * @introduceDomain and attaches every domain with console nodes, so a
 * restarted palconsoled finds the consoles of the guests already running;
 * "attach" requests on its socket (from pal create) do the same directly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "palisade/xen.h"
#include <xen/io/xs_wire.h>
#include "../libctl/palctl.h"

#define MAX_CONS	256
#define MAX_CLIENTS	64
#define EP_LISTEN	(1ull << 62)
#define EP_CLIENT	(1ull << 61)
#define EP_STORE	(1ull << 60)

struct cons {
	bool used;
	uint32_t domid;
	char name[CTL_NAME_LEN];
	struct xencons_interface *ring;
	int efd_out, efd_in;	/* guest->us, us->guest */
	int log_fd;
	bool warned;
};

struct client {
	int fd;
	int cons;		/* index, or -1 while still reading its request */
	char line[128];
	size_t len;
};

static struct cons cons[MAX_CONS];
static struct client clients[MAX_CLIENTS];
static struct palctl ctl;
static struct palctl_xs xs;
static int ep;

static int ep_add(int fd, uint64_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void client_close(struct client *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->cons = -1;
	c->len = 0;
}

static void cons_notify(struct cons *k)
{
	uint64_t one = 1;

	if (write(k->efd_in, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("d%u: notify", k->domid);
}

static void cons_output(struct cons *k, const char *buf, size_t n)
{
	unsigned int i;

	if (k->log_fd >= 0 && write(k->log_fd, buf, n) < 0)
		log_warn("d%u: console log", k->domid);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].cons == k - cons)
			if (send(clients[i].fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
			    errno != EAGAIN)
				client_close(&clients[i]);
}

/* Drain the output ring: copy out, then publish the new consumer index. */
static void cons_drain(struct cons *k)
{
	struct xencons_interface *r = k->ring;
	char buf[sizeof(r->out)];
	XENCONS_RING_IDX cons_i, prod;
	size_t n = 0;
	uint64_t v;

	if (read(k->efd_out, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	cons_i = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
	if (prod - cons_i > sizeof(r->out)) {
		if (!k->warned)
			log_warnx("d%u: console ring indices corrupt (prod %u cons %u); "
			    "resynchronising", k->domid, prod, cons_i);
		k->warned = true;
		cons_i = prod;
	}
	while (cons_i != prod)
		buf[n++] = r->out[MASK_XENCONS_IDX(cons_i++, r->out)];
	if (n > 0)
		cons_output(k, buf, n);
	__atomic_store_n(&r->out_cons, cons_i, __ATOMIC_RELEASE);
	cons_notify(k);
}

static void cons_input(struct cons *k, const char *buf, size_t n)
{
	struct xencons_interface *r = k->ring;
	XENCONS_RING_IDX prod = r->in_prod, ci = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
	size_t i;

	if (prod - ci > sizeof(r->in))
		ci = prod - sizeof(r->in);
	for (i = 0; i < n && prod - ci < sizeof(r->in); i++)
		r->in[MASK_XENCONS_IDX(prod++, r->in)] = buf[i];
	__atomic_store_n(&r->in_prod, prod, __ATOMIC_RELEASE);
	cons_notify(k);
}

static void cons_detach(struct cons *k)
{
	unsigned int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].cons == k - cons)
			client_close(&clients[i]);
	epoll_ctl(ep, EPOLL_CTL_DEL, k->efd_out, NULL);
	close(k->efd_out);
	close(k->efd_in);
	if (k->log_fd >= 0)
		close(k->log_fd);
	munmap(k->ring, PAGE_SIZE);
	log_info("d%u: console detached", k->domid);
	memset(k, 0, sizeof(*k));
}

static int cons_find(uint32_t domid)
{
	int i;

	for (i = 0; i < MAX_CONS; i++)
		if (cons[i].used && cons[i].domid == domid)
			return i;
	return -1;
}

static int open_log(const char *name)
{
	char path[512], dir[256];

	if (rundir_path(dir, sizeof(dir), "console") < 0)
		return -1;
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

static const char *cons_attach_domain(uint32_t domid, uint64_t pfn, uint32_t port,
    const char *name)
{
	struct ctl_foreign_map fm = { .domid = domid, .pfn = pfn };
	struct ctl_evtchn ev = { .domid = domid, .remote_domid = 0, .port = port };
	struct ctl_msg rep;
	int fds[CTL_MAX_FDS], i;
	unsigned int nfds;
	struct cons *k;

	if (cons_find(domid) >= 0)
		return NULL;	/* found in the store, or asked twice: fine */
	for (i = 0; i < MAX_CONS && cons[i].used; i++)
		;
	if (i == MAX_CONS)
		return "too many consoles";
	k = &cons[i];
	if (palctl_call(&ctl, CTL_FOREIGN_MAP, &fm, sizeof(fm), &rep, fds, &nfds) < 0 ||
	    nfds != 1)
		return "cannot map the console page";
	k->ring = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	close(fds[0]);
	if (k->ring == MAP_FAILED)
		return "cannot map the console page";
	if (palctl_call(&ctl, CTL_EVTCHN_BIND_INTERDOMAIN, &ev, sizeof(ev), &rep,
	    fds, &nfds) < 0 || nfds != 2) {
		munmap(k->ring, PAGE_SIZE);
		return "cannot bind the console event channel";
	}
	k->efd_out = fds[0];
	k->efd_in = fds[1];
	k->used = true;
	k->domid = domid;
	str_copy(k->name, name, sizeof(k->name));
	k->log_fd = open_log(name);
	ep_add(k->efd_out, (uint64_t)i);
	log_info("d%u: console attached (pfn %#llx, port %u)", domid,
	    (unsigned long long)pfn, port);
	cons_drain(k);
	return NULL;
}

static int read_node(uint32_t domid, const char *rel, char *buf, size_t n)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, rel);
	return palctl_xs_read(&xs, path, buf, n);
}

/* Every domain the store knows with console nodes and no console yet. */
static void store_scan(void)
{
	char *doms, ref[32], port[16], name[CTL_NAME_LEN];
	const char *d, *why;
	int n, i;

	n = palctl_xs_children(&xs, "/local/domain", &doms);
	if (n < 0)
		log_warnx("listing the store's domains: %s", strerror(-n));
	for (i = 0, d = doms; i < n; i++, d += strlen(d) + 1) {
		uint32_t domid = (uint32_t)strtoul(d, NULL, 10);

		if (domid == 0 || cons_find(domid) >= 0 ||
		    read_node(domid, "console/ring-ref", ref, sizeof(ref)) < 0 ||
		    read_node(domid, "console/port", port, sizeof(port)) < 0 ||
		    read_node(domid, "name", name, sizeof(name)) < 0 ||
		    strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')
			continue;
		why = cons_attach_domain(domid, strtoull(ref, NULL, 10),
		    (uint32_t)strtoul(port, NULL, 10), name);
		if (why != NULL)
			log_warnx("d%u: console from the store: %s", domid, why);
	}
	free(doms);
}

static void store_event(void)
{
	char path[64], token[16];
	bool any = false;

	while (palctl_xs_event(&xs, path, sizeof(path), token, sizeof(token), 0) == 1)
		any = true;
	if (any)
		store_scan();
}

static void client_request(struct client *c)
{
	char name[CTL_NAME_LEN] = "", reply[128];
	unsigned long long pfn;
	unsigned int domid, port;
	const char *why;
	int idx;

	c->line[c->len] = '\0';
	if (sscanf(c->line, "attach %u %llu %u %63s", &domid, &pfn, &port, name) == 4) {
		why = cons_attach_domain(domid, pfn, port, name);
		snprintf(reply, sizeof(reply), "%s\n", why ? why : "ok");
		if (write(c->fd, reply, strlen(reply)) < 0)
			log_warn("reply");
		client_close(c);
	} else if (sscanf(c->line, "console %u", &domid) == 1 &&
	    (idx = cons_find(domid)) >= 0) {
		c->cons = idx;
		if (write(c->fd, "ok\n", 3) != 3)
			client_close(c);
	} else {
		if (write(c->fd, "error unknown request or domain\n", 32) < 0)
			log_warn("reply");
		client_close(c);
	}
}

static void client_event(struct client *c)
{
	char buf[512];
	ssize_t n;

	if (c->cons >= 0) {
		n = read(c->fd, buf, sizeof(buf));
		if (n <= 0)
			client_close(c);
		else
			cons_input(&cons[c->cons], buf, (size_t)n);
		return;
	}
	n = read(c->fd, c->line + c->len, 1);
	if (n <= 0 || (c->len + 1 >= sizeof(c->line) && c->line[c->len] != '\n')) {
		client_close(c);
		return;
	}
	if (c->line[c->len] == '\n')
		client_request(c);
	else
		c->len++;
}

static void accept_client(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS && clients[i].fd >= 0; i++)
		;
	if (i == MAX_CLIENTS || ep_add(fd, EP_CLIENT | (uint64_t)i) < 0) {
		close(fd);
		return;
	}
	clients[i].fd = fd;
	clients[i].cons = -1;
	clients[i].len = 0;
}

/* Domains that went away: found by asking the hypervisor. */
static void reap_dead(void)
{
	struct ctl_domain_info info;
	int i, ret;

	for (i = 0; i < MAX_CONS; i++) {
		if (!cons[i].used)
			continue;
		ret = palctl_domain_info(&ctl, cons[i].domid, &info);
		if (ret == -XEN_ESRCH) {
			cons_drain(&cons[i]);
			cons_detach(&cons[i]);
		}
	}
}

int main(int argc, char **argv)
{
	struct epoll_event evs[32];
	uint64_t last_reap = 0;
	bool foreground = false;
	int c, lfd, n, i, ret;

	while ((c = getopt(argc, argv, "fr:")) != -1) {
		if (c == 'f')
			foreground = true;
		else if (c == 'r')
			setenv("PALISADE_RUNDIR", optarg, 1);
		else {
			fprintf(stderr, "usage: palconsoled [-f] [-r rundir]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (log_open_rundir("palconsoled", false) < 0)
		return 1;
	ret = palctl_open(&ctl);
	if (ret < 0) {
		fprintf(stderr, "palconsoled: %s\n", palctl_strerror(ret));
		return 1;
	}
	lfd = rundir_listen(CONS_SOCKET);
	if (lfd < 0) {
		fprintf(stderr, "palconsoled: cannot listen: %s\n", strerror(errno));
		return 1;
	}
	if (!foreground && daemon(1, 0) < 0)
		fatal("daemon");
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	if (ep < 0 || ep_add(lfd, EP_LISTEN) < 0)
		fatal("epoll");
	if (palctl_xs_open(&xs) == 0 && palctl_xs_watch(&xs, "@introduceDomain", "intro") == 0 &&
	    ep_add(xs.fd, EP_STORE) == 0) {
		store_scan();
	} else {
		palctl_xs_close(&xs);
		log_info("no store: consoles come from pal create only");
	}
	pidfile_write("palconsoled");
	log_info("palconsoled ready");
	for (;;) {
		n = epoll_wait(ep, evs, 32, 500);
		if (n < 0 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n; i++) {
			uint64_t u = evs[i].data.u64;

			if (u & EP_LISTEN)
				accept_client(lfd);
			else if (u & EP_STORE)
				store_event();
			else if (u & EP_CLIENT) {
				if (clients[u & 0xffff].fd >= 0)
					client_event(&clients[u & 0xffff]);
			} else if (u < MAX_CONS && cons[u].used)
				cons_drain(&cons[u]);
		}
		if (now_ns() - last_reap > 200000000ull) {
			reap_dead();
			last_reap = now_ns();
		}
	}
}
