/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypercalls that set PV CPU state, and the small informational ones. */
#include "config.h"

#include <string.h>

#include "palisade/log.h"
#include "hv.h"

#define CONSOLE_IO_MAX 4096

void console_emit(struct domain *d, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\n' || d->cons_len == sizeof(d->cons_line) - 1) {
			d->cons_line[d->cons_len] = '\0';
			log_info("(d%u) %s", d->domid, d->cons_line);
			d->cons_len = 0;
			if (c == '\n')
				continue;
		}
		if ((c >= 0x20 && c < 0x7f) || c == '\t')
			d->cons_line[d->cons_len++] = c;
	}
}

long hc_console_io(struct vcpu *v, uint64_t *a)
{
	char buf[256];
	uint64_t n = a[1], gva = a[2], done = 0;
	long ret;

	if (a[0] != CONSOLEIO_write && a[0] != CONSOLEIO_read)
		return -XEN_ENOSYS;
	ret = domain_xsm(a[0] == CONSOLEIO_read ? XSM_CONSOLE_READ :
	    XSM_CONSOLE_WRITE, v->d, DOMID_SELF);
	if (ret < 0 || a[0] == CONSOLEIO_read)
		return ret;	/* nothing to read: dom0 reads the log */
	if (n > CONSOLE_IO_MAX)
		return -XEN_EINVAL;
	while (done < n) {
		size_t chunk = MIN(sizeof(buf), n - done);

		if (copy_from_guest(v, buf, gva + done, chunk) < 0)
			return -XEN_EFAULT;
		console_emit(v->d, buf, chunk);
		done += chunk;
	}
	return 0;
}

long hc_xen_version(struct vcpu *v, uint64_t *a)
{
	static const char extra[XEN_EXTRAVERSION_LEN] = "-palisade";
	xen_feature_info_t fi;
	xen_capabilities_info_t caps;
	xen_platform_parameters_t pp;
	xen_compile_info_t ci;
	xen_changeset_info_t cs;

	switch (a[0]) {
	case XENVER_version:
		return (PAL_XEN_MAJOR << 16) | PAL_XEN_MINOR;
	case XENVER_extraversion:
		return copy_to_guest(v, a[1], extra, sizeof(extra));
	case XENVER_capabilities:
		memset(caps, 0, sizeof(caps));
		str_copy(caps, "xen-3.0-x86_64", sizeof(caps));
		return copy_to_guest(v, a[1], caps, sizeof(caps));
	case XENVER_platform_parameters:
		pp.virt_start = HYPERVISOR_VIRT_START;
		return copy_to_guest(v, a[1], &pp, sizeof(pp));
	case XENVER_get_features:
		if (copy_from_guest(v, &fi, a[1], sizeof(fi)) < 0)
			return -XEN_EFAULT;
		fi.submap = 0;
		if (fi.submap_idx == 0)
			fi.submap = (1u << XENFEAT_pae_pgdir_above_4gb) |
			    (1u << XENFEAT_writable_descriptor_tables) |
			    (1u << XENFEAT_gnttab_map_avail_bits);
		if (fi.submap_idx == 0 && v->d->hvm == NULL)	/* mmu_update does it */
			fi.submap |= 1u << XENFEAT_mmu_pt_update_preserve_ad;
		return copy_to_guest(v, a[1], &fi, sizeof(fi));
	case XENVER_compile_info:
		memset(&ci, 0, sizeof(ci));
		str_copy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
		str_copy(ci.compile_by, "palisade", sizeof(ci.compile_by));
		str_copy(ci.compile_date, __DATE__, sizeof(ci.compile_date));
		return copy_to_guest(v, a[1], &ci, sizeof(ci));
	case XENVER_changeset:
		memset(cs, 0, sizeof(cs));
		str_copy(cs, "palisade " PACKAGE_VERSION, sizeof(cs));
		return copy_to_guest(v, a[1], cs, sizeof(cs));
	case XENVER_commandline:
	case XENVER_build_id:
		return -XEN_EPERM;	/* as Xen answers a domain without privilege */
	case XENVER_pagesize:
		return PAGE_SIZE;
	case XENVER_guest_handle:
		return copy_to_guest(v, a[1], v->d->uuid, sizeof(v->d->uuid));
	default:
		return -XEN_ENOSYS;
	}
}

long hc_set_trap_table(struct vcpu *v, uint64_t *a)
{
	struct trap_info ti;
	uint64_t gva = a[0];
	unsigned int i;

	if (gva == 0) {
		memset(v->traps, 0, sizeof(v->traps));
		return 0;
	}
	for (i = 0; i < 256; i++, gva += sizeof(ti)) {
		if (copy_from_guest(v, &ti, gva, sizeof(ti)) < 0)
			return -XEN_EFAULT;
		if (ti.address == 0)
			break;
		if (!gva_canonical(ti.address))
			return -XEN_EINVAL;
		v->traps[ti.vector] = ti;
	}
	return 0;
}

long hc_stack_switch(struct vcpu *v, uint64_t *a)
{
	v->kernel_ss = a[0];
	v->kernel_sp = a[1];
	return 0;
}

static long callback_register(struct vcpu *v, unsigned int type, uint64_t addr,
    unsigned int flags)
{
	if (!gva_canonical(addr))
		return -XEN_EINVAL;
	switch (type) {
	case CALLBACKTYPE_event:
		v->event_cb = addr;
		return 0;
	case CALLBACKTYPE_failsafe:
		v->failsafe_cb = addr;
		return 0;
	case CALLBACKTYPE_syscall:
		v->syscall_cb = addr;
		v->syscall_mask_events = flags & CALLBACKF_mask_events;
		return 0;
	case CALLBACKTYPE_nmi:
		return 0;
	default:
		return -XEN_EINVAL;
	}
}

long hc_set_callbacks(struct vcpu *v, uint64_t *a)
{
	if (!gva_canonical(a[0]) || !gva_canonical(a[1]) || !gva_canonical(a[2]))
		return -XEN_EINVAL;
	v->event_cb = a[0];
	v->failsafe_cb = a[1];
	v->syscall_cb = a[2];
	return 0;
}

long hc_callback_op(struct vcpu *v, uint64_t *a)
{
	struct callback_register reg;
	struct callback_unregister unreg;

	switch (a[0]) {
	case CALLBACKOP_register:
		if (copy_from_guest(v, &reg, a[1], sizeof(reg)) < 0)
			return -XEN_EFAULT;
		return callback_register(v, reg.type, reg.address, reg.flags);
	case CALLBACKOP_unregister:
		if (copy_from_guest(v, &unreg, a[1], sizeof(unreg)) < 0)
			return -XEN_EFAULT;
		return callback_register(v, unreg.type, 0, 0);
	default:
		return -XEN_ENOSYS;
	}
}

long hc_set_segment_base(struct vcpu *v, uint64_t *a)
{
	switch (a[0]) {
	case SEGBASE_FS:
		v->fs_base = a[1];
		v->sregs.fs.base = a[1];
		break;
	case SEGBASE_GS_USER:
		v->gs_base_user = a[1];
		if (!v->kernel_mode)
			v->sregs.gs.base = a[1];
		break;
	case SEGBASE_GS_KERNEL:
		v->gs_base_kernel = a[1];
		if (v->kernel_mode)
			v->sregs.gs.base = a[1];
		break;
	case SEGBASE_GS_USER_SEL:
		pv_load_user_gs(v, (uint16_t)a[1]);
		return 0;
	default:
		return -XEN_EINVAL;
	}
	v->sregs_dirty = true;
	return 0;
}

/*
 * physdev_op as Xen answers a domain without devices: its virtual IOPL
 * (which cli/sti and port I/O are checked against, pv_emul.c) and its I/O
 * bitmap; the interrupt and PCI operations are for dom0 and passthrough.
 */
long hc_physdev_op(struct vcpu *v, uint64_t *a)
{
	struct physdev_set_iopl iopl;
	struct physdev_set_iobitmap bm;

	switch (a[0]) {
	case PHYSDEVOP_set_iopl:
		if (copy_from_guest(v, &iopl, a[1], sizeof(iopl)) < 0)
			return -XEN_EFAULT;
		if (iopl.iopl > 3)
			return -XEN_EINVAL;
		v->iopl = iopl.iopl;
		return 0;
	case PHYSDEVOP_set_iobitmap:
		if (copy_from_guest(v, &bm, a[1], sizeof(bm)) < 0)
			return -XEN_EFAULT;
		if (bm.nr_ports > 65536)
			return -XEN_EINVAL;
		v->iobmp = (uint64_t)(uintptr_t)bm.bitmap.p;
		v->iobmp_ports = bm.nr_ports;
		return 0;
	default:
		return -XEN_ENOSYS;
	}
}

/*
 * Debug registers as Xen keeps them for a PV guest: checked and stored per
 * vCPU. Breakpoints are not armed on the host (nothing here delivers #DB).
 */
#define DR6_RESERVED_ONE	0xffff0ff0ull
#define DR7_RESERVED_ONE	0x400ull
#define DR7_GENERAL_DETECT	(1ull << 13)
#define DR7_RESERVED_ZERO	0xffffffff0000d000ull	/* bits 12, 14, 15 and 32-63 */

long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t val)
{
	switch (reg) {
	case 0: case 1: case 2: case 3:
		if (!gva_canonical(val) || (val >= HYPERVISOR_VIRT_START &&
		    val < HYPERVISOR_VIRT_END))
			return -XEN_EPERM;
		break;
	case 6:
		val = (val & 0xe00f) | DR6_RESERVED_ONE;
		break;
	case 7:
		if (val & (DR7_GENERAL_DETECT | DR7_RESERVED_ZERO))
			return -XEN_EPERM;
		val |= DR7_RESERVED_ONE;
		break;
	default:
		return -XEN_EINVAL;
	}
	v->debugreg[reg] = val;
	return 0;
}

long hc_set_debugreg(struct vcpu *v, uint64_t *a)
{
	return a[0] > 7 ? -XEN_EINVAL : pv_set_debugreg(v, (unsigned int)a[0], a[1]);
}

/* The value itself is the result, as in Xen (so a value that looks like an
 * error code is indistinguishable from one, there too). */
long hc_get_debugreg(struct vcpu *v, uint64_t *a)
{
	if (a[0] > 7 || a[0] == 4 || a[0] == 5)
		return -XEN_EINVAL;
	return (long)v->debugreg[a[0]];
}

/*
 * Lazy FPU switching needs CR0.TS to raise #NM on the next FPU use. Where
 * the host ignores TS at CPL3 (kvm-pvm) nothing can stand in for it, so
 * setting TS is refused rather than silently never faulting; clearing it
 * always works. Current Linux PV kernels switch the FPU eagerly.
 */
long hc_fpu_taskswitch(struct vcpu *v, uint64_t *a)
{
	if (a[0] != 0 && !hv.cr0_ts_honoured) {
		gwarn(v->d, "v%u: fpu_taskswitch(1): this host cannot raise #NM", v->id);
		return -XEN_EOPNOTSUPP;
	}
	v->fpu_ts = a[0] != 0;
	if (v->fpu_ts)
		v->sregs.cr0 |= X86_CR0_TS;
	else
		v->sregs.cr0 &= ~X86_CR0_TS;
	v->sregs_dirty = true;
	return 0;
}

long hc_vm_assist(struct vcpu *v, uint64_t *a)
{
	const uint64_t known = (1ull << VMASST_TYPE_4gb_segments) |
	    (1ull << VMASST_TYPE_4gb_segments_notify) |
	    (1ull << VMASST_TYPE_writable_pagetables) |
	    (1ull << VMASST_TYPE_pae_extended_cr3) |
	    (1ull << VMASST_TYPE_architectural_iopl) |
	    (1ull << VMASST_TYPE_m2p_strict);

	if (a[1] >= 64 || !(known & (1ull << a[1])))
		return -XEN_EINVAL;
	if (a[0] == VMASST_CMD_enable)
		v->d->vm_assist |= 1ull << a[1];
	else if (a[0] == VMASST_CMD_disable)
		v->d->vm_assist &= ~(1ull << a[1]);
	else
		return -XEN_ENOSYS;
	return 0;
}

long hc_iret(struct vcpu *v, uint64_t *a)
{
	(void)a;
	return pv_do_iret(v);
}
