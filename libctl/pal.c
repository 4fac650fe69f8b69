/* SPDX-License-Identifier: GPL-2.0-only */
/* pal: the administrator's command line. Commands and their help live in one table. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pal.h"

const struct pal_cmd pal_cmds[] = {
	{ "up", cmd_up, "up", "start palisade-hv and the dom0 daemons" },
	{ "down", cmd_down, "down", "destroy every domain and stop the daemons" },
	{ "create", cmd_create, "create [-c] [-p] CONFIG",
	  "create a domain from an xl.cfg file (-c: stay on its console until it "
	  "shuts down; -p: leave it paused)" },
	{ "list", cmd_list, "list [--type] [--label] [DOMAIN]",
	  "list domains (--type: pv, pvh or hvm; --label: their security labels)" },
	{ "info", cmd_info, "info", "show the hypervisor's state" },
	{ "pause", cmd_pause, "pause DOMAIN", "pause a domain" },
	{ "unpause", cmd_unpause, "unpause DOMAIN", "unpause a domain" },
	{ "shutdown", cmd_shutdown, "shutdown [-F] [-w] DOMAIN", "ask a domain to power off (-F: at once; -w: wait until it has gone)" },
	{ "reboot", cmd_reboot, "reboot [-F] [-w] DOMAIN", "ask a domain to reboot (-F: at once; -w: wait until it has gone)" },
	{ "mem-set", cmd_mem_set, "mem-set DOMAIN MEM",
	    "set a guest's memory target (MiB, or with t, g, m, k, b) for its balloon" },
	{ "vcpu-set", cmd_vcpu_set, "vcpu-set DOMAIN N", "have N of a guest's vCPUs online" },
	{ "destroy", cmd_destroy, "destroy [--purge-vtpm] DOMAIN",
	  "destroy a domain at once (--purge-vtpm: and delete its vTPM's state)" },
	{ "console", cmd_console, "console DOMAIN",
	  "attach to a domain's console (Ctrl-] detaches)" },
	{ "dmesg", cmd_dmesg, "dmesg", "print the hypervisor's log" },
	{ "policy", cmd_policy, "policy compile [-n] [-o OUT.bin] FILE.xml | "
	  "policy load [--force] FILE | policy show [FILE] | policy labels [FILE] | "
	  "policy diff [OLD] NEW",
	  "compile an XML ACM policy (-n: check only); load one (XML or binary) into "
	  "the hypervisor; show it, its labels, or what changes between two (the "
	  "loaded one by default)" },
	{ "label", cmd_label, "label add RESOURCE LABEL | label list | label rm RESOURCE",
	  "label a resource (file:/img, phy:/dev/x, vlan:N, vtpm:NAME) with a resource "
	  "label of the loaded policy ([ACM:POLICY:]LABEL), list, remove" },
	{ "audit", cmd_audit, "audit", "print the security audit log (denials)" },
	{ "block-attach", cmd_block_attach, "block-attach DOMAIN DISKSPEC",
	  "give a running domain a disk ('format=raw, vdev=xvdb, access=rw, "
	  "target=/img')" },
	{ "block-detach", cmd_block_detach, "block-detach [-f] DOMAIN VDEV",
	  "take a disk back once the domain let go of it (-f: at once)" },
	{ "block-list", cmd_block_list, "block-list DOMAIN", "list a domain's disks" },
	{ "network-attach", cmd_network_attach, "network-attach DOMAIN VIFSPEC",
	  "give a running domain a vif ('mac=00:16:3e:01:02:03, bridge=sw0, vlan=10')" },
	{ "network-detach", cmd_network_detach, "network-detach DOMAIN DEVID",
	  "take a vif away" },
	{ "network-list", cmd_network_list, "network-list DOMAIN",
	  "list a domain's vifs with their switch ports and counters" },
	{ "vtpm-attach", cmd_vtpm_attach, "vtpm-attach DOMAIN",
	  "give a running domain a vTPM (unmeasured: it was not there at launch)" },
	{ "vtpm-detach", cmd_vtpm_detach, "vtpm-detach DOMAIN", "take a domain's vTPM away" },
	{ "vtpm-list", cmd_vtpm_list, "vtpm-list DOMAIN", "a domain's vTPM: instance and states" },
	{ "switch", cmd_switch, "switch show",
	  "the VLAN switch: every port, its VLANs, counters and drops" },
	{ NULL, NULL, NULL, NULL },
};

int pal_err(const char *fmt, ...)
{
	va_list ap;

	fputs("pal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* The hypervisor, the domain's id, and the store (closed again on failure). */
int pal_open_both(const char *dom, struct palctl *c, uint32_t *domid,
    struct palctl_xs *x)
{
	int ret;

	if (pal_connect(c) < 0)
		return -1;
	ret = palctl_lookup(c, dom, domid);
	if (ret < 0) {
		palctl_close(c);
		return pal_err("%s: %s", dom, palctl_strerror(ret)), -1;
	}
	if (palctl_xs_open(x) < 0) {
		palctl_close(c);
		return pal_err("the store is not running (start it with 'pal up')"), -1;
	}
	return 0;
}

void pal_close_both(struct palctl *c, struct palctl_xs *x)
{
	palctl_xs_close(x);
	palctl_close(c);
}

const char *pal_state_name(const char *s)
{
	static const char *const names[] = { "unknown", "initialising", "initwait",
	    "initialised", "connected", "closing", "closed" };
	char *end;
	long v = strtol(s, &end, 10);

	return *s != '\0' && *end == '\0' && v >= 0 && v <= 6 ? names[v] : "-";
}

void pal_read_or_dash(struct palctl_xs *x, char *buf, size_t n, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (palctl_xs_read(x, path, buf, n) < 0)
		snprintf(buf, n, "-");
}

int pal_connect(struct palctl *c)
{
	int ret = palctl_open(c);

	if (ret < 0)
		return pal_err("%s", palctl_strerror(ret)), ret;
	return 0;
}

void pal_usage_of(const char *name)
{
	const struct pal_cmd *p;

	for (p = pal_cmds; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			fprintf(stderr, "usage: pal %s\n", p->usage);
}

static void usage(FILE *f)
{
	const struct pal_cmd *p;

	fprintf(f, "usage: pal COMMAND [ARGS]\n\ncommands:\n");
	for (p = pal_cmds; p->name != NULL; p++)
		fprintf(f, "  %-28s %s\n", p->usage, p->help);
	fprintf(f, "\nPALISADE_RUNDIR selects the run directory (default %s).\n",
	    CTL_DEFAULT_RUNDIR);
}

int main(int argc, char **argv)
{
	const struct pal_cmd *p, *match = NULL;
	size_t len;
	int n = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	/* An exact name or a unique prefix picks the command. */
	len = strlen(argv[1]);
	for (p = pal_cmds; p->name != NULL; p++) {
		if (strcmp(p->name, argv[1]) == 0) {
			match = p;
			n = 1;
			break;
		}
		if (strncmp(p->name, argv[1], len) == 0) {
			match = p;
			n++;
		}
	}
	if (n != 1)
		return pal_err("%s command '%s' (try 'pal help')",
		    n == 0 ? "unknown" : "ambiguous", argv[1]) + 1;
	return match->fn(argc - 1, argv + 1);
}
