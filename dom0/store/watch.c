/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Watches: a connection names a path (or @introduceDomain/@releaseDomain)
 * and a token, and is sent "path\0token\0" when that node or anything
 * below it changes, once at registration too, as xenstored does. An event
 * only goes to a domain that may read the node (XSA-115).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static bool special(const char *path)
{
	return strcmp(path, "@introduceDomain") == 0 ||
	    strcmp(path, "@releaseDomain") == 0;
}

static struct xs_watch **find(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch **pp;

	for (pp = &c->watches; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->path, path) == 0 && strcmp((*pp)->token, token) == 0)
			return pp;
	return NULL;
}

/* path relative to c's domain's directory if the watch is relative. */
static const char *as_given(const struct xs_conn *c, const struct xs_watch *w,
    const char *path)
{
	char prefix[40];
	size_t pl;

	if (!w->relative)
		return path;
	pl = (size_t)snprintf(prefix, sizeof(prefix), "/local/domain/%u/", c->domid);
	return strncmp(path, prefix, pl) == 0 ? path + pl : path;
}

const char *xs_watch_given(const struct xs_conn *c, const struct xs_watch *w)
{
	return as_given(c, w, w->path);
}

void xs_send_event(struct xs_conn *c, const struct xs_watch *w, const char *path)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = { .type = XS_WATCH_EVENT };
	int n;

	path = as_given(c, w, path);
	n = snprintf(buf, sizeof(buf), "%s%c%s", path, '\0', w->token);
	if (n < 0 || (size_t)n + 1 > sizeof(buf))
		return;		/* path and token were each bounded; cannot happen */
	h.len = (uint32_t)n + 1;
	c->send(c->opaque, &h, buf);
}

/* What a watch takes, charged to its connection's domain. */
static size_t watch_bytes(const char *path, const char *token)
{
	return sizeof(struct xs_watch) + strlen(path) + strlen(token) + 2;
}

static void watch_free(struct xs_conn *c, struct xs_watch *w)
{
	xs_charge(c->s, c->domid, 0, -(long)watch_bytes(w->path, w->token));
	free(w->path);
	free(w->token);
	free(w);
}

int xs_watch_add(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch *w;
	char *abs;

	if (special(path))
		abs = strdup(path);
	else if ((abs = xs_canonical(c->domid, path)) == NULL)
		return -EINVAL;
	if (abs == NULL)
		return -ENOMEM;
	if (find(c, abs, token) != NULL) {
		free(abs);
		return -EEXIST;
	}
	if (c->domid != XS_DOM0 && c->nwatches >= c->s->q.watches) {
		free(abs);
		return -E2BIG;
	}
	if (xs_quota_check(c->s, c->domid, 0, watch_bytes(abs, token)) < 0) {
		free(abs);
		return -ENOSPC;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->token = strdup(token)) == NULL) {
		free(w);
		free(abs);
		return -ENOMEM;
	}
	w->path = abs;
	xs_charge(c->s, c->domid, 0, (long)watch_bytes(abs, token));
	w->relative = path[0] != '/' && path[0] != '@';
	w->next = c->watches;
	c->watches = w;
	c->nwatches++;
	return 0;
}

int xs_watch_del(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch **pp, *w;
	char *abs = special(path) ? strdup(path) : xs_canonical(c->domid, path);

	if (abs == NULL)
		return -EINVAL;
	pp = find(c, abs, token);
	free(abs);
	if (pp == NULL)
		return -ENOENT;
	w = *pp;
	*pp = w->next;
	c->nwatches--;
	watch_free(c, w);
	return 0;
}

void xs_watch_clear(struct xs_conn *c)
{
	struct xs_watch *w;

	while ((w = c->watches) != NULL) {
		c->watches = w->next;
		watch_free(c, w);
	}
	c->nwatches = 0;
}

/* Is a an ancestor of b (or "/", everything's)? */
static bool above(const char *a, const char *b)
{
	size_t n = strlen(a);

	return strcmp(a, "/") == 0 ? b[0] == '/' && b[1] != '\0' :
	    strncmp(a, b, n) == 0 && b[n] == '/';
}

void xs_fire(struct xs_store *s, const char *path, const struct xs_node *node,
    bool recurse)
{
	struct xs_conn *c;
	struct xs_watch *w;

	for (c = s->conns; c != NULL; c = c->next) {
		if (node != NULL && !(xs_mode_of(node, c->domid) & XS_R))
			continue;
		if (xs_label_check(s, c->domid, path) < 0)
			continue;
		for (w = c->watches; w != NULL; w = w->next) {
			if (w->path[0] == '@')
				continue;
			if (strcmp(w->path, path) == 0 || above(w->path, path))
				xs_send_event(c, w, path);
			else if (recurse && above(path, w->path))
				xs_send_event(c, w, w->path);
		}
	}
}

void xs_fire_special(struct xs_store *s, const char *name)
{
	struct xs_conn *c;
	struct xs_watch *w;

	for (c = s->conns; c != NULL; c = c->next)
		for (w = c->watches; w != NULL; w = w->next)
			if (strcmp(w->path, name) == 0)
				xs_send_event(c, w, name);
}

static void saved_free(struct xs_saved_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

int xs_saved_set(struct xs_store *s, uint32_t domid, const char *path,
    const char *token, bool add)
{
	struct xs_saved_watch **pp = &s->saved, *w;

	while ((w = *pp) != NULL) {
		if (w->domid == domid && (path == NULL ||
		    (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0))) {
			*pp = w->next;
			saved_free(w);
		} else {
			pp = &w->next;
		}
	}
	if (!add || path == NULL)
		return 0;
	if ((w = calloc(1, sizeof(*w))) == NULL || (w->path = strdup(path)) == NULL ||
	    (w->token = strdup(token)) == NULL) {
		if (w != NULL)
			saved_free(w);
		return -ENOMEM;
	}
	w->domid = domid;
	w->next = s->saved;
	s->saved = w;
	return 0;
}

void xs_watch_adopt(struct xs_conn *c)
{
	struct xs_saved_watch **pp = &c->s->saved, *w;

	while ((w = *pp) != NULL) {
		if (w->domid != c->domid) {
			pp = &w->next;
			continue;
		}
		if (xs_watch_add(c, w->path, w->token) == 0)
			xs_send_event(c, c->watches, c->watches->path);
		*pp = w->next;
		saved_free(w);
	}
}
