/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HVM domains on KVM: the VM's platform, the boot processor's first state,
 * the exits an HVM guest causes, and the callback vector that carries its
 * event channel upcalls. See hvm.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "palisade/hcall.h"
#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"
#include "kvm.h"

#define CR0_PE		0x1ull
#define CR0_ET		0x10ull
#define EFER_LMA	0x400ull

int hvm_domain_init(struct domain *d)
{
	unsigned int i;

	d->hvm = calloc(1, sizeof(*d->hvm));
	if (d->hvm == NULL)
		return -XEN_ENOMEM;
	d->hvm->shinfo_gfn = HVM_NO_GFN;
	for (i = 0; i < GNT_MAX_FRAMES; i++)
		d->hvm->gnt_gfn[i] = HVM_NO_GFN;
	return kvm_hvm_vm_setup(d->vm_fd);
}

void hvm_domain_fini(struct domain *d)
{
	free(d->hvm);
	d->hvm = NULL;
}

int hvm_vcpu_setup(struct vcpu *v)
{
	return kvm_vcpu_init_cpuid(v->fd, (int)v->id);
}

bool hvm_hypercall_allowed(unsigned int nr)
{
	switch (nr) {
	case __HYPERVISOR_memory_op:
	case __HYPERVISOR_multicall:
	case __HYPERVISOR_set_timer_op:
	case __HYPERVISOR_xen_version:
	case __HYPERVISOR_console_io:
	case __HYPERVISOR_grant_table_op:
	case __HYPERVISOR_vcpu_op:
	case __HYPERVISOR_sched_op:
	case __HYPERVISOR_event_channel_op:
	case __HYPERVISOR_hvm_op:
		return true;
	default:
		return false;
	}
}

/* Xen's HVM page holds "call through the MSR's page"; ours the same stubs
 * as PV's ("out" leaves the guest at any CPL), and iret is not a hypercall
 * an HVM guest has. */
void hvm_hcall_page_fill(uint8_t *page)
{
	uint8_t *s = page + PAL_HCALL_IRET * PAL_HCALL_SLOT;

	pal_hcall_page_fill(page);
	memset(s, 0xcc, PAL_HCALL_SLOT);
	s[0] = 0x0f;			/* ud2 */
	s[1] = 0x0b;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type, bool big)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	if (big) {
		s->limit = 0xffffffff;
		s->db = 1;
		s->g = 1;
	} else {
		s->limit = 0xffff;
	}
}

int hvm_set_context(struct domain *d, const struct ctl_hvm_context *c)
{
	struct vcpu *v = d->vcpu[0];
	struct hvm_dom *h = d->hvm;
	bool real = c->mode == CTL_HVM_REAL16;

	if (h == NULL || v == NULL)
		return -XEN_EINVAL;
	if ((c->mode != CTL_HVM_REAL16 && c->mode != CTL_HVM_PROT32) ||
	    c->rip > (real ? 0xffffu : 0xffffffffu) ||
	    c->rsp > 0xffffffffu || c->rbx > 0xffffffffu ||
	    !mfn_is_guest_ram(d, c->console_pfn) || !mfn_is_guest_ram(d, c->store_pfn))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	if (d->state != DOM_PAUSED || v->up) {
		pthread_mutex_unlock(&d->lock);
		return -XEN_EBUSY;
	}
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rip = c->rip;
	v->regs.rax = c->rax;
	v->regs.rbx = c->rbx;
	v->regs.rsp = c->rsp;
	v->regs.rflags = RFLAGS_FIXED;
	seg_flat(&v->sregs.cs, real ? 0 : 0x10, 11, !real);
	seg_flat(&v->sregs.ds, real ? 0 : 0x18, 3, !real);
	v->sregs.es = v->sregs.fs = v->sregs.gs = v->sregs.ss = v->sregs.ds;
	memset(&v->sregs.tr, 0, sizeof(v->sregs.tr));
	v->sregs.tr.limit = 0xffff;
	v->sregs.tr.type = 11;
	v->sregs.tr.present = 1;
	memset(&v->sregs.ldt, 0, sizeof(v->sregs.ldt));
	v->sregs.ldt.limit = 0xffff;
	v->sregs.ldt.type = 2;
	v->sregs.ldt.present = 1;
	v->sregs.gdt.base = v->sregs.idt.base = 0;
	v->sregs.gdt.limit = 0xffff;
	v->sregs.idt.limit = real ? 0x3ff : 0;
	v->sregs.cr0 = CR0_ET | (real ? 0 : CR0_PE);
	v->sregs.cr3 = v->sregs.cr4 = v->sregs.efer = 0;
	v->regs_dirty = v->sregs_dirty = true;
	v->kernel_mode = true;
	v->up = v->initialised = true;
	h->console_pfn = c->console_pfn;
	h->store_pfn = c->store_pfn;
	h->console_evtchn = c->console_evtchn;
	h->store_evtchn = c->store_evtchn;
	time_update(v);
	pthread_mutex_unlock(&d->lock);
	gnt_init(d, c->console_pfn, c->store_pfn);
	return 0;
}

void hvm_upcall(struct vcpu *v)
{
	struct hvm_dom *h = v->d->hvm;
	uint8_t vector = h->upcall_vector[v->id] ? h->upcall_vector[v->id] :
	    h->callback_vector;

	if (vector == 0)
		return;		/* no callback set up: the guest polls */
	if (kvm_signal_msi(v->d->vm_fd, v->id, vector) <= 0)
		gwarn(v->d, "callback vector %#x not taken (is the LAPIC enabled?)",
		    vector);
}

/* An "out" to the hypercall port: Xen's 64-bit HVM convention, from ring 0
 * only. RIP is KVM's to move past the instruction. */
static void hvm_hypercall(struct vcpu *v)
{
	uint64_t a[6] = {
		v->regs.rdi, v->regs.rsi, v->regs.rdx,
		v->regs.r10, v->regs.r8, v->regs.r9,
	};
	unsigned int nr = (unsigned int)v->regs.rax;
	long ret;

	if (v->sregs.cs.dpl != 0) {
		ret = -XEN_EPERM;
	} else if (!(v->sregs.efer & EFER_LMA) || !v->sregs.cs.l) {
		gwarn(v->d, "hypercall %u outside 64-bit mode refused", nr);
		ret = -XEN_ENOSYS;
	} else {
		ret = hypercall_call(v, nr, a);
	}
	v->regs.rax = (uint64_t)ret;
	v->regs_dirty = true;
}

static void hvm_msr(struct vcpu *v, bool write)
{
	struct kvm_run *r = v->run;
	uint8_t *page;

	r->msr.error = 1;		/* #GP in the guest */
	if (r->msr.index != HVM_HCALL_MSR || !write)
		return;
	/* The low bits pick the page: we offer one. */
	page = (r->msr.data & (PAGE_SIZE - 1)) == 0 ?
	    gpa_ptr(v->d, r->msr.data, PAGE_SIZE) : NULL;
	if (page == NULL) {
		gwarn(v->d, "hypercall page at %#llx refused", (unsigned long long)r->msr.data);
		return;
	}
	hvm_hcall_page_fill(page);
	r->msr.error = 0;
	log_debug("d%u: hypercall page at %#llx", v->d->domid,
	    (unsigned long long)r->msr.data);
}

static bool io_is_uart(const struct kvm_run *r)
{
	return r->exit_reason == KVM_EXIT_IO && r->io.port >= 0x3f8 && r->io.port <= 0x3ff;
}

int hvm_handle_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint8_t *data;
	unsigned int i;

	if (v->d->hvm->uart.unflushed != 0 && !io_is_uart(r))
		hvm_uart_flush(v->d);
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		if (r->io.port == PAL_HCALL_PORT && r->io.direction == KVM_EXIT_IO_OUT) {
			hvm_hypercall(v);
			return 0;
		}
		data = (uint8_t *)r + r->io.data_offset;
		for (i = 0; i < r->io.count; i++)
			hvm_pio(v, r->io.port, r->io.direction == KVM_EXIT_IO_IN,
			    data + i * r->io.size, r->io.size);
		return 0;
	case KVM_EXIT_MMIO:
		hvm_mmio_unassigned(v, r->mmio.phys_addr, r->mmio.is_write,
		    r->mmio.data, r->mmio.len);
		return 0;
	case KVM_EXIT_X86_WRMSR:
	case KVM_EXIT_X86_RDMSR:
		hvm_msr(v, r->exit_reason == KVM_EXIT_X86_WRMSR);
		return 0;
	case KVM_EXIT_HLT:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return 0;
	default:
		return vcpu_exit_fatal(v);
	}
}
