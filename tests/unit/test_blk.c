/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block backend's pure parts and the toolstack's disk syntax: every
 * check a request copied off the ring goes through (direct, indirect,
 * discard, read-only, 512 and 4096-byte sectors), xl's disk
 * specifications and vdev numbers, and the image layer on real files.
 */
#include "config.h"

#include "unit.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blkback/blkback.h"

static const struct blk_geom g512 = { .sectors = 2048, .unit = 512, .discard = true,
    .max_indirect = 256 };

static struct blk_req r;
static const char *why;

static int rw(const struct blk_geom *g, uint8_t op, uint8_t nseg, uint64_t sector,
    uint8_t first, uint8_t last)
{
	struct blkif_request q = { .operation = op, .nr_segments = nseg, .id = 42,
	    .sector_number = sector };
	unsigned int i;

	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		q.seg[i] = (struct blkif_request_segment){ 100 + i, first, last };
	return blk_req_parse(g, &q, &r, &why);
}

static void test_direct(void)
{
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, 0, 0, 7), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.op, BLK_READ);
	CU_ASSERT_EQUAL(r.id, 42);
	CU_ASSERT_EQUAL(r.offset, 0);
	CU_ASSERT_EQUAL(r.len, 4096);
	CU_ASSERT_EQUAL(r.nseg, 1);
	CU_ASSERT_EQUAL(r.seg[0].gref, 100);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_WRITE, 11, 100, 2, 5), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.len, 11 * 4 * 512);
	CU_ASSERT_EQUAL(r.seg[3].offset, 1024);
	CU_ASSERT_EQUAL(r.seg[3].len, 2048);
	CU_ASSERT_EQUAL(r.offset, 100 * 512);
	/* The last sectors of the disk, and one past. */
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, 2040, 0, 7), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, 2041, 0, 7), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, 2048, 0, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, ~0ull, 0, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, ~0ull - 2, 0, 7), BLKIF_RSP_ERROR);
	/* Segments: none, too many, inverted, past the page. */
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 0, 0, 0, 7), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_WRITE, 0, 0, 0, 7), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 12, 0, 0, 7), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 255, 0, 0, 7), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, 0, 4, 3), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, 0, 0, 8), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_READ, 1, 0, 200, 255), BLKIF_RSP_ERROR);
	CU_ASSERT_PTR_NOT_NULL(why);
	/* Flush and barrier may come without data; unknown ops are not offered. */
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.op, BLK_FLUSH);
	/* Without data its sector field means nothing, even past the end. */
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_FLUSH_DISKCACHE, 0, 1ull << 40, 0, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.len, 0);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_WRITE_BARRIER, 2, 8, 0, 7), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.op, BLK_BARRIER);
	CU_ASSERT_EQUAL(rw(&g512, BLKIF_OP_RESERVED_1, 1, 0, 0, 7), BLKIF_RSP_EOPNOTSUPP);
	CU_ASSERT_EQUAL(rw(&g512, 200, 1, 0, 0, 7), BLKIF_RSP_EOPNOTSUPP);
	CU_ASSERT_EQUAL(r.operation, 200);	/* echoed as sent */
	CU_ASSERT_EQUAL(r.id, 42);
}

static void test_readonly_and_large(void)
{
	struct blk_geom ro = g512, big = { .sectors = 256, .unit = 4096, .max_indirect = 256 };

	ro.readonly = true;
	CU_ASSERT_EQUAL(rw(&ro, BLKIF_OP_READ, 1, 0, 0, 7), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rw(&ro, BLKIF_OP_WRITE, 1, 0, 0, 7), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&ro, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&ro, BLKIF_OP_WRITE_BARRIER, 1, 0, 0, 7), BLKIF_RSP_ERROR);
	/* 4096-byte sectors: one per page, numbered in those units. */
	CU_ASSERT_EQUAL(rw(&big, BLKIF_OP_READ, 2, 10, 0, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.offset, 10 * 4096);
	CU_ASSERT_EQUAL(r.len, 8192);
	CU_ASSERT_EQUAL(rw(&big, BLKIF_OP_READ, 1, 0, 0, 1), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rw(&big, BLKIF_OP_READ, 1, 255, 0, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rw(&big, BLKIF_OP_READ, 1, 256, 0, 0), BLKIF_RSP_ERROR);
}

static int indirect(const struct blk_geom *g, uint8_t op, uint16_t nseg, uint64_t sector)
{
	struct blkif_request q;
	struct blkif_request_indirect ind = { .operation = BLKIF_OP_INDIRECT,
	    .indirect_op = op, .nr_segments = nseg, .id = 7, .sector_number = sector,
	    .indirect_grefs = { 900, 901 } };

	memset(&q, 0, sizeof(q));
	memcpy(&q, &ind, sizeof(ind));
	return blk_req_parse(g, &q, &r, &why);
}

static void test_indirect(void)
{
	static struct blkif_request_segment segs[256];
	struct blk_geom none = g512;
	unsigned int i;

	for (i = 0; i < 256; i++)
		segs[i] = (struct blkif_request_segment){ 1000 + i, 0, 7 };
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_WRITE, 256, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.op, BLK_WRITE);
	CU_ASSERT_EQUAL(r.nindirect, 1);
	CU_ASSERT_EQUAL(r.indirect[0], 900);
	CU_ASSERT_EQUAL(r.operation, BLKIF_OP_WRITE);	/* answered as the write it carries */
	CU_ASSERT_EQUAL(blk_req_indirect(&g512, &r, segs, &why), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.len, 1u << 20);
	CU_ASSERT_EQUAL(r.seg[255].gref, 1255);
	CU_ASSERT_EQUAL(r.nindirect, 0);
	/* A bad segment among them, and a range past the disk. */
	segs[77].last_sect = 9;
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_READ, 100, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(blk_req_indirect(&g512, &r, segs, &why), BLKIF_RSP_ERROR);
	segs[77].last_sect = 7;
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_READ, 256, 1800), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(blk_req_indirect(&g512, &r, segs, &why), BLKIF_RSP_ERROR);
	/* Counts, operations, and not offered at all. */
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_READ, 0, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_READ, 257, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_READ, 65535, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_DISCARD, 4, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(indirect(&g512, BLKIF_OP_INDIRECT, 4, 0), BLKIF_RSP_ERROR);
	none.max_indirect = 0;
	CU_ASSERT_EQUAL(indirect(&none, BLKIF_OP_READ, 4, 0), BLKIF_RSP_EOPNOTSUPP);
	CU_ASSERT_EQUAL(r.operation, BLKIF_OP_READ);	/* refused, still answered as a read */
	none = g512;
	none.readonly = true;
	CU_ASSERT_EQUAL(indirect(&none, BLKIF_OP_WRITE, 4, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(indirect(&none, BLKIF_OP_READ, 4, 0), BLKIF_RSP_OKAY);
}

static int discard(const struct blk_geom *g, uint64_t sector, uint64_t n, uint8_t flag)
{
	struct blkif_request q;
	struct blkif_request_discard d = { .operation = BLKIF_OP_DISCARD, .flag = flag,
	    .id = 9, .sector_number = sector, .nr_sectors = n };

	memset(&q, 0, sizeof(q));
	memcpy(&q, &d, sizeof(d));
	return blk_req_parse(g, &q, &r, &why);
}

static void test_discard(void)
{
	struct blk_geom no = g512;

	CU_ASSERT_EQUAL(discard(&g512, 8, 16, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(r.op, BLK_DISCARD);
	CU_ASSERT_EQUAL(r.offset, 8 * 512);
	CU_ASSERT_EQUAL(r.len, 16 * 512);
	CU_ASSERT_EQUAL(r.nseg, 0);
	CU_ASSERT_EQUAL(discard(&g512, 2000, 48, 0), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(discard(&g512, 2000, 49, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(discard(&g512, 1, ~0ull, 0), BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(discard(&g512, 0, 8, BLKIF_DISCARD_SECURE), BLKIF_RSP_EOPNOTSUPP);
	no.discard = false;
	CU_ASSERT_EQUAL(discard(&no, 0, 8, 0), BLKIF_RSP_EOPNOTSUPP);
	no = g512;
	no.readonly = true;
	CU_ASSERT_EQUAL(discard(&no, 0, 8, 0), BLKIF_RSP_ERROR);
}

/* The frontend's choices against what was offered. */
static void test_negotiate(void)
{
	struct blk_image im = { .fd = -1, .size = 1 << 20, .sector_size = 4096,
	    .physical_sector_size = 4096, .can_discard = true };
	struct blk_fe_choice fe = { .order = 0, .queues = 1, .persistent = 0, .large = 0,
	    .protocol = BLK_PROTO_NATIVE };
	struct blk_conn c;

	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), 0);
	CU_ASSERT_EQUAL(c.order, 0);
	CU_ASSERT_EQUAL(c.queues, 1);
	CU_ASSERT_FALSE(c.persistent);
	CU_ASSERT_EQUAL(c.g.unit, 512);		/* no large sectors: 512-byte units */
	CU_ASSERT_EQUAL(c.g.sectors, 2048);
	CU_ASSERT_TRUE(c.g.discard);
	CU_ASSERT_EQUAL(c.g.max_indirect, BLK_MAX_INDIRECT);
	fe = (struct blk_fe_choice){ .order = BLK_MAX_RING_ORDER, .queues = BLK_MAX_QUEUES,
	    .persistent = 1, .large = 1, .protocol = BLK_PROTO_NATIVE };
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), 0);
	CU_ASSERT_EQUAL(c.order, BLK_MAX_RING_ORDER);
	CU_ASSERT_EQUAL(c.queues, BLK_MAX_QUEUES);
	CU_ASSERT_TRUE(c.persistent);
	CU_ASSERT_EQUAL(c.g.unit, 4096);
	CU_ASSERT_EQUAL(c.g.sectors, 256);
	fe.persistent = 2;			/* not "1": not persistent */
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), 0);
	CU_ASSERT_FALSE(c.persistent);
	/* Refused: beyond what was offered, not numbers, another ABI. */
	fe.order = BLK_MAX_RING_ORDER + 1;
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), -EINVAL);
	fe.order = -1;
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), -EINVAL);
	fe.order = 0;
	fe.queues = 0;
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), -EINVAL);
	fe.queues = BLK_MAX_QUEUES + 1;
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), -EINVAL);
	fe.queues = 1;
	strcpy(fe.protocol, "x86_32-abi");
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "protocol"));
	/* A read-only image makes a read-only geometry. */
	strcpy(fe.protocol, BLK_PROTO_NATIVE);
	im.readonly = true;
	CU_ASSERT_EQUAL(blk_negotiate(&fe, &im, &c, &why), 0);
	CU_ASSERT_TRUE(c.g.readonly);
}

static void test_vdev(void)
{
	uint32_t id;

	CU_ASSERT_TRUE(vdev_to_devid("xvda", &id) == 0 && id == 51712);
	CU_ASSERT_TRUE(vdev_to_devid("xvdb", &id) == 0 && id == 51728);
	CU_ASSERT_TRUE(vdev_to_devid("xvda1", &id) == 0 && id == 51713);
	CU_ASSERT_TRUE(vdev_to_devid("xvdp15", &id) == 0 && id == (202u << 8 | 15 << 4 | 15));
	CU_ASSERT_TRUE(vdev_to_devid("xvdq", &id) == 0 && id == (1u << 28 | 16 << 8));
	CU_ASSERT_TRUE(vdev_to_devid("xvdaa", &id) == 0 && id == (1u << 28 | 26 << 8));
	CU_ASSERT_TRUE(vdev_to_devid("xvda20", &id) == 0 && id == (1u << 28 | 20));
	CU_ASSERT_TRUE(vdev_to_devid("hda", &id) == 0 && id == 768);
	CU_ASSERT_TRUE(vdev_to_devid("hdb", &id) == 0 && id == 832);
	CU_ASSERT_TRUE(vdev_to_devid("hdc", &id) == 0 && id == 5632);
	CU_ASSERT_TRUE(vdev_to_devid("sda", &id) == 0 && id == 2048);
	CU_ASSERT_TRUE(vdev_to_devid("sdb2", &id) == 0 && id == 2066);
	CU_ASSERT_TRUE(vdev_to_devid("51712", &id) == 0 && id == 51712);
	CU_ASSERT_EQUAL(vdev_to_devid("xvd", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("xvd1", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("xvda0", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("xvdA", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("hde", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("sdq", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("nvme0", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("0", &id), -EINVAL);
	CU_ASSERT_EQUAL(vdev_to_devid("12x", &id), -EINVAL);
}

static void test_diskspec(void)
{
	struct diskspec d;
	char err[200];

	CU_ASSERT_EQUAL(diskspec_parse("format=raw, vdev=xvda, access=rw, target=/img/a,b.img",
	    &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(d.target, "/img/a,b.img");	/* target takes the rest */
	CU_ASSERT_STRING_EQUAL(d.vdev, "xvda");
	CU_ASSERT_EQUAL(d.devid, 51712);
	CU_ASSERT_FALSE(d.readonly);
	CU_ASSERT_EQUAL(diskspec_parse("/img/b.img,raw,xvdb,ro", &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(d.target, "/img/b.img");
	CU_ASSERT_EQUAL(d.devid, 51728);
	CU_ASSERT_TRUE(d.readonly);
	CU_ASSERT_EQUAL(diskspec_parse("vdev=hdc, devtype=cdrom, target=/iso", &d, err,
	    sizeof(err)), 0);
	CU_ASSERT_TRUE(d.cdrom && d.readonly);
	CU_ASSERT_EQUAL(diskspec_parse("vdev=xvdc, sector-size=4096, target=/x", &d, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(d.sector_size, 4096);
#define BAD(spec, text) do { \
	CU_ASSERT_EQUAL(diskspec_parse(spec, &d, err, sizeof(err)), -EINVAL); \
	CU_ASSERT_PTR_NOT_NULL(strstr(err, text)); \
} while (0)
	BAD("vdev=xvda", "no target");
	BAD("target=/x", "no vdev");
	BAD("format=qcow2, vdev=xvda, target=/x", "format 'qcow2' is not supported");
	BAD("vdev=xvd9, target=/x", "bad vdev 'xvd9'");
	BAD("vdev=xvda, access=rx, target=/x", "bad access 'rx'");
	BAD("vdev=xvda, colour=red, target=/x", "unknown disk setting 'colour'");
	BAD("vdev=xvda, sector-size=1024, target=/x", "bad sector-size '1024'");
	BAD("/x,raw,xvda,rw,extra", "too many positional settings");
	BAD("vdev=xvda, devtype=tape, target=/x", "bad devtype 'tape'");
#undef BAD
}

static void test_image(void)
{
	char dir[] = "/tmp/test_blk.XXXXXX", path[64], small[64], err[300];
	struct blk_image im;
	char buf[4096];
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/img", dir);
	snprintf(small, sizeof(small), "%s/small", dir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(ftruncate(fd, 1 << 20), 0);
	memset(buf, 'x', sizeof(buf));
	CU_ASSERT_EQUAL(pwrite(fd, buf, sizeof(buf), 8192), (ssize_t)sizeof(buf));
	close(fd);
	fd = open(small, O_CREAT | O_RDWR, 0600);
	CU_ASSERT_EQUAL(write(fd, "tiny", 4), 4);
	close(fd);

	CU_ASSERT_EQUAL(blk_image_open(&im, path, false, 0, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(im.size, 1u << 20);
	CU_ASSERT_EQUAL(im.sector_size, 512);
	CU_ASSERT_TRUE(im.can_discard);
	/* Discard punches a hole: the data reads as zeros, the size stays. */
	CU_ASSERT_EQUAL(blk_image_discard(&im, 8192, 4096), 0);
	CU_ASSERT_EQUAL(pread(im.fd, buf, sizeof(buf), 8192), (ssize_t)sizeof(buf));
	CU_ASSERT_EQUAL(buf[0], 0);
	CU_ASSERT_EQUAL(buf[4095], 0);
	blk_image_close(&im);
	CU_ASSERT_EQUAL(blk_image_open(&im, path, true, 4096, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(im.sector_size, 4096);
	CU_ASSERT_TRUE(im.readonly);
	CU_ASSERT_FALSE(im.can_discard);
	CU_ASSERT_EQUAL(write(im.fd, "x", 1), -1);	/* opened read-only */
	blk_image_close(&im);
	/* What cannot be a disk, each said in a line. */
	CU_ASSERT_NOT_EQUAL(blk_image_open(&im, "/nonexistent/img", false, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
	CU_ASSERT_NOT_EQUAL(blk_image_open(&im, dir, true, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "neither a file nor a block device"));
	CU_ASSERT_NOT_EQUAL(blk_image_open(&im, small, false, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "smaller than one"));
	CU_ASSERT_NOT_EQUAL(blk_image_open(&im, path, false, 1024, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "sector size 1024"));
	CU_ASSERT_EQUAL(im.fd, -1);
	unlink(path);
	unlink(small);
	rmdir(dir);
}

static CU_TestInfo tests[] = {
	{ "requests: direct segments", test_direct },
	{ "requests: read-only disks, 4096-byte sectors", test_readonly_and_large },
	{ "requests: indirect segments", test_indirect },
	{ "requests: discard", test_discard },
	{ "feature negotiation", test_negotiate },
	{ "vdev names", test_vdev },
	{ "disk specifications", test_diskspec },
	{ "images", test_image },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "blk", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return unit_run(suites);
}
