/* SPDX-License-Identifier: GPL-2.0-only */
/* mkpolicy FILE: write the test ACM policy (tests/unit/policybuild.h). */
#include "config.h"

#include <stdio.h>

#include "../unit/policybuild.h"

int main(int argc, char **argv)
{
	static uint8_t buf[65536];
	size_t len = pb_test_policy(buf);
	FILE *f;

	if (argc != 2 || (f = fopen(argv[1], "wb")) == NULL)
		return fprintf(stderr, "usage: mkpolicy FILE\n"), 2;
	if (fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		return 1;
	return 0;
}
