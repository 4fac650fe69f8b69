/* SPDX-License-Identifier: GPL-2.0-only */
/* TPM 2.0 command framing, as far as the instance must look at it. */
#include "config.h"

#include <stdint.h>

#include "vtpm.h"

#define TPM_RC_COMMAND_SIZE 0x142
#define TPM_RC_BAD_TAG 0x01e

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t vtpm_error_response(uint8_t *out, uint32_t rc)
{
	static const uint8_t hdr[6] = { 0x80, 0x01, 0, 0, 0, 10 };
	unsigned int i;

	for (i = 0; i < 6; i++)
		out[i] = hdr[i];
	out[6] = (uint8_t)(rc >> 24);
	out[7] = (uint8_t)(rc >> 16);
	out[8] = (uint8_t)(rc >> 8);
	out[9] = (uint8_t)rc;
	return 10;
}

int vtpm_command_ok(const uint8_t *cmd, size_t len, uint32_t *rc)
{
	uint16_t tag;

	if (len < 10) {
		*rc = TPM_RC_COMMAND_SIZE;
		return -1;
	}
	tag = (uint16_t)(cmd[0] << 8 | cmd[1]);
	if (tag != 0x8001 && tag != 0x8002) {
		*rc = TPM_RC_BAD_TAG;
		return -1;
	}
	if (be32(cmd + 2) != len) {
		*rc = TPM_RC_COMMAND_SIZE;
		return -1;
	}
	return 0;
}
