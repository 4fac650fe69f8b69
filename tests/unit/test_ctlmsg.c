/* SPDX-License-Identifier: GPL-2.0-only */
/* The control-message reader: exact sizes, headers, descriptors. */
#include "config.h"

#include "unit.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/ctl.h"

static int sp[2];

static int setup(void) { return socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp); }
static int teardown(void) { close(sp[0]); close(sp[1]); return 0; }

static void init_msg(struct ctl_msg *m, uint16_t type, uint32_t len)
{
	memset(m, 0, sizeof(*m));
	m->hdr.magic = CTL_MAGIC;
	m->hdr.version = CTL_VERSION;
	m->hdr.type = type;
	m->hdr.len = len;
}

static void test_roundtrip_with_fds(void)
{
	struct ctl_msg m, r;
	int fds[2] = { sp[0], sp[1] }, got[CTL_MAX_FDS];
	unsigned int n;

	init_msg(&m, CTL_DOMAIN_PAUSE, sizeof(struct ctl_domid));
	m.u.req.dom.domid = 7;
	CU_ASSERT_EQUAL(ctl_send(sp[0], &m, fds, 2), 0);
	CU_ASSERT_EQUAL(ctl_recv(sp[1], &r, got, &n), (ssize_t)sizeof(struct ctl_domid));
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(r.u.req.dom.domid, 7);
	close(got[0]);
	close(got[1]);
	CU_ASSERT_EQUAL(ctl_send(sp[0], &m, fds, 3), -EINVAL);
}

static void raw_send(const void *buf, size_t len)
{
	CU_ASSERT_EQUAL(send(sp[0], buf, len, 0), (ssize_t)len);
}

static void test_rejects(void)
{
	struct ctl_msg m, r;
	int got[CTL_MAX_FDS];
	unsigned int n;

	raw_send("abc", 3);				/* short */
	CU_ASSERT_EQUAL(ctl_recv(sp[1], &r, got, &n), -EBADMSG);
	init_msg(&m, CTL_DOMAIN_PAUSE, 8);
	m.hdr.magic = 0;				/* bad magic */
	raw_send(&m, sizeof(m.hdr) + 8);
	CU_ASSERT_EQUAL(ctl_recv(sp[1], &r, got, &n), -EBADMSG);
	init_msg(&m, CTL_DOMAIN_PAUSE, 8);
	m.hdr.version = 9;				/* bad version */
	raw_send(&m, sizeof(m.hdr) + 8);
	CU_ASSERT_EQUAL(ctl_recv(sp[1], &r, got, &n), -EBADMSG);
	init_msg(&m, CTL_DOMAIN_PAUSE, 100);		/* len says more than sent */
	raw_send(&m, sizeof(m.hdr) + 8);
	CU_ASSERT_EQUAL(ctl_recv(sp[1], &r, got, &n), -EBADMSG);
	init_msg(&m, CTL_DOMAIN_PAUSE, 4);		/* len says less than sent */
	raw_send(&m, sizeof(m.hdr) + 8);
	CU_ASSERT_EQUAL(ctl_recv(sp[1], &r, got, &n), -EBADMSG);
}

static void test_req_sizes(void)
{
	CU_ASSERT_EQUAL(ctl_req_size(CTL_DOMAIN_CREATE), (ssize_t)sizeof(struct ctl_domain_create));
	CU_ASSERT_EQUAL(ctl_req_size(0), -1);
	CU_ASSERT_EQUAL(ctl_req_size(CTL_TYPE_MAX), -1);
	CU_ASSERT_EQUAL(ctl_req_size(0xffff), -1);
}

static CU_TestInfo tests[] = {
	{ "round trip with descriptors", test_roundtrip_with_fds },
	{ "malformed messages", test_rejects },
	{ "request sizes", test_req_sizes },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "ctlmsg", setup, teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
