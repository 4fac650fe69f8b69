/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PV guest's own GDT: set_gdt and update_descriptor, and the user %gs
 * selector loaded from it (set_segment_base). Every descriptor is
 * checked as Xen checks it for a 64-bit PV guest (code and data segments
 * at DPL 3, since the guest kernel runs in ring 3; no system descriptors)
 * and the checked copy is what the CPU uses, in the vCPU's GDT page in the
 * private area. Later writes to the guest's frames do not reach the CPU
 * until update_descriptor passes them.
 *
 * Not yet: GDTs of more than one page (Linux uses one), and Xen's page
 * types (the frames are not made read-only to the guest).
 */
#include "config.h"

#include <string.h>

#include "palisade/log.h"
#include "hv.h"

#define DESC_P		(1ull << 47)
#define DESC_S		(1ull << 44)
#define DESC_DPL_SHIFT	45
#define DESC_DPL	(3ull << DESC_DPL_SHIFT)
#define GDT_MAX_ENTS	(PAGE_SIZE / 8)

/* Fix up or refuse one descriptor; false: the whole operation fails. */
static bool desc_check(uint64_t *desc)
{
	if (!(*desc & DESC_P))
		return true;
	if (!(*desc & DESC_S))
		return false;		/* TSS, LDT, gates: never from a guest */
	*desc |= DESC_DPL;
	return true;
}

/* The GDT of ents entries on frames[] (set_gdt, VCPUOP_initialise). */
long pv_load_gdt(struct vcpu *v, const uint64_t *frames, unsigned int ents)
{
	uint64_t copy[GDT_MAX_ENTS];
	unsigned int i;

	if (ents > FIRST_RESERVED_GDT_ENTRY)
		return -XEN_EINVAL;
	if (ents > GDT_MAX_ENTS) {
		gwarn(v->d, "v%u: a GDT of %u entries: only one page is supported",
		    v->id, ents);
		return -XEN_EINVAL;
	}
	memset(copy, 0, sizeof(copy));
	if (ents > 0) {
		if (!mfn_is_guest_ram(v->d, frames[0]))
			return -XEN_EINVAL;
		memcpy(copy, gpa_ptr(v->d, frames[0] << PAGE_SHIFT, PAGE_SIZE), ents * 8);
	}
	for (i = 0; i < ents; i++)
		if (!desc_check(&copy[i]))
			return -XEN_EINVAL;
	memcpy(priv_vcpu_gdt(v), copy, sizeof(copy));
	v->gdt_mfn = ents > 0 ? frames[0] : 0;
	v->gdt_ents = ents;
	return 0;
}

long hc_set_gdt(struct vcpu *v, uint64_t *a)
{
	uint64_t frames[1] = { 0 };

	if (a[1] > 0 && a[1] <= GDT_MAX_ENTS &&
	    copy_from_guest(v, frames, a[0], sizeof(frames)) < 0)
		return -XEN_EFAULT;
	return pv_load_gdt(v, frames, a[1] > UINT32_MAX ? UINT32_MAX : (unsigned int)a[1]);
}

/* update_descriptor(maddr, desc): one checked descriptor into guest memory,
 * and into every vCPU's copy of a GDT on that frame. */
long hc_update_descriptor(struct vcpu *v, uint64_t *a)
{
	struct domain *d = v->d;
	uint64_t maddr = a[0], desc = a[1], *p;
	unsigned int i;

	if ((maddr & 7) || !mfn_is_guest_ram(d, maddr >> PAGE_SHIFT) ||
	    !desc_check(&desc))
		return -XEN_EINVAL;
	p = gpa_ptr(d, maddr, 8);
	if (p == NULL)
		return -XEN_EINVAL;
	*p = desc;
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *w = d->vcpu[i];
		unsigned int idx = (maddr & (PAGE_SIZE - 1)) / 8;

		if (w != NULL && w->gdt_mfn == maddr >> PAGE_SHIFT && idx < w->gdt_ents)
			priv_vcpu_gdt(w)[idx] = desc;
	}
	return 0;
}

/*
 * Load sel into %gs for guest user mode, as Xen's SEGBASE_GS_USER_SEL
 * does: RPL 3, and the user GS base becomes the descriptor's base. What
 * the CPU would refuse (not present, a system or DPL 0 descriptor, an
 * execute-only code segment, past the GDT) loads the null selector
 * instead, as Xen's fault fix-up does: Linux BUG()s if this call fails.
 */
void pv_load_user_gs(struct vcpu *v, uint16_t sel)
{
	uint64_t desc = sel > 3 ? priv_vcpu_desc(v, sel | 3) : 0;
	bool code = desc & (1ull << 43), readable = desc & (1ull << 41);
	struct kvm_segment *gs = &v->sregs.gs;

	if (!(desc & DESC_P) || !(desc & DESC_S) ||
	    ((desc >> DESC_DPL_SHIFT) & 3) != 3 || (code && !readable)) {
		if (sel > 3)
			gwarn(v->d, "v%u: user %%gs selector %#x refused: null loaded",
			    v->id, sel);
		desc = 0;
		sel = 0;
	}
	gs->selector = desc != 0 ? sel | 3 : 0;
	gs->limit = (uint32_t)((desc & 0xffff) | ((desc >> 32) & 0xf0000));
	if (desc & (1ull << 55))
		gs->limit = (gs->limit << 12) | 0xfff;
	gs->type = (desc >> 40) & 15;
	gs->s = 1;
	gs->dpl = 3;
	gs->present = desc != 0;
	gs->avl = (desc >> 52) & 1;
	gs->l = (desc >> 53) & 1;
	gs->db = (desc >> 54) & 1;
	gs->g = (desc >> 55) & 1;
	gs->unusable = desc == 0;
	v->gs_base_user = ((desc >> 16) & 0xffffff) | ((desc >> 32) & 0xff000000);
	gs->base = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user;
	v->sregs_dirty = true;
}
