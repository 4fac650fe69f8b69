/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the benchmarks: start pvtest domains through libpalctl. */
#ifndef BENCHLIB_H
#define BENCHLIB_H

#include "../libctl/palctl.h"

double bench_now(void);		/* seconds, monotonic */
double bench_median(double *v, int n);	/* sorts v */
/* Wait up to secs for a line starting with prefix in a domain's console
 * log; copies the line into out (if not NULL). 0, or -1 on timeout. */
int bench_console_wait(const char *name, const char *prefix, char *out,
    size_t n, double secs);
/* bench/rawexit.c: open /dev/kvm for hv (exit 77 if it cannot), and the
 * raw cost of a CPL3 exit, kvm-probe's way. */
void bench_kvm_open(void);
double bench_raw_exit_us(long n);
double bench_cpl0_exit_us(long n);	/* the same at CPL0 */
double bench_cpl0_insn_ns(long n);	/* one instruction at CPL0 */
/* Build a pvtest domain (paused, console attached); exits on failure. */
void bench_domain(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, struct pal_domain *pd);
/* The same with a disk (xl syntax). */
void bench_domain_disk(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, const char *disk, struct pal_domain *pd);
/* With a disk and/or a vif (xl syntax; NULL: none). */
void bench_domain_dev(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, const char *disk, const char *vif, struct pal_domain *pd);
/* With a vTPM. */
void bench_domain_vtpm(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, struct pal_domain *pd);
/* Guest seconds a suite takes with count=n, minus its run with count=0,
 * in a 32 MiB pvtest (or, hvm, hvmtest: $HVMTEST_KERNEL, type pvh) domain. */
double bench_suite_delta_s(struct palctl *c, bool hvm, const char *suite, long n);
/* Unpause and wait until it shuts down; seconds from unpause. */
double bench_run_to_shutdown(struct palctl *c, uint32_t domid);
void bench_connect(struct palctl *c);
const char *bench_kernel(void);

#endif
