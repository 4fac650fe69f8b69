/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore wire protocol (xen/io/xs_wire.h): one request in, one reply
 * out (errors as XS_ERROR "ENAME"), watch events in between. Each request
 * is taken apart by one reader that checks its length and every string's
 * termination before anything is done.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/log.h"
#include "store_int.h"

#define MAX_ARGS (XS_MAX_PERMS + 2)

const struct xs_quota xs_default_quota = {
	.nodes = 1000, .watches = 128, .transactions = 10, .perms = 5,
	.value_len = 2048, .txn_nodes = 1024, .memory_kb = 2560,
};

struct req {
	struct xs_conn *c;
	const struct xsd_sockmsg *hdr;
	const char *arg[MAX_ARGS];
	unsigned int nargs;
	const char *raw;		/* the payload as sent */
	struct xs_txn *t;
	int err;			/* why path_arg gave no path */
};

/* --- replies -------------------------------------------------------------- */

static void reply(struct req *r, uint32_t type, const void *data, size_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = r->hdr->req_id,
	    .tx_id = r->hdr->tx_id, .len = (uint32_t)len };

	r->c->send(r->c->opaque, &h, data != NULL ? data : "");
}

static void reply_str(struct req *r, const char *s)
{
	reply(r, r->hdr->type, s, strlen(s) + 1);
}

static int reply_err(struct req *r, int err)
{
	const char *name = "EINVAL";
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			name = xsd_errors[i].errstring;
	reply(r, XS_ERROR, name, strlen(name) + 1);
	return 0;
}

/* 0 -> "OK", -errno -> XS_ERROR. */
static int reply_status(struct req *r, int ret)
{
	if (ret < 0)
		return reply_err(r, -ret);
	reply_str(r, "OK");
	return 0;
}

/* --- arguments ---------------------------------------------------------- */

/* Split the payload into NUL-terminated strings; the last must be too. */
static int split(struct req *r, uint32_t len)
{
	uint32_t i, start = 0;

	r->nargs = 0;
	for (i = 0; i < len; i++) {
		if (r->raw[i] != '\0')
			continue;
		if (r->nargs == MAX_ARGS)
			return -E2BIG;
		r->arg[r->nargs++] = r->raw + start;
		start = i + 1;
	}
	return start == len ? 0 : -EINVAL;
}

/* A node path argument, made absolute, that the security module lets the
 * caller reach; noted in the transaction. NULL: r->err says why. */
static char *path_arg(struct req *r, unsigned int i)
{
	char *abs = i < r->nargs ? xs_canonical(r->c->domid, r->arg[i]) : NULL;

	r->err = -EINVAL;
	if (abs != NULL && (r->err = xs_label_check(r->c->s, r->c->domid, abs)) < 0) {
		free(abs);
		return NULL;
	}
	if (abs != NULL && r->t != NULL)
		xs_txn_note(r->c->s, r->t, abs);
	return abs;
}

/* The parent of abs, noted too: creating or removing abs changes it. */
static void note_parent(struct req *r, const char *abs)
{
	char *p;
	char *slash;

	if (r->t == NULL || (p = strdup(abs)) == NULL)
		return;
	slash = strrchr(p, '/');
	if (slash == p)
		slash[1] = '\0';
	else
		*slash = '\0';
	xs_txn_note(r->c->s, r->t, p);
	free(p);
}

static bool parse_domid(const char *s, uint32_t *domid)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v >= 0x7ff0)
		return false;
	*domid = (uint32_t)v;
	return true;
}

/* --- node operations -------------------------------------------------- */

static int do_read(struct req *r)
{
	char *path = path_arg(r, 0);
	struct xs_node *n;
	int ret = 0;

	if (path == NULL || r->nargs != 1)
		ret = path == NULL ? r->err : -EINVAL;
	else if ((n = xs_lookup(r->c->s, r->t, path)) == NULL)
		ret = -ENOENT;
	else if (!(xs_mode_of(n, r->c->domid) & XS_R))
		ret = -EACCES;
	else
		reply(r, XS_READ, n->value, n->len);
	free(path);
	return ret < 0 ? reply_err(r, -ret) : 0;
}

/* Write, mkdir, rm and set_perms: in the transaction's view and logged, or
 * on the live tree with the watches fired. */
static int change(struct req *r, struct xs_op *op)
{
	struct xs_store *s = r->c->s;
	struct xs_node *n;
	int ret;

	if (op->type != XS_OP_PERMS)
		note_parent(r, op->path);
	switch (op->type) {
	case XS_OP_WRITE:
	case XS_OP_MKDIR:
		ret = xs_write(s, r->t, r->c->domid, op->path, op->value, op->len,
		    op->type == XS_OP_MKDIR);
		break;
	case XS_OP_RM:
		n = xs_lookup(s, r->t, op->path);
		if (r->t == NULL && n != NULL && n != s->root &&
		    (xs_mode_of(n, r->c->domid) & XS_W))
			xs_fire(s, op->path, n, true);
		ret = xs_rm(s, r->t, r->c->domid, op->path);
		break;
	default:
		ret = xs_set_perms(s, r->t, r->c->domid, op->path, op->perms, op->nperms);
		break;
	}
	if (ret == 0 && r->t != NULL)
		return r->c->domid != XS_DOM0 && r->t->nacc + r->t->nops >= s->q.txn_nodes ?
		    -ENOSPC : xs_txn_log(s, r->t, op);
	if (ret == 0)
		xs_journal_op(s, r->c->domid, op);
	if (ret == 0 && op->type != XS_OP_RM)
		xs_fire(s, op->path, xs_lookup(s, NULL, op->path), false);
	return ret;
}

static int do_write(struct req *r, uint32_t len)
{
	size_t plen = strnlen(r->raw, len);
	struct xs_op op = { .type = XS_OP_WRITE };
	int ret;

	/* path\0value: the value is the rest, not terminated. */
	if (plen == len)
		return reply_err(r, EINVAL);
	r->nargs = 1;
	r->arg[0] = r->raw;
	op.path = path_arg(r, 0);
	op.value = (char *)r->raw + plen + 1;
	op.len = len - (uint32_t)plen - 1;
	ret = op.path == NULL ? r->err : change(r, &op);
	free(op.path);
	return reply_status(r, ret);
}

static int do_simple_change(struct req *r, enum xs_op_type type)
{
	struct xs_op op = { .type = type };
	int ret;

	op.path = path_arg(r, 0);
	ret = op.path == NULL ? r->err : r->nargs != 1 ? -EINVAL : change(r, &op);
	free(op.path);
	return reply_status(r, ret);
}

static int do_set_perms(struct req *r)
{
	struct xs_op op = { .type = XS_OP_PERMS };
	unsigned int i;
	int ret = 0;

	op.path = path_arg(r, 0);
	if (op.path == NULL || r->nargs < 2)
		ret = op.path == NULL ? r->err : -EINVAL;
	for (i = 1; ret == 0 && i < r->nargs; i++)
		ret = xs_parse_perm(r->arg[i], &op.perms[i - 1]);
	op.nperms = r->nargs - 1;
	if (ret == 0)
		ret = change(r, &op);
	free(op.path);
	return reply_status(r, ret);
}

/* The node's children, or its ACL, as NUL-terminated strings. */
static int list(struct req *r, bool perms, size_t offset)
{
	char buf[XENSTORE_PAYLOAD_MAX], gen[24];
	char *path = path_arg(r, 0);
	struct xs_node *n;
	size_t used = 0, at = 0, glen = 0;
	unsigned int i, count;
	int ret = 0;

	if (path == NULL)
		return reply_err(r, -r->err);
	n = xs_lookup(r->c->s, r->t, path);
	free(path);
	if (n == NULL)
		return reply_err(r, ENOENT);
	if (!(xs_mode_of(n, r->c->domid) & XS_R))
		return reply_err(r, EACCES);
	if (!perms && xs_complete(r->c->s, r->t, n) < 0)
		return reply_err(r, ENOMEM);
	if (r->hdr->type == XS_DIRECTORY_PART) {
		glen = (size_t)snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->gen) + 1;
		memcpy(buf, gen, glen);
		used = glen;
	}
	count = perms ? n->nperms : n->nkids;
	for (i = 0; i < count && ret == 0; i++) {
		char pbuf[16];
		const char *name = perms ? pbuf : n->kids[i]->name;
		size_t len;

		if (perms)
			xs_format_perm(&n->perms[i], pbuf, sizeof(pbuf));
		len = strlen(name) + 1;
		if (at + len <= offset) {	/* before the part asked for */
			at += len;
			continue;
		}
		if (used + len + (glen ? 1 : 0) > sizeof(buf)) {
			if (glen == 0)
				ret = -E2BIG;	/* a whole listing must fit */
			break;
		}
		memcpy(buf + used, name, len);
		used += len;
		at += len;
	}
	if (ret < 0)
		return reply_err(r, -ret);
	if (glen != 0 && i == count)
		buf[used++] = '\0';	/* the part reaches the end */
	reply(r, r->hdr->type, buf, used);
	return 0;
}

static int do_directory_part(struct req *r)
{
	char *end;
	unsigned long off;

	if (r->nargs != 2)
		return reply_err(r, EINVAL);
	off = strtoul(r->arg[1], &end, 10);
	if (*end != '\0' || r->arg[1][0] == '\0')
		return reply_err(r, EINVAL);
	r->nargs = 1;
	return list(r, false, off);
}

/* --- watches and transactions ------------------------------------------- */

static int do_watch(struct req *r, bool add)
{
	struct xs_watch *w;
	int ret;

	if (r->nargs != 2 || strlen(r->arg[1]) > XENSTORE_REL_PATH_MAX)
		return reply_err(r, EINVAL);
	ret = add ? xs_watch_add(r->c, r->arg[0], r->arg[1]) :
	    xs_watch_del(r->c, r->arg[0], r->arg[1]);
	if (ret == 0)
		xs_journal_watch(r->c->s, r->c->domid, r->arg[0], r->arg[1], add);
	reply_status(r, ret);
	if (ret == 0 && add) {
		w = r->c->watches;	/* the new one is first */
		xs_send_event(r->c, w, w->path);
	}
	return 0;
}

static int do_transaction_start(struct req *r)
{
	struct xs_txn *t;
	char id[16];

	if (r->hdr->tx_id != 0)
		return reply_err(r, EBUSY);	/* no nesting */
	t = xs_txn_start(r->c);
	if (t == NULL)
		return reply_err(r, errno);
	snprintf(id, sizeof(id), "%u", t->id);
	reply_str(r, id);
	return 0;
}

static int do_transaction_end(struct req *r)
{
	struct xs_txn *t = r->t;

	if (t == NULL || r->nargs != 1 ||
	    (strcmp(r->arg[0], "T") != 0 && strcmp(r->arg[0], "F") != 0))
		return reply_err(r, t == NULL ? ENOENT : EINVAL);
	r->t = NULL;
	return reply_status(r, xs_txn_end(r->c, t, r->arg[0][0] == 'T'));
}

/* --- domains ------------------------------------------------------------------ */

static struct xs_domain **dom_find(struct xs_store *s, uint32_t domid)
{
	struct xs_domain **pp;

	for (pp = &s->doms; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->domid == domid)
			return pp;
	return NULL;
}

int xs_domain_set(struct xs_store *s, const struct xs_domain *d, bool introduce)
{
	struct xs_domain **pp = dom_find(s, d->domid), *n;

	/* A domain introduced anew starts without watches, a released one
	 * leaves none behind. */
	xs_saved_set(s, d->domid, NULL, NULL, false);
	if (!introduce) {
		if (pp == NULL)
			return -ENOENT;
		n = *pp;
		*pp = n->next;
		free(n);
		return 0;
	}
	if (pp == NULL) {
		if ((n = calloc(1, sizeof(*n))) == NULL)
			return -ENOMEM;
		n->next = s->doms;
		s->doms = n;
	} else {
		n = *pp;
	}
	n->domid = d->domid;
	n->mfn = d->mfn;
	n->port = d->port;
	return 0;
}

static int do_domain(struct req *r)
{
	struct xs_store *s = r->c->s;
	struct xs_domain **pp, d = { 0 };
	uint32_t domid, other = 0;
	char buf[40];
	int ret;

	if (r->nargs < 1 || !parse_domid(r->arg[0], &domid))
		return reply_err(r, EINVAL);
	switch (r->hdr->type) {
	case XS_GET_DOMAIN_PATH:
		snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
		reply_str(r, buf);
		return 0;
	case XS_IS_DOMAIN_INTRODUCED:
		reply_str(r, domid == XS_DOM0 || dom_find(s, domid) ? "T" : "F");
		return 0;
	}
	if (r->c->domid != XS_DOM0)
		return reply_err(r, EACCES);
	pp = dom_find(s, domid);
	switch (r->hdr->type) {
	case XS_INTRODUCE:
	case XS_RELEASE:
		d.domid = domid;
		if (r->hdr->type == XS_INTRODUCE) {
			if (r->nargs != 3 || domid == XS_DOM0 || !parse_domid(r->arg[2], &other))
				return reply_err(r, EINVAL);
			d.mfn = strtoull(r->arg[1], NULL, 10) & 0xffffffffull;
			d.port = other;
		}
		ret = xs_domain_set(s, &d, r->hdr->type == XS_INTRODUCE);
		if (ret < 0)
			return reply_err(r, -ret);
		xs_journal_domain(s, &d, r->hdr->type == XS_INTRODUCE);
		if (s->domain_hook != NULL)
			s->domain_hook(s->domain_opaque, d.domid, d.mfn, d.port,
			    r->hdr->type == XS_INTRODUCE);
		reply_str(r, "OK");
		xs_fire_special(s, r->hdr->type == XS_INTRODUCE ? "@introduceDomain" :
		    "@releaseDomain");
		return 0;
	case XS_RESUME:
		return reply_status(r, pp != NULL ? 0 : -ENOENT);
	default:	/* XS_SET_TARGET */
		if (r->nargs != 2 || pp == NULL || !parse_domid(r->arg[1], &other))
			return reply_err(r, pp == NULL ? ENOENT : EINVAL);
		(*pp)->target = other;
		return reply_status(r, 0);
	}
}

static int do_control(struct req *r)
{
	if (r->c->domid != XS_DOM0)
		return reply_err(r, EACCES);
	if (r->nargs >= 1 && strcmp(r->arg[0], "print") == 0) {
		log_info("store: %s", r->nargs >= 2 ? r->arg[1] : "");
		return reply_status(r, 0);
	}
	if (r->nargs >= 1 && strcmp(r->arg[0], "log") == 0)
		return reply_status(r, 0);
	return reply_err(r, EINVAL);
}

/* --- the one entry point ---------------------------------------------- */

int xs_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr, const void *payload)
{
	struct req r = { .c = c, .hdr = hdr, .raw = payload };

	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -1;
	if (hdr->tx_id != 0 && hdr->type != XS_TRANSACTION_START &&
	    (r.t = xs_txn_find(c, hdr->tx_id)) == NULL)
		return reply_err(&r, ENOENT);
	if (hdr->type == XS_WRITE)
		return do_write(&r, hdr->len);
	if (split(&r, hdr->len) < 0)
		return reply_err(&r, EINVAL);
	switch (hdr->type) {
	case XS_READ: return do_read(&r);
	case XS_MKDIR: return do_simple_change(&r, XS_OP_MKDIR);
	case XS_RM: return do_simple_change(&r, XS_OP_RM);
	case XS_SET_PERMS: return do_set_perms(&r);
	case XS_DIRECTORY:
		return r.nargs == 1 ? list(&r, false, 0) : reply_err(&r, EINVAL);
	case XS_GET_PERMS:
		return r.nargs == 1 ? list(&r, true, 0) : reply_err(&r, EINVAL);
	case XS_DIRECTORY_PART: return do_directory_part(&r);
	case XS_WATCH: return do_watch(&r, true);
	case XS_UNWATCH: return do_watch(&r, false);
	case XS_TRANSACTION_START: return do_transaction_start(&r);
	case XS_TRANSACTION_END: return do_transaction_end(&r);
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_RESUME:
	case XS_SET_TARGET:
		return do_domain(&r);
	case XS_RESET_WATCHES:
		xs_watch_clear(c);
		xs_journal_watch(c->s, c->domid, NULL, NULL, false);
		return reply_status(&r, 0);
	case XS_CONTROL: return do_control(&r);
	default:
		return reply_err(&r, EINVAL);
	}
}

void xs_store_set_access_check(struct xs_store *s, xs_access_fn fn, void *opaque)
{
	s->access = fn;
	s->access_opaque = opaque;
}

void xs_store_set_domain_hook(struct xs_store *s, xs_domain_fn fn, void *opaque)
{
	s->domain_hook = fn;
	s->domain_opaque = opaque;
}

/* fn may release domains (one that is gone): walk a copy of the list. */
void xs_store_each_domain(struct xs_store *s, xs_domain_fn fn, void *opaque)
{
	struct xs_domain *d, *copy = NULL, *c;

	for (d = s->doms; d != NULL; d = d->next) {
		if ((c = malloc(sizeof(*c))) == NULL)
			break;
		*c = *d;
		c->next = copy;
		copy = c;
	}
	while ((c = copy) != NULL) {
		copy = c->next;
		fn(opaque, c->domid, c->mfn, c->port, true);
		free(c);
	}
}

static void rm_fired(struct xs_store *s, const char *path)
{
	struct xs_op op = { .type = XS_OP_RM, .path = (char *)path };
	const struct xs_node *n = xs_lookup(s, NULL, path);

	if (n == NULL)
		return;
	xs_fire(s, path, n, true);
	if (xs_rm(s, NULL, XS_DOM0, path) == 0)
		xs_journal_op(s, XS_DOM0, &op);
}

/* Backend directories for a gone frontend, wherever their backends live
 * (/local/domain/B/backend/TYPE/FE): their backends let go when they go. */
static void rm_backends_of(struct xs_store *s, uint32_t fe)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	const struct xs_node *dom = xs_lookup(s, NULL, "/local/domain"), *be;
	unsigned int i, j;

	for (i = 0; dom != NULL && i < dom->nkids; i++) {
		snprintf(path, sizeof(path), "/local/domain/%s/backend", dom->kids[i]->name);
		be = xs_lookup(s, NULL, path);
		for (j = 0; be != NULL && j < be->nkids; j++) {
			snprintf(path, sizeof(path), "/local/domain/%s/backend/%s/%u",
			    dom->kids[i]->name, be->kids[j]->name, fe);
			rm_fired(s, path);	/* below be: its kids stay */
		}
	}
}

/* As dom0 would: its /vm node, its backends' directories and its own go,
 * then the release. */
void xs_store_domain_gone(struct xs_store *s, uint32_t domid)
{
	struct xs_domain d = { .domid = domid };
	char path[40], vm[XENSTORE_ABS_PATH_MAX + 1];
	const struct xs_node *n;

	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	n = xs_lookup(s, NULL, path);
	if (n != NULL && n->len > 0 && n->len < sizeof(vm)) {
		memcpy(vm, n->value, n->len);
		vm[n->len] = '\0';
		if (xs_path_valid(vm) && strncmp(vm, "/vm/", 4) == 0)
			rm_fired(s, vm);
	}
	rm_backends_of(s, domid);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	rm_fired(s, path);
	if (xs_domain_set(s, &d, false) == 0) {
		xs_journal_domain(s, &d, false);
		xs_fire_special(s, "@releaseDomain");
	}
}

/* --- output queues ------------------------------------------------------------ */

int xs_outq_add(struct xs_outq *q, size_t max, const struct xsd_sockmsg *h,
    const void *payload)
{
	size_t need = q->len + sizeof(*h) + h->len;

	if (need > max)
		return -ENOSPC;
	if (need > q->cap) {
		size_t cap = need * 2 < max ? need * 2 : max;
		uint8_t *b = realloc(q->buf, cap);

		if (b == NULL)
			return -ENOMEM;
		q->buf = b;
		q->cap = cap;
	}
	memcpy(q->buf + q->len, h, sizeof(*h));
	memcpy(q->buf + q->len + sizeof(*h), payload, h->len);
	q->len = need;
	return 0;
}

void xs_outq_taken(struct xs_outq *q, size_t n)
{
	memmove(q->buf, q->buf + n, q->len - n);
	q->len -= n;
}

void xs_outq_free(struct xs_outq *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

/* --- the store and its connections --------------------------------------- */

struct xs_store *xs_store_new(const struct xs_quota *q)
{
	struct xs_store *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->root = calloc(1, sizeof(*s->root))) == NULL ||
	    (s->root->name = strdup("")) == NULL) {
		if (s != NULL)
			xs_free_tree(s->root);
		free(s);
		return NULL;
	}
	s->q = q != NULL ? *q : xs_default_quota;
	s->root->nperms = 1;		/* dom0's, nothing for anyone else */
	xs_charge(s, XS_DOM0, 1, (long)xs_node_bytes(s->root));
	if (xs_write(s, NULL, XS_DOM0, "/local/domain", NULL, 0, true) < 0) {
		xs_store_free(s);
		return NULL;
	}
	return s;
}

void xs_store_free(struct xs_store *s)
{
	struct xs_domain *d;

	if (s == NULL)
		return;
	while (s->conns != NULL)
		xs_conn_free(s->conns);
	while ((d = s->doms) != NULL) {
		s->doms = d->next;
		free(d);
	}
	while (s->saved != NULL)
		xs_saved_set(s, s->saved->domid, NULL, NULL, false);
	xs_free_tree(s->root);
	free(s->usage);
	free(s);
}

struct xs_conn *xs_conn_new(struct xs_store *s, uint32_t domid, xs_send_fn send,
    void *opaque)
{
	struct xs_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->s = s;
	c->domid = domid;
	c->send = send;
	c->opaque = opaque;
	c->next = s->conns;
	s->conns = c;
	if (domid != XS_DOM0)
		xs_watch_adopt(c);
	return c;
}

void xs_conn_free(struct xs_conn *c)
{
	struct xs_conn **pp;
	struct xs_txn *t;

	for (pp = &c->s->conns; *pp != NULL && *pp != c; pp = &(*pp)->next)
		;
	if (*pp == c)
		*pp = c->next;
	while ((t = c->txns) != NULL) {
		c->txns = t->next;
		xs_txn_free(c->s, t);
	}
	xs_watch_clear(c);
	free(c);
}

static unsigned int count(const struct xs_node *n)
{
	unsigned int i, c = 1;

	for (i = 0; i < n->nkids; i++)
		c += count(n->kids[i]);
	return c;
}

unsigned int xs_node_count(const struct xs_store *s)
{
	return count(s->root);
}
