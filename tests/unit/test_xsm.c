/* SPDX-License-Identifier: GPL-2.0-only */
/* The XSM hook layer and the dummy module: Xen's default decisions for
 * every hook, counters, and the audit log with its per-domain budget. */
#include "config.h"

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "palisade/xen.h"
#include "xsm/xsm.h"

enum expect { HOOK, TARGET, DM_PRIV, PRIV };

/* What Xen's xsm/dummy.h decides, written out again on purpose. */
static const struct { enum xsm_hook h; enum expect e; } expected[] = {
	{ XSM_DOMAIN_CREATE, PRIV }, { XSM_DOMAIN_DESTROY, PRIV },
	{ XSM_DOMAIN_PAUSE, PRIV }, { XSM_DOMAIN_UNPAUSE, PRIV },
	{ XSM_DOMAIN_SHUTDOWN, DM_PRIV }, { XSM_DOMAIN_GETINFO, PRIV },
	{ XSM_DOMAIN_SETCONTEXT, PRIV }, { XSM_DOMAIN_MEMORY_MAP, PRIV },
	{ XSM_DOMAIN_SETMAXMEM, PRIV },
	{ XSM_SYSCTL, PRIV }, { XSM_MEMORY_RESERVATION, TARGET },
	{ XSM_MEMORY_FOREIGN_MAP, DM_PRIV }, { XSM_MMU_UPDATE, TARGET },
	{ XSM_GRANT_SETUP, TARGET }, { XSM_GRANT_QUERY, TARGET },
	{ XSM_GRANT_MAP, HOOK }, { XSM_GRANT_UNMAP, HOOK }, { XSM_GRANT_COPY, HOOK },
	{ XSM_EVTCHN_UNBOUND, TARGET }, { XSM_EVTCHN_INTERDOMAIN, HOOK },
	{ XSM_EVTCHN_SEND, HOOK }, { XSM_EVTCHN_STATUS, TARGET },
	{ XSM_EVTCHN_CLOSE, HOOK }, { XSM_EVTCHN_VIRQ, HOOK },
	{ XSM_EVTCHN_RESET, TARGET }, { XSM_CONSOLE_READ, PRIV },
	{ XSM_CONSOLE_WRITE, HOOK }, { XSM_STORE_INTRODUCE, PRIV }, { XSM_STORE_ACCESS, HOOK },
	{ XSM_RESOURCE_DISK, HOOK }, { XSM_RESOURCE_VLAN, HOOK },
	{ XSM_RESOURCE_VTPM, HOOK },
};

static void test_every_hook(void)
{
	struct xsm_dom guest = XSM_DOM_INIT(5, false), other = XSM_DOM_INIT(6, false);
	struct xsm_dom dom0 = XSM_DOM_INIT(0, true), dm = XSM_DOM_INIT(7, false);
	unsigned int i, seen[XSM_NR_HOOKS] = { 0 };

	xsm_init(&xsm_dummy, NULL);
	dm.target = 6;			/* the device model of domain 6 */
	CU_ASSERT_EQUAL(sizeof(expected) / sizeof(expected[0]), XSM_NR_HOOKS);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		enum xsm_hook h = expected[i].h;
		enum expect e = expected[i].e;
		bool ok =
		    xsm_check(h, &dom0, &other) == 0 &&
		    xsm_check(h, &guest, &guest) == (e == HOOK || e == TARGET ? 0 : -XEN_EPERM) &&
		    xsm_check(h, &guest, &other) == (e == HOOK ? 0 : -XEN_EPERM) &&
		    xsm_check(h, &dm, &other) == (e == PRIV ? -XEN_EPERM : 0);

		seen[h]++;
		CU_ASSERT_STRING_NOT_EQUAL(xsm_hook_name(h), "unknown");
		/* Reported under the hook's name when it fails. */
		CU_assertImplementation(ok, __LINE__, xsm_hook_name(h), __FILE__, "",
		    CU_FALSE);
	}
	for (i = 0; i < XSM_NR_HOOKS; i++)
		CU_ASSERT_EQUAL(seen[i], 1);
	/* Out of range: denied, never an out-of-bounds read. */
	CU_ASSERT_EQUAL(xsm_check(XSM_NR_HOOKS, &dom0, NULL), -XEN_EPERM);
	CU_ASSERT_EQUAL(xsm_check((enum xsm_hook)-1, &dom0, NULL), -XEN_EPERM);
	CU_ASSERT_STRING_EQUAL(xsm_hook_name(XSM_NR_HOOKS), "unknown");
	CU_ASSERT_STRING_EQUAL(xsm_module_name(), "dummy");
}

static void test_audit(void)
{
	struct xsm_dom guest = XSM_DOM_INIT(5, false), other = XSM_DOM_INIT(6, false);
	uint64_t checks0, denials0, checks, denials;
	char *text = NULL;
	size_t size = 0, lines = 0, i;
	FILE *log = open_memstream(&text, &size);

	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	xsm_init(&xsm_dummy, log);
	xsm_stats(&checks0, &denials0);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &guest, &other), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_PAUSE, &guest, &other), -XEN_EPERM);
	xsm_stats(&checks, &denials);
	CU_ASSERT_EQUAL(checks - checks0, 2);
	CU_ASSERT_EQUAL(denials - denials0, 1);
	fflush(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "dummy: deny domain_pause: d5 -> d6 (error -1)"));

	/* A domain denied without end is audited XSM_AUDIT_BUDGET times. */
	for (i = 0; i < 3 * XSM_AUDIT_BUDGET; i++)
		xsm_check(XSM_SYSCTL, &guest, NULL);
	fflush(log);
	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	CU_ASSERT_EQUAL(lines, XSM_AUDIT_BUDGET);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "deny sysctl: d5 -> -"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "further denials of this domain are counted"));
	xsm_stats(&checks, &denials);
	CU_ASSERT_EQUAL(denials - denials0, 1 + 3 * XSM_AUDIT_BUDGET);
	/* Another domain still has its own budget. */
	xsm_check(XSM_SYSCTL, &other, NULL);
	fflush(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "deny sysctl: d6 -> -"));
	xsm_init(&xsm_dummy, NULL);
	fclose(log);
	free(text);
}

static CU_TestInfo tests[] = {
	{ "dummy module: Xen's default for every hook", test_every_hook },
	{ "counters and audit log", test_audit },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "xsm", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
