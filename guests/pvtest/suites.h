/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PVTEST_SUITES_H
#define PVTEST_SUITES_H

struct suite {
	const char *name;
	void (*run)(void);
};

extern const struct suite suites[];

void *mm_map_window(unsigned long pfn, unsigned int count);
void *mm_map_machine(unsigned long mfn, unsigned int count);

void suite_console(void);
void suite_hypercall(void);
void suite_xsm(void);
void suite_grant(void);
void suite_evtping(void);
void suite_zeromem(void);
void suite_traps(void);
void suite_user(void);
void suite_timer(void);
void suite_smp(void);
void suite_balloon(void);
void suite_hostile(void);
void suite_idle(void);
void suite_echo(void);
void suite_bench_hypercall(void);
void suite_bench_trap(void);

#endif
