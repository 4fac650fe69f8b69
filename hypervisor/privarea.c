/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor-private part of a PV domain's address space, Xen's
 * reserved L4 slot (XEN_L4_SLOT): the read-only machine-to-phys table at
 * M2P_VA, and (supervisor-only) per-vCPU GDT, TSS and stack,
 * the IDT and the ring-0 trap stubs. Its frames live in their own memfd at
 * PRIV_GPA, outside anything the guest can name with mmu_update.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/hcall.h"
#include "palisade/log.h"
#include "palisade/util.h"
#include "hv.h"
#include "kvm.h"

#define PTE_P	0x1ull
#define PTE_RW	0x2ull
#define PTE_US	0x4ull

#define STUB_GENERIC	512
#define STUB_COMMON	576
#define STUB_SYSCALL	640
#define STUB_PTSYNC	704

static uint64_t pf_gpa(unsigned int pf) { return PRIV_GPA + (uint64_t)pf * PAGE_SIZE; }
static void *pf_ptr(struct domain *d, unsigned int pf) { return d->priv + (uint64_t)pf * PAGE_SIZE; }
static unsigned int pf_vcpu(unsigned int n, unsigned int which) { return PF_VCPU_BASE + PF_PER_VCPU * n + which; }

/*
 * Virtual layout of the private 2 MiB (one L1): the first PF_VCPU_BASE
 * slots map the shared frames of the same index; then each vCPU has a
 * window of GDT_PAGES GDT pages, its TSS and its stack. Only pages 0 and
 * GDT_XEN_PAGE of a GDT hold descriptors; the rest show one zero frame.
 */
#define VA_PER_VCPU	(GDT_PAGES + 2)
_Static_assert(PF_VCPU_BASE + VA_PER_VCPU * HV_MAX_VCPUS <= 512,
    "the private area's virtual layout must fit one L1 table");
static uint64_t va_slot(unsigned int slot) { return PRIV_VA + (uint64_t)slot * PAGE_SIZE; }
static unsigned int vcpu_slot(unsigned int n) { return PF_VCPU_BASE + VA_PER_VCPU * n; }

uint64_t priv_idt_va(void) { return va_slot(PF_IDT); }
uint64_t priv_vcpu_gdt_va(unsigned int n) { return va_slot(vcpu_slot(n)); }
uint64_t *priv_vcpu_gdt(struct vcpu *v)
{
	return pf_ptr(v->d, pf_vcpu(v->id, PFV_GDT_LOW));
}
uint64_t priv_tss_va(unsigned int n) { return va_slot(vcpu_slot(n) + GDT_PAGES); }
uint64_t priv_vcpu_stack_top_va(unsigned int n) { return va_slot(vcpu_slot(n) + GDT_PAGES + 2); }
/* The descriptor the CPU finds for sel in this vCPU's GDT (0 if none). */
uint64_t priv_vcpu_desc(struct vcpu *v, uint16_t sel)
{
	unsigned int idx = sel >> 3, per_page = PAGE_SIZE / 8;

	if (sel & 4)
		return 0;			/* no LDTs */
	if (idx < per_page)
		return priv_vcpu_gdt(v)[idx];
	if (idx / per_page == GDT_XEN_PAGE)
		return ((uint64_t *)pf_ptr(v->d, pf_vcpu(v->id, PFV_GDT_XEN)))[idx % per_page];
	return 0;
}
void *priv_vcpu_stack(struct domain *d, unsigned int n) { return pf_ptr(d, pf_vcpu(n, PFV_STACK)); }
uint64_t priv_stub_va(unsigned int vec) { return PRIV_VA + PF_STUBS * PAGE_SIZE + (vec < 32 ? vec * 16 : STUB_GENERIC); }
/* The common stub past its exit: add $16, %rsp; iretq. */
uint64_t priv_iret_stub_va(void) { return PRIV_VA + PF_STUBS * PAGE_SIZE + STUB_COMMON + 2; }
uint64_t priv_syscall_stub_va(void) { return PRIV_VA + PF_STUBS * PAGE_SIZE + STUB_SYSCALL; }
uint64_t priv_ptsync_stub_va(void) { return PRIV_VA + PF_STUBS * PAGE_SIZE + STUB_PTSYNC; }
/* An L4 of our own with only the Xen slot: the guest never names it, so
 * KVM's view of it is always what was built here. */
uint64_t priv_stub_cr3(void) { return pf_gpa(PF_L4_STUB); }
/* pt_sync's list shares the stack page: the stacks use its top 512 bytes. */
uint64_t *priv_ptsync_log(struct vcpu *v) { return priv_vcpu_stack(v->d, v->id); }
uint64_t priv_ptsync_log_va(unsigned int n) { return priv_vcpu_stack_top_va(n) - PAGE_SIZE; }
_Static_assert(PT_LOG_MAX * 8 <= PAGE_SIZE - 512, "pt_sync's list leaves the stack room");

shared_info_t *priv_shared_info(struct domain *d)
{
	return pf_ptr(d, PF_SHARED_INFO);
}

static bool vector_has_error(unsigned int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 ||
	    v == 29 || v == 30;
}

static uint8_t *emit_stub(uint8_t *p, unsigned int vec, bool err, uint32_t target_off,
    uint32_t here_off)
{
	int32_t rel;

	if (!err) {
		*p++ = 0x6a;		/* push $0: a dummy error code */
		*p++ = 0x00;
		here_off += 2;
	}
	*p++ = 0x68;			/* push $vec */
	memcpy(p, &vec, 4);
	p += 4;
	here_off += 5;
	*p++ = 0xe9;			/* jmp common */
	rel = (int32_t)target_off - (int32_t)(here_off + 5);
	memcpy(p, &rel, 4);
	return p + 4;
}

static void build_stubs(uint8_t *page)
{
	static const uint8_t common[] = {
		0xe6, PAL_TRAP_PORT,		/* out %al, $trap_port */
		0x48, 0x83, 0xc4, 0x10,		/* add $16, %rsp */
		0x48, 0xcf,			/* iretq */
	};
	static const uint8_t sysc[] = {
		0xe6, PAL_SYSCALL_PORT,		/* out %al, $syscall_port */
		0x48, 0x0f, 0x07,		/* sysretq */
	};
	/* pt_sync, on priv_stub_cr3: %rdi the list of entries' addresses,
	 * %rcx their number, %rsi DM_VA. Each entry is written again with its
	 * own value, now by the guest's CPU, so KVM's MMU (a shadow one on
	 * kvm-pvm) sees it; a locked or, so a write another vCPU's thread
	 * makes meanwhile stays. */
	static const uint8_t ptsync[] = {
		0x48, 0x85, 0xc9,		/* test %rcx, %rcx */
		0x74, 0x12,			/* jz 2f */
		0x48, 0x8b, 0x07,		/* 1: mov (%rdi), %rax */
		0xf0, 0x48, 0x83, 0x0c, 0x06, 0x00, /* lock orq $0, (%rsi,%rax) */
		0x48, 0x83, 0xc7, 0x08,		/* add $8, %rdi */
		0x48, 0xff, 0xc9,		/* dec %rcx */
		0x75, 0xee,			/* jnz 1b */
		0xe6, PAL_PTSYNC_PORT,		/* 2: out %al, $ptsync_port */
		0x0f, 0x0b,			/* ud2 */
	};
	unsigned int v;

	memset(page, 0xcc, PAGE_SIZE);
	for (v = 0; v < 32; v++)
		emit_stub(page + v * 16, v, vector_has_error(v), STUB_COMMON, v * 16);
	emit_stub(page + STUB_GENERIC, 0xff, false, STUB_COMMON, STUB_GENERIC);
	memcpy(page + STUB_COMMON, common, sizeof(common));
	memcpy(page + STUB_SYSCALL, sysc, sizeof(sysc));
	memcpy(page + STUB_PTSYNC, ptsync, sizeof(ptsync));
}

static void build_idt(uint8_t *idt)
{
	unsigned int v;

	for (v = 0; v < 256; v++) {
		uint64_t off = priv_stub_va(v);
		uint8_t *g = idt + v * 16;
		uint16_t sel = SEL_HV_CS;
		uint8_t attr = (v == 3 || v == 4) ? 0xee : 0x8e;

		memset(g, 0, 16);
		g[0] = off & 0xff;
		g[1] = (off >> 8) & 0xff;
		memcpy(g + 2, &sel, 2);
		g[5] = attr;
		g[6] = (off >> 16) & 0xff;
		g[7] = (off >> 24) & 0xff;
		memcpy(g + 8, (uint32_t[]){ (uint32_t)(off >> 32) }, 4);
	}
}

static void build_gdt_tss(struct domain *d, unsigned int n)
{
	uint64_t *xen = pf_ptr(d, pf_vcpu(n, PFV_GDT_XEN));
	uint8_t *tss = pf_ptr(d, pf_vcpu(n, PFV_TSS));
	uint64_t base = priv_tss_va(n), rsp0 = priv_vcpu_stack_top_va(n);
	const unsigned int xen_first = GDT_XEN_PAGE * PAGE_SIZE / 8;

	xen[(SEL_HV_CS >> 3) - xen_first] = 0x00209b0000000000ull;
	xen[(SEL_HV_SS >> 3) - xen_first] = 0x0000930000000000ull;
	xen[(SEL_TSS >> 3) - xen_first] = TSS_LIMIT | ((base & 0xffffff) << 16) |
	    (0x89ull << 40) | (((base >> 24) & 0xff) << 56);
	xen[(SEL_TSS >> 3) + 1 - xen_first] = base >> 32;
	xen[(SEL_USER_CS32 >> 3) - xen_first] = 0x00cffb000000ffffull;
	xen[(SEL_USER_DS >> 3) - xen_first] = 0x00cff3000000ffffull;
	xen[(SEL_USER_CS >> 3) - xen_first] = 0x00affb000000ffffull;
	memcpy(tss + 4, &rsp0, 8);
	priv_io_bitmap(tss);
}

/* Guest code runs with IOPL 0 where the host honours this: only the
 * hypervisor's ports get through; every other in/out is a #GP, emulated
 * by the virtual IOPL (pv_emul.c). Ports past the bitmap are past the
 * limit. */
void priv_io_bitmap(uint8_t *tss)
{
	uint16_t iomap = 104;

	memcpy(tss + 102, &iomap, 2);
	memset(tss + iomap, 0xff, TSS_LIMIT + 1 - iomap);
	tss[iomap + PAL_HCALL_PORT / 8] &= ~(0xf << (PAL_HCALL_PORT % 8));
	_Static_assert(PAL_HCALL_PORT % 8 == 4 && PAL_PTSYNC_PORT == PAL_HCALL_PORT + 3,
	    "the hypervisor's ports are the top half of one bitmap byte");
}

/* Supervisor-only mappings of the shared frames and every vCPU's window. */
static void build_priv_l1(struct domain *d)
{
	uint64_t *l1 = pf_ptr(d, PF_L1_PRIV);
	unsigned int i, n, p;

	for (i = 0; i < PF_VCPU_BASE; i++)
		l1[i] = pf_gpa(i) | PTE_P | PTE_RW;
	for (n = 0; n < HV_MAX_VCPUS; n++) {
		uint64_t *w = &l1[vcpu_slot(n)];

		for (p = 0; p < GDT_PAGES; p++)
			w[p] = pf_gpa(PF_ZERO) | PTE_P;
		w[0] = pf_gpa(pf_vcpu(n, PFV_GDT_LOW)) | PTE_P | PTE_RW;
		w[GDT_XEN_PAGE] = pf_gpa(pf_vcpu(n, PFV_GDT_XEN)) | PTE_P | PTE_RW;
		w[GDT_PAGES] = pf_gpa(pf_vcpu(n, PFV_TSS)) | PTE_P | PTE_RW;
		w[GDT_PAGES + 1] = pf_gpa(pf_vcpu(n, PFV_STACK)) | PTE_P | PTE_RW;
	}
}

static uint64_t m2p_pages(struct domain *d)
{
	return ALIGN_UP(d->max_pages * 8, PAGE_SIZE) / PAGE_SIZE;
}

static void build_m2p(struct domain *d)
{
	uint64_t np = m2p_pages(d), nl1 = ALIGN_UP(np, 512) / 512;
	uint64_t first = PF_M2P_L1 + nl1, i;
	uint64_t *l2 = pf_ptr(d, PF_L2_M2P);
	uint64_t *m2p = pf_ptr(d, first);

	for (i = 0; i < nl1; i++)
		l2[i] = pf_gpa(PF_M2P_L1 + i) | PTE_P | PTE_RW | PTE_US;
	for (i = 0; i < np; i++) {
		uint64_t *l1 = pf_ptr(d, PF_M2P_L1 + i / 512);

		l1[i % 512] = pf_gpa(first + i) | PTE_P | PTE_US;
	}
	for (i = 0; i < d->max_pages; i++)
		m2p[i] = i;	/* pseudo-physical == machine within a domain */
}

static uint64_t dm_l2s(struct domain *d)
{
	return ALIGN_UP(d->max_pages, 512 * 512) / (512 * 512);
}

/* DM_VA: the guest's RAM in 2 MiB pages, supervisor-only, dirty and
 * accessed already (nobody needs to write these entries). */
static void build_dm(struct domain *d, uint64_t first)
{
	uint64_t *l3 = pf_ptr(d, PF_L3), i;

	for (i = 0; i < dm_l2s(d); i++)
		l3[((DM_VA >> 30) & 511) + i] = pf_gpa(first + i) | PTE_P | PTE_RW;
	for (i = 0; i < ALIGN_UP(d->max_pages, 512) / 512; i++) {
		uint64_t *l2 = pf_ptr(d, first + i / 512);

		l2[i % 512] = (i << 21) | PTE_P | PTE_RW | 0x60 | 0x80;
	}
}

int priv_init(struct domain *d)
{
	uint64_t nl1 = ALIGN_UP(m2p_pages(d), 512) / 512, i;
	uint64_t *l3, *l2;
	int ret;

	if (d->max_pages * PAGE_SIZE > DM_MAX)
		return -EINVAL;
	d->nr_priv_pages = PF_M2P_L1 + nl1 + m2p_pages(d) + dm_l2s(d);
	d->priv_fd = memfd_create("palisade-priv", MFD_CLOEXEC);
	if (d->priv_fd < 0)
		return -errno;
	if (ftruncate(d->priv_fd, d->nr_priv_pages * PAGE_SIZE) < 0)
		return -errno;
	d->priv = mmap(NULL, d->nr_priv_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, d->priv_fd, 0);
	if (d->priv == MAP_FAILED) {
		d->priv = NULL;
		return -errno;
	}
	((uint64_t *)pf_ptr(d, PF_L4_STUB))[XEN_L4_SLOT] = pf_gpa(PF_L3) | PTE_P | PTE_RW;
	l3 = pf_ptr(d, PF_L3);
	l3[0] = pf_gpa(PF_L2_M2P) | PTE_P | PTE_RW | PTE_US;
	l3[(PRIV_VA >> 30) & 511] = pf_gpa(PF_L2_PRIV) | PTE_P | PTE_RW;
	l2 = pf_ptr(d, PF_L2_PRIV);
	l2[0] = pf_gpa(PF_L1_PRIV) | PTE_P | PTE_RW;
	build_priv_l1(d);
	build_stubs(pf_ptr(d, PF_STUBS));
	build_idt(pf_ptr(d, PF_IDT));
	for (i = 0; i < HV_MAX_VCPUS; i++)
		build_gdt_tss(d, i);
	build_m2p(d);
	build_dm(d, PF_M2P_L1 + nl1 + m2p_pages(d));
	/* An HVM guest sees its private frames only where add_to_physmap
	 * puts them. */
	if (d->hvm != NULL)
		return 0;
	ret = kvm_set_memslot(d->vm_fd, 1, PRIV_GPA, d->nr_priv_pages * PAGE_SIZE,
	    d->priv);
	return ret;
}

void priv_fini(struct domain *d)
{
	if (d->priv != NULL)
		munmap(d->priv, d->nr_priv_pages * PAGE_SIZE);
	if (d->priv_fd >= 0)
		close(d->priv_fd);
	d->priv = NULL;
	d->priv_fd = -1;
}

int priv_install_xen_slot(struct vcpu *v, uint64_t l4_gpa)
{
	uint64_t *l4 = gpa_ptr(v->d, l4_gpa & ~(PAGE_SIZE - 1), PAGE_SIZE);
	uint64_t slot = pf_gpa(PF_L3) | PTE_P | PTE_RW | PTE_US;

	if (l4 == NULL || !mfn_is_guest_ram(v->d, l4_gpa >> PAGE_SHIFT))
		return -XEN_EINVAL;
	if (__atomic_load_n(&l4[XEN_L4_SLOT], __ATOMIC_RELAXED) != slot)
		pt_store(v, &l4[XEN_L4_SLOT], slot);
	return 0;
}
