/* SPDX-License-Identifier: GPL-2.0-only */
/* The xl.cfg parser and the domain settings read from it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../../libctl/palctl.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct xlcfg cfg;
	struct domcfg d;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (xlcfg_parse(&cfg, text, "/fuzz/dom.cfg") == 0)
		domcfg_from_xlcfg(&d, &cfg, "/fuzz/dom.cfg");
	xlcfg_free(&cfg);
	free(text);
	return 0;
}
