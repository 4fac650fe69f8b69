/* SPDX-License-Identifier: GPL-2.0-only */
/* palvtpmd's sealed state (AES-256-GCM bound to the instance's name) and
 * its command framing checks. */
#include "config.h"

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtpm/vtpm.h"

static char dir[] = "/tmp/test_vtpm.XXXXXX";

static void test_seal(void)
{
	uint8_t key[VTPM_KEY_LEN], key2[VTPM_KEY_LEN], data[1000], *out = NULL;
	char path[128], keyp[128];
	size_t len = 0;
	FILE *f;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL_FATAL(vtpm_key_load(dir, key), 0);	/* made */
	CU_ASSERT_EQUAL(vtpm_key_load(dir, key2), 0);		/* read back */
	CU_ASSERT_EQUAL(memcmp(key, key2, sizeof(key)), 0);
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	snprintf(path, sizeof(path), "%s/a.permall", dir);
	CU_ASSERT_EQUAL(vtpm_seal_read(path, key, "a", &out, &len), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(vtpm_seal_write(path, key, "a", data, sizeof(data)), 0);
	CU_ASSERT_EQUAL_FATAL(vtpm_seal_read(path, key, "a", &out, &len), 0);
	CU_ASSERT_EQUAL(len, sizeof(data));
	CU_ASSERT_EQUAL(memcmp(out, data, len), 0);
	free(out);
	/* Another instance's name, another key, one changed byte: refused. */
	CU_ASSERT_EQUAL(vtpm_seal_read(path, key, "b", &out, &len), -EBADMSG);
	key2[0] ^= 1;
	CU_ASSERT_EQUAL(vtpm_seal_read(path, key2, "a", &out, &len), -EBADMSG);
	f = fopen(path, "r+b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 100, SEEK_SET);
	fputc(0x55 ^ data[100 - 36], f);
	fclose(f);
	CU_ASSERT_EQUAL(vtpm_seal_read(path, key, "a", &out, &len), -EBADMSG);
	truncate(path, 10);
	CU_ASSERT_EQUAL(vtpm_seal_read(path, key, "a", &out, &len), -EBADMSG);
	unlink(path);
	snprintf(keyp, sizeof(keyp), "%s/vtpm.key", dir);
	unlink(keyp);
	rmdir(dir);
}

static void test_commands(void)
{
	uint8_t c[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 }, r[16];
	uint32_t rc = 0;

	CU_ASSERT_EQUAL(vtpm_command_ok(c, 12, &rc), 0);
	CU_ASSERT_EQUAL(vtpm_command_ok(c, 11, &rc), -1);	/* size lies */
	CU_ASSERT_EQUAL(rc, 0x142);
	CU_ASSERT_EQUAL(vtpm_command_ok(c, 9, &rc), -1);	/* no header */
	c[1] = 0x03;
	CU_ASSERT_EQUAL(vtpm_command_ok(c, 12, &rc), -1);	/* a bad tag */
	CU_ASSERT_EQUAL(rc, 0x01e);
	CU_ASSERT_EQUAL(vtpm_error_response(r, 0x142), 10);
	CU_ASSERT_EQUAL(r[5], 10);
	CU_ASSERT_EQUAL(r[8], 0x01);
	CU_ASSERT_EQUAL(r[9], 0x42);
}

static CU_TestInfo tests[] = {
	{ "sealed state", test_seal },
	{ "command framing", test_commands },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "vtpm", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
