/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's TPM command round trip through tpmif and its palvtpmd
 * instance (GetRandom of 32 bytes, PCR_Extend with a password session),
 * against the same commands handed to libtpms in this process, in the
 * same run (the limit: what the TPM itself costs). ratio: the worse of
 * the two guest / libtpms figures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>

#include "palisade/util.h"
#include "benchlib.h"

#define N 2000

static TPM_RESULT nv_load(unsigned char **d, uint32_t *l, uint32_t t, const char *n)
{
	(void)d; (void)l; (void)t; (void)n;
	return TPM_RETRY;	/* a fresh TPM, kept in memory */
}

static TPM_RESULT nv_store(const unsigned char *d, uint32_t l, uint32_t t, const char *n)
{
	(void)d; (void)l; (void)t; (void)n;
	return TPM_SUCCESS;
}

static double process(uint8_t *cmd, uint32_t len)
{
	double t0 = bench_now();
	unsigned char *rsp = NULL;
	uint32_t rlen, rsize = 0;
	int i;

	for (i = 0; i < N; i++) {
		if (TPMLIB_Process(&rsp, &rlen, &rsize, cmd, len) != TPM_SUCCESS || rlen < 10 ||
		    rsp[6] || rsp[7] || rsp[8] || rsp[9]) {
			fprintf(stderr, "bench: libtpms refused the command\n");
			exit(1);
		}
	}
	TPM_Free(rsp);
	return (bench_now() - t0) / N * 1e9;
}

int main(void)
{
	struct libtpms_callbacks cb = { .sizeOfStruct = sizeof(cb), .tpm_nvram_loaddata = nv_load,
	    .tpm_nvram_storedata = nv_store };
	uint8_t startup[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	uint8_t rnd[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 32 };
	uint8_t ext[65] = { 0x80, 0x02, 0, 0, 0, 65, 0, 0, 0x01, 0x82, 0, 0, 0, 16, 0, 0, 0, 9,
	    0x40, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x0b };
	unsigned long long gr = 0, ge = 0;
	unsigned char *rsp = NULL;
	uint32_t rlen, rsize = 0;
	struct pal_domain pd;
	struct palctl c;
	char line[256];
	double hr, he;

	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2) != TPM_SUCCESS ||
	    TPMLIB_RegisterCallbacks(&cb) != TPM_SUCCESS || TPMLIB_MainInit() != TPM_SUCCESS)
		return fprintf(stderr, "bench: libtpms would not start\n"), 1;
	TPMLIB_Process(&rsp, &rlen, &rsize, startup, sizeof(startup));
	TPM_Free(rsp);
	hr = process(rnd, sizeof(rnd));
	he = process(ext, sizeof(ext));
	TPMLIB_Terminate();

	bench_connect(&c);
	bench_domain_vtpm(&c, "vtpmbench", 32, "suite=vtpmbench count=500", &pd);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, pd.domid, 0);
	if (bench_console_wait("vtpmbench", "vtpmbench: ", line, sizeof(line), 120) < 0 ||
	    sscanf(line, "vtpmbench: getrandom %llu ns, pcr_extend %llu ns", &gr, &ge) != 2) {
		fprintf(stderr, "bench: no figure from the guest\n");
		return 1;
	}
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, pd.domid, 0);
	palctl_close(&c);
	printf("libtpms GetRandom(32) (limit):    %8.1f us\n", hr / 1000);
	printf("guest GetRandom(32) over tpmif:   %8.1f us  (%.2fx)\n", gr / 1000.0, gr / hr);
	printf("libtpms PCR_Extend (limit):       %8.1f us\n", he / 1000);
	printf("guest PCR_Extend over tpmif:      %8.1f us  (%.2fx)\n", ge / 1000.0, ge / he);
	printf("ratio: %.2f\n", gr / hr > ge / he ? gr / hr : ge / he);
	return 0;
}
