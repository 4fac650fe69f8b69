/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ACM module: binary policy validation (every way a policy can lie
 * about itself), Simple Type Enforcement on the sharing hooks, Chinese
 * Wall at creation, relabelling on load, and the dummy rules underneath.
 */
#include "config.h"

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "palisade/xen.h"
#include "xsm/xsm.h"
#include "policybuild.h"

static uint8_t buf[65536];
static char err[256];

static int load(size_t len)
{
	return acm_load(buf, len, err, sizeof(err));
}

static void expect_refused(size_t len, const char *why)
{
	CU_ASSERT_EQUAL(load(len), -XEN_EINVAL);
	if (strstr(err, why) == NULL) {
		printf("\nwanted '%s', got '%s'\n", why, err);
		CU_FAIL("wrong reason");
	}
}

static struct acmpol_header *hdr(void)
{
	return (struct acmpol_header *)buf;
}

static void test_validation(void)
{
	size_t len = pb_test_policy(buf);
	struct acmpol_label *l = (struct acmpol_label *)(buf + hdr()->labels_off);

	expect_refused(10, "truncated");
	expect_refused(len - 1, "does not match");
	buf[len - 1] ^= 1;
	expect_refused(len, "checksum");
	len = pb_test_policy(buf);
	hdr()->magic = 0;
	expect_refused(len, "bad magic");
	len = pb_test_policy(buf);
	hdr()->version = 2;
	expect_refused(len, "version");
	len = pb_test_policy(buf);
	hdr()->nr_labels = 100000;
	expect_refused(len, "counts out of range");
	len = pb_test_policy(buf);
	hdr()->nr_labels = 0;
	expect_refused(len, "counts out of range");
	len = pb_test_policy(buf);
	hdr()->nr_ste_types = 65;
	expect_refused(len, "counts out of range");
	len = pb_test_policy(buf);
	hdr()->labels_off = (uint32_t)len;			/* past the end */
	expect_refused(len, "outside the policy");
	len = pb_test_policy(buf);
	hdr()->labels_off = 4;				/* inside the header */
	expect_refused(len, "outside the policy");
	len = pb_test_policy(buf);
	hdr()->labels_off += 4;				/* misaligned */
	expect_refused(len, "outside the policy");
	len = pb_test_policy(buf);
	hdr()->conflicts_off = 0xfffffff8u;		/* wraps in 32 bits */
	expect_refused(len, "outside the policy");
	len = pb_test_policy(buf);
	hdr()->nr_conflicts = 0x10000000u;
	expect_refused(len, "counts out of range");

	len = pb_test_policy(buf);
	memset(l[1].name, 'x', sizeof(l[1].name));	/* no terminator */
	pb_reseal(buf);
	expect_refused(len, "label 1: name");
	len = pb_test_policy(buf);
	strcpy(l[1].name, "blue");
	pb_reseal(buf);
	expect_refused(len, "defined twice");
	len = pb_test_policy(buf);
	l[0].ste = 1u << 5;				/* only 2 STE types declared */
	pb_reseal(buf);
	expect_refused(len, "undeclared types");
	len = pb_test_policy(buf);
	memset(hdr()->name, 0, sizeof(hdr()->name));
	expect_refused(len, "policy name");
	/* None of that changed the module. */
	CU_ASSERT_STRING_EQUAL(xsm_module_name(), "dummy");
}

static void test_ste_and_cw(void)
{
	struct xsm_dom dom0 = XSM_DOM_INIT(0, true);
	struct xsm_dom b1 = XSM_DOM_INIT(1, false), b2 = XSM_DOM_INIT(2, false);
	struct xsm_dom r3 = XSM_DOM_INIT(3, false), u4 = XSM_DOM_INIT(4, false);
	struct xsm_dom g = XSM_DOM_INIT(5, false), y = XSM_DOM_INIT(6, false);
	char name[32];

	strcpy(b1.label, "blue");
	strcpy(b2.label, "blue");
	strcpy(r3.label, "red");
	xsm_dom_register(&b1);
	xsm_dom_register(&b2);
	xsm_dom_register(&r3);
	xsm_dom_register(&u4);				/* no label */
	CU_ASSERT_EQUAL_FATAL(load(pb_test_policy(buf)), 0);
	CU_ASSERT_STRING_EQUAL(xsm_module_name(), "acm");
	acm_policy_name(name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "test-policy");
	CU_ASSERT_EQUAL(b1.ssid, 0);
	CU_ASSERT_EQUAL(r3.ssid, 1);
	CU_ASSERT_EQUAL(u4.ssid, -1);

	/* STE: same type shares, different types do not, unlabelled never. */
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_INTERDOMAIN, &b1, &b2), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &b1, &b2), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_GRANT_COPY, &b2, &b1), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_INTERDOMAIN, &b1, &r3), -XEN_EPERM);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &r3, &b1), -XEN_EPERM);
	CU_ASSERT_EQUAL(xsm_check(XSM_GRANT_COPY, &r3, &b2), -XEN_EPERM);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_INTERDOMAIN, &u4, &b1), -XEN_EPERM);
	/* The store asks the same of one guest reading another's nodes. */
	CU_ASSERT_EQUAL(xsm_check(XSM_STORE_ACCESS, &b1, &b2), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_STORE_ACCESS, &r3, &b1), -XEN_EPERM);
	/* Oneself and dom0 are not subject to STE; dummy rules still hold. */
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &r3, &r3), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_GRANT_MAP, &dom0, &r3), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_PAUSE, &b1, &b2), -XEN_EPERM);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_STATUS, &b1, &b1), 0);

	/* Chinese Wall: green may start; then yellow, across the wall, not. */
	strcpy(g.label, "green");
	strcpy(y.label, "yellow");
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &g), 0);
	xsm_dom_register(&g);
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &y), -XEN_EPERM);
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &g), 0);	/* same side */
	xsm_dom_unregister(&g);
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &y), 0);	/* green gone */
	strcpy(y.label, "purple");				/* not in the policy */
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &y), -XEN_EPERM);
	y.label[0] = '\0';
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &y), -XEN_EPERM);

	/* A new policy relabels the live domains: red now shares blue's type. */
	{
		static const struct pb_label labels[] = {
			{ "blue", 1, 0 }, { "red", 3, 0 },
		};
		CU_ASSERT_EQUAL_FATAL(load(pb_build(buf, "second", 2, 0, labels, 2,
		    NULL, 0)), 0);
	}
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_INTERDOMAIN, &b1, &r3), 0);
	acm_policy_name(name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "second");

	xsm_dom_unregister(&b1);
	xsm_dom_unregister(&b2);
	xsm_dom_unregister(&r3);
	xsm_dom_unregister(&u4);
	acm_unload();
	CU_ASSERT_STRING_EQUAL(xsm_module_name(), "dummy");
}

static CU_TestInfo tests[] = {
	{ "binary policy validation", test_validation },
	{ "STE, Chinese Wall, relabelling", test_ste_and_cw },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "acm", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
