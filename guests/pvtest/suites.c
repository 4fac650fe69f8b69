/* SPDX-License-Identifier: GPL-2.0-only */
#include "pvtest.h"
#include "suites.h"

const struct suite suites[] = {
	{ "console", suite_console },
	{ "hypercall", suite_hypercall },
	{ "xsm", suite_xsm },
	{ "grant", suite_grant },
	{ "evtping", suite_evtping },
	{ "gntmap", suite_gntmap },
	{ "store", suite_store },
	{ "storeflood", suite_storeflood },
	{ "storewait", suite_storewait },
	{ "xbfront", suite_xbfront },
	{ "storeread", suite_storeread },
	{ "bench-store", suite_bench_store },
	{ "storedeaf", suite_storedeaf },
	{ "zeromem", suite_zeromem },
	{ "traps", suite_traps },
	{ "user", suite_user },
	{ "timer", suite_timer },
	{ "smp", suite_smp },
	{ "balloon", suite_balloon },
	{ "hostile", suite_hostile },
	{ "idle", suite_idle },
	{ "echo", suite_echo },
	{ "bench-hypercall", suite_bench_hypercall },
	{ "bench-trap", suite_bench_trap },
	{ NULL, NULL },
};
