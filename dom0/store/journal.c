/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What makes the store outlive palstored: every change to the live tree
 * (and every domain introduced or released) becomes one record, handed to
 * the daemon's journal function before the reply goes out; a snapshot is
 * the whole tree as records. Records are replayed by xs_store_apply, which
 * trusts nothing in them: a file on disk is input like any other.
 *
 * A record: struct xs_rec, then the path, the value, and nperms ACL
 * entries (struct xs_rec_perm).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum {
	REC_WRITE = 'W', REC_MKDIR = 'M', REC_RM = 'R', REC_PERMS = 'P',
	REC_NODE = 'N',		/* snapshot: a node exactly as it was */
	REC_INTRODUCE = 'I', REC_RELEASE = 'X',
	REC_WATCH = 'A', REC_UNWATCH = 'U', REC_RESET_WATCHES = 'Z',	/* a guest's */
};

struct xs_rec {
	uint8_t type;
	uint8_t nperms;
	uint16_t pad;
	uint32_t domid;
	uint32_t path_len;
	uint32_t value_len;
	uint64_t arg;		/* introduce: mfn << 32 | port */
};

struct xs_rec_perm {
	uint32_t domid;
	uint32_t mode;
};

void xs_store_set_journal(struct xs_store *s, xs_journal_fn fn, void *opaque)
{
	s->journal = fn;
	s->journal_opaque = opaque;
}

static void emit(xs_journal_fn fn, void *opaque, uint8_t type, uint32_t domid,
    const char *path, const char *value, uint32_t len, const struct xs_perm *p,
    unsigned int np, uint64_t arg)
{
	struct xs_rec r = { .type = type, .nperms = (uint8_t)np, .domid = domid,
	    .path_len = (uint32_t)strlen(path), .value_len = len, .arg = arg };
	size_t size = sizeof(r) + r.path_len + len + np * sizeof(struct xs_rec_perm);
	uint8_t *buf = malloc(size), *at;
	unsigned int i;

	if (buf == NULL)
		return;
	memcpy(buf, &r, sizeof(r));
	at = buf + sizeof(r);
	memcpy(at, path, r.path_len);
	at += r.path_len;
	if (len)
		memcpy(at, value, len);
	at += len;
	for (i = 0; i < np; i++) {
		struct xs_rec_perm rp = { p[i].domid, (uint32_t)p[i].mode };

		memcpy(at, &rp, sizeof(rp));
		at += sizeof(rp);
	}
	fn(opaque, buf, size);
	free(buf);
}

void xs_journal_op(struct xs_store *s, uint32_t domid, const struct xs_op *op)
{
	static const uint8_t type[] = {
		[XS_OP_WRITE] = REC_WRITE, [XS_OP_MKDIR] = REC_MKDIR,
		[XS_OP_RM] = REC_RM, [XS_OP_PERMS] = REC_PERMS,
	};

	if (s->journal != NULL)
		emit(s->journal, s->journal_opaque, type[op->type], domid, op->path,
		    op->value, op->len, op->perms, op->type == XS_OP_PERMS ? op->nperms : 0, 0);
}

void xs_journal_domain(struct xs_store *s, const struct xs_domain *d, bool introduce)
{
	char id[16];

	if (s->journal == NULL)
		return;
	snprintf(id, sizeof(id), "/%u", d->domid);
	emit(s->journal, s->journal_opaque, introduce ? REC_INTRODUCE : REC_RELEASE,
	    d->domid, id, NULL, 0, NULL, 0, (d->mfn << 32) | d->port);
}

void xs_journal_watch(struct xs_store *s, uint32_t domid, const char *path,
    const char *token, bool add)
{
	if (s->journal == NULL || domid == XS_DOM0)
		return;
	if (path == NULL)
		emit(s->journal, s->journal_opaque, REC_RESET_WATCHES, domid, "/", NULL, 0,
		    NULL, 0, 0);
	else
		emit(s->journal, s->journal_opaque, add ? REC_WATCH : REC_UNWATCH, domid,
		    path, token, (uint32_t)strlen(token), NULL, 0, 0);
}

static void dump_node(const struct xs_node *n, char *path, size_t plen,
    xs_journal_fn fn, void *opaque)
{
	unsigned int i;

	emit(fn, opaque, REC_NODE, XS_DOM0, plen ? path : "/", n->value, n->len,
	    n->perms, n->nperms, 0);
	for (i = 0; i < n->nkids; i++) {
		size_t kl = strlen(n->kids[i]->name);

		if (plen + 1 + kl > XENSTORE_ABS_PATH_MAX)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, n->kids[i]->name, kl + 1);
		dump_node(n->kids[i], path, plen + 1 + kl, fn, opaque);
		path[plen] = '\0';
	}
}

void xs_store_dump(struct xs_store *s, xs_journal_fn fn, void *opaque)
{
	char path[XENSTORE_ABS_PATH_MAX + 1] = "";
	const struct xs_domain *d;
	const struct xs_saved_watch *sw;
	const struct xs_conn *c;
	const struct xs_watch *w;

	dump_node(s->root, path, 0, fn, opaque);
	for (d = s->doms; d != NULL; d = d->next) {
		char id[16];

		snprintf(id, sizeof(id), "/%u", d->domid);
		emit(fn, opaque, REC_INTRODUCE, d->domid, id, NULL, 0, NULL, 0,
		    (d->mfn << 32) | d->port);
	}
	/* Guests' watches, after their domains (an introduction resets them). */
	for (c = s->conns; c != NULL; c = c->next)
		for (w = c->domid != XS_DOM0 ? c->watches : NULL; w != NULL; w = w->next)
			emit(fn, opaque, REC_WATCH, c->domid, xs_watch_given(c, w), w->token,
			    (uint32_t)strlen(w->token), NULL, 0, 0);
	for (sw = s->saved; sw != NULL; sw = sw->next)
		emit(fn, opaque, REC_WATCH, sw->domid, sw->path, sw->token,
		    (uint32_t)strlen(sw->token), NULL, 0, 0);
}

/* A snapshot's node: made if missing, then given its value and ACL as they
 * were, whoever may write there now. */
static int apply_node(struct xs_store *s, const char *path, const char *value,
    uint32_t len, const struct xs_perm *p, unsigned int np)
{
	struct xs_node *n;
	int ret = strcmp(path, "/") == 0 ? 0 :
	    xs_write(s, NULL, XS_DOM0, path, value, len, false);

	if (ret < 0 || (n = xs_lookup(s, NULL, path)) == NULL)
		return ret < 0 ? ret : -EINVAL;
	if (np == 0)
		return -EINVAL;
	xs_node_acl(s, n, p, np);
	return 0;
}

int xs_store_apply(struct xs_store *s, const void *data, size_t size)
{
	char path[XENSTORE_ABS_PATH_MAX + 1], token[XENSTORE_REL_PATH_MAX + 1];
	struct xs_perm perms[XS_MAX_PERMS];
	const uint8_t *at = data;
	struct xs_domain d;
	struct xs_rec r;
	const char *value;
	unsigned int i;

	if (size < sizeof(r))
		return -EINVAL;
	memcpy(&r, at, sizeof(r));
	if (r.path_len == 0 || r.path_len > XENSTORE_ABS_PATH_MAX ||
	    r.value_len > XENSTORE_PAYLOAD_MAX || r.nperms > XS_MAX_PERMS ||
	    size != sizeof(r) + r.path_len + r.value_len +
	    r.nperms * sizeof(struct xs_rec_perm))
		return -EINVAL;
	at += sizeof(r);
	memcpy(path, at, r.path_len);
	path[r.path_len] = '\0';
	value = (const char *)at + r.path_len;
	at += r.path_len + r.value_len;
	for (i = 0; i < r.nperms; i++) {
		struct xs_rec_perm rp;

		memcpy(&rp, at + i * sizeof(rp), sizeof(rp));
		if (rp.mode > XS_RW)
			return -EINVAL;
		perms[i] = (struct xs_perm){ rp.domid, (enum xs_mode)rp.mode };
	}
	if (r.type == REC_INTRODUCE || r.type == REC_RELEASE) {
		d = (struct xs_domain){ .domid = r.domid, .mfn = r.arg >> 32,
		    .port = (uint32_t)r.arg };
		return xs_domain_set(s, &d, r.type == REC_INTRODUCE);
	}
	if (r.type == REC_WATCH || r.type == REC_UNWATCH || r.type == REC_RESET_WATCHES) {
		if (r.domid == XS_DOM0 || r.value_len > XENSTORE_REL_PATH_MAX ||
		    memchr(value, '\0', r.value_len) != NULL ||
		    strlen(path) != r.path_len)
			return -EINVAL;
		memcpy(token, value, r.value_len);
		token[r.value_len] = '\0';
		return xs_saved_set(s, r.domid, r.type == REC_RESET_WATCHES ? NULL : path,
		    token, r.type == REC_WATCH);
	}
	if (!xs_path_valid(path))
		return -EINVAL;
	switch (r.type) {
	case REC_WRITE:
	case REC_MKDIR:
		return xs_write(s, NULL, r.domid, path, value, r.value_len,
		    r.type == REC_MKDIR);
	case REC_RM:
		return xs_rm(s, NULL, r.domid, path);
	case REC_PERMS:
		return xs_set_perms(s, NULL, r.domid, path, perms, r.nperms);
	case REC_NODE:
		return apply_node(s, path, value, r.value_len, perms, r.nperms);
	default:
		return -EINVAL;
	}
}
