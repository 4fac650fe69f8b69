/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dom0 side of the pvtest "grant" suite, as a backend would do it with
 * libpalctl: gntpeer DOMID. Maps the guest's writable grant and checks what
 * the guest wrote, is refused a writable map of the read-only grant and
 * gets a read-only page for it, writes an answer, unmaps, and checks that
 * the guest's next write never reaches the old mapping but does reach a new
 * one. Before that, grant copy through a registered buffer, both ways and
 * with every bad argument. Prints one line per check; exits 1 if any failed.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "../../libctl/palctl.h"
#include "peercheck.h"

#define REF_RW 8
#define REF_RO 9


static char *map(struct palctl *c, uint32_t domid, uint32_t ref, bool ro,
    uint32_t *h)
{
	int fd = palctl_gnt_map(c, domid, ref, ro, h);
	char *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, 4096, PROT_READ | (ro ? 0 : PROT_WRITE), MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static struct ctl_gnt_copy_seg seg(uint32_t domid, uint32_t ref, bool to_guest,
    uint16_t off, uint16_t len, uint32_t buf, uint32_t boff)
{
	return (struct ctl_gnt_copy_seg){ .flags = to_guest ? CTL_GNT_COPY_TO_GUEST : 0,
	    .ref = ref, .domid = (uint16_t)domid, .offset = off, .len = len,
	    .buf = buf, .buf_offset = boff };
}

/* One segment's status, or 99 if the request itself failed. */
static int copy1(struct palctl *c, struct ctl_gnt_copy_seg s)
{
	return palctl_gnt_copy(c, &s, 1) == 0 ? s.status : 99;
}

static void copies(struct palctl *c, uint32_t domid)
{
	static struct ctl_gnt_copy_seg many[200];
	int fd = memfd_create("gntpeer-buf", MFD_CLOEXEC), ok, i;
	uint32_t id;
	char *buf;

	if (fd < 0 || ftruncate(fd, 8192) < 0)
		return check(0, "a buffer memfd");
	buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(palctl_gnt_buf_register(c, fd, 100, &id) == -EINVAL,
	    "a buffer that is not whole pages is refused");
	check(palctl_gnt_buf_register(c, fd, 8192, &id) == 0, "buffer registered: id %u", id);
	close(fd);
	check(copy1(c, seg(domid, REF_RW, false, 0, 11, id, 4096)) == GNTST_okay &&
	    strcmp(buf + 4096, "hello dom0") == 0, "copied from the guest: '%s'", buf + 4096);
	strcpy(buf, "copied by dom0");
	check(copy1(c, seg(domid, REF_RW, true, 2048, 15, id, 0)) == GNTST_okay,
	    "copied into the guest's writable grant");
	check(copy1(c, seg(domid, REF_RO, true, 0, 4, id, 0)) == GNTST_permission_denied,
	    "a copy into the read-only grant is refused");
	check(copy1(c, seg(domid, REF_RO, false, 0, 10, id, 100)) == GNTST_okay &&
	    strcmp(buf + 100, "read only") == 0, "but one from it works");
	check(copy1(c, seg(domid, REF_RW, false, 4090, 10, id, 0)) == GNTST_bad_copy_arg,
	    "a copy across the page's end is bad_copy_arg");
	check(copy1(c, seg(domid, REF_RW, false, 0, 10, id, 8190)) == GNTST_bad_copy_arg,
	    "a copy past the buffer's end is bad_copy_arg");
	check(copy1(c, seg(domid, REF_RW, false, 0, 0, id, 0)) == GNTST_okay,
	    "a zero-length copy does nothing");
	check(copy1(c, seg(999, REF_RW, false, 0, 4, id, 0)) == GNTST_bad_domain,
	    "a domain that does not exist is bad_domain");
	check(copy1(c, seg(domid, 600, false, 0, 4, id, 0)) == GNTST_bad_gntref,
	    "a ref beyond the table is bad_gntref");
	check(copy1(c, seg(domid, REF_RW, false, 0, 4, id + 1, 0)) == GNTST_general_error,
	    "a buffer never registered is refused");
	for (i = 0; i < 200; i++)
		many[i] = seg(domid, REF_RW, false, 0, 11, id, (uint32_t)(i * 32));
	ok = palctl_gnt_copy(c, many, 200) == 0;
	for (i = 0; i < 200; i++)
		ok &= many[i].status == GNTST_okay && strcmp(buf + i * 32, "hello dom0") == 0;
	check(ok, "200 segments in two requests, every one copied");
	check(palctl_gnt_buf_unregister(c, id) == 0, "buffer unregistered");
	check(palctl_gnt_buf_unregister(c, id) == -EINVAL, "and only once");
	check(copy1(c, seg(domid, REF_RW, false, 0, 4, id, 0)) == GNTST_general_error,
	    "an unregistered buffer is refused");
	munmap(buf, 8192);
}

int main(int argc, char **argv)
{
	struct palctl c;
	uint32_t domid, h, h2;
	char *rw, *ro, *again;
	int fd, i;

	peer_name = "gntpeer";
	if (argc != 2)
		return fprintf(stderr, "usage: gntpeer DOMID\n"), 2;
	domid = (uint32_t)strtoul(argv[1], NULL, 10);
	if (palctl_open(&c) < 0)
		return fprintf(stderr, "gntpeer: hypervisor not running\n"), 1;
	copies(&c, domid);

	rw = map(&c, domid, REF_RW, false, &h);
	check(rw != NULL && strcmp(rw, "hello dom0") == 0, "mapped ref %d: '%s'",
	    REF_RW, rw ? rw : "(none)");
	if (rw == NULL)
		return 1;
	check(strcmp(rw + 2048, "copied by dom0") == 0, "the copy shows in the mapping: '%s'",
	    rw + 2048);
	check(palctl_gnt_map(&c, domid, REF_RO, false, &h2) == -EPERM,
	    "a writable map of the read-only grant is refused");
	fd = palctl_gnt_map(&c, domid, REF_RO, true, &h2);
	check(fd >= 0 && mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
	    MAP_FAILED, "the read-only grant's page cannot be mapped writable");
	ro = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	check(ro != MAP_FAILED && strcmp(ro, "read only") == 0, "but reads '%s'",
	    ro != MAP_FAILED ? ro : "(none)");
	if (fd >= 0) {
		close(fd);
		check(palctl_gnt_unmap(&c, h2) == 0, "read-only grant unmapped");
	}
	check(palctl_gnt_map(&c, domid, 600, false, &h2) == -EINVAL, "a ref beyond the table is refused");
	check(palctl_gnt_map(&c, 999, REF_RW, false, &h2) == -ESRCH, "a domain that does not exist is refused");

	strcpy(rw, "ACK from dom0");
	usleep(200000);
	check(palctl_gnt_unmap(&c, h) == 0, "unmapped ref %d", REF_RW);
	check(palctl_gnt_unmap(&c, h) == -EINVAL, "a second unmap of the handle is refused");
	/* The guest writes as soon as it sees the grant unpinned. */
	for (i = 0; i < 30 && strcmp(rw, "ACK from dom0") == 0; i++)
		usleep(100000);
	check(strcmp(rw, "ACK from dom0") == 0, "the old mapping is revoked: still '%s'", rw);
	again = map(&c, domid, REF_RW, false, &h);
	for (i = 0; again != NULL && i < 300 && strcmp(again, "after unmap") != 0; i++)
		usleep(100000);
	check(again != NULL && strcmp(again, "after unmap") == 0,
	    "a new mapping shows the guest's write: '%s'", again ? again : "(none)");
	if (again != NULL) {
		strcpy(again, "Done");
		usleep(200000);
		check(palctl_gnt_unmap(&c, h) == 0, "unmapped again");
	}
	palctl_close(&c);
	return peer_failed;
}
