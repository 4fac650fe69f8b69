/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A platform without hardware, for unit tests of the hypervisor core: VMs
 * and vCPUs are file descriptors on /dev/null, registers live only in
 * struct vcpu. Guest memory is the core's own real memfd; nothing runs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../../hypervisor/hv.h"
#include "../../hypervisor/kvm.h"

int kvm_open(void) { return open("/dev/null", O_RDWR | O_CLOEXEC); }
int kvm_vm_create(void) { return open("/dev/null", O_RDWR | O_CLOEXEC); }

int kvm_set_memslot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
    void *hva)
{
	(void)slot; (void)gpa; (void)size;
	return vm_fd >= 0 && hva != NULL ? 0 : -EINVAL;
}

int kvm_vcpu_create(int vm_fd, unsigned int id, struct kvm_run **run)
{
	(void)vm_fd; (void)id;
	*run = NULL;
	return open("/dev/null", O_RDWR | O_CLOEXEC);
}

int kvm_vcpu_init_cpuid(int vcpu_fd, int hvm_vcpu) { (void)vcpu_fd; (void)hvm_vcpu; return 0; }
int kvm_hvm_vm_setup(int vm_fd) { (void)vm_fd; return 0; }
int kvm_signal_msi(int vm_fd, uint32_t apic_id, uint8_t vector)
{
	(void)vm_fd; (void)apic_id; (void)vector;
	return 1;
}
int kvm_run(struct vcpu *v) { (void)v; return -ENOSYS; }

int kvm_set_signal_mask(struct vcpu *v, const sigset_t *mask)
{
	(void)v; (void)mask;
	return 0;
}
void kvm_enable_sync_regs(struct vcpu *v) { (void)v; }
int kvm_get_regs(struct vcpu *v) { (void)v; return 0; }
int kvm_set_regs(struct vcpu *v) { v->regs_dirty = false; return 0; }
int kvm_get_sregs(struct vcpu *v) { (void)v; return 0; }
int kvm_set_sregs(struct vcpu *v) { v->sregs_dirty = false; return 0; }

int kvm_get_events(struct vcpu *v, struct kvm_vcpu_events *ev)
{
	(void)v;
	memset(ev, 0, sizeof(*ev));
	return 0;
}

int kvm_set_events(struct vcpu *v, struct kvm_vcpu_events *ev)
{
	(void)v; (void)ev;
	return 0;
}

int kvm_set_msr(struct vcpu *v, uint32_t index, uint64_t value)
{
	(void)v; (void)index; (void)value;
	return 0;
}

int kvm_get_msr(struct vcpu *v, uint32_t index, uint64_t *value)
{
	(void)v; (void)index;
	*value = 0;
	return 0;
}

uint64_t kvm_tsc_khz(struct vcpu *v) { (void)v; return 1000000; }

void kvm_cpuid_host(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	(void)leaf; (void)sub;
	memset(out, 0, 4 * sizeof(out[0]));
}
