/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each domain holds in the store: the nodes it owns and the bytes
 * they, its watches and its open transactions take. The counts change
 * with every change of the tree, so a quota check is one lookup instead
 * of a walk over everything the domain owns.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* A node's cost: itself, its name, its value and its slot in the parent. */
size_t xs_node_bytes(const struct xs_node *n)
{
	return sizeof(*n) + strlen(n->name) + 1 + n->len + sizeof(n);
}

static unsigned int slot(const struct xs_store *s, uint32_t domid, bool *found)
{
	unsigned int lo = 0, hi = s->nusage;

	*found = false;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (s->usage[mid].domid == domid) {
			*found = true;
			return mid;
		}
		if (s->usage[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct xs_usage xs_usage_of(const struct xs_store *s, uint32_t domid)
{
	bool found;
	unsigned int i = slot(s, domid, &found);

	return found ? s->usage[i] : (struct xs_usage){ .domid = domid };
}

void xs_charge(struct xs_store *s, uint32_t domid, int nodes, long bytes)
{
	bool found;
	unsigned int i = slot(s, domid, &found);
	struct xs_usage *u;

	if (!found) {
		if (nodes <= 0 && bytes <= 0)
			return;
		if (s->nusage == s->ucap) {
			unsigned int cap = s->ucap ? s->ucap * 2 : 16;

			u = realloc(s->usage, cap * sizeof(*u));
			if (u == NULL)
				return;	/* uncounted: the check errs on the lenient side */
			s->usage = u;
			s->ucap = cap;
		}
		memmove(&s->usage[i + 1], &s->usage[i], (s->nusage - i) * sizeof(*u));
		s->usage[i] = (struct xs_usage){ .domid = domid };
		s->nusage++;
	}
	u = &s->usage[i];
	u->nodes = nodes < 0 && (unsigned int)-nodes > u->nodes ? 0 : u->nodes + nodes;
	u->bytes = bytes < 0 && (size_t)-bytes > u->bytes ? 0 : u->bytes + bytes;
	if (u->nodes == 0 && u->bytes == 0) {
		memmove(u, u + 1, (s->nusage - i - 1) * sizeof(*u));
		s->nusage--;
	}
}

int xs_quota_check(const struct xs_store *s, uint32_t domid, unsigned int nodes,
    size_t bytes)
{
	struct xs_usage u;

	if (domid == XS_DOM0)
		return 0;
	u = xs_usage_of(s, domid);
	if ((size_t)u.nodes + nodes > s->q.nodes ||
	    u.bytes + bytes > (size_t)s->q.memory_kb * 1024)
		return -ENOSPC;
	return 0;
}

unsigned int xs_domain_nodes(const struct xs_store *s, uint32_t domid)
{
	return xs_usage_of(s, domid).nodes;
}

size_t xs_domain_bytes(const struct xs_store *s, uint32_t domid)
{
	return xs_usage_of(s, domid).bytes;
}

/* Count what the live tree charges to domid into u (below n). */
static void recount(const struct xs_node *n, uint32_t domid, struct xs_usage *u)
{
	unsigned int i;

	if (n->perms[0].domid == domid) {
		u->nodes++;
		u->bytes += xs_node_bytes(n);
	}
	for (i = 0; i < n->nkids; i++)
		recount(n->kids[i], domid, u);
}

int xs_usage_verify(const struct xs_store *s)
{
	const struct xs_conn *c;
	unsigned int i;

	for (c = s->conns; c != NULL; c = c->next)
		if (c->watches != NULL || c->txns != NULL)
			return 0;	/* what they hold is not in the tree */
	for (i = 0; i < s->nusage; i++) {
		struct xs_usage u = { .domid = s->usage[i].domid };

		recount(s->root, u.domid, &u);
		if (u.nodes != s->usage[i].nodes || u.bytes != s->usage[i].bytes)
			return -1;
	}
	return 0;
}
