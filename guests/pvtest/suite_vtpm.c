/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tpmfront (xen/io/tpmif.h: one shared page, one event channel) and a
 * suite over it: TPM2_Startup, GetRandom, PCR_Read of the launch
 * measurements (printed, for the test to compare with pal's), PCR_Extend
 * and its effect, NV define/write/read; nv=check reads back what an
 * earlier boot wrote (nvseed=N picks the bytes); nv=absent checks the
 * index is not there (another domain's TPM).
 */
#include "pvtest.h"
#include "arch.h"
#include "suites.h"
#include "xenbus.h"
#include "gntalloc.h"
#include <xen/io/xenbus.h>
#include <xen/io/tpmif.h>

#define NV_INDEX 0x01500001u
#define WAIT_NS (20ull * 1000000000ull)

static volatile tpmif_shared_page_t *shr;
static uint8_t *data;
static evtchn_port_t port;
static char fe[64], be[128];

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static bool tpm_open(void)
{
	uint32_t devid;
	unsigned long pfn;

	xb_init();
	gnt_left();
	if (xb_find_dev("vtpm", 0, &devid, fe, sizeof(fe), be, sizeof(be)) != 0) {
		printk("tpmfront: no vtpm in the store\n");
		return false;
	}
	{
		char path[192];

		snprintf(path, sizeof(path), "%s/state", be);
		xb_watch(path, "tpm-be");
	}
	if (!xb_wait_state(be, XenbusStateInitWait, WAIT_NS))
		return false;
	pfn = mm_alloc_page();
	shr = pfn_to_virt(pfn);
	memset((void *)shr, 0, PAGE_SIZE);
	data = (uint8_t *)shr + sizeof(tpmif_shared_page_t);
	port = port_offer(0);
	xb_printf(fe, "ring-ref", "%u", gnt_page(pfn, false));
	xb_printf(fe, "event-channel", "%u", port);
	xb_printf(fe, "state", "%d", XenbusStateConnected);
	if (!xb_wait_state(be, XenbusStateConnected, WAIT_NS))
		return false;
	printk("tpmfront: connected\n");
	return true;
}

/* A command of len bytes at data: the response's length, 0 on timeout. */
static size_t transmit(size_t len)
{
	uint64_t end = system_time() + WAIT_NS;

	shr->length = (uint32_t)len;
	shr->locality = 0;
	shr->nr_extra_pages = 0;
	mb();
	shr->state = TPMIF_STATE_SUBMIT;
	port_send(port);
	while (shr->state != TPMIF_STATE_FINISH) {
		if (system_time() > end)
			return 0;
		port_wait_ns(port, port_hits[port] + 1, 10000000ull);
	}
	mb();
	shr->state = TPMIF_STATE_IDLE;
	return shr->length;
}

static uint32_t rc_of(size_t n)
{
	return n >= 10 ? get32(data + 6) : 0xffffffffu;
}

static size_t header(uint16_t tag, uint32_t cc)
{
	put16(data, tag);
	put32(data + 6, cc);
	return 10;
}

static size_t pw_session(size_t at)
{
	put32(data + at, 9);
	put32(data + at + 4, 0x40000009);	/* TPM_RS_PW */
	put16(data + at + 8, 0);
	data[at + 10] = 0;
	put16(data + at + 11, 0);
	return at + 13;
}

/* A command of len bytes (its size filled in): again while the TPM says
 * to retry (TPM_RC_RETRY, _YIELDED, _TESTING), as drivers do. */
static size_t run(size_t len)
{
	static uint8_t saved[PAGE_SIZE];
	unsigned int tries;
	size_t r = 0;

	put32(data + 2, (uint32_t)len);
	memcpy(saved, data, len);
	for (tries = 0; tries < 20; tries++) {
		memcpy(data, saved, len);
		r = transmit(len);
		if (r < 10 || (get32(data + 6) != 0x922 && get32(data + 6) != 0x908 &&
		    get32(data + 6) != 0x90a))
			break;
	}
	return r;
}

static bool pcr_read(unsigned int pcr, uint8_t out[32])
{
	size_t n = header(0x8001, 0x17e), r;

	put32(data + n, 1);
	put16(data + n + 4, 0x000b);
	data[n + 6] = 3;
	data[n + 7] = data[n + 8] = data[n + 9] = 0;
	data[n + 7 + pcr / 8] = (uint8_t)(1u << (pcr % 8));
	r = run(n + 10);
	/* header, update counter, the selection back (4+2+1+3), count, one digest */
	if (rc_of(r) != 0 || r < 10 + 4 + 10 + 4 + 2 + 32 || get16(data + 28) != 32)
		return false;
	memcpy(out, data + 30, 32);
	return true;
}

/* NV_Read of our index's 32 bytes: the response's length. */
static size_t nv_read(void)
{
	size_t n = header(0x8002, 0x14e);

	put32(data + n, NV_INDEX);
	put32(data + n + 4, NV_INDEX);
	n = pw_session(n + 8);
	put16(data + n, 32);
	put16(data + n + 2, 0);
	return run(n + 4);
}

static void hexline(const char *what, unsigned int pcr, const uint8_t *d)
{
	char h[65];
	unsigned int i;

	for (i = 0; i < 32; i++)
		snprintf(h + 2 * i, 3, "%02x", d[i]);
	printk("vtpm: %s %u %s\n", what, pcr, h);
}

/*
 * An ECC P-256 restricted signing key under the owner hierarchy
 * (CreatePrimary), and a quote of PCRs 4 and 8 with it. The quote's
 * attestation must be one (magic, type); its PCR digest is printed for
 * the test to compare with SHA-256(PCR4 || PCR8).
 */
static void quote(void)
{
	size_t n = header(0x8002, 0x131), r, at, pub;
	uint32_t key;
	unsigned int i;

	put32(data + n, 0x40000001);			/* TPM_RH_OWNER */
	n = pw_session(n + 4);
	put16(data + n, 4);				/* inSensitive: empty auth, data */
	put16(data + n + 2, 0);
	put16(data + n + 4, 0);
	n += 6;
	pub = n;
	n += 2;						/* inPublic's size, below */
	put16(data + n, 0x0023);			/* TPM_ALG_ECC */
	put16(data + n + 2, 0x000b);			/* nameAlg SHA-256 */
	put32(data + n + 4, 0x00050072);		/* fixedTPM|fixedParent|sensitive-
							 * DataOrigin|userWithAuth|restricted|sign */
	put16(data + n + 8, 0);				/* no policy */
	put16(data + n + 10, 0x0010);			/* symmetric: NULL */
	put16(data + n + 12, 0x0018);			/* ECDSA */
	put16(data + n + 14, 0x000b);			/*   with SHA-256 */
	put16(data + n + 16, 0x0003);			/* NIST P-256 */
	put16(data + n + 18, 0x0010);			/* kdf: NULL */
	put16(data + n + 20, 0);			/* unique x, y: empty */
	put16(data + n + 22, 0);
	n += 24;
	put16(data + pub, (uint16_t)(n - pub - 2));
	put16(data + n, 0);				/* outsideInfo */
	put32(data + n + 2, 0);				/* creationPCR: none */
	r = run(n + 6);
	check(rc_of(r) == 0 && r >= 14, "CreatePrimary of a P-256 signing key (rc %#x)", rc_of(r));
	if (rc_of(r) != 0 || r < 14)
		return;
	key = get32(data + 10);
	n = header(0x8002, 0x158);			/* Quote */
	put32(data + n, key);
	n = pw_session(n + 4);
	put16(data + n, 4);				/* qualifyingData: a nonce */
	put32(data + n + 2, 0x0badcafe);
	put16(data + n + 6, 0x0010);			/* the key's own scheme */
	put32(data + n + 8, 1);
	put16(data + n + 12, 0x000b);
	data[n + 14] = 3;
	data[n + 15] = 0x10;				/* PCR 4 */
	data[n + 16] = 0x01;				/* PCR 8 */
	data[n + 17] = 0;
	r = run(n + 18);
	/* hdr, parameterSize, TPM2B_ATTEST: size, magic, type, ... */
	check(rc_of(r) == 0 && r > 22 && get32(data + 16) == 0xff544347 &&
	    get16(data + 20) == 0x8018, "Quote of PCRs 4 and 8 (rc %#x)", rc_of(r));
	if (rc_of(r) != 0 || r < 22)
		return;
	/* TPMS_ATTEST: magic, type, qualifiedSigner (TPM2B), extraData (TPM2B),
	 * clockInfo (17), firmwareVersion (8), then TPMS_QUOTE_INFO: the
	 * selection (4 + 2 + 1 + 3) and the PCR digest (TPM2B). */
	at = 22;
	at += 2 + get16(data + at);
	check(get16(data + at) == 4 && get32(data + at + 2) == 0x0badcafe,
	    "the quote carries our nonce");
	at += 2 + get16(data + at);
	at += 17 + 8 + 10;
	if (at + 2 + 32 <= r && get16(data + at) == 32) {
		char h[65];

		for (i = 0; i < 32; i++)
			snprintf(h + 2 * i, 3, "%02x", data[at + 2 + i]);
		printk("vtpm: quote pcr digest %s\n", h);
	}
	n = header(0x8001, 0x165);			/* FlushContext */
	put32(data + n, key);
	run(n + 4);
}

void suite_vtpm(void)
{
	uint8_t a[32], b[32], nvbuf[32];
	unsigned long seed = cmdline_ulong("nvseed", 7);
	const char *mode = cmdline_get("nv");
	bool check_only = mode != NULL && strcmp(mode, "check") == 0;
	bool absent = mode != NULL && strcmp(mode, "absent") == 0;
	size_t n, r;
	unsigned int i;

	if (!tpm_open()) {
		check(0, "the vTPM connected");
		return;
	}
	n = header(0x8001, 0x144);		/* Startup(CLEAR) */
	put16(data + n, 0);
	r = run(n + 2);
	check(rc_of(r) == 0 || rc_of(r) == 0x100, "TPM2_Startup (rc %#x: 0, or already "
	    "started by the launch measurement)", rc_of(r));
	n = header(0x8001, 0x17b);		/* GetRandom(16) */
	put16(data + n, 16);
	r = run(n + 2);
	check(rc_of(r) == 0 && r >= 12 + 16 && get16(data + 10) == 16, "GetRandom: 16 bytes");
	{
		char h[33];

		for (i = 0; i < 16; i++)
			snprintf(h + 2 * i, 3, "%02x", data[12 + i]);
		printk("vtpm: random %s\n", h);
	}
	for (i = 4; i <= 8; i += 4)
		if (pcr_read(i, a))
			hexline("pcr", i, a);
	quote();
	check(pcr_read(16, a), "PCR_Read of PCR 16");
	n = header(0x8002, 0x182);		/* PCR_Extend(16, sha256) */
	put32(data + n, 16);
	n = pw_session(n + 4);
	put32(data + n, 1);
	put16(data + n + 4, 0x000b);
	memset(data + n + 6, 0x42, 32);
	r = run(n + 38);
	check(rc_of(r) == 0, "PCR_Extend of PCR 16 (rc %#x)", rc_of(r));
	check(pcr_read(16, b) && memcmp(a, b, 32) != 0, "PCR 16 changed");

	for (i = 0; i < 32; i++)
		nvbuf[i] = (uint8_t)(seed * 31 + i);
	if (absent) {			/* another domain's TPM: not ours to see */
		r = nv_read();
		check(rc_of(r) == 0x18b, "no NV index here (rc %#x: TPM_RC_HANDLE)", rc_of(r));
		return;
	}
	if (!check_only) {
		n = header(0x8002, 0x12a);	/* NV_DefineSpace, owner, empty auth */
		put32(data + n, 0x40000001);
		n = pw_session(n + 4);
		put16(data + n, 0);
		put16(data + n + 2, 14);
		put32(data + n + 4, NV_INDEX);
		put16(data + n + 8, 0x000b);
		put32(data + n + 10, 0x00040004 | 0x02000000);	/* AUTHREAD|AUTHWRITE|NO_DA */
		put16(data + n + 14, 0);
		put16(data + n + 16, 32);
		r = run(n + 18);
		check(rc_of(r) == 0 || rc_of(r) == 0x14c, "NV_DefineSpace (rc %#x)", rc_of(r));
		n = header(0x8002, 0x137);	/* NV_Write */
		put32(data + n, NV_INDEX);
		put32(data + n + 4, NV_INDEX);
		n = pw_session(n + 8);
		put16(data + n, 32);
		memcpy(data + n + 2, nvbuf, 32);
		put16(data + n + 34, 0);
		r = run(n + 36);
		check(rc_of(r) == 0, "NV_Write (rc %#x)", rc_of(r));
	}
	r = nv_read();
	check(rc_of(r) == 0 && r >= 10 + 4 + 2 + 32 && get16(data + 14) == 32 &&
	    memcmp(data + 16, nvbuf, 32) == 0, "NV_Read: what %s wrote (rc %#x)",
	    check_only ? "an earlier boot" : "we", rc_of(r));
	n = header(0x8001, 0x17b);		/* a lie about its size */
	put32(data + 2, 4000);
	r = transmit(12);
	check(rc_of(r) == 0x142, "a command whose size lies is refused (rc %#x)", rc_of(r));
}

/* Round trips for the benchmark: count GetRandom(32), then count PCR_Extend. */
void suite_vtpmbench(void)
{
	unsigned long count = cmdline_ulong("count", 500), i;
	uint64_t t0, t1, t2;
	size_t n;

	if (!tpm_open()) {
		check(0, "the vTPM connected");
		return;
	}
	n = header(0x8001, 0x144);
	put16(data + n, 0);
	run(n + 2);
	t0 = system_time();
	for (i = 0; i < count; i++) {
		n = header(0x8001, 0x17b);
		put16(data + n, 32);
		if (rc_of(run(n + 2)) != 0)
			break;
	}
	t1 = system_time();
	for (i = 0; i < count; i++) {
		n = header(0x8002, 0x182);
		put32(data + n, 16);
		n = pw_session(n + 4);
		put32(data + n, 1);
		put16(data + n + 4, 0x000b);
		memset(data + n + 6, (int)i, 32);
		if (rc_of(run(n + 38)) != 0)
			break;
	}
	t2 = system_time();
	check(i == count, "%lu round trips of each", count);
	printk("vtpmbench: getrandom %llu ns, pcr_extend %llu ns\n",
	    (unsigned long long)((t1 - t0) / count), (unsigned long long)((t2 - t1) / count));
}
