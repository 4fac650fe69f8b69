/* SPDX-License-Identifier: GPL-2.0-only */
/* pal block-attach, block-detach, block-list: a running domain's disks. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pal.h"

int cmd_block_attach(int argc, char **argv)
{
	struct diskspec d;
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid;
	char err[512];
	int ret;

	if (argc != 3)
		return pal_usage_of("block-attach"), 2;
	if (diskspec_parse(argv[2], &d, err, sizeof(err)) < 0)
		return pal_err("disk '%s': %s", argv[2], err);
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	ret = pal_disk_attach(&c, &x, domid, &d, err, sizeof(err));
	pal_close_both(&c, &x);
	if (ret < 0)
		return pal_err("%s", err);
	printf("attached %s to domain %u\n", d.vdev, domid);
	return 0;
}

int cmd_block_detach(int argc, char **argv)
{
	bool force = argc == 4 && strcmp(argv[1], "-f") == 0;
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid, devid;
	char err[256];
	int ret;

	if (argc != 3 + force)
		return pal_usage_of("block-detach"), 2;
	if (vdev_to_devid(argv[2 + force], &devid) < 0)
		return pal_err("bad vdev '%s' (xvda, hdb, sdc2, or a number)", argv[2 + force]);
	if (pal_open_both(argv[1 + force], &c, &domid, &x) < 0)
		return 1;
	ret = pal_disk_detach(&x, domid, devid, force, err, sizeof(err));
	pal_close_both(&c, &x);
	if (ret < 0)
		return pal_err("%s", err);
	printf("detached %s from domain %u\n", argv[2 + force], domid);
	return 0;
}

int cmd_block_list(int argc, char **argv)
{
	char path[96], *ids = NULL, dev[32], mode[8], params[1024], be[16], fe[16];
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid;
	const char *id;
	int n, i;

	if (argc != 2)
		return pal_usage_of("block-list"), 2;
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u", domid);
	n = palctl_xs_children(&x, path, &ids);
	printf("%-8s %-10s %-6s %-13s %-13s %s\n", "Vdev", "Devid", "Access", "Backend",
	    "Frontend", "Target");
	for (i = 0, id = ids; i < n; i++, id += strlen(id) + 1) {
		pal_read_or_dash(&x, dev, sizeof(dev), "%s/%s/dev", path, id);
		pal_read_or_dash(&x, mode, sizeof(mode), "%s/%s/mode", path, id);
		pal_read_or_dash(&x, params, sizeof(params), "%s/%s/params", path, id);
		pal_read_or_dash(&x, be, sizeof(be), "%s/%s/state", path, id);
		pal_read_or_dash(&x, fe, sizeof(fe), "/local/domain/%u/device/vbd/%s/state",
		    domid, id);
		printf("%-8s %-10s %-6s %-13s %-13s %s\n", dev, id,
		    strcmp(mode, "w") == 0 ? "rw" : "ro", pal_state_name(be), pal_state_name(fe), params);
	}
	free(ids);
	pal_close_both(&c, &x);
	return 0;
}
