/* SPDX-License-Identifier: GPL-2.0-only */
/* palisade-hv: the hypervisor daemon. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "palisade/log.h"
#include "hv.h"
#include "kvm.h"
#include "trap.h"

struct hv hv;

#define EP_SOCKET	(1ull << 63)
#define EP_SIGNAL	(1ull << 62)
#define EP_LISTEN	(1ull << 61)

static void usage(void)
{
	fprintf(stderr, "usage: palisade-hv [-fv] [-r rundir] [-t idt|shutdown] "
	    "[-m max-domain-MiB]\n");
	exit(2);
}

static int epoll_add(int fd, uint64_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	return epoll_ctl(hv.epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static int setup_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);	/* vCPU kicks: only inside KVM_RUN */
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGUSR1);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void main_loop(int lfd, int sfd)
{
	struct epoll_event ev[32];
	struct signalfd_siginfo si;
	int i, n;

	for (;;) {
		n = epoll_wait(hv.epoll_fd, ev, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fatal("epoll_wait");
		for (i = 0; i < n; i++) {
			uint64_t u = ev[i].data.u64;

			if (u & EP_LISTEN) {
				ctl_accept(lfd);
			} else if (u & EP_SIGNAL) {
				if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					log_info("signal %u: stopping", si.ssi_signo);
					return;
				}
			} else if (u & EP_SOCKET) {
				ctl_client_event((int)(u & 0xffffffff));
			} else {
				struct domain *d = domain_get((uint32_t)(u >> 32));

				if (d != NULL)
					evtchn_dom0_kick(d, (uint32_t)u);
			}
		}
	}
}

/* Every page a backend keeps mapped is a memfd of ours (memshare.c), a
 * thousand per disk with persistent grants: the soft limit's 1024 is not
 * enough for a few guests. */
static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) < 0)
			log_warn("cannot raise the open file limit");
	}
	if (getrlimit(RLIMIT_NOFILE, &r) == 0)
		log_debug("open file limit %llu", (unsigned long long)r.rlim_cur);
}

int main(int argc, char **argv)
{
	const char *force_trap = NULL;
	bool foreground = false;
	int level = LOG_LVL_INFO, c, lfd, sfd;
	char sock[256], logp[256], auditp[256];
	FILE *audit;

	while ((c = getopt(argc, argv, "fvr:t:m:")) != -1) {
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'v':
			level = LOG_LVL_DEBUG;
			break;
		case 'r':
			setenv("PALISADE_RUNDIR", optarg, 1);
			break;
		case 't':
			force_trap = optarg;
			if (strcmp(optarg, "idt") && strcmp(optarg, "shutdown"))
				usage();
			break;
		case 'm':
			hv.max_mem_mb = strtoull(optarg, NULL, 10);
			if (hv.max_mem_mb == 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (hv.max_mem_mb == 0)
		hv.max_mem_mb = HV_MAX_MEM_MB;
	if (mkdir(rundir_get(), 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "palisade-hv: cannot create run directory %s: %s\n",
		    rundir_get(), strerror(errno));
		return 1;
	}
	if (rundir_path(sock, sizeof(sock), CTL_SOCKET) < 0 ||
	    rundir_path(logp, sizeof(logp), "palisade-hv.log") < 0) {
		fprintf(stderr, "palisade-hv: run directory path too long\n");
		return 1;
	}
	hv.kvm_fd = kvm_open();
	if (hv.kvm_fd < 0) {
		fprintf(stderr, "palisade-hv: cannot open /dev/kvm: %s\n",
		    strerror(-hv.kvm_fd));
		return 1;
	}
	if (log_init("palisade-hv", logp, level) < 0) {
		fprintf(stderr, "palisade-hv: cannot open log %s: %s\n", logp,
		    strerror(errno));
		return 1;
	}
	raise_fd_limit();
	pthread_mutex_init(&hv.lock, NULL);
	hv.boot_ns = now_ns();
	time_calibrate_start();
	hv.trap = trap_probe(force_trap);
	if (rundir_path(auditp, sizeof(auditp), "audit.log") < 0 ||
	    (audit = fopen(auditp, "ae")) == NULL) {
		fprintf(stderr, "palisade-hv: cannot open the audit log in %s\n",
		    rundir_get());
		return 1;
	}
	setvbuf(audit, NULL, _IOLBF, 0);
	xsm_init(&xsm_dummy, audit);
	lfd = ctl_listen(sock);
	if (lfd < 0) {
		fprintf(stderr, "palisade-hv: cannot listen on %s: %s\n", sock,
		    strerror(-lfd));
		return 1;
	}
	if (!foreground && daemon(1, 0) < 0)
		fatal("daemon");
	sfd = setup_signals();
	hv.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || hv.epoll_fd < 0 || epoll_add(lfd, EP_LISTEN) < 0 ||
	    epoll_add(sfd, EP_SIGNAL) < 0)
		fatal("event loop setup");
	pidfile_write("palisade-hv");
	log_info("palisade-hv %s ready: trap strategy '%s', security module '%s', "
	    "control %s", PACKAGE_VERSION, hv.trap->name, xsm_module_name(), sock);
	main_loop(lfd, sfd);
	domain_destroy_all();
	unlink(sock);
	rundir_path(sock, sizeof(sock), "palisade-hv.pid");
	unlink(sock);
	log_close();
	return 0;
}
