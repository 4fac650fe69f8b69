/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dummy module: Xen's default policy (its xsm/dummy.h), hook by hook.
 * HOOK is always allowed; TARGET only on oneself, by the domain's device
 * model, or by the control domain; DM_PRIV by the device model or the
 * control domain; PRIV by the control domain alone.
 */
#include "config.h"

#include <stdio.h>

#include "palisade/xen.h"
#include "xsm.h"

/* A hook missing from the table is UNSET, and denied to everyone. */
enum action { UNSET, HOOK, TARGET, DM_PRIV, PRIV };

static const enum action actions[XSM_NR_HOOKS] = {
	[XSM_DOMAIN_CREATE] = PRIV,
	[XSM_DOMAIN_DESTROY] = PRIV,
	[XSM_DOMAIN_PAUSE] = PRIV,
	[XSM_DOMAIN_UNPAUSE] = PRIV,
	[XSM_DOMAIN_SHUTDOWN] = DM_PRIV,
	[XSM_DOMAIN_GETINFO] = PRIV,
	[XSM_DOMAIN_SETCONTEXT] = PRIV,
	[XSM_DOMAIN_MEMORY_MAP] = PRIV,
	[XSM_DOMAIN_SETMAXMEM] = PRIV,
	[XSM_SYSCTL] = PRIV,
	[XSM_MEMORY_RESERVATION] = TARGET,
	[XSM_MEMORY_FOREIGN_MAP] = DM_PRIV,
	[XSM_MMU_UPDATE] = TARGET,
	[XSM_GRANT_SETUP] = TARGET,
	[XSM_GRANT_QUERY] = TARGET,
	[XSM_GRANT_MAP] = HOOK,
	[XSM_GRANT_UNMAP] = HOOK,
	[XSM_GRANT_COPY] = HOOK,
	[XSM_EVTCHN_UNBOUND] = TARGET,
	[XSM_EVTCHN_INTERDOMAIN] = HOOK,
	[XSM_EVTCHN_SEND] = HOOK,
	[XSM_EVTCHN_STATUS] = TARGET,
	[XSM_EVTCHN_CLOSE] = HOOK,
	[XSM_EVTCHN_VIRQ] = HOOK,
	[XSM_EVTCHN_RESET] = TARGET,
	/* Release builds of Xen refuse console_io to guests; debug builds let
	 * them write. Guests here may write (to the hypervisor's log,
	 * rate-limited), and only the control domain may read. */
	[XSM_CONSOLE_READ] = PRIV,
	[XSM_CONSOLE_WRITE] = HOOK,
	[XSM_STORE_INTRODUCE] = PRIV,
	[XSM_STORE_ACCESS] = HOOK,	/* the store's own ACLs decide */
	[XSM_RESOURCE_DISK] = HOOK,
	[XSM_RESOURCE_VLAN] = HOOK,
	[XSM_RESOURCE_VTPM] = HOOK,
};

static int deny(const struct xsm_dom *src, char *why, const char *what)
{
	if (why != NULL)
		snprintf(why, XSM_WHY_LEN, "dummy: d%u %s", src->domid, what);
	return -XEN_EPERM;
}

int xsm_dummy_check(enum xsm_hook h, const struct xsm_dom *src,
    const struct xsm_dom *dst, char *why)
{
	bool is_dm = dst != NULL && src->target == dst->domid;

	switch (actions[h]) {
	case UNSET:
		break;
	case HOOK:
		return 0;
	case TARGET:
		if (dst != NULL && src->domid == dst->domid)
			return 0;
		/* fall through */
	case DM_PRIV:
		if (is_dm)
			return 0;
		/* fall through */
	case PRIV:
		return src->control ? 0 : deny(src, why, "is not the control domain");
	}
	return deny(src, why, "asked a hook no rule allows");
}

const struct xsm_module xsm_dummy = { "dummy", xsm_dummy_check };
