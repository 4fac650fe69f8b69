/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's control socket: one datagram per input, through the
 * real receive path and handlers, on the fake platform. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/log.h"
#include "../unit/fakeguest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int sv[2] = { -1, -1 };
	struct ctl_msg rep;
	int fds[CTL_MAX_FDS];
	unsigned int nfds, i;

	if (hv.epoll_fd == 0) {
		fg_init();
		log_init("fuzz", NULL, LOG_LVL_QUIET);
		hv.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	}
	/* The hypervisor hangs up on a client that sends garbage. */
	if (sv[0] < 0 || fcntl(sv[0], F_GETFD) < 0) {
		if (sv[1] >= 0)
			close(sv[1]);
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			return 0;
	}
	if (size > sizeof(struct ctl_msg))
		size = sizeof(struct ctl_msg);
	if (send(sv[1], data, size, 0) < 0)
		return 0;
	ctl_client_event(sv[0]);
	if (ctl_recv(sv[1], &rep, fds, &nfds) >= 0)
		for (i = 0; i < nfds; i++)
			close(fds[i]);
	log_set_level(LOG_LVL_QUIET);
	domain_destroy_all();
	return 0;
}
