/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palblkback's request checks: the input is a disk's geometry (a few
 * bytes), a ring request and an indirect page of segments. Whatever it
 * is, a request the checks let through must describe only whole
 * segments within their pages and bytes within the disk.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "blkback/blkback.h"
#include "fuzz.h"

static void check_req(const struct blk_geom *g, const struct blk_req *r)
{
	uint64_t total = 0;
	unsigned int i;

	if (r->nseg > BLK_MAX_INDIRECT)
		abort();
	for (i = 0; i < r->nseg; i++) {
		if (r->seg[i].len == 0 || r->seg[i].offset + r->seg[i].len > 4096 ||
		    r->seg[i].offset % g->unit || r->seg[i].len % g->unit)
			abort();
		total += r->seg[i].len;
	}
	if (r->op != BLK_DISCARD && total != r->len)
		abort();
	if (r->offset > g->sectors * g->unit || r->len > g->sectors * g->unit - r->offset)
		abort();
	if (g->readonly && r->op != BLK_READ)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct blkif_request_segment segs[BLK_SEGS_PER_PAGE];
	struct blkif_request raw;
	struct blk_geom g;
	struct blk_req r;
	const char *why;
	uint64_t sectors;
	int st;

	if (size < 9 + sizeof(raw))
		return 0;
	memcpy(&sectors, data, 8);
	g = (struct blk_geom){ .sectors = sectors % (1ull << 40), .unit = data[8] & 1 ? 4096 : 512,
	    .readonly = data[8] & 2, .discard = data[8] & 4,
	    .max_indirect = data[8] & 8 ? BLK_MAX_INDIRECT : 0 };
	memcpy(&raw, data + 9, sizeof(raw));
	data += 9 + sizeof(raw);
	size -= 9 + sizeof(raw);
	memset(segs, 0, sizeof(segs));
	memcpy(segs, data, size < sizeof(segs) ? size : sizeof(segs));
	st = blk_req_parse(&g, &raw, &r, &why);
	if (st == BLKIF_RSP_OKAY && r.nindirect > 0) {
		if (r.nindirect > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST || r.nseg > g.max_indirect)
			abort();
		st = blk_req_indirect(&g, &r, segs, &why);
	}
	if (st == BLKIF_RSP_OKAY)
		check_req(&g, &r);
	else if (why == NULL || (st != BLKIF_RSP_ERROR && st != BLKIF_RSP_EOPNOTSUPP))
		abort();
	return 0;
}
