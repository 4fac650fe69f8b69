/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests mapping grants: GNTTABOP_map_grant_ref, unmap_grant_ref and
 * unmap_and_replace (GNTMAP_host_map at a virtual address).
 *
 * A PV mapper names the place with a virtual address its page tables map
 * to a frame of its own; an HVM one with a guest-physical address, as
 * Xen's auto-translated guests do (and has no unmap_and_replace). The granter's page is shared through memshare.c (a
 * one-page memfd over its frame), and the same memfd is mapped over the
 * mapper's frame in our mapping of the mapper's RAM, read-only for a
 * read-only mapping: both domains then see one page, and KVM follows. The
 * mapper's own frame is only hidden, in its RAM memfd; unmapping shows it
 * again, and revokes the share when it was the last user.
 *
 * Sharing pauses the granter. A vCPU doing it stops counting as active
 * first (vcpu_quiesce), so two guests mapping each other's grants, or a
 * guest mapping its own, cannot wait on each other.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"

#define PTE_RW 0x2ull

/* m->lock held. */
bool gnt_pfn_is_mapped(struct domain *m, uint64_t pfn)
{
	unsigned int h;

	for (h = 0; m->maptrack != NULL && h < m->max_maptrack; h++)
		if (m->maptrack[h].used && m->maptrack[h].pfn == pfn)
			return true;
	return false;
}

/* A free handle for pfn, reserved; m->lock held. */
static int16_t track_alloc(struct domain *m, uint64_t pfn, uint32_t *handle)
{
	unsigned int h;

	if (m->maptrack == NULL) {
		m->maptrack = calloc(m->max_maptrack, sizeof(*m->maptrack));
		if (m->maptrack == NULL)
			return GNTST_no_space;
	}
	if (gnt_pfn_is_mapped(m, pfn) || memshare_is_shared(m, pfn))
		return GNTST_bad_virt_addr;	/* that frame already shows a page */
	for (h = 0; h < m->max_maptrack && m->maptrack[h].used; h++)
		;
	if (h == m->max_maptrack)
		return GNTST_no_space;
	m->maptrack[h] = (struct gnt_maptrack){ .used = true, .busy = true, .pfn = pfn };
	*handle = h;
	return GNTST_okay;
}

static int show_page(struct domain *m, uint64_t pfn, int fd, bool readonly)
{
	int prot = readonly ? PROT_READ : PROT_READ | PROT_WRITE;

	if (mmap(m->ram + pfn * PAGE_SIZE, PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED,
	    fd, 0) == MAP_FAILED) {
		log_warn("d%u: showing a granted page at pfn %#lx", m->domid,
		    (unsigned long)pfn);
		return -1;
	}
	return 0;
}

static void show_own_page(struct domain *m, uint64_t pfn)
{
	off_t off = (off_t)(pfn * PAGE_SIZE);

	if (mmap(m->ram + off, PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, m->ram_fd, off) == MAP_FAILED)
		/* The grant stays visible there: wrong, but nothing is lost. */
		log_warn("d%u: restoring pfn %#lx", m->domid, (unsigned long)pfn);
}

/* Drop what a mapping holds of its granter (unless it is gone). */
static void release_granter(struct vcpu *v, const struct gnt_maptrack *t)
{
	struct domain *g = t->granter_gone ? NULL : domain_ref(t->granter);

	if (g == NULL)
		return;
	if (v != NULL)
		vcpu_quiesce(v);
	memshare_put(g, t->frame);
	if (v != NULL)
		vcpu_unquiesce(v);
	pthread_mutex_lock(&g->lock);
	gnt_unpin(g, t->ref, !t->readonly);
	pthread_mutex_unlock(&g->lock);
	domain_unref(g);
}

/* Share the pinned frame of g and show it at t->pfn of v's domain. */
static int16_t map_shared(struct vcpu *v, struct domain *g, struct gnt_maptrack *t)
{
	struct domain *m = v->d;
	int fd = -1, ret;

	vcpu_quiesce(v);
	ret = memshare_get(g, t->frame, &fd);
	if (ret == 0) {
		pthread_mutex_lock(&m->lock);
		ret = show_page(m, t->pfn, fd, t->readonly);
		pthread_mutex_unlock(&m->lock);
		close(fd);
		if (ret < 0)
			memshare_put(g, t->frame);
	}
	vcpu_unquiesce(v);
	return ret == 0 ? GNTST_okay : GNTST_general_error;
}

/* Read-only mappings are read-only in the mapper's page table too, so a
 * write is the guest's own #PF rather than a failed KVM_RUN. */
static void pte_readonly(struct vcpu *v, uint64_t va)
{
	uint64_t *l1e = gva_l1e(v, va);

	if (l1e != NULL) {
		pt_and(v, l1e, ~PTE_RW);
		vcpu_flush_tlb(v);
	}
}

static int16_t map_one(struct vcpu *v, struct gnttab_map_grant_ref *op)
{
	struct domain *m = v->d, *g;
	bool ro = op->flags & GNTMAP_readonly;
	struct gnt_maptrack t;
	uint64_t gpa;
	uint32_t h;
	int16_t st;

	if (!(op->flags & GNTMAP_host_map) ||
	    (op->flags & (GNTMAP_device_map | GNTMAP_contains_pte)))
		return GNTST_general_error;	/* only host mappings at a VA */
	if (m->hvm != NULL)
		gpa = op->host_addr;
	else if (gva_to_gpa(v, op->host_addr, false, &gpa) < 0)
		return GNTST_bad_virt_addr;
	if ((op->host_addr & (PAGE_SIZE - 1)) != 0 ||
	    !mfn_is_guest_ram(m, gpa >> PAGE_SHIFT) ||
	    hvm_gfn_is_special(m, gpa >> PAGE_SHIFT))
		return GNTST_bad_virt_addr;
	g = domain_ref(op->dom == DOMID_SELF ? m->domid : op->dom);
	if (g == NULL)
		return GNTST_bad_domain;
	st = xsm_check(XSM_GRANT_MAP, &m->sec, &g->sec) < 0 ?
	    GNTST_permission_denied : GNTST_okay;
	if (st == GNTST_okay) {
		pthread_mutex_lock(&m->lock);
		st = track_alloc(m, gpa >> PAGE_SHIFT, &h);
		pthread_mutex_unlock(&m->lock);
	}
	if (st != GNTST_okay)
		goto out;
	t = (struct gnt_maptrack){ .used = true, .readonly = ro,
	    .granter = (uint16_t)g->domid, .ref = op->ref,
	    .pfn = gpa >> PAGE_SHIFT, .host_addr = op->host_addr };
	pthread_mutex_lock(&g->lock);
	st = gnt_pin(g, op->ref, (uint16_t)m->domid, !ro);
	if (st == GNTST_okay)
		t.frame = g->gnt_active[op->ref].frame;
	pthread_mutex_unlock(&g->lock);
	if (st == GNTST_okay) {
		st = map_shared(v, g, &t);
		if (st != GNTST_okay) {
			pthread_mutex_lock(&g->lock);
			gnt_unpin(g, op->ref, !ro);
			pthread_mutex_unlock(&g->lock);
		}
	}
	pthread_mutex_lock(&m->lock);
	if (st == GNTST_okay)
		m->maptrack[h] = t;
	else
		m->maptrack[h].used = false;
	pthread_mutex_unlock(&m->lock);
	if (st == GNTST_okay) {
		op->handle = h;
		op->dev_bus_addr = 0;
		if (ro && m->hvm == NULL)
			pte_readonly(v, op->host_addr);
	}
out:
	domain_unref(g);
	return st;
}

long gnt_map_refs(struct vcpu *v, uint64_t arg, uint32_t count)
{
	struct gnttab_map_grant_ref op;
	uint32_t i;

	if (count > GNT_MAX_MAP_OPS)
		return -XEN_EINVAL;
	for (i = 0; i < count; i++) {
		uint64_t at = arg + (uint64_t)i * sizeof(op);

		if (copy_from_guest(v, &op, at, sizeof(op)) < 0)
			return -XEN_EFAULT;
		op.status = map_one(v, &op);
		if (op.status != GNTST_okay)
			gwarn(v->d, "map of d%u gref %u: status %d", op.dom, op.ref,
			    op.status);
		if (copy_to_guest(v, at, &op, sizeof(op)) < 0)
			return -XEN_EFAULT;
	}
	return 0;
}

/*
 * Unmap handle (checked against host_addr when that is given); with
 * new_addr, host_addr then maps what new_addr mapped and new_addr nothing,
 * as GNTTABOP_unmap_and_replace says. All or nothing: every check is made
 * before anything changes.
 */
static int16_t unmap_one(struct vcpu *v, uint64_t host_addr, uint32_t handle,
    uint64_t new_addr, bool replace)
{
	struct domain *m = v->d;
	uint64_t *from = NULL, *to = NULL;
	struct gnt_maptrack t;

	if (replace && (m->hvm != NULL || (to = gva_l1e(v, host_addr)) == NULL ||
	    (from = gva_l1e(v, new_addr)) == NULL || to == from))
		return GNTST_general_error;
	pthread_mutex_lock(&m->lock);
	if (m->maptrack == NULL || handle >= m->max_maptrack ||
	    !m->maptrack[handle].used || m->maptrack[handle].busy) {
		pthread_mutex_unlock(&m->lock);
		return GNTST_bad_handle;
	}
	t = m->maptrack[handle];
	if ((host_addr != 0 || replace) && host_addr != t.host_addr) {
		pthread_mutex_unlock(&m->lock);
		return GNTST_general_error;
	}
	m->maptrack[handle].used = false;
	show_own_page(m, t.pfn);
	pthread_mutex_unlock(&m->lock);
	if (replace) {
		uint64_t moved = __atomic_load_n(from, __ATOMIC_RELAXED);

		pt_store(v, from, 0);
		pt_store(v, to, moved);
		vcpu_flush_tlb(v);
	}
	release_granter(v, &t);
	return GNTST_okay;
}

/* Revoking a share lets no information flow: unmapping asks no hook. */
long gnt_unmap_refs(struct vcpu *v, uint64_t arg, uint32_t count, bool replace)
{
	struct gnttab_unmap_and_replace rop;
	struct gnttab_unmap_grant_ref op;
	size_t sz = replace ? sizeof(rop) : sizeof(op);
	int16_t *status = replace ? &rop.status : &op.status;
	uint32_t i;

	if (count > GNT_MAX_MAP_OPS)
		return -XEN_EINVAL;
	for (i = 0; i < count; i++) {
		uint64_t at = arg + (uint64_t)i * sz;

		if (copy_from_guest(v, replace ? (void *)&rop : (void *)&op, at, sz) < 0)
			return -XEN_EFAULT;
		*status = replace ?
		    unmap_one(v, rop.host_addr, rop.handle, rop.new_addr, true) :
		    unmap_one(v, op.host_addr, op.handle, 0, false);
		if (*status != GNTST_okay)
			gwarn(v->d, "unmap of handle %u: status %d",
			    replace ? rop.handle : op.handle, *status);
		if (copy_to_guest(v, at, replace ? (void *)&rop : (void *)&op, sz) < 0)
			return -XEN_EFAULT;
	}
	return 0;
}

/* The mapper is going (its vCPUs stopped): give back what it holds. */
void gnt_maptrack_fini(struct domain *m)
{
	unsigned int h;

	for (h = 0; m->maptrack != NULL && h < m->max_maptrack; h++)
		if (m->maptrack[h].used && !m->maptrack[h].busy)
			release_granter(NULL, &m->maptrack[h]);
	free(m->maptrack);
	m->maptrack = NULL;
}

/*
 * A granter is going: mappings of its pages keep the pages, not it. Each
 * mapper is taken by reference, not under the domain table's lock: a
 * domain's lock comes before that one (domain_ref under it is common).
 */
void gnt_maptrack_granter_gone(uint32_t domid)
{
	unsigned int i, h;

	for (i = 0; i < HV_MAX_DOMAINS; i++) {
		struct domain *m = domain_ref(i);

		if (m == NULL)
			continue;
		pthread_mutex_lock(&m->lock);
		for (h = 0; m->maptrack != NULL && h < m->max_maptrack; h++)
			if (m->maptrack[h].used && m->maptrack[h].granter == domid)
				m->maptrack[h].granter_gone = true;
		pthread_mutex_unlock(&m->lock);
		domain_unref(m);
	}
}
