/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Block suites over blkfront: data written and read back across the disk
 * in every request shape, flush, barrier, discard; a read-only disk;
 * data kept from one boot to the next; a stress run that outlives its
 * backend being killed; malformed requests; and a benchmark.
 *
 * Options on the command line: disk=N (the Nth vbd), queues=N, order=N
 * (ring pages 2^N), persistent=0|1, indirect=0|1, large=0|1.
 */
#include "blkfront.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

static struct blkf_dev dev;

static void open_dev(void)
{
	struct blkf_opts o = {
		.pool = (unsigned int)cmdline_ulong("pool", 0),
		.queues = (unsigned int)cmdline_ulong("queues", 1),
		.order = (unsigned int)cmdline_ulong("order", 0),
		.persistent = cmdline_ulong("persistent", 1) != 0,
		.indirect = cmdline_ulong("indirect", 1) != 0,
		.large_sectors = cmdline_ulong("large", 0) != 0,
	};

	if (blkf_open(&dev, (unsigned int)cmdline_ulong("disk", 0), &o) != 0) {
		check(0, "the disk connected");
		poweroff(SHUTDOWN_crash);
	}
}

/* A buffer of n bytes (whole pages) of our own. */
static uint8_t *buffer(size_t n)
{
	uint8_t *b = pfn_to_virt(mm_alloc_page());
	size_t i;

	for (i = PAGE_SIZE; i < n; i += PAGE_SIZE)
		mm_alloc_page();	/* contiguous after the first */
	return b;
}

/* What a 512-byte sector holds when written with seed: a function of
 * both, so a sector read back shows where it came from. */
static void pattern(uint8_t *buf, uint64_t byte_off, size_t n, uint64_t seed)
{
	uint64_t *w = (uint64_t *)buf;
	size_t i;

	for (i = 0; i < n / 8; i++) {
		uint64_t x = seed * 0x9e3779b97f4a7c15ull ^ (byte_off + i * 8);

		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9ull;
		w[i] = x ^ (x >> 29);
	}
}

/* Does buf hold pattern(seed) for byte_off? The first bad byte, or -1. */
static long mismatch(const uint8_t *buf, uint64_t byte_off, size_t n, uint64_t seed,
    uint8_t *scratch)
{
	size_t i;

	pattern(scratch, byte_off, n, seed);
	for (i = 0; i < n; i++)
		if (buf[i] != scratch[i])
			return (long)i;
	return -1;
}

static uint8_t *big, *back, *scratch;

/* Write n bytes at sector with seed and read them back. */
static bool round_trip(uint64_t sector, size_t n, uint64_t seed, const char *what)
{
	int w, r;
	long bad;

	pattern(big, sector * dev.unit, n, seed);
	w = blkf_sync(&dev, BLKIF_OP_WRITE, sector, big, n);
	memset(back, 0, n);
	r = blkf_sync(&dev, BLKIF_OP_READ, sector, back, n);
	bad = mismatch(back, sector * dev.unit, n, seed, scratch);
	check(w == BLKIF_RSP_OKAY && r == BLKIF_RSP_OKAY && bad < 0,
	    "%s: %lu bytes at sector %llu (write %d, read %d, first bad byte %ld)", what,
	    (unsigned long)n,
	    (unsigned long long)sector, w, r, bad);
	return bad < 0;
}

/* A write that also syncs (flush or barrier with data), read back. */
static void synced_write(uint8_t op, uint64_t sector, size_t n, uint64_t seed,
    const char *what)
{
	int st;

	pattern(big, sector * dev.unit, n, seed);
	st = blkf_sync(&dev, op, sector, big, n);
	check(st == BLKIF_RSP_OKAY, "%s (%d)", what, st);
	st = blkf_sync(&dev, BLKIF_OP_READ, sector, back, n);
	check(st == 0 && mismatch(back, sector * dev.unit, n, seed, scratch) < 0,
	    "%s: the data reads back", what);
}

void suite_blk(void)
{
	size_t sizes[] = { 0, 4096, 11 * 4096, 0 };
	uint64_t last, s;
	unsigned int i, j;
	int st, tags[16], t, done;

	open_dev();
	big = buffer(2u << 20);
	back = big + (1u << 20);
	scratch = buffer(1u << 20);
	if (cmdline_ulong("reg", 0) != 0)
		check(blkf_register(&dev, big, 2u << 20) == 0, "the data buffers registered");
	sizes[0] = dev.unit;
	sizes[3] = dev.max_bytes < (1u << 20) ? dev.max_bytes : (1u << 20);
	check(dev.sectors > 0, "the disk has %llu sectors", (unsigned long long)dev.sectors);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		last = dev.sectors - sizes[i] / dev.unit;
		round_trip(0, sizes[i], 100 + i, "at the start");
		round_trip(last / 2, sizes[i], 200 + i, "in the middle");
		round_trip(last, sizes[i], 300 + i, "at the end");
	}
	st = blkf_sync(&dev, BLKIF_OP_READ, dev.sectors, back, dev.unit);
	check(st == BLKIF_RSP_ERROR, "a read past the end is refused (%d)", st);
	st = blkf_sync(&dev, BLKIF_OP_READ, dev.sectors - 1, back, 2 * dev.unit);
	check(st == BLKIF_RSP_ERROR, "a read across the end is refused (%d)", st);
	if (dev.flush) {
		st = blkf_sync(&dev, BLKIF_OP_FLUSH_DISKCACHE, 0, NULL, 0);
		check(st == BLKIF_RSP_OKAY, "flush (%d)", st);
		synced_write(BLKIF_OP_FLUSH_DISKCACHE, 8, 4096, 7, "flush with data");
	}
	if (dev.barrier)
		synced_write(BLKIF_OP_WRITE_BARRIER, 64, 8192, 8, "barrier write");
	if (dev.discard) {
		s = 4096 / dev.unit * 100;
		round_trip(s, 65536, 9, "before a discard");
		st = blkf_sync(&dev, BLKIF_OP_DISCARD, s, NULL, 65536);
		check(st == BLKIF_RSP_OKAY, "discard of 64 KiB (%d)", st);
		memset(back, 0xaa, 65536);
		st = blkf_sync(&dev, BLKIF_OP_READ, s, back, 65536);
		for (j = 0; j < 65536 && back[j] == 0; j++)
			;
		check(st == 0 && j == 65536, "a discarded extent reads as zeros");
	}
	/* 16 at once, on every queue, then each read back. */
	for (i = 0; i < 16; i++) {
		pattern(big + i * 4096, (1000 + i * 16) * 4096ull, 4096, 50 + i);
		tags[i] = blkf_submit(&dev, i, BLKIF_OP_WRITE, (1000 + i * 16) * 4096ull / dev.unit,
		    big + i * 4096, 4096);
	}
	for (done = 0, i = 0; i < 16; i++)
		if (tags[i] >= 0 && blkf_reap(&dev, &t, &st, 10000000000ull) == 1 &&
		    st == BLKIF_RSP_OKAY)
			done++;
	check(done == 16, "16 writes in flight at once, over %u queue(s): %d done", dev.nq,
	    done);
	for (done = 0, i = 0; i < 16; i++) {
		st = blkf_sync(&dev, BLKIF_OP_READ, (1000 + i * 16) * 4096ull / dev.unit, back, 4096);
		done += st == 0 && mismatch(back, (1000 + i * 16) * 4096ull, 4096, 50 + i,
		    scratch) < 0;
	}
	check(done == 16, "and all 16 read back");
	blkf_close(&dev);
	printk("blk: done\n");
}

/* A disk attached read-only: reads work, writes are refused. */
void suite_blkro(void)
{
	int st;

	open_dev();
	back = buffer(4096);
	check(dev.readonly, "the backend says read-only (info %u)", dev.info);
	st = blkf_sync(&dev, BLKIF_OP_READ, 0, back, 4096);
	check(st == BLKIF_RSP_OKAY, "a read works (%d)", st);
	st = blkf_sync(&dev, BLKIF_OP_WRITE, 0, back, 4096);
	check(st == BLKIF_RSP_ERROR, "a write is refused (%d)", st);
	printk("blkro: done\n");
}

/* The first mb MiB with seed's pattern (blkwrite), or checked against it
 * (blkverify): data that outlives a boot. */
static void whole(bool write)
{
	uint64_t seed = cmdline_ulong("seed", 1), mb = cmdline_ulong("mb", 8), at;
	unsigned long bad = 0;
	size_t chunk;
	int st = 0;

	open_dev();
	chunk = dev.max_bytes < (1u << 20) ? dev.max_bytes : (1u << 20);
	big = buffer(1u << 20);
	scratch = buffer(1u << 20);
	for (at = 0; at < mb << 20 && st == 0; at += chunk) {
		if (write) {
			pattern(big, at, chunk, seed);
			st = blkf_sync(&dev, BLKIF_OP_WRITE, at / dev.unit, big, chunk);
		} else {
			st = blkf_sync(&dev, BLKIF_OP_READ, at / dev.unit, big, chunk);
			bad += st == 0 && mismatch(big, at, chunk, seed, scratch) >= 0;
		}
	}
	if (write && dev.flush && st == 0)
		st = blkf_sync(&dev, BLKIF_OP_FLUSH_DISKCACHE, 0, NULL, 0);
	check(st == 0 && bad == 0, "%llu MiB %s with seed %llu (status %d, %lu bad chunks)",
	    (unsigned long long)mb, write ? "written" : "verified", (unsigned long long)seed,
	    st, bad);
	printk("%s: done\n", write ? "blkwrite" : "blkverify");
}

void suite_blkwrite(void) { whole(true); }
void suite_blkverify(void) { whole(false); }

/*
 * For seconds: writes of 4 KiB to 64 KiB at random places in the first mb
 * MiB, eight in flight, never two on one block, each block's last seed
 * remembered; reads checked against it. The backend may be killed and
 * restarted meanwhile: the frontend reconnects and sends again what was
 * unanswered. At the end every block written is read and checked.
 */
#define STRESS_QD 8
void suite_blkstress(void)
{
	uint64_t secs = cmdline_ulong("seconds", 10), mb = cmdline_ulong("mb", 16);
	uint64_t rng = cmdline_ulong("seed", 77) | 1, end, next_report;
	unsigned long nblocks = (unsigned long)(mb << 8), writes = 0, reads = 0, bad = 0, i;
	struct { bool busy; unsigned long block, n; uint64_t seed; bool write; int tag; }
	    fl[STRESS_QD];
	uint32_t *seeds;
	uint8_t *bufs;
	int tag, st, k;
	unsigned int round = 0;

	open_dev();
	seeds = (uint32_t *)buffer(nblocks * 4);
	bufs = buffer(STRESS_QD * 65536);
	scratch = buffer(65536);
	memset(fl, 0, sizeof(fl));
	end = system_time() + secs * 1000000000ull;
	next_report = system_time();
	printk("blkstress: %llu s over %llu MiB\n", (unsigned long long)secs,
	    (unsigned long long)mb);
	for (;;) {
		bool stop = system_time() >= end && writes + reads > 0, busy = false;

		for (k = 0; k < STRESS_QD; k++) {
			unsigned long b, n, j;
			bool clash = false;

			busy |= fl[k].busy;
			if (fl[k].busy || stop)
				continue;
			n = 1 + xorshift64(&rng) % 16;
			b = xorshift64(&rng) % (nblocks - n);
			for (j = 0; j < STRESS_QD && !clash; j++)
				clash = fl[j].busy && b < fl[j].block + fl[j].n && fl[j].block < b + n;
			if (clash)
				continue;
			fl[k] = (typeof(fl[k])){ .busy = true, .block = b, .n = n,
			    .write = (xorshift64(&rng) & 3) != 0 || seeds[b] == 0,
			    .seed = (uint32_t)(xorshift64(&rng) | 1) };
			if (fl[k].write)
				for (j = 0; j < n; j++)
					pattern(bufs + k * 65536 + j * 4096, (b + j) * 4096ull, 4096,
					    fl[k].seed);
			tag = blkf_submit(&dev, (unsigned int)k, fl[k].write ? BLKIF_OP_WRITE :
			    BLKIF_OP_READ, b * 4096ull / dev.unit, bufs + k * 65536, n * 4096);
			fl[k].busy = tag >= 0;
			fl[k].tag = tag;
			busy |= fl[k].busy;
		}
		if (!busy)
			break;		/* the time is up and everything answered */
		if (blkf_reap(&dev, &tag, &st, 30000000000ull) != 1) {
			check(0, "an answer within 30 s");
			break;
		}
		for (k = 0; k < STRESS_QD; k++)
			if (fl[k].busy && fl[k].tag == tag)
				break;
		if (k == STRESS_QD) {
			check(0, "a response for a request we did not send");
			break;
		}
		if (st != BLKIF_RSP_OKAY) {
			check(0, "request on blocks %lu+%lu: status %d", fl[k].block, fl[k].n, st);
			break;
		}
		for (i = 0; i < fl[k].n; i++) {
			unsigned long b = fl[k].block + i;

			if (fl[k].write)
				seeds[b] = (uint32_t)fl[k].seed;
			else if (seeds[b] != 0 && mismatch(bufs + k * 65536 + i * 4096, b * 4096ull,
			    4096, seeds[b], scratch) >= 0)
				bad++;
		}
		if (fl[k].write)
			writes++;
		else
			reads++;
		fl[k].busy = false;
		if (system_time() >= next_report) {
			printk("blkstress: round %u: %lu writes, %lu reads, %lu bad, %lu reconnects\n",
			    round++, writes, reads, bad, dev.reconnects);
			next_report += 1000000000ull;
		}
	}
	/* Every block written, checked. */
	for (i = 0; i < nblocks; i++) {
		if (seeds[i] == 0)
			continue;
		st = blkf_sync(&dev, BLKIF_OP_READ, i * 4096ull / dev.unit, scratch, 4096);
		if (st != 0 || mismatch(scratch, i * 4096ull, 4096, seeds[i], bufs) >= 0)
			bad++;
	}
	check(bad == 0, "%lu writes and %lu reads, every block as last written (%lu bad, "
	    "%lu reconnects)", writes, reads, bad, dev.reconnects);
	printk("blkstress: done\n");
}

/* --- malformed requests ------------------------------------------------- */

static int raw_rw(uint8_t op, uint8_t nseg, uint64_t sector, grant_ref_t gref,
    uint8_t first, uint8_t last)
{
	struct blkif_request r = { .operation = op, .nr_segments = nseg,
	    .sector_number = sector };
	unsigned int i;

	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = (struct blkif_request_segment){ gref, first, last };
	return blkf_raw(&dev, &r);
}

static int raw_indirect(uint8_t op, uint16_t nseg, grant_ref_t page_ref)
{
	struct blkif_request_indirect r = { .operation = BLKIF_OP_INDIRECT,
	    .indirect_op = op, .nr_segments = nseg };

	r.indirect_grefs[0] = page_ref;
	return blkf_raw(&dev, &r);
}

/*
 * Every kind of bad request gets an error (or EOPNOTSUPP), and the disk
 * goes on serving; then random requests (seed=, count=) get answers; then,
 * with overflow=1, a request producer the ring cannot hold stops our
 * queue (and only ours).
 */
void suite_blkhostile(void)
{
	uint64_t rng = cmdline_ulong("seed", 5) | 1, count = cmdline_ulong("count", 500), i;
	grant_ref_t rw, ro, iref, unused = GRANT_FRAMES_MAX * 512 - 1;
	struct blkif_request_segment *iseg;
	unsigned long answered = 0, page, ipage;
	int st;

	open_dev();
	page = mm_alloc_page();
	ipage = mm_alloc_page();
	iseg = pfn_to_virt(ipage);
	rw = gnt_page(page, false);
	ro = gnt_page(page, true);
	iref = gnt_page(ipage, true);
	back = buffer(4096);
	check(raw_rw(99, 1, 0, rw, 0, 7) == BLKIF_RSP_EOPNOTSUPP, "an unknown operation");
	check(raw_rw(BLKIF_OP_RESERVED_1, 1, 0, rw, 0, 7) == BLKIF_RSP_EOPNOTSUPP,
	    "the reserved operation");
	check(raw_rw(BLKIF_OP_READ, 0, 0, rw, 0, 7) == BLKIF_RSP_ERROR, "a read of nothing");
	check(raw_rw(BLKIF_OP_READ, 12, 0, rw, 0, 0) == BLKIF_RSP_ERROR, "12 segments");
	check(raw_rw(BLKIF_OP_READ, 1, 0, rw, 3, 2) == BLKIF_RSP_ERROR, "first after last");
	check(raw_rw(BLKIF_OP_READ, 1, 0, rw, 0, (uint8_t)(4096 / dev.unit)) == BLKIF_RSP_ERROR,
	    "a sector past the page");
	check(raw_rw(BLKIF_OP_READ, 1, dev.sectors, rw, 0, 0) == BLKIF_RSP_ERROR,
	    "a sector past the disk");
	check(raw_rw(BLKIF_OP_WRITE, 1, ~0ull - 3, rw, 0, 7) == BLKIF_RSP_ERROR,
	    "a sector number that overflows");
	check(raw_rw(BLKIF_OP_READ, 1, 0, unused, 0, 7) == BLKIF_RSP_ERROR,
	    "a grant reference we never granted");
	check(raw_rw(BLKIF_OP_READ, 1, 0, ro, 0, 7) == BLKIF_RSP_ERROR,
	    "a read into a read-only grant");
	check(raw_rw(BLKIF_OP_WRITE, 1, 0, ro, 0, 7) == BLKIF_RSP_OKAY,
	    "a write from a read-only grant is fine");
	if (dev.max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		memset(iseg, 0, 4096);
		for (i = 0; i < 20; i++)
			iseg[i] = (struct blkif_request_segment){ rw, 0, 7 };
		check(raw_indirect(BLKIF_OP_READ, 0, iref) == BLKIF_RSP_ERROR,
		    "an indirect request of no segments");
		check(raw_indirect(BLKIF_OP_READ, 60000, iref) == BLKIF_RSP_ERROR,
		    "an indirect request of 60000 segments");
		check(raw_indirect(BLKIF_OP_DISCARD, 20, iref) == BLKIF_RSP_ERROR,
		    "an indirect discard");
		check(raw_indirect(BLKIF_OP_READ, 20, unused) == BLKIF_RSP_ERROR,
		    "indirect segments in a page we never granted");
		iseg[5].last_sect = 40;
		check(raw_indirect(BLKIF_OP_READ, 20, iref) == BLKIF_RSP_ERROR,
		    "a bad segment among indirect ones");
		iseg[5].last_sect = 7;
		check(raw_indirect(BLKIF_OP_READ, 20, iref) == BLKIF_RSP_OKAY,
		    "the same, put right, works");
	}
	if (dev.discard) {
		struct blkif_request_discard dr = { .operation = BLKIF_OP_DISCARD,
		    .flag = BLKIF_DISCARD_SECURE, .nr_sectors = 8 };

		check(blkf_raw(&dev, &dr) == BLKIF_RSP_EOPNOTSUPP, "a secure discard");
		dr.flag = 0;
		dr.sector_number = dev.sectors - 4;
		check(blkf_raw(&dev, &dr) == BLKIF_RSP_ERROR, "a discard past the end");
	}
	/* Random requests: any answer will do, as long as one comes. */
	for (i = 0; i < count; i++) {
		uint64_t w[14];
		unsigned int k;

		for (k = 0; k < 14; k++)
			w[k] = xorshift64(&rng);
		((uint8_t *)w)[0] %= 8;
		/* Segments may only name the scratch page or nothing of ours. */
		for (k = 0; k < BLKIF_MAX_SEGMENTS_PER_REQUEST; k++)
			((struct blkif_request *)w)->seg[k].gref = (w[k % 14] & 1) ? rw : unused;
		((struct blkif_request_indirect *)w)->indirect_grefs[0] = iref;
		st = blkf_raw(&dev, w);
		answered += st >= -2 && st <= 0;
	}
	check(answered == count, "%lu of %llu random requests answered", answered,
	    (unsigned long long)count);
	st = blkf_sync(&dev, BLKIF_OP_READ, 0, back, 4096);
	check(st == BLKIF_RSP_OKAY, "and a good read still works (%d)", st);
	if (cmdline_ulong("overflow", 0)) {
		blkif_sring_t *sr = dev.q[0].ring.sring;

		sr->req_prod = dev.q[0].ring.req_prod_pvt + 100000;
		port_send(dev.q[0].port);
		printk("blkhostile: ring overflowed\n");
	}
	printk("blkhostile: done\n");
}

/* --- the benchmark -------------------------------------------------------- */

/*
 * mode=seq|rand op=read|write bs=BYTES qd=N mb=REGION seconds=S: as many
 * requests as fit in S seconds, qd in flight, over the first mb MiB.
 */
void suite_blkbench(void)
{
	size_t bs = cmdline_ulong("bs", 4096);
	unsigned long qd = cmdline_ulong("qd", 1), region = cmdline_ulong("mb", 64) << 20;
	uint64_t secs = cmdline_ulong("seconds", 3), rng = 12345, t0, t1, end, n = 0;
	uint64_t next = 0, inflight = 0;
	const char *v = cmdline_get("mode");	/* (one buffer for every value) */
	bool rnd = v != NULL && strcmp(v, "rand") == 0, wr;
	uint8_t *bufs;
	int tag, st, ret;

	v = cmdline_get("op");
	wr = v != NULL && strcmp(v, "write") == 0;
	open_dev();
	if (bs > dev.max_bytes)
		bs = dev.max_bytes;
	if (qd > 64)
		qd = 64;
	bufs = buffer(qd * bs);
	memset(bufs, 0x5a, qd * bs);
	if (cmdline_ulong("reg", 0) != 0 && blkf_register(&dev, bufs, qd * bs) != 0) {
		check(0, "the benchmark's buffers registered");
		return;
	}
	t0 = system_time();
	end = t0 + secs * 1000000000ull;
	/* Refill everything that finished, then one push: as a driver with a
	 * request queue would. */
	dev.batch = true;
	dev.poll_ns = cmdline_ulong("poll", 0) * 1000;
	while (system_time() < end || inflight > 0) {
		while (inflight < qd && system_time() < end) {
			uint64_t off = rnd ? (xorshift64(&rng) % (region / bs)) * bs : next;

			next = (next + bs) % (region - region % bs);
			ret = blkf_submit(&dev, (unsigned int)(n + inflight), wr ? BLKIF_OP_WRITE :
			    BLKIF_OP_READ, off / dev.unit, bufs + (n + inflight) % qd * bs, bs);
			if (ret < 0)
				break;
			inflight++;
		}
		blkf_push(&dev);
		if (blkf_reap(&dev, &tag, &st, 30000000000ull) != 1)
			st = -1;
		for (;;) {	/* this one, and every other that is done */
			if (st != BLKIF_RSP_OKAY) {
				check(0, "benchmark request answered (status %d)", st);
				return;
			}
			inflight--;
			n++;
			if (inflight == 0 || blkf_reap(&dev, &tag, &st, 0) != 1)
				break;
		}
	}
	dev.batch = false;
	dev.poll_ns = 0;
	t1 = system_time();
	check(n > 0, "blkbench: %llu requests answered", (unsigned long long)n);
	printk("blkbench: %s %s bs=%lu qd=%lu: %llu requests in %llu us: %llu MB/s, %llu IOPS\n",
	    rnd ? "rand" : "seq", wr ? "write" : "read", (unsigned long)bs, qd, (unsigned long long)n,
	    (unsigned long long)((t1 - t0) / 1000),
	    (unsigned long long)(n * bs * 1000 / ((t1 - t0) ? (t1 - t0) : 1)),
	    (unsigned long long)(n * 1000000000ull / ((t1 - t0) ? (t1 - t0) : 1)));
}
