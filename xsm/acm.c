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

static struct acm_policy *policy;
static pthread_rwlock_t policy_lock = PTHREAD_RWLOCK_INITIALIZER;

void acm_policy_name(char *out, size_t n)
{
	pthread_rwlock_rdlock(&policy_lock);
	snprintf(out, n, "%s", policy != NULL ? policy->name : "");
	pthread_rwlock_unlock(&policy_lock);
}

static bool is_sharing_hook(enum xsm_hook h)
{
	switch (h) {
	case XSM_EVTCHN_INTERDOMAIN:
	case XSM_EVTCHN_SEND:
	case XSM_GRANT_MAP:
	case XSM_GRANT_COPY:
	case XSM_MEMORY_FOREIGN_MAP:
		return true;
	default:
		return false;
	}
}

/* Both guests labelled, and their labels share an STE type. */
static int ste_check(const struct xsm_dom *a, const struct xsm_dom *b)
{
	int i = __atomic_load_n(&a->ssid, __ATOMIC_RELAXED);
	int j = __atomic_load_n(&b->ssid, __ATOMIC_RELAXED);

	if (a->control || b->control || a->domid == b->domid)
		return 0;
	if (i < 0 || j < 0 || (uint32_t)i >= policy->nr_labels ||
	    (uint32_t)j >= policy->nr_labels)
		return -XEN_EPERM;
	return policy->share[i][j / 64] & (1ull << (j % 64)) ? 0 : -XEN_EPERM;
}

struct cw_scan {
	uint64_t running;
};

static void cw_collect(struct xsm_dom *x, void *arg)
{
	struct cw_scan *s = arg;
	int i = __atomic_load_n(&x->ssid, __ATOMIC_RELAXED);

	if (i >= 0 && (uint32_t)i < policy->nr_labels)
		s->running |= policy->labels[i].cw;
}

/* The new domain's types may not meet a different type of one of its
 * conflict sets among the live domains. */
static int cw_check(const struct xsm_dom *nd)
{
	struct cw_scan s = { 0 };
	uint64_t mine;
	uint32_t c;
	int i = acm_policy_label(policy, nd->label);

	if (i < 0)
		return -XEN_EPERM;
	mine = policy->labels[i].cw;
	xsm_for_each_dom(cw_collect, &s);
	for (c = 0; c < policy->nr_conflicts; c++) {
		uint64_t set = policy->conflicts[c].cw;

		if ((mine & set) && (s.running & set & ~mine))
			return -XEN_EPERM;
	}
	return 0;
}

static int acm_check(enum xsm_hook h, const struct xsm_dom *src,
    const struct xsm_dom *dst)
{
	int ret = xsm_dummy_check(h, src, dst);

	if (ret != 0)
		return ret;
	pthread_rwlock_rdlock(&policy_lock);
	if (policy != NULL && dst != NULL) {
		if (h == XSM_DOMAIN_CREATE)
			ret = cw_check(dst);
		else if (is_sharing_hook(h))
			ret = ste_check(src, dst);
	}
	pthread_rwlock_unlock(&policy_lock);
	return ret;
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
	pthread_rwlock_rdlock(&policy_lock);
	relabel(x, policy);
	pthread_rwlock_unlock(&policy_lock);
}

int acm_load(const void *buf, size_t len, char *err, size_t n)
{
	struct acm_policy *p, *old;
	int ret = acm_policy_parse(buf, len, &p, err, n);

	if (ret < 0)
		return ret;
	pthread_rwlock_wrlock(&policy_lock);
	old = policy;
	policy = p;
	xsm_for_each_dom(relabel, p);
	pthread_rwlock_unlock(&policy_lock);
	xsm_set_module(&xsm_acm);
	free(old);
	return 0;
}

void acm_unload(void)
{
	struct acm_policy *old;

	xsm_set_module(&xsm_dummy);
	pthread_rwlock_wrlock(&policy_lock);
	old = policy;
	policy = NULL;
	xsm_for_each_dom(relabel, NULL);
	pthread_rwlock_unlock(&policy_lock);
	free(old);
}
