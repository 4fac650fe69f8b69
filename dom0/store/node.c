/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's tree: paths, lookups, permissions, and the changes every
 * request comes down to (write, mkdir, rm, set_perms), on the live tree or
 * on a transaction's copy. Errors are -errno, as xenstored names them on
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

struct xs_node *xs_lookup(struct xs_node *root, const char *path)
{
	char comp[XENSTORE_ABS_PATH_MAX + 1];
	struct xs_node *n = root;

	while (n != NULL && next_component(&path, comp, sizeof(comp)))
		n = kid(n, comp);
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

unsigned int xs_count_owned(const struct xs_node *n, uint32_t domid)
{
	unsigned int i, c = n->perms[0].domid == domid;

	for (i = 0; i < n->nkids; i++)
		c += xs_count_owned(n->kids[i], domid);
	return c;
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

/* A new child of parent, with parent's permissions, owned by domid unless
 * dom0 makes it (as C xenstored does). */
static struct xs_node *new_kid(struct xs_store *s, struct xs_node *parent,
    const char *name, uint32_t domid)
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

struct xs_node *xs_copy(const struct xs_node *n, struct xs_node *parent)
{
	struct xs_node *c = calloc(1, sizeof(*c));
	unsigned int i;

	if (c == NULL)
		return NULL;
	*c = *n;
	c->parent = parent;
	c->kids = NULL;
	c->nkids = c->kcap = 0;
	c->name = strdup(n->name);
	c->value = n->len ? malloc(n->len) : NULL;
	if (c->name == NULL || (n->len && c->value == NULL)) {
		xs_free_tree(c);
		return NULL;
	}
	if (n->len)
		memcpy(c->value, n->value, n->len);
	for (i = 0; i < n->nkids; i++) {
		struct xs_node *k = xs_copy(n->kids[i], c);

		if (k == NULL || add_kid(c, k) < 0) {
			xs_free_tree(k);
			xs_free_tree(c);
			return NULL;
		}
	}
	return c;
}

/* How many of path's components do not exist yet below root. */
static unsigned int missing(struct xs_node *root, const char *path,
    struct xs_node **deepest)
{
	char comp[XENSTORE_ABS_PATH_MAX + 1];
	struct xs_node *n = root, *k;
	unsigned int miss = 0;

	while (next_component(&path, comp, sizeof(comp))) {
		if (miss == 0 && (k = kid(n, comp)) != NULL)
			n = k;
		else
			miss++;
	}
	*deepest = n;
	return miss;
}

static int set_value(struct xs_store *s, struct xs_node *n, const char *value,
    unsigned int len)
{
	char *v = len ? malloc(len) : NULL;

	if (len && v == NULL)
		return -ENOMEM;
	if (len)
		memcpy(v, value, len);
	free(n->value);
	n->value = v;
	n->len = len;
	n->gen = ++s->gen;
	return 0;
}

int xs_write(struct xs_store *s, struct xs_node *root, uint32_t domid,
    const char *path, const char *value, unsigned int len, bool mkdir_only)
{
	char comp[XENSTORE_ABS_PATH_MAX + 1];
	struct xs_node *n;
	unsigned int miss = missing(root, path, &n);

	if (!(xs_mode_of(n, domid) & XS_W))
		return -EACCES;
	if (domid != XS_DOM0 && len > s->q.value_len)
		return -ENOSPC;
	if (miss == 0)
		return mkdir_only ? 0 : set_value(s, n, value, len);
	if (domid != XS_DOM0 && xs_count_owned(root, domid) + miss > s->q.nodes)
		return -ENOSPC;
	/* Walk again from the root, creating what is missing. */
	n = root;
	while (next_component(&path, comp, sizeof(comp))) {
		struct xs_node *k = kid(n, comp);

		if (k == NULL && (k = new_kid(s, n, comp, domid)) == NULL)
			return -ENOMEM;
		n = k;
	}
	return mkdir_only ? 0 : set_value(s, n, value, len);
}

int xs_rm(struct xs_store *s, struct xs_node *root, uint32_t domid, const char *path)
{
	struct xs_node *n = xs_lookup(root, path), *p;
	unsigned int i;
	bool found;

	if (n == root)
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
		has_parent = xs_lookup(root, slash == parent ? "/" : parent) != NULL;
		free(parent);
		return has_parent ? 0 : -ENOENT;
	}
	if (!(xs_mode_of(n, domid) & XS_W))
		return -EACCES;
	p = n->parent;
	i = kid_index(p, n->name, &found);
	memmove(&p->kids[i], &p->kids[i + 1], (p->nkids - i - 1) * sizeof(*p->kids));
	p->nkids--;
	p->gen = ++s->gen;
	xs_free_tree(n);
	return 0;
}

int xs_set_perms(struct xs_store *s, struct xs_node *root, uint32_t domid,
    const char *path, const struct xs_perm *p, unsigned int np)
{
	struct xs_node *n = xs_lookup(root, path);

	if (n == NULL)
		return -ENOENT;
	if (np == 0 || np > XS_MAX_PERMS || (domid != XS_DOM0 && np > s->q.perms))
		return np == 0 ? -EINVAL : -ENOSPC;
	/* Only the owner (or dom0) changes an ACL, and a guest cannot give a
	 * node away: that would let it outrun its quota (XSA-352). */
	if (domid != XS_DOM0 && (n->perms[0].domid != domid || p[0].domid != domid))
		return -EACCES;
	memcpy(n->perms, p, np * sizeof(*p));
	n->nperms = np;
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
