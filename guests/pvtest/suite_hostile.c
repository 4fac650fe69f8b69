/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A hostile guest: random hypercall numbers with random arguments, or with
 * pointers to random bytes in its own memory. Every answer must be a
 * result or a Xen error code. Hypercalls that would only hurt this guest
 * itself (iret, stack and callback changes, the trap table, shutdown) are
 * left out so it lives to report.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return xorshift64(&rng_state);
}

static bool excluded(unsigned int nr)
{
	return nr == __HYPERVISOR_iret || nr == __HYPERVISOR_stack_switch ||
	    nr == __HYPERVISOR_set_callbacks || nr == __HYPERVISOR_set_trap_table ||
	    nr == __HYPERVISOR_callback_op || nr == __HYPERVISOR_sched_op ||
	    nr == __HYPERVISOR_update_va_mapping || nr == __HYPERVISOR_mmu_update ||
	    nr == __HYPERVISOR_mmuext_op || nr == __HYPERVISOR_multicall ||
	    nr == __HYPERVISOR_set_segment_base || nr == __HYPERVISOR_fpu_taskswitch ||
	    nr == __HYPERVISOR_vcpu_op || nr == __HYPERVISOR_memory_op ||
	    nr == __HYPERVISOR_set_timer_op;
}

static uint8_t junk[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

void suite_hostile(void)
{
	const char *s = cmdline_get("seed");
	unsigned long count = 2000, i, odd = 0, errors = 0, calls = 0;
	uint64_t a[5];
	unsigned int nr, k;
	long r;

	rng_state = s ? strtoul(s, NULL, 0) : 0x1234567;
	if (rng_state == 0)
		rng_state = 1;
	if ((s = cmdline_get("count")) != NULL)
		count = strtoul(s, NULL, 0);
	for (i = 0; i < count; i++) {
		nr = rnd() % 72;
		if (excluded(nr))
			continue;
		for (k = 0; k < PAGE_SIZE / 8; k += 64)
			((uint64_t *)junk)[(rnd() % (PAGE_SIZE / 8))] = rnd();
		for (k = 0; k < 5; k++)
			a[k] = (rnd() & 1) ? rnd() : (uint64_t)(junk + rnd() % 2048);
		if (nr == __HYPERVISOR_console_io)
			a[1] &= 0xff;		/* keep log noise small */
		r = hcall5(nr, a[0], a[1], a[2], a[3], a[4]);
		calls++;
		if (r < 0)
			errors++;
		if (r < -4095)
			odd++;
	}
	check(odd == 0, "%lu random hypercalls, %lu errors, %lu odd results",
	    calls, errors, odd);
	check(hv_xen_version(XENVER_version, NULL) >> 16 == 4,
	    "the hypervisor still answers");
}
