/* SPDX-License-Identifier: GPL-2.0-only */
/* Traps, events and contexts shared by pvtest's suites. */
#ifndef PVTEST_ARCH_H
#define PVTEST_ARCH_H

#include "pvtest.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx,
	    rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct ctx { uint64_t regs[8]; };
int ctx_save(struct ctx *c) __attribute__((returns_twice));
__attribute__((noreturn)) void ctx_restore(struct ctx *c, int v);

/* What the last trap was; a handler resumes at fixup_rip when it is set. */
struct trap_record {
	unsigned int count;
	uint64_t vector, error, rip, cs, cr2;
};
extern volatile struct trap_record last_trap;
extern volatile uint64_t fixup_rip;

void traps_init(void);
void shared_info_map(void);
void events_init(void);		/* event callback, upcalls on */
evtchn_port_t bind_virq(unsigned int virq, unsigned int vcpu);
void unmask_port(evtchn_port_t port);
/* Checking a condition and then sleeping is done with upcalls off, so no
 * event can be taken in between: off, check, SCHEDOP_block (which turns
 * them on and returns at once if one is pending) or SCHEDOP_poll, on. */
void upcalls_off(void);
void upcalls_on(void);
/* With upcalls off: sleep until an event comes; upcalls are on after.
 * PV: SCHEDOP_block. HVM: sti; hlt. */
void wait_event(void);
bool port_wait_ns(evtchn_port_t port, unsigned long hits, uint64_t limit_ns);
extern volatile unsigned long port_hits[64];
/* events.c: take every pending, unmasked port (counted in port_hits). */
void event_handler(struct trap_frame *f);
vcpu_info_t *my_vcpu_info(void);
uint64_t system_time(void);

/* Handlers for the syscall suite. */
typedef long (*syscall_fn)(struct trap_frame *f);
extern syscall_fn syscall_hook;
extern void (*user_fault_hook)(struct trap_frame *f);

#endif
