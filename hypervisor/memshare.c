/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sharing exactly one page of a domain (ARCHITECTURE.md): copy the page
 * into a fresh one-page memfd and map that memfd with MAP_FIXED over the
 * page in our mapping of the domain's RAM. KVM follows the host mapping, so
 * the guest and whoever holds the memfd share that page and nothing else.
 * Revoking copies the page back into the RAM memfd and restores the
 * original mapping: a holder that kept the memfd sees no later write.
 * Both are done with the domain paused, so no guest write falls between
 * the copy and the remap. A page shared twice is shared once, counted.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "hv.h"
#include "hvm.h"

struct shared_page {
	uint64_t pfn;
	int fd;
	unsigned int users;
	struct shared_page *next;
};

static struct shared_page *find(struct domain *d, uint64_t pfn)
{
	struct shared_page *s;

	for (s = d->shared; s != NULL; s = s->next)
		if (s->pfn == pfn)
			return s;
	return NULL;
}

/* Move the page's content into a new memfd and map it in place. */
static int share_page(struct domain *d, uint64_t pfn, struct shared_page *s)
{
	void *page = d->ram + pfn * PAGE_SIZE;
	int fd = memfd_create("palisade-page", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, PAGE_SIZE) < 0 ||
	    pwrite(fd, page, PAGE_SIZE, 0) != PAGE_SIZE ||
	    mmap(page, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
	    fd, 0) == MAP_FAILED) {
		log_warn("d%u: sharing pfn %#lx", d->domid, (unsigned long)pfn);
		if (fd >= 0)
			close(fd);
		return -XEN_ENOMEM;
	}
	s->pfn = pfn;
	s->fd = fd;
	s->users = 0;
	return 0;
}

static void unshare_page(struct domain *d, struct shared_page *s)
{
	void *page = d->ram + s->pfn * PAGE_SIZE;
	off_t off = (off_t)(s->pfn * PAGE_SIZE);

	if (pwrite(d->ram_fd, page, PAGE_SIZE, off) != PAGE_SIZE ||
	    mmap(page, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
	    d->ram_fd, off) == MAP_FAILED)
		/* The page stays shared: wrong, but nothing is lost. */
		log_warn("d%u: revoking the share of pfn %#lx", d->domid,
		    (unsigned long)s->pfn);
	close(s->fd);
}

bool memshare_is_shared(struct domain *d, uint64_t pfn)
{
	return find(d, pfn) != NULL;
}

int memshare_get(struct domain *d, uint64_t pfn, int *fd_out)
{
	struct shared_page *s;
	int ret = 0;

	if (!mfn_is_guest_ram(d, pfn))
		return -XEN_EINVAL;
	domain_pause_sync(d);
	pthread_mutex_lock(&d->lock);
	s = find(d, pfn);
	if (s == NULL && (gnt_pfn_is_mapped(d, pfn) || hvm_gfn_is_special(d, pfn))) {
		ret = -XEN_EBUSY;	/* another domain's page, or ours */
	} else if (s == NULL) {
		s = calloc(1, sizeof(*s));
		ret = s == NULL ? -XEN_ENOMEM : share_page(d, pfn, s);
		if (ret == 0) {
			s->next = d->shared;
			d->shared = s;
		} else {
			free(s);
		}
	}
	if (ret == 0) {
		*fd_out = dup(s->fd);
		if (*fd_out < 0)
			ret = -XEN_ENOMEM;
		else
			s->users++;
	}
	pthread_mutex_unlock(&d->lock);
	domain_unpause(d);
	return ret;
}

void memshare_put(struct domain *d, uint64_t pfn)
{
	struct shared_page **p, *s;

	domain_pause_sync(d);
	pthread_mutex_lock(&d->lock);
	for (p = &d->shared; (s = *p) != NULL; p = &s->next) {
		if (s->pfn != pfn)
			continue;
		if (--s->users == 0) {
			unshare_page(d, s);
			*p = s->next;
			free(s);
		}
		break;
	}
	pthread_mutex_unlock(&d->lock);
	domain_unpause(d);
}

/* The domain is going: its RAM with it; holders keep their own pages. */
void memshare_fini(struct domain *d)
{
	struct shared_page *s;

	while ((s = d->shared) != NULL) {
		d->shared = s->next;
		close(s->fd);
		free(s);
	}
}
