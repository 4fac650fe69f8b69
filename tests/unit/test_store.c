/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's core through its one entry point, xs_handle, as clients see
 * it: the tree, permissions, watches (and what they must not reveal),
 * transactions and their conflicts, quotas, and the wire protocol's
 * malformed messages.
 */
#include "config.h"

#include "unit.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

/* What one connection was sent: replies and events, in order. */
#define MAX_MSGS 64
struct inbox {
	struct xsd_sockmsg hdr[MAX_MSGS];
	char data[MAX_MSGS][XENSTORE_PAYLOAD_MAX + 1];
	unsigned int n;
};

struct client {
	struct xs_conn *c;
	struct inbox in;
};

static struct xs_store *s;

static void capture(void *opaque, const struct xsd_sockmsg *h, const void *p)
{
	struct inbox *in = opaque;

	if (in->n == MAX_MSGS)
		return;
	in->hdr[in->n] = *h;
	memcpy(in->data[in->n], p, h->len);
	in->data[in->n][h->len] = '\0';
	in->n++;
}

static bool client_init(struct client *cl, uint32_t domid)
{
	memset(&cl->in, 0, sizeof(cl->in));
	cl->c = xs_conn_new(s, domid, capture, &cl->in);
	return cl->c != NULL;
}

static struct client dom0, g5, g6;

static int setup(void)
{
	s = xs_store_new(NULL);
	if (s == NULL)
		return 1;
	return client_init(&dom0, 0) && client_init(&g5, 5) && client_init(&g6, 6) ? 0 : 1;
}

static int teardown(void)
{
	xs_store_free(s);
	return 0;
}

/* Send a request of raw bytes; the reply (events the request caused may
 * come before it) is moved to cl->in.data[0], its type returned. */
static uint32_t raw(struct client *cl, uint32_t type, uint32_t tx, const void *p,
    uint32_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = 77, .tx_id = tx, .len = len };
	unsigned int i;

	cl->in.n = 0;
	CU_ASSERT_EQUAL(xs_handle(cl->c, &h, p), 0);
	CU_ASSERT_TRUE_FATAL(cl->in.n >= 1);
	for (i = 0; i < cl->in.n && cl->in.hdr[i].type == XS_WATCH_EVENT; i++)
		;
	if (i > 0 && i < cl->in.n) {
		struct xsd_sockmsg th = cl->in.hdr[0];
		static char td[XENSTORE_PAYLOAD_MAX + 1];

		memcpy(td, cl->in.data[0], sizeof(td));
		cl->in.hdr[0] = cl->in.hdr[i];
		memcpy(cl->in.data[0], cl->in.data[i], sizeof(td));
		cl->in.hdr[i] = th;
		memcpy(cl->in.data[i], td, sizeof(td));
	}
	CU_ASSERT_EQUAL(cl->in.hdr[0].req_id, 77);
	CU_ASSERT_EQUAL(cl->in.hdr[0].tx_id, tx);
	return cl->in.hdr[0].type;
}

/* A request of NUL-separated strings: "a\0b\0" from "a", "b". */
static uint32_t req(struct client *cl, uint32_t type, uint32_t tx, const char *a,
    const char *b)
{
	static char buf[2 * XENSTORE_PAYLOAD_MAX];
	size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0;

	memcpy(buf, a, la);
	if (b != NULL)
		memcpy(buf + la, b, lb);
	return raw(cl, type, tx, buf, (uint32_t)(la + lb));
}

static uint32_t write_(struct client *cl, uint32_t tx, const char *path, const char *v)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	size_t lp = strlen(path) + 1;

	memcpy(buf, path, lp);
	memcpy(buf + lp, v, strlen(v));
	return raw(cl, XS_WRITE, tx, buf, (uint32_t)(lp + strlen(v)));
}

static const char *reply(struct client *cl)
{
	return cl->in.data[0];
}

/* XS_ERROR with this name? */
static bool err_is(struct client *cl, uint32_t type, const char *name)
{
	return type == XS_ERROR && strcmp(reply(cl), name) == 0;
}

static void test_tree(void)
{
	CU_ASSERT_EQUAL(write_(&dom0, 0, "/a/b/c", "hello"), XS_WRITE);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "OK");
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/a/b/c", NULL), XS_READ);
	CU_ASSERT_EQUAL(dom0.in.hdr[0].len, 5);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "hello");
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/a/b", NULL), XS_READ);
	CU_ASSERT_EQUAL(dom0.in.hdr[0].len, 0);		/* made on the way */
	CU_ASSERT_EQUAL(req(&dom0, XS_MKDIR, 0, "/a/d", NULL), XS_MKDIR);
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY, 0, "/a", NULL), XS_DIRECTORY);
	CU_ASSERT_EQUAL(dom0.in.hdr[0].len, 4);
	CU_ASSERT_EQUAL(memcmp(reply(&dom0), "b\0d\0", 4), 0);
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/nope", NULL), "ENOENT"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/a//b", NULL), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/a/", NULL), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/a b", NULL), "EINVAL"));
	CU_ASSERT_EQUAL(req(&dom0, XS_RM, 0, "/a/b", NULL), XS_RM);
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/a/b/c", NULL), "ENOENT"));
	CU_ASSERT_EQUAL(req(&dom0, XS_RM, 0, "/a/b", NULL), XS_RM);	/* gone: fine */
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_RM, 0, "/x/y", NULL), "ENOENT"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_RM, 0, "/", NULL), "EINVAL"));
	/* A relative path is the domain's own. */
	CU_ASSERT_EQUAL(write_(&dom0, 0, "rel", "0"), XS_WRITE);
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/local/domain/0/rel", NULL), XS_READ);
	CU_ASSERT_EQUAL(req(&dom0, XS_GET_DOMAIN_PATH, 0, "7", NULL), XS_GET_DOMAIN_PATH);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "/local/domain/7");
	req(&dom0, XS_RM, 0, "/a", NULL);
}

/* The toolstack gives domain 5 its directory; 6 sees none of it. */
static void give_dir(uint32_t domid)
{
	char path[64], perm[16];

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	snprintf(perm, sizeof(perm), "n%u", domid);
	CU_ASSERT_EQUAL(req(&dom0, XS_MKDIR, 0, path, NULL), XS_MKDIR);
	CU_ASSERT_EQUAL(req(&dom0, XS_SET_PERMS, 0, path, perm), XS_SET_PERMS);
}

static void test_permissions(void)
{
	give_dir(5);
	give_dir(6);
	CU_ASSERT_EQUAL(write_(&g5, 0, "name", "five"), XS_WRITE);
	CU_ASSERT_EQUAL(req(&g5, XS_READ, 0, "/local/domain/5/name", NULL), XS_READ);
	CU_ASSERT_TRUE(err_is(&g6, req(&g6, XS_READ, 0, "/local/domain/5/name", NULL), "EACCES"));
	CU_ASSERT_TRUE(err_is(&g6, write_(&g6, 0, "/local/domain/5/evil", "x"), "EACCES"));
	CU_ASSERT_TRUE(err_is(&g6, req(&g6, XS_DIRECTORY, 0, "/local/domain/5", NULL), "EACCES"));
	CU_ASSERT_TRUE(err_is(&g5, write_(&g5, 0, "/tool/x", "1"), "EACCES"));
	/* 5 lets 6 read one node; it may not give a node away (XSA-352). */
	CU_ASSERT_EQUAL(raw(&g5, XS_SET_PERMS, 0, "name\0n5\0r6\0", 11), XS_SET_PERMS);
	CU_ASSERT_EQUAL(req(&g6, XS_READ, 0, "/local/domain/5/name", NULL), XS_READ);
	CU_ASSERT_TRUE(err_is(&g6, write_(&g6, 0, "/local/domain/5/name", "x"), "EACCES"));
	CU_ASSERT_TRUE(err_is(&g5, req(&g5, XS_SET_PERMS, 0, "name", "n6"), "EACCES"));
	CU_ASSERT_TRUE(err_is(&g6, req(&g6, XS_SET_PERMS, 0, "/local/domain/5/name", "b6"),
	    "EACCES"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_SET_PERMS, 0, "/local/domain/5", "x5"),
	    "EINVAL"));
	CU_ASSERT_EQUAL(req(&dom0, XS_GET_PERMS, 0, "/local/domain/5/name", NULL), XS_GET_PERMS);
	CU_ASSERT_EQUAL(dom0.in.hdr[0].len, 6);
	CU_ASSERT_EQUAL(memcmp(reply(&dom0), "n5\0r6\0", 6), 0);
	/* Nodes a guest makes are its own, under the toolstack's ACL. */
	CU_ASSERT_EQUAL(req(&dom0, XS_GET_PERMS, 0, "/local/domain/6", NULL), XS_GET_PERMS);
	CU_ASSERT_EQUAL(xs_domain_nodes(s, 5), 2);
}

static void test_watches(void)
{
	CU_ASSERT_EQUAL(req(&dom0, XS_WATCH, 0, "/local/domain/5", "tok"), XS_WATCH);
	CU_ASSERT_EQUAL(dom0.in.n, 2);				/* OK, then the first event */
	CU_ASSERT_EQUAL(dom0.in.hdr[1].type, XS_WATCH_EVENT);
	CU_ASSERT_EQUAL(memcmp(dom0.in.data[1], "/local/domain/5\0tok\0", 20), 0);
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_WATCH, 0, "/local/domain/5", "tok"),
	    "EEXIST"));
	dom0.in.n = 0;
	write_(&g5, 0, "state", "1");
	CU_ASSERT_EQUAL(dom0.in.n, 1);
	CU_ASSERT_EQUAL(memcmp(dom0.in.data[0], "/local/domain/5/state\0tok\0", 26), 0);
	/* A guest's relative watch names paths relatively. */
	CU_ASSERT_EQUAL(req(&g5, XS_WATCH, 0, "state", "mine"), XS_WATCH);
	g5.in.n = 0;
	write_(&dom0, 0, "/local/domain/5/state", "2");
	CU_ASSERT_EQUAL(g5.in.n, 1);
	CU_ASSERT_EQUAL(memcmp(g5.in.data[0], "state\0mine\0", 11), 0);
	/* 6 watching 5's directory learns nothing of it (XSA-115). */
	CU_ASSERT_EQUAL(req(&g6, XS_WATCH, 0, "/local/domain/5", "spy"), XS_WATCH);
	g6.in.n = 0;
	write_(&g5, 0, "secret", "x");
	CU_ASSERT_EQUAL(g6.in.n, 0);
	/* Removing a subtree tells the watchers below it too. */
	CU_ASSERT_EQUAL(req(&dom0, XS_WATCH, 0, "/local/domain/5/secret", "below"), XS_WATCH);
	dom0.in.n = 0;
	req(&dom0, XS_RM, 0, "/local/domain/5/secret", NULL);
	CU_ASSERT_EQUAL(dom0.in.n, 3);	/* the reply, and one event per watch */
	CU_ASSERT_EQUAL(req(&dom0, XS_UNWATCH, 0, "/local/domain/5/secret", "below"),
	    XS_UNWATCH);
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_UNWATCH, 0, "/local/domain/5/secret",
	    "below"), "ENOENT"));
	CU_ASSERT_EQUAL(raw(&g6, XS_RESET_WATCHES, 0, "", 1), XS_RESET_WATCHES);
	/* Domains come and go: @introduceDomain, @releaseDomain. */
	CU_ASSERT_EQUAL(req(&dom0, XS_WATCH, 0, "@releaseDomain", "rel"), XS_WATCH);
	CU_ASSERT_TRUE(err_is(&g5, raw(&g5, XS_INTRODUCE, 0, "9\0001\0002\0", 6), "EACCES"));
	CU_ASSERT_EQUAL(raw(&dom0, XS_INTRODUCE, 0, "9\0001234\0003\0", 9), XS_INTRODUCE);
	CU_ASSERT_EQUAL(req(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, "9", NULL),
	    XS_IS_DOMAIN_INTRODUCED);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "T");
	CU_ASSERT_EQUAL(req(&dom0, XS_RESUME, 0, "9", NULL), XS_RESUME);
	CU_ASSERT_EQUAL(req(&dom0, XS_RELEASE, 0, "9", NULL), XS_RELEASE);
	CU_ASSERT_EQUAL(dom0.in.n, 2);
	CU_ASSERT_EQUAL(memcmp(dom0.in.data[1], "@releaseDomain\0rel\0", 19), 0);
	req(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, "9", NULL);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "F");
	raw(&dom0, XS_RESET_WATCHES, 0, "", 1);
	raw(&g5, XS_RESET_WATCHES, 0, "", 1);
}

static uint32_t txn_start(struct client *cl)
{
	CU_ASSERT_EQUAL(raw(cl, XS_TRANSACTION_START, 0, "", 1), XS_TRANSACTION_START);
	return (uint32_t)strtoul(reply(cl), NULL, 10);
}

static void test_transactions(void)
{
	uint32_t t, t2, i, ts[16];

	write_(&dom0, 0, "/t/x", "0");
	t = txn_start(&dom0);
	CU_ASSERT_NOT_EQUAL(t, 0);
	write_(&dom0, t, "/t/y", "in");
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, t, "/t/y", NULL), XS_READ);
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/t/y", NULL), "ENOENT"));
	CU_ASSERT_EQUAL(req(&dom0, XS_TRANSACTION_END, t, "T", NULL), XS_TRANSACTION_END);
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/t/y", NULL), XS_READ);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "in");
	/* Someone else changes what the transaction read: EAGAIN, nothing done. */
	t = txn_start(&dom0);
	req(&dom0, XS_READ, t, "/t/x", NULL);
	write_(&dom0, t, "/t/z", "lost");
	write_(&g5, 0, "/local/domain/5/unrelated", "fine");
	write_(&dom0, 0, "/t/x", "1");
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_TRANSACTION_END, t, "T", NULL), "EAGAIN"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/t/z", NULL), "ENOENT"));
	/* An unrelated change does not conflict; an abort keeps nothing. */
	t = txn_start(&dom0);
	t2 = txn_start(&dom0);
	write_(&dom0, t, "/t/a", "1");
	write_(&dom0, t2, "/t/b/c", "2");
	write_(&dom0, 0, "/other", "x");
	CU_ASSERT_EQUAL(req(&dom0, XS_TRANSACTION_END, t2, "F", NULL), XS_TRANSACTION_END);
	CU_ASSERT_EQUAL(req(&dom0, XS_TRANSACTION_END, t, "T", NULL), XS_TRANSACTION_END);
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/t/a", NULL), XS_READ);
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 0, "/t/b", NULL), "ENOENT"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_READ, 12345, "/t/a", NULL), "ENOENT"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_TRANSACTION_END, t, "T", NULL), "ENOENT"));
	/* At most ten at once for a guest. */
	for (i = 0; i < 10; i++)
		ts[i] = txn_start(&g5);
	CU_ASSERT_TRUE(err_is(&g5, raw(&g5, XS_TRANSACTION_START, 0, "", 1), "ENOSPC"));
	for (i = 0; i < 10; i++)
		req(&g5, XS_TRANSACTION_END, ts[i], "F", NULL);
	req(&dom0, XS_RM, 0, "/t", NULL);
	req(&dom0, XS_RM, 0, "/other", NULL);
}

/* A listing's names, joined by spaces. */
static const char *names(struct client *cl)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t i, len = cl->in.hdr[0].len;

	memcpy(buf, cl->in.data[0], len);
	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[len ? len - 1 : 0] = '\0';
	return buf;
}

/*
 * Memory: a guest's nodes, watches and transactions are charged to it and
 * given back exactly; a transaction holds only what it looked at, so one
 * costs little however big the store is; and the memory quota binds.
 */
static void test_memory(void)
{
	struct xs_quota q = xs_default_quota;
	struct xs_store *saved = s;
	struct client d0, g7;
	char path[64], big[2049];
	size_t base, during;
	uint32_t t, type = XS_WRITE;
	unsigned int i, made;

	q.memory_kb = 64;
	s = xs_store_new(&q);
	CU_ASSERT_TRUE_FATAL(s != NULL);
	CU_ASSERT_TRUE_FATAL(client_init(&d0, 0) && client_init(&g7, 7));
	req(&d0, XS_MKDIR, 0, "/local/domain/7", NULL);
	req(&d0, XS_SET_PERMS, 0, "/local/domain/7", "n7");
	for (i = 0; i < 2000; i++) {
		snprintf(path, sizeof(path), "/big/%u", i);
		write_(&d0, 0, path, "dom0's");
	}
	base = xs_domain_bytes(s, 7);
	CU_ASSERT_EQUAL(xs_domain_nodes(s, 7), 1);

	/* 64 KiB of 2 KiB values: the memory quota binds long before the
	 * node quota. */
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (made = 0; made < 100 && type == XS_WRITE; made++) {
		snprintf(path, sizeof(path), "mem/%u", made);
		type = write_(&g7, 0, path, big);
	}
	CU_ASSERT_TRUE(err_is(&g7, type, "ENOSPC"));
	CU_ASSERT_TRUE(made > 20 && made < 32);
	CU_ASSERT_TRUE(xs_domain_bytes(s, 7) <= 64 * 1024);
	CU_ASSERT_EQUAL(write_(&d0, 0, "/local/domain/7/dom0-may", big), XS_WRITE);
	req(&d0, XS_RM, 0, "/local/domain/7/dom0-may", NULL);
	CU_ASSERT_EQUAL(req(&g7, XS_RM, 0, "mem", NULL), XS_RM);
	CU_ASSERT_EQUAL(xs_domain_bytes(s, 7), base);
	CU_ASSERT_EQUAL(xs_domain_nodes(s, 7), 1);

	/* Watches are charged, and given back. */
	CU_ASSERT_EQUAL(req(&g7, XS_WATCH, 0, "w", "token"), XS_WATCH);
	CU_ASSERT_TRUE(xs_domain_bytes(s, 7) > base);
	raw(&g7, XS_RESET_WATCHES, 0, "", 1);
	CU_ASSERT_EQUAL(xs_domain_bytes(s, 7), base);

	/* A transaction over a 2000-node store costs a few nodes' worth. */
	t = txn_start(&g7);
	CU_ASSERT_EQUAL(write_(&g7, t, "in-txn", "v"), XS_WRITE);
	during = xs_domain_bytes(s, 7);
	CU_ASSERT_TRUE(during > base && during - base < 4096);
	CU_ASSERT_EQUAL(req(&g7, XS_TRANSACTION_END, t, "T", NULL), XS_TRANSACTION_END);
	CU_ASSERT_EQUAL(xs_domain_nodes(s, 7), 2);
	CU_ASSERT_EQUAL(req(&g7, XS_RM, 0, "in-txn", NULL), XS_RM);
	CU_ASSERT_EQUAL(xs_domain_bytes(s, 7), base);

	/* ... and its writes meet the quota too; what it kept commits. */
	t = txn_start(&g7);
	for (made = 0, type = XS_WRITE; made < 100 && type == XS_WRITE; made++) {
		snprintf(path, sizeof(path), "tmem/%u", made);
		type = write_(&g7, t, path, big);
	}
	CU_ASSERT_TRUE(err_is(&g7, type, "ENOSPC"));
	CU_ASSERT_EQUAL(req(&g7, XS_TRANSACTION_END, t, "T", NULL), XS_TRANSACTION_END);
	CU_ASSERT_EQUAL(req(&g7, XS_READ, 0, "tmem/0", NULL), XS_READ);
	CU_ASSERT_EQUAL(req(&g7, XS_RM, 0, "tmem", NULL), XS_RM);
	CU_ASSERT_EQUAL(xs_domain_bytes(s, 7), base);

	/* Closing a connection gives back its transactions and watches. */
	t = txn_start(&g7);
	write_(&g7, t, "x", "y");
	req(&g7, XS_WATCH, 0, "w", "token");
	xs_conn_free(g7.c);
	CU_ASSERT_EQUAL(xs_domain_bytes(s, 7), base);
	xs_conn_free(d0.c);
	CU_ASSERT_EQUAL(xs_usage_verify(s), 0);
	xs_store_free(s);
	s = saved;
}

/* A view shows the live tree where the transaction has not been, its own
 * changes where it has, and a commit over a changed listing fails. */
static void test_txn_view(void)
{
	uint32_t t;

	write_(&dom0, 0, "/v/a", "1");
	write_(&dom0, 0, "/v/b", "1");
	t = txn_start(&dom0);
	write_(&dom0, 0, "/v/b", "2");	/* before the transaction looks */
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, t, "/v/b", NULL), XS_READ);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "2");
	CU_ASSERT_EQUAL(req(&dom0, XS_RM, t, "/v/a", NULL), XS_RM);
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY, t, "/v", NULL), XS_DIRECTORY);
	CU_ASSERT_STRING_EQUAL(names(&dom0), "b");
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY, 0, "/v", NULL), XS_DIRECTORY);
	CU_ASSERT_STRING_EQUAL(names(&dom0), "a b");
	write_(&dom0, 0, "/v/c", "1");	/* /v changes under the transaction */
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY, t, "/v", NULL), XS_DIRECTORY);
	CU_ASSERT_STRING_EQUAL(names(&dom0), "b");
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_TRANSACTION_END, t, "T", NULL), "EAGAIN"));
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/v/a", NULL), XS_READ);

	t = txn_start(&dom0);
	CU_ASSERT_EQUAL(req(&dom0, XS_RM, t, "/v/a", NULL), XS_RM);
	write_(&dom0, t, "/v/d", "new");
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY, t, "/v", NULL), XS_DIRECTORY);
	CU_ASSERT_STRING_EQUAL(names(&dom0), "b c d");
	CU_ASSERT_EQUAL(req(&dom0, XS_TRANSACTION_END, t, "T", NULL), XS_TRANSACTION_END);
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY, 0, "/v", NULL), XS_DIRECTORY);
	CU_ASSERT_STRING_EQUAL(names(&dom0), "b c d");
	req(&dom0, XS_RM, 0, "/v", NULL);
}

static void test_quotas(void)
{
	char path[64], big[2100];
	unsigned int i;
	uint32_t type = XS_WRITE;

	for (i = 0; i < 2000 && type == XS_WRITE; i++) {
		snprintf(path, sizeof(path), "flood/%u", i);
		type = write_(&g6, 0, path, "x");
	}
	CU_ASSERT_TRUE(err_is(&g6, type, "ENOSPC"));
	CU_ASSERT_TRUE(xs_domain_nodes(s, 6) <= xs_default_quota.nodes);
	/* Everyone else goes on. */
	CU_ASSERT_EQUAL(write_(&g5, 0, "still", "here"), XS_WRITE);
	req(&dom0, XS_RM, 0, "/local/domain/6/flood", NULL);
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_TRUE(err_is(&g5, write_(&g5, 0, "big", big), "ENOSPC"));
	CU_ASSERT_EQUAL(write_(&dom0, 0, "/local/domain/5/big", big), XS_WRITE);
	for (i = 0, type = XS_WATCH; i < 200 && type == XS_WATCH; i++) {
		snprintf(path, sizeof(path), "w%u", i);
		type = req(&g5, XS_WATCH, 0, "state", path);
	}
	CU_ASSERT_TRUE(err_is(&g5, type, "E2BIG"));
	raw(&g5, XS_RESET_WATCHES, 0, "", 1);
}

/* XSA-322..325's class: paths and tokens past xenstored's limits. */
static void test_oversized(void)
{
	static char path[XENSTORE_ABS_PATH_MAX + 16], token[XENSTORE_REL_PATH_MAX + 16];
	size_t i;

	path[0] = '/';
	for (i = 1; i < sizeof(path) - 1; i++)
		path[i] = i % 10 == 0 ? '/' : 'a';
	path[sizeof(path) - 1] = '\0';
	CU_ASSERT_TRUE(err_is(&dom0, write_(&dom0, 0, path, "v"), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_WATCH, 0, path, "t"), "EINVAL"));
	/* A relative path that would fit absolutely is still too long. */
	memset(path, 'r', XENSTORE_REL_PATH_MAX + 1);
	path[XENSTORE_REL_PATH_MAX + 1] = '\0';
	CU_ASSERT_TRUE(err_is(&g5, write_(&g5, 0, path, "v"), "EINVAL"));
	memset(token, 't', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	CU_ASSERT_TRUE(err_is(&g5, req(&g5, XS_WATCH, 0, "state", token), "EINVAL"));
	/* The longest path and token a watch may have make an event that fits. */
	memset(token, 't', XENSTORE_REL_PATH_MAX);
	token[XENSTORE_REL_PATH_MAX] = '\0';
	CU_ASSERT_EQUAL(req(&dom0, XS_WATCH, 0, "/local", token), XS_WATCH);
	CU_ASSERT_EQUAL(dom0.in.n, 2);
	CU_ASSERT_TRUE(dom0.in.hdr[1].len <= XENSTORE_PAYLOAD_MAX);
	raw(&dom0, XS_RESET_WATCHES, 0, "", 1);
}

/* Malformed messages: an error reply, or the connection dropped. */
static void test_wire(void)
{
	struct xsd_sockmsg h = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1 };
	char part[64];

	CU_ASSERT_EQUAL(xs_handle(dom0.c, &h, ""), -1);
	CU_ASSERT_TRUE(err_is(&dom0, raw(&dom0, XS_READ, 0, "/local", 6), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, raw(&dom0, XS_WRITE, 0, "/novalue", 8), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, raw(&dom0, 999, 0, "", 1), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, raw(&dom0, XS_WATCH_EVENT, 0, "a\0b\0", 4), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, raw(&dom0, XS_READ, 0, "/a\0/b\0", 6), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, raw(&dom0, XS_READ, 0, "", 0), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_GET_DOMAIN_PATH, 0, "x1", NULL), "EINVAL"));
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_CONTROL, 0, "bogus", NULL), "EINVAL"));
	CU_ASSERT_EQUAL(req(&dom0, XS_CONTROL, 0, "print", "hello"), XS_CONTROL);
	/* DIRECTORY_PART: generation, then children, an empty string at the end. */
	write_(&dom0, 0, "/p/one", "1");
	write_(&dom0, 0, "/p/two", "2");
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY_PART, 0, "/p", "0"), XS_DIRECTORY_PART);
	memcpy(part, reply(&dom0), dom0.in.hdr[0].len);
	CU_ASSERT_EQUAL(memcmp(part + strlen(part) + 1, "one\0two\0\0", 9), 0);
	CU_ASSERT_EQUAL(req(&dom0, XS_DIRECTORY_PART, 0, "/p", "4"), XS_DIRECTORY_PART);
	memcpy(part, reply(&dom0), dom0.in.hdr[0].len);
	CU_ASSERT_EQUAL(memcmp(part + strlen(part) + 1, "two\0\0", 5), 0);
	CU_ASSERT_TRUE(err_is(&dom0, req(&dom0, XS_DIRECTORY_PART, 0, "/p", "x"), "EINVAL"));
	req(&dom0, XS_RM, 0, "/p", NULL);
}

/* The snapshot as records, and what replaying them (or garbage) does. */
static uint8_t recs[1 << 20];
static size_t recs_len, recs_n;

static void keep(void *opaque, const void *rec, size_t len)
{
	(void)opaque;
	if (recs_len + sizeof(uint32_t) + len > sizeof(recs))
		return;
	memcpy(recs + recs_len, &(uint32_t){ (uint32_t)len }, sizeof(uint32_t));
	memcpy(recs + recs_len + sizeof(uint32_t), rec, len);
	recs_len += sizeof(uint32_t) + len;
	recs_n++;
}

/* Records in recs replayed into a new store. */
static struct xs_store *replayed(void)
{
	struct xs_store *copy = xs_store_new(NULL);
	size_t at;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	for (at = 0; at < recs_len;) {
		uint32_t n;

		memcpy(&n, recs + at, sizeof(n));
		CU_ASSERT_EQUAL(xs_store_apply(copy, recs + at + sizeof(n), n), 0);
		at += sizeof(n) + n;
	}
	return copy;
}

static void test_persistence(void)
{
	struct xs_store *copy;
	struct client saved = dom0;
	uint8_t junk[64];

	write_(&dom0, 0, "/keep/v", "value");
	req(&dom0, XS_SET_PERMS, 0, "/keep/v", "n5");
	raw(&dom0, XS_INTRODUCE, 0, "9\0001234\0003\0", 9);
	recs_len = recs_n = 0;
	xs_store_dump(s, keep, NULL);
	CU_ASSERT_EQUAL(recs_n, xs_node_count(s) + 1);	/* and one domain */
	copy = replayed();
	CU_ASSERT_EQUAL(xs_node_count(copy), xs_node_count(s));
	CU_ASSERT_EQUAL(xs_domain_nodes(copy, 5), xs_domain_nodes(s, 5));
	/* Ask the copy through a connection of its own. */
	dom0.c = xs_conn_new(copy, 0, capture, &dom0.in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dom0.c);
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/keep/v", NULL), XS_READ);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "value");
	CU_ASSERT_EQUAL(req(&dom0, XS_GET_PERMS, 0, "/keep/v", NULL), XS_GET_PERMS);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "n5");
	req(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, "9", NULL);
	CU_ASSERT_STRING_EQUAL(reply(&dom0), "T");
	xs_store_free(copy);
	dom0 = saved;
	/* Garbage, short records, lengths that lie: refused. */
	memset(junk, 0xab, sizeof(junk));
	CU_ASSERT_EQUAL(xs_store_apply(s, junk, sizeof(junk)), -EINVAL);
	CU_ASSERT_EQUAL(xs_store_apply(s, junk, 3), -EINVAL);
	memcpy(junk, recs + sizeof(uint32_t), 32);
	CU_ASSERT_EQUAL(xs_store_apply(s, junk, 32), -EINVAL);
	req(&dom0, XS_RM, 0, "/keep", NULL);
	req(&dom0, XS_RELEASE, 0, "9", NULL);
}

/* Did cl get an event for path with token (a watch event "path\0token\0")? */
static bool got_event(const struct client *cl, const char *path, const char *token)
{
	unsigned int i;
	size_t pl = strlen(path);

	for (i = 0; i < cl->in.n; i++)
		if (cl->in.hdr[i].type == XS_WATCH_EVENT &&
		    strcmp(cl->in.data[i], path) == 0 &&
		    strcmp(cl->in.data[i] + pl + 1, token) == 0)
			return true;
	return false;
}

/* A guest's watches outlive palstored: from the journal and from a
 * snapshot, given back (and fired once) when its ring comes back. */
static void test_watches_persist(void)
{
	struct xs_store *copy;
	struct client c5, c6;
	int round;

	for (round = 0; round < 2; round++) {
		recs_len = recs_n = 0;
		xs_store_set_journal(s, keep, NULL);
		xs_store_dump(s, keep, NULL);
		CU_ASSERT_EQUAL(req(&g5, XS_WATCH, 0, "device", "t1"), XS_WATCH);
		CU_ASSERT_EQUAL(req(&g5, XS_WATCH, 0, "/local/domain/5/x", "t2"), XS_WATCH);
		CU_ASSERT_EQUAL(req(&g5, XS_WATCH, 0, "gone", "t3"), XS_WATCH);
		CU_ASSERT_EQUAL(req(&g5, XS_UNWATCH, 0, "gone", "t3"), XS_UNWATCH);
		CU_ASSERT_EQUAL(req(&g6, XS_WATCH, 0, "a", "t4"), XS_WATCH);
		CU_ASSERT_EQUAL(raw(&g6, XS_RESET_WATCHES, 0, "", 1), XS_RESET_WATCHES);
		xs_store_set_journal(s, NULL, NULL);
		if (round == 1) {	/* from a snapshot alone */
			recs_len = recs_n = 0;
			xs_store_dump(s, keep, NULL);
		}
		copy = replayed();
		memset(&c5.in, 0, sizeof(c5.in));
		memset(&c6.in, 0, sizeof(c6.in));
		c5.c = xs_conn_new(copy, 5, capture, &c5.in);
		c6.c = xs_conn_new(copy, 6, capture, &c6.in);
		CU_ASSERT_EQUAL(c5.in.n, 2);
		CU_ASSERT_TRUE(got_event(&c5, "device", "t1"));
		CU_ASSERT_TRUE(got_event(&c5, "/local/domain/5/x", "t2"));
		CU_ASSERT_EQUAL(c6.in.n, 0);
		c5.in.n = 0;
		xs_store_domain_gone(copy, 6);	/* no effect on 5 */
		CU_ASSERT_EQUAL(c5.in.n, 0);
		xs_store_free(copy);
		raw(&g5, XS_RESET_WATCHES, 0, "", 1);
	}
}

/* The security module: 6 may not reach 5's nodes, whatever the ACLs say. */
static int deny_6_on_5(void *opaque, uint32_t domid, uint32_t owner)
{
	(void)opaque;
	return domid == 6 && owner == 5 ? -EACCES : 0;
}

static void test_security_module(void)
{
	xs_store_set_access_check(s, deny_6_on_5, NULL);
	write_(&dom0, 0, "/local/domain/5/open", "x");
	req(&dom0, XS_SET_PERMS, 0, "/local/domain/5/open", "r5");	/* all may read */
	CU_ASSERT_TRUE(err_is(&g6, req(&g6, XS_READ, 0, "/local/domain/5/open", NULL),
	    "EACCES"));
	CU_ASSERT_TRUE(err_is(&g6, req(&g6, XS_DIRECTORY, 0, "/local/domain/5", NULL),
	    "EACCES"));
	CU_ASSERT_EQUAL(req(&g5, XS_READ, 0, "/local/domain/5/open", NULL), XS_READ);
	CU_ASSERT_EQUAL(req(&dom0, XS_READ, 0, "/local/domain/5/open", NULL), XS_READ);
	/* Nor does it hear of them. */
	CU_ASSERT_EQUAL(req(&g6, XS_WATCH, 0, "/local/domain/5/open", "t"), XS_WATCH);
	g6.in.n = 0;
	write_(&dom0, 0, "/local/domain/5/open", "y");
	CU_ASSERT_EQUAL(g6.in.n, 0);
	raw(&g6, XS_RESET_WATCHES, 0, "", 1);
	xs_store_set_access_check(s, NULL, NULL);
	CU_ASSERT_EQUAL(req(&g6, XS_READ, 0, "/local/domain/5/open", NULL), XS_READ);
	req(&dom0, XS_RM, 0, "/local/domain/5/open", NULL);
}

static CU_TestInfo tests[] = {
	{ "tree: write, read, mkdir, rm, directory", test_tree },
	{ "permissions", test_permissions },
	{ "watches", test_watches },
	{ "transactions", test_transactions },
	{ "quotas", test_quotas },
	{ "memory quota and accounting", test_memory },
	{ "transactions' views", test_txn_view },
	{ "wire: malformed messages", test_wire },
	{ "oversized paths and tokens", test_oversized },
	{ "snapshot and replay", test_persistence },
	{ "guests' watches outlive a restart", test_watches_persist },
	{ "the security module's say", test_security_module },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "store", setup, teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
