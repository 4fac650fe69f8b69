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
void *priv_vcpu_stack(struct domain *d, unsigned int n) { return pf_ptr(d, pf_vcpu(n, PFV_STACK)); }
uint64_t priv_stub_va(unsigned int vec) { return PRIV_VA + PF_STUBS * PAGE_SIZE + (vec < 32 ? vec * 16 : STUB_GENERIC); }
uint64_t priv_syscall_stub_va(void) { return PRIV_VA + PF_STUBS * PAGE_SIZE + STUB_SYSCALL; }

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
	unsigned int v;

	memset(page, 0xcc, PAGE_SIZE);
	for (v = 0; v < 32; v++)
		emit_stub(page + v * 16, v, vector_has_error(v), STUB_COMMON, v * 16);
	emit_stub(page + STUB_GENERIC, 0xff, false, STUB_COMMON, STUB_GENERIC);
	memcpy(page + STUB_COMMON, common, sizeof(common));
	memcpy(page + STUB_SYSCALL, sysc, sizeof(sysc));
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
	uint16_t iomap = 104;

	xen[(SEL_HV_CS >> 3) - xen_first] = 0x00209b0000000000ull;
	xen[(SEL_HV_SS >> 3) - xen_first] = 0x0000930000000000ull;
	xen[(SEL_TSS >> 3) - xen_first] = 103 | ((base & 0xffffff) << 16) |
	    (0x89ull << 40) | (((base >> 24) & 0xff) << 56);
	xen[(SEL_TSS >> 3) + 1 - xen_first] = base >> 32;
	xen[(SEL_USER_CS32 >> 3) - xen_first] = 0x00cffb000000ffffull;
	xen[(SEL_USER_DS >> 3) - xen_first] = 0x00cff3000000ffffull;
	xen[(SEL_USER_CS >> 3) - xen_first] = 0x00affb000000ffffull;
	memcpy(tss + 4, &rsp0, 8);
	memcpy(tss + 102, &iomap, 2);
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

int priv_init(struct domain *d)
{
	uint64_t nl1 = ALIGN_UP(m2p_pages(d), 512) / 512, i;
	uint64_t *l3, *l2;
	int ret;

	d->nr_priv_pages = PF_M2P_L1 + nl1 + m2p_pages(d);
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

int priv_install_xen_slot(struct domain *d, uint64_t l4_gpa)
{
	uint64_t *l4 = gpa_ptr(d, l4_gpa & ~(PAGE_SIZE - 1), PAGE_SIZE);

	if (l4 == NULL || l4_gpa >= d->nr_pages * PAGE_SIZE)
		return -XEN_EINVAL;
	__atomic_store_n(&l4[XEN_L4_SLOT], pf_gpa(PF_L3) | PTE_P | PTE_RW | PTE_US,
	    __ATOMIC_RELAXED);
	return 0;
}
