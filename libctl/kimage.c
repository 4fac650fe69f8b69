/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel images as Xen's libxenguest takes them: a plain ELF file, or a
 * Linux bzImage, whose protected-mode payload is the kernel's ELF image
 * compressed with any of the formats Linux builds (gzip, xz, lzma, bzip2,
 * lz4, zstd) or not at all. The payload is decompressed with the formats'
 * own libraries. The file is untrusted: every offset is checked against it,
 * and the output never grows past the caller's limit (the domain's maxmem),
 * whatever size the image claims.
 */
#include "config.h"

#include <bzlib.h>
#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "palisade/util.h"
#include "palctl.h"

/* The real-mode setup header (Documentation/arch/x86/boot.rst). */
#define BZ_SETUP_SECTS		0x1f1
#define BZ_BOOT_FLAG		0x1fe
#define BZ_HEADER_MAGIC		0x202
#define BZ_VERSION		0x206
#define BZ_PAYLOAD_OFFSET	0x248
#define BZ_PAYLOAD_LENGTH	0x24c
#define BZ_MIN_SIZE		0x250
#define LZ4_LEGACY_MAGIC	0x184c2102u
#define LZ4_LEGACY_BLOCK	(8u << 20)

struct outbuf {
	uint8_t *p;
	size_t len, cap, limit;
};

static int kimage_err(char *err, size_t n, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return ret;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Room for at least want more bytes if the limit allows; how much there is. */
static size_t ob_room(struct outbuf *o, size_t want)
{
	size_t cap;
	uint8_t *p;

	if (o->cap - o->len >= want || o->cap == o->limit)
		return o->cap - o->len;
	cap = MAX(o->cap * 2, o->len + want);
	cap = MIN(MAX(cap, (size_t)1 << 20), o->limit);
	p = realloc(o->p, cap);
	if (p == NULL)
		return o->cap - o->len;
	o->p = p;
	o->cap = cap;
	return o->cap - o->len;
}

static int unpack_gzip(const uint8_t *in, size_t len, struct outbuf *o)
{
	z_stream z = { .next_in = (Bytef *)in, .avail_in = (uInt)MIN(len, UINT32_MAX) };
	int zr = Z_OK;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	while (zr == Z_OK) {
		size_t room = MIN(ob_room(o, 1 << 20), (size_t)UINT32_MAX);

		if (room == 0)
			break;
		z.next_out = o->p + o->len;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		o->len += room - z.avail_out;
	}
	inflateEnd(&z);
	if (zr == Z_STREAM_END)
		return 0;
	return zr == Z_OK ? -EFBIG : -EINVAL;
}

/* xz (with Linux's BCJ filter) and the older lzma_alone format. */
static int unpack_lzma(const uint8_t *in, size_t len, struct outbuf *o, bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r;

	r = xz ? lzma_stream_decoder(&s, UINT64_MAX, 0) : lzma_alone_decoder(&s, UINT64_MAX);
	if (r != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = len;
	while (r == LZMA_OK) {
		size_t room = ob_room(o, 1 << 20);

		if (room == 0)
			break;
		s.next_out = o->p + o->len;
		s.avail_out = room;
		r = lzma_code(&s, LZMA_FINISH);
		o->len += room - s.avail_out;
	}
	lzma_end(&s);
	if (r == LZMA_STREAM_END)
		return 0;
	return r == LZMA_OK ? -EFBIG : -EINVAL;
}

static int unpack_bzip2(const uint8_t *in, size_t len, struct outbuf *o)
{
	bz_stream b = { .next_in = (char *)in, .avail_in = (unsigned int)MIN(len, UINT32_MAX) };
	int r = BZ_OK;

	if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
		return -ENOMEM;
	while (r == BZ_OK) {
		size_t room = MIN(ob_room(o, 1 << 20), (size_t)UINT32_MAX);

		if (room == 0)
			break;
		b.next_out = (char *)o->p + o->len;
		b.avail_out = (unsigned int)room;
		r = BZ2_bzDecompress(&b);
		o->len += room - b.avail_out;
		if (r == BZ_OK && b.avail_in == 0 && b.avail_out != 0)
			r = BZ_UNEXPECTED_EOF;
	}
	BZ2_bzDecompressEnd(&b);
	if (r == BZ_STREAM_END)
		return 0;
	return r == BZ_OK ? -EFBIG : -EINVAL;
}

static int unpack_zstd(const uint8_t *in, size_t len, struct outbuf *o)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t r = 1;
	int ret = -EFBIG;

	if (z == NULL)
		return -ENOMEM;
	while (r != 0) {
		size_t room = ob_room(o, 1 << 20);
		ZSTD_outBuffer ob = { o->p + o->len, room, 0 };

		if (room == 0)
			break;
		r = ZSTD_decompressStream(z, &ob, &ib);
		o->len += ob.pos;
		/* an error, or the input ended inside the frame */
		if (ZSTD_isError(r) || (r != 0 && ib.pos == ib.size && ob.pos < room)) {
			ret = -EINVAL;
			break;
		}
	}
	ZSTD_freeDStream(z);
	return r == 0 ? 0 : ret;
}

/*
 * lz4's legacy frame, which Linux uses: a magic, then blocks of at most
 * 8 MiB each after its compressed size. Linux appends the image size to
 * every payload, so a last word with nothing after it ends the stream.
 */
static int unpack_lz4(const uint8_t *in, size_t len, struct outbuf *o)
{
	size_t pos = 4;

	while (len - pos >= 4) {
		uint32_t csize = le32(in + pos);
		size_t room;
		int got;

		pos += 4;
		if (csize == LZ4_LEGACY_MAGIC)
			continue;
		if (pos == len && o->len > 0)
			return 0;
		if (csize == 0 || csize > len - pos || csize > INT32_MAX)
			return -EINVAL;
		room = MIN(ob_room(o, LZ4_LEGACY_BLOCK), (size_t)LZ4_LEGACY_BLOCK);
		got = LZ4_decompress_safe((const char *)in + pos, (char *)o->p + o->len,
		    (int)csize, (int)room);
		if (got < 0)
			return room < LZ4_LEGACY_BLOCK ? -EFBIG : -EINVAL;
		o->len += got;
		pos += csize;
	}
	return o->len > 0 ? 0 : -EINVAL;
}

static int unpack_copy(const uint8_t *in, size_t len, struct outbuf *o)
{
	if (ob_room(o, len) < len)
		return -EFBIG;
	memcpy(o->p, in, len);
	o->len = len;
	return 0;
}

static int unpack_payload(const uint8_t *in, size_t len, struct outbuf *o,
    const char **format)
{
	static const uint8_t xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

	if (len >= 2 && in[0] == 0x1f && (in[1] == 0x8b || in[1] == 0x9e))
		return *format = "gzip", unpack_gzip(in, len, o);
	if (len >= 6 && memcmp(in, xz_magic, 6) == 0)
		return *format = "xz", unpack_lzma(in, len, o, true);
	if (len >= 3 && in[0] == 0x5d && in[1] == 0 && in[2] == 0)
		return *format = "lzma", unpack_lzma(in, len, o, false);
	if (len >= 3 && memcmp(in, "BZh", 3) == 0)
		return *format = "bzip2", unpack_bzip2(in, len, o);
	if (len >= 4 && le32(in) == LZ4_LEGACY_MAGIC)
		return *format = "lz4", unpack_lz4(in, len, o);
	if (len >= 4 && le32(in) == ZSTD_MAGICNUMBER)
		return *format = "zstd", unpack_zstd(in, len, o);
	if (len >= 4 && memcmp(in, "\177ELF", 4) == 0)
		return *format = "uncompressed", unpack_copy(in, len, o);
	*format = "unknown";
	return -ENOTSUP;
}

bool kimage_is_bzimage(const void *data, size_t size)
{
	const uint8_t *p = data;

	return size >= BZ_MIN_SIZE && memcmp(p + BZ_HEADER_MAGIC, "HdrS", 4) == 0 &&
	    p[BZ_BOOT_FLAG] == 0x55 && p[BZ_BOOT_FLAG + 1] == 0xaa;
}

int kimage_unpack(const void *data, size_t size, size_t limit, struct kimage *k,
    char *err, size_t n)
{
	const uint8_t *p = data;
	struct outbuf o = { .limit = limit };
	const char *format;
	uint64_t off;
	uint32_t plen, claimed;
	unsigned int sects;
	int ret;

	*k = (struct kimage){ .data = data, .size = size };
	if (!kimage_is_bzimage(data, size))
		return 0;
	if ((p[BZ_VERSION] | p[BZ_VERSION + 1] << 8) < 0x208)
		return kimage_err(err, n, -EINVAL, "bzImage boot protocol %u.%02u has no "
		    "payload fields (2.08 or later needed)", p[BZ_VERSION + 1], p[BZ_VERSION]);
	sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;
	off = (uint64_t)(sects + 1) * 512 + le32(p + BZ_PAYLOAD_OFFSET);
	plen = le32(p + BZ_PAYLOAD_LENGTH);
	if (off > size || plen > size - off || plen < 8)
		return kimage_err(err, n, -EINVAL, "bzImage payload outside the file "
		    "(truncated image?)");
	/* Linux appends the decompressed size to every compressed payload: a
	 * claim, so only used to refuse early; the limit holds whatever it says. */
	claimed = le32(p + off + plen - 4);
	if (memcmp(p + off, "\177ELF", 4) != 0 && claimed > limit)
		return kimage_err(err, n, -EFBIG, "kernel decompresses to %u KiB, more "
		    "than the domain's %zu KiB", claimed >> 10, limit >> 10);
	ret = unpack_payload(p + off, plen, &o, &format);
	if (ret < 0) {
		free(o.p);
		if (ret == -ENOTSUP)
			return kimage_err(err, n, -EINVAL, "bzImage payload in an unknown "
			    "compression format");
		if (ret == -EFBIG)
			return kimage_err(err, n, -EFBIG, "kernel decompresses to more than "
			    "the domain's %zu KiB", limit >> 10);
		return kimage_err(err, n, ret, "bzImage payload (%s) is corrupt or "
		    "truncated", format);
	}
	k->data = o.p;
	k->size = o.len;
	k->buf = o.p;
	return 1;
}

void kimage_free(struct kimage *k)
{
	free(k->buf);
	k->buf = NULL;
}
