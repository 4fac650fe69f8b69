/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HVM guest's own hypercalls: hvm_op (params and the upcall vector)
 * and XENMEM_add_to_physmap, which shows shared_info or a grant table
 * frame at a guest frame of the guest's choosing, as Xen's HVM ABI has it.
 */
#include "config.h"

#include <errno.h>
#include <sys/mman.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#define CALLBACK_TYPE_SHIFT 56

static bool is_self(struct vcpu *v, domid_t dom)
{
	return dom == DOMID_SELF || dom == v->d->domid;
}

static bool upcall_pending(struct vcpu *v)
{
	vcpu_info_t *vi = vcpu_info_ptr(v);

	return vi != NULL && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE);
}

static long param_get(struct hvm_dom *h, uint32_t index, uint64_t *value)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
		*value = h->callback_vector == 0 ? 0 :
		    ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << CALLBACK_TYPE_SHIFT) |
		    h->callback_vector;
		return 0;
	case HVM_PARAM_STORE_PFN:	*value = h->store_pfn; return 0;
	case HVM_PARAM_STORE_EVTCHN:	*value = h->store_evtchn; return 0;
	case HVM_PARAM_CONSOLE_PFN:	*value = h->console_pfn; return 0;
	case HVM_PARAM_CONSOLE_EVTCHN:	*value = h->console_evtchn; return 0;
	default:			*value = 0; return 0;
	}
}

/* Of the params only the callback is the guest's to set; of its kinds,
 * the vector (a GSI or PCI INTx line needs an emulated PCI platform). */
static long param_set(struct vcpu *v, uint32_t index, uint64_t value)
{
	struct hvm_dom *h = v->d->hvm;
	uint64_t type = value >> CALLBACK_TYPE_SHIFT;

	if (index != HVM_PARAM_CALLBACK_IRQ)
		return -XEN_EPERM;
	if (value != 0 && (type != HVM_PARAM_CALLBACK_TYPE_VECTOR ||
	    (value & 0xff) < 0x10 || (value & ~0xffull) != type << CALLBACK_TYPE_SHIFT)) {
		gwarn(v->d, "callback %#llx refused: only a vector (type 2, >= 0x10)",
		    (unsigned long long)value);
		return -XEN_EINVAL;
	}
	h->callback_vector = (uint8_t)value;
	if (upcall_pending(v))
		hvm_upcall(v);
	return 0;
}

long hc_hvm_op(struct vcpu *v, uint64_t *a)
{
	struct xen_hvm_evtchn_upcall_vector uv;
	struct xen_hvm_param p;
	long ret;

	if (v->d->hvm == NULL)
		return -XEN_ENOSYS;
	switch (a[0]) {
	case HVMOP_set_param:
	case HVMOP_get_param:
		if (copy_from_guest(v, &p, a[1], sizeof(p)) < 0)
			return -XEN_EFAULT;
		if (!is_self(v, p.domid))
			return -XEN_EPERM;
		if (p.index >= HVM_NR_PARAMS)
			return -XEN_EINVAL;
		if (a[0] == HVMOP_set_param)
			return param_set(v, p.index, p.value);
		ret = param_get(v->d->hvm, p.index, &p.value);
		if (ret == 0 && copy_to_guest(v, a[1], &p, sizeof(p)) < 0)
			ret = -XEN_EFAULT;
		return ret;
	case HVMOP_set_evtchn_upcall_vector:
		if (copy_from_guest(v, &uv, a[1], sizeof(uv)) < 0)
			return -XEN_EFAULT;
		if (uv.vcpu >= v->d->nr_vcpus || (uv.vector != 0 && uv.vector < 0x10))
			return -XEN_EINVAL;
		v->d->hvm->upcall_vector[uv.vcpu] = uv.vector;
		if (uv.vcpu == v->id && upcall_pending(v))
			hvm_upcall(v);
		return 0;
	default:
		return -XEN_ENOSYS;
	}
}

bool hvm_gfn_is_special(struct domain *d, uint64_t gfn)
{
	unsigned int i;

	if (d->hvm == NULL)
		return false;
	if (d->hvm->shinfo_gfn == gfn)
		return true;
	for (i = 0; i < GNT_MAX_FRAMES; i++)
		if (d->hvm->gnt_gfn[i] == gfn)
			return true;
	return false;
}

uint64_t hvm_gnt_frame_gfn(struct domain *d, unsigned int i)
{
	return i < GNT_MAX_FRAMES ? d->hvm->gnt_gfn[i] : HVM_NO_GFN;
}

/* Show page pf of the private area at gfn (or give gfn its RAM back). */
static int remap(struct domain *d, uint64_t gfn, int pf)
{
	void *want = d->ram + gfn * PAGE_SIZE;
	void *p = mmap(want, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
	    pf < 0 ? d->ram_fd : d->priv_fd,
	    (off_t)(pf < 0 ? gfn : (uint64_t)pf) * PAGE_SIZE);

	return p == want ? 0 : -XEN_ENOMEM;
}

long hvm_add_to_physmap(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	struct xen_add_to_physmap x;
	uint64_t *slot;
	int pf;
	long ret = 0;

	if (d->hvm == NULL)
		return -XEN_ENOSYS;
	if (copy_from_guest(v, &x, arg, sizeof(x)) < 0)
		return -XEN_EFAULT;
	if (!is_self(v, x.domid))
		return -XEN_EPERM;
	if (x.space == XENMAPSPACE_shared_info && x.idx == 0) {
		slot = &d->hvm->shinfo_gfn;
		pf = PF_SHARED_INFO;
	} else if (x.space == XENMAPSPACE_grant_table && x.idx < GNT_MAX_FRAMES) {
		slot = &d->hvm->gnt_gfn[x.idx];
		pf = PF_GNT + (int)x.idx;
	} else {
		gwarn(d, "add_to_physmap space %u idx %#llx not offered", x.space,
		    (unsigned long long)x.idx);
		return -XEN_EINVAL;
	}
	if (!mfn_is_guest_ram(d, x.gpfn))
		return -XEN_EINVAL;
	/* One vCPU, ours: no other guest access races the remap; dom0's
	 * copies see the old page or the new one. */
	pthread_mutex_lock(&d->lock);
	if (*slot == x.gpfn)
		goto out;
	if (hvm_gfn_is_special(d, x.gpfn) || memshare_is_shared(d, x.gpfn) ||
	    gnt_pfn_is_mapped(d, x.gpfn)) {
		ret = -XEN_EBUSY;
		goto out;
	}
	if (*slot != HVM_NO_GFN)
		ret = remap(d, *slot, -1);
	if (ret == 0)
		ret = remap(d, x.gpfn, pf);
	*slot = ret == 0 ? x.gpfn : HVM_NO_GFN;
	if (ret == 0 && x.space == XENMAPSPACE_grant_table && d->gnt_frames < x.idx + 1)
		d->gnt_frames = (unsigned int)x.idx + 1;
out:
	pthread_mutex_unlock(&d->lock);
	return ret;
}
