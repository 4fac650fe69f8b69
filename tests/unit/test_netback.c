/* SPDX-License-Identifier: GPL-2.0-only */
/* palnetback's check of a guest's TX packet: every way its requests can
 * lie (XSA-423/432 among them), and what must pass. */
#include "config.h"

#include "unit.h"
#include <string.h>

#include "netback/netback.h"

static netif_tx_request_t s[NB_MAX_SLOTS + 2];

static void chain(unsigned int n, uint16_t total, uint16_t each)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		s[i] = (netif_tx_request_t){ .gref = 8, .offset = 0, .id = (uint16_t)i,
		    .flags = i + 1 < n ? NETTXF_more_data : 0, .size = i == 0 ? total : each };
}

static void expect(unsigned int n, const char *why)
{
	const char *got = NULL;

	CU_ASSERT_EQUAL(nb_tx_check(s, n, &got), -1);
	if (got == NULL || strstr(got, why) == NULL) {
		printf("\nwanted '%s', got '%s'\n", why, got ? got : "(passed)");
		CU_FAIL("wrong reason");
	}
}

static void test_tx(void)
{
	const char *why = NULL;

	chain(1, 60, 0);
	CU_ASSERT_EQUAL(nb_tx_check(s, 1, &why), 0);
	chain(1, 1514, 0);
	CU_ASSERT_EQUAL(nb_tx_check(s, 1, &why), 0);
	chain(3, 1514, 500);			/* 514 + 500 + 500 */
	CU_ASSERT_EQUAL(nb_tx_check(s, 3, &why), 0);
	chain(NB_MAX_SLOTS, 14 + 17, 1);	/* maximally fragmented but legal */
	CU_ASSERT_EQUAL(nb_tx_check(s, NB_MAX_SLOTS, &why), 0);

	chain(NB_MAX_SLOTS + 1, 14 + 18, 1);
	expect(NB_MAX_SLOTS + 1, "too many slots");
	chain(1, 1515, 0);
	expect(1, "over the MTU");
	chain(1, 13, 0);
	expect(1, "shorter than an Ethernet header");
	chain(2, 60, 50);			/* 10 bytes in the first slot */
	expect(2, "header split across slots");
	chain(2, 60, 60);
	expect(2, "larger than the packet");
	chain(2, 60, 70);
	expect(2, "larger than the packet");
	chain(1, 100, 0);
	s[0].offset = 4000;
	expect(1, "past its page");
	chain(2, 1000, 100);
	s[1].offset = 4050;
	expect(2, "past its page");
	chain(2, 1000, 0);			/* a zero-sized slot */
	expect(2, "past its page");
	chain(2, 100, 20);
	s[1].flags = NETTXF_more_data;		/* the last says more */
	expect(2, "more-data flags");
	chain(2, 100, 20);
	s[0].flags = 0;				/* the first says no more */
	expect(2, "more-data flags");
	chain(1, 100, 0);
	s[0].flags = NETTXF_extra_info;
	expect(1, "extra info");
	expect(0, "too many slots");
}

/* A UDP and a TCP packet with blank checksums: filled in as a receiver
 * verifies them (the one's-complement sum over pseudo-header and segment
 * comes out all ones). */
static uint16_t verify(const uint8_t *ip, size_t l4len)
{
	uint32_t sum = (uint32_t)ip[9] + (uint32_t)l4len;
	size_t i;

	for (i = 12; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	for (i = 0; i + 1 < l4len; i += 2)
		sum += (uint32_t)(ip[20 + i] << 8 | ip[21 + i]);
	if (l4len & 1)
		sum += (uint32_t)ip[20 + l4len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_csum(void)
{
	uint8_t f[128];
	uint8_t *ip = f + 14;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		size_t l4 = i == 0 ? 8 + 33 : 20 + 10;

		memset(f, 0, sizeof(f));
		f[12] = 0x08;
		ip[0] = 0x45;
		ip[2] = 0;
		ip[3] = (uint8_t)(20 + l4);
		ip[9] = i == 0 ? 17 : 6;
		memcpy(ip + 12, (const uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
		memset(ip + 20 + (i == 0 ? 8 : 20), 0xa5, l4 - (i == 0 ? 8 : 20));
		CU_ASSERT_EQUAL(nb_csum_complete(f, 14 + 20 + l4), 0);
		CU_ASSERT_EQUAL(verify(ip, l4), 0xffff);
	}
	f[12] = 0x86;				/* not IPv4: left alone */
	CU_ASSERT_EQUAL(nb_csum_complete(f, 64), -1);
	f[12] = 0x08;
	ip[3] = 200;				/* longer than the frame */
	CU_ASSERT_EQUAL(nb_csum_complete(f, 64), -1);
	ip[3] = 40;
	ip[6] = 0x20;				/* a fragment */
	CU_ASSERT_EQUAL(nb_csum_complete(f, 64), -1);
	CU_ASSERT_EQUAL(nb_csum_complete(f, 10), -1);
}

static CU_TestInfo tests[] = {
	{ "TX packet checks", test_tx },
	{ "checksum offload completed", test_csum },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "netback", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
