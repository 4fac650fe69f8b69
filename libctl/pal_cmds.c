/* SPDX-License-Identifier: GPL-2.0-only */
/* pal's commands. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "pal.h"

/* Our daemons sit beside pal (build tree) or in ../sbin (installed). */
static int find_daemon(const char *name, char *out, size_t n)
{
	char self[PATH_MAX], *dir;
	ssize_t r = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (r > 0) {
		self[r] = '\0';
		dir = dirname(self);
		snprintf(out, n, "%s/%s", dir, name);
		if (access(out, X_OK) == 0)
			return 0;
		snprintf(out, n, "%s/../sbin/%s", dir, name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	snprintf(out, n, "%s", name);
	return 0;
}

static int run_daemon(const char *name, const char *arg)
{
	char path[PATH_MAX];
	pid_t pid;
	int st;

	find_daemon(name, path, sizeof(path));
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp(path, name, arg, (char *)NULL);
		fprintf(stderr, "pal: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	/* The daemons fork themselves once they are listening. */
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -EIO;
	return 0;
}

/* A dom0 daemon, unless one answers on its socket already (a pid file can
 * outlive its daemon, and a killed one can linger as a zombie). */
static int start_once(const char *name, const char *sock)
{
	return rundir_answers(sock) ? 0 : run_daemon(name, NULL);
}

int cmd_up(int argc, char **argv)
{
	struct palctl c;

	(void)argv;
	if (argc != 1)
		return pal_usage_of("up"), 2;
	if (access("/dev/kvm", R_OK | W_OK) != 0)
		return pal_err("/dev/kvm missing or not accessible: this host cannot "
		    "run palisade-hv (%s)", strerror(errno));
	if (palctl_open(&c) == 0) {
		palctl_close(&c);
		printf("palisade-hv already running in %s\n", rundir_get());
	} else if (run_daemon("palisade-hv", NULL) < 0) {
		return pal_err("palisade-hv failed to start (see its log in %s)",
		    rundir_get());
	}
	if (start_once("palstored", "palstored.sock") < 0)
		return pal_err("palstored failed to start (see its log in %s)", rundir_get());
	if (start_once("palconsoled", CONS_SOCKET) < 0)
		return pal_err("palconsoled failed to start");
	if (start_once("palblkback", "palblkback.sock") < 0)
		return pal_err("palblkback failed to start (see its log in %s)", rundir_get());
	if (start_once("palvtpmd", "palvtpmd.sock") < 0)
		return pal_err("palvtpmd failed to start (see its log in %s)", rundir_get());
	if (start_once("palnetback", "palnetback.sock") < 0)
		return pal_err("palnetback failed to start (see its log in %s; it needs "
		    "/dev/net/tun and CAP_NET_ADMIN for its uplink)", rundir_get());
	printf("palisade up: run directory %s\n", rundir_get());
	return 0;
}

static void stop_daemon(const char *name)
{
	int pid = pidfile_read(name), i;

	if (pid <= 0 || kill(pid, SIGTERM) < 0)
		return;
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
		sleep_ms(20);
}

int cmd_down(int argc, char **argv)
{
	struct ctl_getinfo_req q = { 0, CTL_INFO_MAX };
	struct palctl c;
	struct ctl_msg rep;
	uint32_t i;

	(void)argv;
	if (argc != 1)
		return pal_usage_of("down"), 2;
	if (palctl_open(&c) == 0) {
		while (palctl_call(&c, CTL_DOMAIN_GETINFO, &q, sizeof(q), &rep, NULL,
		    NULL) == 0 && rep.u.info.count > 0 && rep.u.info.count <= CTL_INFO_MAX)
			for (i = 0; i < rep.u.info.count; i++)
				palctl_domid_op(&c, CTL_DOMAIN_DESTROY,
				    rep.u.info.dom[i].domid, 0);
		palctl_close(&c);
	}
	stop_daemon("palnetback");
	stop_daemon("palvtpmd");
	stop_daemon("palblkback");
	stop_daemon("palconsoled");
	stop_daemon("palstored");
	stop_daemon("palisade-hv");
	printf("palisade down\n");
	return 0;
}

/* Run the monitor detached, as xl does, so on_* actions apply after we exit. */
static void spawn_monitor(const struct domcfg *cfg, struct pal_domain *pd)
{
	struct palctl c;
	pid_t pid = fork();
	int fd;

	if (pid != 0) {
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (palctl_open(&c) < 0)
		_exit(1);
	_exit(pal_monitor(&c, cfg, pd, -1));
}

int cmd_create(int argc, char **argv)
{
	bool console = false, paused = false;
	struct domcfg cfg;
	struct pal_domain pd;
	struct xlcfg x;
	struct palctl c;
	char err[512];
	int opt, ret, cfd = -1;

	optind = 1;
	while ((opt = getopt(argc, argv, "cp")) != -1) {
		if (opt == 'c')
			console = true;
		else if (opt == 'p')
			paused = true;
		else
			return pal_usage_of("create"), 2;
	}
	if (optind != argc - 1)
		return pal_usage_of("create"), 2;
	if (xlcfg_parse_file(&x, argv[optind]) < 0)
		return pal_err("%s", x.err);
	ret = domcfg_from_xlcfg(&cfg, &x, argv[optind]);
	xlcfg_free(&x);
	if (ret < 0)
		return pal_err("%s", x.err);
	if (pal_connect(&c) < 0)
		return 1;
	if (pal_domain_start(&c, &cfg, &pd, err, sizeof(err)) < 0)
		return pal_err("%s", err);
	if (cons_attach(&pd, cfg.name, err, sizeof(err)) < 0) {
		palctl_domid_op(&c, CTL_DOMAIN_DESTROY, pd.domid, 0);
		return pal_err("%s", err);
	}
	if (console && (cfd = cons_connect(pd.domid)) < 0) {
		palctl_domid_op(&c, CTL_DOMAIN_DESTROY, pd.domid, 0);
		return pal_err("cannot attach to the console of domain %u", pd.domid);
	}
	if (!paused && (ret = palctl_domid_op(&c, CTL_DOMAIN_UNPAUSE, pd.domid, 0)) < 0)
		return pal_err("unpause: %s", palctl_why(&c, ret));
	if (console)
		return pal_monitor(&c, &cfg, &pd, cfd);
	printf("Created domain %s (id %u)%s\n", cfg.name, pd.domid,
	    paused ? ", paused" : "");
	fflush(stdout);
	palctl_close(&c);
	spawn_monitor(&cfg, &pd);
	return 0;
}

static char state_letter(uint32_t s)
{
	switch (s) {
	case CTL_DOM_RUNNING: return 'r';
	case CTL_DOM_BLOCKED: return 'b';
	case CTL_DOM_PAUSED: return 'p';
	case CTL_DOM_SHUTDOWN: return 's';
	case CTL_DOM_DYING: return 'd';
	default: return '-';
	}
}

static const char *type_name(uint32_t type)
{
	return type == CTL_DOM_HVM ? "hvm" : type == CTL_DOM_PVH ? "pvh" : "pv";
}

/* With the policy's name: the label column (ACM:POLICY:LABEL); with
 * types, the type column before it. */
static void print_dom(const struct ctl_domain_info *d, const char *policy, bool types)
{
	char name[CTL_NAME_LEN + 1], label[ACMPOL_NAME_LEN + 1];

	str_copy(name, d->name, sizeof(name));
	str_copy(label, d->label, sizeof(label));
	printf("%-24s %5u %7llu %5u     %c %10.1f", name, d->domid,
	    (unsigned long long)(d->mem_kb / 1024), d->vcpus_online, state_letter(d->state),
	    d->cpu_time_ns / 1e9);
	if (types)
		printf("  %-4s", d->domid == 0 ? "-" : type_name(d->type));
	if (policy == NULL)
		printf("\n");
	else if (policy[0] == '\0')
		printf("  -\n");
	else
		printf("  ACM:%s:%s\n", policy, d->domid == 0 ? "(bootstrap)" :
		    label[0] ? label : ACMPOL_UNLABELED);
}

int cmd_list(int argc, char **argv)
{
	struct ctl_getinfo_req q = { 0, CTL_INFO_MAX };
	struct ctl_domain_info info;
	struct ctl_msg rep;
	struct palctl c;
	char policy[sizeof(rep.u.req.xsm.policy) + 1];
	const char *with = NULL;
	bool types = false;
	uint32_t i, domid;
	int ret;

	while (argc >= 2 && (strcmp(argv[1], "--label") == 0 || strcmp(argv[1], "--type") == 0)) {
		if (argv[1][2] == 'l')
			with = policy;
		else
			types = true;
		argv++;
		argc--;
	}
	if (argc > 2)
		return pal_usage_of("list"), 2;
	if (pal_connect(&c) < 0)
		return 1;
	if (with != NULL) {
		ret = palctl_call(&c, CTL_XSM_INFO, NULL, 0, &rep, NULL, NULL);
		if (ret < 0)
			return pal_err("%s", palctl_strerror(ret));
		str_copy(policy, rep.u.req.xsm.policy, sizeof(policy));
	}
	printf("%-24s %5s %7s %5s %5s %10s%s%s\n", "Name", "ID", "Mem", "VCPUs",
	    "State", "Time(s)", types ? "  Type" : "", with != NULL ? "  Label" : "");
	if (argc == 2) {
		ret = palctl_lookup(&c, argv[1], &domid);
		if (ret == 0)
			ret = palctl_domain_info(&c, domid, &info);
		if (ret < 0)
			return pal_err("%s: %s", argv[1], palctl_strerror(ret));
		print_dom(&info, with, types);
		return 0;
	}
	for (;;) {
		ret = palctl_call(&c, CTL_DOMAIN_GETINFO, &q, sizeof(q), &rep, NULL, NULL);
		if (ret < 0)
			return pal_err("%s", palctl_strerror(ret));
		if (rep.u.info.count > CTL_INFO_MAX)
			return pal_err("bad reply from the hypervisor");
		for (i = 0; i < rep.u.info.count; i++)
			print_dom(&rep.u.info.dom[i], with, types);
		if (rep.u.info.count < CTL_INFO_MAX)
			return 0;
		q.first_domid = rep.u.info.dom[CTL_INFO_MAX - 1].domid + 1;
	}
}

int cmd_info(int argc, char **argv)
{
	struct ctl_getinfo_req q = { 0, CTL_INFO_MAX };
	struct ctl_msg rep;
	struct palctl c;
	unsigned int n = 0;
	int pid;

	(void)argv;
	if (argc != 1)
		return pal_usage_of("info"), 2;
	if (pal_connect(&c) < 0)
		return 1;
	while (palctl_call(&c, CTL_DOMAIN_GETINFO, &q, sizeof(q), &rep, NULL, NULL) == 0 &&
	    rep.u.info.count > 0 && rep.u.info.count <= CTL_INFO_MAX) {
		n += rep.u.info.count;
		q.first_domid = rep.u.info.dom[rep.u.info.count - 1].domid + 1;
	}
	pid = pidfile_read("palisade-hv");
	printf("hypervisor      : palisade-hv %s (pid %d)\n", PACKAGE_VERSION, pid);
	printf("xen_version     : %d.%d (guest ABI)\n", PAL_XEN_MAJOR, PAL_XEN_MINOR);
	printf("run_directory   : %s\n", rundir_get());
	printf("domains         : %u\n", n);
	printf("host_cpus       : %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("host_memory_mb  : %lld\n", (long long)sysconf(_SC_PHYS_PAGES) *
	    sysconf(_SC_PAGESIZE) / (1 << 20));
	return 0;
}

static int domain_op(int argc, char **argv, uint16_t type)
{
	struct palctl c;
	uint32_t domid;
	int ret;

	if (argc != 2)
		return pal_usage_of(argv[0]), 2;
	if (pal_connect(&c) < 0)
		return 1;
	ret = palctl_lookup(&c, argv[1], &domid);
	if (ret == 0)
		ret = palctl_domid_op(&c, type, domid, 0);
	if (ret < 0)
		return pal_err("%s %s: %s", argv[0], argv[1], palctl_why(&c, ret));
	return 0;
}

int cmd_pause(int argc, char **argv) { return domain_op(argc, argv, CTL_DOMAIN_PAUSE); }
int cmd_unpause(int argc, char **argv) { return domain_op(argc, argv, CTL_DOMAIN_UNPAUSE); }
/* pal destroy [--purge-vtpm] DOMAIN: --purge-vtpm also deletes the state
 * of the domain's vTPM instance (it is named for the domain). */
int cmd_destroy(int argc, char **argv)
{
	char name[CTL_NAME_LEN + 1], path[4096];
	struct ctl_domain_info info;
	struct palctl c;
	uint32_t domid;
	int ret;

	if (argc != 3 || strcmp(argv[1], "--purge-vtpm") != 0)
		return domain_op(argc, argv, CTL_DOMAIN_DESTROY);
	if (pal_connect(&c) < 0)
		return 1;
	ret = palctl_lookup(&c, argv[2], &domid);
	if (ret == 0)
		ret = palctl_domain_info(&c, domid, &info);
	if (ret == 0)
		ret = palctl_domid_op(&c, CTL_DOMAIN_DESTROY, domid, 0);
	palctl_close(&c);
	if (ret < 0)
		return pal_err("destroy %s: %s", argv[2], palctl_why(&c, ret));
	str_copy(name, info.name, sizeof(name));
	sleep_ms(300);		/* its instance stores its state as it stops */
	snprintf(path, sizeof(path), "%s/%s.permall", vtpm_state_dir(), name);
	if (unlink(path) < 0 && errno != ENOENT)
		return pal_err("cannot delete %s: %s", path, strerror(errno));
	printf("destroyed %s and its vTPM state\n", name);
	return 0;
}

/*
 * pal shutdown|reboot [-F] [-w] DOMAIN. As Xen's toolstack does, the guest
 * is asked: "poweroff" or "reboot" in its control/shutdown, for it to stop
 * its programs, write back its disks and then shut itself down. A guest
 * that never said it takes that request (control/feature-poweroff or
 * feature-reboot, which Linux writes) is not asked; it, and any guest with
 * -F, is shut down by the hypervisor at once. -w waits until the domain
 * has gone (from a reboot, until it has gone or been started again).
 */
static int shutdown_op(int argc, char **argv, uint32_t reason)
{
	const char *what = reason == SHUTDOWN_reboot ? "reboot" : "poweroff";
	bool force = false, wait = false;
	struct palctl_xs x;
	struct palctl c;
	char path[96], val[8];
	uint32_t domid, now;
	int opt, ret;

	optind = 1;
	while ((opt = getopt(argc, argv, "Fw")) != -1) {
		if (opt == 'F')
			force = true;
		else if (opt == 'w')
			wait = true;
		else
			return pal_usage_of(argv[0]), 2;
	}
	if (optind != argc - 1)
		return pal_usage_of(argv[0]), 2;
	if (pal_open_both(argv[optind], &c, &domid, &x) < 0)
		return 1;
	snprintf(path, sizeof(path), "/local/domain/%u/control/feature-%s", domid, what);
	if (!force && (palctl_xs_read(&x, path, val, sizeof(val)) < 0 ||
	    strcmp(val, "1") != 0))
		force = true;
	if (force) {
		ret = palctl_domid_op(&c, CTL_DOMAIN_SHUTDOWN, domid, reason);
	} else {
		snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
		ret = palctl_xs_write(&x, path, what);
	}
	if (ret < 0) {
		ret = pal_err("%s %s: %s", argv[0], argv[optind],
		    force ? palctl_why(&c, ret) : strerror(-ret));
		pal_close_both(&c, &x);
		return ret;
	}
	printf(force ? "%s %s: the hypervisor stops it now\n" :
	    "%s %s: asked through control/shutdown\n", what, argv[optind]);
	fflush(stdout);
	while (wait && palctl_lookup(&c, argv[optind], &now) == 0 && now == domid)
		sleep_ms(100);
	pal_close_both(&c, &x);
	return 0;
}

int cmd_shutdown(int argc, char **argv)
{
	return shutdown_op(argc, argv, SHUTDOWN_poweroff);
}
int cmd_reboot(int argc, char **argv)
{
	return shutdown_op(argc, argv, SHUTDOWN_reboot);
}

int cmd_console(int argc, char **argv)
{
	struct palctl c;
	uint32_t domid;
	int fd, ret;

	if (argc != 2)
		return pal_usage_of("console"), 2;
	if (pal_connect(&c) < 0)
		return 1;
	ret = palctl_lookup(&c, argv[1], &domid);
	palctl_close(&c);
	if (ret < 0)
		return pal_err("console %s: %s", argv[1], palctl_strerror(ret));
	fd = cons_connect(domid);
	if (fd < 0)
		return pal_err("console %s: no console (is palconsoled running?)", argv[1]);
	return pal_console_relay(fd, isatty(0));
}

int pal_cat_rundir(const char *name)
{
	char path[256], buf[4096];
	size_t n;
	FILE *f;

	rundir_path(path, sizeof(path), name);
	f = fopen(path, "re");
	if (f == NULL)
		return pal_err("%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

int cmd_dmesg(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return pal_usage_of("dmesg"), 2;
	return pal_cat_rundir("palisade-hv.log");
}
