/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Access to guest memory. Every guest-supplied address is checked here:
 * physical ranges against the domain's populated RAM, virtual ones by
 * walking the guest's current page tables in software with the access
 * rights a CPL3 access would need. Page-table entries are read once each.
 */
#include "config.h"

#include <string.h>

#include "hv.h"

#define PTE_P	0x1ull
#define PTE_RW	0x2ull
#define PTE_US	0x4ull
#define PTE_PS	0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_NX	(1ull << 63)
#define PFERR_WRITE	0x2u
#define PFERR_RSVD	0x8u
#define PFERR_FETCH	0x10u
#define CR0_PG	0x80000000ull

bool mfn_is_guest_ram(struct domain *d, uint64_t mfn)
{
	return mfn < d->max_pages && d->populated[mfn];
}

void *gpa_ptr(struct domain *d, uint64_t gpa, size_t len)
{
	uint64_t end = gpa + len;

	if (end < gpa || len == 0)
		return NULL;
	if (end <= d->max_pages * PAGE_SIZE) {
		uint64_t pfn;

		for (pfn = gpa >> PAGE_SHIFT; pfn <= (end - 1) >> PAGE_SHIFT; pfn++)
			if (!d->populated[pfn])
				return NULL;
		return d->ram + gpa;
	}
	if (d->hvm == NULL && gpa >= PRIV_GPA &&
	    end <= PRIV_GPA + d->nr_priv_pages * PAGE_SIZE)
		return d->priv + (gpa - PRIV_GPA);
	return NULL;
}

bool gva_canonical(uint64_t va)
{
	return ((int64_t)(va << 16) >> 16) == (int64_t)va;
}

/*
 * Xen gives every present entry of a 64-bit PV guest's page tables the
 * user bit: its kernel runs in ring 3 as well, and kernel and user mode
 * are kept apart by their separate page tables. Palisade does the same as
 * the tables are used: a walk that meets a present entry without the bit,
 * in a table in the guest's own RAM and for an address outside the
 * hypervisor's range, sets it there (so the hypervisor's own slot stays
 * supervisor-only). Returns whether it changed anything.
 */
static bool pv_adjust(struct vcpu *v, uint64_t table, uint64_t *slot, uint64_t *e,
    uint64_t gva)
{
	if (v->d->hvm != NULL || !(*e & PTE_P) || (*e & PTE_US) ||
	    table >= v->d->max_pages * PAGE_SIZE ||
	    (gva >= HYPERVISOR_VIRT_START && gva < HYPERVISOR_VIRT_END))
		return false;
	*e = pt_or(v, slot, PTE_US);
	return true;
}

/*
 * The walk for gva_to_gpa and pv_fix_user_bits. An HVM guest's hypercalls
 * come from ring 0 in long mode (hvm.c refuses the others), so its
 * supervisor mappings count; with paging off the address is physical.
 */
static int gva_walk(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa,
    bool *adjusted)
{
	uint64_t table = v->sregs.cr3 & PTE_ADDR, e = 0;
	uint64_t need = v->d->hvm != NULL ? PTE_P : PTE_P | PTE_US;
	int shift;

	if (v->d->hvm != NULL && !(v->sregs.cr0 & CR0_PG)) {
		*gpa = gva & 0xffffffffull;
		return 0;
	}
	if (!gva_canonical(gva))
		return -XEN_EFAULT;
	for (shift = 39; shift >= 12; shift -= 9) {
		uint64_t *t = gpa_ptr(v->d, table, PAGE_SIZE), *slot;

		if (t == NULL)
			return -XEN_EFAULT;
		slot = &t[(gva >> shift) & 511];
		e = __atomic_load_n(slot, __ATOMIC_RELAXED);
		if (pv_adjust(v, table, slot, &e, gva))
			*adjusted = true;
		if ((e & need) != need || (write && !(e & PTE_RW)))
			return -XEN_EFAULT;
		if (shift != 12 && shift != 39 && (e & PTE_PS)) {
			uint64_t size = 1ull << shift;

			*gpa = (e & PTE_ADDR & ~(size - 1)) | (gva & (size - 1));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (gva & (PAGE_SIZE - 1));
	return 0;
}

int gva_to_gpa(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
	bool adjusted = false;

	return gva_walk(v, gva, write, gpa, &adjusted);
}

bool pv_fix_user_bits(struct vcpu *v, uint64_t gva)
{
	bool adjusted = false;
	uint64_t gpa;

	gva_walk(v, gva, false, &gpa, &adjusted);
	return adjusted;
}

/*
 * A #PF that the guest's tables do not explain: KVM's view of them is
 * behind (an entry the hypervisor wrote for another vCPU, not yet synced
 * for this one). The walk's entries go to pt_sync and the access is tried
 * again, up to three times at one address.
 */
bool pv_spurious_fault(struct vcpu *v, uint64_t gva, uint32_t error)
{
	uint64_t table = v->sregs.cr3 & PTE_ADDR, gpa, e;
	bool adjusted = false;
	int shift;

	if (v->d->hvm != NULL || (error & PFERR_RSVD) ||
	    gva_walk(v, gva, error & PFERR_WRITE, &gpa, &adjusted) < 0)
		return false;
	for (shift = 39; shift >= 12; shift -= 9) {
		uint64_t *t = gpa_ptr(v->d, table, PAGE_SIZE);

		if (t == NULL)
			return false;
		e = pt_or(v, &t[(gva >> shift) & 511], 0);
		if ((error & PFERR_FETCH) && (e & PTE_NX))
			return false;
		if (shift != 12 && shift != 39 && (e & PTE_PS))
			break;
		table = e & PTE_ADDR;
	}
	if (gva != v->spurious_gva) {
		v->spurious_gva = gva;
		v->spurious_n = 0;
	}
	if (++v->spurious_n > 3)
		return false;
	vcpu_flush_tlb(v);
	return true;
}

uint64_t *gva_l1e(struct vcpu *v, uint64_t gva)
{
	uint64_t table = v->sregs.cr3 & PTE_ADDR, e;
	uint64_t *t = NULL;
	int shift;

	if (!gva_canonical(gva))
		return NULL;
	for (shift = 39; shift >= 12; shift -= 9) {
		t = gpa_ptr(v->d, table, PAGE_SIZE);
		if (t == NULL)
			return NULL;
		e = __atomic_load_n(&t[(gva >> shift) & 511], __ATOMIC_RELAXED);
		if (shift == 12)
			break;
		if (!(e & PTE_P) || (shift != 39 && (e & PTE_PS)))
			return NULL;
		table = e & PTE_ADDR;
	}
	return (e & PTE_P) ? &t[(gva >> 12) & 511] : NULL;
}

static int guest_copy(struct vcpu *v, uint64_t gva, void *buf, size_t len,
    bool write)
{
	while (len > 0) {
		size_t chunk = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
		uint64_t gpa;
		void *p;

		if (gva_to_gpa(v, gva, write, &gpa) < 0)
			return -XEN_EFAULT;
		p = gpa_ptr(v->d, gpa, chunk);
		if (p == NULL)
			return -XEN_EFAULT;
		if (write)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		gva += chunk;
		buf = (uint8_t *)buf + chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len)
{
	return guest_copy(v, gva, dst, len, false);
}

int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
	return guest_copy(v, gva, (void *)src, len, true);
}

vcpu_info_t *vcpu_info_ptr(struct vcpu *v)
{
	if (v->vcpu_info_gpa != 0) {
		vcpu_info_t *vi = gpa_ptr(v->d, v->vcpu_info_gpa, sizeof(*vi));

		if (vi != NULL)
			return vi;
	}
	if (v->id < XEN_LEGACY_MAX_VCPUS)
		return &priv_shared_info(v->d)->vcpu_info[v->id];
	return NULL;
}
