/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dom0 side of the pvtest "grant" suite, as a backend would do it with
 * libpalctl: gntpeer DOMID. Maps the guest's writable grant and checks what
 * the guest wrote, is refused a writable map of the read-only grant and
 * gets a read-only page for it, writes an answer, unmaps, and checks that
 * the guest's next write never reaches the old mapping but does reach a new
 * one. Prints one line per check; exits 1 if any failed.
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
#include "../../libctl/palctl.h"

#define REF_RW 8
#define REF_RO 9

static int failed;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: gntpeer: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed |= !ok;
}

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

int main(int argc, char **argv)
{
	struct palctl c;
	uint32_t domid, h, h2;
	char *rw, *ro, *again;
	int fd, i;

	if (argc != 2)
		return fprintf(stderr, "usage: gntpeer DOMID\n"), 2;
	domid = (uint32_t)strtoul(argv[1], NULL, 10);
	if (palctl_open(&c) < 0)
		return fprintf(stderr, "gntpeer: hypervisor not running\n"), 1;

	rw = map(&c, domid, REF_RW, false, &h);
	check(rw != NULL && strcmp(rw, "hello dom0") == 0, "mapped ref %d: '%s'",
	    REF_RW, rw ? rw : "(none)");
	if (rw == NULL)
		return 1;
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
	return failed;
}
