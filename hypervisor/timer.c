/* SPDX-License-Identifier: GPL-2.0-only */
/* PV time (vcpu_time_info, wallclock) and the per-vCPU timers. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include "palisade/log.h"
#include "hv.h"
#include "kvm.h"

uint64_t system_time_ns(void)
{
	return now_ns();
}

/* ns = ((tsc << shift) * mul) >> 32, as Xen scales TSC deltas. */
static void time_scale(uint64_t khz, uint32_t *mul, int8_t *shift)
{
	uint64_t tps = khz * 1000, f;
	int s = 0;

	while (tps > 2000000000ull) {
		tps >>= 1;
		s--;
	}
	while (tps <= 1000000000ull) {
		tps <<= 1;
		s++;
	}
	f = (1000000000ull << 32) / tps;
	*mul = (uint32_t)f;
	*shift = (int8_t)s;
}

/*
 * The TSC rate, measured. KVM's nominal TSC frequency is not always what
 * the TSC really does (nested or emulated hosts), so, as Xen calibrates
 * against a platform timer, we measure it against CLOCK_MONOTONIC from the
 * hypervisor's start on. Guests' TSCs run at the host's rate (no scaling).
 */
static uint64_t cal_tsc0, cal_ns0;

static uint64_t rdtsc_host(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void time_calibrate_start(void)
{
	cal_ns0 = now_ns();
	cal_tsc0 = rdtsc_host();
}

static uint64_t tsc_khz_measured(uint64_t nominal)
{
	uint64_t dns = now_ns() - cal_ns0, dtsc = rdtsc_host() - cal_tsc0;

	if (cal_ns0 == 0 || dns < 50000000ull || dtsc == 0)
		return nominal;
	return (uint64_t)((unsigned __int128)dtsc * 1000000 / dns);
}

void time_update(struct vcpu *v)
{
	vcpu_info_t *vi = vcpu_info_ptr(v);
	struct vcpu_time_info *t;
	uint64_t tsc = 0, ns;

	if (vi == NULL)
		return;
	t = &vi->time;
	kvm_get_msr(v, MSR_IA32_TSC, &tsc);
	ns = system_time_ns();
	v->tsc_khz = tsc_khz_measured(v->tsc_khz);
	__atomic_add_fetch(&t->version, 1, __ATOMIC_SEQ_CST);
	t->tsc_timestamp = tsc;
	t->system_time = ns;
	time_scale(v->tsc_khz, &t->tsc_to_system_mul, &t->tsc_shift);
	t->flags = 0;
	__atomic_add_fetch(&t->version, 1, __ATOMIC_SEQ_CST);
}

/* The earliest of the one-shot and periodic deadlines, 0 for none. */
uint64_t timer_next(struct vcpu *v)
{
	uint64_t next = v->timer_deadline;

	if (v->periodic_ns != 0 && (next == 0 || v->periodic_next < next))
		next = v->periodic_next;
	return next;
}

static void timer_arm(struct vcpu *v)
{
	struct itimerspec its;
	uint64_t next = timer_next(v);

	if (!v->thread_started)
		return;
	if (v->kick_timer == 0) {
		struct sigevent sev;

		memset(&sev, 0, sizeof(sev));
		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = SIGUSR1;
		sev._sigev_un._tid = v->tid;
		if (timer_create(CLOCK_MONOTONIC, &sev, &v->kick_timer) < 0) {
			v->kick_timer = 0;
			return;
		}
	}
	memset(&its, 0, sizeof(its));
	if (next != 0) {
		next = next - system_time_ns() + now_ns();
		its.it_value.tv_sec = next / 1000000000ull;
		its.it_value.tv_nsec = next % 1000000000ull;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timer_settime(v->kick_timer, TIMER_ABSTIME, &its, NULL);
}

void timer_set(struct vcpu *v, uint64_t deadline)
{
	v->timer_deadline = deadline;
	timer_arm(v);
	pthread_cond_signal(&v->wake);
}

void timer_set_periodic(struct vcpu *v, uint64_t period)
{
	v->periodic_ns = period;
	v->periodic_next = period ? system_time_ns() + period : 0;
	timer_arm(v);
}

void timer_check(struct vcpu *v)
{
	uint64_t now = system_time_ns();
	bool fire = false;

	if (v->timer_deadline != 0 && now >= v->timer_deadline) {
		v->timer_deadline = 0;
		fire = true;
	}
	if (v->periodic_ns != 0 && now >= v->periodic_next) {
		while (v->periodic_next <= now)
			v->periodic_next += v->periodic_ns;
		fire = true;
	}
	if (!fire)
		return;
	log_debug("d%u v%u: timer fires at %llu", v->d->domid, v->id,
	    (unsigned long long)now);
	time_update(v);
	evtchn_send_virq(v, VIRQ_TIMER);
	timer_arm(v);
}
