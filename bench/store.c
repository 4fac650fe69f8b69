/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palstored over its Unix socket: reads, writes and transactions per
 * second from one client (one request at a time, and 32 in flight) and
 * from eight at once, against the round trip
 * of a bare Unix socket (a thread echoing a message of the same size)
 * measured in the same run; and the cost of putting a domain's nodes in
 * the store (what pal create writes) with 10 and with 1000 domains there
 * already, which must not grow (LightVM found xenstore to be why Xen's
 * creation time grows with the number of VMs); and a guest's store read
 * over its ring (pvtest bench-store) against two raw CPL3 exits, the least
 * a request and its reply cost. Needs palstored (pal up).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>
#include "../hypervisor/hv.h"
#include "benchlib.h"

#define SECS 1.0
#define CLIENTS 8
#define GUEST_READS 2000

struct hv hv;

/* A guest's reads over its ring, in us each. */
static double guest_read_us(void)
{
	struct pal_domain pd;
	struct palctl c;
	char cmd[64], line[256];
	unsigned long n, ns;

	bench_connect(&c);
	snprintf(cmd, sizeof(cmd), "suite=bench-store count=%d", GUEST_READS);
	bench_domain(&c, "storebench", 32, cmd, &pd);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, pd.domid, 0);
	if (bench_console_wait("storebench", "bench-store: ", line, sizeof(line), 60) < 0 ||
	    sscanf(line, "bench-store: %lu reads in %lu ns", &n, &ns) != 2 || n == 0) {
		fprintf(stderr, "bench: no figure from the guest\n");
		exit(1);
	}
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, pd.domid, 0);
	palctl_close(&c);
	return ns / 1000.0 / n;
}

static void xs_connect(struct palctl_xs *x)
{
	if (palctl_xs_open(x) < 0) {
		fprintf(stderr, "bench: palstored is not running (pal up)\n");
		exit(1);
	}
}

/* Operations per second of op on one connection, for SECS. */
static double rate(struct palctl_xs *x, int (*op)(struct palctl_xs *, unsigned int))
{
	double t0 = bench_now(), t;
	unsigned int n = 0;

	do {
		if (op(x, n) < 0) {
			fprintf(stderr, "bench: a store request failed\n");
			exit(1);
		}
		n++;
	} while ((t = bench_now() - t0) < SECS);
	return n / t;
}

static int op_read(struct palctl_xs *x, unsigned int i)
{
	char path[64], val[64];
	size_t n = sizeof(val);

	snprintf(path, sizeof(path), "/bench/n%u", i % 1000);
	return palctl_xs_request(x, XS_READ, path, strlen(path) + 1, val, &n);
}

static int op_write(struct palctl_xs *x, unsigned int i)
{
	char path[64];

	snprintf(path, sizeof(path), "/bench/n%u", i % 1000);
	return palctl_xs_write(x, path, "value");
}

static int op_txn(struct palctl_xs *x, unsigned int i)
{
	char id[16], req[64];
	size_t n = sizeof(id) - 1;
	int ret, len;

	ret = palctl_xs_request(x, XS_TRANSACTION_START, "", 1, id, &n);
	if (ret < 0)
		return ret;
	id[n] = '\0';
	len = snprintf(req, sizeof(req), "/bench/t%u", i % 100);
	memcpy(req + len + 1, "v", 1);
	ret = palctl_xs_request_tx(x, XS_WRITE, (uint32_t)strtoul(id, NULL, 10), req,
	    (size_t)len + 2, NULL, NULL);
	if (ret == 0)
		ret = palctl_xs_request_tx(x, XS_TRANSACTION_END,
		    (uint32_t)strtoul(id, NULL, 10), "T", 2, NULL, NULL);
	return ret == -EAGAIN ? 0 : ret;	/* a conflict: counted as done */
}

/* One client with 32 reads in flight (the protocol allows it: replies carry
 * the request's id): what the store itself can do, past the round trip. */
#define DEPTH 32
static double pipelined_reads(struct palctl_xs *x)
{
	static char out[DEPTH * 64];
	char in[4096];
	double t0 = bench_now(), t;
	unsigned int n = 0, i;
	size_t len = 0, got;

	for (i = 0; i < DEPTH; i++) {
		char path[32];
		struct xsd_sockmsg h = { .type = XS_READ, .req_id = i };
		int pl = snprintf(path, sizeof(path), "/bench/n%u", i) + 1;

		h.len = (uint32_t)pl;
		memcpy(out + len, &h, sizeof(h));
		memcpy(out + len + sizeof(h), path, (size_t)pl);
		len += sizeof(h) + (size_t)pl;
	}
	do {
		if (write(x->fd, out, len) != (ssize_t)len)
			return 0;
		/* Each reply is a header and the 5 bytes of "value". */
		for (got = 0; got < DEPTH * (sizeof(struct xsd_sockmsg) + 5);) {
			ssize_t r = read(x->fd, in, sizeof(in));

			if (r <= 0)
				return 0;
			got += (size_t)r;
		}
		n += DEPTH;
	} while ((t = bench_now() - t0) < SECS);
	return n / t;
}

struct worker {
	pthread_t t;
	int (*op)(struct palctl_xs *, unsigned int);
	double rate;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct palctl_xs x;

	xs_connect(&x);
	w->rate = rate(&x, w->op);
	palctl_xs_close(&x);
	return NULL;
}

static double parallel(int (*op)(struct palctl_xs *, unsigned int))
{
	struct worker w[CLIENTS];
	double sum = 0;
	int i;

	for (i = 0; i < CLIENTS; i++) {
		w[i].op = op;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (i = 0; i < CLIENTS; i++) {
		pthread_join(w[i].t, NULL);
		sum += w[i].rate;
	}
	return sum;
}

/* The limit: a 16-byte header plus a path's worth, echoed by a thread. */
static void *echo(void *arg)
{
	int fd = *(int *)arg;
	char buf[64];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	return NULL;
}

static double socket_round_trips(void)
{
	int sv[2];
	pthread_t t;
	char buf[32] = "";
	double t0, el = 1;
	unsigned int n = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	pthread_create(&t, NULL, echo, &sv[1]);
	t0 = bench_now();
	do {
		if (write(sv[0], buf, sizeof(buf)) != sizeof(buf) ||
		    read(sv[0], buf, sizeof(buf)) <= 0)
			break;
		n++;
	} while ((el = bench_now() - t0) < SECS);
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
	return n / el;
}

/* What pal create writes for one domain, timed, with how many there are. */
static double domain_nodes_us(struct palctl_xs *x, unsigned int first, unsigned int count)
{
	char path[80], val[16];
	unsigned int d, i;
	double t0 = bench_now();
	static const char *const rel[] = { "name", "domid", "vm", "memory/target",
	    "store/ring-ref", "store/port", "console/ring-ref", "console/port",
	    "data", "device", "control" };

	for (d = first; d < first + count; d++)
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(path, sizeof(path), "/local/domain/%u/%s", d, rel[i]);
			snprintf(val, sizeof(val), "%u", d);
			if (palctl_xs_write(x, path, val) < 0)
				return -1;
		}
	return (bench_now() - t0) / count * 1e6;
}

static void rm_domains(struct palctl_xs *x, unsigned int first, unsigned int count)
{
	char p[32];
	unsigned int d;

	for (d = first; d < first + count; d++) {
		snprintf(p, sizeof(p), "/local/domain/%u", d);
		palctl_xs_rm(x, p);
	}
}

int main(void)
{
	struct palctl_xs x;
	double sock, r1, w1, t1, r8, rp, small, large, raw, guest;
	unsigned int i;

	bench_kvm_open();
	xs_connect(&x);
	for (i = 0; i < 1000; i++)
		op_write(&x, i);
	sock = socket_round_trips();
	r1 = rate(&x, op_read);
	w1 = rate(&x, op_write);
	t1 = rate(&x, op_txn);
	r8 = parallel(op_read);
	rp = pipelined_reads(&x);
	small = domain_nodes_us(&x, 2000, 10);
	domain_nodes_us(&x, 3000, 1000);
	large = domain_nodes_us(&x, 5000, 10);
	raw = 2 * bench_raw_exit_us(10000);
	guest = guest_read_us();
	palctl_xs_rm(&x, "/bench");
	rm_domains(&x, 2000, 10);
	rm_domains(&x, 3000, 1000);
	rm_domains(&x, 5000, 10);
	printf("unix socket round trips (limit): %9.0f /s\n", sock);
	printf("reads, one client:               %9.0f /s\n", r1);
	printf("writes, one client:              %9.0f /s\n", w1);
	printf("transactions (start, write, commit), one client: %9.0f /s\n", t1);
	printf("reads, %d clients:                %9.0f /s\n", CLIENTS, r8);
	printf("reads, one client, %d in flight:  %9.0f /s\n", DEPTH, rp);
	printf("a domain's nodes, 10 domains there:   %7.1f us\n", small);
	printf("a domain's nodes, 1010 domains there: %7.1f us  (%.2fx)\n", large,
	    large / small);
	printf("two raw CPL3 exits (limit):           %7.1f us\n", raw);
	printf("a guest's read over its ring:         %7.1f us  (%.2fx)\n", guest, guest / raw);
	printf("ratio: %.2f\n", r1 / sock);
	palctl_xs_close(&x);
	return 0;
}
