/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sharing exactly one page of a domain with a dom0 process: copy the page
 * into a fresh one-page memfd and map that memfd with MAP_FIXED over the
 * page in our mapping of the domain's RAM. KVM follows the host mapping, so
 * guest and dom0 now share that page and nothing else.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "hv.h"

int memshare_page(struct domain *d, uint64_t pfn, int *fd_out)
{
	uint8_t tmp[PAGE_SIZE];
	void *page, *p;
	int fd, ret = 0;

	pthread_mutex_lock(&d->lock);
	if (!mfn_is_guest_ram(d, pfn)) {
		ret = -XEN_EINVAL;
		goto out;
	}
	page = d->ram + pfn * PAGE_SIZE;
	fd = memfd_create("palisade-page", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, PAGE_SIZE) < 0) {
		ret = -XEN_ENOMEM;
		if (fd >= 0)
			close(fd);
		goto out;
	}
	memcpy(tmp, page, PAGE_SIZE);
	if (pwrite(fd, tmp, PAGE_SIZE, 0) != PAGE_SIZE) {
		close(fd);
		ret = -XEN_EIO;
		goto out;
	}
	p = mmap(page, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
	    fd, 0);
	if (p == MAP_FAILED) {
		log_warn("d%u: remap of pfn %#lx", d->domid, (unsigned long)pfn);
		close(fd);
		ret = -XEN_ENOMEM;
		goto out;
	}
	*fd_out = fd;
out:
	pthread_mutex_unlock(&d->lock);
	return ret;
}
