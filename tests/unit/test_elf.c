/* SPDX-License-Identifier: GPL-2.0-only */
/* ELF/Xen-notes loader and the PV layout, on the real pvtest kernel. */
#include "config.h"

#include "unit.h"
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/hcall.h"
#include "palisade/xen.h"
#include "../../libctl/palctl.h"

static uint8_t *kernel;
static size_t kernel_size;

static int load_kernel(void)
{
	return unit_load_kernel(PVTEST_KERNEL, &kernel, &kernel_size);
}

static int free_kernel(void)
{
	free(kernel);
	return 0;
}

static void test_notes(void)
{
	struct elf_image img;
	char err[200];

	CU_ASSERT_EQUAL_FATAL(elf_parse(&img, kernel, kernel_size, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(img.notes.have_virt_base);
	CU_ASSERT_EQUAL(img.notes.virt_base, 0xffffffff80000000ull);
	CU_ASSERT_EQUAL(img.notes.paddr_offset, 0xffffffff80000000ull);
	CU_ASSERT_TRUE(img.notes.have_hypercall_page);
	CU_ASSERT_EQUAL(img.notes.hypercall_page & 0xfff, 0);
	CU_ASSERT_STRING_EQUAL(img.notes.guest_os, "pvtest");
	CU_ASSERT_STRING_EQUAL(img.notes.loader, "generic");
	CU_ASSERT_STRING_EQUAL(img.notes.xen_version, "xen-3.0");
	CU_ASSERT_EQUAL(img.entry, img.notes.entry);
	CU_ASSERT_EQUAL(elf_check_features(&img, err, sizeof(err)), 0);
}

/* Notes only in a section, or only in a segment: both are found. */
static void test_notes_one_place(void)
{
	uint8_t *copy = malloc(kernel_size);
	Elf64_Ehdr eh;
	struct elf_image img;
	char err[200];
	unsigned int i;

	memcpy(copy, kernel, kernel_size);
	memcpy(&eh, copy, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(copy + eh.e_phoff) + i;

		if (ph->p_type == PT_NOTE)
			ph->p_type = PT_NULL;
	}
	CU_ASSERT_EQUAL(elf_parse(&img, copy, kernel_size, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(img.notes.have_hypercall_page);
	memcpy(copy, kernel, kernel_size);
	((Elf64_Ehdr *)copy)->e_shnum = 0;
	CU_ASSERT_EQUAL(elf_parse(&img, copy, kernel_size, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(img.notes.have_hypercall_page);
	/* Neither: refused. */
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(copy + eh.e_phoff) + i;

		if (ph->p_type == PT_NOTE)
			ph->p_type = PT_NULL;
	}
	CU_ASSERT_EQUAL(elf_parse(&img, copy, kernel_size, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "no Xen ELF notes: not a Xen PV kernel");
	free(copy);
}

static void test_bad_files(void)
{
	struct elf_image img;
	char err[200];
	uint8_t *copy = malloc(kernel_size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
	size_t cut;

	CU_ASSERT_EQUAL(elf_parse(&img, "hello", 5, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "not an ELF file");
	memcpy(copy, kernel, kernel_size);
	eh->e_machine = EM_386;
	CU_ASSERT_EQUAL(elf_parse(&img, copy, kernel_size, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "not an x86-64 kernel (machine 3)");
	memcpy(copy, kernel, kernel_size);
	eh->e_phoff = kernel_size - 8;
	CU_ASSERT_EQUAL(elf_parse(&img, copy, kernel_size, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "program headers outside the file");
	/* Every truncation fails cleanly or parses; none reads past the end. */
	for (cut = 0; cut < kernel_size; cut += 97) {
		uint8_t *t = malloc(cut ? cut : 1);

		memcpy(t, kernel, cut);
		elf_parse(&img, t, cut, err, sizeof(err));
		free(t);
	}
	free(copy);
}

static void test_features(void)
{
	struct elf_image img;
	char err[200];

	memset(&img, 0, sizeof(img));
	strcpy(img.notes.features, "writable_page_tables|!pae_pgdir_above_4gb");
	CU_ASSERT_EQUAL(elf_check_features(&img, err, sizeof(err)), 0);
	/* Linux 6.1's note: required and supported, as Xen's libelf reads it */
	strcpy(img.notes.features, "!writable_page_tables|pae_pgdir_above_4gb");
	CU_ASSERT_EQUAL(elf_check_features(&img, err, sizeof(err)), 0);
	strcpy(img.notes.features, "pae_pgdir_above_4gb|!auto_translated_physmap");
	CU_ASSERT_EQUAL(elf_check_features(&img, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "kernel requires Xen feature 'auto_translated_physmap', "
	    "which palisade does not provide");
}

static uint64_t walk(const uint8_t *ram, uint64_t cr3, uint64_t va, uint64_t *flags)
{
	uint64_t t = cr3, e = 0;
	int shift;

	for (shift = 39; shift >= 12; shift -= 9) {
		e = ((const uint64_t *)(ram + t))[(va >> shift) & 511];
		if (!(e & 1))
			return ~0ull;
		t = e & 0x000ffffffffff000ull;
	}
	*flags = e & 0xfff;
	return t;
}

static void test_layout(void)
{
	struct elf_image img;
	struct pv_layout l;
	const uint64_t pages = 32 * 256;
	uint8_t *ram = calloc(pages, 4096);
	start_info_t *si;
	uint64_t flags = 0, i;
	char err[200];

	CU_ASSERT_EQUAL_FATAL(elf_parse(&img, kernel, kernel_size, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(pv_layout_compute(&l, &img, 5000, pages, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.mapped_pages % 1024, 0);
	CU_ASSERT_TRUE(l.mapped_pages >= l.stack_pfn + 1 + 128);
	CU_ASSERT_TRUE(l.ramdisk_pfn >= l.kernel_pfn + l.kernel_pages);
	CU_ASSERT_EQUAL(pv_build_image(ram, &l, &img, ram + 4096 * 100, "suite=x", 1, 2, 3,
	    0x1000006000ull), 0);
	si = (start_info_t *)(ram + l.start_info_pfn * 4096);
	CU_ASSERT_STRING_EQUAL(si->magic, "xen-3.0-x86_64");
	CU_ASSERT_EQUAL(si->nr_pages, pages);
	CU_ASSERT_EQUAL(si->console.domU.evtchn, 2);
	CU_ASSERT_EQUAL(si->store_evtchn, 3);
	CU_ASSERT_EQUAL(si->nr_pt_frames, l.pt_pages);
	CU_ASSERT_STRING_EQUAL((char *)si->cmd_line, "suite=x");
	CU_ASSERT_EQUAL(si->mod_len, 5000);
	/* Every page of the bootstrap region maps to its pfn; tables are RO. */
	for (i = 0; i < l.mapped_pages; i++) {
		uint64_t pa = walk(ram, l.pt_pfn * 4096, l.virt_base + i * 4096, &flags);

		CU_ASSERT_EQUAL(pa, i * 4096);
		CU_ASSERT_EQUAL(!!(flags & 2), !(i >= l.pt_pfn && i < l.pt_pfn + l.pt_pages));
		CU_ASSERT_TRUE(flags & 4);
	}
	CU_ASSERT_EQUAL(walk(ram, l.pt_pfn * 4096, l.virt_base + l.mapped_pages * 4096,
	    &flags), ~0ull);
	/* The hypercall page holds our stubs. */
	CU_ASSERT_EQUAL(ram[img.notes.hypercall_page - l.virt_base + 32 * 17 + 5], 0xe6);
	CU_ASSERT_EQUAL(ram[img.notes.hypercall_page - l.virt_base + 32 * 17 + 6],
	    PAL_HCALL_PORT);
	CU_ASSERT_EQUAL(pv_layout_compute(&l, &img, (32u << 20) - (40u << 12), pages, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "kernel and ramdisk need 36 MiB, more than the "
	    "domain's 32 MiB");
	CU_ASSERT_EQUAL(pv_layout_compute(&l, &img, 40u << 20, pages, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "kernel and ramdisk do not fit in the domain's 32 MiB");
	/* A segment whose size rounds past the top of the address space. */
	img.vend = UINT64_MAX;
	CU_ASSERT_EQUAL(pv_layout_compute(&l, &img, 0, pages, err, sizeof(err)), -22);
	free(ram);
}

/* The HVM test kernel as its ELF32 copy: read as either class, its PVH
 * entry found in a segment or only in a section, an entry of 0 taken. */
static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	*n = f != NULL ? fread(b, 1, 1 << 20, f) : 0;
	if (f != NULL)
		fclose(f);
	return b;
}

static Elf32_Nhdr *note32(uint8_t *k)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)k;
	Elf32_Shdr *sh = (Elf32_Shdr *)(k + eh->e_shoff);
	unsigned int i;

	for (i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_NOTE)
			return (Elf32_Nhdr *)(k + sh[i].sh_offset);
	return NULL;
}

static void test_hvm_elf32(void)
{
	size_t n32, n64;
	uint8_t *k32 = slurp(HVMTEST_DIR "/hvmtest32", &n32), *k64 = slurp(HVMTEST_DIR "/hvmtest", &n64);
	struct elf_image img, img64;
	Elf32_Ehdr *eh = (Elf32_Ehdr *)k32;
	Elf32_Phdr *ph = (Elf32_Phdr *)(k32 + eh->e_phoff);
	Elf32_Nhdr *nh;
	char err[200];
	unsigned int i;

	CU_ASSERT_FATAL(n32 > 0 && n64 > 0);
	CU_ASSERT_EQUAL_FATAL(elf_read(&img64, k64, n64, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(elf_read(&img, k32, n32, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(img.elf32);
	CU_ASSERT_EQUAL(img.machine, EM_X86_64);
	CU_ASSERT_TRUE(img.notes.have_phys32_entry);
	CU_ASSERT_EQUAL(img.notes.phys32_entry, img64.notes.phys32_entry);
	CU_ASSERT_EQUAL(img.entry, img64.entry);
	CU_ASSERT_EQUAL(img.pstart, 0x7c00);
	CU_ASSERT_EQUAL(elf_parse(&img, k32, n32, err, sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "not a 64-bit little-endian ELF file");
	/* No PT_NOTE: the section still has it. */
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_NOTE)
			ph[i].p_type = PT_NULL;
	CU_ASSERT_EQUAL_FATAL(elf_read(&img, k32, n32, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(img.notes.have_phys32_entry);
	/* An entry at 0 is an entry. */
	nh = note32(k32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nh);
	memset((uint8_t *)(nh + 1) + 4, 0, 4);
	CU_ASSERT_EQUAL_FATAL(elf_read(&img, k32, n32, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(img.notes.have_phys32_entry);
	CU_ASSERT_EQUAL(img.notes.phys32_entry, 0);
	free(k32);
	free(k64);
}

static void test_hvm_layout(void)
{
	size_t n;
	uint8_t *k = slurp(HVMTEST_DIR "/hvmtest", &n), *mb;
	struct elf_image img, img_mb;
	struct hvm_layout l;
	char err[200];

	CU_ASSERT_EQUAL_FATAL(elf_read(&img, k, n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_PVH, &img, 0, 0, 8192, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.boot, HVM_BOOT_PVH);
	CU_ASSERT_EQUAL(l.mode, CTL_HVM_PROT32);
	CU_ASSERT_EQUAL(l.entry, img.notes.phys32_entry);
	CU_ASSERT_EQUAL(l.rbx, 0x1000);
	CU_ASSERT_EQUAL(l.store_pfn, 8190);
	CU_ASSERT_EQUAL(l.console_pfn, 8191);
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_PVH, &img, 0, 40u << 20, 8192, err,
	    sizeof(err)), -22);
	CU_ASSERT(strstr(err, "KiB) do not fit in 32 MiB") != NULL);
	/* Without the note: multiboot for hvm, refused for pvh. */
	mb = malloc(n);
	memcpy(mb, k, n);
	CU_ASSERT_EQUAL_FATAL(elf_read(&img_mb, mb, n, err, sizeof(err)), 0);
	img_mb.notes.have_phys32_entry = false;
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_HVM, &img_mb, 0, 0, 8192, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.boot, HVM_BOOT_MULTIBOOT);
	CU_ASSERT_EQUAL(l.rax, 0x2badb002);
	CU_ASSERT_EQUAL(l.entry, img_mb.entry);
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_PVH, &img_mb, 0, 0, 8192, err,
	    sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "no XEN_ELFNOTE_PHYS32_ENTRY: not a PVH kernel "
	    "(type='hvm' boots its 32-bit entry)");
	/* Flat images. */
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_HVM, NULL, 512, 0, 8192, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.mode, CTL_HVM_REAL16);
	CU_ASSERT_EQUAL(l.entry, 0x7c00);
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_PVH, NULL, 512, 0, 8192, err,
	    sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "not an ELF file (a flat image boots only with type='hvm')");
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_HVM, NULL, 700 << 10, 0, 8192, err,
	    sizeof(err)), -22);
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_HVM, NULL, 512, 0, 512, err,
	    sizeof(err)), -22);
	CU_ASSERT_STRING_EQUAL(err, "HVM memory must be 4 MiB to 3 GiB");
	/* A kernel into the 640 KiB-1 MiB hole is refused. */
	img_mb.seg[0].paddr = 0x9f000;
	img_mb.pstart = 0x9f000;
	img_mb.pend = 0xa1000;
	CU_ASSERT_EQUAL(hvm_layout_compute(&l, CTL_DOM_HVM, &img_mb, 0, 0, 8192, err,
	    sizeof(err)), -22);
	free(mb);
	free(k);
}

static CU_TestInfo tests[] = {
	{ "Xen notes of pvtest", test_notes },
	{ "notes in one place only", test_notes_one_place },
	{ "malformed files", test_bad_files },
	{ "required features", test_features },
	{ "PV layout and page tables", test_layout },
	{ "HVM: ELF32, PVH notes in sections, entry 0", test_hvm_elf32 },
	{ "HVM: boot layouts and what is refused", test_hvm_layout },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "elf", load_kernel, free_kernel, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
