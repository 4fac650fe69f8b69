/* SPDX-License-Identifier: GPL-2.0-only */
/* What hvmtest runs: its platform suite and the frontends pvtest shares. */
#include "pvtest.h"
#include "suites.h"

void suite_hvm(void);
void suite_hvm_bench_hypercall(void);
void suite_hvm_bench_insn(void);

const struct suite suites[] = {
	{ "hvm", suite_hvm },
	{ "store", suite_store },
	{ "blkro", suite_blkro },
	{ "blkwrite", suite_blkwrite },
	{ "blkverify", suite_blkverify },
	{ "evtping", suite_evtping },
	{ "gntmap", suite_gntmap },
	{ "net", suite_net },
	{ "idle", suite_idle },
	{ "bench-hypercall", suite_hvm_bench_hypercall },
	{ "bench-insn", suite_hvm_bench_insn },
	{ NULL, NULL },
};
