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
	XSM_DOMAIN_SETCONTEXT, XSM_DOMAIN_MEMORY_MAP, XSM_SYSCTL,
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

/* What the layer knows of a domain. */
struct xsm_dom {
	uint32_t domid;
	bool control;		/* the control domain (dom0) */
	uint32_t target;	/* the domain this one is device model for */
	uint32_t audit_left;	/* denials still to be audited in full */
	char label[ACMPOL_NAME_LEN];	/* its security label, "" if none */
	int ssid;		/* the label's index in the active policy, or -1 */
	struct xsm_dom *next;	/* the live domains (xsm_dom_register) */
};

#define XSM_AUDIT_BUDGET 1000	/* full audit lines per source domain */
#define XSM_DOM_INIT(id, ctl) \
	{ .domid = (id), .control = (ctl), .target = XSM_NO_TARGET, \
	  .audit_left = XSM_AUDIT_BUDGET, .ssid = -1 }

struct xsm_module {
	const char *name;
	/* 0 to allow, or a negative Xen error code. dst may be NULL when the
	 * operation has no object domain. */
	int (*check)(enum xsm_hook h, const struct xsm_dom *src,
	    const struct xsm_dom *dst);
};

extern const struct xsm_module xsm_dummy;
extern const struct xsm_module xsm_acm;

/* A validated ACM policy (acm_policy.c); share[i] has bit j set when
 * labels i and j have an STE type in common. */
struct acm_policy {
	char name[ACMPOL_NAME_LEN];
	uint32_t nr_labels, nr_conflicts;
	struct acmpol_conflict conflicts[ACMPOL_MAX_CONFLICTS];
	uint64_t share[ACMPOL_MAX_LABELS][ACMPOL_MAX_LABELS / 64];
	struct acmpol_label labels[];
};

/* Check a binary policy; on failure err says what is wrong. */
int acm_policy_parse(const void *buf, size_t len, struct acm_policy **out,
    char *err, size_t n);
int acm_policy_label(const struct acm_policy *pol, const char *name);
/* Make a policy active (switching to the acm module); every live domain is
 * labelled anew from it. 0, or -XEN_EINVAL with err set. */
int acm_load(const void *buf, size_t len, char *err, size_t n);
void acm_policy_name(char *out, size_t n);	/* "" when none is loaded */
void acm_dom_resolve(struct xsm_dom *x);	/* its ssid, from its label */
void acm_unload(void);				/* back to dummy (tests) */

/* The live domains, which Chinese Wall checks and relabelling walk. */
void xsm_dom_register(struct xsm_dom *x);
void xsm_dom_unregister(struct xsm_dom *x);
/* Walk them under the layer's lock; fn must not call back into it. */
void xsm_for_each_dom(void (*fn)(struct xsm_dom *x, void *arg), void *arg);
void xsm_set_module(const struct xsm_module *m);
int xsm_dummy_check(enum xsm_hook h, const struct xsm_dom *src,
    const struct xsm_dom *dst);

/* Start with a module (NULL: dummy) and an audit log (NULL: none). */
void xsm_init(const struct xsm_module *m, FILE *audit);
void xsm_dom_init(struct xsm_dom *x, uint32_t domid, bool control);
int xsm_check(enum xsm_hook h, struct xsm_dom *src, const struct xsm_dom *dst);

const char *xsm_hook_name(enum xsm_hook h);
const char *xsm_module_name(void);
void xsm_stats(uint64_t *checks, uint64_t *denials);

#endif
