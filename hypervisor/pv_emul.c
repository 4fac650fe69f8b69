/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The privileged instructions Xen emulates for a PV kernel when they raise
 * #GP at its (unprivileged) ring: rdmsr/wrmsr of the segment bases and
 * EFER, mov to and from %cr0/%cr2/%cr3/%cr4 and %dr0-7, wbinvd; and, by
 * the virtual IOPL (physdev_op set_iopl) or the guest's I/O bitmap, cli
 * and sti as the event mask and in/out, in either mode. Linux's
 * startup_xen writes MSR_GS_BASE with a plain wrmsr before it has a trap
 * table. Anything else gets the #GP.
 */
#include "config.h"

#include <string.h>

#include "palisade/log.h"
#include "hv.h"

#define MSR_EFER		0xc0000080u
#define MSR_FS_BASE		0xc0000100u
#define MSR_GS_BASE		0xc0000101u
#define MSR_SHADOW_GS_BASE	0xc0000102u
#define PV_EFER			0xd01ull	/* SCE, LME, LMA, NX */
#define PV_CR0			0x80050033ull	/* PG, AM, WP, NE, ET, MP, PE */
#define PV_CR4			0x6a0ull	/* PAE, PGE off, OSFXSR, OSXMMEXCPT, VMXE off */
#define CR4_GUEST_BITS		0x4ull		/* TSD: remembered, not enforced */

/* Register n of ModRM.rm (with REX.B); rsp lives in the frame. */
uint64_t *pv_gpr(struct vcpu *v, unsigned int n)
{
	__u64 *r[16] = {
		&v->regs.rax, &v->regs.rcx, &v->regs.rdx, &v->regs.rbx,
		&v->regs.rsp, &v->regs.rbp, &v->regs.rsi, &v->regs.rdi,
		&v->regs.r8, &v->regs.r9, &v->regs.r10, &v->regs.r11,
		&v->regs.r12, &v->regs.r13, &v->regs.r14, &v->regs.r15,
	};

	return n == 4 ? (uint64_t *)&v->frame.rsp : (uint64_t *)r[n & 15];
}

static bool emul_rdmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val;

	switch (msr) {
	case MSR_FS_BASE:
		val = v->fs_base;
		break;
	case MSR_GS_BASE:
		val = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user;
		break;
	case MSR_SHADOW_GS_BASE:
		val = v->kernel_mode ? v->gs_base_user : v->gs_base_kernel;
		break;
	case MSR_EFER:
		val = PV_EFER;
		break;
	default:
		log_debug("d%u v%u: rdmsr %#x: #GP", v->d->domid, v->id, msr);
		return false;
	}
	v->regs.rax = (uint32_t)val;
	v->regs.rdx = val >> 32;
	return true;
}

static bool emul_wrmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t a[2] = { 0, (v->regs.rdx << 32) | (uint32_t)v->regs.rax };

	switch (msr) {
	case MSR_FS_BASE:
		a[0] = SEGBASE_FS;
		break;
	case MSR_GS_BASE:
		a[0] = v->kernel_mode ? SEGBASE_GS_KERNEL : SEGBASE_GS_USER;
		break;
	case MSR_SHADOW_GS_BASE:
		a[0] = v->kernel_mode ? SEGBASE_GS_USER : SEGBASE_GS_KERNEL;
		break;
	case MSR_EFER:
		return a[1] == PV_EFER;
	default:
		log_debug("d%u v%u: wrmsr %#x: #GP", v->d->domid, v->id, msr);
		return false;
	}
	if (!gva_canonical(a[1]))
		return false;
	return hc_set_segment_base(v, a) == 0;
}

static bool emul_read_cr(struct vcpu *v, unsigned int cr, uint64_t *dst)
{
	vcpu_info_t *vi;

	switch (cr) {
	case 0:
		*dst = PV_CR0 | (v->fpu_ts ? X86_CR0_TS : 0);
		return true;
	case 2:
		vi = vcpu_info_ptr(v);
		*dst = vi != NULL ? vi->arch.cr2 : 0;
		return true;
	case 3:
		*dst = v->kernel_cr3;
		return true;
	case 4:
		*dst = PV_CR4 | v->guest_cr4;
		return true;
	}
	return false;
}

static bool emul_write_cr(struct vcpu *v, unsigned int cr, uint64_t val)
{
	uint64_t mfn, a[1];
	vcpu_info_t *vi;

	switch (cr) {
	case 0:		/* only TS is the guest's: fpu_taskswitch */
		a[0] = (val & X86_CR0_TS) != 0;
		return hc_fpu_taskswitch(v, a) == 0;
	case 2:
		vi = vcpu_info_ptr(v);
		if (vi != NULL)
			vi->arch.cr2 = val;
		return true;
	case 3:
		mfn = (val & 0x000ffffffffff000ull) >> PAGE_SHIFT;
		if (!mfn_is_guest_ram(v->d, mfn))
			return false;
		v->kernel_cr3 = mfn << PAGE_SHIFT;
		vcpu_set_cr3(v, v->kernel_cr3);
		return true;
	case 4:		/* Xen ignores what a PV guest may not change */
		v->guest_cr4 = val & CR4_GUEST_BITS;
		return true;
	}
	return false;
}

/* mov to/from %drN: kept per vCPU, as set_debugreg keeps them; not armed. */
static bool emul_mov_dr(struct vcpu *v, bool to, unsigned int dr, uint64_t *reg)
{
	if (dr == 4 || dr == 5)
		dr += 2;
	if (dr > 7)
		return false;
	if (to)
		return pv_set_debugreg(v, dr, *reg) == 0;
	*reg = v->debugreg[dr];
	return true;
}

/* 0f 20-23 /r: mov to or from a control or debug register. */
static bool emul_mov_crdr(struct vcpu *v, uint8_t op, uint8_t modrm, bool rexr,
    bool rexb)
{
	unsigned int reg = ((modrm >> 3) & 7) | (rexr ? 8 : 0);
	uint64_t *r = pv_gpr(v, (modrm & 7) | (rexb ? 8 : 0));

	if ((modrm & 0xc0) != 0xc0)
		return false;
	switch (op) {
	case 0x20:
		return emul_read_cr(v, reg, r);
	case 0x22:
		return emul_write_cr(v, reg, *r);
	case 0x21:
		return emul_mov_dr(v, false, reg, r);
	default:
		return emul_mov_dr(v, true, reg, r);
	}
}

/* Xen's iopl_ok: the kernel counts as ring 1 unless the guest asked for
 * VMASST_TYPE_architectural_iopl, user mode as ring 3. */
static bool iopl_ok(const struct vcpu *v)
{
	unsigned int cpl = !v->kernel_mode ? 3 :
	    (v->d->vm_assist & (1ull << VMASST_TYPE_architectural_iopl)) ? 0 : 1;

	return cpl <= v->iopl;
}

static bool emul_cli_sti(struct vcpu *v, bool sti)
{
	vcpu_info_t *vi = vcpu_info_ptr(v);

	if (!iopl_ok(v) || vi == NULL)
		return false;
	vi->evtchn_upcall_mask = !sti;
	return true;
}

/* Xen's guest_io_okay: the virtual IOPL, or the guest's own I/O bitmap
 * (physdev_op set_iobitmap: a clear bit lets the port through). */
static bool io_ok(struct vcpu *v, unsigned int port, unsigned int bytes)
{
	uint16_t bits;

	if (iopl_ok(v))
		return true;
	if (port + bytes > v->iobmp_ports ||
	    copy_from_guest(v, &bits, v->iobmp + port / 8, 2) < 0)
		return false;
	return ((bits >> (port & 7)) & ((1u << bytes) - 1)) == 0;
}

/*
 * A port access as Xen answers a domain that has no I/O ports of its own,
 * where io_ok allows it: reads give all ones except the PCI address latch
 * at 0xcf8 (4 bytes), which keeps what was written, and writes go nowhere.
 * False: not allowed (Xen's guest gets its #GP).
 */
bool pv_port_io(struct vcpu *v, unsigned int port, unsigned int bytes,
    bool in, uint32_t *val)
{
	if (!io_ok(v, port, bytes))
		return false;
	if (in)
		*val = port == 0xcf8 && bytes == 4 ? v->d->pci_cf8 : 0xffffffffu;
	else if (port == 0xcf8 && bytes == 4)
		v->d->pci_cf8 = *val;
	return true;
}

/* in and out at #GP: the CPU sends every port here but the hypervisor's
 * own (the TSS's I/O bitmap), where it honours the bitmap. */
static bool emul_pio(struct vcpu *v, uint8_t op, const uint8_t *imm,
    bool opsize)
{
	unsigned int port = (op & 8) ? (uint16_t)v->regs.rdx : *imm;
	unsigned int bytes = !(op & 1) ? 1 : opsize ? 2 : 4;
	bool in = !(op & 2);
	uint32_t val = (uint32_t)v->regs.rax;

	if (!pv_port_io(v, port, bytes, in, &val))
		return false;
	if (!in)
		return true;
	if (bytes == 4)
		v->regs.rax = val;		/* a 32-bit result zero-extends */
	else
		v->regs.rax = (v->regs.rax & ~((1ull << (bytes * 8)) - 1)) |
		    (val & ((1u << (bytes * 8)) - 1));
	return true;
}

bool pv_emulate_priv(struct vcpu *v)
{
	uint8_t b[8];
	unsigned int len = 0;
	bool rexr = false, rexb = false, opsize = false, ok;

	if (copy_from_guest(v, b, v->frame.rip, sizeof(b)) < 0)
		return false;
	if (b[0] == 0xfa || b[0] == 0xfb) {
		if (!emul_cli_sti(v, b[0] == 0xfb))
			return false;
		v->frame.rip++;
		return true;
	}
	while (len < 4 && (b[len] == 0x66 || b[len] == 0xf2 || b[len] == 0xf3))
		opsize |= b[len++] == 0x66;
	if ((b[len] & 0xf0) == 0x40) {
		rexr = b[len] & 4;
		rexb = b[len] & 1;
		len++;
	}
	if ((b[len] & 0xf4) == 0xe4) {	/* REX changes no port access */
		if (!emul_pio(v, b[len], &b[len + 1], opsize))
			return false;
		v->frame.rip += len + ((b[len] & 8) ? 1 : 2);
		v->regs_dirty = true;
		return true;
	}
	if (!v->kernel_mode)
		return false;
	if (b[len] != 0x0f)
		return false;
	switch (b[len + 1]) {
	case 0x30:
		ok = emul_wrmsr(v);
		len += 2;
		break;
	case 0x32:
		ok = emul_rdmsr(v);
		len += 2;
		break;
	case 0x09:		/* wbinvd: nothing to write back here */
		ok = true;
		len += 2;
		break;
	case 0x20: case 0x21: case 0x22: case 0x23:
		ok = emul_mov_crdr(v, b[len + 1], b[len + 2], rexr, rexb);
		len += 3;
		break;
	default:
		return false;
	}
	if (!ok)
		return false;
	v->frame.rip += len;
	v->regs_dirty = true;
	return true;
}
