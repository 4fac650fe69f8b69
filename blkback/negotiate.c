/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a frontend and a disk agree on when they connect: the frontend's
 * choices (ring pages, queues, persistent grants, large sectors, its ABI)
 * checked against what the backend offered, and the geometry requests
 * are then checked against.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "blkback.h"

int blk_negotiate(const struct blk_fe_choice *fe, const struct blk_image *im,
    struct blk_conn *c, const char **why)
{
	if (strcmp(fe->protocol, BLK_PROTO_NATIVE) != 0) {
		*why = "a protocol other than " BLK_PROTO_NATIVE;
		return -EINVAL;
	}
	if (fe->order < 0 || fe->order > BLK_MAX_RING_ORDER) {
		*why = "ring-page-order out of range";
		return -EINVAL;
	}
	if (fe->queues < 1 || fe->queues > BLK_MAX_QUEUES) {
		*why = "multi-queue-num-queues out of range";
		return -EINVAL;
	}
	c->order = (unsigned int)fe->order;
	c->queues = (unsigned int)fe->queues;
	c->persistent = fe->persistent == 1;
	/* Sector fields are 512-byte units unless the frontend can take the
	 * disk's own (blkif.h, feature-large-sector-size). */
	c->g = (struct blk_geom){
		.unit = fe->large == 1 ? im->sector_size : 512, .readonly = im->readonly,
		.discard = im->can_discard, .max_indirect = BLK_MAX_INDIRECT,
	};
	c->g.sectors = im->size / c->g.unit;
	return 0;
}
