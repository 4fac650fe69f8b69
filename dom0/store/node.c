/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's tree: paths, lookups, permissions, and the changes every
 * request comes down to (write, mkdir, rm, set_perms), on the live tree or
 * in a transaction's view. Errors are -errno, as xenstored names them on
 * the wire.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

bool xs_path_valid(const char *path)
{
	size_t i, n = strlen(path);

	if (n == 0 || n > XENSTORE_ABS_PATH_MAX || path[0] != '/')
		return false;
	if (n > 1 && path[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		char c = path[i];

		if (c == '/' && i > 0 && path[i - 1] == '/')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
		    c == '@'))
			return false;
	}
	return true;
}

char *xs_canonical(uint32_t domid, const char *path)
{
	char *abs;

	if (path[0] == '/')
		abs = strdup(path);
	else if (path[0] == '\0' || strlen(path) > XENSTORE_REL_PATH_MAX ||
	    asprintf(&abs, "/local/domain/%u/%s", domid, path) < 0)
		abs = NULL;
	if (abs != NULL && !xs_path_valid(abs)) {
		free(abs);
		abs = NULL;
	}
	return abs;
}

/* The next component of *p (advanced past it), copied into buf. */
static bool next_component(const char **p, char *buf, size_t n)
{
	const char *s = *p, *e;

	while (*s == '/')
		s++;
	if (*s == '\0')
		return false;
	e = strchr(s, '/');
	if (e == NULL)
		e = s + strlen(s);
	if ((size_t)(e - s) >= n)
		return false;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	*p = e;
	return true;
}

/*
 * Children are kept sorted by name, so a lookup is a binary search: the
 * store's cost per domain must not grow with the number of domains under
 * /local/domain. Returns the index of name, or where it would go.
 */
static unsigned int kid_index(const struct xs_node *n, const char *name, bool *found)
{
	unsigned int lo = 0, hi = n->nkids;

	*found = false;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int c = strcmp(n->kids[mid]->name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct xs_node *kid(const struct xs_node *n, const char *name)
{
	bool found;
	unsigned int i = kid_index(n, name, &found);

	return found ? n->kids[i] : NULL;
}

/* What n costs, and whom: its owner for the live tree, the transaction's
 * domain for a view (sign: +1 when it comes, -1 when it goes). */
static void account(struct xs_store *s, struct xs_txn *t, const struct xs_node *n,
    int sign)
{
	long bytes = (long)xs_node_bytes(n) * sign;

	if (t != NULL) {
		t->bytes += bytes;
		xs_charge(s, t->domid, 0, bytes);
	} else {
		xs_charge(s, n->perms[0].domid, sign, bytes);
	}
}

static int add_kid(struct xs_node *parent, struct xs_node *k)
{
	bool found;
	unsigned int at = kid_index(parent, k->name, &found);

	if (parent->nkids == parent->kcap) {
		unsigned int cap = parent->kcap ? parent->kcap * 2 : 4;
		struct xs_node **nk = realloc(parent->kids, cap * sizeof(*nk));

		if (nk == NULL)
			return -ENOMEM;
		parent->kids = nk;
		parent->kcap = cap;
	}
	memmove(&parent->kids[at + 1], &parent->kids[at],
	    (parent->nkids - at) * sizeof(*parent->kids));
	parent->kids[at] = k;
	parent->nkids++;
	k->parent = parent;
	return 0;
}

/* --- transactions' views ---------------------------------------------- */

/*
 * A view holds only what its transaction looked at: a node comes over
 * from the live tree (without its kids, which stay the live tree's until
 * looked at) the first time a lookup passes it. That the live tree may
 * have changed since the transaction began does not matter: every path
 * the transaction looked at is checked again at commit.
 */

/* The live node at the same path as view node n, if any. */
static struct xs_node *live_twin(struct xs_store *s, const struct xs_node *n)
{
	const char *names[XENSTORE_ABS_PATH_MAX / 2 + 1];
	unsigned int depth = 0;
	struct xs_node *l = s->root;

	for (; n->parent != NULL && depth < sizeof(names) / sizeof(names[0]); n = n->parent)
		names[depth++] = n->name;
	while (l != NULL && depth > 0)
		l = kid(l, names[--depth]);
	return l;
}

/* A view's copy of live node l (its kids left behind), under parent. */
static struct xs_node *bring_over(struct xs_store *s, struct xs_txn *t,
    const struct xs_node *l, struct xs_node *parent)
{
	struct xs_node *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->name = strdup(l->name);
	c->value = l->len ? malloc(l->len) : NULL;
	if (c->name == NULL || (l->len && c->value == NULL) ||
	    (parent != NULL && add_kid(parent, c) < 0)) {
		free(c->name);
		free(c->value);
		free(c);
		return NULL;
	}
	if (l->len)
		memcpy(c->value, l->value, l->len);
	c->len = l->len;
	memcpy(c->perms, l->perms, sizeof(c->perms));
	c->nperms = l->nperms;
	c->gen = l->gen;
	c->partial = true;
	account(s, t, c, 1);
	return c;
}

struct xs_node *xs_view_new(struct xs_store *s, struct xs_txn *t)
{
	return bring_over(s, t, s->root, NULL);
}

/* n's kid called name, brought over from the live tree if need be. */
static struct xs_node *child(struct xs_store *s, struct xs_txn *t, struct xs_node *n,
    const char *name)
{
	struct xs_node *k = kid(n, name), *l;

	if (k != NULL || !n->partial || (l = live_twin(s, n)) == NULL ||
	    (l = kid(l, name)) == NULL)
		return k;
	return bring_over(s, t, l, n);
}

int xs_complete(struct xs_store *s, struct xs_txn *t, struct xs_node *n)
{
	struct xs_node *l;
	unsigned int i;

	if (!n->partial)
		return 0;
	if ((l = live_twin(s, n)) != NULL)
		for (i = 0; i < l->nkids; i++)
			if (kid(n, l->kids[i]->name) == NULL &&
			    bring_over(s, t, l->kids[i], n) == NULL)
				return -ENOMEM;
	n->partial = false;
	return 0;
}

/* --- lookups and changes ------------------------------------------------ */

static struct xs_node *root_of(struct xs_store *s, struct xs_txn *t)
{
	return t != NULL ? t->root : s->root;
}

struct xs_node *xs_lookup(struct xs_store *s, struct xs_txn *t, const char *path)
{
	char comp[XENSTORE_ABS_PATH_MAX + 1];
	struct xs_node *n = root_of(s, t);

	while (n != NULL && next_component(&path, comp, sizeof(comp)))
		n = child(s, t, n, comp);
	return n;
}

enum xs_mode xs_mode_of(const struct xs_node *n, uint32_t domid)
{
	unsigned int i;

	if (domid == XS_DOM0 || n->perms[0].domid == domid)
		return XS_RW;
	for (i = 1; i < n->nperms; i++)
		if (n->perms[i].domid == domid)
			return n->perms[i].mode;
	return n->perms[0].mode;
}

int xs_label_check(struct xs_store *s, uint32_t domid, const char *abs)
{
	static const char prefix[] = "/local/domain/";
	const char *p = abs + sizeof(prefix) - 1;
	unsigned long owner;
	char *end;

	if (s->access == NULL || domid == XS_DOM0 ||
	    strncmp(abs, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	owner = strtoul(p, &end, 10);
	if (end == p || (*end != '\0' && *end != '/') || owner == domid)
		return 0;
	return s->access(s->access_opaque, domid, (uint32_t)owner) < 0 ? -EACCES : 0;
}

/* A new child of parent, with parent's permissions, owned by domid unless
 * dom0 makes it (as C xenstored does). */
static struct xs_node *new_kid(struct xs_store *s, struct xs_txn *t,
    struct xs_node *parent, const char *name, uint32_t domid)
{
	struct xs_node *k = calloc(1, sizeof(*k));

	if (k == NULL || (k->name = strdup(name)) == NULL) {
		free(k);
		return NULL;
	}
	memcpy(k->perms, parent->perms, sizeof(k->perms));
	k->nperms = parent->nperms;
	if (domid != XS_DOM0)
		k->perms[0].domid = domid;
	if (add_kid(parent, k) < 0) {
		free(k->name);
		free(k);
		return NULL;
	}
	k->gen = parent->gen = ++s->gen;
	account(s, t, k, 1);
	if (t != NULL) {
		t->new_nodes++;
		t->new_bytes += xs_node_bytes(k);
	}
	return k;
}

void xs_free_tree(struct xs_node *n)
{
	unsigned int i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		xs_free_tree(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->value);
	free(n);
}

/* A live subtree's nodes given back to their owners (a view's charge goes
 * back whole when its transaction ends). */
static void uncharge_tree(struct xs_store *s, const struct xs_node *n)
{
	unsigned int i;

	for (i = 0; i < n->nkids; i++)
		uncharge_tree(s, n->kids[i]);
	account(s, NULL, n, -1);
}

/* How many of path's components do not exist yet, the deepest that does,
 * and the bytes the missing ones will take. */
static unsigned int missing(struct xs_store *s, struct xs_txn *t, const char *path,
    struct xs_node **deepest, size_t *bytes)
{
	char comp[XENSTORE_ABS_PATH_MAX + 1];
	struct xs_node *n = root_of(s, t), *k;
	unsigned int miss = 0;

	*bytes = 0;
	while (next_component(&path, comp, sizeof(comp))) {
		if (miss == 0 && (k = child(s, t, n, comp)) != NULL) {
			n = k;
		} else {
			miss++;
			*bytes += sizeof(*n) + strlen(comp) + 1 + sizeof(n);
		}
	}
	*deepest = n;
	return miss;
}

static int set_value(struct xs_store *s, struct xs_txn *t, struct xs_node *n,
    const char *value, unsigned int len)
{
	char *v = len ? malloc(len) : NULL;

	if (len && v == NULL)
		return -ENOMEM;
	if (len)
		memcpy(v, value, len);
	account(s, t, n, -1);
	if (t != NULL && len > n->len)
		t->new_bytes += len - n->len;
	free(n->value);
	n->value = v;
	n->len = len;
	n->gen = ++s->gen;
	account(s, t, n, 1);
	return 0;
}

int xs_write(struct xs_store *s, struct xs_txn *t, uint32_t domid,
    const char *path, const char *value, unsigned int len, bool mkdir_only)
{
	char comp[XENSTORE_ABS_PATH_MAX + 1];
	struct xs_node *n;
	size_t bytes;
	unsigned int miss = missing(s, t, path, &n, &bytes);
	unsigned int more_nodes = miss + (t != NULL ? t->new_nodes : 0);

	if (!(xs_mode_of(n, domid) & XS_W))
		return -EACCES;
	if (domid != XS_DOM0 && len > s->q.value_len)
		return -ENOSPC;
	if (!mkdir_only)
		bytes += miss > 0 ? len : len > n->len ? len - n->len : 0;
	if ((miss > 0 || !mkdir_only) && xs_quota_check(s, domid, more_nodes, bytes) < 0)
		return -ENOSPC;
	if (miss == 0)
		return mkdir_only ? 0 : set_value(s, t, n, value, len);
	/* Walk again from the root, creating what is missing. */
	n = root_of(s, t);
	while (next_component(&path, comp, sizeof(comp))) {
		struct xs_node *k = child(s, t, n, comp);

		if (k == NULL && (k = new_kid(s, t, n, comp, domid)) == NULL)
			return -ENOMEM;
		n = k;
	}
	return mkdir_only ? 0 : set_value(s, t, n, value, len);
}

int xs_rm(struct xs_store *s, struct xs_txn *t, uint32_t domid, const char *path)
{
	struct xs_node *n = xs_lookup(s, t, path), *p;
	unsigned int i;
	bool found;

	if (n == root_of(s, t))
		return -EINVAL;
	if (n == NULL) {
		/* Gone already is fine if the parent is there (as in xenstored). */
		char *parent = strdup(path), *slash = parent ? strrchr(parent, '/') : NULL;
		bool has_parent;

		if (slash == NULL) {
			free(parent);
			return -ENOMEM;
		}
		*slash = '\0';
		has_parent = xs_lookup(s, t, slash == parent ? "/" : parent) != NULL;
		free(parent);
		return has_parent ? 0 : -ENOENT;
	}
	if (!(xs_mode_of(n, domid) & XS_W))
		return -EACCES;
	p = n->parent;
	/* A kid missing from a view is the live tree's: they must all be
	 * there before one goes, or the live one would show through. */
	if (xs_complete(s, t, p) < 0)
		return -ENOMEM;
	i = kid_index(p, n->name, &found);
	memmove(&p->kids[i], &p->kids[i + 1], (p->nkids - i - 1) * sizeof(*p->kids));
	p->nkids--;
	p->gen = ++s->gen;
	if (t == NULL)
		uncharge_tree(s, n);
	xs_free_tree(n);
	return 0;
}

void xs_node_acl(struct xs_store *s, struct xs_node *n, const struct xs_perm *p,
    unsigned int np)
{
	account(s, NULL, n, -1);
	memcpy(n->perms, p, np * sizeof(*p));
	n->nperms = np;
	account(s, NULL, n, 1);
}

int xs_set_perms(struct xs_store *s, struct xs_txn *t, uint32_t domid,
    const char *path, const struct xs_perm *p, unsigned int np)
{
	struct xs_node *n = xs_lookup(s, t, path);

	if (n == NULL)
		return -ENOENT;
	if (np == 0 || np > XS_MAX_PERMS || (domid != XS_DOM0 && np > s->q.perms))
		return np == 0 ? -EINVAL : -ENOSPC;
	/* Only the owner (or dom0) changes an ACL, and a guest cannot give a
	 * node away: that would let it outrun its quota (XSA-352). */
	if (domid != XS_DOM0 && (n->perms[0].domid != domid || p[0].domid != domid))
		return -EACCES;
	if (t == NULL) {
		xs_node_acl(s, n, p, np);
	} else {
		memcpy(n->perms, p, np * sizeof(*p));
		n->nperms = np;
	}
	n->gen = ++s->gen;
	return 0;
}

int xs_parse_perm(const char *str, struct xs_perm *p)
{
	char *end;
	unsigned long id;

	switch (str[0]) {
	case 'n': p->mode = XS_NONE; break;
	case 'r': p->mode = XS_R; break;
	case 'w': p->mode = XS_W; break;
	case 'b': p->mode = XS_RW; break;
	default: return -EINVAL;
	}
	if (str[1] < '0' || str[1] > '9')
		return -EINVAL;
	id = strtoul(str + 1, &end, 10);
	if (*end != '\0' || id > 0xffff)
		return -EINVAL;
	p->domid = (uint32_t)id;
	return 0;
}

int xs_format_perm(const struct xs_perm *p, char *buf, size_t n)
{
	static const char letter[] = { 'n', 'r', 'w', 'b' };

	return snprintf(buf, n, "%c%u", letter[p->mode & 3], p->domid);
}
