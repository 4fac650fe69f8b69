/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the benchmarks: start pvtest domains through libpalctl. */
#ifndef BENCHLIB_H
#define BENCHLIB_H

#include "../libctl/palctl.h"

double bench_now(void);		/* seconds, monotonic */
/* Build a pvtest domain (paused, console attached); exits on failure. */
void bench_domain(struct palctl *c, const char *name, unsigned int mem_mb,
    const char *cmdline, struct pal_domain *pd);
/* Unpause and wait until it shuts down; seconds from unpause. */
double bench_run_to_shutdown(struct palctl *c, uint32_t domid);
void bench_connect(struct palctl *c);
const char *bench_kernel(void);

#endif
