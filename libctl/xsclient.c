/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small client for palstored's socket (the xenstore wire protocol, one
 * request at a time), and what the toolstack writes there for a domain:
 * its standard nodes and its introduction, as xl does.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include <xen/io/xs_wire.h>
#include "palctl.h"

#define STORE_SOCKET "palstored.sock"

int palctl_xs_open(struct palctl_xs *x)
{
	memset(x, 0, sizeof(*x));
	x->fd = rundir_connect(STORE_SOCKET, SOCK_STREAM);
	return x->fd < 0 ? x->fd : 0;
}

void palctl_xs_close(struct palctl_xs *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

static int full_io(int fd, void *buf, size_t n, bool out)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = out ? write(fd, (char *)buf + done, n - done) :
		    read(fd, (char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -EPIPE : -errno;
		done += (size_t)r;
	}
	return 0;
}

/* Map an XS_ERROR name back to an errno. */
static int xs_errno(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (strcmp(xsd_errors[i].errstring, name) == 0)
			return xsd_errors[i].errnum;
	return EIO;
}

/* One message from palstored: its header, and its payload in buf. */
static int read_msg(struct palctl_xs *x, struct xsd_sockmsg *h, char *buf)
{
	int ret = full_io(x->fd, h, sizeof(*h), false);

	if (ret < 0)
		return ret;
	if (h->len > XENSTORE_PAYLOAD_MAX)
		return -EPROTO;
	if ((ret = full_io(x->fd, buf, h->len, false)) < 0)
		return ret;
	buf[h->len] = '\0';
	return 0;
}

static void keep_event(struct palctl_xs *x, const char *ev, size_t len)
{
	char *slot;

	if (x->ev_head - x->ev_tail == PALCTL_XS_EVENTS || len + 2 > sizeof(x->ev[0])) {
		x->ev_lost = true;
		return;
	}
	slot = x->ev[x->ev_head++ % PALCTL_XS_EVENTS];
	memcpy(slot, ev, len);
	slot[len] = slot[len + 1] = '\0';
}

int palctl_xs_request(struct palctl_xs *x, uint32_t type, const void *payload,
    size_t len, char *reply, size_t *rlen)
{
	return palctl_xs_request_tx(x, type, x->tx, payload, len, reply, rlen);
}

int palctl_xs_txn_start(struct palctl_xs *x)
{
	char id[16];
	size_t len = sizeof(id) - 1;
	int ret;

	x->tx = 0;
	ret = palctl_xs_request(x, XS_TRANSACTION_START, "", 1, id, &len);
	if (ret < 0)
		return ret;
	id[len] = '\0';
	x->tx = (uint32_t)strtoul(id, NULL, 10);
	return x->tx != 0 ? 0 : -EPROTO;
}

int palctl_xs_txn_end(struct palctl_xs *x, bool commit)
{
	char ok[8];
	size_t len = sizeof(ok);
	int ret = palctl_xs_request(x, XS_TRANSACTION_END, commit ? "T" : "F", 2, ok, &len);

	x->tx = 0;
	return ret;
}

int palctl_xs_request_tx(struct palctl_xs *x, uint32_t type, uint32_t tx,
    const void *payload, size_t len, char *reply, size_t *rlen)
{
	struct xsd_sockmsg h = { .type = type, .req_id = 1, .tx_id = tx,
	    .len = (uint32_t)len };
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	int ret;

	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	if ((ret = full_io(x->fd, &h, sizeof(h), true)) < 0 ||
	    (ret = full_io(x->fd, (void *)payload, len, true)) < 0)
		return ret;
	for (;;) {	/* watch events may come first: kept for later */
		if ((ret = read_msg(x, &h, buf)) < 0)
			return ret;
		if (h.type != XS_WATCH_EVENT)
			break;
		keep_event(x, buf, h.len);
	}
	if (h.type == XS_ERROR)
		return -xs_errno(buf);
	if (reply != NULL && rlen != NULL) {
		*rlen = MIN((size_t)h.len, *rlen);
		memcpy(reply, buf, *rlen);
	}
	return 0;
}

/* A request of n strings, each sent with its NUL; the last one (a write's
 * value) without, when value is set. */
static int strings(struct palctl_xs *x, uint32_t type, const char *const *s,
    unsigned int n, bool value)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t used = 0, l;
	unsigned int i;

	for (i = 0; i < n; i++) {
		l = strlen(s[i]) + (value && i == n - 1 ? 0 : 1);
		if (used + l > sizeof(buf))
			return -E2BIG;
		memcpy(buf + used, s[i], l);
		used += l;
	}
	return palctl_xs_request(x, type, buf, used, NULL, NULL);
}

int palctl_xs_write(struct palctl_xs *x, const char *path, const char *value)
{
	return strings(x, XS_WRITE, (const char *[]){ path, value }, 2, true);
}

int palctl_xs_rm(struct palctl_xs *x, const char *path)
{
	return strings(x, XS_RM, (const char *[]){ path }, 1, false);
}

int palctl_xs_set_perms(struct palctl_xs *x, const char *path, const char *owner,
    const char *other)
{
	return strings(x, XS_SET_PERMS, (const char *[]){ path, owner, other },
	    other != NULL ? 3 : 2, false);
}

/* "fmt, ..." as a path under /local/domain/N. */
static void dom_path(char *buf, size_t n, uint32_t domid, const char *rel)
{
	snprintf(buf, n, "/local/domain/%u%s%s", domid, rel[0] ? "/" : "", rel);
}

int palctl_xs_vcpu_avail(struct palctl_xs *x, uint32_t domid, unsigned int vcpu,
    bool online)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/cpu/%u/availability", domid, vcpu);
	return palctl_xs_write(x, path, online ? "online" : "offline");
}

int palctl_xs_introduce(struct palctl_xs *x, const struct palctl_xs_domain *d)
{
	char path[128], val[64], owner[16], reader[16], id[16], mfn[24], port[16];
	static const char *const guest_dirs[] = { "data", "device", "control" };
	unsigned int i;
	int ret;

	snprintf(owner, sizeof(owner), "n0");
	snprintf(reader, sizeof(reader), "r%u", d->domid);
	dom_path(path, sizeof(path), d->domid, "");
	if ((ret = palctl_xs_write(x, path, "")) < 0 ||
	    (ret = palctl_xs_set_perms(x, path, owner, reader)) < 0)
		return ret;
	/* What the guest reads (it inherits the directory's ACL). */
	const struct { const char *rel; const char *fmt; uint64_t v; } num[] = {
		{ "domid", "%llu", d->domid },
		{ "memory/target", "%llu", d->memory_kb },
		{ "memory/static-max", "%llu", d->static_max_kb },
		{ "store/ring-ref", "%llu", d->store_mfn },
		{ "store/port", "%llu", d->store_port },
		{ "console/ring-ref", "%llu", d->console_mfn },
		{ "console/port", "%llu", d->console_port },
	};
	for (i = 0; i < sizeof(num) / sizeof(num[0]) && ret == 0; i++) {
		dom_path(path, sizeof(path), d->domid, num[i].rel);
		snprintf(val, sizeof(val), num[i].fmt, (unsigned long long)num[i].v);
		ret = palctl_xs_write(x, path, val);
	}
	for (i = 0; i < d->maxvcpus && ret == 0; i++)
		ret = palctl_xs_vcpu_avail(x, d->domid, i, i < d->vcpus);
	dom_path(path, sizeof(path), d->domid, "name");
	if (ret == 0)
		ret = palctl_xs_write(x, path, d->name);
	dom_path(path, sizeof(path), d->domid, "vm");
	snprintf(val, sizeof(val), "/vm/%s", d->uuid);
	if (ret == 0)
		ret = palctl_xs_write(x, path, val);
	/* Where the guest writes: its own. */
	snprintf(owner, sizeof(owner), "n%u", d->domid);
	for (i = 0; i < sizeof(guest_dirs) / sizeof(guest_dirs[0]) && ret == 0; i++) {
		dom_path(path, sizeof(path), d->domid, guest_dirs[i]);
		if ((ret = palctl_xs_write(x, path, "")) == 0)
			ret = palctl_xs_set_perms(x, path, owner, NULL);
	}
	snprintf(path, sizeof(path), "/vm/%s/name", d->uuid);
	if (ret == 0)
		ret = palctl_xs_write(x, path, d->name);
	snprintf(path, sizeof(path), "/vm/%s", d->uuid);
	if (ret == 0)
		ret = palctl_xs_set_perms(x, path, "n0", reader);
	snprintf(id, sizeof(id), "%u", d->domid);
	snprintf(mfn, sizeof(mfn), "%llu", (unsigned long long)d->store_mfn);
	snprintf(port, sizeof(port), "%u", d->store_port);
	if (ret == 0)
		ret = strings(x, XS_INTRODUCE, (const char *[]){ id, mfn, port }, 3, false);
	return ret;
}

int palctl_xs_read(struct palctl_xs *x, const char *path, char *value, size_t n)
{
	size_t len = n - 1;
	int ret = palctl_xs_request(x, XS_READ, path, strlen(path) + 1, value, &len);

	value[ret == 0 ? len : 0] = '\0';
	return ret;
}

int palctl_xs_directory(struct palctl_xs *x, const char *path, char *buf, size_t n)
{
	size_t len = n, i;
	int ret = palctl_xs_request(x, XS_DIRECTORY, path, strlen(path) + 1, buf, &len);
	int count = 0;

	if (ret < 0)
		return ret;
	for (i = 0; i < len; i++)
		count += buf[i] == '\0';
	return count;
}

int palctl_xs_children(struct palctl_xs *x, const char *path, char **names)
{
	char req[XENSTORE_ABS_PATH_MAX + 32], part[XENSTORE_PAYLOAD_MAX], gen[32] = "";
	size_t plen = strlen(path) + 1, have = 0, len, glen, i;
	char *all = NULL, *grown;
	int count = 0, ret, tries = 0;

	*names = NULL;
	if (plen > XENSTORE_ABS_PATH_MAX + 1)
		return -EINVAL;
	memcpy(req, path, plen);
	for (;;) {
		len = sizeof(part);
		snprintf(req + plen, sizeof(req) - plen, "%zu", have);
		ret = palctl_xs_request(x, XS_DIRECTORY_PART, req,
		    plen + strlen(req + plen) + 1, part, &len);
		glen = strnlen(part, len);
		if (ret == 0 && (glen + 1 >= len || part[len - 1] != '\0'))
			ret = -EIO;
		if (ret < 0)
			break;
		/* The node changed between parts: start again. */
		if (have > 0 && strcmp(gen, part) != 0) {
			if (++tries == 10) {
				ret = -EAGAIN;
				break;
			}
			have = 0;
			count = 0;
			gen[0] = '\0';
			continue;
		}
		snprintf(gen, sizeof(gen), "%s", part);
		len -= glen + 1;
		if ((grown = realloc(all, have + len + 1)) == NULL) {
			ret = -ENOMEM;
			break;
		}
		all = grown;
		memcpy(all + have, part + glen + 1, len);
		for (i = 0; i < len; i++)
			count += all[have + i] == '\0';
		have += len;
		/* The last part ends with an empty name. */
		if (len == 1 || all[have - 2] == '\0') {
			count--;
			*names = all;
			return count;
		}
	}
	free(all);
	return ret;
}

int palctl_xs_watch(struct palctl_xs *x, const char *path, const char *token)
{
	return strings(x, XS_WATCH, (const char *[]){ path, token }, 2, false);
}

int palctl_xs_event(struct palctl_xs *x, char *path, size_t pn, char *token,
    size_t tn, int timeout_ms)
{
	struct pollfd p = { .fd = x->fd, .events = POLLIN };
	struct xsd_sockmsg h;
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	const char *ev;
	int ret;

	while (x->ev_tail == x->ev_head) {
		ret = poll(&p, 1, timeout_ms);
		if (ret <= 0)
			return ret < 0 && errno != EINTR ? -errno : 0;
		if ((ret = read_msg(x, &h, buf)) < 0)
			return ret;
		if (h.type == XS_WATCH_EVENT)
			keep_event(x, buf, h.len);
	}
	ev = x->ev[x->ev_tail++ % PALCTL_XS_EVENTS];
	str_copy(path, ev, pn);
	str_copy(token, ev + strlen(ev) + 1, tn);
	return 1;
}

/* The two directories of a device, as xl lays them out. */
static void dev_paths(char *fe_path, char *be_path, size_t n, const char *type,
    uint32_t fe, uint32_t be, uint32_t devid)
{
	snprintf(fe_path, n, "/local/domain/%u/device/%s/%u", fe, type, devid);
	snprintf(be_path, n, "/local/domain/%u/backend/%s/%u/%u", be, type, fe, devid);
}

/* "key=value" pairs into dir. */
static int write_kv(struct palctl_xs *x, const char *dir, const char *const *kv)
{
	char p[192];
	int ret = 0;

	for (; ret == 0 && kv != NULL && *kv != NULL; kv++) {
		const char *eq = strchr(*kv, '=');

		if (eq == NULL || eq == *kv)
			return -EINVAL;
		snprintf(p, sizeof(p), "%s/%.*s", dir, (int)(eq - *kv), *kv);
		ret = palctl_xs_write(x, p, eq + 1);
	}
	return ret;
}

static int dev_add_once(struct palctl_xs *x, const char *fp, const char *bp, uint32_t fe,
    uint32_t be, const char *const *frontend_kv, const char *const *backend_kv)
{
	char p[192], owner[16], other[16], id[16], feid[16];
	int ret;

	snprintf(owner, sizeof(owner), "n%u", fe);
	snprintf(other, sizeof(other), "r%u", be);
	if ((ret = palctl_xs_write(x, fp, "")) < 0 ||
	    (ret = palctl_xs_set_perms(x, fp, owner, other)) < 0)
		return ret;
	snprintf(owner, sizeof(owner), "n%u", be);
	snprintf(other, sizeof(other), "r%u", fe);
	if ((ret = palctl_xs_write(x, bp, "")) < 0 ||
	    (ret = palctl_xs_set_perms(x, bp, owner, other)) < 0)
		return ret;
	/* Written by dom0 under ACLs it set: the new nodes take them. */
	snprintf(id, sizeof(id), "%u", be);
	snprintf(feid, sizeof(feid), "%u", fe);
	const struct { const char *dir, *key, *val; } nodes[] = {
		{ fp, "backend", bp }, { fp, "backend-id", id }, { fp, "state", "1" },
		{ bp, "frontend", fp }, { bp, "frontend-id", feid }, { bp, "online", "1" },
		{ bp, "state", "1" },
	};
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]) && ret == 0; i++) {
		snprintf(p, sizeof(p), "%s/%s", nodes[i].dir, nodes[i].key);
		ret = palctl_xs_write(x, p, nodes[i].val);
	}
	if (ret == 0)
		ret = write_kv(x, fp, frontend_kv);
	return ret == 0 ? write_kv(x, bp, backend_kv) : ret;
}

int palctl_xs_dev_add(struct palctl_xs *x, const char *type, uint32_t fe,
    uint32_t be, uint32_t devid, const char *const *frontend_kv,
    const char *const *backend_kv)
{
	char fp[128], bp[128];
	int ret, tries;

	dev_paths(fp, bp, sizeof(fp), type, fe, be, devid);
	/* All at once: a backend must never see half a device. */
	for (tries = 0; tries < 10; tries++) {
		if ((ret = palctl_xs_txn_start(x)) < 0)
			return ret;
		ret = dev_add_once(x, fp, bp, fe, be, frontend_kv, backend_kv);
		if (ret < 0) {
			palctl_xs_txn_end(x, false);
			return ret;
		}
		if ((ret = palctl_xs_txn_end(x, true)) != -EAGAIN)
			return ret;
	}
	return ret;
}

int palctl_xs_dev_remove(struct palctl_xs *x, const char *type, uint32_t fe,
    uint32_t be, uint32_t devid)
{
	char fp[128], bp[128];
	int r1, r2;

	dev_paths(fp, bp, sizeof(fp), type, fe, be, devid);
	r1 = palctl_xs_rm(x, bp);
	r2 = palctl_xs_rm(x, fp);
	return r1 < 0 ? r1 : r2;
}
