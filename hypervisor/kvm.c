/* SPDX-License-Identifier: GPL-2.0-only */
/* The KVM platform: thin wrappers over /dev/kvm ioctls. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cpuid.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "hv.h"
#include "kvm.h"
#include "hvm.h"

#define XIOCTL(fd, req, arg) (ioctl((fd), (req), (arg)) < 0 ? -errno : 0)

int kvm_open(void)
{
	int fd, ver;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

int kvm_vm_create(void)
{
	int fd = ioctl(hv.kvm_fd, KVM_CREATE_VM, 0);

	return fd < 0 ? -errno : fd;
}

int kvm_set_memslot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
    void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return XIOCTL(vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

int kvm_vcpu_create(int vm_fd, unsigned int id, struct kvm_run **run)
{
	int fd, sz;
	void *p;

	fd = ioctl(vm_fd, KVM_CREATE_VCPU, id);
	if (fd < 0)
		return -errno;
	sz = ioctl(hv.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < 0)
		goto fail;
	p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	*run = p;
	return fd;
fail:
	sz = -errno;
	close(fd);
	return sz;
}

/*
 * What KVM supports, minus VMX and SVM. An HVM vCPU (hvm_vcpu >= 0, its
 * id) gets Xen's leaves at 0x40000000 in place of KVM's own.
 */
int kvm_vcpu_init_cpuid(int vcpu_fd, int hvm_vcpu)
{
	enum { N = 128 };
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[N];
	} cpuid;
	uint32_t i, n = 0, leaf;

	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.c.nent = N;
	if (ioctl(hv.kvm_fd, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0)
		return -errno;
	for (i = 0; i < cpuid.c.nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid.e[i];

		if (e->function == 1)
			e->ecx &= ~(1u << 5);	/* no VMX */
		if (e->function == 0x80000001)
			e->ecx &= ~(1u << 2);	/* no SVM */
		if (hvm_vcpu >= 0 && e->function >= 0x40000000 &&
		    e->function < 0x40000100)
			continue;		/* KVM's paravirt leaves */
		if (hvm_vcpu < 0) {
			uint32_t r[4] = { e->eax, e->ebx, e->ecx, e->edx };

			pv_cpuid_policy(e->function, e->index, r);
			e->eax = r[0];
			e->ebx = r[1];
			e->ecx = r[2];
			e->edx = r[3];
		}
		cpuid.e[n++] = *e;
	}
	for (leaf = 0x40000000; hvm_vcpu >= 0 && leaf <= 0x40000004 && n < N; leaf++) {
		uint32_t out[4];
		struct kvm_cpuid_entry2 *e = &cpuid.e[n++];

		xen_cpuid_leaf(leaf, (unsigned int)hvm_vcpu, out);
		memset(e, 0, sizeof(*e));
		e->function = leaf;
		e->eax = out[0];
		e->ebx = out[1];
		e->ecx = out[2];
		e->edx = out[3];
	}
	cpuid.c.nent = n;
	return XIOCTL(vcpu_fd, KVM_SET_CPUID2, &cpuid.c);
}

/*
 * The platform of an HVM VM: PIC, IOAPIC and LAPICs in the kernel, the
 * PIT, and Xen's hypercall-page MSR sent to user space (every other MSR
 * stays KVM's).
 */
int kvm_hvm_vm_setup(int vm_fd)
{
	static uint8_t deny[1];		/* one MSR, its bit clear: ours */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args = { KVM_MSR_EXIT_REASON_FILTER },
	};
	struct kvm_msr_filter f = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
		.ranges = { {
			.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
			.nmsrs = 1, .base = HVM_HCALL_MSR, .bitmap = deny,
		} },
	};
	int ret;

	ret = XIOCTL(vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	if (ret == 0)
		ret = XIOCTL(vm_fd, KVM_CREATE_IRQCHIP, 0);
	if (ret == 0)
		ret = XIOCTL(vm_fd, KVM_CREATE_PIT2, &pit);
	if (ret == 0)
		ret = XIOCTL(vm_fd, KVM_ENABLE_CAP, &cap);
	if (ret == 0)
		ret = XIOCTL(vm_fd, KVM_X86_SET_MSR_FILTER, &f);
	return ret;
}

/* A fixed, edge-triggered interrupt to one LAPIC: 1 if it was taken. */
int kvm_signal_msi(int vm_fd, uint32_t apic_id, uint8_t vector)
{
	struct kvm_msi m = {
		.address_lo = 0xfee00000u | (apic_id << 12), .data = vector,
	};
	int ret = ioctl(vm_fd, KVM_SIGNAL_MSI, &m);

	return ret < 0 ? -errno : ret;
}

int kvm_set_signal_mask(struct vcpu *v, const sigset_t *mask)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];
	} km;

	km.m.len = 8;		/* the kernel's sigset, not glibc's */
	memcpy(km.set, mask, 8);
	return XIOCTL(v->fd, KVM_SET_SIGNAL_MASK, &km);
}

int kvm_run(struct vcpu *v)
{
	return XIOCTL(v->fd, KVM_RUN, 0);
}

/*
 * With KVM_CAP_SYNC_REGS, KVM copies registers into kvm_run at every exit
 * and takes ours from there on entry: no ioctl per exit. vcpu->sync_regs
 * says whether this vCPU uses it (the probe's tiny VMs do not).
 */
#define SYNC_WANTED (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)

void kvm_enable_sync_regs(struct vcpu *v)
{
	int caps = ioctl(hv.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);

	if (caps > 0 && (caps & SYNC_WANTED) == SYNC_WANTED) {
		v->run->kvm_valid_regs = SYNC_WANTED;
		v->sync_regs = true;
	}
}

int kvm_get_regs(struct vcpu *v)
{
	if (v->sync_regs) {
		v->regs = v->run->s.regs.regs;
		return 0;
	}
	return XIOCTL(v->fd, KVM_GET_REGS, &v->regs);
}

int kvm_set_regs(struct vcpu *v)
{
	if (v->sync_regs) {
		v->run->s.regs.regs = v->regs;
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		return 0;
	}
	return XIOCTL(v->fd, KVM_SET_REGS, &v->regs);
}

int kvm_get_sregs(struct vcpu *v)
{
	if (v->sync_regs) {
		v->sregs = v->run->s.regs.sregs;
		return 0;
	}
	return XIOCTL(v->fd, KVM_GET_SREGS, &v->sregs);
}

int kvm_set_sregs(struct vcpu *v)
{
	if (v->sync_regs) {
		v->run->s.regs.sregs = v->sregs;
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
		return 0;
	}
	return XIOCTL(v->fd, KVM_SET_SREGS, &v->sregs);
}

int kvm_get_events(struct vcpu *v, struct kvm_vcpu_events *ev)
{
	return XIOCTL(v->fd, KVM_GET_VCPU_EVENTS, ev);
}

int kvm_set_events(struct vcpu *v, struct kvm_vcpu_events *ev)
{
	return XIOCTL(v->fd, KVM_SET_VCPU_EVENTS, ev);
}

int kvm_set_msr(struct vcpu *v, uint32_t index, uint64_t value)
{
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e;
	} msrs = { .m.nmsrs = 1, .e = { .index = index, .data = value } };
	int n = ioctl(v->fd, KVM_SET_MSRS, &msrs);

	return n == 1 ? 0 : (n < 0 ? -errno : -EINVAL);
}

int kvm_get_msr(struct vcpu *v, uint32_t index, uint64_t *value)
{
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e;
	} msrs = { .m.nmsrs = 1, .e = { .index = index } };
	int n = ioctl(v->fd, KVM_GET_MSRS, &msrs);

	if (n != 1)
		return n < 0 ? -errno : -EINVAL;
	*value = msrs.e.data;
	return 0;
}

uint64_t kvm_tsc_khz(struct vcpu *v)
{
	int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);

	return khz > 0 ? (uint64_t)khz : 1000000;
}

void kvm_cpuid_host(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	__cpuid_count(leaf, sub, out[0], out[1], out[2], out[3]);
}
