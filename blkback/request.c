/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checking a block request. The frontend's request has been copied off
 * the shared ring once; everything here works on that copy and checks
 * every field a hostile frontend controls: the operation, the segment
 * count, each segment's sectors within its page, the sector range within
 * the disk (without overflow), and what the device offers (read-only,
 * discard, indirect segments).
 */
#include "config.h"

#include <string.h>

#include "blkback.h"

/* One segment, sectors first..last (inclusive) of a page. */
static int seg_check(const struct blk_geom *g, const struct blkif_request_segment *s,
    struct blk_seg *out, const char **why)
{
	unsigned int per_page = 4096 / g->unit;

	if (s->first_sect > s->last_sect || s->last_sect >= per_page) {
		*why = "a segment's sectors are not within its page";
		return BLKIF_RSP_ERROR;
	}
	out->gref = s->gref;
	out->offset = (uint16_t)(s->first_sect * g->unit);
	out->len = (uint16_t)((s->last_sect - s->first_sect + 1u) * g->unit);
	return BLKIF_RSP_OKAY;
}

/* [sector, + count sectors) within the disk. */
static int range_check(const struct blk_geom *g, uint64_t sector, uint64_t count,
    struct blk_req *r, const char **why)
{
	if (sector > g->sectors || count > g->sectors - sector) {
		*why = "sectors beyond the end of the disk";
		return BLKIF_RSP_ERROR;
	}
	r->offset = sector * g->unit;
	r->len = count * g->unit;
	return BLKIF_RSP_OKAY;
}

/* The segments' total, checked against the disk from the request's sector. */
static int segs_done(const struct blk_geom *g, uint64_t sector, struct blk_req *r,
    const char **why)
{
	uint64_t bytes = 0;
	unsigned int i;

	for (i = 0; i < r->nseg; i++)
		bytes += r->seg[i].len;
	/* A flush or barrier without data names no sectors, whatever its
	 * sector field holds (Linux's blkfront leaves the block layer's). */
	if (bytes == 0) {
		r->offset = r->len = 0;
		return BLKIF_RSP_OKAY;
	}
	return range_check(g, sector, bytes / g->unit, r, why);
}

static int rw(const struct blk_geom *g, const struct blkif_request *req,
    struct blk_req *r, const char **why)
{
	unsigned int i;
	int ret;

	if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		*why = "more than 11 segments";
		return BLKIF_RSP_ERROR;
	}
	/* Only a flush or a barrier may come without data. */
	if (req->nr_segments == 0 && (r->op == BLK_READ || r->op == BLK_WRITE)) {
		*why = "a read or write without segments";
		return BLKIF_RSP_ERROR;
	}
	r->nseg = req->nr_segments;
	for (i = 0; i < r->nseg; i++)
		if ((ret = seg_check(g, &req->seg[i], &r->seg[i], why)) != BLKIF_RSP_OKAY)
			return ret;
	return segs_done(g, req->sector_number, r, why);
}

static int indirect(const struct blk_geom *g, const struct blkif_request *req,
    struct blk_req *r, const char **why)
{
	struct blkif_request_indirect ind;
	unsigned int i;

	memcpy(&ind, req, sizeof(ind));
	r->operation = ind.indirect_op;	/* what its response carries, refused or not */
	if (g->max_indirect == 0) {
		*why = "an indirect request, not offered";
		return BLKIF_RSP_EOPNOTSUPP;
	}
	if (ind.indirect_op != BLKIF_OP_READ && ind.indirect_op != BLKIF_OP_WRITE) {
		*why = "an indirect request neither read nor write";
		return BLKIF_RSP_ERROR;
	}
	r->op = ind.indirect_op == BLKIF_OP_READ ? BLK_READ : BLK_WRITE;
	if (ind.nr_segments == 0 || ind.nr_segments > g->max_indirect) {
		*why = "an indirect request's segment count is out of range";
		return BLKIF_RSP_ERROR;
	}
	r->nseg = ind.nr_segments;
	r->nindirect = (r->nseg + (unsigned int)BLK_SEGS_PER_PAGE - 1) /
	    (unsigned int)BLK_SEGS_PER_PAGE;
	for (i = 0; i < r->nindirect; i++)
		r->indirect[i] = ind.indirect_grefs[i];
	r->sector = ind.sector_number;	/* checked with the segments */
	return BLKIF_RSP_OKAY;
}

int blk_req_indirect(const struct blk_geom *g, struct blk_req *r,
    const struct blkif_request_segment *segs, const char **why)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->nseg; i++)
		if ((ret = seg_check(g, &segs[i], &r->seg[i], why)) != BLKIF_RSP_OKAY)
			return ret;
	r->nindirect = 0;
	return segs_done(g, r->sector, r, why);
}

static int discard(const struct blk_geom *g, const struct blkif_request *req,
    struct blk_req *r, const char **why)
{
	struct blkif_request_discard d;

	memcpy(&d, req, sizeof(d));
	if (!g->discard) {
		*why = "discard, not offered";
		return BLKIF_RSP_EOPNOTSUPP;
	}
	if (d.flag & BLKIF_DISCARD_SECURE) {
		*why = "secure discard, not offered";
		return BLKIF_RSP_EOPNOTSUPP;
	}
	return range_check(g, d.sector_number, d.nr_sectors, r, why);
}

int blk_req_parse(const struct blk_geom *g, const struct blkif_request *raw,
    struct blk_req *r, const char **why)
{
	int ret;

	r->id = raw->id;
	r->operation = raw->operation;
	r->nseg = 0;
	r->nindirect = 0;
	r->offset = r->len = 0;
	*why = NULL;
	switch (raw->operation) {
	case BLKIF_OP_READ: r->op = BLK_READ; break;
	case BLKIF_OP_WRITE: r->op = BLK_WRITE; break;
	case BLKIF_OP_FLUSH_DISKCACHE: r->op = BLK_FLUSH; break;
	case BLKIF_OP_WRITE_BARRIER: r->op = BLK_BARRIER; break;
	case BLKIF_OP_DISCARD: r->op = BLK_DISCARD; break;
	case BLKIF_OP_INDIRECT:
		ret = indirect(g, raw, r, why);
		if (ret == BLKIF_RSP_OKAY && g->readonly && r->op == BLK_WRITE) {
			*why = "a write to a read-only disk";
			ret = BLKIF_RSP_ERROR;
		}
		return ret;
	default:
		*why = "an unknown operation";
		return BLKIF_RSP_EOPNOTSUPP;
	}
	if (g->readonly && r->op != BLK_READ) {
		*why = "a write to a read-only disk";
		return BLKIF_RSP_ERROR;
	}
	return r->op == BLK_DISCARD ? discard(g, raw, r, why) : rw(g, raw, r, why);
}
