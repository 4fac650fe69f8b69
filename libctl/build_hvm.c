/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HVM and PVH domain builder: kernels loaded at their physical
 * addresses, and what each boot path expects to find.
 *   PVH (XEN_ELFNOTE_PHYS32_ENTRY): 32-bit protected mode, paging off,
 *     EBX = hvm_start_info (xen/arch-x86/hvm/start_info.h) with the
 *     command line, the ramdisk as module 0 and the memory map.
 *   Multiboot or plain 32-bit ELF entry: the same CPU state, EAX =
 *     0x2BADB002, EBX = a multiboot information structure.
 *   A flat image (not ELF, hvm only): real mode at 0:7c00, and EBX holds
 *     the hvm_start_info as for PVH (our convention: a boot sector has no
 *     other way to learn its command line).
 * Layout (guest-physical): boot information at 0x1000-0x4fff, the kernel
 * where it asks (not below 0x5000, not into the 640 KiB-1 MiB hole unless
 * it is a flat image below it), the ramdisk after the kernel, and the
 * store and console pages in the last two frames of RAM, which the memory
 * map marks reserved.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"
#include <xen/arch-x86/hvm/start_info.h>

#define INFO_PAGE	0x1000ull	/* hvm_start_info, memmap, modules */
#define CMDLINE_PAGE	0x2000ull
#define MBI_PAGE	0x3000ull	/* multiboot info and its mmap */
#define BOOT_STACK	0x5000ull	/* grows down into 0x4000-0x4fff */
#define LOW_END		0x9fc00ull	/* conventional memory ends (EBDA) */
#define HIGH_START	0x100000ull
#define FLAT_START	0x7c00ull
#define MULTIBOOT_MAGIC	0x2badb002u
#define HVM_MAX_PHYS	0xc0000000ull

struct mb_info {		/* multiboot 0.6.96, the fields we fill */
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb_mod {
	uint32_t start, end, string, reserved;
};

static int hvm_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int hvm_layout_compute(struct hvm_layout *l, uint8_t type, const struct elf_image *img,
    size_t flat_len, uint64_t ramdisk_len, uint64_t nr_pages, char *err, size_t n)
{
	uint64_t ram_end = nr_pages * PAGE_SIZE, kstart, kend;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->nr_pages = nr_pages;
	if (nr_pages < 1024 || ram_end > HVM_MAX_PHYS)
		return hvm_err(err, n, "HVM memory must be 4 MiB to 3 GiB");
	l->store_pfn = nr_pages - 2;
	l->console_pfn = nr_pages - 1;
	l->rsp = BOOT_STACK;
	if (img == NULL) {
		if (type != CTL_DOM_HVM)
			return hvm_err(err, n, "not an ELF file (a flat image boots only "
			    "with type='hvm')");
		if (flat_len == 0 || flat_len > LOW_END - FLAT_START)
			return hvm_err(err, n, "a flat image must be 1 byte to %llu KiB "
			    "(0x7c00 to 640 KiB)", (LOW_END - FLAT_START) / 1024);
		l->mode = CTL_HVM_REAL16;
		l->boot = HVM_BOOT_FLAT;
		l->entry = FLAT_START;
		l->rbx = INFO_PAGE;
		kstart = FLAT_START;
		kend = FLAT_START + flat_len;
	} else {
		kstart = img->pstart;
		kend = img->pend;
		l->mode = CTL_HVM_PROT32;
		if (img->notes.have_phys32_entry) {
			l->boot = HVM_BOOT_PVH;
			l->entry = img->notes.phys32_entry;
			l->rbx = INFO_PAGE;
		} else if (type == CTL_DOM_PVH) {
			return hvm_err(err, n, "no XEN_ELFNOTE_PHYS32_ENTRY: not a PVH kernel "
			    "(type='hvm' boots its 32-bit entry)");
		} else {
			l->boot = HVM_BOOT_MULTIBOOT;
			l->entry = img->entry;
			l->rax = MULTIBOOT_MAGIC;
			l->rbx = MBI_PAGE;
			/* An ELF64 entry given as a virtual address: where it loads. */
			for (i = 0; i < img->nseg && l->entry > 0xffffffffull; i++)
				if (img->entry >= img->seg[i].vaddr &&
				    img->entry - img->seg[i].vaddr < img->seg[i].memsz)
					l->entry = img->seg[i].paddr +
					    (img->entry - img->seg[i].vaddr);
		}
		if (l->entry > 0xffffffffull)
			return hvm_err(err, n, "entry point %#llx is not a 32-bit address",
			    (unsigned long long)l->entry);
		if (kstart < BOOT_STACK || overlaps(kstart, kend - kstart, LOW_END,
		    HIGH_START - LOW_END))
			return hvm_err(err, n, "kernel loads at %#llx-%#llx: below 0x5000 or "
			    "into the 640 KiB-1 MiB hole", (unsigned long long)kstart,
			    (unsigned long long)kend);
	}
	l->kernel_end = kend;
	l->ramdisk_addr = ALIGN_UP(MAX(kend, HIGH_START), PAGE_SIZE);
	l->ramdisk_len = ramdisk_len;
	if (kend > l->store_pfn * PAGE_SIZE ||
	    l->ramdisk_addr + ramdisk_len > l->store_pfn * PAGE_SIZE)
		return hvm_err(err, n, "kernel and ramdisk (%llu KiB) do not fit in %llu MiB",
		    (unsigned long long)((kend - kstart + ramdisk_len) / 1024),
		    (unsigned long long)(ram_end >> 20));
	return 0;
}

/* The map both boot protocols hand over, as (addr, len, type) triples. */
static unsigned int memory_map(const struct hvm_layout *l, struct hvm_memmap_table_entry *m)
{
	uint64_t special = l->store_pfn * PAGE_SIZE;

	m[0] = (struct hvm_memmap_table_entry){ 0, LOW_END, XEN_HVM_MEMMAP_TYPE_RAM, 0 };
	m[1] = (struct hvm_memmap_table_entry){ LOW_END, HIGH_START - LOW_END,
	    XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
	m[2] = (struct hvm_memmap_table_entry){ HIGH_START, special - HIGH_START,
	    XEN_HVM_MEMMAP_TYPE_RAM, 0 };
	m[3] = (struct hvm_memmap_table_entry){ special, 2 * PAGE_SIZE,
	    XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
	m[4] = (struct hvm_memmap_table_entry){ 0xfc000000ull, 0x4000000ull,
	    XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };	/* IOAPIC, LAPIC */
	return 5;
}

static void write_start_info(uint8_t *ram, const struct hvm_layout *l)
{
	struct hvm_start_info *si = (void *)(ram + INFO_PAGE);
	struct hvm_memmap_table_entry *mm = (void *)(ram + INFO_PAGE + 0x100);
	struct hvm_modlist_entry *mod = (void *)(ram + INFO_PAGE + 0x200);

	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->cmdline_paddr = CMDLINE_PAGE;
	si->memmap_paddr = INFO_PAGE + 0x100;
	si->memmap_entries = memory_map(l, mm);
	if (l->ramdisk_len > 0) {
		si->nr_modules = 1;
		si->modlist_paddr = INFO_PAGE + 0x200;
		mod->paddr = l->ramdisk_addr;
		mod->size = l->ramdisk_len;
	}
}

static void write_multiboot(uint8_t *ram, const struct hvm_layout *l)
{
	struct mb_info *mbi = (void *)(ram + MBI_PAGE);
	struct mb_mmap *mm = (void *)(ram + MBI_PAGE + 0x100);
	struct mb_mod *mod = (void *)(ram + MBI_PAGE + 0x80);
	struct hvm_memmap_table_entry map[8];
	unsigned int i, nmap = memory_map(l, map);

	mbi->flags = 0x1 | 0x4 | 0x40;		/* mem_*, cmdline, mmap */
	mbi->mem_lower = LOW_END / 1024;
	mbi->mem_upper = (uint32_t)((l->store_pfn * PAGE_SIZE - HIGH_START) / 1024);
	mbi->cmdline = CMDLINE_PAGE;
	for (i = 0; i < nmap; i++)
		mm[i] = (struct mb_mmap){ sizeof(mm[i]) - 4, map[i].addr, map[i].size,
		    map[i].type };
	mbi->mmap_addr = MBI_PAGE + 0x100;
	mbi->mmap_length = nmap * sizeof(mm[0]);
	if (l->ramdisk_len > 0) {
		mbi->flags |= 0x8;
		mbi->mods_count = 1;
		mbi->mods_addr = MBI_PAGE + 0x80;
		mod->start = (uint32_t)l->ramdisk_addr;
		mod->end = (uint32_t)(l->ramdisk_addr + l->ramdisk_len);
	}
}

void hvm_build_image(uint8_t *ram, const struct hvm_layout *l,
    const struct elf_image *img, const void *flat, size_t flat_len,
    const void *ramdisk, const char *cmdline)
{
	unsigned int i;

	if (img != NULL) {
		for (i = 0; i < img->nseg; i++) {
			const struct elf_seg *s = &img->seg[i];

			memcpy(ram + s->paddr, img->data + s->offset, s->filesz);
			memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
		}
	} else {
		memcpy(ram + l->entry, flat, flat_len);
	}
	if (l->ramdisk_len > 0)
		memcpy(ram + l->ramdisk_addr, ramdisk, l->ramdisk_len);
	memset(ram + INFO_PAGE, 0, BOOT_STACK - INFO_PAGE);
	snprintf((char *)ram + CMDLINE_PAGE, PAGE_SIZE, "%s", cmdline);
	write_start_info(ram, l);
	write_multiboot(ram, l);
	memset(ram + l->store_pfn * PAGE_SIZE, 0, 2 * PAGE_SIZE);
}
