/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV domain builder: lays a kernel out in a new domain's memory as
 * xen.h's start-of-day comment describes. From VIRT_BASE, 4 KiB aligned and
 * packed: the kernel, the ramdisk, the phys-to-machine list, start_info,
 * the store page, the console page, the bootstrap page tables (mapped
 * read-only) and one page of boot stack; the mapping then runs on to a
 * 4 MiB boundary with at least 512 KiB of padding.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "palisade/hcall.h"
#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"

#define PTE_P	0x1ull
#define PTE_RW	0x2ull
#define PTE_US	0x4ull
#define PTE_A	0x20ull
#define PTE_D	0x40ull
#define PAD_PAGES 128			/* 512 KiB */
#define ALIGN_PAGES 1024		/* 4 MiB */

static int lay_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Page-table pages needed to map pages pages from virt_base. */
static uint64_t pt_pages_for(uint64_t virt_base, uint64_t pages)
{
	uint64_t end = virt_base + pages * PAGE_SIZE - 1, n = 1;
	int shift;

	for (shift = 39; shift >= 21; shift -= 9)
		n += ((end >> shift) - (virt_base >> shift)) + 1;
	return n;
}

int pv_layout_compute(struct pv_layout *l, const struct elf_image *img,
    uint64_t ramdisk_len, uint64_t nr_pages, char *err, size_t n)
{
	uint64_t next, total, mapped = 0;
	int i;

	memset(l, 0, sizeof(*l));
	l->nr_pages = nr_pages;
	l->virt_base = img->notes.virt_base;
	if (l->virt_base & (PAGE_SIZE - 1))
		return lay_err(err, n, "VIRT_BASE is not page aligned");
	/* Bound the image before any rounding can wrap (elf_parse has
	 * checked virt_base <= vstart <= vend). */
	if (img->vend - l->virt_base > nr_pages * PAGE_SIZE ||
	    ramdisk_len > nr_pages * PAGE_SIZE)
		return lay_err(err, n, "kernel and ramdisk do not fit in the domain's "
		    "%llu MiB", (unsigned long long)(nr_pages >> 8));
	l->kernel_pfn = (img->vstart - l->virt_base) >> PAGE_SHIFT;
	l->kernel_pages = (ALIGN_UP(img->vend, PAGE_SIZE) - l->virt_base) /
	    PAGE_SIZE - l->kernel_pfn;
	next = l->kernel_pfn + l->kernel_pages;
	l->ramdisk_pfn = next;
	l->ramdisk_len = ramdisk_len;
	next += ALIGN_UP(ramdisk_len, PAGE_SIZE) / PAGE_SIZE;
	l->p2m_pfn = next;
	l->p2m_pages = ALIGN_UP(nr_pages * 8, PAGE_SIZE) / PAGE_SIZE;
	next += l->p2m_pages;
	l->start_info_pfn = next++;
	l->store_pfn = next++;
	l->console_pfn = next++;
	l->pt_pfn = next;
	/* The tables map themselves: iterate until their count is stable. */
	for (i = 0; i < 8; i++) {
		total = l->pt_pfn + l->pt_pages + 1 + PAD_PAGES;
		mapped = ALIGN_UP(total, ALIGN_PAGES);
		if (pt_pages_for(l->virt_base, mapped) == l->pt_pages)
			break;
		l->pt_pages = pt_pages_for(l->virt_base, mapped);
	}
	l->stack_pfn = l->pt_pfn + l->pt_pages;
	l->mapped_pages = mapped;
	if (l->mapped_pages > nr_pages)
		return lay_err(err, n, "kernel and ramdisk need %llu MiB, more than the "
		    "domain's %llu MiB", (unsigned long long)(mapped >> 8),
		    (unsigned long long)(nr_pages >> 8));
	return 0;
}

/* Build 4-level tables at pt_pfn mapping [virt_base, +mapped) to pfn 0... */
static void build_page_tables(uint8_t *ram, const struct pv_layout *l)
{
	uint64_t next_table = l->pt_pfn + 1, i, va;
	uint64_t *l4 = (uint64_t *)(ram + l->pt_pfn * PAGE_SIZE);
	const uint64_t tflags = PTE_P | PTE_RW | PTE_US | PTE_A;

	memset(l4, 0, l->pt_pages * PAGE_SIZE);
	for (i = 0; i < l->mapped_pages; i++) {
		uint64_t *t = l4, *e, flags;
		int shift;

		va = l->virt_base + i * PAGE_SIZE;
		for (shift = 39; shift > 12; shift -= 9) {
			e = &t[(va >> shift) & 511];
			if (!(*e & PTE_P))
				*e = (next_table++ << PAGE_SHIFT) | tflags;
			t = (uint64_t *)(ram + (*e & ~0xfffull));
		}
		flags = PTE_P | PTE_US | PTE_A | PTE_D;
		if (i < l->pt_pfn || i >= l->pt_pfn + l->pt_pages)
			flags |= PTE_RW;	/* bootstrap tables are read-only */
		t[(va >> 12) & 511] = (i << PAGE_SHIFT) | flags;
	}
}

int pv_build_image(uint8_t *ram, const struct pv_layout *l,
    const struct elf_image *img, const void *ramdisk, const char *cmdline,
    uint32_t domid, uint32_t console_evtchn, uint32_t store_evtchn,
    uint64_t shared_info_maddr)
{
	start_info_t *si = (start_info_t *)(ram + l->start_info_pfn * PAGE_SIZE);
	uint64_t *p2m = (uint64_t *)(ram + l->p2m_pfn * PAGE_SIZE), i;
	unsigned int s;

	(void)domid;
	for (s = 0; s < img->nseg; s++) {
		const struct elf_seg *g = &img->seg[s];
		uint8_t *at = ram + (g->vaddr - l->virt_base);

		memcpy(at, img->data + g->offset, g->filesz);
		memset(at + g->filesz, 0, g->memsz - g->filesz);
	}
	if (img->notes.have_hypercall_page)
		pal_hcall_page_fill(ram + (img->notes.hypercall_page - l->virt_base));
	if (l->ramdisk_len)
		memcpy(ram + l->ramdisk_pfn * PAGE_SIZE, ramdisk, l->ramdisk_len);
	for (i = 0; i < l->nr_pages; i++)
		p2m[i] = i;
	build_page_tables(ram, l);
	memset(si, 0, sizeof(*si));
	snprintf(si->magic, sizeof(si->magic), "xen-%d.%d-x86_64", 3, 0);
	si->nr_pages = l->nr_pages;
	si->shared_info = shared_info_maddr;
	si->store_mfn = l->store_pfn;
	si->store_evtchn = store_evtchn;
	si->console.domU.mfn = l->console_pfn;
	si->console.domU.evtchn = console_evtchn;
	si->pt_base = l->virt_base + l->pt_pfn * PAGE_SIZE;
	si->nr_pt_frames = l->pt_pages;
	si->mfn_list = l->virt_base + l->p2m_pfn * PAGE_SIZE;
	if (l->ramdisk_len) {
		si->mod_start = l->virt_base + l->ramdisk_pfn * PAGE_SIZE;
		si->mod_len = l->ramdisk_len;
	}
	str_copy((char *)si->cmd_line, cmdline, sizeof(si->cmd_line));
	return 0;
}
