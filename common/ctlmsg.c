/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "palisade/ctl.h"

ssize_t ctl_req_size(uint16_t type)
{
	switch (type) {
	case CTL_DOMAIN_CREATE:
		return sizeof(struct ctl_domain_create);
	case CTL_DOMAIN_DESTROY:
	case CTL_DOMAIN_PAUSE:
	case CTL_DOMAIN_UNPAUSE:
	case CTL_DOMAIN_SHUTDOWN:
	case CTL_DOMAIN_RAMFD:
	case CTL_DOMAIN_SETMAXMEM:
		return sizeof(struct ctl_domid);
	case CTL_DOMAIN_GETINFO:
		return sizeof(struct ctl_getinfo_req);
	case CTL_VCPU_SETCONTEXT:
		return sizeof(struct ctl_vcpu_context);
	case CTL_HVM_SETCONTEXT:
		return sizeof(struct ctl_hvm_context);
	case CTL_FOREIGN_MAP:
		return sizeof(struct ctl_foreign_map);
	case CTL_EVTCHN_ALLOC_UNBOUND:
	case CTL_EVTCHN_BIND_INTERDOMAIN:
	case CTL_EVTCHN_CLOSE:
		return sizeof(struct ctl_evtchn);
	case CTL_SET_LOGLEVEL:
		return sizeof(uint32_t);
	case CTL_XSM_INFO:
	case CTL_XSM_GET:
		return 0;
	case CTL_GNT_MAP:
	case CTL_GNT_UNMAP:
		return sizeof(struct ctl_gnt);
	case CTL_XSM_LOAD:
		return sizeof(struct ctl_xsm_load);
	case CTL_GNT_BUF_REGISTER:
	case CTL_GNT_BUF_UNREGISTER:
		return sizeof(struct ctl_gnt_buf);
	case CTL_GNT_COPY:
		return sizeof(struct ctl_gnt_copy);
	case CTL_XSM_CHECK:
		return sizeof(struct ctl_xsm_check);
	default:
		return -1;
	}
}

int ctl_send(int sock, const struct ctl_msg *m, const int *fds, unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(CTL_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {
		.iov_base = (void *)m,
		.iov_len = sizeof(m->hdr) + m->hdr.len,
	};
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (m->hdr.len > sizeof(m->u) || nfds > CTL_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static unsigned int ctl_take_fds(struct msghdr *mh, int *fds)
{
	struct cmsghdr *c;
	unsigned int got = 0;
	size_t i, n;
	int fd;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < CTL_MAX_FDS)
				fds[got++] = fd;
			else
				close(fd);
		}
	}
	return got;
}

ssize_t ctl_recv(int sock, struct ctl_msg *m, int *fds, unsigned int *nfds)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	unsigned int i, got;
	ssize_t n;

	*nfds = 0;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	got = ctl_take_fds(&mh, fds);
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < sizeof(m->hdr) || m->hdr.magic != CTL_MAGIC ||
	    m->hdr.version != CTL_VERSION ||
	    m->hdr.len != (size_t)n - sizeof(m->hdr)) {
		for (i = 0; i < got; i++)
			close(fds[i]);
		return -EBADMSG;
	}
	*nfds = got;
	return m->hdr.len;
}
