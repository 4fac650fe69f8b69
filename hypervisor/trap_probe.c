/* SPDX-License-Identifier: GPL-2.0-only */
/* Choosing the trap strategy: a probe of what this host's KVM does. */
#include "config.h"

#include <string.h>

#include "hv.h"
#include "kvm.h"
#include "trap.h"
#include "tinyvm.h"

/*
 * Does a CPL3 #UD with no IDT come back as KVM_EXIT_SHUTDOWN with the vector
 * still in the vCPU events (kvm-pvm)? Then the no-IDT strategy works here.
 */
static bool probe_shutdown_keeps_vector(void)
{
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	struct kvm_vcpu_events ev;
	struct tinyvm t;
	bool ok = false;

	if (tinyvm_create(&t, ud2, sizeof(ud2)) < 0)
		return false;
	if (kvm_run(&t.v) == 0 && t.v.run->exit_reason == KVM_EXIT_SHUTDOWN &&
	    kvm_get_events(&t.v, &ev) == 0)
		ok = ev.exception.nr == 6 && (ev.exception.injected || ev.exception.pending);
	tinyvm_destroy(&t);
	return ok;
}

const struct trap_ops *trap_probe(const char *force)
{
	if (force != NULL && strcmp(force, "idt") == 0)
		return &trap_idt_ops;
	if (force != NULL && strcmp(force, "shutdown") == 0)
		return &trap_shutdown_ops;
	return probe_shutdown_keeps_vector() ? &trap_shutdown_ops : &trap_idt_ops;
}
