/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transactions, optimistic as in xenstored. A transaction works on its
 * own view of the tree, which holds only the nodes it looked at (node.c
 * brings them over from the live tree as lookups pass them), remembers
 * each path it looked at with that node's generation, and logs its
 * changes. Committing checks every remembered path against the live
 * tree: if any changed since, the commit is EAGAIN and nothing happens;
 * otherwise the log is replayed on the live tree and the watches fire,
 * all at once. The view's memory is charged to the transaction's domain
 * until it ends.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/log.h"
#include "store_int.h"

struct xs_txn *xs_txn_start(struct xs_conn *c)
{
	struct xs_store *s = c->s;
	struct xs_txn *t;

	if (c->ntxns >= s->q.transactions) {
		errno = ENOSPC;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->domid = c->domid;
	if ((t->root = xs_view_new(s, t)) == NULL) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	do
		t->id = ++s->next_txid;
	while (t->id == 0);
	t->next = c->txns;
	c->txns = t;
	c->ntxns++;
	return t;
}

struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id)
{
	struct xs_txn *t;

	for (t = c->txns; t != NULL; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

static void *grow(void *v, unsigned int *cap, unsigned int n, size_t size)
{
	unsigned int nc;
	void *nv;

	if (n < *cap)
		return v;
	nc = *cap ? *cap * 2 : 8;
	nv = realloc(v, nc * size);
	if (nv != NULL)
		*cap = nc;
	return nv;
}

static void charge(struct xs_store *s, struct xs_txn *t, size_t bytes)
{
	t->bytes += bytes;
	xs_charge(s, t->domid, 0, (long)bytes);
}

void xs_txn_note(struct xs_store *s, struct xs_txn *t, const char *path)
{
	struct xs_node *n;
	struct xs_access *acc;
	unsigned int i;

	for (i = 0; i < t->nacc; i++)
		if (strcmp(t->acc[i].path, path) == 0)
			return;
	acc = grow(t->acc, &t->acap, t->nacc, sizeof(*acc));
	if (acc == NULL)
		return;
	t->acc = acc;
	n = xs_lookup(s, t, path);
	acc[t->nacc].path = strdup(path);
	acc[t->nacc].gen = n != NULL ? n->gen : 0;
	if (acc[t->nacc].path != NULL) {
		t->nacc++;
		charge(s, t, sizeof(*acc) + strlen(path) + 1);
	}
}

int xs_txn_log(struct xs_store *s, struct xs_txn *t, const struct xs_op *op)
{
	struct xs_op *ops = grow(t->ops, &t->ocap, t->nops, sizeof(*ops));
	struct xs_op *o;

	if (ops == NULL)
		return -ENOMEM;
	t->ops = ops;
	o = &ops[t->nops];
	*o = *op;
	o->path = strdup(op->path);
	o->value = op->len ? malloc(op->len) : NULL;
	if (o->path == NULL || (op->len && o->value == NULL)) {
		free(o->path);
		free(o->value);
		return -ENOMEM;
	}
	if (op->len)
		memcpy(o->value, op->value, op->len);
	t->nops++;
	charge(s, t, sizeof(*o) + strlen(op->path) + 1 + op->len);
	return 0;
}

void xs_txn_free(struct xs_store *s, struct xs_txn *t)
{
	unsigned int i;

	xs_charge(s, t->domid, 0, -(long)t->bytes);
	for (i = 0; i < t->nacc; i++)
		free(t->acc[i].path);
	for (i = 0; i < t->nops; i++) {
		free(t->ops[i].path);
		free(t->ops[i].value);
	}
	free(t->acc);
	free(t->ops);
	xs_free_tree(t->root);
	free(t);
}

static bool conflicts(struct xs_store *s, const struct xs_txn *t)
{
	unsigned int i;

	for (i = 0; i < t->nacc; i++) {
		const struct xs_node *n = xs_lookup(s, NULL, t->acc[i].path);

		if ((n != NULL ? n->gen : 0) != t->acc[i].gen)
			return true;
	}
	return false;
}

static void replay(struct xs_conn *c, const struct xs_op *op)
{
	struct xs_store *s = c->s;
	struct xs_node *n;
	int ret = 0;

	switch (op->type) {
	case XS_OP_WRITE:
	case XS_OP_MKDIR:
		ret = xs_write(s, NULL, c->domid, op->path, op->value, op->len,
		    op->type == XS_OP_MKDIR);
		if (ret == 0)
			xs_fire(s, op->path, xs_lookup(s, NULL, op->path), false);
		break;
	case XS_OP_RM:
		n = xs_lookup(s, NULL, op->path);
		if (n != NULL)
			xs_fire(s, op->path, n, true);
		ret = xs_rm(s, NULL, c->domid, op->path);
		break;
	case XS_OP_PERMS:
		ret = xs_set_perms(s, NULL, c->domid, op->path, op->perms, op->nperms);
		if (ret == 0)
			xs_fire(s, op->path, xs_lookup(s, NULL, op->path), false);
		break;
	}
	if (ret == 0)
		xs_journal_op(s, c->domid, op);
	else	/* checked in the transaction's view: should not happen */
		log_warnx("store: d%u: replaying a transaction on %s: %s", c->domid,
		    op->path, strerror(-ret));
}

int xs_txn_end(struct xs_conn *c, struct xs_txn *t, bool commit)
{
	struct xs_txn **pp;
	unsigned int i;
	int ret = 0;

	for (pp = &c->txns; *pp != t; pp = &(*pp)->next)
		;
	*pp = t->next;
	c->ntxns--;
	/* The view's charge goes first: what the changes take live is what
	 * must fit (a guest's removals only make room, so what it created
	 * is the most it can need). */
	xs_charge(c->s, t->domid, 0, -(long)t->bytes);
	t->bytes = 0;
	if (commit && conflicts(c->s, t))
		ret = -EAGAIN;
	else if (commit && xs_quota_check(c->s, t->domid, t->new_nodes, t->new_bytes) < 0)
		ret = -ENOSPC;
	else if (commit)
		for (i = 0; i < t->nops; i++)
			replay(c, &t->ops[i]);
	xs_txn_free(c->s, t);
	return ret;
}
