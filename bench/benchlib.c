/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "palisade/util.h"
#include "benchlib.h"

double bench_now(void)
{
	return now_ns() / 1e9;
}

const char *bench_kernel(void)
{
	const char *k = getenv("PVTEST_KERNEL");

	return k != NULL ? k : "guests/pvtest/pvtest";
}

void bench_connect(struct palctl *c)
{
	int ret = palctl_open(c);

	if (ret < 0) {
		fprintf(stderr, "bench: %s\n", palctl_strerror(ret));
		exit(1);
	}
}

void bench_domain(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, struct pal_domain *pd)
{
	struct domcfg cfg;
	char err[512];

	memset(&cfg, 0, sizeof(cfg));
	str_copy(cfg.name, name, sizeof(cfg.name));
	str_copy(cfg.kernel, bench_kernel(), sizeof(cfg.kernel));
	str_copy(cfg.cmdline, cmdline, sizeof(cfg.cmdline));
	cfg.memory_mb = cfg.maxmem_mb = mem_mb;
	cfg.vcpus = 1;
	if (pal_domain_start(c, &cfg, pd, err, sizeof(err)) < 0 ||
	    cons_attach(pd, name, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
}

double bench_run_to_shutdown(struct palctl *c, uint32_t domid)
{
	struct ctl_domain_info info;
	struct timespec ts = { 0, 200000 };
	double t0 = bench_now();

	palctl_domid_op(c, CTL_DOMAIN_UNPAUSE, domid, 0);
	for (;;) {
		if (palctl_domain_info(c, domid, &info) < 0 ||
		    info.state == CTL_DOM_SHUTDOWN)
			break;
		nanosleep(&ts, NULL);
	}
	t0 = bench_now() - t0;
	if (info.shutdown_reason != 0)
		fprintf(stderr, "bench: domain %u did not power off cleanly\n", domid);
	palctl_domid_op(c, CTL_DOMAIN_DESTROY, domid, 0);
	return t0;
}
