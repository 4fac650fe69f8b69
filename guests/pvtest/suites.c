/* SPDX-License-Identifier: GPL-2.0-only */
#include "pvtest.h"
#include "suites.h"

const struct suite suites[] = {
	{ "console", suite_console },
	{ "hypercall", suite_hypercall },
	{ "zeromem", suite_zeromem },
	{ NULL, NULL },
};
