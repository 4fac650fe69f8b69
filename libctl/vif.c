/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual network interfaces: xl's vif specification ("mac=00:16:3e:..,
 * bridge=sw0, vlan=10, rate=10Mb/s"), plus "trunk=10,20" (the numbers
 * after trunk= are its VLANs), and offering one to a domain for
 * palnetback, after asking the security policy about its VLANs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"

#define NETBACK_SOCKET "palnetback.sock"

static void trim(char *s)
{
	char *e = s + strlen(s), *b = s;

	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	while (*b == ' ' || *b == '\t')
		b++;
	memmove(s, b, strlen(b) + 1);
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6], i;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2],
	    &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return (mac[0] & 1) ? -1 : 0;
}

/* xl's rate: "10Mb/s", "1Gb/s", "500kB/s" (b bits, B bytes): bits/s. */
static int parse_rate(const char *s, uint64_t *bps)
{
	char *end;
	double v = strtod(s, &end);
	double mult = 1;

	if (end == s || v <= 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1e3, end++;
	else if (*end == 'M')
		mult = 1e6, end++;
	else if (*end == 'G')
		mult = 1e9, end++;
	if (*end == 'B')
		mult *= 8, end++;
	else if (*end == 'b')
		end++;
	else
		return -1;
	if (strcmp(end, "/s") != 0)
		return -1;
	*bps = (uint64_t)(v * mult);
	return *bps > 0 ? 0 : -1;
}

static bool vlan_ok(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	return *s != '\0' && *end == '\0' && v >= 1 && v <= 4094;
}

int vifspec_parse(const char *spec, struct vifspec *v, char *err, size_t n)
{
	char copy[512], *item, *save = NULL;
	bool in_trunk = false;

	memset(v, 0, sizeof(*v));
	snprintf(v->bridge, sizeof(v->bridge), "sw0");
	if (strlen(spec) >= sizeof(copy))
		return snprintf(err, n, "too long"), -EINVAL;
	str_copy(copy, spec, sizeof(copy));
	for (item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		char *eq;

		trim(item);
		if (item[0] == '\0')
			continue;
		if (in_trunk && vlan_ok(item)) {
			size_t used = strlen(v->trunk);

			snprintf(v->trunk + used, sizeof(v->trunk) - used, ",%s", item);
			continue;
		}
		in_trunk = false;
		if ((eq = strchr(item, '=')) == NULL)
			return snprintf(err, n, "'%s' is not key=value", item), -EINVAL;
		*eq++ = '\0';
		trim(item);
		trim(eq);
		if (strcmp(item, "mac") == 0) {
			if (parse_mac(eq, v->mac) < 0)
				return snprintf(err, n, "mac '%s' is not a unicast MAC address "
				    "(00:16:3e:xx:xx:xx)", eq), -EINVAL;
			v->has_mac = true;
		} else if (strcmp(item, "bridge") == 0) {
			if (eq[0] == '\0' || strlen(eq) >= sizeof(v->bridge))
				return snprintf(err, n, "bad bridge '%s'", eq), -EINVAL;
			str_copy(v->bridge, eq, sizeof(v->bridge));
		} else if (strcmp(item, "vlan") == 0) {
			if (!vlan_ok(eq))
				return snprintf(err, n, "vlan '%s' is not 1-4094", eq), -EINVAL;
			v->vlan = (uint16_t)atoi(eq);
		} else if (strcmp(item, "trunk") == 0) {
			if (!vlan_ok(eq))
				return snprintf(err, n, "trunk VLAN '%s' is not 1-4094", eq), -EINVAL;
			str_copy(v->trunk, eq, sizeof(v->trunk));
			in_trunk = true;
		} else if (strcmp(item, "rate") == 0) {
			if (parse_rate(eq, &v->rate_bps) < 0)
				return snprintf(err, n, "rate '%s' is not like 10Mb/s", eq), -EINVAL;
		} else if (strcmp(item, "model") == 0 || strcmp(item, "type") == 0 ||
		    strcmp(item, "script") == 0) {
			continue;	/* xl's, meaningless here */
		} else {
			return snprintf(err, n, "unknown vif setting '%s'", item), -EINVAL;
		}
	}
	if (v->vlan != 0 && v->trunk[0] != '\0')
		return snprintf(err, n, "vlan= and trunk= together"), -EINVAL;
	if (v->vlan == 0 && v->trunk[0] == '\0')
		v->vlan = 1;
	return 0;
}

/* xl's way: 00:16:3e and three random bytes. */
static void random_mac(uint8_t *mac)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	if (fd < 0 || read(fd, mac + 3, 3) != 3) {
		uint64_t t = now_ns();

		memcpy(mac + 3, &t, 3);
	}
	if (fd >= 0)
		close(fd);
	mac[3] &= 0x7f;
}

int pal_vif_attach(struct palctl *c, struct palctl_xs *x, uint32_t domid, uint32_t devid,
    struct vifspec *v, char *err, size_t n)
{
	char p[128], s[16], mac[48], handle[32], bridge[64], vl[300], rate[48], macf[40];
	char why[CTL_ERROR_LEN];
	const char *list = v->trunk[0] ? v->trunk : NULL;
	int ret;

	snprintf(p, sizeof(p), "/local/domain/%u/device/vif/%u", domid, devid);
	if (palctl_xs_read(x, p, s, sizeof(s)) == 0)
		return snprintf(err, n, "domain %u already has vif %u", domid, devid), -EBUSY;
	if (!rundir_answers(NETBACK_SOCKET))
		return snprintf(err, n, "palnetback is not running (start it with 'pal up')"),
		    -ENOTCONN;
	/* Every VLAN the port would carry, asked before the backend asks. */
	{
		char copy[sizeof(v->trunk)], *item, *save = NULL;

		snprintf(copy, sizeof(copy), "%s", list != NULL ? list : "");
		if (list == NULL)
			snprintf(copy, sizeof(copy), "%u", v->vlan);
		for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
			char res[24];

			snprintf(res, sizeof(res), "vlan:%s", item);
			if ((ret = palctl_resource_allowed(c, CTL_ASK_VLAN, domid, res, why,
			    sizeof(why))) < 0)
				return snprintf(err, n, "vif %u: %s", devid, why), ret;
		}
	}
	if (!v->has_mac) {
		random_mac(v->mac);
		v->has_mac = true;
	}
	snprintf(macf, sizeof(macf), "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0], v->mac[1],
	    v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
	snprintf(mac, sizeof(mac), "mac=%s", macf);
	snprintf(handle, sizeof(handle), "handle=%u", devid);
	snprintf(bridge, sizeof(bridge), "bridge=%s", v->bridge);
	if (list != NULL)
		snprintf(vl, sizeof(vl), "trunk=%s", list);
	else
		snprintf(vl, sizeof(vl), "vlan=%u", v->vlan);
	snprintf(rate, sizeof(rate), "rate-bps=%llu", (unsigned long long)v->rate_bps);
	{
		const char *const fe_kv[] = { mac, handle, NULL };
		const char *const be_kv[] = { mac, handle, bridge, vl, rate, NULL };

		ret = palctl_xs_dev_add(x, "vif", domid, 0, devid, fe_kv, be_kv);
	}
	if (ret < 0)
		snprintf(err, n, "vif %u: the store: %s", devid, strerror(-ret));
	return ret;
}

int pal_vif_detach(struct palctl_xs *x, uint32_t domid, uint32_t devid, char *err, size_t n)
{
	char p[128], v[16];
	int ret;

	snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%u/%u/online", domid, devid);
	if (palctl_xs_read(x, p, v, sizeof(v)) < 0)
		return snprintf(err, n, "domain %u has no vif %u", domid, devid), -ENOENT;
	ret = palctl_xs_dev_remove(x, "vif", domid, 0, devid);
	if (ret < 0)
		snprintf(err, n, "vif %u: the store: %s", devid, strerror(-ret));
	return ret;
}

int pal_netback_query(const char *request, FILE *out)
{
	char buf[4096];
	ssize_t got;
	int fd = rundir_connect(NETBACK_SOCKET, SOCK_STREAM);

	if (fd < 0)
		return -ENOTCONN;
	if (write(fd, request, strlen(request)) < 0) {
		close(fd);
		return -errno;
	}
	shutdown(fd, SHUT_WR);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)got, out);
	close(fd);
	return 0;
}
