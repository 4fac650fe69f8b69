/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store from a guest, over its store page: the nodes the toolstack
 * wrote for us, our own nodes, another domain's refused, a watch firing,
 * a transaction. suite=storeflood writes nodes until the quota stops it;
 * suite=storewait waits for dom0 to write data/go and answers.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"
#include "xenbus.h"

#include <xen/io/xs_wire.h>

static bool error_is(long r, const char *reply, const char *name)
{
	return r < 0 && strcmp(reply, name) == 0;
}

static void store_transaction(void)
{
	char id[16], rep[16], val[32];
	size_t n = sizeof(id) - 1, rl = sizeof(rep);
	char buf[64];
	uint32_t tx;
	long r;

	r = xb_request(XS_TRANSACTION_START, 0, "", 1, id, &n);
	id[r == 0 ? n : 0] = '\0';
	tx = (uint32_t)strtoul(id, NULL, 10);
	check(r == 0 && tx != 0, "transaction %u started", tx);
	memcpy(buf, "data/tx\0in a transaction", 24);
	check(xb_request(XS_WRITE, tx, buf, 24, rep, &rl) == 0, "written in it");
	rl = sizeof(rep);
	check(xb_request(XS_TRANSACTION_END, tx, "T", 2, rep, &rl) == 0, "committed");
	check(xb_read("data/tx", val, sizeof(val)) == 0 && strcmp(val, "in a transaction") == 0,
	    "and there: '%s'", val);
}

void suite_store(void)
{
	char val[128], path[64];
	size_t n = sizeof(val);
	const char *ev;
	long r;

	xb_init();
	check(xb_read("name", val, sizeof(val)) == 0 && val[0] != '\0',
	    "our name in the store: '%s'", val);
	check(xb_read("domid", val, sizeof(val)) == 0, "our domid: %s", val);
	snprintf(path, sizeof(path), "/local/domain/%s/store/port", val);
	check(xb_read(path, val, sizeof(val)) == 0 &&
	    strtoul(val, NULL, 10) == start_info->store_evtchn,
	    "the absolute path works, and the port is ours (%s)", val);
	check(xb_write("data/greeting", "hello") == 0, "wrote data/greeting");
	check(xb_read("data/greeting", val, sizeof(val)) == 0 &&
	    strcmp(val, "hello") == 0, "read it back: '%s'", val);
	n = sizeof(val);
	r = xb_request(XS_WRITE, 0, "name\0renamed", 12, val, &n);
	check(error_is(r, val, "EACCES"), "our name is not ours to change: %s",
	    r < 0 ? val : "changed");
	n = sizeof(val);
	r = xb_request(XS_WRITE, 0, "/local/domain/0/x\0no", 20, val, &n);
	check(error_is(r, val, "EACCES"), "dom0's nodes are refused: %s", r < 0 ? val : "written");
	n = sizeof(val);
	r = xb_request(XS_READ, 0, "/local\0", 7, val, &n);
	check(error_is(r, val, "EACCES"), "so is /local: %s", r < 0 ? val : "read");
	check(xb_watch("data/watched", "tok") == 0, "watch set");
	ev = xb_event();
	check(ev != NULL && strcmp(ev, "data/watched") == 0, "it fires once at once: %s",
	    ev ? ev : "nothing");
	xb_write("data/watched/x", "1");
	ev = xb_event();
	check(ev != NULL && strcmp(ev, "data/watched/x") == 0 &&
	    strcmp(ev + strlen(ev) + 1, "tok") == 0, "and on a change below it: %s",
	    ev ? ev : "nothing");
	store_transaction();
	printk("store: done\n");
}

void suite_storeflood(void)
{
	char path[32], rep[16];
	unsigned int i;
	size_t n;
	long r = 0;

	xb_init();
	for (i = 0; i < 5000 && r == 0; i++) {
		snprintf(path, sizeof(path), "data/f%u", i);
		n = sizeof(rep);
		r = xb_request(XS_WRITE, 0, path, strlen(path) + 1, rep, &n);
	}
	check(r < 0 && strncmp(rep, "ENOSPC", 6) == 0 && i <= 1000,
	    "the quota stopped us after %u nodes", i - 1);
	printk("storeflood: stopped after %u nodes\n", i - 1);
}

/* Until dom0 writes data/go, then answer in data/ack. It waits on a watch
 * alone: a palstored restarted meanwhile must give the watch back. */
void suite_storewait(void)
{
	char val[64];
	const char *ev = "";
	unsigned int i;
	long r = -1;

	xb_init();
	check(xb_watch("data/go", "go") == 0, "watching data/go");
	printk("storewait: waiting for data/go\n");
	for (i = 0; i < 1000 && r != 0 && ev != NULL; i++) {
		r = xb_read("data/go", val, sizeof(val));
		if (r != 0)
			ev = xb_event();	/* the first is the watch's own */
	}
	check(r == 0, "dom0 wrote data/go: '%s'", r == 0 ? val : "");
	check(r == 0 && xb_write("data/ack", val) == 0, "answered in data/ack");
	printk("storewait: acked\n");
}

/* Until the node at path reads as want, watching it; false if it never does. */
static bool wait_value(const char *path, const char *want)
{
	char val[32];
	unsigned int i;
	bool ok = false;

	if (xb_watch(path, "w") != 0)
		return false;
	for (i = 0; i < 1000 && !ok; i++) {
		ok = xb_read(path, val, sizeof(val)) == 0 && strcmp(val, want) == 0;
		if (!ok && xb_event() == NULL)
			break;
	}
	xb_unwatch(path, "w");
	return ok;
}

/* The frontend's half of xenbus for a test device (device/vtest/0), with
 * the dom0 backend tests/integration/xbpeer runs. */
void suite_xbfront(void)
{
	char back[128], path[160], val[32];

	xb_init();
	check(xb_read("device/vtest/0/backend", back, sizeof(back)) == 0,
	    "our device's backend: %s", back);
	snprintf(path, sizeof(path), "%s/state", back);
	check(wait_value(path, "2"), "the backend waits for us (InitWait)");
	snprintf(path, sizeof(path), "%s/feature-test", back);
	check(xb_read(path, val, sizeof(val)) == 0 && strcmp(val, "1") == 0,
	    "and offers feature-test: %s", val);
	check(xb_write("device/vtest/0/ring-ref", "42") == 0 &&
	    xb_write("device/vtest/0/state", "3") == 0, "we are Initialised");
	snprintf(path, sizeof(path), "%s/state", back);
	check(wait_value(path, "4"), "the backend connected");
	xb_write("device/vtest/0/state", "4");
	printk("xbfront: connected\n");
	xb_write("device/vtest/0/state", "5");
	check(wait_value(path, "5"), "closing: the backend is Closing");
	xb_write("device/vtest/0/state", "6");
	check(wait_value(path, "6"), "and then Closed");
	xb_write("device/vtest/0/finished", "1");	/* the backend may go now */
	printk("xbfront: closed\n");
}

/* suite=storeread path=P: print what reading P gives (its value, or the
 * error's name), for the tests to judge. */
void suite_storeread(void)
{
	const char *p = cmdline_get("path");
	char path[128], val[128];
	size_t n = sizeof(val) - 1;
	long r;

	snprintf(path, sizeof(path), "%s", p != NULL ? p : "");
	xb_init();
	r = xb_request(XS_READ, 0, path, strlen(path) + 1, val, &n);
	val[n < sizeof(val) ? n : sizeof(val) - 1] = '\0';
	printk("storeread: %s %s\n", r == 0 ? "value" : "error", val);
}

/* suite=bench-store count=N: N reads of our own node, timed in the guest. */
void suite_bench_store(void)
{
	unsigned long i, n = cmdline_ulong("count", 1000);
	char val[32];
	uint64_t t0;

	xb_init();
	xb_write("data/bench", "x");
	t0 = system_time();
	for (i = 0; i < n; i++)
		if (xb_read("data/bench", val, sizeof(val)) != 0)
			break;
	printk("bench-store: %lu reads in %lu ns\n", i, (unsigned long)(system_time() - t0));
}

/* suite=storedeaf: set a watch, then send requests and never read a reply
 * or an event (XSA-326/416's client): we block once the ring is full, and
 * palstored must not grow meanwhile. */
void suite_storedeaf(void)
{
	static const char req[] = "data/deaf\0x";
	unsigned int i;

	xb_init();
	check(xb_watch("data", "deaf") == 0, "watch set");
	printk("storedeaf: flooding\n");
	for (i = 0; ; i++)
		xb_send(XS_WRITE, req, sizeof(req) - 1);
}
