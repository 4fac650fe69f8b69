/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 kernels and their Xen notes: ELF64 for PV, either class for HVM and
 * PVH (PVH images are often ELF32 with machine x86-64). The file is
 * untrusted: every offset and size is checked against the file before use.
 * Notes are read from PT_NOTE segments and from SHT_NOTE sections (some
 * kernels carry them only in one or the other).
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"

static int elf_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool in_file(const struct elf_image *img, uint64_t off, uint64_t len)
{
	return off <= img->size && len <= img->size - off;
}

static uint64_t note_num(const uint8_t *desc, uint32_t len)
{
	uint32_t v32;
	uint64_t v64;

	if (len == 4) {
		memcpy(&v32, desc, 4);
		return v32;
	}
	if (len == 8) {
		memcpy(&v64, desc, 8);
		return v64;
	}
	return 0;
}

static void note_str(char *dst, size_t size, const uint8_t *desc, uint32_t len)
{
	size_t n = MIN((size_t)len, size - 1);

	memcpy(dst, desc, n);
	dst[n] = '\0';
	dst[strnlen(dst, n)] = '\0';
}

static void note_one(struct xen_notes *x, uint32_t type, const uint8_t *d, uint32_t len)
{
	x->found = true;
	switch (type) {
	case XEN_ELFNOTE_ENTRY:
		x->entry = note_num(d, len);
		x->have_entry = true;
		break;
	case XEN_ELFNOTE_HYPERCALL_PAGE:
		x->hypercall_page = note_num(d, len);
		x->have_hypercall_page = true;
		break;
	case XEN_ELFNOTE_VIRT_BASE:
		x->virt_base = note_num(d, len);
		x->have_virt_base = true;
		break;
	case XEN_ELFNOTE_PADDR_OFFSET:
		x->paddr_offset = note_num(d, len);
		x->have_paddr_offset = true;
		break;
	case XEN_ELFNOTE_GUEST_OS:
		note_str(x->guest_os, sizeof(x->guest_os), d, len);
		break;
	case XEN_ELFNOTE_GUEST_VERSION:
		note_str(x->guest_version, sizeof(x->guest_version), d, len);
		break;
	case XEN_ELFNOTE_XEN_VERSION:
		note_str(x->xen_version, sizeof(x->xen_version), d, len);
		break;
	case XEN_ELFNOTE_LOADER:
		note_str(x->loader, sizeof(x->loader), d, len);
		break;
	case XEN_ELFNOTE_FEATURES:
		note_str(x->features, sizeof(x->features), d, len);
		break;
	case XEN_ELFNOTE_PHYS32_ENTRY:	/* 0 is an address like any other */
		x->phys32_entry = note_num(d, len);
		x->have_phys32_entry = true;
		break;
	case XEN_ELFNOTE_SUPPORTED_FEATURES:
		x->supported_features[0] = (uint32_t)note_num(d, len >= 4 ? 4 : 0);
		break;
	}
}

/* Walk a note area [off, off+len); malformed entries end the walk. */
static void notes_walk(struct elf_image *img, uint64_t off, uint64_t len)
{
	const uint8_t *p = img->data + off, *end = p + len;

	while ((size_t)(end - p) >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_sz, desc_sz;

		memcpy(&nh, p, sizeof(nh));
		name_sz = ALIGN_UP((uint64_t)nh.n_namesz, 4);
		desc_sz = ALIGN_UP((uint64_t)nh.n_descsz, 4);
		p += sizeof(nh);
		if (name_sz > (uint64_t)(end - p) || desc_sz > (uint64_t)(end - p) - name_sz)
			return;
		if (nh.n_namesz == 4 && memcmp(p, "Xen", 4) == 0)
			note_one(&img->notes, nh.n_type, p + name_sz, nh.n_descsz);
		p += name_sz + desc_sz;
	}
}

/* Headers of either class, widened to the 64-bit layout. */
static bool read_ehdr(const struct elf_image *img, Elf64_Ehdr *eh)
{
	Elf32_Ehdr e;

	if (!img->elf32) {
		memcpy(eh, img->data, sizeof(*eh));
		return true;
	}
	if (img->size < sizeof(e))
		return false;
	memcpy(&e, img->data, sizeof(e));
	memcpy(eh->e_ident, e.e_ident, EI_NIDENT);
	eh->e_type = e.e_type;
	eh->e_machine = e.e_machine;
	eh->e_entry = e.e_entry;
	eh->e_phoff = e.e_phoff;
	eh->e_shoff = e.e_shoff;
	eh->e_phentsize = e.e_phentsize == sizeof(Elf32_Phdr) ? sizeof(Elf64_Phdr) : 0;
	eh->e_phnum = e.e_phnum;
	eh->e_shentsize = e.e_shentsize == sizeof(Elf32_Shdr) ? sizeof(Elf64_Shdr) : 0;
	eh->e_shnum = e.e_shnum;
	return true;
}

static size_t phdr_size(const struct elf_image *img)
{
	return img->elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
}

static size_t shdr_size(const struct elf_image *img)
{
	return img->elf32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr);
}

/* Entry i of a table already checked to lie in the file. */
static void read_phdr(const struct elf_image *img, uint64_t off, Elf64_Phdr *ph)
{
	Elf32_Phdr p;

	if (!img->elf32) {
		memcpy(ph, img->data + off, sizeof(*ph));
		return;
	}
	memcpy(&p, img->data + off, sizeof(p));
	*ph = (Elf64_Phdr){
		.p_type = p.p_type, .p_flags = p.p_flags, .p_offset = p.p_offset,
		.p_vaddr = p.p_vaddr, .p_paddr = p.p_paddr, .p_filesz = p.p_filesz,
		.p_memsz = p.p_memsz, .p_align = p.p_align,
	};
}

static void read_shdr(const struct elf_image *img, uint64_t off, Elf64_Shdr *sh)
{
	Elf32_Shdr h;

	if (!img->elf32) {
		memcpy(sh, img->data + off, sizeof(*sh));
		return;
	}
	memcpy(&h, img->data + off, sizeof(h));
	*sh = (Elf64_Shdr){
		.sh_type = h.sh_type, .sh_offset = h.sh_offset, .sh_size = h.sh_size,
	};
}

static void notes_from_sections(struct elf_image *img, const Elf64_Ehdr *eh)
{
	unsigned int i;

	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(img, eh->e_shoff, (uint64_t)eh->e_shnum * shdr_size(img)))
		return;
	for (i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr sh;

		read_shdr(img, eh->e_shoff + i * shdr_size(img), &sh);
		if (sh.sh_type == SHT_NOTE && in_file(img, sh.sh_offset, sh.sh_size))
			notes_walk(img, sh.sh_offset, sh.sh_size);
	}
}

static int load_segments(struct elf_image *img, const Elf64_Ehdr *eh, char *err,
    size_t n)
{
	unsigned int i;

	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_file(img, eh->e_phoff, (uint64_t)eh->e_phnum * phdr_size(img)))
		return elf_err(err, n, "program headers outside the file");
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		read_phdr(img, eh->e_phoff + i * phdr_size(img), &ph);
		if (ph.p_type == PT_NOTE && in_file(img, ph.p_offset, ph.p_filesz))
			notes_walk(img, ph.p_offset, ph.p_filesz);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (!in_file(img, ph.p_offset, ph.p_filesz) || ph.p_filesz > ph.p_memsz)
			return elf_err(err, n, "segment %u outside the file", i);
		if (ph.p_paddr + ph.p_memsz < ph.p_paddr)
			return elf_err(err, n, "segment %u wraps the address space", i);
		if (img->nseg == ARRAY_SIZE(img->seg))
			return elf_err(err, n, "more than %zu loadable segments",
			    ARRAY_SIZE(img->seg));
		img->seg[img->nseg].paddr = ph.p_paddr;
		img->seg[img->nseg].vaddr = ph.p_paddr;	/* PV: rebased later */
		img->seg[img->nseg].filesz = ph.p_filesz;
		img->seg[img->nseg].memsz = ph.p_memsz;
		img->seg[img->nseg].offset = ph.p_offset;
		img->nseg++;
	}
	if (img->nseg == 0)
		return elf_err(err, n, "no loadable segments");
	return 0;
}

int elf_read(struct elf_image *img, const void *data, size_t size, char *err,
    size_t n)
{
	Elf64_Ehdr eh;
	unsigned int i;
	int ret;

	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	if (size < EI_NIDENT || memcmp(data, ELFMAG, SELFMAG) != 0)
		return elf_err(err, n, "not an ELF file");
	img->elf32 = img->data[EI_CLASS] == ELFCLASS32;
	if ((img->data[EI_CLASS] != ELFCLASS64 && !img->elf32) ||
	    img->data[EI_DATA] != ELFDATA2LSB)
		return elf_err(err, n, "not a little-endian ELF file of either class");
	if ((!img->elf32 && size < sizeof(eh)) || !read_ehdr(img, &eh))
		return elf_err(err, n, "not an ELF file");
	img->machine = eh.e_machine;
	if (eh.e_machine != EM_X86_64 && !(img->elf32 && eh.e_machine == EM_386))
		return elf_err(err, n, "not an x86-64 kernel (machine %u)", eh.e_machine);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return elf_err(err, n, "not an executable ELF file");
	ret = load_segments(img, &eh, err, n);
	if (ret < 0)
		return ret;
	notes_from_sections(img, &eh);
	img->entry = eh.e_entry;
	img->pstart = UINT64_MAX;
	for (i = 0; i < img->nseg; i++) {
		img->pstart = MIN(img->pstart, img->seg[i].paddr);
		img->pend = MAX(img->pend, img->seg[i].paddr + img->seg[i].memsz);
	}
	return 0;
}

int elf_parse(struct elf_image *img, const void *data, size_t size, char *err,
    size_t n)
{
	uint64_t off;
	unsigned int i;
	int ret;

	ret = elf_read(img, data, size, err, n);
	if (ret < 0)
		return ret;
	if (img->elf32)
		return elf_err(err, n, "not a 64-bit little-endian ELF file");
	if (img->machine != EM_X86_64)
		return elf_err(err, n, "not an x86-64 kernel (machine %u)", img->machine);
	if (!img->notes.found)
		return elf_err(err, n, "no Xen ELF notes: not a Xen PV kernel");
	/* Virtual load address = physical - PADDR_OFFSET + VIRT_BASE. */
	off = img->notes.virt_base - img->notes.paddr_offset;
	img->vstart = UINT64_MAX;
	for (i = 0; i < img->nseg; i++) {
		struct elf_seg *s = &img->seg[i];

		s->vaddr += off;
		if (s->vaddr + s->memsz < s->vaddr)
			return elf_err(err, n, "segment %u wraps the address space", i);
		img->vstart = MIN(img->vstart, s->vaddr);
		img->vend = MAX(img->vend, s->vaddr + s->memsz);
	}
	if (img->vstart < img->notes.virt_base)
		return elf_err(err, n, "kernel loads below VIRT_BASE");
	if (img->notes.have_entry)
		img->entry = img->notes.entry;
	if (img->entry < img->vstart || img->entry >= img->vend)
		return elf_err(err, n, "entry point %#llx outside the kernel",
		    (unsigned long long)img->entry);
	if (img->notes.have_hypercall_page &&
	    (img->notes.hypercall_page < img->vstart ||
	     img->notes.hypercall_page + PAGE_SIZE > img->vend ||
	     (img->notes.hypercall_page & (PAGE_SIZE - 1))))
		return elf_err(err, n, "hypercall page outside the kernel or unaligned");
	return 0;
}

/*
 * What a PV kernel may require of Palisade (a '!' before a name in the
 * FEATURES note; Xen's libelf takes such a name as both required and
 * supported). Linux requires writable_page_tables: its direct writes to
 * page-table pages reach the page tables.
 */
static const char *const supported_features[] = {
	"writable_page_tables", "pae_pgdir_above_4gb", "writable_descriptor_tables",
	"gnttab_map_avail_bits",
};

int elf_check_features(const struct elf_image *img, char *err, size_t n)
{
	char buf[sizeof(img->notes.features)], *tok, *save;
	size_t i;

	str_copy(buf, img->notes.features, sizeof(buf));
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		if (tok[0] != '!')
			continue;
		for (i = 0; i < ARRAY_SIZE(supported_features); i++)
			if (strcmp(tok + 1, supported_features[i]) == 0)
				break;
		if (i == ARRAY_SIZE(supported_features))
			return elf_err(err, n, "kernel requires Xen feature '%s', which "
			    "palisade does not provide", tok + 1);
	}
	return 0;
}
