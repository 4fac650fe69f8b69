/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The acm module: sHype's Simple Type Enforcement and Chinese Wall over
 * the dummy module's privilege rules (a hook must pass both). STE guards
 * every hook by which two domains share (event channels bound and sent
 * on, grants mapped or copied, foreign maps, one domain's store nodes read
 * by another) and every resource a backend asks about. Chinese Wall
 * guards creation and unpausing. dom0 runs under the policy's bootstrap
 * label; a domain or resource without a label gets __UNLABELED__ (which
 * shares with nothing unless the policy defines it).
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/xen.h"
#include "xsm.h"

/*
 * The active policy is immutable once published, and read without a lock:
 * a check loads the pointer once and decides from that policy. A replaced
 * policy may still be in a check's hands, so it is retired, not freed,
 * until acm_unload (loads are rare). Loads, unloads and relabelling are
 * serialized by load_lock. A domain's cached label index carries the
 * generation of the policy it was computed for; one from another policy
 * is not used, the label is looked up by name instead.
 */
struct acm_active {
	uint32_t gen;
	struct acmpol *pol;
	struct acm_active *retired;
};

static struct acm_active *active, *retired;
static uint32_t generation;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct acm_active *current(void)
{
	return __atomic_load_n(&active, __ATOMIC_ACQUIRE);
}

void acm_policy_name(char *out, size_t n)
{
	const struct acm_active *a = current();

	snprintf(out, n, "%s", a != NULL ? a->pol->h->name : "");
}

void *acm_policy_blob(size_t *len)
{
	const struct acm_active *a;
	void *b = NULL;

	pthread_mutex_lock(&load_lock);
	a = current();
	*len = 0;
	if (a != NULL && (b = malloc(a->pol->size)) != NULL) {
		memcpy(b, a->pol->blob, a->pol->size);
		*len = a->pol->size;
	}
	pthread_mutex_unlock(&load_lock);
	return b;
}

static bool is_sharing_hook(enum xsm_hook h)
{
	switch (h) {
	case XSM_EVTCHN_INTERDOMAIN:
	case XSM_EVTCHN_SEND:
	case XSM_GRANT_MAP:
	case XSM_GRANT_COPY:
	case XSM_MEMORY_FOREIGN_MAP:
	case XSM_STORE_ACCESS:
	case XSM_RESOURCE_DISK:
	case XSM_RESOURCE_VLAN:
	case XSM_RESOURCE_VTPM:
		return true;
	default:
		return false;
	}
}

static const char *label_of(const struct xsm_dom *x)
{
	return x->label[0] ? x->label : ACMPOL_UNLABELED;
}

/* x's label in p, by name: dom0 has the bootstrap label. */
static int resolve(const struct acmpol *p, const struct xsm_dom *x)
{
	if (x->control && x->resource == NULL)
		return (int)p->h->bootstrap;
	if (x->resource != NULL && x->policy != NULL && x->policy[0] != '\0' &&
	    strcmp(x->policy, p->h->name) != 0)	/* labelled for another policy */
		return acmpol_label(p, ACMPOL_UNLABELED, ACMPOL_RESOURCE);
	return acmpol_label(p, label_of(x), x->resource != NULL ? ACMPOL_RESOURCE : ACMPOL_VM);
}

static uint64_t pack(uint32_t gen, int ssid)
{
	return (uint64_t)gen << 32 | (uint32_t)ssid;
}

static int ssid_of(const struct acm_active *a, const struct xsm_dom *x)
{
	uint64_t s = __atomic_load_n(&x->sid, __ATOMIC_ACQUIRE);

	return (uint32_t)(s >> 32) == a->gen ? (int)(int32_t)(uint32_t)s : resolve(a->pol, x);
}

/* How the denial names x: its label, or what it lacks. */
static const char *shown(const struct acm_active *a, const struct xsm_dom *x, int ssid)
{
	return ssid >= 0 ? a->pol->labels[ssid].name : label_of(x);
}

static const char *resource_kind(enum xsm_hook h)
{
	return h == XSM_RESOURCE_DISK ? "block device " : h == XSM_RESOURCE_VLAN ? "network " :
	    h == XSM_RESOURCE_VTPM ? "vTPM " : "";
}

static int ste_check(const struct acm_active *a, enum xsm_hook h, const struct xsm_dom *s,
    const struct xsm_dom *d, char *why)
{
	int i, j;

	if (s->resource == NULL && d->resource == NULL && s->domid == d->domid)
		return 0;
	i = ssid_of(a, s);
	j = ssid_of(a, d);
	if (i >= 0 && j >= 0 && acmpol_ste_share(a->pol, (unsigned int)i, (unsigned int)j))
		return 0;
	if (d->resource != NULL && j < 0)
		snprintf(why, XSM_WHY_LEN, "access to %s%s denied: resource label %s is not in "
		    "policy %s", resource_kind(h), d->resource, label_of(d), a->pol->h->name);
	else if (d->resource != NULL)
		snprintf(why, XSM_WHY_LEN, "access to %s%s denied: label %s shares no type "
		    "with resource label %s", resource_kind(h), d->resource, shown(a, s, i),
		    shown(a, d, j));
	else if (i < 0 || j < 0)
		snprintf(why, XSM_WHY_LEN, "STE: d%u has no label in policy %s (%s)",
		    i < 0 ? s->domid : d->domid, a->pol->h->name, label_of(i < 0 ? s : d));
	else
		snprintf(why, XSM_WHY_LEN, "STE: label %s of d%u shares no type with label "
		    "%s of d%u", shown(a, s, i), s->domid, shown(a, d, j), d->domid);
	return -XEN_EPERM;
}

struct cw_scan {
	const struct acm_active *a;
	uint32_t self;
	const uint64_t *set, *mine;
	uint32_t domid;		/* the first running domain found on the other side */
	int ssid;
};

static void cw_find(struct xsm_dom *x, void *arg)
{
	struct cw_scan *s = arg;
	unsigned int w;
	int i;

	if (s->ssid >= 0 || x->domid == s->self || (i = ssid_of(s->a, x)) < 0)
		return;
	for (w = 0; w < s->a->pol->words; w++)
		if (s->a->pol->labels[i].cw[w] & s->set[w] & ~s->mine[w]) {
			s->ssid = i;
			s->domid = x->domid;
			return;
		}
}

/* No live domain (but nd itself) holds a type of one of nd's conflict
 * sets that nd does not. */
static int cw_check(const struct acm_active *a, const struct xsm_dom *nd, char *why)
{
	const struct acmpol *p = a->pol;
	int i = ssid_of(a, nd);
	uint32_t c;
	unsigned int w;

	if (i < 0) {
		snprintf(why, XSM_WHY_LEN, "label %s is not a VM label of policy %s",
		    label_of(nd), p->h->name);
		return -XEN_EPERM;
	}
	for (c = 0; c < p->h->nr_conflicts; c++) {
		struct cw_scan s = { a, nd->domid, p->conflicts[c].cw, p->labels[i].cw, 0, -1 };
		bool in = false;

		for (w = 0; w < p->words; w++)
			in |= (p->labels[i].cw[w] & s.set[w]) != 0;
		if (!in)
			continue;
		xsm_for_each_dom(cw_find, &s);
		if (s.ssid >= 0) {
			snprintf(why, XSM_WHY_LEN, "domain in conflict set with running domains: "
			    "%s runs as domain %u (conflict set '%s')", p->labels[s.ssid].name,
			    s.domid, p->conflicts[c].name);
			return -XEN_EPERM;
		}
	}
	return 0;
}

static int acm_check(enum xsm_hook h, const struct xsm_dom *src,
    const struct xsm_dom *dst, char *why)
{
	const struct acm_active *a;
	int ret = xsm_dummy_check(h, src, dst, why);

	if (ret != 0 || dst == NULL || (a = current()) == NULL)
		return ret;
	if (h == XSM_DOMAIN_CREATE || h == XSM_DOMAIN_UNPAUSE)
		return cw_check(a, dst, why);
	if (is_sharing_hook(h))
		return ste_check(a, h, src, dst, why);
	return 0;
}

const struct xsm_module xsm_acm = { "acm", acm_check };

void acm_dom_resolve(struct xsm_dom *x)
{
	const struct acm_active *a;

	pthread_mutex_lock(&load_lock);
	a = current();
	__atomic_store_n(&x->sid, a != NULL ? pack(a->gen, resolve(a->pol, x)) : 0,
	    __ATOMIC_RELEASE);
	pthread_mutex_unlock(&load_lock);
}

/* --- loading ---------------------------------------------------------------- */

/* What the load found wrong, as one line (the rest counted). */
struct findings {
	char *out;
	size_t n, used;
	unsigned int count;
};

static void found(struct findings *f, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (f->count++ > 0 && f->used + 2 < f->n)
		f->used += (size_t)snprintf(f->out + f->used, f->n - f->used, "; ");
	if (f->used + 1 >= f->n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(f->out + f->used, f->n - f->used, fmt, ap);
	va_end(ap);
	f->used = w < 0 ? f->used : f->used + (size_t)w < f->n ? f->used + (size_t)w : f->n - 1;
}

/* A live domain's label under the new policy: renamed if a VM label says
 * it was called that before (from=), else the same name. -1: none. */
static int new_label(const struct acmpol *p, const struct xsm_dom *x)
{
	uint32_t i;

	if (x->control)
		return (int)p->h->bootstrap;
	for (i = 0; x->label[0] && i < p->h->nr_labels; i++)
		if (p->labels[i].kind == ACMPOL_VM && strcmp(p->labels[i].from, x->label) == 0)
			return (int)i;
	return acmpol_label(p, label_of(x), ACMPOL_VM);
}

#define LOAD_MAX_DOMS 4096

struct load_scan {
	const struct acmpol *p;
	struct findings *f;
	uint32_t domid[LOAD_MAX_DOMS];
	int ssid[LOAD_MAX_DOMS];
	unsigned int n;
	uint32_t gen;		/* when applying */
};

static void plan(struct xsm_dom *x, void *arg)
{
	struct load_scan *s = arg;
	int i = new_label(s->p, x);

	if (i < 0)
		found(s->f, "d%u: label %s is not in policy %s", x->domid, label_of(x),
		    s->p->h->name);
	if (s->n < LOAD_MAX_DOMS) {
		s->domid[s->n] = x->domid;
		s->ssid[s->n++] = i;
	}
}

/* Two running domains on two sides of one conflict set. */
static void plan_cw(struct load_scan *s)
{
	const struct acmpol *p = s->p;
	unsigned int a, b, w;
	uint32_t c;

	for (c = 0; c < p->h->nr_conflicts; c++)
		for (a = 0; a < s->n; a++)
			for (b = a + 1; s->ssid[a] >= 0 && b < s->n; b++) {
				const struct acmpol_label *la = &p->labels[s->ssid[a]];
				const struct acmpol_label *lb;

				if (s->ssid[b] < 0)
					continue;
				lb = &p->labels[s->ssid[b]];
				for (w = 0; w < p->words; w++)
					if ((la->cw[w] & p->conflicts[c].cw[w]) &&
					    (lb->cw[w] & p->conflicts[c].cw[w] & ~la->cw[w]))
						break;
				if (w < p->words)
					found(s->f, "conflict set '%s': d%u (%s) and d%u (%s) run "
					    "together", p->conflicts[c].name, s->domid[a], la->name,
					    s->domid[b], lb->name);
			}
}

static void apply(struct xsm_dom *x, void *arg)
{
	struct load_scan *s = arg;
	int i = new_label(s->p, x);

	if (!x->control)
		snprintf(x->label, sizeof(x->label), "%s", i >= 0 ? s->p->labels[i].name : "");
	__atomic_store_n(&x->sid, pack(s->gen, i), __ATOMIC_RELEASE);
}

static void check_update(const struct acmpol *p, struct findings *f)
{
	const struct acm_active *a = current();
	const struct acmpol_header *o = a != NULL ? a->pol->h : NULL;

	if (!(p->h->flags & ACMPOL_HAS_FROM))
		return;
	if (o == NULL)
		found(f, "policy %s updates %s %u.%u, but no policy is loaded", p->h->name,
		    p->h->from_name, p->h->from_major, p->h->from_minor);
	else if (strcmp(o->name, p->h->from_name) != 0 || o->major != p->h->from_major ||
	    o->minor != p->h->from_minor)
		found(f, "policy %s updates %s %u.%u, but %s %u.%u is loaded", p->h->name,
		    p->h->from_name, p->h->from_major, p->h->from_minor, o->name, o->major,
		    o->minor);
}

int acm_load(const void *buf, size_t len, unsigned int flags, char *err, size_t n)
{
	struct acmpol *p = acmpol_decode(buf, len, err, n);
	struct findings f = { err, n, 0, 0 };
	struct load_scan *s;
	struct acm_active *a;

	if (p == NULL)
		return -XEN_EINVAL;
	s = calloc(1, sizeof(*s));
	a = calloc(1, sizeof(*a));
	if (s == NULL || a == NULL) {
		free(s);
		free(a);
		acmpol_free(p);
		snprintf(err, n, "out of memory");
		return -XEN_ENOMEM;
	}
	err[0] = '\0';
	s->p = p;
	s->f = &f;
	pthread_mutex_lock(&load_lock);
	check_update(p, &f);
	xsm_for_each_dom(plan, s);
	plan_cw(s);
	if (f.count > 0 && !(flags & ACM_LOAD_FORCE)) {
		pthread_mutex_unlock(&load_lock);
		if (f.count > 1 && f.used + 32 < f.n)
			snprintf(err + f.used, n - f.used, " (%u conflicts)", f.count);
		free(s);
		free(a);
		acmpol_free(p);
		return -XEN_EPERM;
	}
	a->pol = p;
	a->gen = ++generation;
	s->gen = a->gen;
	if (active != NULL) {
		active->retired = retired;
		retired = active;
	}
	__atomic_store_n(&active, a, __ATOMIC_RELEASE);
	xsm_for_each_dom(apply, s);
	pthread_mutex_unlock(&load_lock);
	free(s);
	xsm_set_module(&xsm_acm);
	return 0;
}

/* Back to the dummy module; only when no check can be running (tests,
 * shutdown). */
static void forget(struct xsm_dom *x, void *arg)
{
	(void)arg;
	__atomic_store_n(&x->sid, 0, __ATOMIC_RELEASE);
}

void acm_unload(void)
{
	struct acm_active *r;

	xsm_set_module(&xsm_dummy);
	pthread_mutex_lock(&load_lock);
	if (active != NULL) {
		active->retired = retired;
		retired = active;
	}
	__atomic_store_n(&active, NULL, __ATOMIC_RELEASE);
	xsm_for_each_dom(forget, NULL);
	while ((r = retired) != NULL) {
		retired = r->retired;
		acmpol_free(r->pol);
		free(r);
	}
	pthread_mutex_unlock(&load_lock);
}
