/* SPDX-License-Identifier: GPL-2.0-only */
/* The hook dispatcher: the active module, counters, the audit log. */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "palisade/xen.h"
#include "xsm.h"

static const struct xsm_module *module = &xsm_dummy;
static struct xsm_dom *live;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *audit_log;
static uint64_t nr_checks, nr_denials;

static const char *const names[XSM_NR_HOOKS] = {
	[XSM_DOMAIN_CREATE] = "domain_create",
	[XSM_DOMAIN_DESTROY] = "domain_destroy",
	[XSM_DOMAIN_PAUSE] = "domain_pause",
	[XSM_DOMAIN_UNPAUSE] = "domain_unpause",
	[XSM_DOMAIN_SHUTDOWN] = "domain_shutdown",
	[XSM_DOMAIN_GETINFO] = "domain_getinfo",
	[XSM_DOMAIN_SETCONTEXT] = "domain_setcontext",
	[XSM_DOMAIN_MEMORY_MAP] = "domain_memory_map",
	[XSM_DOMAIN_SETMAXMEM] = "domain_setmaxmem",
	[XSM_SYSCTL] = "sysctl",
	[XSM_MEMORY_RESERVATION] = "memory_reservation",
	[XSM_MEMORY_FOREIGN_MAP] = "memory_foreign_map",
	[XSM_MMU_UPDATE] = "mmu_update",
	[XSM_GRANT_SETUP] = "grant_setup",
	[XSM_GRANT_QUERY] = "grant_query",
	[XSM_GRANT_MAP] = "grant_map",
	[XSM_GRANT_UNMAP] = "grant_unmap",
	[XSM_GRANT_COPY] = "grant_copy",
	[XSM_EVTCHN_UNBOUND] = "evtchn_unbound",
	[XSM_EVTCHN_INTERDOMAIN] = "evtchn_interdomain",
	[XSM_EVTCHN_SEND] = "evtchn_send",
	[XSM_EVTCHN_STATUS] = "evtchn_status",
	[XSM_EVTCHN_CLOSE] = "evtchn_close",
	[XSM_EVTCHN_VIRQ] = "evtchn_virq",
	[XSM_EVTCHN_RESET] = "evtchn_reset",
	[XSM_CONSOLE_READ] = "console_read",
	[XSM_CONSOLE_WRITE] = "console_write",
	[XSM_STORE_INTRODUCE] = "store_introduce",
	[XSM_STORE_ACCESS] = "store_access",
	[XSM_RESOURCE_DISK] = "resource_disk",
	[XSM_RESOURCE_VLAN] = "resource_vlan",
	[XSM_RESOURCE_VTPM] = "resource_vtpm",
};

const char *xsm_hook_name(enum xsm_hook h)
{
	return (unsigned int)h < XSM_NR_HOOKS ? names[h] : "unknown";
}

const char *xsm_module_name(void)
{
	return __atomic_load_n(&module, __ATOMIC_ACQUIRE)->name;
}

void xsm_set_module(const struct xsm_module *m)
{
	__atomic_store_n(&module, m, __ATOMIC_RELEASE);
}

void xsm_init(const struct xsm_module *m, FILE *audit)
{
	xsm_set_module(m != NULL ? m : &xsm_dummy);
	audit_log = audit;
}

void xsm_dom_register(struct xsm_dom *x)
{
	acm_dom_resolve(x);
	pthread_mutex_lock(&live_lock);
	x->next = live;
	live = x;
	pthread_mutex_unlock(&live_lock);
}

void xsm_dom_unregister(struct xsm_dom *x)
{
	struct xsm_dom **p;

	pthread_mutex_lock(&live_lock);
	for (p = &live; *p != NULL; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			break;
		}
	pthread_mutex_unlock(&live_lock);
}

void xsm_for_each_dom(void (*fn)(struct xsm_dom *x, void *arg), void *arg)
{
	struct xsm_dom *x;

	pthread_mutex_lock(&live_lock);
	for (x = live; x != NULL; x = x->next)
		fn(x, arg);
	pthread_mutex_unlock(&live_lock);
}

void xsm_dom_init(struct xsm_dom *x, uint32_t domid, bool control)
{
	*x = (struct xsm_dom)XSM_DOM_INIT(domid, control);
}

void xsm_stats(uint64_t *checks, uint64_t *denials)
{
	*checks = __atomic_load_n(&nr_checks, __ATOMIC_RELAXED);
	*denials = __atomic_load_n(&nr_denials, __ATOMIC_RELAXED);
}

/* One line per denial: when, which module and hook, who, on whom, and the
 * rule. A domain that keeps being denied is audited in full only so often. */
static void audit(enum xsm_hook h, struct xsm_dom *src,
    const struct xsm_dom *dst, int ret, const char *why)
{
	uint32_t left = __atomic_load_n(&src->audit_left, __ATOMIC_RELAXED);
	struct timespec ts;
	char who[200 + ACMPOL_NAME_LEN];

	if (audit_log == NULL || left == 0 ||
	    !__atomic_compare_exchange_n(&src->audit_left, &left, left - 1, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (dst != NULL && dst->resource != NULL)
		snprintf(who, sizeof(who), "%.160s:%s", dst->resource,
		    dst->label[0] ? dst->label : ACMPOL_UNLABELED);
	else if (dst != NULL && dst->domid == XSM_NO_TARGET)	/* being created */
		snprintf(who, sizeof(who), "new%s%s", dst->label[0] ? ":" : "",
		    dst->label);
	else if (dst != NULL)
		snprintf(who, sizeof(who), "d%u%s%s", dst->domid,
		    dst->label[0] ? ":" : "", dst->label);
	else
		snprintf(who, sizeof(who), "-");
	fprintf(audit_log, "[%lld.%06ld] %s: deny %s: d%u%s%s -> %s (error %d): %s%s\n",
	    (long long)ts.tv_sec, ts.tv_nsec / 1000, xsm_module_name(),
	    xsm_hook_name(h), src->domid, src->label[0] ? ":" : "", src->label,
	    who, ret, why[0] ? why : "no reason given",
	    left == 1 ? "; further denials of this domain are counted, not logged" : "");
	fflush(audit_log);
}

int xsm_check_why(enum xsm_hook h, struct xsm_dom *src, const struct xsm_dom *dst,
    char *why)
{
	int ret;

	why[0] = '\0';
	__atomic_add_fetch(&nr_checks, 1, __ATOMIC_RELAXED);
	ret = (unsigned int)h < XSM_NR_HOOKS ?
	    __atomic_load_n(&module, __ATOMIC_ACQUIRE)->check(h, src, dst, why) : -XEN_EPERM;
	if (ret != 0) {
		__atomic_add_fetch(&nr_denials, 1, __ATOMIC_RELAXED);
		audit(h, src, dst, ret, why);
	}
	return ret;
}

int xsm_check(enum xsm_hook h, struct xsm_dom *src, const struct xsm_dom *dst)
{
	char why[XSM_WHY_LEN];

	return xsm_check_why(h, src, dst, why);
}
