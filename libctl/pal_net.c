/* SPDX-License-Identifier: GPL-2.0-only */
/* pal network-attach, -detach, -list, pal switch show: vifs and the switch. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pal.h"

int cmd_network_attach(int argc, char **argv)
{
	struct vifspec v;
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid, devid;
	char err[CTL_ERROR_LEN + 64], p[96], s[16];
	int ret;

	if (argc != 3)
		return pal_usage_of("network-attach"), 2;
	if (vifspec_parse(argv[2], &v, err, sizeof(err)) < 0)
		return pal_err("vif '%s': %s", argv[2], err);
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	for (devid = 0; devid < 64; devid++) {	/* the first free number */
		snprintf(p, sizeof(p), "/local/domain/%u/device/vif/%u", domid, devid);
		if (palctl_xs_read(&x, p, s, sizeof(s)) < 0)
			break;
	}
	ret = pal_vif_attach(&c, &x, domid, devid, &v, err, sizeof(err));
	pal_close_both(&c, &x);
	if (ret < 0)
		return pal_err("%s", err);
	printf("attached vif %u (%02x:%02x:%02x:%02x:%02x:%02x) to domain %u\n", devid,
	    v.mac[0], v.mac[1], v.mac[2], v.mac[3], v.mac[4], v.mac[5], domid);
	return 0;
}

int cmd_network_detach(int argc, char **argv)
{
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid;
	char err[256], *end;
	unsigned long devid;
	int ret;

	if (argc != 3)
		return pal_usage_of("network-detach"), 2;
	devid = strtoul(argv[2], &end, 10);
	if (*end != '\0' || argv[2][0] == '\0')
		return pal_err("bad vif number '%s'", argv[2]);
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	ret = pal_vif_detach(&x, domid, (uint32_t)devid, err, sizeof(err));
	pal_close_both(&c, &x);
	if (ret < 0)
		return pal_err("%s", err);
	printf("detached vif %lu from domain %u\n", devid, domid);
	return 0;
}

/* The domain's vifs from the store, then their switch ports. */
int cmd_network_list(int argc, char **argv)
{
	char dir[96], *ids = NULL, mac[32], vlan[64], trunk[256], be[16], fe[16], p[128];
	char req[32];
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid;
	const char *id;
	int n, i;

	if (argc != 2)
		return pal_usage_of("network-list"), 2;
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vif/%u", domid);
	snprintf(p, sizeof(p), "/local/domain/%u/device/vif", domid);
	n = palctl_xs_children(&x, dir, &ids);
	printf("%-6s %-17s %-16s %-13s %s\n", "Devid", "MAC", "VLAN", "Backend", "Frontend");
	for (i = 0, id = ids; i < n; i++, id += strlen(id) + 1) {
		pal_read_or_dash(&x, mac, sizeof(mac), "%s/%s/mac", dir, id);
		pal_read_or_dash(&x, vlan, sizeof(vlan), "%s/%s/vlan", dir, id);
		pal_read_or_dash(&x, trunk, sizeof(trunk), "%s/%s/trunk", dir, id);
		pal_read_or_dash(&x, be, sizeof(be), "%s/%s/state", dir, id);
		pal_read_or_dash(&x, fe, sizeof(fe), "%s/%s/state", p, id);
		if (strcmp(trunk, "-") != 0)
			snprintf(vlan, sizeof(vlan), "trunk:%.50s", trunk);
		printf("%-6s %-17s %-16s %-13s %s\n", id, mac, vlan, pal_state_name(be), pal_state_name(fe));
	}
	free(ids);
	pal_close_both(&c, &x);
	snprintf(req, sizeof(req), "list %u", domid);
	printf("\n");
	if (pal_netback_query(req, stdout) < 0)
		return pal_err("palnetback is not running (start it with 'pal up')");
	return 0;
}

int cmd_switch(int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "show") != 0)
		return pal_usage_of("switch"), 2;
	if (pal_netback_query("show", stdout) < 0)
		return pal_err("palnetback is not running (start it with 'pal up')");
	return 0;
}

/* --- vTPMs ------------------------------------------------------------------ */

int cmd_vtpm_attach(int argc, char **argv)
{
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid;
	char err[CTL_ERROR_LEN + 64];
	int ret;

	if (argc != 2)
		return pal_usage_of("vtpm-attach"), 2;
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	ret = pal_vtpm_attach(&c, &x, domid, NULL, err, sizeof(err));
	pal_close_both(&c, &x);
	if (ret < 0)
		return pal_err("%s", err);
	printf("attached a vTPM to domain %u\n", domid);
	return 0;
}

int cmd_vtpm_detach(int argc, char **argv)
{
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid;
	char p[96], v[16];
	int ret;

	if (argc != 2)
		return pal_usage_of("vtpm-detach"), 2;
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	snprintf(p, sizeof(p), "/local/domain/0/backend/vtpm/%u/0/state", domid);
	ret = palctl_xs_read(&x, p, v, sizeof(v)) < 0 ? -ENOENT :
	    palctl_xs_dev_remove(&x, "vtpm", domid, 0, 0);
	pal_close_both(&c, &x);
	if (ret < 0)
		return pal_err("domain %u: %s", domid, ret == -ENOENT ? "it has no vTPM" :
		    strerror(-ret));
	printf("detached the vTPM of domain %u\n", domid);
	return 0;
}

int cmd_vtpm_list(int argc, char **argv)
{
	char dir[96], inst[80], be[16], fe[16], meas[320];
	struct palctl_xs x;
	struct palctl c;
	uint32_t domid;

	if (argc != 2)
		return pal_usage_of("vtpm-list"), 2;
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vtpm/%u/0", domid);
	pal_read_or_dash(&x, inst, sizeof(inst), "%s/instance", dir);
	pal_read_or_dash(&x, be, sizeof(be), "%s/state", dir);
	pal_read_or_dash(&x, fe, sizeof(fe), "/local/domain/%u/device/vtpm/0/state", domid);
	pal_read_or_dash(&x, meas, sizeof(meas), "%s/measurements", dir);
	pal_close_both(&c, &x);
	printf("%-6s %-24s %-13s %-13s %s\n", "Devid", "Instance", "Backend", "Frontend",
	    "Measured");
	if (strcmp(be, "-") != 0)
		printf("%-6s %-24s %-13s %-13s %s\n", "0", inst, pal_state_name(be),
		    pal_state_name(fe), meas[0] && strcmp(meas, "-") ? "yes" : "no");
	return 0;
}
