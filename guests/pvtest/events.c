/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels and time as both test kernels see them once shared_info
 * is mapped (PV: by its machine address; HVM: where add_to_physmap put
 * it): the upcall's scan of pending ports, counted per port, and Xen's
 * PV clock. How an upcall arrives and how upcalls are turned off is each
 * platform's own (traps.c, hvmtest's platform.c).
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"

volatile unsigned long port_hits[64];

vcpu_info_t *my_vcpu_info(void)
{
	return &shared_info->vcpu_info[0];
}

/* Xen's PV clock: system_time + scaled TSC delta, under a version lock. */
uint64_t system_time(void)
{
	struct vcpu_time_info *t = &my_vcpu_info()->time;
	uint32_t ver, lo, hi;
	uint64_t tsc, delta, ns;

	do {
		ver = t->version;
		barrier();
		asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
		tsc = ((uint64_t)hi << 32) | lo;
		delta = tsc - t->tsc_timestamp;
		if (t->tsc_shift >= 0)
			delta <<= t->tsc_shift;
		else
			delta >>= -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta *
		    t->tsc_to_system_mul) >> 32);
		barrier();
	} while ((ver & 1) || ver != t->version);
	return ns;
}

void event_handler(struct trap_frame *f)
{
	vcpu_info_t *vi = my_vcpu_info();
	unsigned long sel, pend;
	unsigned int w, b;

	(void)f;
	vi->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		w = __builtin_ctzl(sel);
		sel &= sel - 1;
		pend = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
		while (pend) {
			b = __builtin_ctzl(pend);
			pend &= pend - 1;
			__atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1ul << b),
			    __ATOMIC_SEQ_CST);
			if (w * 64 + b < 64)
				port_hits[w * 64 + b]++;
		}
	}
}

evtchn_port_t bind_virq(unsigned int virq, unsigned int vcpu)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };

	return hv_event_channel_op(EVTCHNOP_bind_virq, &b) == 0 ? b.port : 0;
}

void unmask_port(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	hv_event_channel_op(EVTCHNOP_unmask, &u);
}

