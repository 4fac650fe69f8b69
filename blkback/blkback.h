/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palblkback: the block backend. It serves xen/io/blkif.h to frontends
 * through the xenbus library (libctl/xbback.c), grant copy and grant maps
 * (libpalctl) and io_uring against raw images or block devices.
 *
 *   request.c  checking a request copied off the ring (pure: unit-tested
 *              and fuzzed)
 *   negotiate.c  what a frontend's choices and a disk come to (pure)
 *   image.c    the disk image: opening, geometry, read-only
 *   aio.c      the process's io_uring
 *   queue.c    one ring of one device: requests in, I/O out, responses
 *   device.c   a device: its nodes, features, queues
 *   palblkback.c  the daemon
 */
#ifndef PAL_BLKBACK_H
#define PAL_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "palisade/xen.h"
#include <xen/io/blkif.h>

#include "../libctl/palctl.h"

#define BLK_MAX_QUEUES		4
#define BLK_MAX_RING_ORDER	4	/* 16 pages: 512 requests */
#define BLK_MAX_RING_PAGES	(1u << BLK_MAX_RING_ORDER)
#define BLK_MAX_INDIRECT	256	/* segments in an indirect request: 1 MiB */
#define BLK_SEGS_PER_PAGE	(4096 / sizeof(struct blkif_request_segment))
#define BLK_MAX_INDIRECT_PAGES	((BLK_MAX_INDIRECT + BLK_SEGS_PER_PAGE - 1) / BLK_SEGS_PER_PAGE)
#define BLK_MAX_PERSISTENT	1024	/* grants kept mapped, per device */
#define BLK_MAP_FAILURES	64	/* failed attempts before we stop trying */
#define BLK_BOUNCE_PAGES	2048	/* 8 MiB of grant-copy buffer per queue */

/* --- request.c ------------------------------------------------------- */

/* What a request is checked against. */
struct blk_geom {
	uint64_t sectors;		/* the disk, in units of unit */
	unsigned int unit;		/* bytes per sector field: 512, or the
					 * sector size with feature-large-sector-size */
	bool readonly;
	bool discard;			/* offered */
	unsigned int max_indirect;	/* segments; 0: indirect not offered */
};

/* The effective operation. */
enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_BARRIER, BLK_DISCARD };

struct blk_seg {
	grant_ref_t gref;
	uint16_t offset, len;		/* bytes within the granted page */
};

/* A request as the backend acts on it: nothing here is read from the
 * ring again. */
struct blk_req {
	uint64_t id;
	uint8_t operation;		/* for the response: as sent, an indirect
					 * request's own read or write */
	enum blk_op op;
	uint64_t offset, len;		/* bytes of the image */
	unsigned int nseg;
	struct blk_seg seg[BLK_MAX_INDIRECT];
	uint64_t sector;		/* indirect: as sent, checked with the segments */
	unsigned int nindirect;		/* indirect: pages of segments to fetch */
	grant_ref_t indirect[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

/*
 * A request copied off the ring (once: XSA-155) into r. Returns
 * BLKIF_RSP_OKAY, or the status to answer with (BLKIF_RSP_ERROR,
 * BLKIF_RSP_EOPNOTSUPP) and why in *why. r->id and r->operation are set
 * whatever the outcome. For an indirect request the segments come from
 * blk_req_indirect once its pages are fetched.
 */
int blk_req_parse(const struct blk_geom *g, const struct blkif_request *raw,
    struct blk_req *r, const char **why);
/* An indirect request's segments, copied out of its pages (count:
 * r->nseg of them). The same checks as direct segments. */
int blk_req_indirect(const struct blk_geom *g, struct blk_req *r,
    const struct blkif_request_segment *segs, const char **why);

/* --- image.c ---------------------------------------------------------- */

struct blk_image {
	int fd;
	bool readonly, bdev;
	uint64_t size;			/* bytes */
	unsigned int sector_size;	/* logical */
	unsigned int physical_sector_size;
	bool can_discard;
};

/* Open path for the device; on failure err says why in a line. */
int blk_image_open(struct blk_image *im, const char *path, bool readonly,
    unsigned int sector_size, char *err, size_t n);
void blk_image_close(struct blk_image *im);
/* Punch out [off, off + len): 0 or -errno. */
int blk_image_discard(struct blk_image *im, uint64_t off, uint64_t len);

/* --- negotiate.c ------------------------------------------------------ */

#define BLK_PROTO_NATIVE "x86_64-abi"

/* The frontend's choices as it wrote them, defaults for what it did not
 * write, -1 for what is not a number. */
struct blk_fe_choice {
	long order, queues, persistent, large;
	char protocol[32];
};

/* What a connection is made of. */
struct blk_conn {
	unsigned int order, queues;
	bool persistent;
	struct blk_geom g;
};

/* 0, or -EINVAL with why (a bad choice of the frontend's). */
int blk_negotiate(const struct blk_fe_choice *fe, const struct blk_image *im,
    struct blk_conn *c, const char **why);

/* --- aio.c -------------------------------------------------------------- */

/* One operation on an image; done is called with its result (bytes, or
 * -errno) from blk_aio_reap. */
struct blk_aio {
	void (*done)(struct blk_aio *a, long res);
};
int blk_aio_init(unsigned int entries);		/* an eventfd to poll, or -errno */
void blk_aio_exit(void);
/* Queue a readv/writev at off, or an fdatasync; with link, the next one
 * queued starts only once this one has succeeded (else it ends with
 * -ECANCELED). Nothing starts before blk_aio_submit. -EBUSY when the
 * ring is full: submit and reap first. */
int blk_aio_rw(int fd, bool write, const struct iovec *iov, unsigned int niov,
    uint64_t off, bool link, struct blk_aio *a);
int blk_aio_fsync(int fd, bool link, struct blk_aio *a);
/* Room for n more operations in the ring (submitting what is queued if
 * need be), or -EBUSY. */
int blk_aio_reserve(unsigned int n);
int blk_aio_submit(void);
/* Call done for every finished operation (wait: block until one has). */
unsigned int blk_aio_reap(bool wait);

#endif

/* --- queue.c: one ring of a device ----------------------------------- */

struct blk_queue;

/* A request from its taking off the ring to its response. */
struct blk_inflight {
	struct blk_queue *q;
	struct blk_req req;
	struct iovec iov[BLK_MAX_INDIRECT];
	uint16_t bounce[BLK_MAX_INDIRECT];	/* bounce page per segment, or BLK_MAPPED */
	struct blk_aio io, sync;
	unsigned int pending;		/* I/O operations not finished */
	int status;			/* BLKIF_RSP_* */
	struct blk_inflight *next;	/* free list, or the queue's finished list */
};
#define BLK_MAPPED 0xffffu

struct blk_dev;

struct blk_queue {
	struct blk_dev *dev;
	unsigned int idx;
	bool connected, broken;
	blkif_back_ring_t ring;
	uint8_t *ring_va;
	unsigned int npages;
	uint32_t ring_handle[BLK_MAX_RING_PAGES];
	struct palctl_evtchn ev;
	bool bound;
	/* What grant copy moves through: pages of one registered memfd. */
	uint8_t *bounce;
	uint32_t bounce_id;
	uint16_t bfree[BLK_BOUNCE_PAGES];
	unsigned int nbfree;
	struct blk_inflight *slots, *free, *finished;
	unsigned int nslots, inflight;
	struct blk_inflight *held;	/* waiting: a barrier for the queue to
					 * drain, or a request for bounce pages */
	bool barrier;			/* a barrier is running: take nothing */
	unsigned int logged;		/* bad requests logged (then counted) */
};

struct blk_frontend_ring {
	grant_ref_t refs[BLK_MAX_RING_PAGES];
	unsigned int npages;
	evtchn_port_t port;
};
int blk_queue_connect(struct blk_queue *q, const struct blk_frontend_ring *fr,
    char *err, size_t n);
/* Waits for what it has in flight, then lets go of everything. */
void blk_queue_disconnect(struct blk_queue *q);
void blk_queue_kick(struct blk_queue *q);	/* its event channel fired */
void blk_queue_finish(struct blk_queue *q);	/* after blk_aio_reap */

/* --- device.c --------------------------------------------------------- */

/* A grant a frontend reuses, kept mapped (feature-persistent). */
struct blk_pgrant {
	grant_ref_t gref;
	uint32_t handle;
	uint8_t *va;
};

struct blk_dev {
	struct xb_dev *xb;
	struct blk_image im;
	struct blk_geom g;
	char path[4096 + 1];		/* PATH_MAX, and one to see a longer one */
	bool persistent;
	unsigned int nqueues;
	struct blk_queue q[BLK_MAX_QUEUES];
	struct blk_pgrant pg[BLK_MAX_PERSISTENT];	/* sorted by gref */
	unsigned int npg, map_failures;
	uint64_t requests, errors;
};

extern const struct xb_ops blk_xb_ops;
/* The page of a grant kept mapped, mapping it if there is room; NULL:
 * copy it instead. */
uint8_t *blk_pgrant_get(struct blk_dev *d, grant_ref_t gref);

/* --- palblkback.c: what the others need of the daemon ---------------- */

extern struct palctl blk_ctl;
int blk_poll_add(int fd, struct blk_queue *q);
void blk_poll_del(int fd);
