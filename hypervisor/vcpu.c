/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPU threads: each runs KVM_RUN in a loop, turns exits into traps and
 * hypercalls, delivers pending events before re-entering the guest, and
 * sleeps while the guest is blocked or the domain is paused. SIGUSR1 is
 * unblocked only inside KVM_RUN, so a kick is never lost: sent while the
 * thread is outside the guest, it makes the next KVM_RUN return at once.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"
#include "kvm.h"
#include "trap.h"

#define SIG_KICK SIGUSR1

int vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	pthread_condattr_t attr;
	int ret;

	if (v == NULL)
		return -XEN_ENOMEM;
	v->d = d;
	v->id = id;
	v->kernel_mode = true;
	v->debugreg[6] = 0xffff0ff0;	/* their reset values, as Xen reports them */
	v->debugreg[7] = 0x400;
	/* vcpu_wait's deadlines are CLOCK_MONOTONIC: with the default clock
	 * every timed wait ended at once and a blocked vCPU spun. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&v->wake, &attr);
	pthread_condattr_destroy(&attr);
	v->fd = kvm_vcpu_create(d->vm_fd, id, &v->run);
	if (v->fd < 0) {
		ret = v->fd;
		free(v);
		return ret;
	}
	ret = d->hvm != NULL ? hvm_vcpu_setup(v) : kvm_vcpu_init_cpuid(v->fd, -1);
	if (ret == 0)
		ret = kvm_get_regs(v);
	/* Registers read once by ioctl; from the first run on, via kvm_run. */
	if (ret == 0)
		ret = kvm_get_sregs(v);
	if (ret == 0 && d->hvm == NULL)
		ret = hv.trap->vcpu_setup(v);
	v->tsc_khz = kvm_tsc_khz(v);
	if (ret == 0 && getenv("PALISADE_NO_SYNC_REGS") == NULL)
		kvm_enable_sync_regs(v);
	d->vcpu[id] = v;
	return ret;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->thread_started)
		pthread_join(v->thread, NULL);
	if (v->kick_timer_armed || v->kick_timer != 0)
		timer_delete(v->kick_timer);
	if (v->run != NULL)
		munmap(v->run, ioctl(hv.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	if (v->fd >= 0)
		close(v->fd);
	pthread_cond_destroy(&v->wake);
	free(v);
}

/* CPU time of the vCPU's thread: guest time included, no per-exit cost. */
uint64_t vcpu_cpu_ns(struct vcpu *v)
{
	struct timespec ts;
	clockid_t cid;

	if (!v->thread_started || pthread_getcpuclockid(v->thread, &cid) != 0 ||
	    clock_gettime(cid, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void vcpu_kick(struct vcpu *v)
{
	v->kicked = true;
	pthread_cond_signal(&v->wake);
	if (v->thread_started)
		pthread_kill(v->thread, SIG_KICK);
}

void vcpu_set_cr3(struct vcpu *v, uint64_t gpa)
{
	priv_install_xen_slot(v, gpa);
	v->sregs.cr3 = gpa;
	v->sregs_dirty = true;
}

void vcpu_quiesce(struct vcpu *v)
{
	pthread_mutex_lock(&v->d->lock);
	v->active = false;
	pthread_cond_broadcast(&v->d->quiesced);
	pthread_mutex_unlock(&v->d->lock);
}

/* Back to active once the domain is no longer paused (or is dying: then
 * the vCPU loop ends right after the hypercall). */
void vcpu_unquiesce(struct vcpu *v)
{
	struct domain *d = v->d;

	pthread_mutex_lock(&d->lock);
	while (d->pause_count > 0 && d->state != DOM_DYING)
		pthread_cond_wait(&v->wake, &d->lock);
	v->active = true;
	pthread_mutex_unlock(&d->lock);
}

static bool vcpu_runnable(struct vcpu *v)
{
	struct domain *d = v->d;

	return d->state == DOM_RUNNING && d->pause_count == 0 && v->up &&
	    !v->blocked;
}

/* When a sleeping vCPU must look again: its timers or its poll's timeout. */
static uint64_t vcpu_wake_at(struct vcpu *v)
{
	uint64_t t = timer_next(v);

	if (v->polling && v->poll_deadline != 0 && (t == 0 || v->poll_deadline < t))
		t = v->poll_deadline;
	return t;
}

/* Sleep until runnable or the domain dies; d->lock held. false: exit. */
static bool vcpu_wait(struct vcpu *v)
{
	struct domain *d = v->d;

	for (;;) {
		if (d->state == DOM_DYING)
			return false;
		if (!vcpu_runnable(v))
			runstate_set(v, !v->up ? RUNSTATE_offline : v->blocked ?
			    RUNSTATE_blocked : RUNSTATE_runnable);
		timer_check(v);
		if (v->blocked) {
			vcpu_info_t *vi = vcpu_info_ptr(v);

			if (v->polling ? sched_poll_done(v) :
			    vi != NULL && vi->evtchn_upcall_pending) {
				v->blocked = false;
				sched_poll_clear(v);
			}
		}
		if (vcpu_runnable(v)) {
			runstate_set(v, RUNSTATE_running);
			return true;
		}
		if (vcpu_wake_at(v) != 0 && d->state == DOM_RUNNING &&
		    d->pause_count == 0) {
			struct timespec ts;
			uint64_t at = vcpu_wake_at(v), sys = system_time_ns();
			uint64_t mono = (at > sys ? at - sys : 0) + now_ns();

			ts.tv_sec = mono / 1000000000ull;
			ts.tv_nsec = mono % 1000000000ull;
			pthread_cond_timedwait(&v->wake, &d->lock, &ts);
		} else {
			pthread_cond_wait(&v->wake, &d->lock);
		}
		v->kicked = false;
	}
}

/* A trap (or, t NULL, another exit: its reason as the vector). */
static void vcpu_trace_exit(struct vcpu *v, const struct trap *t)
{
	struct vcpu_trace *e = &v->trace[v->trace_next % VCPU_TRACE_LEN];

	v->trace_next++;
	*e = (struct vcpu_trace){
		.kind = t != NULL ? (uint8_t)t->kind : TRAP_NONE,
		.vector = t != NULL ? t->vector : (uint8_t)v->run->exit_reason,
		.error = t != NULL ? t->error : 0,
		.cr2 = t != NULL ? t->cr2 : 0,
		.rip = t != NULL ? v->frame.rip : v->regs.rip,
		.rsp = t != NULL ? v->frame.rsp : v->regs.rsp,
		.cr3 = v->sregs.cr3,
	};
}

static void vcpu_trace_entry(struct vcpu *v)
{
	struct vcpu_trace *e;

	if (v->trace_next == 0)
		return;
	e = &v->trace[(v->trace_next - 1) % VCPU_TRACE_LEN];
	e->hypercall = (uint16_t)v->last_hypercall;
	e->resume_rip = v->frame.rip;
	e->resume_rsp = v->frame.rsp;
}

static void vcpu_trace_dump(struct vcpu *v)
{
	static const char *const kinds[] = { "exit", "exception", "syscall", "hypercall" };
	unsigned int i, n = v->trace_next < VCPU_TRACE_LEN ? v->trace_next : VCPU_TRACE_LEN;

	for (i = v->trace_next - n; i != v->trace_next; i++) {
		const struct vcpu_trace *e = &v->trace[i % VCPU_TRACE_LEN];

		log_warnx("d%u v%u: trace -%u: %s %u error %#x cr2 %#llx cr3 %#llx "
		    "at rip %#llx rsp %#llx, back to %#llx rsp %#llx (last hypercall %u)",
		    v->d->domid, v->id, v->trace_next - i, kinds[e->kind],
		    e->vector, e->error, (unsigned long long)e->cr2,
		    (unsigned long long)e->cr3,
		    (unsigned long long)e->rip, (unsigned long long)e->rsp,
		    (unsigned long long)e->resume_rip,
		    (unsigned long long)e->resume_rsp, e->hypercall);
	}
}

/* The registers, and the last guest context we decoded: after a triple
 * fault some hosts hand back reset registers, and only the latter tells
 * where the guest was. */
static void vcpu_dump(struct vcpu *v, const char *why)
{
	if (v->d->hvm != NULL) {
		log_warnx("d%u v%u: %s: rip %#llx rsp %#llx rflags %#llx cs %#x "
		    "(base %#llx) cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx rax %#llx "
		    "rbx %#llx rcx %#llx rdx %#llx", v->d->domid, v->id, why,
		    v->regs.rip, v->regs.rsp, v->regs.rflags, v->sregs.cs.selector,
		    v->sregs.cs.base, v->sregs.cr0, v->sregs.cr3, v->sregs.cr4,
		    v->sregs.efer, v->regs.rax, v->regs.rbx, v->regs.rcx, v->regs.rdx);
		return;
	}
	log_warnx("d%u v%u: %s: rip %#llx rsp %#llx rflags %#llx cs %#x cr3 %#llx "
	    "rax %#llx rdi %#llx rsi %#llx; last guest context rip %#llx rsp %#llx "
	    "(%s mode), last hypercall %u", v->d->domid, v->id, why,
	    v->regs.rip, v->regs.rsp, v->regs.rflags, v->sregs.cs.selector,
	    v->sregs.cr3, v->regs.rax, v->regs.rdi, v->regs.rsi,
	    (unsigned long long)v->frame.rip, (unsigned long long)v->frame.rsp,
	    v->kernel_mode ? "kernel" : "user", v->last_hypercall);
	vcpu_trace_dump(v);
}

void vcpu_crash(struct vcpu *v, const char *why)
{
	vcpu_dump(v, why);
	pthread_mutex_lock(&v->d->lock);
	domain_crash(v->d, why);
	pthread_mutex_unlock(&v->d->lock);
}

/* Port I/O the guest did itself, where the CPU let it through instead of
 * raising #GP (a host that does not honour the TSS's I/O bitmap runs guest
 * code at IOPL 3): answered as pv_port_io answers, and what Xen would have
 * refused with #GP is logged. */
static void vcpu_guest_pio(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	bool in = r->io.direction == KVM_EXIT_IO_IN;
	uint32_t val = 0;
	unsigned int i;

	for (i = 0; i < r->io.count; i++, data += r->io.size) {
		if (!in)
			memcpy(&val, data, r->io.size);
		if (!pv_port_io(v, r->io.port, r->io.size, in, &val)) {
			gwarn(v->d, "v%u: port %#x %s: not allowed by its IOPL (#GP on Xen)",
			    v->id, r->io.port, in ? "read" : "write");
			val = 0xffffffffu;
		}
		if (in)
			memcpy(data, &val, r->io.size);
	}
}

/* An exit neither guest kind survives: the domain crashes, alone. */
int vcpu_exit_fatal(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	switch (r->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		vcpu_crash(v, "triple fault");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_crash(v, "VM entry failed");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		log_warnx("d%u v%u: emulation failure, suberror %u", v->d->domid, v->id,
		    r->internal.suberror);
		vcpu_crash(v, "KVM internal error (emulation failure)");
		break;
	default:
		log_warnx("d%u v%u: unexpected exit %u", v->d->domid, v->id,
		    r->exit_reason);
		vcpu_crash(v, "unexpected exit");
	}
	return -1;
}

static int vcpu_handle_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	struct trap t;
	bool decoded;

	if (kvm_get_regs(v) < 0 || kvm_get_sregs(v) < 0)
		return -1;
	if (v->d->hvm != NULL)
		return hvm_handle_exit(v);
	decoded = hv.trap->decode(v, &t);
	vcpu_trace_exit(v, decoded ? &t : NULL);
	if (decoded) {
		if (t.kind == TRAP_HYPERCALL) {
			hypercall_dispatch(v);
			return 0;
		}
		if (t.kind == TRAP_NONE)
			return 0;	/* nothing new: back where it was going */
		return pv_handle_trap(v, &t);
	}
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_guest_pio(v);
		return 0;
	case KVM_EXIT_MMIO:
		if (!r->mmio.is_write)
			memset(r->mmio.data, 0xff, sizeof(r->mmio.data));
		gwarn(v->d, "MMIO %s at %#llx ignored",
		    r->mmio.is_write ? "write" : "read", r->mmio.phys_addr);
		return 0;
	case KVM_EXIT_HLT:
		return 0;
	default:
		return vcpu_exit_fatal(v);
	}
}

void vcpu_drain_kicks(void)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

/* An exception, NMI or interrupt KVM has taken on but not yet delivered. */
static bool kvm_event_in_flight(struct vcpu *v)
{
	struct kvm_vcpu_events ev;

	return kvm_get_events(v, &ev) == 0 && (ev.exception.injected ||
	    ev.exception.pending || ev.nmi.injected || ev.interrupt.injected);
}

/* Before entering the guest: events and dirty state. Timers need no check
 * here: an expiring timer signals this thread, so the next KVM_RUN returns
 * at once and the kick path checks them. */
static int vcpu_prepare_entry(struct vcpu *v, const char **why)
{
	int ret = 0;

	if (v->d->hvm != NULL)
		goto load;	/* no PV frame: KVM delivers the HVM guest's events */
	if (v->kvm_delivering) {
		/* The registers are those before an exception KVM still has
		 * to deliver (its stub exits to us next). A bounce written now
		 * would have it delivered at the bounce's target instead: a #UD
		 * of xen_cpuid's prefix landing on the event callback. */
		v->kvm_delivering = false;
		goto load;
	}
	if (v->resume_kind == TRAP_NONE && (v->sregs.cs.selector & 3) == 3) {
		/* Interrupted plain CPL3 code: the frame is the registers. */
		v->frame.rip = v->regs.rip;
		v->frame.rsp = v->regs.rsp;
		v->frame.rflags = v->regs.rflags;
	}
	if (v->resume_kind != TRAP_NONE || (v->sregs.cs.selector & 3) == 3)
		pv_deliver_events(v);
	if ((ret = hv.trap->resume(v)) < 0)
		*why = "no return frame";
	else if ((ret = pt_sync(v)) < 0)
		*why = "page-table sync";
	vcpu_trace_entry(v);
load:
	if (ret == 0 && v->sregs_dirty && (ret = kvm_set_sregs(v)) < 0)
		*why = "KVM_SET_SREGS refused";
	if (ret == 0 && v->regs_dirty && (ret = kvm_set_regs(v)) < 0)
		*why = "KVM_SET_REGS refused";
	v->sregs_dirty = v->regs_dirty = false;
	v->resume_kind = TRAP_NONE;
	return ret;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct domain *d = v->d;
	const char *why = "";
	char msg[64];
	int ret;

	v->tid = gettid();
	for (;;) {
		pthread_mutex_lock(&d->lock);
		if (!vcpu_runnable(v)) {
			/* Quiescent: neither in the guest nor touching its memory. */
			v->active = false;
			pthread_cond_broadcast(&d->quiesced);
			if (!vcpu_wait(v)) {
				pthread_mutex_unlock(&d->lock);
				break;
			}
		}
		v->active = true;
		pthread_mutex_unlock(&d->lock);
		if (vcpu_prepare_entry(v, &why) < 0) {
			snprintf(msg, sizeof(msg), "cannot load vCPU state: %s", why);
			vcpu_crash(v, msg);
			continue;
		}
		ret = kvm_run(v);
		if (ret == -EINTR || ret == -EAGAIN) {
			vcpu_drain_kicks();
			pthread_mutex_lock(&d->lock);
			timer_check(v);
			pthread_mutex_unlock(&d->lock);
			if (kvm_get_regs(v) == 0 && kvm_get_sregs(v) == 0) {
				v->kvm_delivering = kvm_event_in_flight(v);
				continue;
			}
			ret = -EIO;
		}
		if (ret < 0) {
			log_warnx("d%u v%u: KVM_RUN: %s", d->domid, v->id,
			    strerror(-ret));
			vcpu_crash(v, "KVM_RUN failed");
			continue;
		}
		v->exits++;
		if (vcpu_handle_exit(v) < 0)
			continue;
	}
	return NULL;
}

int vcpu_start_thread(struct vcpu *v)
{
	sigset_t run_mask;
	int ret;

	/* Inside KVM_RUN every signal but the kick stays blocked. */
	sigfillset(&run_mask);
	sigdelset(&run_mask, SIG_KICK);
	ret = kvm_set_signal_mask(v, &run_mask);
	if (ret < 0)
		return ret;
	ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (ret != 0)
		return -ret;
	v->thread_started = true;
	return 0;
}
