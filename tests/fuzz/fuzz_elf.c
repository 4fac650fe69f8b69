/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF and Xen-notes loader, and the PV and HVM builders on what they
 * accept: a kernel image is untrusted input to the toolstack. */
#include "config.h"

#include <stdlib.h>

#include "../../libctl/palctl.h"
#include "fuzz.h"

#define NR_PAGES 2048		/* an 8 MiB domain */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct elf_image img;
	struct pv_layout l;
	struct hvm_layout h;
	char err[256];
	bool elf;

	if (ram == NULL && (ram = malloc((size_t)NR_PAGES * 4096)) == NULL)
		return 0;
	/* As an HVM kernel: an ELF of either class, or a flat image. */
	elf = elf_read(&img, data, size, err, sizeof(err)) == 0;
	if (hvm_layout_compute(&h, CTL_DOM_HVM, elf ? &img : NULL, size, 0, NR_PAGES, err,
	    sizeof(err)) == 0)
		hvm_build_image(ram, &h, elf ? &img : NULL, data, size, NULL, "suite=hvm");
	if (elf_parse(&img, data, size, err, sizeof(err)) != 0 ||
	    elf_check_features(&img, err, sizeof(err)) != 0 ||
	    pv_layout_compute(&l, &img, 0, NR_PAGES, err, sizeof(err)) != 0)
		return 0;
	pv_build_image(ram, &l, &img, NULL, "console=hvc0", 1, 1, 2, 0x1000000006ull);
	return 0;
}
