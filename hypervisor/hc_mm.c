/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page tables and memory reservations. Every frame a guest puts in a
 * page-table entry must be one of its own populated RAM frames (or its
 * shared_info); our slot among Xen's reserved L4 slots (XEN_L4_SLOT) belongs
 * to the hypervisor. Page tables
 * themselves are ordinary guest frames: KVM's per-domain physical address
 * space is what keeps one domain from ever reaching another's memory.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"

#define PTE_P	0x1ull
#define PTE_ADDR 0x000ffffffffff000ull

#define PTE_RW	0x2ull
#define PTE_PSE	0x80ull

static uint8_t level_of(struct domain *d, uint64_t pfn)
{
	return pfn < d->max_pages ? d->pt_level[pfn] : 0;
}

/*
 * What Xen's page types enforce, as far as pinning tells us the types: the
 * frame is the guest's own, and no entry makes a pinned page table
 * writable: not a leaf mapping of one, and not a writable linear
 * (recursive) entry, which would let the guest write its live tables
 * through that alias unchecked (XSA-182). Read-only aliases are allowed.
 */
long pv_pte_check(struct domain *d, uint64_t table_pfn, uint64_t val)
{
	uint64_t mfn = (val & PTE_ADDR) >> PAGE_SHIFT;
	uint8_t tl = level_of(d, table_pfn), target = level_of(d, mfn);

	if (!(val & PTE_P))
		return 0;
	if (!mfn_is_guest_ram(d, mfn) && mfn != priv_shared_info_mfn() &&
	    !gnt_frame_is_table(d, mfn))
		return -XEN_EPERM;
	if ((val & PTE_PSE) && (tl == 2 || tl == 3))
		return -XEN_EINVAL;	/* no superpages for PV, as Xen */
	/* No table links to an L4, so a writable entry naming one is an
	 * alias, whatever the (perhaps unpinned) table holding it is. */
	if ((val & PTE_RW) && target != 0 &&
	    (target == 4 || tl == 1 || (tl > 1 && target != tl - 1)))
		return -XEN_EPERM;
	return 0;
}

static long mmu_normal_update(struct vcpu *v, uint64_t ptr, uint64_t val)
{
	uint64_t *pte = gpa_ptr(v->d, ptr & ~7ull, 8);
	uint64_t pfn = ptr >> PAGE_SHIFT;
	long ret;

	if (pte == NULL || !mfn_is_guest_ram(v->d, pfn))
		return -XEN_EINVAL;
	if ((ret = pv_pte_check(v->d, pfn, val)) < 0) {
		gwarn(v->d, "pte %#lx = %#lx: not its frame, or a writable page "
		    "table", (unsigned long)ptr, (unsigned long)val);
		return ret;
	}
	/* Xen's slots in an L4 the guest has loaded stay Xen's. */
	if ((ptr & (PAGE_SIZE - 1)) == XEN_L4_SLOT * 8 &&
	    ((ptr & ~(PAGE_SIZE - 1)) == v->kernel_cr3 ||
	     (ptr & ~(PAGE_SIZE - 1)) == v->user_cr3))
		return -XEN_EPERM;
	pt_store(v, pte, val);
	return 0;
}

long hc_mmu_update(struct vcpu *v, uint64_t *a)
{
	uint64_t list = a[0], count = a[1], done_ptr = a[2];
	unsigned int dom = (unsigned int)a[3], i, done = 0;
	mmu_update_t u;
	long ret;

	if ((ret = domain_xsm_self(XSM_MMU_UPDATE, v->d, dom)) < 0)
		return ret;
	if (count > 4096)
		return -XEN_EINVAL;
	for (i = 0; i < count; i++) {
		if (copy_from_guest(v, &u, list + (uint64_t)i * sizeof(u), sizeof(u)) < 0) {
			ret = -XEN_EFAULT;
			break;
		}
		log_debug("d%u v%u: mmu_update ptr %#llx val %#llx", v->d->domid,
		    v->id, (unsigned long long)u.ptr, (unsigned long long)u.val);
		switch (u.ptr & 3) {
		case MMU_NORMAL_PT_UPDATE:
		case MMU_PT_UPDATE_PRESERVE_AD:
			ret = mmu_normal_update(v, u.ptr & ~3ull, u.val);
			break;
		case MMU_MACHPHYS_UPDATE:
			/* Our M2P is the identity; accept only that. */
			ret = (u.ptr >> PAGE_SHIFT) == u.val &&
			    mfn_is_guest_ram(v->d, u.val) ? 0 : -XEN_EINVAL;
			break;
		default:
			ret = -XEN_ENOSYS;
		}
		if (ret < 0)
			break;
		done++;
	}
	if (done_ptr != 0 && copy_to_guest(v, done_ptr, &done, sizeof(done)) < 0)
		ret = -XEN_EFAULT;
	return ret;
}

static long mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
	uint64_t mfn = op->arg1.mfn;

	log_debug("d%u v%u: mmuext cmd %u arg1 %#llx arg2 %#llx", v->d->domid,
	    v->id, op->cmd, (unsigned long long)mfn,
	    (unsigned long long)op->arg2.nr_ents);
	switch (op->cmd) {
	case MMUEXT_PIN_L1_TABLE:
	case MMUEXT_PIN_L2_TABLE:
	case MMUEXT_PIN_L3_TABLE:
	case MMUEXT_PIN_L4_TABLE:
		if (!mfn_is_guest_ram(v->d, mfn))
			return -XEN_EINVAL;
		v->d->pt_level[mfn] = op->cmd - MMUEXT_PIN_L1_TABLE + 1;
		return 0;
	case MMUEXT_UNPIN_TABLE:
		if (!mfn_is_guest_ram(v->d, mfn))
			return -XEN_EINVAL;
		v->d->pt_level[mfn] = 0;
		return 0;
	case MMUEXT_NEW_BASEPTR:
		if (!mfn_is_guest_ram(v->d, mfn) || !v->kernel_mode)
			return -XEN_EINVAL;
		v->kernel_cr3 = mfn << PAGE_SHIFT;
		vcpu_set_cr3(v, v->kernel_cr3);
		return 0;
	case MMUEXT_NEW_USER_BASEPTR:
		if (mfn != 0 && !mfn_is_guest_ram(v->d, mfn))
			return -XEN_EINVAL;
		v->user_cr3 = mfn << PAGE_SHIFT;
		if (mfn != 0)
			priv_install_xen_slot(v, v->user_cr3);
		return 0;
	case MMUEXT_TLB_FLUSH_LOCAL:
	case MMUEXT_INVLPG_LOCAL:
	case MMUEXT_TLB_FLUSH_MULTI:
	case MMUEXT_INVLPG_MULTI:
	case MMUEXT_TLB_FLUSH_ALL:
	case MMUEXT_INVLPG_ALL:
		vcpu_flush_tlb(v);
		return 0;
	case MMUEXT_SET_LDT:
		return op->arg2.nr_ents == 0 ? 0 : -XEN_ENOSYS;
	default:
		return -XEN_ENOSYS;
	}
}

long hc_mmuext_op(struct vcpu *v, uint64_t *a)
{
	uint64_t list = a[0], count = a[1], done_ptr = a[2];
	unsigned int dom = (unsigned int)a[3], i, done = 0;
	struct mmuext_op op;
	long ret;

	if ((ret = domain_xsm_self(XSM_MMU_UPDATE, v->d, dom)) < 0)
		return ret;
	if (count > 4096)
		return -XEN_EINVAL;
	for (i = 0; i < count; i++) {
		if (copy_from_guest(v, &op, list + (uint64_t)i * sizeof(op), sizeof(op)) < 0) {
			ret = -XEN_EFAULT;
			break;
		}
		ret = mmuext_one(v, &op);
		if (ret < 0)
			break;
		done++;
	}
	if (done_ptr != 0 && copy_to_guest(v, done_ptr, &done, sizeof(done)) < 0)
		ret = -XEN_EFAULT;
	return ret;
}

/* Find the L1 entry for va by walking the current tables (entries checked). */
static uint64_t *l1e_for(struct vcpu *v, uint64_t va)
{
	uint64_t table = v->sregs.cr3 & PTE_ADDR;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		uint64_t *t = gpa_ptr(v->d, table, PAGE_SIZE), e;

		if (t == NULL || table >= v->d->max_pages * PAGE_SIZE)
			return NULL;
		e = __atomic_load_n(&t[(va >> shift) & 511], __ATOMIC_RELAXED);
		if (!(e & PTE_P) || (e & 0x80))
			return NULL;
		table = e & PTE_ADDR;
	}
	if (table >= v->d->max_pages * PAGE_SIZE)
		return NULL;
	return (uint64_t *)gpa_ptr(v->d, table, PAGE_SIZE) + ((va >> 12) & 511);
}

long hc_update_va_mapping(struct vcpu *v, uint64_t *a)
{
	uint64_t va = a[0], val = a[1], flags = a[2];
	uint64_t *pte;

	if (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END)
		return -XEN_EINVAL;
	pte = l1e_for(v, va);
	if (pte == NULL)
		return -XEN_EINVAL;
	if (pv_pte_check(v->d, (uint64_t)((uint8_t *)pte - v->d->ram) >> PAGE_SHIFT,
	    val) < 0)
		return -XEN_EPERM;
	pt_store(v, pte, val);
	if (flags & (UVMF_INVLPG | UVMF_TLB_FLUSH))
		vcpu_flush_tlb(v);
	return 0;
}

/* --- memory_op: reservations ------------------------------------------ */

static long mem_exchange_pages(struct vcpu *v, struct xen_memory_reservation *r,
    bool increase)
{
	struct domain *d = v->d;
	unsigned long i;
	xen_pfn_t pfn;
	long ret = domain_xsm_self(XSM_MEMORY_RESERVATION, d, r->domid);

	if (ret < 0)
		return ret;
	if (r->extent_order != 0 || r->nr_extents > d->max_pages)
		return -XEN_EINVAL;
	for (i = 0; i < r->nr_extents; i++) {
		uint64_t gva = (uint64_t)(uintptr_t)r->extent_start.p + i * sizeof(pfn);

		if (copy_from_guest(v, &pfn, gva, sizeof(pfn)) < 0)
			return i ? (long)i : -XEN_EFAULT;
		if (pfn >= d->max_pages)
			break;
		pthread_mutex_lock(&d->lock);
		if (increase && !d->populated[pfn] && d->nr_pages < d->limit_pages) {
			d->populated[pfn] = 1;
			d->nr_pages++;
		} else if (!increase && d->populated[pfn] && d->pt_level[pfn] != 0) {
			/* A pinned table stays until it is unpinned (Xen frees
			 * it at its last reference); this one is not given. */
			pthread_mutex_unlock(&d->lock);
			if (domain_guest_warn(d))
				log_warnx("d%u: decrease_reservation of pinned table "
				    "pfn %#llx refused", d->domid, (unsigned long long)pfn);
			break;
		} else if (!increase && d->populated[pfn]) {
			/* Scrub: punching the hole frees the page; it reads zero. */
			fallocate(d->ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    (off_t)pfn * PAGE_SIZE, PAGE_SIZE);
			d->populated[pfn] = 0;
			d->nr_pages--;
		} else {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		pthread_mutex_unlock(&d->lock);
	}
	return (long)i;
}

/* Where the read-only machine-to-phys table is: not at Xen's fixed
 * MACH2PHYS_VIRT_START here (see XEN_L4_SLOT). */
static long mem_machphys_mapping(struct vcpu *v, uint64_t gva)
{
	struct xen_machphys_mapping m = {
		.v_start = M2P_VA,
		.v_end = M2P_VA + v->d->max_pages * sizeof(xen_pfn_t),
		.max_mfn = v->d->max_pages - 1,
	};

	return copy_to_guest(v, gva, &m, sizeof(m)) < 0 ? -XEN_EFAULT : 0;
}

long hc_memory_op(struct vcpu *v, uint64_t *a)
{
	struct xen_memory_reservation r;
	domid_t dom;
	long ret;

	switch (a[0]) {
	case XENMEM_increase_reservation:
	case XENMEM_populate_physmap:
	case XENMEM_decrease_reservation:
		if (copy_from_guest(v, &r, a[1], sizeof(r)) < 0)
			return -XEN_EFAULT;
		return mem_exchange_pages(v, &r, a[0] != XENMEM_decrease_reservation);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		if (copy_from_guest(v, &dom, a[1], sizeof(dom)) < 0)
			return -XEN_EFAULT;
		ret = domain_xsm_self(XSM_MEMORY_RESERVATION, v->d, dom);
		if (ret < 0)
			return ret;
		return a[0] == XENMEM_current_reservation ? (long)v->d->nr_pages :
		    (long)v->d->max_pages;
	case XENMEM_maximum_ram_page:
		return (long)v->d->max_pages;
	case XENMEM_machphys_mapping:
		return mem_machphys_mapping(v, a[1]);
	case XENMEM_add_to_physmap:
		return hvm_add_to_physmap(v, a[1]);
	default:
		return -XEN_ENOSYS;
	}
}
