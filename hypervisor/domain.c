/* SPDX-License-Identifier: GPL-2.0-only */
/* Domains: creation, memory, lifecycle, and the table of all of them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "hv.h"
#include "hvm.h"
#include "kvm.h"
#include "trap.h"

bool domain_guest_warn(struct domain *d)
{
	if (d->warn_budget == 0)
		return false;
	if (--d->warn_budget == 0)
		log_warnx("d%u: further guest-triggered warnings suppressed", d->domid);
	return true;
}

static int domain_alloc_ram(struct domain *d)
{
	d->ram_fd = memfd_create("palisade-ram", MFD_CLOEXEC);
	if (d->ram_fd < 0)
		return -errno;
	if (ftruncate(d->ram_fd, d->max_pages * PAGE_SIZE) < 0)
		return -errno;
	d->ram = mmap(NULL, d->max_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, d->ram_fd, 0);
	if (d->ram == MAP_FAILED) {
		d->ram = NULL;
		return -errno;
	}
	d->populated = calloc(d->max_pages, 1);
	if (d->populated == NULL)
		return -ENOMEM;
	memset(d->populated, 1, d->nr_pages);
	d->pt_level = calloc(d->max_pages, 1);
	if (d->pt_level == NULL)
		return -ENOMEM;
	/* Pages above the initial reservation exist in the memfd but are not
	 * backed until the guest populates them (they read as zero then). */
	return kvm_set_memslot(d->vm_fd, 0, 0, d->max_pages * PAGE_SIZE, d->ram);
}

static void domain_free(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++)
		if (d->vcpu[i] != NULL)
			vcpu_destroy(d->vcpu[i]);
	gnt_maptrack_fini(d);
	evtchn_fini(d);
	memshare_fini(d);
	priv_fini(d);
	hvm_domain_fini(d);
	if (d->ram != NULL)
		munmap(d->ram, d->max_pages * PAGE_SIZE);
	if (d->ram_fd >= 0)
		close(d->ram_fd);
	if (d->vm_fd >= 0)
		close(d->vm_fd);
	free(d->populated);
	free(d->pt_level);
	pthread_cond_destroy(&d->quiesced);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int domain_alloc_id(uint32_t *domid)
{
	uint32_t i, id;

	for (i = 0; i < HV_MAX_DOMAINS - 1; i++) {
		id = 1 + (hv.next_domid + i) % (HV_MAX_DOMAINS - 1);
		if (hv.domains[id] == NULL) {
			hv.next_domid = id;
			*domid = id;
			return 0;
		}
	}
	return -XEN_ENOSPC;
}

static void domain_init_shared_info(struct domain *d)
{
	shared_info_t *s = priv_shared_info(d);
	struct timespec rt;
	uint64_t boot;

	/* Wallclock at system time 0; every event channel starts masked. */
	clock_gettime(CLOCK_REALTIME, &rt);
	boot = (uint64_t)rt.tv_sec * 1000000000ull + rt.tv_nsec - system_time_ns();
	s->wc_version = 2;
	s->wc_sec = (uint32_t)(boot / 1000000000ull);
	s->wc_sec_hi = (uint32_t)((boot / 1000000000ull) >> 32);
	s->wc_nsec = boot % 1000000000ull;
	memset(s->evtchn_mask, 0xff, sizeof(s->evtchn_mask));
	for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
		s->vcpu_info[i].evtchn_upcall_mask = 1;
}

int domain_create(const struct ctl_domain_create *req, uint32_t *domid)
{
	pthread_mutexattr_t ma;
	struct domain *d;
	unsigned int i;
	int ret;

	if (req->vcpus == 0 || req->vcpus > HV_MAX_VCPUS || req->type >= CTL_DOM_TYPE_MAX)
		return -XEN_EINVAL;
	/* HVM: one vCPU, and RAM below the APICs (no PCI hole is emulated). */
	if (req->type != CTL_DOM_PV && (req->vcpus != 1 ||
	    req->max_mem_kb * 1024 > HVM_MAX_RAM))
		return -XEN_EINVAL;
	if (req->mem_kb < 4096 || req->max_mem_kb < req->mem_kb ||
	    req->max_mem_kb > hv.max_mem_mb * 1024)
		return -XEN_EINVAL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -XEN_ENOMEM;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&d->lock, &ma);
	pthread_cond_init(&d->quiesced, NULL);
	pthread_mutexattr_destroy(&ma);
	d->ram_fd = d->priv_fd = d->vm_fd = -1;
	memcpy(d->name, req->name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	memcpy(d->uuid, req->uuid, sizeof(d->uuid));
	d->nr_pages = req->mem_kb / 4;
	d->max_pages = req->max_mem_kb / 4;
	d->limit_pages = d->max_pages;
	d->nr_vcpus = req->vcpus;
	d->type = req->type;
	d->on_poweroff = req->on_poweroff;
	d->on_reboot = req->on_reboot;
	d->on_crash = req->on_crash;
	d->state = DOM_PAUSED;
	d->pause_count = 1;
	d->warn_budget = 100;
	d->max_maptrack = GNT_MAX_MAPTRACK;
	d->created_ns = now_ns();
	evtchn_init(d);
	d->vm_fd = kvm_vm_create();
	ret = d->vm_fd < 0 ? d->vm_fd : 0;
	if (ret == 0 && d->type != CTL_DOM_PV)
		ret = hvm_domain_init(d);
	if (ret == 0)
		ret = domain_alloc_ram(d);
	if (ret == 0)
		ret = priv_init(d);
	for (i = 0; ret == 0 && i < d->nr_vcpus; i++)
		ret = vcpu_create(d, i);
	if (ret < 0)
		goto fail;
	domain_init_shared_info(d);
	pthread_mutex_lock(&hv.lock);
	ret = domain_alloc_id(&d->domid);
	if (ret == 0) {
		xsm_dom_init(&d->sec, d->domid, false);
		memcpy(d->sec.label, req->label, sizeof(d->sec.label));
		d->sec.label[sizeof(d->sec.label) - 1] = '\0';
		xsm_dom_register(&d->sec);
		hv.domains[d->domid] = d;
	}
	pthread_mutex_unlock(&hv.lock);
	if (ret < 0)
		goto fail;
	for (i = 0; ret == 0 && i < d->nr_vcpus; i++)
		ret = vcpu_start_thread(d->vcpu[i]);
	if (ret < 0) {
		domain_destroy(d->domid);
		return ret;
	}
	*domid = d->domid;
	log_info("d%u: created '%s': %lu MiB, %u vCPUs", d->domid, d->name,
	    (unsigned long)(d->nr_pages >> 8), d->nr_vcpus);
	return 0;
fail:
	log_warnx("domain_create '%s': %s", req->name, strerror(-ret > 0 && -ret < 200 ? -ret : EINVAL));
	domain_free(d);
	return ret < 0 && ret > -200 ? ret : -XEN_ENOMEM;
}

static struct domain *lookup(uint32_t domid, bool take_ref)
{
	struct domain *d;

	if (domid >= HV_MAX_DOMAINS)
		return NULL;
	pthread_mutex_lock(&hv.lock);
	d = hv.domains[domid];
	if (d != NULL && take_ref)
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&hv.lock);
	return d;
}

struct domain *domain_get(uint32_t domid)
{
	return lookup(domid, false);
}

struct domain *domain_ref(uint32_t domid)
{
	return lookup(domid, true);
}

void domain_unref(struct domain *d)
{
	__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL);
}

static void domain_wake_all(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++)
		if (d->vcpu[i] != NULL)
			vcpu_kick(d->vcpu[i]);
}

int domain_destroy(uint32_t domid)
{
	struct domain *d;

	pthread_mutex_lock(&hv.lock);
	d = domid < HV_MAX_DOMAINS ? hv.domains[domid] : NULL;
	if (d != NULL)
		hv.domains[domid] = NULL;
	pthread_mutex_unlock(&hv.lock);
	if (d == NULL)
		return -XEN_ESRCH;
	pthread_mutex_lock(&d->lock);
	d->state = DOM_DYING;
	domain_wake_all(d);
	pthread_mutex_unlock(&d->lock);
	/* Out of the table, no new references; wait out the ones held
	 * (a grant copy lasts microseconds). */
	while (__atomic_load_n(&d->refs, __ATOMIC_ACQUIRE) != 0)
		sleep_ms(1);
	gnt_domain_gone(domid);
	gnt_maptrack_granter_gone(domid);
	evtchn_domain_gone(d);
	xsm_dom_unregister(&d->sec);
	log_info("d%u: destroyed", domid);
	domain_free(d);		/* joins the vCPU threads */
	return 0;
}

void domain_destroy_all(void)
{
	uint32_t i;

	for (i = 1; i < HV_MAX_DOMAINS; i++)
		if (hv.domains[i] != NULL)
			domain_destroy(i);
}

int domain_pause(struct domain *d)
{
	pthread_mutex_lock(&d->lock);
	d->pause_count++;
	domain_wake_all(d);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void domain_pause_sync(struct domain *d)
{
	unsigned int i;

	pthread_mutex_lock(&d->lock);
	d->pause_count++;
	domain_wake_all(d);
	for (i = 0; i < d->nr_vcpus; i++)
		while (d->vcpu[i] != NULL && d->vcpu[i]->active)
			pthread_cond_wait(&d->quiesced, &d->lock);
	pthread_mutex_unlock(&d->lock);
}

int domain_set_max_mem(struct domain *d, uint64_t kb)
{
	if (kb / 4 > d->max_pages)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	d->limit_pages = kb / 4;
	pthread_mutex_unlock(&d->lock);
	log_info("d%u: may populate %llu KiB", d->domid, (unsigned long long)kb);
	return 0;
}

int domain_unpause(struct domain *d)
{
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	if (d->pause_count == 0) {
		ret = -XEN_EINVAL;
	} else if (--d->pause_count == 0 && d->state == DOM_PAUSED) {
		d->state = DOM_RUNNING;
	}
	domain_wake_all(d);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/* d->lock held. The toolstack applies the on_* action (as xl does). */
void domain_shutdown(struct domain *d, uint32_t reason)
{
	static const char *names[] = { "poweroff", "reboot", "suspend", "crash",
	    "watchdog", "soft_reset" };

	if (d->state == DOM_SHUTDOWN || d->state == DOM_DYING)
		return;
	d->state = DOM_SHUTDOWN;
	d->shutdown_reason = reason;
	log_info("d%u: shutdown: %s", d->domid,
	    reason < ARRAY_SIZE(names) ? names[reason] : "unknown");
	domain_wake_all(d);
}

void domain_crash(struct domain *d, const char *why)
{
	log_warnx("d%u: crashed: %s", d->domid, why);
	domain_shutdown(d, SHUTDOWN_crash);
}

void domain_info(struct domain *d, struct ctl_domain_info *o)
{
	unsigned int i;
	bool all_blocked = true;

	memset(o, 0, sizeof(*o));
	pthread_mutex_lock(&d->lock);
	o->domid = d->domid;
	memcpy(o->name, d->name, sizeof(o->name));
	memcpy(o->uuid, d->uuid, sizeof(o->uuid));
	snprintf(o->label, sizeof(o->label), "%s", d->sec.label);
	o->vcpus = d->nr_vcpus;
	o->type = d->type;
	o->mem_kb = d->nr_pages * 4;
	o->max_mem_kb = d->max_pages * 4;
	o->limit_kb = d->limit_pages * 4;
	o->shutdown_reason = d->shutdown_reason;
	for (i = 0; i < d->nr_vcpus; i++) {
		o->cpu_time_ns += vcpu_cpu_ns(d->vcpu[i]);
		o->exits += d->vcpu[i]->exits;
		o->vcpus_online += d->vcpu[i]->up;
		if (d->vcpu[i]->up && !d->vcpu[i]->blocked)
			all_blocked = false;
	}
	switch (d->state) {
	case DOM_RUNNING:
		o->state = d->pause_count ? CTL_DOM_PAUSED :
		    all_blocked ? CTL_DOM_BLOCKED : CTL_DOM_RUNNING;
		break;
	case DOM_PAUSED:
		o->state = CTL_DOM_PAUSED;
		break;
	case DOM_SHUTDOWN:
		o->state = CTL_DOM_SHUTDOWN;
		break;
	case DOM_DYING:
		o->state = CTL_DOM_DYING;
		break;
	}
	pthread_mutex_unlock(&d->lock);
}

static bool gpa_is_guest_page(struct domain *d, uint64_t pfn)
{
	return pfn != 0 && mfn_is_guest_ram(d, pfn);
}

/* The builder's initial state for vCPU 0 (PV start of day). */
int domain_set_vcpu_context(struct domain *d, const struct ctl_vcpu_context *c)
{
	struct vcpu *v;
	shared_info_t *s = priv_shared_info(d);

	if (c->vcpu >= d->nr_vcpus || (v = d->vcpu[c->vcpu]) == NULL || d->hvm != NULL)
		return -XEN_EINVAL;
	if (!gpa_is_guest_page(d, c->cr3 >> PAGE_SHIFT) ||
	    !gpa_is_guest_page(d, c->start_info_pfn))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	if (d->state != DOM_PAUSED) {
		pthread_mutex_unlock(&d->lock);
		return -XEN_EBUSY;
	}
	v->regs.rip = c->rip;
	v->regs.rsp = c->rsp;
	v->regs.rsi = c->rsi;
	v->frame.rip = c->rip;
	v->frame.rsp = c->rsp;
	v->frame.rflags = RFLAGS_FIXED | RFLAGS_IF | hv.guest_iopl;
	v->regs.rflags = v->frame.rflags;
	v->kernel_ss = c->kernel_ss;
	v->kernel_sp = c->kernel_sp;
	v->kernel_mode = true;
	v->kernel_cr3 = c->cr3;
	vcpu_set_cr3(v, c->cr3);
	v->regs_dirty = true;
	v->up = v->initialised = true;
	s->vcpu_info[v->id].evtchn_upcall_mask = 1;
	time_update(v);
	pthread_mutex_unlock(&d->lock);
	if (c->vcpu == 0 && gpa_is_guest_page(d, c->console_pfn) &&
	    gpa_is_guest_page(d, c->store_pfn))
		gnt_init(d, c->console_pfn, c->store_pfn);
	return 0;
}

/* VCPUOP_initialise: a secondary vCPU's context from the guest. */
int vcpu_initialise(struct vcpu *t, const struct vcpu_guest_context *c);
int vcpu_initialise(struct vcpu *t, const struct vcpu_guest_context *c)
{
	struct domain *d = t->d;
	uint64_t cr3_mfn = xen_cr3_to_pfn(c->ctrlreg[3]);

	if (!gpa_is_guest_page(d, cr3_mfn))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	if (pv_load_gdt(t, c->gdt_frames, c->gdt_ents > UINT32_MAX ?
	    UINT32_MAX : (unsigned int)c->gdt_ents) < 0) {
		pthread_mutex_unlock(&d->lock);
		return -XEN_EINVAL;
	}
	memset(&t->regs, 0, sizeof(t->regs));
	t->regs.rax = c->user_regs.rax;
	t->regs.rbx = c->user_regs.rbx;
	t->regs.rcx = c->user_regs.rcx;
	t->regs.rdx = c->user_regs.rdx;
	t->regs.rsi = c->user_regs.rsi;
	t->regs.rdi = c->user_regs.rdi;
	t->regs.rbp = c->user_regs.rbp;
	t->regs.r8 = c->user_regs.r8;
	t->regs.r9 = c->user_regs.r9;
	t->regs.r10 = c->user_regs.r10;
	t->regs.r11 = c->user_regs.r11;
	t->regs.r12 = c->user_regs.r12;
	t->regs.r13 = c->user_regs.r13;
	t->regs.r14 = c->user_regs.r14;
	t->regs.r15 = c->user_regs.r15;
	t->regs.rip = c->user_regs.rip;
	t->regs.rsp = c->user_regs.rsp;
	t->frame.rip = c->user_regs.rip;
	t->frame.rsp = c->user_regs.rsp;
	/* Xen takes the new vCPU's virtual IOPL from its flags (Linux: 1). */
	t->iopl = (c->user_regs.rflags >> 12) & 3;
	t->frame.rflags = RFLAGS_FIXED | RFLAGS_IF | hv.guest_iopl;
	t->regs.rflags = t->frame.rflags;
	t->fs_base = c->fs_base;
	t->sregs.fs.base = c->fs_base;
	t->gs_base_user = c->gs_base_user;
	memcpy(t->traps, c->trap_ctxt, sizeof(t->traps));
	t->kernel_ss = c->kernel_ss;
	t->kernel_sp = c->kernel_sp;
	t->event_cb = c->event_callback_eip;
	t->failsafe_cb = c->failsafe_callback_eip;
	t->syscall_cb = c->syscall_callback_eip;
	t->gs_base_kernel = c->gs_base_kernel;
	t->sregs.gs.base = c->gs_base_kernel;
	t->kernel_mode = true;
	t->kernel_cr3 = cr3_mfn << PAGE_SHIFT;
	vcpu_set_cr3(t, t->kernel_cr3);
	t->regs_dirty = true;
	t->resume_kind = TRAP_NONE;
	t->initialised = true;
	time_update(t);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int domain_xsm(enum xsm_hook h, struct domain *d, uint32_t domid)
{
	struct xsm_dom other;
	struct domain *o;
	int ret;

	if (domid == DOMID_SELF || domid == d->domid)
		return xsm_check(h, &d->sec, &d->sec);
	/* The other domain as it is (its label), held while we ask. */
	o = domain_ref(domid);
	if (o != NULL) {
		ret = xsm_check(h, &d->sec, &o->sec);
		domain_unref(o);
		return ret;
	}
	xsm_dom_init(&other, domid, domid == 0);
	return xsm_check(h, &d->sec, &other);
}

int domain_xsm_self(enum xsm_hook h, struct domain *d, uint32_t domid)
{
	int ret = domain_xsm(h, d, domid);

	if (ret == 0 && domid != DOMID_SELF && domid != d->domid)
		ret = -XEN_EPERM;
	return ret;
}
