/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palnetback: the network backend and the VLAN switch in one process. One
 * thread, one epoll: the store, every vif's event channel, the uplink TAP
 * and a status socket in the run directory (what pal switch show and pal
 * network-list read). Killed and started again, it finds its vifs in the
 * store and their frontends connect again.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "netback.h"

#define SOCKET_NAME "palnetback.sock"

struct palctl nb_ctl;
struct sw_switch nb_switch;
static struct xb_backend backend;
static const char *uplink_name;
static int ep = -1;
static volatile sig_atomic_t stopping;
static int tag_store, tag_listen;	/* their addresses tag epoll events */
static struct nb_tap *access_taps[NB_MAX_TAPS];

int nb_poll_add(int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void nb_poll_del(int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
}

struct nb_vif *nb_backend_dev(unsigned int i)
{
	return i < XB_MAX_DEVS && backend.dev[i].used ? backend.dev[i].priv : NULL;
}

void nb_show(FILE *f, int domid)
{
	unsigned int i, d, used = 0;

	for (i = 0; i < SW_MAX_PORTS; i++)
		used += nb_switch.port[i].used;
	if (domid < 0)
		fprintf(f, "switch %s: %u ports, uplink %s, %u addresses learnt\n",
		    nb_switch.name, used, uplink_name, nb_switch.nmacs);
	fprintf(f, "%-12s %-17s %-14s %10s %10s %10s %10s %8s\n", "port", "mac", "vlan",
	    "in", "in-bytes", "out", "out-bytes", "dropped");
	for (i = 0; i < SW_MAX_PORTS; i++) {
		const struct sw_port *p = &nb_switch.port[i];
		const struct nb_vif *v = !nb_is_tap(p->cfg.arg) ? p->cfg.arg : NULL;
		char vl[96], mac[24] = "-";
		uint64_t dropped = 0;

		if (!p->used || (domid >= 0 && (v == NULL || (int)v->xb->fe != domid)))
			continue;
		for (d = 0; d < SW_DROP_MAX; d++)
			dropped += p->c.drops[d];
		if (v != NULL)
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0],
			    v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
		sw_port_vlans(p, vl, sizeof(vl));
		if (strlen(vl) > 14)
			snprintf(vl + 11, sizeof(vl) - 11, "...");
		fprintf(f, "%-12s %-17s %-14s %10llu %10llu %10llu %10llu %8llu\n", p->cfg.name,
		    mac, vl, (unsigned long long)p->c.in_frames,
		    (unsigned long long)p->c.in_bytes, (unsigned long long)p->c.out_frames,
		    (unsigned long long)p->c.out_bytes, (unsigned long long)dropped);
		for (d = 0; d < SW_DROP_MAX; d++)
			if (p->c.drops[d] != 0)
				fprintf(f, "  dropped %s: %llu\n", sw_drop_name(d),
				    (unsigned long long)p->c.drops[d]);
		if (v != NULL && (v->malformed || v->no_rx_buffer || v->copy_errors))
			fprintf(f, "  malformed transmits: %llu, no receive buffer: %llu, copy "
			    "errors: %llu\n", (unsigned long long)v->malformed,
			    (unsigned long long)v->no_rx_buffer, (unsigned long long)v->copy_errors);
	}
}

/* A request line ("show", or "list DOMID"), the answer, goodbye. */
static void answer(int lfd)
{
	char line[64] = "";
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), domid = -1;
	ssize_t n;
	FILE *f;

	if (fd < 0)
		return;
	n = read(fd, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	if (strncmp(line, "list ", 5) == 0)
		domid = atoi(line + 5);
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return;
	}
	nb_show(f, domid);
	fclose(f);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: palnetback [-d] [-f] [-r rundir] [-s switch] [-u uplink] "
	    "[-t vlans] [-a vlans]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static uint16_t vlans[SW_MAX_VID], access[NB_MAX_TAPS];
	struct epoll_event evs[64];
	bool foreground = false, debug = getenv("PALNETBACK_DEBUG") != NULL;
	const char *swname = "sw0", *uplink = NULL;
	char tapname[16];
	unsigned int nvlans = 0, naccess = 0, j;
	struct nb_tap *trunk;
	bool pending = false;
	int c, n, i, ret, lfd, k;

	while ((c = getopt(argc, argv, "dfr:s:u:t:a:")) != -1) {
		switch (c) {
		case 'd': debug = true; break;
		case 'f': foreground = true; break;
		case 'r': setenv("PALISADE_RUNDIR", optarg, 1); break;
		case 's': swname = optarg; break;
		case 'u': uplink = optarg; break;
		case 't':
			if ((k = sw_parse_vlans(optarg, vlans, SW_MAX_VID)) < 0) {
				fprintf(stderr, "palnetback: -t %s: VLANs 1-4094, comma-separated\n",
				    optarg);
				return 2;
			}
			nvlans = (unsigned int)k;
			break;
		case 'a':
			if ((k = sw_parse_vlans(optarg, access, NB_MAX_TAPS - 1)) < 0) {
				fprintf(stderr, "palnetback: -a %s: up to %d VLANs, 1-4094\n",
				    optarg, NB_MAX_TAPS - 1);
				return 2;
			}
			naccess = (unsigned int)k;
			break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (log_open_rundir("palnetback", debug) < 0)
		return 1;
	sw_init(&nb_switch, swname);
	if (uplink == NULL) {	/* a run directory of its own gets a TAP of its own */
		uint32_t h = 2166136261u;
		const char *r;

		for (r = rundir_get(); *r != '\0'; r++)
			h = (h ^ (uint8_t)*r) * 16777619u;
		if (strcmp(rundir_get(), CTL_DEFAULT_RUNDIR) == 0)
			snprintf(tapname, sizeof(tapname), "palsw0");
		else
			snprintf(tapname, sizeof(tapname), "palsw%05x", h & 0xfffff);
		uplink = tapname;
	}
	if ((ret = palctl_open(&nb_ctl)) < 0) {
		fprintf(stderr, "palnetback: palisade-hv: %s\n", palctl_strerror(ret));
		return 1;
	}
	if ((ret = nb_buffer_init()) < 0) {
		fprintf(stderr, "palnetback: frame buffer: %s\n", palctl_strerror(ret));
		return 1;
	}
	if ((trunk = nb_tap_open(uplink, true, vlans, nvlans, &ret)) == NULL) {
		fprintf(stderr, "palnetback: uplink TAP %s: %s\n", uplink, strerror(-ret));
		return 1;
	}
	for (j = 0; j < naccess; j++) {
		char name[32];

		snprintf(name, sizeof(name), "%.10s.%u", uplink, access[j]);
		if ((access_taps[j] = nb_tap_open(name, false, &access[j], 1, &ret)) == NULL) {
			fprintf(stderr, "palnetback: access TAP %s: %s\n", name, strerror(-ret));
			return 1;
		}
	}
	if ((lfd = xb_backend_serve(&backend, &nb_xb_ops, "palnetback", SOCKET_NAME,
	    foreground)) < 0)
		return 1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || nb_poll_add(xb_backend_fd(&backend), &tag_store) < 0 ||
	    nb_poll_add(trunk->fd, trunk) < 0 || nb_poll_add(lfd, &tag_listen) < 0)
		fatal("epoll");
	for (j = 0; j < naccess; j++)
		if (nb_poll_add(access_taps[j]->fd, access_taps[j]) < 0)
			fatal("epoll");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pidfile_write("palnetback");
	uplink_name = uplink;
	log_info("palnetback ready: switch %s, uplink %s", swname, uplink);
	xb_backend_poll(&backend, 0);	/* vifs there before us */
	while (!stopping) {
		bool vifs = pending;

		n = epoll_wait(ep, evs, 64, pending ? 0 : 1000);
		if (n < 0 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &tag_store) {
				xb_backend_poll(&backend, 0);
			} else if (nb_is_tap(p)) {
				nb_tap_input(p);
			} else if (p == &tag_listen) {
				answer(lfd);
			} else {
				struct nb_vif *v = p;

				if (v->bound)
					palctl_evtchn_wait(&v->ev, 0);
				vifs = true;
			}
		}
		pending = vifs && nb_round();
	}
	log_info("palnetback stopping");
	xb_backend_close(&backend);
	palctl_close(&nb_ctl);
	return 0;
}
