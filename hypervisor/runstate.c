/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPU runstates (vcpu.h): the time each vCPU has spent running, runnable,
 * blocked and offline, kept by the vCPU's own thread as it sleeps and
 * wakes, and copied to the guest's registered area (Linux's steal clock
 * reads it; Linux BUG()s if it cannot register one).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "palisade/log.h"
#include "hv.h"

/* With VMASST_TYPE_runstate_update_flag, XEN_RUNSTATE_UPDATE is set in the
 * guest's state_entry_time while the rest changes, so that another vCPU
 * reading the area knows to read it again, as Xen does. */
static void runstate_publish(struct vcpu *v)
{
	struct vcpu_runstate_info r = v->runstate;
	uint64_t at = v->runstate_gva + offsetof(struct vcpu_runstate_info,
	    state_entry_time);
	bool flag = v->d->vm_assist & (1ull << VMASST_TYPE_runstate_update_flag);
	int ret = 0;

	if (v->runstate_gva == 0)
		return;
	if (flag) {
		r.state_entry_time |= XEN_RUNSTATE_UPDATE;
		ret = copy_to_guest(v, at, &r.state_entry_time, 8);
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	if (ret == 0)
		ret = copy_to_guest(v, v->runstate_gva, &r, sizeof(r));
	if (ret == 0 && flag) {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		ret = copy_to_guest(v, at, &v->runstate.state_entry_time, 8);
	}
	if (ret < 0)
		gwarn(v->d, "v%u: runstate area %#llx no longer mapped", v->id,
		    (unsigned long long)v->runstate_gva);
}

/* From v's own thread. */
void runstate_set(struct vcpu *v, int state)
{
	uint64_t now = system_time_ns();
	struct vcpu_runstate_info *r = &v->runstate;

	if (r->state == state && r->state_entry_time != 0)
		return;
	if (r->state_entry_time != 0 && now > r->state_entry_time)
		r->time[r->state] += now - r->state_entry_time;
	r->state = state;
	r->state_entry_time = now;
	runstate_publish(v);
}

/* The area is a guest virtual address, written whenever t's state changes;
 * at once if t is the caller. */
long runstate_register(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_register_runstate_memory_area area;

	if (copy_from_guest(v, &area, arg, sizeof(area)) < 0)
		return -XEN_EFAULT;
	if (area.addr.p != 0 && !gva_canonical(area.addr.p))
		return -XEN_EINVAL;
	t->runstate_gva = area.addr.p;
	if (t == v) {
		runstate_set(v, RUNSTATE_running);
		runstate_publish(v);
	}
	return 0;
}

long runstate_get(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_runstate_info r = t->runstate;
	uint64_t now = system_time_ns();

	if (r.state_entry_time != 0 && now > r.state_entry_time)
		r.time[r.state] += now - r.state_entry_time;
	return copy_to_guest(v, arg, &r, sizeof(r));
}
