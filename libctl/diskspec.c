/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl's disk specification (xl-disk-configuration): comma-separated
 * "key=value" items, or positional ones in the order target, format,
 * vdev, access; "target=" takes the rest of the string, commas and all.
 * And the virtual device names of docs/misc/vbd-interface: xvdX, hdX,
 * sdX (with a partition number), or a plain device number.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/util.h"
#include "palctl.h"

/* "a".."z", "aa".."zz": the disk number (bijective base 26), and where
 * the letters end. */
static int disk_letters(const char *s, const char **end)
{
	int n = 0, len = 0;

	while (s[len] >= 'a' && s[len] <= 'z' && len < 2)
		n = n * 26 + (s[len++] - 'a' + 1);
	*end = s + len;
	return len == 0 ? -1 : n - 1;
}

int vdev_to_devid(const char *vdev, uint32_t *devid)
{
	const char *rest;
	char *end;
	long disk, part = 0;

	if (vdev[0] >= '0' && vdev[0] <= '9') {
		unsigned long v = strtoul(vdev, &end, 10);

		if (*end != '\0' || v == 0 || v > 0x7fffffff)
			return -EINVAL;
		*devid = (uint32_t)v;
		return 0;
	}
	if (strncmp(vdev, "xvd", 3) != 0 && strncmp(vdev, "hd", 2) != 0 &&
	    strncmp(vdev, "sd", 2) != 0)
		return -EINVAL;
	disk = disk_letters(vdev + (vdev[0] == 'x' ? 3 : 2), &rest);
	if (disk < 0)
		return -EINVAL;
	if (*rest != '\0') {
		if (*rest < '1' || *rest > '9')
			return -EINVAL;
		part = strtol(rest, &end, 10);
		if (*end != '\0')
			return -EINVAL;
	}
	if (vdev[0] == 'x') {
		if (disk < 16 && part < 16)
			*devid = (202u << 8) | (uint32_t)(disk << 4) | (uint32_t)part;
		else if (disk < (1 << 20) && part < 256)
			*devid = (1u << 28) | (uint32_t)(disk << 8) | (uint32_t)part;
		else
			return -EINVAL;
	} else if (vdev[0] == 'h') {
		if (disk > 3 || part > 63)
			return -EINVAL;
		*devid = ((disk < 2 ? 3u : 22u) << 8) | (uint32_t)((disk & 1) << 6) |
		    (uint32_t)part;
	} else {
		if (disk > 15 || part > 15)
			return -EINVAL;
		*devid = (8u << 8) | (uint32_t)(disk << 4) | (uint32_t)part;
	}
	return 0;
}

static int set_item(struct diskspec *d, const char *key, const char *val, char *err,
    size_t n)
{
	if (strcmp(key, "target") == 0) {
		if (str_copy(d->target, val, sizeof(d->target)) >= sizeof(d->target))
			return snprintf(err, n, "target too long"), -EINVAL;
	} else if (strcmp(key, "format") == 0) {
		if (strcmp(val, "raw") != 0)
			return snprintf(err, n, "format '%s' is not supported (raw)", val),
			    -EINVAL;
	} else if (strcmp(key, "vdev") == 0) {
		if (str_copy(d->vdev, val, sizeof(d->vdev)) >= sizeof(d->vdev) ||
		    vdev_to_devid(val, &d->devid) < 0)
			return snprintf(err, n, "bad vdev '%s' (xvda, hdb, sdc2, ...)", val),
			    -EINVAL;
	} else if (strcmp(key, "access") == 0) {
		if (strcmp(val, "r") == 0 || strcmp(val, "ro") == 0)
			d->readonly = true;
		else if (strcmp(val, "w") == 0 || strcmp(val, "rw") == 0)
			d->readonly = false;
		else
			return snprintf(err, n, "bad access '%s' (ro or rw)", val), -EINVAL;
	} else if (strcmp(key, "devtype") == 0) {
		if (strcmp(val, "cdrom") == 0)
			d->cdrom = d->readonly = true;
		else if (strcmp(val, "disk") != 0)
			return snprintf(err, n, "bad devtype '%s' (disk or cdrom)", val),
			    -EINVAL;
	} else if (strcmp(key, "backendtype") == 0) {
		if (strcmp(val, "phy") != 0 && strcmp(val, "qdisk") != 0)
			return snprintf(err, n, "backendtype '%s' is not supported", val),
			    -EINVAL;
	} else if (strcmp(key, "sector-size") == 0) {
		if (strcmp(val, "512") != 0 && strcmp(val, "4096") != 0)
			return snprintf(err, n, "bad sector-size '%s' (512 or 4096)", val),
			    -EINVAL;
		d->sector_size = (unsigned int)atoi(val);
	} else {
		return snprintf(err, n, "unknown disk setting '%s'", key), -EINVAL;
	}
	return 0;
}

int diskspec_parse(const char *spec, struct diskspec *d, char *err, size_t n)
{
	static const char *const positional[] = { "target", "format", "vdev", "access" };
	char item[600], *v;
	const char *p = spec, *comma;
	unsigned int pos = 0;
	size_t len;

	memset(d, 0, sizeof(*d));
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, "target=", 7) == 0) {	/* the rest, commas and all */
			if (set_item(d, "target", p + 7, err, n) < 0)
				return -EINVAL;
			break;
		}
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len >= sizeof(item))
			return snprintf(err, n, "disk setting too long"), -EINVAL;
		memcpy(item, p, len);
		item[len] = '\0';
		while (len > 0 && item[len - 1] == ' ')
			item[--len] = '\0';
		if ((v = strchr(item, '=')) != NULL) {
			*v++ = '\0';
			if (set_item(d, item, v, err, n) < 0)
				return -EINVAL;
		} else if (item[0] != '\0') {
			if (pos == sizeof(positional) / sizeof(positional[0]))
				return snprintf(err, n, "too many positional settings at '%s'",
				    item), -EINVAL;
			if (set_item(d, positional[pos], item, err, n) < 0)
				return -EINVAL;
		}
		pos++;
		p = comma != NULL ? comma + 1 : p + len;
	}
	if (d->target[0] == '\0')
		return snprintf(err, n, "no target (the image)"), -EINVAL;
	if (d->vdev[0] == '\0')
		return snprintf(err, n, "no vdev (e.g. vdev=xvda)"), -EINVAL;
	return 0;
}
