/* SPDX-License-Identifier: GPL-2.0-only */
/* PV time, VIRQ_TIMER upcalls, single-shot and periodic timers, block. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

#define MS 1000000ull

void suite_timer(void)
{
	struct vcpu_set_periodic_timer per = { .period_ns = 5 * MS };
	evtchn_port_t port;
	uint64_t t0, t1, stamp[10];
	unsigned long before;
	unsigned int i, early = 0;

	events_init();
	port = bind_virq(VIRQ_TIMER, 0);
	check(port != 0 && port < 64, "VIRQ_TIMER bound to port %u", port);
	check(bind_virq(VIRQ_TIMER, 0) == 0, "binding VIRQ_TIMER twice is refused");
	unmask_port(port);
	t0 = system_time();
	t1 = system_time();
	check(t0 != 0 && t1 >= t0, "system time %lu ns, monotonic", (unsigned long)t0);

	my_vcpu_info()->evtchn_upcall_mask = 0;
	before = port_hits[port];
	check(hv_set_timer_op(system_time() + 10 * MS) == 0, "set_timer_op +10 ms");
	port_wait_ns(port, before + 1, 2000 * MS);
	t1 = system_time();
	check(port_hits[port] == before + 1, "one-shot timer fired once");
	check(t1 - t0 >= 10 * MS, "it fired after %lu us", (unsigned long)((t1 - t0) / 1000));

	check(hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &per) == 0, "periodic timer 5 ms");
	/* Each tick refreshes vcpu_time_info with the hypervisor's clock: the
	 * stamps of successive ticks show the pacing. */
	for (i = 0; i < 10; i++) {
		before = port_hits[port];
		port_wait_ns(port, before + 1, 5000 * MS);
		stamp[i] = my_vcpu_info()->time.system_time;
	}
	/* Ticks keep their phase (a late one is followed by an on-time one), so
	 * nine intervals span at least eight periods. */
	for (i = 1; i < 10; i++)
		if (stamp[i] <= stamp[i - 1])
			early++;
	check(early == 0 && stamp[9] - stamp[0] >= 40 * MS,
	    "10 periodic ticks over %lu us", (unsigned long)((stamp[9] - stamp[0]) / 1000));
	check(hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL) == 0, "periodic timer stopped");
	per.period_ns = 1000;
	check(hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &per) == -XEN_EINVAL,
	    "a 1 us period is refused");
	my_vcpu_info()->evtchn_upcall_mask = 1;
}
