/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvtest's memory: the bootstrap mapping the builder made, a bump allocator
 * for the free pages after the bootstrap page tables, and a window through
 * which any of the domain's frames can be mapped with batched mmu_update.
 */
#include "pvtest.h"
#include "hypercall.h"

#define PTE_P 0x1UL
#define PTE_RW 0x2UL
#define PTE_US 0x4UL
#define PTE_ADDR 0x000ffffffffff000UL

/* Xen's default place for the machine-to-phys table, until the hypervisor
 * says where it really is (XENMEM_machphys_mapping). */
static unsigned long *m2p = (unsigned long *)MACH2PHYS_VIRT_START;

/* A 2 MiB window of the kernel's address space backed by our own L1. */
#define WINDOW_VA (VIRT_BASE + 500UL * (2UL << 20))
#define WINDOW_PAGES 512
/* Where mm_vmap puts frames for good: the 2 MiB slots after the window. */
#define VMAP_VA (WINDOW_VA + (2UL << 20))
#define VMAP_END (VIRT_BASE + 1000UL * (2UL << 20))

static unsigned long next_free_pfn, free_limit_pfn;
static uint64_t *window_l1;

unsigned long pfn_to_mfn(unsigned long pfn)
{
	return ((unsigned long *)start_info->mfn_list)[pfn];
}

static uint64_t *table_virt(uint64_t entry)
{
	return pfn_to_virt(m2p[(entry & PTE_ADDR) >> PAGE_SHIFT]);
}

/* The L1 entry mapping va, or NULL if an upper level is not present. */
uint64_t *pte_for(unsigned long va)
{
	uint64_t *t = (uint64_t *)start_info->pt_base;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & PTE_P))
			return NULL;
		t = table_virt(e);
	}
	return &t[(va >> 12) & 511];
}

unsigned long mm_first_free_pfn(void)
{
	return virt_to_pfn((void *)start_info->pt_base) + start_info->nr_pt_frames;
}

void mm_init(void)
{
	struct xen_machphys_mapping mapping;
	unsigned long va;

	if (hv_memory_op(XENMEM_machphys_mapping, &mapping) == 0)
		m2p = (unsigned long *)mapping.v_start;

	next_free_pfn = mm_first_free_pfn();
	/* The builder guarantees at least 512 KiB mapped after the bootstrap. */
	for (va = (unsigned long)pfn_to_virt(next_free_pfn); pte_for(va) &&
	    (*pte_for(va) & PTE_P); va += PAGE_SIZE)
		;
	free_limit_pfn = virt_to_pfn((void *)va);
}

unsigned long mm_alloc_page(void)
{
	unsigned long pfn;

	if (next_free_pfn >= free_limit_pfn) {
		printk("pvtest: out of bootstrap memory\n");
		poweroff(SHUTDOWN_crash);
	}
	pfn = next_free_pfn++;
	memset(pfn_to_virt(pfn), 0, PAGE_SIZE);
	return pfn;
}

/* Make a page of ours read-only in the kernel mapping, as Xen requires of
 * anything that becomes a page table. */
static long mm_make_readonly(void *va)
{
	uint64_t pte = *pte_for((unsigned long)va) & ~PTE_RW;

	return hv_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG);
}

/*
 * An L1 table for the 2 MiB slot at va (in the kernel's first gigabyte,
 * whose L2 the builder made), filled from ptes (512 entries), made
 * read-only and hooked into the L2. 0, or -1.
 */
static int slot_map(unsigned long va, const uint64_t *ptes)
{
	unsigned long pfn = mm_alloc_page();
	uint64_t *l1 = pfn_to_virt(pfn), *t = (uint64_t *)start_info->pt_base, *l2e;
	mmu_update_t u;
	unsigned int done;

	memcpy(l1, ptes, PAGE_SIZE);
	if (mm_make_readonly(l1) != 0)
		return -1;
	t = table_virt(t[(va >> 39) & 511]);
	t = table_virt(t[(va >> 30) & 511]);
	l2e = &t[(va >> 21) & 511];
	if (*l2e & PTE_P)
		return -1;		/* the slot is taken */
	u.ptr = (pfn_to_mfn(virt_to_pfn(t)) << PAGE_SHIFT) +
	    ((unsigned long)l2e & (PAGE_SIZE - 1));
	u.val = (pfn_to_mfn(pfn) << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US;
	return hv_mmu_update(&u, 1, &done) == 0 ? 0 : -1;
}

unsigned long mm_grow(unsigned long pages)
{
	static uint64_t ptes[512];
	unsigned long added = 0, i;

	/* Whole 2 MiB slots past what is mapped, up to our RAM or the window. */
	while (added < pages && free_limit_pfn < start_info->nr_pages &&
	    (unsigned long)pfn_to_virt(free_limit_pfn) < WINDOW_VA &&
	    next_free_pfn < free_limit_pfn) {
		for (i = 0; i < 512; i++)
			ptes[i] = free_limit_pfn + i < start_info->nr_pages ?
			    (pfn_to_mfn(free_limit_pfn + i) << PAGE_SHIFT) | PTE_P | PTE_RW |
			    PTE_US : 0;
		if (slot_map((unsigned long)pfn_to_virt(free_limit_pfn), ptes) != 0)
			break;
		i = start_info->nr_pages - free_limit_pfn;
		i = i < 512 ? i : 512;
		free_limit_pfn += i;
		added += i;
	}
	return added;
}

void *mm_vmap(const unsigned long *mfns, unsigned int count)
{
	static unsigned long next = VMAP_VA;
	static uint64_t ptes[512];
	unsigned long va = next;
	unsigned int i, slots = (count + 511) / 512, s;

	if (count == 0 || next + slots * (2UL << 20) > VMAP_END)
		return NULL;
	for (s = 0; s < slots; s++) {
		for (i = 0; i < 512; i++)
			ptes[i] = s * 512 + i < count ?
			    (mfns[s * 512 + i] << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US : 0;
		if (slot_map(va + s * (2UL << 20), ptes) != 0)
			return NULL;
	}
	next += slots * (2UL << 20);
	return (void *)va;
}

static int window_init(void)
{
	unsigned long pfn = mm_alloc_page();
	uint64_t *l2e;
	mmu_update_t u;
	unsigned int done;
	uint64_t *t = (uint64_t *)start_info->pt_base;

	window_l1 = pfn_to_virt(pfn);
	if (mm_make_readonly(window_l1) != 0)
		return -1;
	t = table_virt(t[(WINDOW_VA >> 39) & 511]);
	t = table_virt(t[(WINDOW_VA >> 30) & 511]);
	l2e = &t[(WINDOW_VA >> 21) & 511];
	u.ptr = (pfn_to_mfn(virt_to_pfn(t)) << PAGE_SHIFT) +
	    ((unsigned long)l2e & (PAGE_SIZE - 1));
	u.val = (pfn_to_mfn(pfn) << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US;
	return hv_mmu_update(&u, 1, &done) == 0 ? 0 : -1;
}

/* Map count (<= WINDOW_PAGES) machine frames from mfn into the window. */
void *mm_map_machine(unsigned long mfn, unsigned int count)
{
	static mmu_update_t req[WINDOW_PAGES];
	struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	unsigned long l1_ma;
	unsigned int i, done;

	if (window_l1 == NULL && window_init() != 0)
		return NULL;
	l1_ma = pfn_to_mfn(virt_to_pfn(window_l1)) << PAGE_SHIFT;
	for (i = 0; i < WINDOW_PAGES; i++) {
		req[i].ptr = l1_ma + i * 8;
		req[i].val = i < count ?
		    ((mfn + i) << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US : 0;
	}
	if (hv_mmu_update(req, WINDOW_PAGES, &done) != 0 || done != WINDOW_PAGES)
		return NULL;
	if (hv_mmuext_op(&flush, 1, &done) != 0)
		return NULL;
	return (void *)WINDOW_VA;
}

/* The same for pseudo-physical frames (contiguous in machine frames too:
 * the builder's P2M is the identity). */
void *mm_map_window(unsigned long pfn, unsigned int count)
{
	return mm_map_machine(pfn_to_mfn(pfn), count);
}
