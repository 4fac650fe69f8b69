/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ACM module: binary policy validation (every way a policy can lie
 * about itself), Simple Type Enforcement on the sharing and resource
 * hooks, Chinese Wall at creation and unpause, the bootstrap label and
 * __UNLABELED__, loads under running domains (conflicts refused, --force,
 * renames, updates of the wrong policy), the reasons given, and the
 * binary layout's round trip.
 */
#include "config.h"

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "palisade/xen.h"
#include "xsm/xsm.h"
#include "policybuild.h"

static uint8_t buf[65536];
static char err[1024];

static int load_flags(size_t len, unsigned int flags)
{
	return acm_load(buf, len, flags, err, sizeof(err));
}

static int load(size_t len)
{
	return load_flags(len, 0);
}

static void expect_in(const char *text, const char *want)
{
	if (strstr(text, want) == NULL) {
		printf("\nwanted '%s', got '%s'\n", want, text);
		CU_FAIL("wrong reason");
	}
}

static void expect_refused(size_t len, const char *why)
{
	CU_ASSERT_EQUAL(load(len), -XEN_EINVAL);
	expect_in(err, why);
}

static struct acmpol_header *hdr(void)
{
	return (struct acmpol_header *)buf;
}

static struct acmpol_label *lab(void)
{
	return (struct acmpol_label *)(buf + hdr()->labels_off);
}

static void test_validation(void)
{
	size_t len = pb_test_policy(buf);

	expect_refused(10, "truncated");
	expect_refused(len - 1, "does not match");
	buf[len - 1] ^= 1;
	expect_refused(len, "checksum");
#define AGAIN(edit, why) do { len = pb_test_policy(buf); edit; expect_refused(len, why); } \
	while (0)
#define SEALED(edit, why) AGAIN(edit; pb_reseal(buf), why)
	AGAIN(hdr()->magic = 0, "bad magic");
	AGAIN(hdr()->version = 1, "format 1");
	AGAIN(hdr()->nr_labels = 100000, "counts out of range");
	AGAIN(hdr()->nr_labels = 0, "counts out of range");
	AGAIN(hdr()->nr_ste_types = ACMPOL_MAX_TYPES + 1, "counts out of range");
	AGAIN(hdr()->labels_off = (uint32_t)len, "outside the policy");
	AGAIN(hdr()->labels_off = 4, "outside the policy");
	AGAIN(hdr()->labels_off += 4, "outside the policy");
	AGAIN(hdr()->conflicts_off = 0xfffffff8u, "outside the policy");
	AGAIN(hdr()->types_off = 0xfffffff8u, "outside the policy");
	AGAIN(hdr()->nr_conflicts = 0x10000000u, "counts out of range");
	AGAIN(memset(hdr()->name, 0, sizeof(hdr()->name)), "policy name");
	AGAIN(hdr()->flags |= ACMPOL_HAS_FROM, "policy name");	/* from_name empty */
	AGAIN(hdr()->bootstrap = 5, "bootstrap");		/* a resource label */
	AGAIN(hdr()->bootstrap = 99, "bootstrap");
	SEALED(memset(lab()[1].name, 'x', sizeof(lab()[1].name)), "label 1: name");
	SEALED(memset(lab()[1].from, 'x', sizeof(lab()[1].from)), "label 1: name");
	SEALED(strcpy(lab()[1].name, "blue"), "defined twice");
	SEALED(lab()[0].ste[0] = 1u << 5, "undeclared types");
	SEALED(lab()[0].ste[3] = 1, "undeclared types");
	SEALED(lab()[0].kind = 7, "unknown kind");
	SEALED(lab()[5].cw[0] = 1, "resource label 'bluedisk' has Chinese Wall types");
	SEALED(lab()[2].cw[0] = 3, "two types of conflict set 0");
	SEALED(strcpy(((struct acmpol_name *)(buf + hdr()->types_off))[1].s, "s0"),
	    "declared twice");
	SEALED(memset(((struct acmpol_name *)(buf + hdr()->types_off))[0].s, 0, 4),
	    "type 0: name");
	/* The same name for a VM label and a resource label is fine. */
	len = pb_test_policy(buf);
	strcpy(lab()[5].name, "blue");
	pb_reseal(buf);
	CU_ASSERT_EQUAL(load(len), 0);
	acm_unload();
	CU_ASSERT_STRING_EQUAL(xsm_module_name(), "dummy");
}

/* decode(encode(x)) is x, field by field. */
static void test_round_trip(void)
{
	size_t len = pb_test_policy(buf);
	struct acmpol *p = acmpol_decode(buf, len, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->h->name, "test-policy");
	CU_ASSERT_EQUAL(p->h->nr_labels, 6);
	CU_ASSERT_EQUAL(p->h->bootstrap, 4);
	CU_ASSERT_EQUAL(acmpol_label(p, "red", ACMPOL_VM), 1);
	CU_ASSERT_EQUAL(acmpol_label(p, "bluedisk", ACMPOL_RESOURCE), 5);
	CU_ASSERT_EQUAL(acmpol_label(p, "bluedisk", ACMPOL_VM), -1);
	CU_ASSERT_STRING_EQUAL(acmpol_ste_name(p, 1), "s1");
	CU_ASSERT_STRING_EQUAL(acmpol_cw_name(p, 0), "c0");
	CU_ASSERT_STRING_EQUAL(p->conflicts[0].name, "set0");
	/* The decision table, label by label. */
	{
		static const char *const want[6] = {
			"101111", "010010", "101111", "101111", "111111", "101111",
		};
		unsigned int i, j;

		for (i = 0; i < 6; i++)
			for (j = 0; j < 6; j++)
				CU_ASSERT_EQUAL(acmpol_ste_share(p, i, j), want[i][j] == '1');
	}
	acmpol_free(p);
}

static void check_why(enum xsm_hook h, struct xsm_dom *s, const struct xsm_dom *d,
    const char *want)
{
	char why[XSM_WHY_LEN];

	CU_ASSERT_EQUAL(xsm_check_why(h, s, d, why), -XEN_EPERM);
	expect_in(why, want);
}

static void test_ste_and_cw(void)
{
	struct xsm_dom dom0 = XSM_DOM_INIT(0, true);
	struct xsm_dom b1 = XSM_DOM_INIT(1, false), b2 = XSM_DOM_INIT(2, false);
	struct xsm_dom r3 = XSM_DOM_INIT(3, false), u4 = XSM_DOM_INIT(4, false);
	struct xsm_dom g = XSM_DOM_INIT(5, false), y = XSM_DOM_INIT(6, false);
	struct xsm_dom disk = XSM_DOM_INIT(XSM_NO_TARGET, false);
	char name[ACMPOL_NAME_LEN];

	strcpy(b1.label, "blue");
	strcpy(b2.label, "blue");
	strcpy(r3.label, "red");
	xsm_dom_register(&b1);
	xsm_dom_register(&b2);
	xsm_dom_register(&r3);
	/* An unlabelled running domain: the policy has no __UNLABELED__. */
	xsm_dom_register(&u4);
	CU_ASSERT_EQUAL(load(pb_test_policy(buf)), -XEN_EPERM);
	expect_in(err, "d4: label __UNLABELED__ is not in policy test-policy");
	xsm_dom_unregister(&u4);
	CU_ASSERT_EQUAL_FATAL(load(pb_test_policy(buf)), 0);
	CU_ASSERT_STRING_EQUAL(xsm_module_name(), "acm");
	acm_policy_name(name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "test-policy");

	/* STE: same type shares, different types do not, unlabelled never. */
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_INTERDOMAIN, &b1, &b2), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &b1, &b2), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_GRANT_COPY, &b2, &b1), 0);
	check_why(XSM_EVTCHN_INTERDOMAIN, &b1, &r3,
	    "STE: label blue of d1 shares no type with label red of d3");
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &r3, &b1), -XEN_EPERM);
	CU_ASSERT_EQUAL(xsm_check(XSM_GRANT_COPY, &r3, &b2), -XEN_EPERM);
	check_why(XSM_EVTCHN_INTERDOMAIN, &u4, &b1, "d4 has no label in policy test-policy");
	CU_ASSERT_EQUAL(xsm_check(XSM_STORE_ACCESS, &b1, &b2), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_STORE_ACCESS, &r3, &b1), -XEN_EPERM);
	/* Oneself; dom0 by its bootstrap label (every type); dummy underneath. */
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &r3, &r3), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_GRANT_MAP, &dom0, &r3), 0);
	check_why(XSM_DOMAIN_PAUSE, &b1, &b2, "dummy: d1 is not the control domain");
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_STATUS, &b1, &b1), 0);

	/* Resources: by their label in dom0's database. */
	disk.resource = "file:/img/blue.img";
	strcpy(disk.label, "bluedisk");
	CU_ASSERT_EQUAL(xsm_check(XSM_RESOURCE_DISK, &b1, &disk), 0);
	check_why(XSM_RESOURCE_DISK, &r3, &disk, "access to block device file:/img/blue.img "
	    "denied: label red shares no type with resource label bluedisk");
	disk.policy = "another-policy";		/* labelled for another policy */
	check_why(XSM_RESOURCE_DISK, &b1, &disk, "resource label bluedisk is not in policy");
	disk.policy = "test-policy";
	CU_ASSERT_EQUAL(xsm_check(XSM_RESOURCE_DISK, &b1, &disk), 0);
	disk.label[0] = '\0';
	check_why(XSM_RESOURCE_DISK, &b1, &disk,
	    "resource label __UNLABELED__ is not in policy test-policy");
	strcpy(disk.label, "blue");		/* a VM label is not a resource label */
	CU_ASSERT_EQUAL(xsm_check(XSM_RESOURCE_DISK, &b1, &disk), -XEN_EPERM);

	/* Chinese Wall: green may start; then yellow, across the wall, not. */
	strcpy(g.label, "green");
	strcpy(y.label, "yellow");
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &g), 0);
	xsm_dom_register(&g);
	check_why(XSM_DOMAIN_CREATE, &dom0, &y, "domain in conflict set with running domains: "
	    "green runs as domain 5 (conflict set 'set0')");
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &g), 0);	/* same side */
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_UNPAUSE, &dom0, &g), 0);	/* itself */
	xsm_dom_unregister(&g);
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &y), 0);	/* green gone */
	strcpy(y.label, "purple");				/* not in the policy */
	check_why(XSM_DOMAIN_CREATE, &dom0, &y, "label purple is not a VM label");
	y.label[0] = '\0';
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &y), -XEN_EPERM);

	/* A new policy relabels the live domains: red now shares blue's type. */
	{
		static const struct pb_label labels[] = {
			{ "blue", 1, 0 }, { "red", 3, 0 }, { "system", 3, 0 },
		};
		CU_ASSERT_EQUAL_FATAL(load(pb_build(buf, "second", 2, 0, labels, 3,
		    NULL, 0)), 0);
	}
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_INTERDOMAIN, &b1, &r3), 0);
	acm_policy_name(name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "second");

	xsm_dom_unregister(&b1);
	xsm_dom_unregister(&b2);
	xsm_dom_unregister(&r3);
	acm_unload();
	CU_ASSERT_STRING_EQUAL(xsm_module_name(), "dummy");
}

/* Loads under running domains. */
static void test_reload(void)
{
	static const struct pb_label walled[] = {	/* blue and red now conflict */
		{ "blue", 1, 1 }, { "red", 2, 2 }, { "system", 3, 0 },
	};
	static const struct pb_label no_red[] = { { "blue", 1, 0 }, { "system", 3, 0 } };
	static const struct pb_label unl[] = {
		{ "blue", 1, 0 }, { "system", 3, 0 }, { ACMPOL_UNLABELED, 1, 0 },
	};
	static const uint64_t set[] = { 3 };
	struct xsm_dom dom0 = XSM_DOM_INIT(0, true);
	struct xsm_dom b1 = XSM_DOM_INIT(1, false), r3 = XSM_DOM_INIT(3, false);
	struct xsm_dom u4 = XSM_DOM_INIT(4, false);
	size_t len;

	strcpy(b1.label, "blue");
	strcpy(r3.label, "red");
	xsm_dom_register(&b1);
	xsm_dom_register(&r3);
	CU_ASSERT_EQUAL_FATAL(load(pb_test_policy(buf)), 0);
	/* Two running domains on two sides of a wall: refused, listed. */
	len = pb_build(buf, "walled", 2, 2, walled, 3, set, 1);
	CU_ASSERT_EQUAL(load(len), -XEN_EPERM);
	expect_in(err, "conflict set 'set0': d3 (red) and d1 (blue) run together");
	CU_ASSERT_EQUAL(load_flags(len, ACM_LOAD_FORCE), 0);
	/* A running domain's label missing: refused; forced, it is unlabelled. */
	len = pb_build(buf, "no-red", 2, 0, no_red, 2, NULL, 0);
	CU_ASSERT_EQUAL(load(len), -XEN_EPERM);
	expect_in(err, "d3: label red is not in policy no-red");
	CU_ASSERT_EQUAL(load_flags(len, ACM_LOAD_FORCE), 0);
	CU_ASSERT_STRING_EQUAL(r3.label, "");
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &r3, &b1), -XEN_EPERM);
	/* __UNLABELED__ in the policy: the unlabelled get it. */
	xsm_dom_register(&u4);
	len = pb_build(buf, "unl", 2, 0, unl, 3, NULL, 0);
	CU_ASSERT_EQUAL(load(len), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &u4, &b1), 0);
	CU_ASSERT_EQUAL(xsm_check(XSM_DOMAIN_CREATE, &dom0, &u4), 0);
	/* A rename (from=) is followed. */
	len = pb_build(buf, "renamed", 2, 0, unl, 3, NULL, 0);
	strcpy(lab()[0].name, "azure");
	strcpy(lab()[0].from, "blue");
	pb_reseal(buf);
	CU_ASSERT_EQUAL(load(len), 0);
	CU_ASSERT_STRING_EQUAL(b1.label, "azure");
	CU_ASSERT_EQUAL(xsm_check(XSM_EVTCHN_SEND, &b1, &u4), 0);
	/* An update of a policy that is not the loaded one. */
	len = pb_build(buf, "next", 2, 0, unl, 3, NULL, 0);
	hdr()->flags |= ACMPOL_HAS_FROM;
	strcpy(hdr()->from_name, "renamed");
	hdr()->from_major = 1;
	hdr()->from_minor = 1;
	CU_ASSERT_EQUAL(load(len), -XEN_EPERM);
	expect_in(err, "policy next updates renamed 1.1, but renamed 1.0 is loaded");
	hdr()->from_minor = 0;
	CU_ASSERT_EQUAL(load(len), -XEN_EPERM);	/* azure is not in "next" */
	expect_in(err, "d1: label azure is not in policy next");
	xsm_dom_unregister(&b1);
	CU_ASSERT_EQUAL(load(len), 0);
	xsm_dom_unregister(&r3);
	xsm_dom_unregister(&u4);
	acm_unload();
}

static CU_TestInfo tests[] = {
	{ "binary policy validation", test_validation },
	{ "binary round trip and decision table", test_round_trip },
	{ "STE, resources, Chinese Wall, reasons", test_ste_and_cw },
	{ "loads under running domains", test_reload },
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
