/* SPDX-License-Identifier: GPL-2.0-only */
/* The one way every unit test program runs its CUnit suites. */
#ifndef UNIT_H
#define UNIT_H

#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A test kernel read whole into memory (at most 4 MiB); 0 if it was. */
static inline int unit_load_kernel(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	*data = malloc(1 << 22);
	*size = *data != NULL ? fread(*data, 1, 1 << 22, f) : 0;
	fclose(f);
	return *size > 0 ? 0 : -1;
}

/* Run the suites verbosely; the exit status is 1 if any assertion failed. */
static inline int unit_run(CU_SuiteInfo *suites)
{
	unsigned int fails;

	if (CU_initialize_registry() != CUE_SUCCESS ||
	    CU_register_suites(suites) != CUE_SUCCESS)
		return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}

#endif
