/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process's asynchronous I/O: one io_uring (liburing), its
 * completions signalled on an eventfd the daemon polls. Each operation
 * carries its struct blk_aio, whose done function gets the result.
 */
#include "config.h"

#include <errno.h>
#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "blkback.h"

#define ASYNC_SEGMENTS 16	/* 64 KiB and up */

static struct io_uring ring;
static int efd = -1;

int blk_aio_init(unsigned int entries)
{
	int ret = io_uring_queue_init(entries, &ring, 0);

	if (ret < 0)
		return ret;
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0 || io_uring_register_eventfd(&ring, efd) < 0) {
		ret = -errno;
		if (efd >= 0)
			close(efd);
		io_uring_queue_exit(&ring);
		return ret;
	}
	return efd;
}

void blk_aio_exit(void)
{
	if (efd < 0)
		return;
	io_uring_queue_exit(&ring);
	close(efd);
	efd = -1;
}

int blk_aio_rw(int fd, bool write, const struct iovec *iov, unsigned int niov,
    uint64_t off, bool link, struct blk_aio *a)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (sqe == NULL)
		return -EBUSY;
	if (write)
		io_uring_prep_writev(sqe, fd, iov, niov, off);
	else
		io_uring_prep_readv(sqe, fd, iov, niov, off);
	if (link)
		sqe->flags |= IOSQE_IO_LINK;
	/* Big transfers go to io_uring's workers: copies from the page cache
	 * then run beside each other and beside this thread, instead of one
	 * after another inside the submission. Small ones are cheaper inline. */
	if (niov >= ASYNC_SEGMENTS)
		sqe->flags |= IOSQE_ASYNC;
	io_uring_sqe_set_data(sqe, a);
	return 0;
}

int blk_aio_fsync(int fd, bool link, struct blk_aio *a)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (sqe == NULL)
		return -EBUSY;
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	if (link)
		sqe->flags |= IOSQE_IO_LINK;
	io_uring_sqe_set_data(sqe, a);
	return 0;
}

int blk_aio_reserve(unsigned int n)
{
	if (io_uring_sq_space_left(&ring) < n && io_uring_submit(&ring) < 0)
		return -EBUSY;
	return io_uring_sq_space_left(&ring) >= n ? 0 : -EBUSY;
}

int blk_aio_submit(void)
{
	int ret = io_uring_submit(&ring);

	return ret < 0 ? ret : 0;
}

unsigned int blk_aio_reap(bool wait)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0;
	uint64_t v;

	if (efd >= 0 && read(efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	for (;;) {
		int ret = wait && n == 0 ? io_uring_wait_cqe(&ring, &cqe) :
		    io_uring_peek_cqe(&ring, &cqe);
		struct blk_aio *a;

		if (ret < 0)
			break;
		a = io_uring_cqe_get_data(cqe);
		ret = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (a != NULL)
			a->done(a, ret);
		n++;
	}
	return n;
}
