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
#include <stdint.h>
#include <stdio.h>

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
	XSM_CONSOLE_READ, XSM_CONSOLE_WRITE, XSM_STORE_INTRODUCE,
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
};

#define XSM_AUDIT_BUDGET 1000	/* full audit lines per source domain */
#define XSM_DOM_INIT(id, ctl) \
	{ .domid = (id), .control = (ctl), .target = XSM_NO_TARGET, \
	  .audit_left = XSM_AUDIT_BUDGET }

struct xsm_module {
	const char *name;
	/* 0 to allow, or a negative Xen error code. dst may be NULL when the
	 * operation has no object domain. */
	int (*check)(enum xsm_hook h, const struct xsm_dom *src,
	    const struct xsm_dom *dst);
};

extern const struct xsm_module xsm_dummy;

/* Start with a module (NULL: dummy) and an audit log (NULL: none). */
void xsm_init(const struct xsm_module *m, FILE *audit);
void xsm_dom_init(struct xsm_dom *x, uint32_t domid, bool control);
int xsm_check(enum xsm_hook h, struct xsm_dom *src, const struct xsm_dom *dst);

const char *xsm_hook_name(enum xsm_hook h);
const char *xsm_module_name(void);
void xsm_stats(uint64_t *checks, uint64_t *denials);

#endif
