/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Disks for domains, the toolstack's side: a disk becomes a vbd device in
 * the store (the frontend's device/vbd/DEVID, dom0's backend/vbd/FE/DEVID)
 * for palblkback to serve, once the image is known to exist, to allow
 * the access asked for, and not to be written by another domain already.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palctl.h"

#define BACKEND_SOCKET "palblkback.sock"

/* Is there a vbd (other than fe's devid) of a live domain serving path,
 * and writable? (A gone domain's directory may linger a moment, until
 * palstored notices.) */
static int image_user(struct palctl *c, struct palctl_xs *x, const char *path,
    uint32_t fe, uint32_t devid, bool *writable, uint32_t *who)
{
	struct ctl_domain_info info;
	char *fes = NULL, *ids = NULL, p[256], v[PATH_MAX];
	const char *f, *i;
	int nf, ni, a, b, found = 0;

	nf = palctl_xs_children(x, "/local/domain/0/backend/vbd", &fes);
	for (a = 0, f = fes; a < nf && !found; a++, f += strlen(f) + 1) {
		snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%s", f);
		ni = palctl_xs_children(x, p, &ids);
		for (b = 0, i = ids; b < ni && !found; b++, i += strlen(i) + 1) {
			if (((uint32_t)strtoul(f, NULL, 10) == fe &&
			    (uint32_t)strtoul(i, NULL, 10) == devid) ||
			    palctl_domain_info(c, (uint32_t)strtoul(f, NULL, 10), &info) < 0)
				continue;
			snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%s/%s/params", f, i);
			if (palctl_xs_read(x, p, v, sizeof(v)) < 0 || strcmp(v, path) != 0)
				continue;
			snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%s/%s/mode", f, i);
			*writable = palctl_xs_read(x, p, v, sizeof(v)) == 0 && strcmp(v, "w") == 0;
			*who = (uint32_t)strtoul(f, NULL, 10);
			found = 1;
		}
		free(ids);
		ids = NULL;
	}
	free(fes);
	return found;
}

int pal_disk_attach(struct palctl *c, struct palctl_xs *x, uint32_t domid,
    const struct diskspec *d, char *err, size_t n)
{
	char real[PATH_MAX], p[128], ssz[32] = "disk-sector-size=0", params[PATH_MAX + 8];
	char devid[32], vdev[32], why[CTL_ERROR_LEN];
	struct stat st;
	bool other_rw = false;
	uint32_t who = 0;
	int ret;

	if (realpath(d->target, real) == NULL || stat(real, &st) < 0)
		return snprintf(err, n, "disk %s: %s: %s", d->vdev, d->target,
		    strerror(errno)), -ENOENT;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return snprintf(err, n, "disk %s: %s is neither a file nor a block device",
		    d->vdev, d->target), -EINVAL;
	if (access(real, d->readonly ? R_OK : R_OK | W_OK) < 0)
		return snprintf(err, n, "disk %s: %s: %s", d->vdev, d->target,
		    strerror(errno)), -EACCES;
	if ((ret = palctl_disk_allowed(c, domid, real, why, sizeof(why))) < 0)
		return snprintf(err, n, "disk %s: %s", d->vdev, why), ret;
	snprintf(p, sizeof(p), "/local/domain/%u/device/vbd/%u", domid, d->devid);
	if (palctl_xs_read(x, p, vdev, sizeof(vdev)) == 0)
		return snprintf(err, n, "vdev %s is already attached to domain %u", d->vdev,
		    domid), -EBUSY;
	if (image_user(c, x, real, domid, d->devid, &other_rw, &who) &&
	    (other_rw || !d->readonly))
		return snprintf(err, n, "disk %s: %s is already attached to domain %u%s",
		    d->vdev, real, who, other_rw ? " writable" : ""), -EBUSY;
	if (!rundir_answers(BACKEND_SOCKET))
		return snprintf(err, n, "palblkback is not running (start it with 'pal up')"),
		    -ENOTCONN;
	snprintf(params, sizeof(params), "params=%s", real);
	snprintf(vdev, sizeof(vdev), "dev=%s", d->vdev);
	snprintf(devid, sizeof(devid), "virtual-device=%u", d->devid);
	if (d->sector_size)
		snprintf(ssz, sizeof(ssz), "disk-sector-size=%u", d->sector_size);
	const char *const fe_kv[] = { devid, d->cdrom ? "device-type=cdrom" :
	    "device-type=disk", NULL };
	const char *const be_kv[] = { params, d->readonly ? "mode=r" : "mode=w",
	    S_ISBLK(st.st_mode) ? "type=phy" : "type=file", vdev, ssz,
	    d->cdrom ? "removable=1" : "removable=0", NULL };
	ret = palctl_xs_dev_add(x, "vbd", domid, 0, d->devid, fe_kv, be_kv);
	if (ret < 0)
		snprintf(err, n, "disk %s: the store: %s", d->vdev, strerror(-ret));
	return ret;
}

int pal_disk_detach(struct palctl_xs *x, uint32_t domid, uint32_t devid, bool force,
    char *err, size_t n)
{
	char p[128], v[16];
	unsigned int i;

	snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%u/%u/online", domid, devid);
	if (palctl_xs_read(x, p, v, sizeof(v)) < 0)
		return snprintf(err, n, "domain %u has no disk %u", domid, devid), -ENOENT;
	palctl_xs_write(x, p, "0");
	/* The backend lets go, and says so with Closed. */
	snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%u/%u/state", domid, devid);
	for (i = 0; i < 100 && !force; i++) {
		if (palctl_xs_read(x, p, v, sizeof(v)) < 0 || strcmp(v, "6") == 0)
			break;
		sleep_ms(100);
	}
	if (i == 100)
		return snprintf(err, n, "the backend did not close disk %u of domain %u "
		    "in 10 s (-f removes it anyway)", devid, domid), -ETIMEDOUT;
	return palctl_xs_dev_remove(x, "vbd", domid, 0, devid);
}
