/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, v1 (xen/grant_table.h). A domain's table lives in its
 * private frames (PF_GNT...), which the guest maps like shared_info. A
 * grant is pinned while it is mapped or copied: the entry's GTF_reading /
 * GTF_writing bits say so to the granter, and the frame is taken once, at
 * the first pin, so changing the entry later changes nothing in use.
 *
 * Mapping shares exactly one page through memshare.c; dom0 processes get
 * the page's memfd (read-only for a read-only grant) and a handle, and
 * unmapping revokes. Guests copy between their own frames and frames
 * granted to them, and map grants over frames of their own (grant_map.c).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"

#define GNT_INIT_FRAMES 1
#define PIN_TRIES 8		/* a guest flipping its entry makes pinning fail */

static grant_entry_v1_t *entry(struct domain *d, uint32_t ref)
{
	return (grant_entry_v1_t *)(d->priv + PF_GNT * PAGE_SIZE) + ref;
}

static uint32_t nr_entries(struct domain *d)
{
	return d->gnt_frames * GNT_PER_FRAME;
}

bool gnt_frame_is_table(struct domain *d, uint64_t mfn)
{
	uint64_t first = (PRIV_GPA >> PAGE_SHIFT) + PF_GNT;

	return mfn >= first && mfn < first + d->gnt_frames;
}

/* The toolstack's reserved entries: console and store pages, for dom0. */
void gnt_init(struct domain *d, uint64_t console_pfn, uint64_t store_pfn)
{
	pthread_mutex_lock(&d->lock);
	if (d->gnt_frames < GNT_INIT_FRAMES)
		d->gnt_frames = GNT_INIT_FRAMES;
	*entry(d, GNTTAB_RESERVED_CONSOLE) = (grant_entry_v1_t){
		.flags = GTF_permit_access, .domid = 0, .frame = (uint32_t)console_pfn };
	*entry(d, GNTTAB_RESERVED_XENSTORE) = (grant_entry_v1_t){
		.flags = GTF_permit_access, .domid = 0, .frame = (uint32_t)store_pfn };
	pthread_mutex_unlock(&d->lock);
}

/*
 * Pin grant ref of granter g for domain dom; g->lock held. The entry's
 * flags and domid are one 32-bit word, updated with compare-and-swap as
 * the guest may change it under us.
 */
int16_t gnt_pin(struct domain *g, uint32_t ref, uint16_t dom, bool write)
{
	struct gnt_active *act;
	uint32_t *word, old, new;
	unsigned int i;

	if (ref >= nr_entries(g))
		return GNTST_bad_gntref;
	act = &g->gnt_active[ref];
	word = (uint32_t *)entry(g, ref);
	for (i = 0; i < PIN_TRIES; i++) {
		uint16_t flags;

		old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		flags = (uint16_t)old;
		if ((flags & GTF_type_mask) != GTF_permit_access ||
		    (uint16_t)(old >> 16) != dom)
			return GNTST_general_error;
		if (write && (flags & GTF_readonly))
			return GNTST_permission_denied;
		new = old | GTF_reading | (write ? GTF_writing : 0);
		if (__atomic_compare_exchange_n(word, &old, new, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
	}
	if (i == PIN_TRIES)
		return GNTST_general_error;
	if (act->readers + act->writers == 0) {
		act->frame = entry(g, ref)->frame;
		act->domid = dom;
		act->readonly = (uint16_t)old & GTF_readonly;
		if (!mfn_is_guest_ram(g, act->frame)) {
			__atomic_fetch_and(word, ~(uint32_t)(GTF_reading | GTF_writing),
			    __ATOMIC_RELEASE);
			return GNTST_bad_page;
		}
	} else if (act->domid != dom) {
		return GNTST_general_error;
	}
	if (write)
		act->writers++;
	else
		act->readers++;
	return GNTST_okay;
}

void gnt_unpin(struct domain *g, uint32_t ref, bool write)
{
	struct gnt_active *act = &g->gnt_active[ref];
	uint32_t *word = (uint32_t *)entry(g, ref);

	if (write)
		act->writers--;
	else
		act->readers--;
	if (act->writers == 0)
		__atomic_fetch_and(word, ~(uint32_t)GTF_writing, __ATOMIC_RELEASE);
	if (act->readers + act->writers == 0)
		__atomic_fetch_and(word, ~(uint32_t)GTF_reading, __ATOMIC_RELEASE);
}

/* --- dom0's mappings ----------------------------------------------------- */

/*
 * A handle is its slot plus GNT_MAX_MAPS times the slot's generation, so
 * a handle kept after its mapping went (with its domain, say) can never
 * name the slot's next mapping, which may be another process's.
 */
struct gnt_map {
	bool used;
	bool readonly;
	uint32_t domid, ref;
	uint64_t frame;
	int conn;			/* the control connection it is for, or -1 */
	uint32_t gen;
};

#define SLOT(h) ((h) % GNT_MAX_MAPS)
#define GEN(h) ((h) / GNT_MAX_MAPS)

static struct gnt_map maps[GNT_MAX_MAPS];
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;

static int gntst_to_errno(int16_t st)
{
	switch (st) {
	case GNTST_okay: return 0;
	case GNTST_bad_domain: return -XEN_ESRCH;
	case GNTST_permission_denied: return -XEN_EPERM;
	case GNTST_no_space: return -XEN_ENOSPC;
	default: return -XEN_EINVAL;
	}
}

/* A read-only descriptor for the same page: a new open of the memfd. */
static int reopen_readonly(int fd)
{
	char path[64];
	int ro;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	close(fd);
	return ro;
}

/* Main thread only (the control socket), like domain destruction. */
int gnt_map_dom0(uint32_t domid, uint32_t ref, bool readonly, uint32_t *handle,
    int *fd)
{
	struct domain *g = domain_get(domid);
	uint32_t h;
	int16_t st;
	int ret;

	if (g == NULL)
		return -XEN_ESRCH;
	pthread_mutex_lock(&maps_lock);
	for (h = 0; h < GNT_MAX_MAPS && maps[h].used; h++)
		;
	if (h == GNT_MAX_MAPS) {
		pthread_mutex_unlock(&maps_lock);
		return -XEN_ENOSPC;
	}
	pthread_mutex_lock(&g->lock);
	st = gnt_pin(g, ref, 0, !readonly);
	if (st == GNTST_okay) {
		uint32_t gen = (maps[h].gen + 1) % (UINT32_MAX / GNT_MAX_MAPS);

		maps[h] = (struct gnt_map){ true, readonly, domid, ref,
		    g->gnt_active[ref].frame, -1, gen };
	}
	pthread_mutex_unlock(&g->lock);
	pthread_mutex_unlock(&maps_lock);
	if (st != GNTST_okay) {
		gwarn(g, "dom0 map of gref %u: status %d", ref, st);
		return gntst_to_errno(st);
	}
	h += maps[h].gen * GNT_MAX_MAPS;
	ret = memshare_get(g, maps[SLOT(h)].frame, fd);
	if (ret == 0 && readonly && (*fd = reopen_readonly(*fd)) < 0)
		ret = -XEN_ENOMEM;
	if (ret < 0) {
		gnt_unmap_dom0(h);
		return ret;
	}
	*handle = h;
	return 0;
}

int gnt_unmap_dom0(uint32_t handle)
{
	return gnt_unmap_dom0_by(handle, GNT_ANY_CONN);
}

int gnt_unmap_dom0_by(uint32_t handle, int conn)
{
	struct gnt_map m;
	struct domain *g;
	uint32_t slot = SLOT(handle);

	pthread_mutex_lock(&maps_lock);
	if (!maps[slot].used || maps[slot].gen != GEN(handle) ||
	    (conn != GNT_ANY_CONN && maps[slot].conn != conn)) {
		pthread_mutex_unlock(&maps_lock);
		return -XEN_EINVAL;
	}
	m = maps[slot];
	maps[slot].used = false;
	pthread_mutex_unlock(&maps_lock);
	g = domain_get(m.domid);
	if (g == NULL)
		return 0;
	memshare_put(g, m.frame);
	pthread_mutex_lock(&g->lock);
	gnt_unpin(g, m.ref, !m.readonly);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

/* The handle goes with the control connection that asked for it: a dom0
 * process that dies (or a daemon that is restarted) leaves no mapping. */
void gnt_dom0_owner(uint32_t handle, int conn)
{
	pthread_mutex_lock(&maps_lock);
	if (maps[SLOT(handle)].used && maps[SLOT(handle)].gen == GEN(handle))
		maps[SLOT(handle)].conn = conn;
	pthread_mutex_unlock(&maps_lock);
}

void gnt_dom0_release(int conn)
{
	uint32_t h;
	bool mine;

	for (h = 0; h < GNT_MAX_MAPS; h++) {
		pthread_mutex_lock(&maps_lock);
		mine = maps[h].used && maps[h].conn == conn;
		pthread_mutex_unlock(&maps_lock);
		if (mine)
			gnt_unmap_dom0(h + maps[h].gen * GNT_MAX_MAPS);
	}
}

/* A destroyed domain's pages live on in the holders' memfds; its handles
 * go. */
void gnt_domain_gone(uint32_t domid)
{
	uint32_t h;

	pthread_mutex_lock(&maps_lock);
	for (h = 0; h < GNT_MAX_MAPS; h++)
		if (maps[h].used && maps[h].domid == domid)
			maps[h].used = false;
	pthread_mutex_unlock(&maps_lock);
}

/* --- hypercalls ------------------------------------------------------------- */

static long gnt_setup_table(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	struct gnttab_setup_table op;
	xen_pfn_t mfn;
	uint32_t i;

	if (copy_from_guest(v, &op, arg, sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (domain_xsm_self(XSM_GRANT_SETUP, d, op.dom) < 0)
		op.status = GNTST_permission_denied;
	else if (op.nr_frames > GNT_MAX_FRAMES)
		op.status = GNTST_general_error;
	else
		op.status = GNTST_okay;
	for (i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
		/* An HVM guest's frames are where it put them (add_to_physmap). */
		mfn = d->hvm != NULL ? (xen_pfn_t)hvm_gnt_frame_gfn(d, i) :
		    (PRIV_GPA >> PAGE_SHIFT) + PF_GNT + i;
		if (copy_to_guest(v, (uint64_t)(uintptr_t)op.frame_list.p +
		    i * sizeof(mfn), &mfn, sizeof(mfn)) < 0)
			return -XEN_EFAULT;
	}
	if (op.status == GNTST_okay) {
		pthread_mutex_lock(&d->lock);
		if (op.nr_frames > d->gnt_frames)
			d->gnt_frames = op.nr_frames;
		pthread_mutex_unlock(&d->lock);
	}
	return copy_to_guest(v, arg, &op, sizeof(op));
}

static long gnt_query_size(struct vcpu *v, uint64_t arg)
{
	struct gnttab_query_size op;

	if (copy_from_guest(v, &op, arg, sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (domain_xsm_self(XSM_GRANT_QUERY, v->d, op.dom) < 0) {
		op.status = GNTST_permission_denied;
	} else {
		op.nr_frames = v->d->gnt_frames;
		op.max_nr_frames = GNT_MAX_FRAMES;
		op.status = GNTST_okay;
	}
	return copy_to_guest(v, arg, &op, sizeof(op));
}

static long gnt_set_version(struct vcpu *v, uint64_t arg)
{
	struct gnttab_set_version op;
	long ret;

	if (copy_from_guest(v, &op, arg, sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (op.version != 1 && op.version != 2)
		ret = -XEN_EINVAL;
	else if (op.version == 2)
		ret = -XEN_ENOSYS;	/* v2 is not offered, as with Xen's max version 1 */
	else
		ret = 0;
	op.version = 1;
	if (copy_to_guest(v, arg, &op, sizeof(op)) < 0)
		return -XEN_EFAULT;
	return ret;
}

static long gnt_get_version(struct vcpu *v, uint64_t arg)
{
	struct gnttab_get_version op;
	long ret;

	if (copy_from_guest(v, &op, arg, sizeof(op)) < 0)
		return -XEN_EFAULT;
	ret = domain_xsm_self(XSM_GRANT_QUERY, v->d, op.dom);
	if (ret < 0)
		return ret;
	op.version = 1;
	return copy_to_guest(v, arg, &op, sizeof(op));
}

static long gnt_dump_table(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	struct gnttab_dump_table op;
	uint32_t ref, shown = 0;

	if (copy_from_guest(v, &op, arg, sizeof(op)) < 0)
		return -XEN_EFAULT;
	op.status = GNTST_okay;
	if (domain_xsm_self(XSM_GRANT_QUERY, d, op.dom) < 0)
		op.status = GNTST_permission_denied;
	pthread_mutex_lock(&d->lock);
	for (ref = 0; op.status == GNTST_okay && ref < nr_entries(d) && shown < 64; ref++) {
		grant_entry_v1_t e = *entry(d, ref);

		if (e.flags == 0)
			continue;
		log_info("d%u: gref %u: flags %#x domid %u frame %#x, pinned %u/%u",
		    d->domid, ref, e.flags, e.domid, e.frame,
		    d->gnt_active[ref].readers, d->gnt_active[ref].writers);
		shown++;
	}
	pthread_mutex_unlock(&d->lock);
	return copy_to_guest(v, arg, &op, sizeof(op));
}

/* One side of a copy: a frame of ours, or a grant to us. */
struct copy_side {
	struct domain *g;	/* the granter, when a gref */
	uint32_t ref;
	bool pinned, write;
	uint8_t *page;
};

/* The other domain of a batch's copies, referenced once for the batch;
 * one for sources and one for destinations, so a side in use is never
 * let go. */
struct copy_peer {
	uint32_t domid;
	struct domain *d;
};

static struct domain *copy_peer_get(struct copy_peer *p, uint32_t domid)
{
	if (p->d == NULL || p->domid != domid) {
		if (p->d != NULL)
			domain_unref(p->d);
		p->domid = domid;
		p->d = domain_ref(domid);
	}
	return p->d;
}

static int16_t copy_side_get(struct vcpu *v, struct copy_peer *peer,
    struct copy_side *s, const struct gnttab_copy_ptr *p, bool is_gref, bool write)
{
	struct domain *self = v->d, *g;
	uint64_t frame;
	int16_t st;

	memset(s, 0, sizeof(*s));
	s->write = write;
	if (!is_gref) {
		if (p->domid != DOMID_SELF && p->domid != self->domid)
			return GNTST_permission_denied;	/* frames: our own only */
		frame = p->u.gmfn;
		if (!mfn_is_guest_ram(self, frame))
			return GNTST_bad_page;
		s->page = self->ram + frame * PAGE_SIZE;
		return GNTST_okay;
	}
	g = p->domid == DOMID_SELF ? self : copy_peer_get(peer, p->domid);
	if (g == NULL)
		return GNTST_bad_domain;
	if (xsm_check(XSM_GRANT_COPY, &self->sec, &g->sec) < 0)
		return GNTST_permission_denied;
	pthread_mutex_lock(&g->lock);
	st = gnt_pin(g, p->u.ref, (uint16_t)self->domid, write);
	if (st == GNTST_okay) {
		s->g = g;
		s->pinned = true;
		s->ref = p->u.ref;
		s->page = g->ram + g->gnt_active[p->u.ref].frame * PAGE_SIZE;
	}
	pthread_mutex_unlock(&g->lock);
	return st;
}

static void copy_side_put(struct copy_side *s)
{
	if (s->pinned) {
		pthread_mutex_lock(&s->g->lock);
		gnt_unpin(s->g, s->ref, s->write);
		pthread_mutex_unlock(&s->g->lock);
	}
}

static int16_t gnt_copy_one(struct vcpu *v, struct copy_peer peer[2],
    const struct gnttab_copy *op)
{
	struct copy_side src, dst;
	int16_t st;

	if (op->source.offset + (uint32_t)op->len > PAGE_SIZE ||
	    op->dest.offset + (uint32_t)op->len > PAGE_SIZE)
		return GNTST_bad_copy_arg;
	if (op->len == 0)
		return GNTST_okay;	/* nothing to copy, nothing to pin */
	st = copy_side_get(v, &peer[0], &src, &op->source,
	    op->flags & GNTCOPY_source_gref, false);
	if (st == GNTST_okay) {
		st = copy_side_get(v, &peer[1], &dst, &op->dest,
		    op->flags & GNTCOPY_dest_gref, true);
		if (st == GNTST_okay)
			memmove(dst.page + op->dest.offset, src.page + op->source.offset,
			    op->len);
		copy_side_put(&dst);
	}
	copy_side_put(&src);
	return st;
}

/*
 * Ops are read a chunk at a time (one page walk instead of one per op),
 * each is copied out of guest memory once and only the copy is used, and
 * the chunk goes back with the statuses filled in.
 */
#define COPY_CHUNK 16

static long gnt_copy(struct vcpu *v, uint64_t arg, uint32_t count)
{
	struct gnttab_copy ops[COPY_CHUNK];
	struct copy_peer peer[2] = { { 0, NULL }, { 0, NULL } };
	uint32_t i, j, n;
	long ret = 0;

	if (count > GNT_MAX_COPY_OPS)
		return -XEN_EINVAL;
	for (i = 0; i < count && ret == 0; i += n) {
		uint64_t at = arg + (uint64_t)i * sizeof(ops[0]);

		n = MIN(count - i, COPY_CHUNK);
		if (copy_from_guest(v, ops, at, n * sizeof(ops[0])) < 0) {
			ret = -XEN_EFAULT;
			break;
		}
		for (j = 0; j < n; j++) {
			ops[j].status = gnt_copy_one(v, peer, &ops[j]);
			if (ops[j].status != GNTST_okay)
				gwarn(v->d, "copy %u: status %d", i + j, ops[j].status);
		}
		if (copy_to_guest(v, at, ops, n * sizeof(ops[0])) < 0)
			ret = -XEN_EFAULT;
	}
	for (j = 0; j < 2; j++)
		if (peer[j].d != NULL)
			domain_unref(peer[j].d);
	return ret;
}

long hc_grant_table_op(struct vcpu *v, uint64_t *a)
{
	uint32_t count = (uint32_t)a[2];

	switch (a[0]) {
	case GNTTABOP_setup_table:
	case GNTTABOP_query_size:
	case GNTTABOP_set_version:
	case GNTTABOP_get_version:
	case GNTTABOP_dump_table:
		if (count != 1)
			return -XEN_EINVAL;
		break;
	}
	switch (a[0]) {
	case GNTTABOP_setup_table: return gnt_setup_table(v, a[1]);
	case GNTTABOP_query_size: return gnt_query_size(v, a[1]);
	case GNTTABOP_set_version: return gnt_set_version(v, a[1]);
	case GNTTABOP_get_version: return gnt_get_version(v, a[1]);
	case GNTTABOP_dump_table: return gnt_dump_table(v, a[1]);
	case GNTTABOP_copy: return gnt_copy(v, a[1], count);
	case GNTTABOP_map_grant_ref: return gnt_map_refs(v, a[1], count);
	case GNTTABOP_unmap_grant_ref: return gnt_unmap_refs(v, a[1], count, false);
	case GNTTABOP_unmap_and_replace: return gnt_unmap_refs(v, a[1], count, true);
	default:
		/* transfer, v2 status frames, cache flush */
		return -XEN_ENOSYS;
	}
}
