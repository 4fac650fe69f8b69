/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The acm module: sHype's Simple Type Enforcement and Chinese Wall over
 * the dummy module's privilege rules (a hook must pass both). STE guards
 * every hook by which two guests share: event channels bound and sent on,
 * grants mapped or copied, foreign maps. Chinese Wall guards creation.
 * dom0 is the control domain and is not subject to STE. A guest without a
 * label (or whose label the policy lacks) shares with nobody and may not
 * be created while a policy is active.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/xen.h"
#include "xsm.h"

/*
 * The active policy is immutable once published, and read without a lock:
 * a check loads the pointer once and decides from that policy. A replaced
 * policy may still be in a check's hands, so it is retired, not freed,
 * until acm_unload (loads are rare; each costs a few KiB). Loads, unloads
 * and relabelling are serialized by load_lock.
 */
struct retired {
	struct acm_policy *p;
	struct retired *next;
};

static struct acm_policy *active;
static struct retired *retired;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct acm_policy *current(void)
{
	return __atomic_load_n(&active, __ATOMIC_ACQUIRE);
}

void acm_policy_name(char *out, size_t n)
{
	const struct acm_policy *p = current();

	snprintf(out, n, "%s", p != NULL ? p->name : "");
}

static bool is_sharing_hook(enum xsm_hook h)
{
	switch (h) {
	case XSM_EVTCHN_INTERDOMAIN:
	case XSM_EVTCHN_SEND:
	case XSM_GRANT_MAP:
	case XSM_GRANT_COPY:
	case XSM_MEMORY_FOREIGN_MAP:
	case XSM_STORE_ACCESS:		/* one domain's nodes read by another */
		return true;
	default:
		return false;
	}
}

/* Both guests labelled, and their labels share an STE type. A label index
 * from before a reload may not fit the new policy: then no sharing. */
static int ste_check(const struct acm_policy *p, const struct xsm_dom *a,
    const struct xsm_dom *b)
{
	int i = __atomic_load_n(&a->ssid, __ATOMIC_RELAXED);
	int j = __atomic_load_n(&b->ssid, __ATOMIC_RELAXED);

	if (a->control || b->control || a->domid == b->domid)
		return 0;
	if (i < 0 || j < 0 || (uint32_t)i >= p->nr_labels || (uint32_t)j >= p->nr_labels)
		return -XEN_EPERM;
	return p->share[i][j / 64] & (1ull << (j % 64)) ? 0 : -XEN_EPERM;
}

struct cw_scan {
	const struct acm_policy *p;
	uint64_t running;
};

static void cw_collect(struct xsm_dom *x, void *arg)
{
	struct cw_scan *s = arg;
	int i = __atomic_load_n(&x->ssid, __ATOMIC_RELAXED);

	if (i >= 0 && (uint32_t)i < s->p->nr_labels)
		s->running |= s->p->labels[i].cw;
}

/* The new domain's types may not meet a different type of one of its
 * conflict sets among the live domains. */
static int cw_check(const struct acm_policy *p, const struct xsm_dom *nd)
{
	struct cw_scan s = { p, 0 };
	int i = acm_policy_label(p, nd->label);
	uint64_t mine;
	uint32_t c;

	if (i < 0)
		return -XEN_EPERM;
	mine = p->labels[i].cw;
	xsm_for_each_dom(cw_collect, &s);
	for (c = 0; c < p->nr_conflicts; c++) {
		uint64_t set = p->conflicts[c].cw;

		if ((mine & set) && (s.running & set & ~mine))
			return -XEN_EPERM;
	}
	return 0;
}

static int acm_check(enum xsm_hook h, const struct xsm_dom *src,
    const struct xsm_dom *dst)
{
	const struct acm_policy *p;
	int ret = xsm_dummy_check(h, src, dst);

	if (ret != 0 || dst == NULL || (p = current()) == NULL)
		return ret;
	if (h == XSM_DOMAIN_CREATE)
		return cw_check(p, dst);
	if (is_sharing_hook(h))
		return ste_check(p, src, dst);
	return 0;
}

const struct xsm_module xsm_acm = { "acm", acm_check };

static void relabel(struct xsm_dom *x, void *arg)
{
	const struct acm_policy *p = arg;

	__atomic_store_n(&x->ssid, p != NULL && x->label[0] ?
	    acm_policy_label(p, x->label) : -1, __ATOMIC_RELAXED);
}

void acm_dom_resolve(struct xsm_dom *x)
{
	pthread_mutex_lock(&load_lock);
	relabel(x, (void *)current());
	pthread_mutex_unlock(&load_lock);
}

int acm_load(const void *buf, size_t len, char *err, size_t n)
{
	struct acm_policy *p;
	struct retired *r;
	int ret = acm_policy_parse(buf, len, &p, err, n);

	if (ret < 0)
		return ret;
	r = malloc(sizeof(*r));
	if (r == NULL) {
		free(p);
		snprintf(err, n, "out of memory");
		return -XEN_ENOMEM;
	}
	pthread_mutex_lock(&load_lock);
	r->p = active;
	r->next = retired;
	retired = r;
	__atomic_store_n(&active, p, __ATOMIC_RELEASE);
	xsm_for_each_dom(relabel, p);
	pthread_mutex_unlock(&load_lock);
	xsm_set_module(&xsm_acm);
	return 0;
}

/* Back to the dummy module; only when no check can be running (tests,
 * shutdown). */
void acm_unload(void)
{
	struct retired *r;

	xsm_set_module(&xsm_dummy);
	pthread_mutex_lock(&load_lock);
	free(active);
	__atomic_store_n(&active, NULL, __ATOMIC_RELEASE);
	xsm_for_each_dom(relabel, NULL);
	while ((r = retired) != NULL) {
		retired = r->next;
		free(r->p);
		free(r);
	}
	pthread_mutex_unlock(&load_lock);
}
