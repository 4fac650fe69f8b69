/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The XSM hook layer: every operation by which one domain may affect
 * another, or the system, is asked here first, by name, and the active
 * security module decides. The hypervisor calls xsm_check() at each
 * mediation point; denials are counted and written to the audit log.
 */
#ifndef XSM_H
#define XSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "palisade/acmpol.h"

/* The hooks. Each module gives every one of them a decision. */
enum xsm_hook {
	/* domain control (domctl) and system control (sysctl) */
	XSM_DOMAIN_CREATE, XSM_DOMAIN_DESTROY, XSM_DOMAIN_PAUSE,
	XSM_DOMAIN_UNPAUSE, XSM_DOMAIN_SHUTDOWN, XSM_DOMAIN_GETINFO,
	XSM_DOMAIN_SETCONTEXT, XSM_DOMAIN_MEMORY_MAP, XSM_DOMAIN_SETMAXMEM, XSM_SYSCTL,
	/* memory */
	XSM_MEMORY_RESERVATION, XSM_MEMORY_FOREIGN_MAP, XSM_MMU_UPDATE,
	/* grant tables */
	XSM_GRANT_SETUP, XSM_GRANT_QUERY, XSM_GRANT_MAP, XSM_GRANT_UNMAP,
	XSM_GRANT_COPY,
	/* event channels */
	XSM_EVTCHN_UNBOUND, XSM_EVTCHN_INTERDOMAIN, XSM_EVTCHN_SEND,
	XSM_EVTCHN_STATUS, XSM_EVTCHN_CLOSE, XSM_EVTCHN_VIRQ, XSM_EVTCHN_RESET,
	/* console, store, and resources backends ask about */
	XSM_CONSOLE_READ, XSM_CONSOLE_WRITE, XSM_STORE_INTRODUCE, XSM_STORE_ACCESS,
	XSM_RESOURCE_DISK, XSM_RESOURCE_VLAN, XSM_RESOURCE_VTPM,
	XSM_NR_HOOKS
};

#define XSM_NO_TARGET 0x7ff4u		/* DOMID_INVALID */

/* What the layer knows of a domain, or of a resource a backend asks about. */
struct xsm_dom {
	uint32_t domid;
	bool control;		/* the control domain (dom0) */
	uint32_t target;	/* the domain this one is device model for */
	uint32_t audit_left;	/* denials still to be audited in full */
	char label[ACMPOL_NAME_LEN];	/* its security label, "" if none */
	uint64_t sid;		/* its label's index, and that policy's generation */
	const char *resource;	/* a resource (e.g. "file:/img/a.img"), not a domain */
	const char *policy;	/* a resource's label is of this policy ("": any) */
	struct xsm_dom *next;	/* the live domains (xsm_dom_register) */
};

#define XSM_AUDIT_BUDGET 1000	/* full audit lines per source domain */
#define XSM_DOM_INIT(id, ctl) \
	{ .domid = (id), .control = (ctl), .target = XSM_NO_TARGET, \
	  .audit_left = XSM_AUDIT_BUDGET }
#define XSM_WHY_LEN 256

struct xsm_module {
	const char *name;
	/* 0 to allow, or a negative Xen error code and, in why (XSM_WHY_LEN),
	 * the rule that denied in plain words. dst may be NULL when the
	 * operation has no object domain. */
	int (*check)(enum xsm_hook h, const struct xsm_dom *src,
	    const struct xsm_dom *dst, char *why);
};

extern const struct xsm_module xsm_dummy;
extern const struct xsm_module xsm_acm;

enum acm_load_flags {
	ACM_LOAD_FORCE = 1u << 0,	/* load despite running domains: relabel */
};

/* Make a binary policy (acmpol.h) active, switching to the acm module.
 * Live domains are labelled anew: a label renamed by the policy (its
 * from=) follows; one the running domains would violate (a label the
 * policy lacks, two running sides of a conflict set, an update of a policy
 * that is not the loaded one) refuses the load with the list in err,
 * unless ACM_LOAD_FORCE, which leaves such domains unlabelled. 0, or
 * -XEN_EINVAL / -XEN_EPERM with err set. */
int acm_load(const void *buf, size_t len, unsigned int flags, char *err, size_t n);
void acm_policy_name(char *out, size_t n);	/* "" when none is loaded */
/* A copy of the active policy's blob (free it), or NULL with *len 0. */
void *acm_policy_blob(size_t *len);
void acm_dom_resolve(struct xsm_dom *x);	/* its ssid, from its label */
void acm_unload(void);				/* back to dummy (tests) */

/* The live domains, which Chinese Wall checks and relabelling walk. */
void xsm_dom_register(struct xsm_dom *x);
void xsm_dom_unregister(struct xsm_dom *x);
/* Walk them under the layer's lock; fn must not call back into it. */
void xsm_for_each_dom(void (*fn)(struct xsm_dom *x, void *arg), void *arg);
void xsm_set_module(const struct xsm_module *m);
int xsm_dummy_check(enum xsm_hook h, const struct xsm_dom *src,
    const struct xsm_dom *dst, char *why);

/* Start with a module (NULL: dummy) and an audit log (NULL: none). */
void xsm_init(const struct xsm_module *m, FILE *audit);
void xsm_dom_init(struct xsm_dom *x, uint32_t domid, bool control);
int xsm_check(enum xsm_hook h, struct xsm_dom *src, const struct xsm_dom *dst);
/* The same, telling the caller why a denial was made (XSM_WHY_LEN). */
int xsm_check_why(enum xsm_hook h, struct xsm_dom *src, const struct xsm_dom *dst,
    char *why);

const char *xsm_hook_name(enum xsm_hook h);
const char *xsm_module_name(void);
void xsm_stats(uint64_t *checks, uint64_t *denials);

#endif
