/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual disk throughput: pvtest's blkbench through blkfront and
 * palblkback against the same operations done by this process on the
 * same image file, in the same run (the limit): sequential 1 MiB writes
 * and reads (MB/s), random 4 KiB reads and writes at queue depth 1 and 32
 * (IOPS; the host's queue depth 32 through io_uring). The image is 256 MiB
 * and in the page cache for both. Targets: 70% of the host's sequential
 * throughput, 50% of its random IOPS at depth 32; the ratio line is the
 * worst of those four.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "palisade/util.h"
#include "benchlib.h"

#define IMAGE_MB 256
#define SECS 2.0
#define SEQ_QD 4		/* 1 MiB requests in flight, as readahead would */
/* The guest's buffers registered (kept granted: no copy in the guest), a
 * small pool for anything else, and 50 us of polling before it blocks. */
#define GUEST_OPTS "reg=1 pool=64 poll=50"

static char image[512];
static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Sequential 1 MiB over the image, as often as fits in SECS: MB/s. */
static double host_seq(int fd, bool wr, uint8_t *buf)
{
	double t0 = bench_now(), t;
	uint64_t off = 0, n = 0;

	do {
		ssize_t r = wr ? pwrite(fd, buf, 1 << 20, (off_t)off) :
		    pread(fd, buf, 1 << 20, (off_t)off);

		if (r != 1 << 20) {
			perror("bench: image I/O");
			exit(1);
		}
		off = (off + (1 << 20)) % ((uint64_t)IMAGE_MB << 20);
		n++;
	} while ((t = bench_now() - t0) < SECS);
	return n / t;
}

/* Random 4 KiB at depth qd through io_uring (qd 1: plain pread/pwrite): IOPS. */
static double host_rand(int fd, bool wr, unsigned int qd, uint8_t *buf)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	double t0 = bench_now(), t;
	uint64_t n = 0, blocks = ((uint64_t)IMAGE_MB << 20) / 4096;
	unsigned int i, inflight = 0;

	if (qd == 1) {
		do {
			off_t off = (off_t)(rnd() % blocks) * 4096;
			ssize_t r = wr ? pwrite(fd, buf, 4096, off) : pread(fd, buf, 4096, off);

			if (r != 4096)
				exit(1);
			n++;
		} while ((t = bench_now() - t0) < SECS);
		return n / t;
	}
	if (io_uring_queue_init(qd, &ring, 0) < 0) {
		fprintf(stderr, "bench: io_uring\n");
		exit(1);
	}
	do {
		for (i = inflight; i < qd; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			off_t off = (off_t)(rnd() % blocks) * 4096;

			if (wr)
				io_uring_prep_write(sqe, fd, buf + i * 4096, 4096, off);
			else
				io_uring_prep_read(sqe, fd, buf + i * 4096, 4096, off);
		}
		inflight = qd;
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &cqe) == 0) {
			if (cqe->res != 4096)
				exit(1);
			io_uring_cqe_seen(&ring, cqe);
			inflight--;
			n++;
		}
	} while ((t = bench_now() - t0) < SECS);
	while (inflight-- > 0 && io_uring_wait_cqe(&ring, &cqe) == 0)
		io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	return n / t;
}

/* pvtest's blkbench with these options: MB/s or IOPS, as asked. */
static double guest(const char *mode, const char *op, unsigned int bs, unsigned int qd,
    bool iops)
{
	char cmd[256], disk[640], line[256], name[32];
	unsigned long long mbs, ops;
	struct pal_domain pd;
	struct palctl c;

	bench_connect(&c);
	snprintf(name, sizeof(name), "blkbench-%s-%s-%u", mode, op, qd);
	snprintf(cmd, sizeof(cmd), "suite=blkbench mode=%s op=%s bs=%u qd=%u mb=%d seconds=%d %s",
	    mode, op, bs, qd, IMAGE_MB, (int)SECS, GUEST_OPTS);
	snprintf(disk, sizeof(disk), "format=raw, vdev=xvda, access=rw, target=%s", image);
	bench_domain_disk(&c, name, 128, cmd, disk, &pd);
	palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, pd.domid, 0);
	if (bench_console_wait(name, "blkbench: ", line, sizeof(line), 60) < 0 ||
	    sscanf(strstr(line, "us: ") ? strstr(line, "us: ") : "", "us: %llu MB/s, %llu IOPS",
	    &mbs, &ops) != 2) {
		fprintf(stderr, "bench: no figure from the guest (%s)\n", cmd);
		exit(1);
	}
	palctl_domid_op(&c, CTL_DOMAIN_DESTROY, pd.domid, 0);
	palctl_close(&c);
	sleep_ms(700);		/* its device goes before the next guest's comes */
	return iops ? (double)ops : (double)mbs;
}

int main(void)
{
	static uint8_t buf[1 << 20] __attribute__((aligned(4096)));
	double h[6], g[6], worst = 1e9;
	static const char *const what[6] = {
		"sequential 1 MiB write, MB/s", "sequential 1 MiB read, MB/s",
		"random 4 KiB read qd1, IOPS", "random 4 KiB write qd1, IOPS",
		"random 4 KiB read qd32, IOPS", "random 4 KiB write qd32, IOPS",
	};
	static const double target[6] = { 0.7, 0.7, 0, 0, 0.5, 0.5 };
	int fd, i;

	snprintf(image, sizeof(image), "%s/bench.img", rundir_get());
	fd = open(image, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)IMAGE_MB << 20) < 0) {
		perror("bench: image");
		return 1;
	}
	memset(buf, 0x3c, sizeof(buf));
	h[0] = host_seq(fd, true, buf) * 1.048576;	/* MiB/s to MB/s */
	h[1] = host_seq(fd, false, buf) * 1.048576;
	h[2] = host_rand(fd, false, 1, buf);
	h[3] = host_rand(fd, true, 1, buf);
	h[4] = host_rand(fd, false, 32, buf);
	h[5] = host_rand(fd, true, 32, buf);
	close(fd);
	g[0] = guest("seq", "write", 1 << 20, SEQ_QD, false);
	g[1] = guest("seq", "read", 1 << 20, SEQ_QD, false);
	g[2] = guest("rand", "read", 4096, 1, true);
	g[3] = guest("rand", "write", 4096, 1, true);
	g[4] = guest("rand", "read", 4096, 32, true);
	g[5] = guest("rand", "write", 4096, 32, true);
	for (i = 0; i < 6; i++) {
		printf("%-32s guest %9.0f  host (limit) %9.0f  (%.2f%s)\n", what[i], g[i], h[i],
		    g[i] / h[i], target[i] > 0 ? g[i] / h[i] >= target[i] ? ", target met" :
		    ", target NOT met" : "");
		if (target[i] > 0 && g[i] / h[i] < worst)
			worst = g[i] / h[i];
	}
	unlink(image);
	printf("ratio: %.2f\n", worst);
	return 0;
}
