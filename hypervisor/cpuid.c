/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen's hypervisor CPUID leaves (xen/arch-x86/cpuid.h), one table for both
 * guest kinds: PV guests ask through the forced-emulation prefix, HVM
 * guests with a plain cpuid that KVM answers from what we gave it.
 */
#include "config.h"

#include <string.h>

#include "hv.h"
#include <xen/arch-x86/cpuid.h>

bool xen_cpuid_leaf(uint32_t leaf, unsigned int vcpu_id, uint32_t out[4])
{
	memset(out, 0, 4 * sizeof(out[0]));
	switch (leaf) {
	case XEN_CPUID_LEAF(0):
		out[0] = XEN_CPUID_LEAF(4);
		memcpy(&out[1], "XenV", 4);
		memcpy(&out[2], "MMXe", 4);
		memcpy(&out[3], "nVMM", 4);
		return true;
	case XEN_CPUID_LEAF(1):
		out[0] = (PAL_XEN_MAJOR << 16) | PAL_XEN_MINOR;
		return true;
	case XEN_CPUID_LEAF(2):
		out[0] = 1;			/* hypercall pages */
		out[1] = XEN_CPUID_FIRST_LEAF;	/* their MSR */
		return true;
	case XEN_CPUID_LEAF(3):			/* no time features offered */
		return true;
	case XEN_CPUID_LEAF(4):
		out[0] = XEN_HVM_CPUID_VCPU_ID_PRESENT;
		out[1] = vcpu_id;
		return true;
	default:
		return leaf >= XEN_CPUID_FIRST_LEAF && leaf < XEN_CPUID_FIRST_LEAF + 0x100;
	}
}
