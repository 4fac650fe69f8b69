/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <pthread.h>
#include <signal.h>

#include "palisade/log.h"
#include "../../hypervisor/trap.h"
#include "fakeguest.h"

struct hv hv;

#define PTE	0x7ull		/* present, writable, user */

int fg_init(void)
{
	sigset_t kicks;

	/* As palisade-hv does: vCPU kicks stay blocked outside KVM_RUN. */
	sigemptyset(&kicks);
	sigaddset(&kicks, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &kicks, NULL);
	log_init("unit", NULL, LOG_LVL_WARN);
	pthread_mutex_init(&hv.lock, NULL);
	hv.kvm_fd = -1;
	hv.max_mem_mb = 64;
	hv.trap = &trap_idt_ops;
	return 0;
}

void *fg_ptr(struct domain *d, uint64_t va)
{
	return d->ram + (va - FG_KBASE);
}

static void build_address_space(struct domain *d)
{
	uint64_t *l4 = (uint64_t *)(d->ram + FG_PT_PFN * PAGE_SIZE);
	uint64_t *l3 = l4 + 512, *l2 = l3 + 512, *l1 = l2 + 512, i;

	l4[(FG_KBASE >> 39) & 511] = ((FG_PT_PFN + 1) << PAGE_SHIFT) | PTE;
	l3[(FG_KBASE >> 30) & 511] = ((FG_PT_PFN + 2) << PAGE_SHIFT) | PTE;
	l2[(FG_KBASE >> 21) & 511] = ((FG_PT_PFN + 3) << PAGE_SHIFT) | PTE;
	for (i = 0; i < 512; i++)
		l1[i] = (i << PAGE_SHIFT) | (i == FG_RO_PFN ? PTE & ~2ull : PTE);
}

struct domain *fg_new(void)
{
	return fg_new_type(CTL_DOM_PV);
}

struct domain *fg_new_type(uint8_t type)
{
	struct ctl_domain_create req = {
		.name = "fake", .mem_kb = 4096, .max_mem_kb = 4096, .vcpus = 1,
		.type = type,
	};
	struct domain *d;
	struct vcpu *v;
	uint32_t domid;

	if (domain_create(&req, &domid) != 0 || (d = domain_get(domid)) == NULL)
		return NULL;
	v = d->vcpu[0];
	build_address_space(d);
	v->kernel_cr3 = FG_PT_PFN << PAGE_SHIFT;
	if (type == CTL_DOM_PV) {
		vcpu_set_cr3(v, v->kernel_cr3);
	} else {	/* ring 0, long mode, on the same tables */
		v->sregs.cr3 = v->kernel_cr3;
		v->sregs.cr0 = 0x80000011;
		v->sregs.efer = 0x500;
		v->sregs.cs.l = 1;
	}
	v->kernel_mode = true;
	v->kernel_sp = FG_KSTACK_TOP;
	v->frame.rip = FG_KBASE + 0x3000;
	v->frame.rsp = FG_KSTACK_TOP - 0x800;
	v->frame.rflags = 0x202;
	vcpu_info_ptr(v)->evtchn_upcall_mask = 0;
	/* Running, as a guest issuing hypercalls is (no vCPU thread here). */
	domain_unpause(d);
	return d;
}

void fg_drop(struct domain *d)
{
	domain_destroy(d->domid);
}
