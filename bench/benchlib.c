/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	bench_domain_disk(c, name, mem_mb, cmdline, NULL, pd);
}

void bench_domain_disk(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, const char *disk, struct pal_domain *pd)
{
	bench_domain_dev(c, name, mem_mb, cmdline, disk, NULL, pd);
}

static const char *hvm_kernel(void)
{
	const char *k = getenv("HVMTEST_KERNEL");

	return k != NULL ? k : "guests/hvmtest/hvmtest";
}

static void start(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, const char *disk, const char *vif, bool vtpm, bool hvm,
    struct pal_domain *pd)
{
	struct domcfg cfg;
	char err[512];

	memset(&cfg, 0, sizeof(cfg));
	cfg.vtpm = vtpm;
	if (vif != NULL) {
		if (vifspec_parse(vif, &cfg.vifs[0], err, sizeof(err)) < 0) {
			fprintf(stderr, "bench: vif '%s': %s\n", vif, err);
			exit(1);
		}
		cfg.nvifs = 1;
	}
	if (disk != NULL) {
		if (diskspec_parse(disk, &cfg.disks[0], err, sizeof(err)) < 0) {
			fprintf(stderr, "bench: disk '%s': %s\n", disk, err);
			exit(1);
		}
		cfg.ndisks = 1;
	}
	str_copy(cfg.name, name, sizeof(cfg.name));
	str_copy(cfg.kernel, hvm ? hvm_kernel() : bench_kernel(), sizeof(cfg.kernel));
	str_copy(cfg.type, hvm ? "pvh" : "pv", sizeof(cfg.type));
	str_copy(cfg.cmdline, cmdline, sizeof(cfg.cmdline));
	cfg.memory_mb = cfg.maxmem_mb = mem_mb;
	cfg.vcpus = 1;
	if (pal_domain_start(c, &cfg, pd, err, sizeof(err)) < 0 ||
	    cons_attach(pd, name, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
}

void bench_domain_dev(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, const char *disk, const char *vif, struct pal_domain *pd)
{
	start(c, name, mem_mb, cmdline, disk, vif, false, false, pd);
}

void bench_domain_vtpm(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, struct pal_domain *pd)
{
	start(c, name, mem_mb, cmdline, NULL, NULL, true, false, pd);
}

double bench_suite_delta_s(struct palctl *c, bool hvm, const char *suite, long n)
{
	struct pal_domain pd;
	char cmd[128];
	double full, empty;

	snprintf(cmd, sizeof(cmd), "suite=%s count=%ld", suite, n);
	start(c, "bench", 32, cmd, NULL, NULL, false, hvm, &pd);
	full = bench_run_to_shutdown(c, pd.domid);
	snprintf(cmd, sizeof(cmd), "suite=%s count=0", suite);
	start(c, "bench0", 32, cmd, NULL, NULL, false, hvm, &pd);
	empty = bench_run_to_shutdown(c, pd.domid);
	return full - empty;
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int bench_console_wait(const char *name, const char *prefix, char *out,
    size_t n, double secs)
{
	double end = bench_now() + secs;
	char path[256], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/console/%s.log", rundir_get(), name);
	do {
		f = fopen(path, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, prefix, strlen(prefix)) != 0)
				continue;
			if (out != NULL)
				str_copy(out, line, n);
			fclose(f);
			return 0;
		}
		if (f != NULL)
			fclose(f);
		usleep(20000);
	} while (bench_now() < end);
	return -1;
}
