/* SPDX-License-Identifier: GPL-2.0-only */
/* xl.cfg parser and domain config checks. */
#include "config.h"

#include "unit.h"
#include <string.h>

#include "../../libctl/palctl.h"

static void test_basic(void)
{
	struct xlcfg x;
	const char *text = "# demo\nname = \"guest1\"\nmemory=64\n"
	    "kernel = '/k'\nextra = \"suite=console\" ; vcpus = 2\n";
	struct domcfg d;

	CU_ASSERT_EQUAL_FATAL(xlcfg_parse(&x, "name = 'a' memory = 64\n", "t"), -22);
	CU_ASSERT_STRING_EQUAL(x.err, "t:1: unexpected text after the value of 'name'");
	CU_ASSERT_EQUAL_FATAL(xlcfg_parse(&x, text, "t.cfg"), 0);
	CU_ASSERT_EQUAL(domcfg_from_xlcfg(&d, &x, "t.cfg"), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "guest1");
	CU_ASSERT_EQUAL(d.memory_mb, 64);
	CU_ASSERT_EQUAL(d.maxmem_mb, 64);
	CU_ASSERT_EQUAL(d.vcpus, 2);
	CU_ASSERT_EQUAL(d.maxvcpus, 2);
	CU_ASSERT_STRING_EQUAL(d.cmdline, "suite=console");
	CU_ASSERT_STRING_EQUAL(d.kernel, "/k");
	CU_ASSERT_EQUAL(d.on_reboot, CTL_ACT_RESTART);
	CU_ASSERT_EQUAL(d.on_poweroff, CTL_ACT_DESTROY);
	xlcfg_free(&x);
}

static void test_list_multiline(void)
{
	struct xlcfg x;

	CU_ASSERT_EQUAL_FATAL(xlcfg_parse(&x, "disk = [ 'a',\n  \"b\" , # c\n ]\n", "t"), 0);
	CU_ASSERT_EQUAL(x.head->val.type, XLV_LIST);
	CU_ASSERT_EQUAL(x.head->val.nlist, 2);
	CU_ASSERT_STRING_EQUAL(x.head->val.list[1], "b");
	xlcfg_free(&x);
}

struct bad { const char *text, *err; };

static void test_errors(void)
{
	static const struct bad bad[] = {
		{ "name = \"x\n", "t:1: unterminated string" },
		{ "\n\nname \"x\"\n", "t:3: expected '=' after 'name'" },
		{ "memory = 12abc\n", "t:1: bad number" },
		{ "disk = [ x ]\n", "t:1: list items must be quoted strings" },
		{ "name = yes\n", "t:1: value of 'name' must be a quoted string, a number or a list" },
		{ "= 3\n", "t:1: expected a setting name" },
		{ "disk = [ 'a' 'b' ]\n", "t:1: expected ',' or ']' in list" },
	};
	struct xlcfg x;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(xlcfg_parse(&x, bad[i].text, "t"), -22);
		CU_ASSERT_STRING_EQUAL(x.err, bad[i].err);
		CU_ASSERT_PTR_NULL(x.head);
	}
}

static void test_domcfg_errors(void)
{
	static const struct bad bad[] = {
		{ "name='a'\nkernel='k'\nbogus=1\n", "c:3: unknown setting 'bogus'" },
		{ "kernel='k'\n", "c: missing 'name'" },
		{ "name='a'\n", "c: missing 'kernel'" },
		{ "name='a'\nkernel='k'\nmemory='64'\n", "c:3: 'memory' must be a number" },
		{ "name='a'\nkernel='k'\nmemory=64\nmaxmem=32\n",
		  "c: maxmem (32) is less than memory (64)" },
		{ "name='a'\nkernel='k'\nvcpus=0\n", "c:3: vcpus: vcpus must be 1 to 8" },
		{ "name='a'\nkernel='k'\non_crash='explode'\n",
		  "c:3: on_crash: unknown action 'explode' (destroy, restart, preserve)" },
		{ "name='a'\nkernel='k'\ntype='hvx'\n",
		  "c:3: type: type 'hvx' is not supported (pv, pvh or hvm)" },
		{ "name='a'\nkernel='k'\nbuilder='linux'\n",
		  "c:3: builder: builder 'linux' is not supported (generic or hvm)" },
		{ "name='a'\nkernel='k'\ntype='hvm'\nvcpus=2\n",
		  "c: type 'hvm' guests have one vCPU (vcpus = 1)" },
		{ "name='a'\nkernel='k'\ntype='pvh'\nmaxvcpus=2\n",
		  "c: type 'pvh' guests have one vCPU (vcpus = 1)" },
		{ "name='a'\nkernel='k'\nvcpus=3\nmaxvcpus=2\n",
		  "c: maxvcpus (2) is less than vcpus (3)" },
		{ "name='a'\nkernel='k'\nmaxvcpus=9\n", "c:3: maxvcpus: maxvcpus must be 1 to 8" },
		{ "name='a'\nkernel='k'\ntype='pvh'\nmemory=4096\n",
		  "c: type 'pvh' guests have at most 3072 MiB (below the APICs)" },
	};
	struct domcfg d;
	struct xlcfg x;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(xlcfg_parse(&x, bad[i].text, "c"), 0);
		CU_ASSERT_EQUAL(domcfg_from_xlcfg(&d, &x, "c"), -22);
		CU_ASSERT_STRING_EQUAL(x.err, bad[i].err);
		xlcfg_free(&x);
	}
}

static void test_relative_paths(void)
{
	struct domcfg d;
	struct xlcfg x;

	CU_ASSERT_EQUAL_FATAL(xlcfg_parse(&x, "name='a'\nkernel='k/v'\n", "dir/c.cfg"), 0);
	CU_ASSERT_EQUAL(domcfg_from_xlcfg(&d, &x, "dir/c.cfg"), 0);
	CU_ASSERT_STRING_EQUAL(d.kernel, "dir/k/v");
	xlcfg_free(&x);
}

static CU_TestInfo tests[] = {
	{ "basic", test_basic },
	{ "list spanning lines", test_list_multiline },
	{ "syntax errors", test_errors },
	{ "config errors", test_domcfg_errors },
	{ "relative paths", test_relative_paths },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "xlcfg", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
