/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HVM and PVH domains: unmodified code from its first instruction, on
 * KVM's in-kernel irqchip and PIT, with an emulated 16550 and RTC, Xen's
 * CPUID leaves, the hypercall-page MSR, HVM params and the event channel
 * callback vector. Grant tables, event channels and the other hypercalls
 * are the PV domains' own code.
 */
#ifndef HV_HVM_H
#define HV_HVM_H

#include <stdbool.h>
#include <stdint.h>

#include "hv.h"

#define HVM_MAX_RAM	0xc0000000ull	/* below the LAPIC and IOAPIC */
#define HVM_HCALL_MSR	0x40000000u	/* Xen's hypercall-page MSR */
#define HVM_NO_GFN	UINT64_MAX

/* What the guest sees at 0x3f8: a 16550A without FIFO interrupts. */
struct hvm_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	unsigned int unflushed;		/* bytes written since the last notify */
	uint64_t dropped;		/* console ring full */
};

struct hvm_dom {
	uint8_t callback_vector;	/* HVM_PARAM_CALLBACK_IRQ, 0 = none */
	uint8_t upcall_vector[HV_MAX_VCPUS];	/* per vCPU, wins over it */
	uint64_t console_pfn, store_pfn;
	uint32_t console_evtchn, store_evtchn;
	uint64_t shinfo_gfn;		/* where shared_info shows, or HVM_NO_GFN */
	uint64_t gnt_gfn[GNT_MAX_FRAMES];
	struct hvm_uart uart;
	uint8_t rtc_index;
	uint8_t port_logged[65536 / 8];	/* unassigned ports already logged */
	uint64_t mmio_logged[32];	/* pages of unassigned MMIO logged */
	unsigned int nr_mmio_logged;
};

/* hvm.c */
int hvm_domain_init(struct domain *d);
void hvm_domain_fini(struct domain *d);
int hvm_vcpu_setup(struct vcpu *v);
int hvm_set_context(struct domain *d, const struct ctl_hvm_context *c);
int hvm_handle_exit(struct vcpu *v);
/* evtchn_upcall_pending went 0 -> 1: raise the callback vector. */
void hvm_upcall(struct vcpu *v);
bool hvm_hypercall_allowed(unsigned int nr);
/* Fill a page with the hypercall stubs of Xen's HVM ABI. */
void hvm_hcall_page_fill(uint8_t *page);

/* hvm_io.c: the emulated devices and what answers for nothing */
bool hvm_pio(struct vcpu *v, uint16_t port, bool in, uint8_t *data,
    unsigned int size);
void hvm_mmio_unassigned(struct vcpu *v, uint64_t gpa, bool write, uint8_t *data,
    unsigned int len);
void hvm_uart_flush(struct domain *d);

/* hc_hvm.c */
long hc_hvm_op(struct vcpu *v, uint64_t *a);
long hvm_add_to_physmap(struct vcpu *v, uint64_t arg);
/* For GNTTABOP_setup_table: where grant frame i shows, or HVM_NO_GFN. */
uint64_t hvm_gnt_frame_gfn(struct domain *d, unsigned int i);
/* shared_info or a grant frame shows there: not the guest's to share. */
bool hvm_gfn_is_special(struct domain *d, uint64_t gfn);

#endif
