/* SPDX-License-Identifier: GPL-2.0-only */
/* sched_op, set_timer_op and vcpu_op. */
#include "config.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/log.h"
#include "hv.h"

/* d->lock held. */
void sched_poll_clear(struct vcpu *v)
{
	__atomic_store_n(&v->nr_poll, 0, __ATOMIC_SEQ_CST);
	v->poll_deadline = 0;
	v->polling = false;
}

static long sched_block(struct vcpu *v)
{
	vcpu_info_t *vi = vcpu_info_ptr(v);

	/* Xen: block re-enables upcalls and checks for pending events. */
	if (vi != NULL) {
		vi->evtchn_upcall_mask = 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (vi->evtchn_upcall_pending)
			return 0;
	}
	pthread_mutex_lock(&v->d->lock);
	sched_poll_clear(v);
	v->blocked = true;
	pthread_mutex_unlock(&v->d->lock);
	return 0;
}

bool sched_poll_done(struct vcpu *v)
{
	shared_info_t *s = priv_shared_info(v->d);
	unsigned int i;

	for (i = 0; i < v->nr_poll; i++) {
		uint32_t p = v->poll_ports[i];

		if (__atomic_load_n(&s->evtchn_pending[p / 64], __ATOMIC_SEQ_CST) &
		    (1ull << (p % 64)))
			return true;
	}
	return v->poll_deadline != 0 && system_time_ns() >= v->poll_deadline;
}

/*
 * Xen's SCHEDOP_poll: block until one of the ports is pending (masked or
 * not) or the timeout passes; an event upcall wakes it too, as in Xen.
 * The ports are published before their pending bits are read, and senders
 * set a bit before reading the ports (sched_wake_pollers): one of the two
 * always sees the other.
 */
static long sched_poll(struct vcpu *v, uint64_t arg)
{
	struct sched_poll poll;
	uint32_t port;
	unsigned int i;

	if (copy_from_guest(v, &poll, arg, sizeof(poll)) < 0)
		return -XEN_EFAULT;
	if (poll.nr_ports > SCHED_POLL_MAX)
		return -XEN_EINVAL;
	for (i = 0; i < poll.nr_ports; i++) {
		if (copy_from_guest(v, &port, (uint64_t)(uintptr_t)poll.ports.p +
		    i * sizeof(port), sizeof(port)) < 0)
			return -XEN_EFAULT;
		if (port >= HV_NR_EVTCHN)
			return -XEN_EINVAL;
		v->poll_ports[i] = port;
	}
	pthread_mutex_lock(&v->d->lock);
	v->poll_deadline = poll.timeout;
	__atomic_store_n(&v->nr_poll, poll.nr_ports, __ATOMIC_SEQ_CST);
	if (sched_poll_done(v)) {
		sched_poll_clear(v);
	} else {
		v->polling = true;
		v->blocked = true;
	}
	pthread_mutex_unlock(&v->d->lock);
	return 0;
}

void sched_wake_pollers(struct domain *d, uint32_t port)
{
	unsigned int i, j;

	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpu[i];

		if (v == NULL || __atomic_load_n(&v->nr_poll, __ATOMIC_SEQ_CST) == 0)
			continue;
		pthread_mutex_lock(&d->lock);
		for (j = 0; j < v->nr_poll; j++)
			if (v->poll_ports[j] == port && v->blocked) {
				v->blocked = false;
				sched_poll_clear(v);
				vcpu_kick(v);
				break;
			}
		pthread_mutex_unlock(&d->lock);
	}
}

static long shutdown_self(struct vcpu *v, uint32_t reason)
{
	if (reason > SHUTDOWN_MAX)
		return -XEN_EINVAL;
	pthread_mutex_lock(&v->d->lock);
	domain_shutdown(v->d, reason);
	pthread_mutex_unlock(&v->d->lock);
	return 0;
}

long hc_sched_op(struct vcpu *v, uint64_t *a)
{
	struct sched_shutdown sd;
	struct sched_remote_shutdown rs;
	long ret;

	switch (a[0]) {
	case SCHEDOP_yield:
		/* Linux spins on yield while another of its vCPUs comes up or
		 * takes a lock: let that vCPU's thread have the host CPU. */
		sched_yield();
		return 0;
	case SCHEDOP_block:
		return sched_block(v);
	case SCHEDOP_shutdown:
		if (copy_from_guest(v, &sd, a[1], sizeof(sd)) < 0)
			return -XEN_EFAULT;
		return shutdown_self(v, sd.reason);
	case SCHEDOP_shutdown_code:
		return copy_from_guest(v, &sd, a[1], sizeof(sd)) < 0 ? -XEN_EFAULT : 0;
	case SCHEDOP_poll:
		return sched_poll(v, a[1]);
	case SCHEDOP_remote_shutdown:
		if (copy_from_guest(v, &rs, a[1], sizeof(rs)) < 0)
			return -XEN_EFAULT;
		ret = domain_xsm_self(XSM_DOMAIN_SHUTDOWN, v->d, rs.domain_id);
		return ret < 0 ? ret : shutdown_self(v, rs.reason);
	default:
		return -XEN_ENOSYS;
	}
}

long hc_set_timer_op(struct vcpu *v, uint64_t *a)
{
	pthread_mutex_lock(&v->d->lock);
	timer_set(v, a[0]);
	pthread_mutex_unlock(&v->d->lock);
	return 0;
}

static long vcpu_register_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_register_vcpu_info r;
	vcpu_info_t *old, *nvi;
	uint64_t gpa;

	if (copy_from_guest(v, &r, arg, sizeof(r)) < 0)
		return -XEN_EFAULT;
	if (r.offset > PAGE_SIZE - sizeof(vcpu_info_t) || !mfn_is_guest_ram(v->d, r.mfn))
		return -XEN_EINVAL;
	if (t->vcpu_info_gpa != 0)
		return -XEN_EINVAL;
	gpa = (r.mfn << PAGE_SHIFT) + r.offset;
	nvi = gpa_ptr(v->d, gpa, sizeof(*nvi));
	old = vcpu_info_ptr(t);
	if (nvi == NULL)
		return -XEN_EINVAL;
	if (old != NULL)
		memcpy(nvi, old, sizeof(*nvi));
	t->vcpu_info_gpa = gpa;
	time_update(t);
	return 0;
}

int vcpu_initialise(struct vcpu *t, const struct vcpu_guest_context *c);

/* As Xen: the last vCPU going down powers the domain off. */
static void vcpu_down(struct vcpu *t)
{
	struct domain *d = t->d;
	unsigned int i, others = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_vcpus; i++)
		others += d->vcpu[i] != t && d->vcpu[i]->up;
	if (others == 0) {
		domain_shutdown(d, SHUTDOWN_poweroff);
	} else {
		t->up = false;
		vcpu_kick(t);
	}
	pthread_mutex_unlock(&d->lock);
}

long hc_vcpu_op(struct vcpu *v, uint64_t *a)
{
	struct domain *d = v->d;
	struct vcpu_set_singleshot_timer ss;
	struct vcpu_set_periodic_timer per;
	struct vcpu_guest_context *ctx;
	struct vcpu *t;
	long ret = 0;

	if (a[1] >= d->nr_vcpus || (t = d->vcpu[a[1]]) == NULL)
		return -XEN_ENOENT;
	switch (a[0]) {
	case VCPUOP_register_vcpu_info:
		return vcpu_register_info(v, t, a[2]);
	case VCPUOP_register_runstate_memory_area:
		return runstate_register(v, t, a[2]);
	case VCPUOP_get_runstate_info:
		return runstate_get(v, t, a[2]);
	case VCPUOP_is_up:
		return t->up;
	case VCPUOP_up:
		pthread_mutex_lock(&d->lock);
		ret = t->initialised ? 0 : -XEN_EINVAL;
		if (ret == 0) {
			t->up = true;
			vcpu_kick(t);
		}
		pthread_mutex_unlock(&d->lock);
		return ret;
	case VCPUOP_down:
		vcpu_down(t);
		return 0;
	case VCPUOP_initialise:
		if (t->initialised)
			return -XEN_EEXIST;
		ctx = malloc(sizeof(*ctx));
		if (ctx == NULL)
			return -XEN_ENOMEM;
		if (copy_from_guest(v, ctx, a[2], sizeof(*ctx)) < 0)
			ret = -XEN_EFAULT;
		else
			ret = vcpu_initialise(t, ctx);
		free(ctx);
		return ret;
	}
	if (t != v)
		return -XEN_EINVAL;	/* timers: only on oneself */
	pthread_mutex_lock(&d->lock);
	switch (a[0]) {
	case VCPUOP_set_singleshot_timer:
		if (copy_from_guest(v, &ss, a[2], sizeof(ss)) < 0)
			ret = -XEN_EFAULT;
		else if ((ss.flags & VCPU_SSHOTTMR_future) &&
		    ss.timeout_abs_ns < system_time_ns())
			ret = -XEN_ETIME;
		else
			timer_set(v, ss.timeout_abs_ns);
		break;
	case VCPUOP_stop_singleshot_timer:
		timer_set(v, 0);
		break;
	case VCPUOP_set_periodic_timer:
		if (copy_from_guest(v, &per, a[2], sizeof(per)) < 0)
			ret = -XEN_EFAULT;
		else if (per.period_ns < 1000000)
			ret = -XEN_EINVAL;
		else
			timer_set_periodic(v, per.period_ns);
		break;
	case VCPUOP_stop_periodic_timer:
		timer_set_periodic(v, 0);
		break;
	default:
		ret = -XEN_ENOSYS;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}
