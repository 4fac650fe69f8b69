/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket: privcmd for dom0 processes. Each request is read by
 * ctl_recv (exact sizes checked), dispatched to one handler, and answered
 * with a reply of the same type. The socket is owner-only; every
 * connection acts as dom0.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"

#define EP_SOCKET (1ull << 63)

int ctl_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (str_copy(sa.sun_path, path, sizeof(sa.sun_path)) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

void ctl_accept(int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    (cr.uid != 0 && cr.uid != getuid())) {
		log_warnx("control: refused connection from uid %u", cr.uid);
		close(fd);
		return;
	}
	ev.data.u64 = EP_SOCKET | (uint64_t)fd;
	if (epoll_ctl(hv.epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		close(fd);
}

/* Every control connection acts as the control domain. */
static struct xsm_dom ctl_dom0 = XSM_DOM_INIT(0, true);

static const enum xsm_hook ctl_hooks[CTL_TYPE_MAX] = {
	[CTL_DOMAIN_CREATE] = XSM_DOMAIN_CREATE,
	[CTL_DOMAIN_DESTROY] = XSM_DOMAIN_DESTROY,
	[CTL_DOMAIN_PAUSE] = XSM_DOMAIN_PAUSE,
	[CTL_DOMAIN_UNPAUSE] = XSM_DOMAIN_UNPAUSE,
	[CTL_DOMAIN_SHUTDOWN] = XSM_DOMAIN_SHUTDOWN,
	[CTL_DOMAIN_GETINFO] = XSM_DOMAIN_GETINFO,
	[CTL_DOMAIN_RAMFD] = XSM_DOMAIN_MEMORY_MAP,
	[CTL_DOMAIN_SETMAXMEM] = XSM_DOMAIN_SETMAXMEM,
	[CTL_VCPU_SETCONTEXT] = XSM_DOMAIN_SETCONTEXT,
	[CTL_HVM_SETCONTEXT] = XSM_DOMAIN_SETCONTEXT,
	[CTL_FOREIGN_MAP] = XSM_MEMORY_FOREIGN_MAP,
	[CTL_EVTCHN_ALLOC_UNBOUND] = XSM_EVTCHN_UNBOUND,
	[CTL_EVTCHN_BIND_INTERDOMAIN] = XSM_EVTCHN_INTERDOMAIN,
	[CTL_EVTCHN_CLOSE] = XSM_EVTCHN_CLOSE,
	[CTL_SET_LOGLEVEL] = XSM_SYSCTL,
	[CTL_XSM_INFO] = XSM_SYSCTL,
	[CTL_GNT_MAP] = XSM_GRANT_MAP,
	[CTL_GNT_UNMAP] = XSM_GRANT_UNMAP,
	[CTL_XSM_LOAD] = XSM_SYSCTL,
	[CTL_GNT_BUF_REGISTER] = XSM_GRANT_COPY,
	[CTL_GNT_BUF_UNREGISTER] = XSM_GRANT_COPY,
	[CTL_GNT_COPY] = XSM_GRANT_COPY,
	[CTL_XSM_CHECK] = XSM_SYSCTL,
	[CTL_XSM_GET] = XSM_SYSCTL,
};

/* Why the request being handled was denied, if XSM said (one request at
 * a time: the control socket is served by one thread). */
static char ctl_why[XSM_WHY_LEN];

/* A check a dom0 service asks on a guest's behalf: between two domains (0
 * is dom0 itself), or of a domain on a resource and its label. */
static int ctl_xsm_check(const struct ctl_xsm_check *q)
{
	static const enum xsm_hook hook[CTL_ASK_MAX] = {
		[CTL_ASK_STORE] = XSM_STORE_ACCESS, [CTL_ASK_DISK] = XSM_RESOURCE_DISK,
		[CTL_ASK_VLAN] = XSM_RESOURCE_VLAN, [CTL_ASK_VTPM] = XSM_RESOURCE_VTPM,
	};
	struct xsm_dom res = XSM_DOM_INIT(XSM_NO_TARGET, false);
	struct domain *src = NULL, *dst = NULL;
	char name[sizeof(q->resource)], policy[sizeof(q->policy)];
	int ret = -XEN_ESRCH;

	if (q->ask >= CTL_ASK_MAX)
		return -XEN_EINVAL;
	if (q->ask != CTL_ASK_STORE) {
		str_copy(name, q->resource, sizeof(name));
		str_copy(res.label, q->label, sizeof(res.label));
		str_copy(policy, q->policy, sizeof(policy));
		res.resource = name;
		res.policy = policy;
		if (q->src != 0 && (src = domain_ref(q->src)) == NULL)
			return -XEN_ESRCH;
		ret = xsm_check_why(hook[q->ask], src != NULL ? &src->sec : &ctl_dom0, &res,
		    ctl_why) < 0 ? -XEN_EPERM : 0;
		if (src != NULL)
			domain_unref(src);
		return ret;
	}
	if ((q->src == 0 || (src = domain_ref(q->src)) != NULL) &&
	    (q->dst == 0 || (dst = domain_ref(q->dst)) != NULL))
		ret = xsm_check_why(hook[q->ask], src != NULL ? &src->sec : &ctl_dom0,
		    dst != NULL ? &dst->sec : &ctl_dom0, ctl_why) < 0 ? -XEN_EPERM : 0;
	if (src != NULL)
		domain_unref(src);
	if (dst != NULL)
		domain_unref(dst);
	return ret;
}

/* The domain to be: its label is what Chinese Wall looks at. */
static int ctl_create_allowed(const struct ctl_domain_create *req)
{
	struct xsm_dom nd = XSM_DOM_INIT(XSM_NO_TARGET, false);
	char active[ACMPOL_NAME_LEN], policy[ACMPOL_NAME_LEN];

	str_copy(nd.label, req->label, sizeof(nd.label));
	str_copy(policy, req->policy, sizeof(policy));
	acm_policy_name(active, sizeof(active));
	if (policy[0] != '\0' && active[0] != '\0' && strcmp(policy, active) != 0) {
		snprintf(ctl_why, sizeof(ctl_why), "seclabel names policy %s, but policy %s is "
		    "loaded", policy, active);
		return -XEN_EPERM;
	}
	return xsm_check_why(XSM_DOMAIN_CREATE, &ctl_dom0, &nd, ctl_why);
}

/* A binary ACM policy from the memfd dom0 passed. */
static int ctl_xsm_load(const struct ctl_xsm_load *l, const int *in, unsigned int nin,
    struct ctl_msg *rep)
{
	char *buf;
	int ret;

	rep->u.req.error[0] = '\0';
	if (nin != 1 || l->size == 0 || l->size > ACMPOL_MAX_SIZE)
		return -XEN_EINVAL;
	buf = malloc(l->size);
	if (buf == NULL)
		return -XEN_ENOMEM;
	if (pread(in[0], buf, l->size, 0) != (ssize_t)l->size) {
		free(buf);
		return -XEN_EINVAL;
	}
	ret = acm_load(buf, l->size, l->flags & CTL_XSM_LOAD_FORCE ? ACM_LOAD_FORCE : 0,
	    rep->u.req.error, sizeof(rep->u.req.error));
	free(buf);
	if (ret < 0) {
		rep->hdr.len = sizeof(rep->u.req.error);
		log_warnx("control: policy refused: %s", rep->u.req.error);
	} else {
		acm_policy_name(rep->u.req.error, sizeof(rep->u.req.error));
		log_info("security: ACM policy '%s' loaded%s", rep->u.req.error,
		    l->flags & CTL_XSM_LOAD_FORCE ? " (forced)" : "");
	}
	return ret;
}

/* The active policy, in a memfd for the reply. */
static int ctl_xsm_get(struct ctl_msg *rep, int *fds, unsigned int *nfds)
{
	size_t len;
	void *b = acm_policy_blob(&len);
	int fd;

	rep->u.req.get.size = (uint32_t)len;
	rep->u.req.get.pad = 0;
	rep->hdr.len = sizeof(struct ctl_xsm_get);
	if (b == NULL)
		return 0;
	fd = memfd_create("palisade-policy", MFD_CLOEXEC);
	if (fd < 0 || write(fd, b, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		free(b);
		return -XEN_ENOMEM;
	}
	free(b);
	fds[0] = fd;
	*nfds = 1;
	return 0;
}

/* The domain a request is about, if XSM lets dom0 do this to it. */
static struct domain *ctl_domain(uint16_t type, uint32_t domid, int *err)
{
	struct domain *d = domain_get(domid);

	if (d == NULL) {
		*err = -XEN_ESRCH;
		return NULL;
	}
	*err = xsm_check_why(ctl_hooks[type], &ctl_dom0, &d->sec, ctl_why);
	return *err == 0 ? d : NULL;
}

static int ctl_getinfo(const struct ctl_getinfo_req *q, struct ctl_msg *rep)
{
	uint32_t id, max = MIN(q->max ? q->max : CTL_INFO_MAX, CTL_INFO_MAX);
	struct ctl_getinfo_rep *r = &rep->u.info;
	struct domain *d;

	r->count = 0;
	for (id = q->first_domid; id < HV_MAX_DOMAINS && r->count < max; id++) {
		d = domain_get(id);
		if (d != NULL && xsm_check(XSM_DOMAIN_GETINFO, &ctl_dom0, &d->sec) == 0)
			domain_info(d, &r->dom[r->count++]);
	}
	rep->hdr.len = offsetof(struct ctl_getinfo_rep, dom) +
	    r->count * sizeof(r->dom[0]);
	return 0;
}

/* Handle one request from connection conn; fills rep (status, body) and
 * fds to pass. */
static void ctl_handle(int conn, const struct ctl_msg *m, struct ctl_msg *rep,
    int *fds, unsigned int *nfds, const int *in_fds, unsigned int nin)
{
	const union ctl_body *b = &m->u.req;
	struct domain *d = NULL;
	int ret = 0;
	uint32_t id = 0;

	rep->hdr.len = 0;
	ctl_why[0] = '\0';
	switch (m->hdr.type) {
	case CTL_DOMAIN_CREATE:
		ret = ctl_create_allowed(&b->create);
		if (ret == 0)
			ret = domain_create(&b->create, &id);
		rep->u.req.created.domid = id;
		rep->u.req.created.pad = 0;
		rep->u.req.created.shared_info_mfn = priv_shared_info_mfn();
		rep->hdr.len = sizeof(struct ctl_domain_created);
		break;
	case CTL_DOMAIN_DESTROY:
		if ((d = ctl_domain(m->hdr.type, b->dom.domid, &ret)) != NULL)
			ret = domain_destroy(b->dom.domid);
		break;
	case CTL_DOMAIN_PAUSE:
		if ((d = ctl_domain(m->hdr.type, b->dom.domid, &ret)) != NULL)
			ret = domain_pause(d);
		break;
	case CTL_DOMAIN_UNPAUSE:
		if ((d = ctl_domain(m->hdr.type, b->dom.domid, &ret)) != NULL)
			ret = domain_unpause(d);
		break;
	case CTL_DOMAIN_SHUTDOWN:
		if (b->dom.arg > SHUTDOWN_MAX)
			ret = -XEN_EINVAL;
		else if ((d = ctl_domain(m->hdr.type, b->dom.domid, &ret)) != NULL) {
			pthread_mutex_lock(&d->lock);
			domain_shutdown(d, b->dom.arg);
			pthread_mutex_unlock(&d->lock);
		}
		break;
	case CTL_DOMAIN_GETINFO:
		ret = ctl_getinfo(&b->getinfo, rep);	/* XSM per domain */
		break;
	case CTL_DOMAIN_RAMFD:
		if ((d = ctl_domain(m->hdr.type, b->dom.domid, &ret)) != NULL) {
			fds[0] = d->ram_fd;
			*nfds = 1;
		}
		break;
	case CTL_DOMAIN_SETMAXMEM:
		if ((d = ctl_domain(m->hdr.type, b->dom.domid, &ret)) != NULL)
			ret = domain_set_max_mem(d, b->dom.arg);
		break;
	case CTL_VCPU_SETCONTEXT:
		if ((d = ctl_domain(m->hdr.type, b->vcpu.domid, &ret)) != NULL)
			ret = domain_set_vcpu_context(d, &b->vcpu);
		break;
	case CTL_HVM_SETCONTEXT:
		if ((d = ctl_domain(m->hdr.type, b->hvm.domid, &ret)) != NULL)
			ret = hvm_set_context(d, &b->hvm);
		break;
	case CTL_FOREIGN_MAP:
		if ((d = ctl_domain(m->hdr.type, b->fmap.domid, &ret)) != NULL &&
		    (ret = memshare_get(d, b->fmap.pfn, &fds[0])) == 0)
			*nfds = 1;
		break;
	case CTL_EVTCHN_ALLOC_UNBOUND:
		rep->u.req.evtchn = b->evtchn;
		rep->hdr.len = sizeof(struct ctl_evtchn);
		if ((d = ctl_domain(m->hdr.type, b->evtchn.domid, &ret)) != NULL)
			ret = evtchn_alloc_unbound(d, b->evtchn.remote_domid,
			    &rep->u.req.evtchn.port);
		break;
	case CTL_EVTCHN_BIND_INTERDOMAIN:
		rep->u.req.evtchn = b->evtchn;
		rep->hdr.len = sizeof(struct ctl_evtchn);
		if ((d = ctl_domain(m->hdr.type, b->evtchn.domid, &ret)) != NULL &&
		    (ret = evtchn_bind_dom0(d, b->evtchn.port, &fds[0], &fds[1])) == 0)
			*nfds = 2;
		break;
	case CTL_EVTCHN_CLOSE:
		if ((d = ctl_domain(m->hdr.type, b->evtchn.domid, &ret)) != NULL)
			ret = evtchn_close_dom0_end(d, b->evtchn.port);
		break;
	case CTL_SET_LOGLEVEL:
		ret = xsm_check(XSM_SYSCTL, &ctl_dom0, NULL);
		if (ret == 0)
			log_set_level((int)b->level);
		break;
	case CTL_GNT_MAP:
		rep->u.req.gnt = b->gnt;
		rep->hdr.len = sizeof(struct ctl_gnt);
		if ((d = ctl_domain(m->hdr.type, b->gnt.domid, &ret)) != NULL &&
		    (ret = gnt_map_dom0(b->gnt.domid, b->gnt.ref,
		    b->gnt.flags & CTL_GNT_READONLY, &rep->u.req.gnt.handle,
		    &fds[0])) == 0) {
			gnt_dom0_owner(rep->u.req.gnt.handle, conn);
			*nfds = 1;
		}
		break;
	case CTL_GNT_UNMAP:
		ret = xsm_check(XSM_GRANT_UNMAP, &ctl_dom0, NULL);
		if (ret == 0)
			ret = gnt_unmap_dom0_by(b->gnt.handle, conn);
		break;
	case CTL_XSM_LOAD:
		ret = xsm_check(XSM_SYSCTL, &ctl_dom0, NULL);
		if (ret == 0)
			ret = ctl_xsm_load(&b->load, in_fds, nin, rep);
		break;
	case CTL_GNT_BUF_REGISTER:
		rep->u.req.buf = b->buf;
		rep->hdr.len = sizeof(struct ctl_gnt_buf);
		ret = xsm_check(XSM_GRANT_COPY, &ctl_dom0, NULL);
		if (ret == 0)
			ret = nin == 1 ? gnt_buf_register(conn, in_fds[0], b->buf.size,
			    &rep->u.req.buf.id) : -XEN_EINVAL;
		break;
	case CTL_GNT_BUF_UNREGISTER:
		ret = gnt_buf_unregister(conn, b->buf.id);
		break;
	case CTL_XSM_CHECK:
		ret = xsm_check(XSM_SYSCTL, &ctl_dom0, NULL);
		if (ret == 0)
			ret = ctl_xsm_check(&b->check);
		break;
	case CTL_GNT_COPY:
		rep->u.req.copy = b->copy;
		rep->hdr.len = sizeof(struct ctl_gnt_copy);
		ret = gnt_copy_dom0(conn, &ctl_dom0, &rep->u.req.copy);
		break;
	case CTL_XSM_GET:
		ret = xsm_check(XSM_SYSCTL, &ctl_dom0, NULL);
		if (ret == 0)
			ret = ctl_xsm_get(rep, fds, nfds);
		break;
	case CTL_XSM_INFO:
		ret = xsm_check(XSM_SYSCTL, &ctl_dom0, NULL);
		memset(&rep->u.req.xsm, 0, sizeof(rep->u.req.xsm));
		str_copy(rep->u.req.xsm.module, xsm_module_name(),
		    sizeof(rep->u.req.xsm.module));
		acm_policy_name(rep->u.req.xsm.policy, sizeof(rep->u.req.xsm.policy));
		xsm_stats(&rep->u.req.xsm.checks, &rep->u.req.xsm.denials);
		rep->hdr.len = ret == 0 ? sizeof(struct ctl_xsm_info) : 0;
		break;
	default:
		ret = -XEN_ENOSYS;
	}
	if (ret < 0 && ctl_why[0] != '\0') {
		str_copy(rep->u.req.error, ctl_why, sizeof(rep->u.req.error));
		rep->hdr.len = sizeof(rep->u.req.error);
	}
	rep->hdr.status = ret;
}

void ctl_client_event(int fd)
{
	static struct ctl_msg m, rep;
	int in_fds[CTL_MAX_FDS], out_fds[CTL_MAX_FDS];
	unsigned int nin, nout = 0, i;
	ssize_t n;

	n = ctl_recv(fd, &m, in_fds, &nin);
	if (n == -EAGAIN || n == -EINTR)
		return;
	if (n < 0) {
		if (n != -EPIPE && n != -ECONNRESET)
			log_warnx("control: dropping client: %s", strerror((int)-n));
		gnt_bufs_release(fd);
		gnt_dom0_release(fd);
		epoll_ctl(hv.epoll_fd, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		return;
	}
	memset(&rep.hdr, 0, sizeof(rep.hdr));
	rep.hdr.magic = CTL_MAGIC;
	rep.hdr.version = CTL_VERSION;
	rep.hdr.type = m.hdr.type;
	if (ctl_req_size(m.hdr.type) != n) {
		rep.hdr.status = ctl_req_size(m.hdr.type) < 0 ? -XEN_ENOSYS : -XEN_EINVAL;
		rep.hdr.len = 0;
	} else {
		ctl_handle(fd, &m, &rep, out_fds, &nout, in_fds, nin);
	}
	for (i = 0; i < nin; i++)
		close(in_fds[i]);	/* descriptors dom0 sent are read, not kept */
	ctl_send(fd, &rep, out_fds, nout);
	/* Shared pages are ours to give away once: close our copy. */
	if ((m.hdr.type == CTL_FOREIGN_MAP || m.hdr.type == CTL_GNT_MAP ||
	    m.hdr.type == CTL_XSM_GET) && nout == 1)
		close(out_fds[0]);
}
