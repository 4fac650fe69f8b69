/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A disk image: a raw file (sparse or not) or a block device, opened
 * read-write or read-only, with its size and sector sizes. Discard punches
 * a hole in a file or discards a device's blocks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blkback.h"

int blk_image_open(struct blk_image *im, const char *path, bool readonly,
    unsigned int sector_size, char *err, size_t n)
{
	struct stat st;
	int lss = 0, pss = 0;

	memset(im, 0, sizeof(*im));
	im->fd = -1;
	if (sector_size != 0 && sector_size != 512 && sector_size != 4096) {
		snprintf(err, n, "%s: sector size %u (512 or 4096)", path, sector_size);
		return -EINVAL;
	}
	im->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (im->fd < 0 || fstat(im->fd, &st) < 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		blk_image_close(im);
		return -errno;
	}
	im->readonly = readonly;
	if (S_ISBLK(st.st_mode)) {
		im->bdev = true;
		if (ioctl(im->fd, BLKGETSIZE64, &im->size) < 0 ||
		    ioctl(im->fd, BLKSSZGET, &lss) < 0 || ioctl(im->fd, BLKPBSZGET, &pss) < 0) {
			snprintf(err, n, "%s: %s", path, strerror(errno));
			blk_image_close(im);
			return -EIO;
		}
		im->sector_size = (unsigned int)lss;
		im->physical_sector_size = (unsigned int)pss;
	} else if (S_ISREG(st.st_mode)) {
		im->size = (uint64_t)st.st_size;
		im->sector_size = sector_size ? sector_size : 512;
		im->physical_sector_size = im->sector_size;
	} else {
		snprintf(err, n, "%s: neither a file nor a block device", path);
		blk_image_close(im);
		return -EINVAL;
	}
	if (im->size < im->sector_size) {
		snprintf(err, n, "%s: smaller than one %u-byte sector", path, im->sector_size);
		blk_image_close(im);
		return -EINVAL;
	}
	im->can_discard = !readonly;
	return 0;
}

void blk_image_close(struct blk_image *im)
{
	if (im->fd >= 0)
		close(im->fd);
	im->fd = -1;
}

int blk_image_discard(struct blk_image *im, uint64_t off, uint64_t len)
{
	uint64_t range[2] = { off, len };
	int ret;

	if (len == 0)
		return 0;
	if (im->bdev)
		ret = ioctl(im->fd, BLKDISCARD, range);
	else
		ret = fallocate(im->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		    (off_t)off, (off_t)len);
	return ret < 0 ? -errno : 0;
}
