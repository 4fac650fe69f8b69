/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel loader (libctl/kimage.c): bzImages around the real pvtest
 * kernel, compressed here with each format's own library as Linux's build
 * does it (the payload followed by its decompressed size), and every way
 * such an image can be broken.
 */
#include "config.h"

#include "unit.h"
#include <bzlib.h>
#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "../../libctl/palctl.h"

#define SETUP_SIZE	1024	/* setup_sects 1: boot sector and one more */
#define PAYLOAD_OFF	64	/* payload_offset, from the protected-mode part */
#define BIG		(64u << 20)

static uint8_t *kernel;
static size_t kernel_size;

static int load_kernel(void)
{
	return unit_load_kernel(PVTEST_KERNEL, &kernel, &kernel_size);
}

static int free_kernel(void)
{
	free(kernel);
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A bzImage of protocol 2.15 around payload[0, len), which already ends
 * with the size word. */
static uint8_t *bzimage(const uint8_t *payload, size_t len, size_t *size)
{
	uint8_t *img = calloc(1, SETUP_SIZE + PAYLOAD_OFF + len);

	img[0x1f1] = 1;
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f;
	img[0x207] = 0x02;
	put32(img + 0x248, PAYLOAD_OFF);
	put32(img + 0x24c, (uint32_t)len);
	memcpy(img + SETUP_SIZE + PAYLOAD_OFF, payload, len);
	*size = SETUP_SIZE + PAYLOAD_OFF + len;
	return img;
}

static size_t gzip_of(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream z = { .next_in = (Bytef *)in, .avail_in = (uInt)len,
	    .next_out = out, .avail_out = (uInt)cap };

	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK ||
	    deflate(&z, Z_FINISH) != Z_STREAM_END)
		return 0;
	deflateEnd(&z);
	return z.total_out;
}

static size_t lzma_of(const uint8_t *in, size_t len, uint8_t *out, size_t cap, bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	size_t n;

	lzma_lzma_preset(&opt, 6);
	if ((xz ? lzma_easy_encoder(&s, 6, LZMA_CHECK_CRC32) : lzma_alone_encoder(&s, &opt))
	    != LZMA_OK)
		return 0;
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	n = lzma_code(&s, LZMA_FINISH) == LZMA_STREAM_END ? s.total_out : 0;
	lzma_end(&s);
	return n;
}

static size_t bzip2_of(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	unsigned int n = (unsigned int)cap;

	return BZ2_bzBuffToBuffCompress((char *)out, &n, (char *)in, (unsigned int)len,
	    9, 0, 0) == BZ_OK ? n : 0;
}

static size_t zstd_of(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t n = ZSTD_compress(out, cap, in, len, 19);

	return ZSTD_isError(n) ? 0 : n;
}

/* lz4's legacy frame, in blocks of at most 8 MiB, as `lz4 -l` writes it. */
static size_t lz4_of(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0, o = 4;

	put32(out, 0x184c2102u);
	while (pos < len) {
		int chunk = (int)(len - pos < (8u << 20) ? len - pos : (8u << 20));
		int n = LZ4_compress_default((const char *)in + pos, (char *)out + o + 4,
		    chunk, (int)(cap - o - 4));

		if (n <= 0)
			return 0;
		put32(out + o, (uint32_t)n);
		o += 4 + n;
		pos += chunk;
	}
	return o;
}

enum fmt { F_GZIP, F_XZ, F_LZMA, F_BZIP2, F_LZ4, F_ZSTD, F_NONE, F_COUNT };
static const char *const fmt_name[F_COUNT] = {
	"gzip", "xz", "lzma", "bzip2", "lz4", "zstd", "uncompressed",
};

/* The payload of kernel[0, len) in format f, with Linux's size word. */
static uint8_t *payload_of(enum fmt f, const uint8_t *in, size_t len, uint32_t claim,
    size_t *plen)
{
	size_t cap = len + len / 2 + (1 << 16), n = 0;
	uint8_t *out = malloc(cap + 4);

	switch (f) {
	case F_GZIP: n = gzip_of(in, len, out, cap); break;
	case F_XZ: n = lzma_of(in, len, out, cap, true); break;
	case F_LZMA: n = lzma_of(in, len, out, cap, false); break;
	case F_BZIP2: n = bzip2_of(in, len, out, cap); break;
	case F_LZ4: n = lz4_of(in, len, out, cap); break;
	case F_ZSTD: n = zstd_of(in, len, out, cap); break;
	default: memcpy(out, in, len); n = len; break;
	}
	CU_ASSERT_FATAL(n > 0);
	*plen = n;
	if (f != F_NONE) {		/* an uncompressed payload is the ELF file */
		put32(out + n, claim);
		*plen += 4;
	}
	return out;
}

static int unpack(const uint8_t *img, size_t size, size_t limit, struct kimage *k,
    char *err)
{
	return kimage_unpack(img, size, limit, k, err, 200);
}

static void test_every_format(void)
{
	unsigned int f;

	for (f = 0; f < F_COUNT; f++) {
		size_t plen, size;
		uint8_t *p = payload_of(f, kernel, kernel_size, (uint32_t)kernel_size, &plen);
		uint8_t *img = bzimage(p, plen, &size);
		struct elf_image elf;
		struct kimage k;
		char err[200] = "";

		CU_ASSERT_EQUAL(unpack(img, size, BIG, &k, err), 1);
		if (strcmp(err, "") != 0)
			fprintf(stderr, "%s: %s\n", fmt_name[f], err);
		CU_ASSERT_EQUAL(k.size, kernel_size);
		CU_ASSERT(k.size == kernel_size && memcmp(k.data, kernel, kernel_size) == 0);
		CU_ASSERT_EQUAL(elf_parse(&elf, k.data, k.size, err, sizeof(err)), 0);
		kimage_free(&k);
		free(img);
		free(p);
	}
}

static void test_plain_elf(void)
{
	struct kimage k;
	char err[200];

	CU_ASSERT_EQUAL(unpack(kernel, kernel_size, BIG, &k, err), 0);
	CU_ASSERT_PTR_EQUAL(k.data, kernel);
	CU_ASSERT_EQUAL(k.size, kernel_size);
	kimage_free(&k);
}

/* The limit holds whatever the size word claims, early or late. */
static void test_past_maxmem(void)
{
	size_t plen, size;
	uint8_t *p, *img;
	struct kimage k;
	char err[200], want[100];

	p = payload_of(F_XZ, kernel, kernel_size, (uint32_t)kernel_size, &plen);
	img = bzimage(p, plen, &size);
	CU_ASSERT_EQUAL(unpack(img, size, 1 << 16, &k, err), -EFBIG);
	CU_ASSERT_EQUAL(k.buf, NULL);
	snprintf(want, sizeof(want), "kernel decompresses to %zu KiB, more than the "
	    "domain's 64 KiB", kernel_size >> 10);
	CU_ASSERT_STRING_EQUAL(err, want);
	free(img);
	free(p);

	p = payload_of(F_GZIP, kernel, kernel_size, 4096, &plen);	/* a lie */
	img = bzimage(p, plen, &size);
	CU_ASSERT_EQUAL(unpack(img, size, 1 << 16, &k, err), -EFBIG);
	CU_ASSERT_STRING_EQUAL(err, "kernel decompresses to more than the domain's 64 KiB");
	free(img);
	free(p);
}

static void test_corrupt_and_truncated(void)
{
	unsigned int f;

	for (f = 0; f < F_NONE; f++) {
		size_t plen, size;
		uint8_t *p = payload_of(f, kernel, kernel_size, (uint32_t)kernel_size, &plen);
		uint8_t *img;
		struct kimage k;
		char err[200], want[100];

		snprintf(want, sizeof(want), "bzImage payload (%s) is corrupt or truncated",
		    fmt_name[f]);
		/* cut in half, the size word kept at the end */
		memcpy(p + plen / 2 - 4, p + plen - 4, 4);
		img = bzimage(p, plen / 2, &size);
		CU_ASSERT_EQUAL(unpack(img, size, BIG, &k, err), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, want);
		free(img);
		free(p);

		/* garbage in the middle of the stream */
		p = payload_of(f, kernel, kernel_size, (uint32_t)kernel_size, &plen);
		memset(p + 16, 0xa5, plen / 4);
		img = bzimage(p, plen, &size);
		CU_ASSERT_EQUAL(unpack(img, size, BIG, &k, err), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, want);
		free(img);
		free(p);
	}
}

static void test_bad_headers(void)
{
	size_t plen, size;
	uint8_t *p = payload_of(F_NONE, kernel, kernel_size, (uint32_t)kernel_size, &plen);
	uint8_t *img = bzimage(p, plen, &size);
	struct kimage k;
	char err[200];

	CU_ASSERT_EQUAL(unpack(img, size - 1, BIG, &k, err), -EINVAL);	/* file cut short */
	CU_ASSERT_STRING_EQUAL(err, "bzImage payload outside the file (truncated image?)");
	put32(img + 0x248, 0xfffffff0u);
	CU_ASSERT_EQUAL(unpack(img, size, BIG, &k, err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "bzImage payload outside the file (truncated image?)");
	put32(img + 0x248, PAYLOAD_OFF);
	img[0x206] = 0x06;
	CU_ASSERT_EQUAL(unpack(img, size, BIG, &k, err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "bzImage boot protocol 2.06 has no payload fields "
	    "(2.08 or later needed)");
	img[0x206] = 0x0f;
	memcpy(img + SETUP_SIZE + PAYLOAD_OFF, "JUNK", 4);
	CU_ASSERT_EQUAL(unpack(img, size, BIG, &k, err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "bzImage payload in an unknown compression format");
	free(img);
	free(p);
}

static CU_TestInfo tests[] = {
	{ "a bzImage in every format Linux builds", test_every_format },
	{ "a plain ELF file is taken as it is", test_plain_elf },
	{ "nothing decompresses past maxmem", test_past_maxmem },
	{ "corrupt and truncated payloads", test_corrupt_and_truncated },
	{ "bad setup headers", test_bad_headers },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "kimage", load_kernel, free_kernel, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
