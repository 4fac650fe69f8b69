/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables on the real hypervisor core (fake platform): the entry
 * state machine and busy bits, dom0 mappings that share exactly one page
 * and are revoked on unmap, read-only grants, maptrack limits, and the
 * copy operation with every way a guest can get it wrong.
 */
#include "config.h"

#include "unit.h"
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakeguest.h"

static struct domain *a, *b;	/* a grants, b (and dom0) use its grants */

static grant_entry_v1_t *gentry(struct domain *d, uint32_t ref)
{
	return (grant_entry_v1_t *)(d->priv + PF_GNT * PAGE_SIZE) + ref;
}

static void grant(struct domain *d, uint32_t ref, uint16_t to, uint32_t frame,
    uint16_t flags)
{
	*gentry(d, ref) = (grant_entry_v1_t){ .flags = GTF_permit_access | flags,
	    .domid = to, .frame = frame };
}

static char *frame_of(struct domain *d, uint64_t pfn)
{
	return (char *)d->ram + pfn * PAGE_SIZE;
}

/* dom0 maps d's writable grant ref and mmaps the page it gets. */
static char *map_rw_of(struct domain *d, uint32_t ref, uint32_t *h)
{
	char *p;
	int fd;

	if (gnt_map_dom0(d->domid, ref, false, h, &fd) != 0)
		return NULL;
	p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static char *map_rw(uint32_t ref, uint32_t *h)
{
	return map_rw_of(a, ref, h);
}

static void setup_pair(void)
{
	a = fg_new();
	b = fg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	gnt_init(a, 10, 11);
}

static void drop_pair(void)
{
	if (a != NULL)
		fg_drop(a);
	fg_drop(b);
	a = b = NULL;
}

static void test_reserved_entries(void)
{
	setup_pair();
	CU_ASSERT_EQUAL(gentry(a, GNTTAB_RESERVED_CONSOLE)->flags, GTF_permit_access);
	CU_ASSERT_EQUAL(gentry(a, GNTTAB_RESERVED_CONSOLE)->domid, 0);
	CU_ASSERT_EQUAL(gentry(a, GNTTAB_RESERVED_CONSOLE)->frame, 10);
	CU_ASSERT_EQUAL(gentry(a, GNTTAB_RESERVED_XENSTORE)->frame, 11);
	CU_ASSERT_TRUE(gnt_frame_is_table(a, (PRIV_GPA >> PAGE_SHIFT) + PF_GNT));
	CU_ASSERT_FALSE(gnt_frame_is_table(a, (PRIV_GPA >> PAGE_SHIFT) + PF_GNT + 1));
	drop_pair();
}

static void test_dom0_map_revoke(void)
{
	uint32_t h;
	char *p;

	setup_pair();
	grant(a, 8, 0, 40, 0);
	strcpy(frame_of(a, 40), "hello");
	p = map_rw(8, &h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	CU_ASSERT_STRING_EQUAL(p, "hello");
	strcpy(p, "from dom0");			/* the guest sees dom0's write */
	CU_ASSERT_STRING_EQUAL(frame_of(a, 40), "from dom0");
	strcpy(frame_of(a, 41), "neighbour");	/* and only that one page */
	CU_ASSERT_EQUAL(gnt_unmap_dom0(h), 0);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	strcpy(frame_of(a, 40), "after unmap");
	CU_ASSERT_STRING_EQUAL(p, "from dom0");	/* revoked: nothing new */
	CU_ASSERT_STRING_EQUAL(frame_of(a, 40), "after unmap");
	CU_ASSERT_EQUAL(gnt_unmap_dom0(h), -XEN_EINVAL);	/* double unmap */
	munmap(p, PAGE_SIZE);
	drop_pair();
}

static void test_dom0_readonly(void)
{
	uint32_t h;
	void *p;
	int fd;

	setup_pair();
	grant(a, 9, 0, 42, GTF_readonly);
	strcpy(frame_of(a, 42), "read me");
	CU_ASSERT_EQUAL(gnt_map_dom0(a->domid, 9, false, &h, &fd), -XEN_EPERM);
	CU_ASSERT_EQUAL(gentry(a, 9)->flags, GTF_permit_access | GTF_readonly);
	CU_ASSERT_EQUAL_FATAL(gnt_map_dom0(a->domid, 9, true, &h, &fd), 0);
	CU_ASSERT_EQUAL(gentry(a, 9)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
	CU_ASSERT(mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	CU_ASSERT(write(fd, "x", 1) < 0);
	p = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	CU_ASSERT_STRING_EQUAL(p, "read me");
	CU_ASSERT_EQUAL(gnt_unmap_dom0(h), 0);
	CU_ASSERT_EQUAL(gentry(a, 9)->flags, GTF_permit_access | GTF_readonly);
	munmap(p, PAGE_SIZE);
	drop_pair();
}

static void test_dom0_bad_grants(void)
{
	uint32_t h;
	int fd;

	setup_pair();
	CU_ASSERT_EQUAL(gnt_map_dom0(a->domid, 600, false, &h, &fd), -XEN_EINVAL);
	CU_ASSERT_EQUAL(gnt_map_dom0(a->domid, 12, false, &h, &fd), -XEN_EINVAL);	/* never granted */
	grant(a, 13, 5, 40, 0);				/* granted to someone else */
	CU_ASSERT_EQUAL(gnt_map_dom0(a->domid, 13, false, &h, &fd), -XEN_EINVAL);
	*gentry(a, 14) = (grant_entry_v1_t){ .flags = GTF_accept_transfer, .domid = 0 };
	CU_ASSERT_EQUAL(gnt_map_dom0(a->domid, 14, false, &h, &fd), -XEN_EINVAL);
	grant(a, 15, 0, 0x100000, 0);			/* a frame not theirs */
	CU_ASSERT_EQUAL(gnt_map_dom0(a->domid, 15, false, &h, &fd), -XEN_EINVAL);
	CU_ASSERT_EQUAL(gentry(a, 15)->flags, GTF_permit_access);	/* not left busy */
	CU_ASSERT_EQUAL(gnt_map_dom0(999, 8, false, &h, &fd), -XEN_ESRCH);
	CU_ASSERT_EQUAL(gnt_unmap_dom0(GNT_MAX_MAPS), -XEN_EINVAL);
	CU_ASSERT_EQUAL(gnt_unmap_dom0(0xffffffffu), -XEN_EINVAL);
	drop_pair();
}

static void test_maptrack_limit(void)
{
	static uint32_t h[GNT_MAX_MAPS];
	uint32_t extra, i;
	int fd;

	setup_pair();
	grant(a, 8, 0, 40, 0);
	for (i = 0; i < GNT_MAX_MAPS; i++) {
		CU_ASSERT_EQUAL_FATAL(gnt_map_dom0(a->domid, 8, true, &h[i], &fd), 0);
		close(fd);
	}
	CU_ASSERT_EQUAL(gnt_map_dom0(a->domid, 8, true, &extra, &fd), -XEN_ENOSPC);
	CU_ASSERT_EQUAL(a->gnt_active[8].readers, GNT_MAX_MAPS);
	for (i = 0; i < GNT_MAX_MAPS; i++)
		CU_ASSERT_EQUAL(gnt_unmap_dom0(h[i]), 0);
	CU_ASSERT_EQUAL(a->gnt_active[8].readers, 0);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	drop_pair();
}

/* A control connection's mappings go with it. */
static void test_dom0_release(void)
{
	uint32_t h1, h2;
	char *p1, *p2;

	setup_pair();
	grant(a, 8, 0, 40, 0);
	grant(a, 9, 0, 41, 0);
	p1 = map_rw(8, &h1);
	p2 = map_rw(9, &h2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p2);
	gnt_dom0_owner(h1, 5);
	gnt_dom0_owner(h2, 6);
	gnt_dom0_release(5);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);	/* unmapped */
	CU_ASSERT_EQUAL(gentry(a, 9)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	CU_ASSERT_EQUAL(gnt_unmap_dom0(h1), -XEN_EINVAL);
	CU_ASSERT_EQUAL(gnt_unmap_dom0_by(h2, 5), -XEN_EINVAL);	/* not 5's */
	CU_ASSERT_EQUAL(gnt_unmap_dom0_by(h2, 6), 0);
	munmap(p1, PAGE_SIZE);
	munmap(p2, PAGE_SIZE);
	drop_pair();
}

/* The granter is destroyed while dom0 maps its page: dom0 keeps the page,
 * the handle goes, nothing dangles. */
static void test_destroy_while_mapped(void)
{
	uint32_t h;
	char *p;

	setup_pair();
	grant(a, 8, 0, 40, 0);
	strcpy(frame_of(a, 40), "still here");
	p = map_rw(8, &h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	fg_drop(a);
	a = NULL;
	CU_ASSERT_STRING_EQUAL(p, "still here");
	CU_ASSERT_EQUAL(gnt_unmap_dom0(h), -XEN_EINVAL);
	munmap(p, PAGE_SIZE);
	drop_pair();
}

/* A handle kept after its domain went names nothing, even once its slot
 * holds another domain's mapping (a daemon cleaning up late must not
 * unmap what another daemon just mapped). */
static void test_stale_handle(void)
{
	uint32_t old, new;
	char *p, *q;

	setup_pair();
	grant(a, 8, 0, 40, 0);
	p = map_rw(8, &old);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	fg_drop(a);
	a = NULL;
	gnt_init(b, 10, 11);
	grant(b, 8, 0, 41, 0);
	q = map_rw_of(b, 8, &new);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(new % GNT_MAX_MAPS, old % GNT_MAX_MAPS);	/* the same slot */
	CU_ASSERT_NOT_EQUAL(new, old);
	CU_ASSERT_EQUAL(gnt_unmap_dom0(old), -XEN_EINVAL);
	CU_ASSERT_EQUAL(gentry(b, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	CU_ASSERT_EQUAL(gnt_unmap_dom0(new), 0);
	munmap(p, PAGE_SIZE);
	munmap(q, PAGE_SIZE);
	drop_pair();
}

/* dom0's grant copy through a registered buffer, on connection 7. */
static void test_dom0_copy(void)
{
	static struct ctl_gnt_copy c;
	struct xsm_dom dom0 = XSM_DOM_INIT(0, true);
	int fd = memfd_create("buf", MFD_CLOEXEC);
	uint32_t id, other;
	char *buf;

	setup_pair();
	CU_ASSERT_FATAL(fd >= 0 && ftruncate(fd, 2 * PAGE_SIZE) == 0);
	buf = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CU_ASSERT_EQUAL(gnt_buf_register(7, fd, PAGE_SIZE + 1, &id), -XEN_EINVAL);
	CU_ASSERT_EQUAL_FATAL(gnt_buf_register(7, fd, 2 * PAGE_SIZE, &id), 0);
	close(fd);
	grant(a, 8, 0, 40, 0);
	grant(a, 9, 0, 41, GTF_readonly);
	strcpy(frame_of(a, 40) + 16, "from a");
	strcpy(buf + PAGE_SIZE, "from dom0");
	c.count = 4;
	c.seg[0] = (struct ctl_gnt_copy_seg){ .ref = 8, .domid = (uint16_t)a->domid,
	    .offset = 16, .len = 7, .buf = id, .buf_offset = 100 };
	c.seg[1] = (struct ctl_gnt_copy_seg){ .flags = CTL_GNT_COPY_TO_GUEST, .ref = 8,
	    .domid = (uint16_t)a->domid, .offset = 200, .len = 10, .buf = id,
	    .buf_offset = PAGE_SIZE };
	c.seg[2] = c.seg[1];
	c.seg[2].ref = 9;					/* read-only */
	c.seg[3] = c.seg[0];
	c.seg[3].buf_offset = 2 * PAGE_SIZE - 3;		/* past the buffer */
	CU_ASSERT_EQUAL(gnt_copy_dom0(7, &dom0, &c), 0);
	CU_ASSERT_EQUAL(c.seg[0].status, GNTST_okay);
	CU_ASSERT_STRING_EQUAL(buf + 100, "from a");
	CU_ASSERT_EQUAL(c.seg[1].status, GNTST_okay);
	CU_ASSERT_STRING_EQUAL(frame_of(a, 40) + 200, "from dom0");
	CU_ASSERT_EQUAL(c.seg[2].status, GNTST_permission_denied);
	CU_ASSERT_EQUAL(c.seg[3].status, GNTST_bad_copy_arg);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	/* Another connection's buffer is not ours; ours go with us. */
	c.count = 1;
	CU_ASSERT_EQUAL(gnt_copy_dom0(8, &dom0, &c), 0);
	CU_ASSERT_EQUAL(c.seg[0].status, GNTST_general_error);
	c.count = CTL_GNT_COPY_MAX + 1;
	CU_ASSERT_EQUAL(gnt_copy_dom0(7, &dom0, &c), -XEN_EINVAL);
	gnt_bufs_release(7);
	CU_ASSERT_EQUAL(gnt_buf_unregister(7, id), -XEN_EINVAL);
	CU_ASSERT_EQUAL(gnt_buf_register(7, -1, PAGE_SIZE, &other), -XEN_EINVAL);
	munmap(buf, 2 * PAGE_SIZE);
	drop_pair();
}

/* b's hypercalls, arguments in b's scratch pages. */
static long gnttab(unsigned int cmd, const void *ops, size_t size, uint32_t count)
{
	uint64_t args[6] = { cmd, FG_SCRATCH, count, 0, 0, 0 };

	memcpy(fg_ptr(b, FG_SCRATCH), ops, size);
	return hypercall_call(b->vcpu[0], __HYPERVISOR_grant_table_op, args);
}

static int16_t copy_status(const struct gnttab_copy *op)
{
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_copy, op, sizeof(*op), 1), 0);
	return ((struct gnttab_copy *)fg_ptr(b, FG_SCRATCH))->status;
}

static void test_copy(void)
{
	struct gnttab_copy op = {
		.source = { .u.ref = 20, .domid = 0, .offset = 100 },
		.dest = { .u.gmfn = 45, .domid = DOMID_SELF, .offset = 8 },
		.len = 6, .flags = GNTCOPY_source_gref,
	};

	setup_pair();
	op.source.domid = (domid_t)a->domid;
	grant(a, 20, (uint16_t)b->domid, 40, GTF_readonly);
	strcpy(frame_of(a, 40) + 100, "copied");
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_okay);
	CU_ASSERT_EQUAL(memcmp(frame_of(b, 45) + 8, "copied", 6), 0);
	CU_ASSERT_EQUAL(gentry(a, 20)->flags, GTF_permit_access | GTF_readonly);

	/* Into a read-only grant: refused. */
	op.flags = GNTCOPY_dest_gref;
	op.source = (struct gnttab_copy_ptr){ .u.gmfn = 45, .domid = DOMID_SELF };
	op.dest = (struct gnttab_copy_ptr){ .u.ref = 20, .domid = (domid_t)a->domid };
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_permission_denied);
	/* Into a writable one: done. */
	grant(a, 21, (uint16_t)b->domid, 41, 0);
	op.dest.u.ref = 21;
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_okay);
	CU_ASSERT_EQUAL(memcmp(frame_of(a, 41), frame_of(b, 45), 6), 0);
	CU_ASSERT_EQUAL(gentry(a, 21)->flags, GTF_permit_access);

	op.dest.offset = PAGE_SIZE - 2;			/* across the page end */
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_bad_copy_arg);
	op.dest.offset = 0;
	op.len = 0;					/* nothing: fine */
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_okay);
	op.len = 6;
	op.dest.domid = 999;				/* no such domain */
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_bad_domain);
	op.dest.domid = (domid_t)a->domid;
	op.dest.u.ref = 4000;				/* beyond the table */
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_bad_gntref);
	op.dest.u.ref = 8;				/* granted to dom0, not b */
	grant(a, 8, 0, 40, 0);
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_general_error);
	op.dest.u.ref = 21;
	op.source.domid = (domid_t)a->domid;		/* a frame of a's: never */
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_permission_denied);
	op.source.domid = DOMID_SELF;
	op.source.u.gmfn = 0x100000;			/* not b's RAM */
	CU_ASSERT_EQUAL(copy_status(&op), GNTST_bad_page);
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_copy, &op, sizeof(op), GNT_MAX_COPY_OPS + 1),
	    -XEN_EINVAL);
	CU_ASSERT_EQUAL(gentry(a, 21)->flags, GTF_permit_access);
	CU_ASSERT_EQUAL(a->gnt_active[21].writers, 0);
	drop_pair();
}

/* --- guests mapping grants (b maps a's) ------------------------------------ */

static long set_version(struct domain *d, uint32_t version)
{
	struct gnttab_set_version sv = { .version = version };
	uint64_t args[6] = { GNTTABOP_set_version, FG_SCRATCH, 1, 0, 0, 0 };

	memcpy(fg_ptr(d, FG_SCRATCH), &sv, sizeof(sv));
	return hypercall_call(d->vcpu[0], __HYPERVISOR_grant_table_op, args);
}

static uint64_t va_of(uint64_t pfn)
{
	return FG_KBASE + pfn * PAGE_SIZE;
}

static uint64_t *l1e_of(struct domain *d, uint64_t pfn)
{
	return (uint64_t *)frame_of(d, FG_PT_PFN + 3) + pfn;
}

static int16_t gmap(uint32_t ref, uint64_t pfn, uint32_t flags, uint32_t *h)
{
	struct gnttab_map_grant_ref op = { .host_addr = va_of(pfn),
	    .flags = GNTMAP_host_map | flags, .ref = ref, .dom = (domid_t)a->domid };

	CU_ASSERT_EQUAL(gnttab(GNTTABOP_map_grant_ref, &op, sizeof(op), 1), 0);
	op = *(struct gnttab_map_grant_ref *)fg_ptr(b, FG_SCRATCH);
	if (h != NULL)
		*h = op.handle;
	return op.status;
}

static int16_t gunmap(uint64_t host_addr, uint32_t h)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = host_addr, .handle = h };

	CU_ASSERT_EQUAL(gnttab(GNTTABOP_unmap_grant_ref, &op, sizeof(op), 1), 0);
	return ((struct gnttab_unmap_grant_ref *)fg_ptr(b, FG_SCRATCH))->status;
}

/* One page, seen by both; unmapping shows b its own frame again and none
 * of a's later writes. */
static void test_guest_map_revoke(void)
{
	uint32_t h;

	setup_pair();
	grant(a, 8, (uint16_t)b->domid, 40, 0);
	strcpy(frame_of(a, 40), "a's page");
	strcpy(frame_of(b, 100), "b's page");
	CU_ASSERT_EQUAL_FATAL(gmap(8, 100, 0, &h), GNTST_okay);
	CU_ASSERT_STRING_EQUAL(frame_of(b, 100), "a's page");
	strcpy(frame_of(b, 100) + 64, "from b");
	CU_ASSERT_STRING_EQUAL(frame_of(a, 40) + 64, "from b");
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	/* XSA-255's class: no version switch under a live mapping. */
	CU_ASSERT_EQUAL(set_version(a, 2), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(set_version(a, 1), 0);
	CU_ASSERT_STRING_EQUAL(frame_of(b, 100), "a's page");
	CU_ASSERT_EQUAL(gmap(8, 100, 0, NULL), GNTST_bad_virt_addr);	/* taken */
	CU_ASSERT_EQUAL(gunmap(va_of(101), h), GNTST_general_error);	/* not there */
	CU_ASSERT_STRING_EQUAL(frame_of(b, 100), "a's page");		/* kept */
	CU_ASSERT_EQUAL(gunmap(va_of(100), h), GNTST_okay);
	CU_ASSERT_STRING_EQUAL(frame_of(b, 100), "b's page");
	strcpy(frame_of(a, 40) + 128, "later");
	CU_ASSERT_EQUAL(frame_of(b, 100)[128], 0);
	CU_ASSERT_STRING_EQUAL(frame_of(a, 40) + 64, "from b");
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	CU_ASSERT_EQUAL(gunmap(0, h), GNTST_bad_handle);		/* twice */
	CU_ASSERT_EQUAL(a->gnt_active[8].writers, 0);
	drop_pair();
}

static void test_guest_map_readonly(void)
{
	uint32_t h;

	setup_pair();
	grant(a, 9, (uint16_t)b->domid, 41, GTF_readonly);
	CU_ASSERT_EQUAL(gmap(9, 101, 0, NULL), GNTST_permission_denied);
	CU_ASSERT_EQUAL(gmap(9, 101, GNTMAP_readonly, &h), GNTST_okay);
	CU_ASSERT_EQUAL(*l1e_of(b, 101) & 2, 0);
	CU_ASSERT_EQUAL(gentry(a, 9)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
	CU_ASSERT_EQUAL(gunmap(va_of(101), h), GNTST_okay);
	drop_pair();
}

/* Every bad argument gets its status; nothing is left pinned. */
static void test_guest_map_bad(void)
{
	struct gnttab_map_grant_ref op = { .host_addr = va_of(100),
	    .flags = GNTMAP_host_map, .ref = 8, .dom = 999 };

	setup_pair();
	grant(a, 8, (uint16_t)b->domid, 40, 0);
	grant(a, 7, 0, 40, 0);					/* to dom0 */
	CU_ASSERT_EQUAL(gmap(7, 100, 0, NULL), GNTST_general_error);
	CU_ASSERT_EQUAL(gmap(4000, 100, 0, NULL), GNTST_bad_gntref);
	CU_ASSERT_EQUAL(gmap(8, 600, 0, NULL), GNTST_bad_virt_addr);	/* unmapped VA */
	CU_ASSERT_EQUAL(gmap(8, 100, GNTMAP_contains_pte, NULL), GNTST_general_error);
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_map_grant_ref, &op, sizeof(op), 1), 0);
	CU_ASSERT_EQUAL(((struct gnttab_map_grant_ref *)fg_ptr(b, FG_SCRATCH))->status,
	    GNTST_bad_domain);
	op.dom = (domid_t)a->domid;
	op.host_addr = va_of(100) + 8;
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_map_grant_ref, &op, sizeof(op), 1), 0);
	CU_ASSERT_EQUAL(((struct gnttab_map_grant_ref *)fg_ptr(b, FG_SCRATCH))->status,
	    GNTST_bad_virt_addr);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	CU_ASSERT_EQUAL(gunmap(0, 12345), GNTST_bad_handle);
	drop_pair();
}

/* XSA-218/224's class: the maptrack fills up cleanly, and a batch of
 * unmaps is done op by op, each all or nothing. */
static void test_guest_maptrack(void)
{
	struct gnttab_unmap_grant_ref ops[3];
	uint32_t h[4], i;

	setup_pair();
	b->max_maptrack = 4;
	grant(a, 8, (uint16_t)b->domid, 40, 0);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(gmap(8, 100 + i, 0, &h[i]), GNTST_okay);
	CU_ASSERT_EQUAL(gmap(8, 110, 0, NULL), GNTST_no_space);
	CU_ASSERT_EQUAL(a->gnt_active[8].writers, 4);
	ops[0] = (struct gnttab_unmap_grant_ref){ .host_addr = va_of(100), .handle = h[0] };
	ops[1] = (struct gnttab_unmap_grant_ref){ .host_addr = va_of(100), .handle = h[1] };
	ops[2] = (struct gnttab_unmap_grant_ref){ .host_addr = va_of(102), .handle = h[2] };
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_unmap_grant_ref, ops, sizeof(ops), 3), 0);
	memcpy(ops, fg_ptr(b, FG_SCRATCH), sizeof(ops));
	CU_ASSERT_EQUAL(ops[0].status, GNTST_okay);
	CU_ASSERT_EQUAL(ops[1].status, GNTST_general_error);	/* wrong address */
	CU_ASSERT_EQUAL(ops[2].status, GNTST_okay);
	CU_ASSERT_EQUAL(a->gnt_active[8].writers, 2);
	CU_ASSERT_EQUAL(gunmap(va_of(101), h[1]), GNTST_okay);
	CU_ASSERT_EQUAL(gunmap(va_of(103), h[3]), GNTST_okay);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	drop_pair();
}

/* unmap_and_replace: host_addr then maps what new_addr mapped. */
static void test_guest_unmap_replace(void)
{
	struct gnttab_unmap_and_replace op = { .host_addr = va_of(100),
	    .new_addr = va_of(102) };
	uint64_t moved;

	setup_pair();
	grant(a, 8, (uint16_t)b->domid, 40, 0);
	CU_ASSERT_EQUAL_FATAL(gmap(8, 100, 0, &op.handle), GNTST_okay);
	moved = *l1e_of(b, 102);
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_unmap_and_replace, &op, sizeof(op), 1), 0);
	CU_ASSERT_EQUAL(((struct gnttab_unmap_and_replace *)fg_ptr(b, FG_SCRATCH))->status,
	    GNTST_okay);
	CU_ASSERT_EQUAL(*l1e_of(b, 100), moved);
	CU_ASSERT_EQUAL(*l1e_of(b, 102), 0);
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	drop_pair();
}

/* Either side destroyed under a live mapping: nothing dangles. */
static void test_guest_map_destroy(void)
{
	uint32_t h;

	setup_pair();
	grant(a, 8, (uint16_t)b->domid, 40, 0);
	strcpy(frame_of(a, 40), "kept");
	CU_ASSERT_EQUAL_FATAL(gmap(8, 100, 0, &h), GNTST_okay);
	fg_drop(a);
	a = NULL;
	CU_ASSERT_STRING_EQUAL(frame_of(b, 100), "kept");
	CU_ASSERT_EQUAL(gunmap(va_of(100), h), GNTST_okay);
	drop_pair();

	setup_pair();
	grant(a, 8, (uint16_t)b->domid, 40, 0);
	CU_ASSERT_EQUAL_FATAL(gmap(8, 100, 0, &h), GNTST_okay);
	fg_drop(b);
	b = fg_new();
	CU_ASSERT_EQUAL(gentry(a, 8)->flags, GTF_permit_access);
	CU_ASSERT_EQUAL(a->gnt_active[8].writers, 0);
	drop_pair();
}

static void test_table_ops(void)
{
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2 };
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { .version = 2 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	xen_pfn_t *frames;

	setup_pair();
	set_xen_guest_handle(st.frame_list, (xen_pfn_t *)(FG_SCRATCH + 0x100));
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_setup_table, &st, sizeof(st), 1), 0);
	CU_ASSERT_EQUAL(((struct gnttab_setup_table *)fg_ptr(b, FG_SCRATCH))->status, GNTST_okay);
	frames = fg_ptr(b, FG_SCRATCH + 0x100);
	CU_ASSERT_EQUAL(frames[0], (PRIV_GPA >> PAGE_SHIFT) + PF_GNT);
	CU_ASSERT_EQUAL(frames[1], (PRIV_GPA >> PAGE_SHIFT) + PF_GNT + 1);
	CU_ASSERT_EQUAL(b->gnt_frames, 2);
	st.nr_frames = GNT_MAX_FRAMES + 1;
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_setup_table, &st, sizeof(st), 1), 0);
	CU_ASSERT_EQUAL(((struct gnttab_setup_table *)fg_ptr(b, FG_SCRATCH))->status, GNTST_general_error);
	st.nr_frames = 1;
	st.dom = 0;					/* dom0's table: not ours */
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_setup_table, &st, sizeof(st), 1), 0);
	CU_ASSERT_EQUAL(((struct gnttab_setup_table *)fg_ptr(b, FG_SCRATCH))->status, GNTST_permission_denied);
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_setup_table, &st, sizeof(st), 2), -XEN_EINVAL);

	CU_ASSERT_EQUAL(gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1), 0);
	qs = *(struct gnttab_query_size *)fg_ptr(b, FG_SCRATCH);
	CU_ASSERT_EQUAL(qs.status, GNTST_okay);
	CU_ASSERT_EQUAL(qs.nr_frames, 2);
	CU_ASSERT_EQUAL(qs.max_nr_frames, GNT_MAX_FRAMES);

	CU_ASSERT_EQUAL(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 1), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(((struct gnttab_set_version *)fg_ptr(b, FG_SCRATCH))->version, 1);
	sv.version = 3;
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 1), -XEN_EINVAL);
	sv.version = 1;
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_set_version, &sv, sizeof(sv), 1), 0);
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_get_version, &gv, sizeof(gv), 1), 0);
	CU_ASSERT_EQUAL(((struct gnttab_get_version *)fg_ptr(b, FG_SCRATCH))->version, 1);
	gv.dom = 0;
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_get_version, &gv, sizeof(gv), 1), -XEN_EPERM);
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_map_grant_ref, &gv, sizeof(gv),
	    GNT_MAX_MAP_OPS + 1), -XEN_EINVAL);
	CU_ASSERT_EQUAL(gnttab(GNTTABOP_transfer, &gv, sizeof(gv), 1), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(gnttab(99, &gv, sizeof(gv), 1), -XEN_ENOSYS);
	drop_pair();
}

static CU_TestInfo tests[] = {
	{ "reserved entries and table frames", test_reserved_entries },
	{ "dom0 map shares one page; unmap revokes", test_dom0_map_revoke },
	{ "read-only grants map read-only", test_dom0_readonly },
	{ "bad grants, handles and domains", test_dom0_bad_grants },
	{ "maptrack limit", test_maptrack_limit },
	{ "granter destroyed while mapped", test_destroy_while_mapped },
	{ "a stale handle names nothing", test_stale_handle },
	{ "a connection's mappings go with it", test_dom0_release },
	{ "dom0 grant copy through registered buffers", test_dom0_copy },
	{ "grant copy", test_copy },
	{ "setup_table, query_size, versions", test_table_ops },
	{ "guest map shares one page; unmap revokes", test_guest_map_revoke },
	{ "guest read-only maps", test_guest_map_readonly },
	{ "guest map: bad arguments", test_guest_map_bad },
	{ "guest maptrack limit and batched unmaps", test_guest_maptrack },
	{ "guest unmap_and_replace", test_guest_unmap_replace },
	{ "either side destroyed while mapped", test_guest_map_destroy },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "grant", fg_init, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
