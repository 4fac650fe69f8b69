/* SPDX-License-Identifier: GPL-2.0-only */
/* Choosing the trap strategy from what the start-up probe found. */
#include "config.h"

#include <string.h>

#include "trap.h"

/*
 * The no-IDT strategy needs the whole faulting state after a shutdown exit:
 * kvm-pvm keeps the vector and every register. Real KVM on AMD SVM keeps
 * the vector in the vCPU events too but re-initialises the registers (RIP
 * 0xfff0, CS 0xf000), so a kept vector alone proves nothing.
 */
const struct trap_ops *trap_choose(const struct trap_host *host, const char *force)
{
	if (force != NULL && strcmp(force, "idt") == 0)
		return &trap_idt_ops;
	if (force != NULL && strcmp(force, "shutdown") == 0)
		return &trap_shutdown_ops;
	if (host->shutdown_keeps_vector && host->shutdown_keeps_regs)
		return &trap_shutdown_ops;
	return &trap_idt_ops;
}
