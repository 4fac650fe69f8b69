/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's "hardware": the handful of KVM operations the core uses.
 * kvm.c implements them on /dev/kvm; a unit test may link a fake instead.
 */
#ifndef HV_KVM_H
#define HV_KVM_H

#include <signal.h>
#include <stdint.h>
#include <linux/kvm.h>

struct vcpu;

int kvm_open(void);
int kvm_vm_create(void);
int kvm_set_memslot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
    void *hva);
int kvm_vcpu_create(int vm_fd, unsigned int id, struct kvm_run **run);
int kvm_vcpu_init_cpuid(int vcpu_fd, int hvm_vcpu);	/* -1 for PV */
int kvm_hvm_vm_setup(int vm_fd);
int kvm_signal_msi(int vm_fd, uint32_t apic_id, uint8_t vector);
int kvm_set_signal_mask(struct vcpu *v, const sigset_t *mask); /* in KVM_RUN */
int kvm_run(struct vcpu *v);		/* 0, or -errno (-EINTR when kicked) */
void kvm_enable_sync_regs(struct vcpu *v);
int kvm_get_regs(struct vcpu *v);
int kvm_set_regs(struct vcpu *v);
int kvm_get_sregs(struct vcpu *v);
int kvm_set_sregs(struct vcpu *v);
int kvm_get_events(struct vcpu *v, struct kvm_vcpu_events *ev);
int kvm_set_events(struct vcpu *v, struct kvm_vcpu_events *ev);
int kvm_set_msr(struct vcpu *v, uint32_t index, uint64_t value);
int kvm_get_msr(struct vcpu *v, uint32_t index, uint64_t *value);
uint64_t kvm_tsc_khz(struct vcpu *v);
void kvm_cpuid_host(uint32_t leaf, uint32_t sub, uint32_t out[4]);

#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_CSTAR	0xc0000083
#define MSR_SFMASK	0xc0000084
#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_TSC	0x10

#endif
