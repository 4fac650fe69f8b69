/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The switch's uplinks: TAP devices. The trunk uplink carries 802.1Q
 * tagged frames of the VLANs it allows, so the host (or a network
 * namespace it is moved into) reaches the guests on them; an access
 * uplink carries one VLAN untagged (for hosts whose kernel has no 802.1Q
 * support of its own).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "netback.h"

int nb_uplink_port = -1;
static struct nb_tap taps[NB_MAX_TAPS];
static unsigned int ntaps;
static uint64_t write_errors;

static void deliver_tap(struct sw_port *p, const uint8_t *f, size_t len, void *arg)
{
	struct nb_tap *t = arg;

	(void)p;
	/* EIO: the interface is down on the host's side; nobody listens. */
	if (write(t->fd, f, len) != (ssize_t)len && errno != EIO && write_errors++ < 10)
		log_warn("uplink %s: a frame could not be written", t->name);
}

/* The TAP up, so the host side may use it at once. */
static void link_up(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	str_copy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			log_warn("uplink %s: cannot bring it up", name);
	}
	close(s);
}

struct nb_tap *nb_tap_open(const char *name, bool trunk, const uint16_t *vlans,
    unsigned int n, int *err)
{
	static uint16_t all[SW_MAX_VID];
	struct sw_port_cfg c = { .trunk = trunk, .deliver = deliver_tap };
	struct nb_tap *t;
	struct ifreq ifr;
	unsigned int i;

	if (ntaps == NB_MAX_TAPS) {
		*err = -ENOSPC;
		return NULL;
	}
	t = &taps[ntaps];
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		*err = -errno;
		return NULL;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	str_copy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		*err = -errno;
		close(t->fd);
		return NULL;
	}
	str_copy(t->name, ifr.ifr_name, sizeof(t->name));
	if (trunk && n == 0) {
		for (i = 0; i < SW_MAX_VID; i++)
			all[i] = (uint16_t)(i + 1);
		vlans = all;
		n = SW_MAX_VID;
	}
	link_up(t->name);
	snprintf(c.name, sizeof(c.name), "%s", t->name);
	c.allowed = vlans;
	c.nallowed = n;
	c.vlan = !trunk && n > 0 ? vlans[0] : 0;
	c.arg = t;
	if ((t->port = sw_port_add(&nb_switch, &c)) < 0) {
		*err = t->port;
		close(t->fd);
		return NULL;
	}
	if (trunk)
		nb_uplink_port = t->port;
	ntaps++;
	return t;
}

bool nb_is_tap(const void *arg)
{
	return arg >= (const void *)taps && arg < (const void *)(taps + NB_MAX_TAPS);
}

void nb_tap_input(struct nb_tap *t)
{
	uint8_t f[SW_MAX_FRAME + SW_TAG_LEN + 64];
	unsigned int i;
	ssize_t n;

	for (i = 0; i < 64; i++) {
		n = read(t->fd, f, sizeof(f));
		if (n <= 0)
			break;
		sw_input(&nb_switch, t->port, f, (size_t)n, now_ns());
	}
	nb_rx_flush_all();
}
