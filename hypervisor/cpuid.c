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

/*
 * The CPUID policy of a PV guest, after Xen's: what a kernel in ring 3 on
 * hypervisor-owned page tables and descriptor tables cannot use is hidden
 * (large pages, global pages, SMEP/SMAP, PCID, FSGSBASE, XSAVE and what
 * needs it, the local APIC, MTRRs, machine checks, monitor/mwait, the
 * virtualisation extensions and the topology leaves), and the hypervisor
 * bit is set. Applied to the forced-emulation cpuid Linux uses and to the
 * plain cpuid KVM answers.
 */
#define BIT(n) (1u << (n))

void pv_cpuid_policy(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	switch (leaf) {
	case 1:
		r[2] &= ~(BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) |
		    BIT(12) | BIT(15) | BIT(17) | BIT(21) | BIT(24) | BIT(26) | BIT(27) |
		    BIT(28) | BIT(29));
		r[2] |= BIT(31);
		r[3] &= ~(BIT(1) | BIT(2) | BIT(3) | BIT(7) | BIT(9) | BIT(12) | BIT(13) |
		    BIT(14) | BIT(17) | BIT(21) | BIT(22) | BIT(29) | BIT(31));
		break;
	case 7:
		if (sub == 0) {
			r[1] &= ~(BIT(0) | BIT(2) | BIT(4) | BIT(5) | BIT(7) | BIT(10) |
			    BIT(11) | BIT(14) | BIT(20) | BIT(25));
			r[2] &= ~(BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(16) | BIT(30));
		} else {
			memset(r, 0, 4 * sizeof(r[0]));
		}
		break;
	case 5: case 6: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12:
	case 0x14: case 0x1f: case 0x8000000a:
		memset(r, 0, 4 * sizeof(r[0]));
		break;
	case 0x80000001:
		r[2] &= ~(BIT(2) | BIT(12) | BIT(13));	/* SVM, SKINIT, WDT */
		r[3] &= ~BIT(26);			/* 1 GiB pages */
		break;
	}
}
