/* SPDX-License-Identifier: GPL-2.0-only */
/* The control-socket client. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"

int palctl_open(struct palctl *c)
{
	c->fd = rundir_connect(CTL_SOCKET, SOCK_SEQPACKET);
	return c->fd < 0 ? c->fd : 0;
}

void palctl_close(struct palctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int call(struct palctl *c, uint16_t type, const void *body, size_t len,
    int in_fd, struct ctl_msg *rep, int *fds, unsigned int *nfds);

int palctl_call(struct palctl *c, uint16_t type, const void *body, size_t len,
    struct ctl_msg *rep, int *fds, unsigned int *nfds)
{
	return call(c, type, body, len, -1, rep, fds, nfds);
}

int palctl_xsm_load(struct palctl *c, const void *policy, size_t len, uint32_t flags,
    char *err, size_t n)
{
	struct ctl_xsm_load l = { .size = (uint32_t)len, .flags = flags };
	struct ctl_msg rep;
	int fd = memfd_create("palisade-policy", MFD_CLOEXEC), ret;

	err[0] = '\0';
	rep.hdr.len = 0;
	if (fd < 0)
		return -errno;
	if (write(fd, policy, len) != (ssize_t)len) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = call(c, CTL_XSM_LOAD, &l, sizeof(l), fd, &rep, NULL, NULL);
	close(fd);
	if (ret < 0 && rep.hdr.len == sizeof(rep.u.req.error)) {
		rep.u.req.error[sizeof(rep.u.req.error) - 1] = '\0';
		str_copy(err, rep.u.req.error, n);
	}
	return ret;
}

static int call(struct palctl *c, uint16_t type, const void *body, size_t len,
    int in_fd, struct ctl_msg *rep, int *fds, unsigned int *nfds)
{
	struct ctl_msg m;
	int tmp[CTL_MAX_FDS];
	unsigned int n, i;
	ssize_t r;
	int ret;

	if (len > sizeof(m.u))
		return -EINVAL;
	memset(&m.hdr, 0, sizeof(m.hdr));
	m.hdr.magic = CTL_MAGIC;
	m.hdr.version = CTL_VERSION;
	m.hdr.type = type;
	m.hdr.len = (uint32_t)len;
	if (len > 0)
		memcpy(&m.u, body, len);
	ret = ctl_send(c->fd, &m, &in_fd, in_fd >= 0 ? 1 : 0);
	if (ret < 0)
		return ret;
	r = ctl_recv(c->fd, rep, tmp, &n);
	if (r < 0)
		return (int)r;
	c->error[0] = '\0';
	if (rep->hdr.status < 0 && rep->hdr.len == sizeof(rep->u.req.error))
		str_copy(c->error, rep->u.req.error, sizeof(c->error));
	if (rep->hdr.type != type) {
		for (i = 0; i < n; i++)
			close(tmp[i]);
		return -EPROTO;
	}
	for (i = 0; i < n; i++) {
		if (fds != NULL)
			fds[i] = tmp[i];
		else
			close(tmp[i]);
	}
	if (nfds != NULL)
		*nfds = n;
	return rep->hdr.status;
}

int palctl_domid_op(struct palctl *c, uint16_t type, uint32_t domid, uint32_t arg)
{
	struct ctl_domid b = { .domid = domid, .arg = arg };
	struct ctl_msg rep;

	return palctl_call(c, type, &b, sizeof(b), &rep, NULL, NULL);
}

int palctl_domain_info(struct palctl *c, uint32_t domid, struct ctl_domain_info *out)
{
	struct ctl_getinfo_req q = { .first_domid = domid, .max = 1 };
	struct ctl_msg rep;
	int ret;

	ret = palctl_call(c, CTL_DOMAIN_GETINFO, &q, sizeof(q), &rep, NULL, NULL);
	if (ret < 0)
		return ret;
	if (rep.hdr.len < offsetof(struct ctl_getinfo_rep, dom) + sizeof(*out) ||
	    rep.u.info.count != 1 || rep.u.info.dom[0].domid != domid)
		return -XEN_ESRCH;
	*out = rep.u.info.dom[0];
	return 0;
}

int palctl_lookup(struct palctl *c, const char *name, uint32_t *domid)
{
	struct ctl_getinfo_req q = { .first_domid = 0, .max = CTL_INFO_MAX };
	struct ctl_msg rep;
	char *end;
	unsigned long v;
	uint32_t i;
	int ret;

	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0') {
		*domid = (uint32_t)v;
		return 0;
	}
	for (;;) {
		ret = palctl_call(c, CTL_DOMAIN_GETINFO, &q, sizeof(q), &rep, NULL, NULL);
		if (ret < 0)
			return ret;
		if (rep.u.info.count > CTL_INFO_MAX)
			return -EPROTO;
		for (i = 0; i < rep.u.info.count; i++)
			if (strncmp(rep.u.info.dom[i].name, name, CTL_NAME_LEN) == 0) {
				*domid = rep.u.info.dom[i].domid;
				return 0;
			}
		if (rep.u.info.count < CTL_INFO_MAX)
			return -XEN_ESRCH;
		q.first_domid = rep.u.info.dom[CTL_INFO_MAX - 1].domid + 1;
	}
}

const char *palctl_strerror(int err)
{
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
		return "hypervisor not running (start it with 'pal up')";
	case -EACCES:
		return "permission denied on the control socket";
	case -XEN_ESRCH:
		return "domain not found";
	case -XEN_EINVAL:
		return "invalid argument";
	case -XEN_ENOMEM:
		return "out of memory";
	case -XEN_EPERM:
		return "operation not permitted";
	case -XEN_ENOSPC:
		return "no space left (limit reached)";
	case -XEN_EBUSY:
		return "busy";
	default:
		return strerror(-err);
	}
}

int palctl_gnt_map(struct palctl *c, uint32_t domid, uint32_t ref, bool readonly,
    uint32_t *handle)
{
	struct ctl_gnt g = { .domid = domid, .ref = ref,
	    .flags = readonly ? CTL_GNT_READONLY : 0 };
	struct ctl_msg rep;
	unsigned int nfds = 0;
	int fd = -1, ret;

	ret = palctl_call(c, CTL_GNT_MAP, &g, sizeof(g), &rep, &fd, &nfds);
	if (ret == 0 && (nfds != 1 || rep.hdr.len != sizeof(g)))
		ret = -EPROTO;
	if (ret < 0) {
		if (nfds == 1)
			close(fd);
		return ret;
	}
	*handle = rep.u.req.gnt.handle;
	return fd;
}

int palctl_gnt_unmap(struct palctl *c, uint32_t handle)
{
	struct ctl_gnt g = { .handle = handle };
	struct ctl_msg rep;

	return palctl_call(c, CTL_GNT_UNMAP, &g, sizeof(g), &rep, NULL, NULL);
}

int palctl_gnt_buf_register(struct palctl *c, int fd, uint64_t size, uint32_t *id)
{
	struct ctl_gnt_buf b = { .size = size };
	struct ctl_msg rep;
	int ret;

	ret = call(c, CTL_GNT_BUF_REGISTER, &b, sizeof(b), fd, &rep, NULL, NULL);
	if (ret == 0 && rep.hdr.len != sizeof(b))
		ret = -EPROTO;
	if (ret == 0)
		*id = rep.u.req.buf.id;
	return ret;
}

int palctl_gnt_buf_unregister(struct palctl *c, uint32_t id)
{
	struct ctl_gnt_buf b = { .id = id };
	struct ctl_msg rep;

	return palctl_call(c, CTL_GNT_BUF_UNREGISTER, &b, sizeof(b), &rep, NULL, NULL);
}

int palctl_gnt_copy(struct palctl *c, struct ctl_gnt_copy_seg *seg, unsigned int n)
{
	static struct ctl_gnt_copy req;
	struct ctl_msg rep;
	unsigned int done, k;
	int ret;

	for (done = 0; done < n; done += k) {
		k = MIN(n - done, CTL_GNT_COPY_MAX);
		req.count = k;
		memcpy(req.seg, seg + done, k * sizeof(*seg));
		ret = palctl_call(c, CTL_GNT_COPY, &req, sizeof(req), &rep, NULL, NULL);
		if (ret == 0 && rep.hdr.len != sizeof(req))
			ret = -EPROTO;
		if (ret < 0)
			return ret;
		memcpy(seg + done, rep.u.req.copy.seg, k * sizeof(*seg));
	}
	return 0;
}

int palctl_xsm_check(struct palctl *c, enum ctl_xsm_ask ask, uint32_t src, uint32_t dst)
{
	struct ctl_xsm_check q = { .ask = ask, .src = src, .dst = dst };
	struct ctl_msg rep;

	return palctl_call(c, CTL_XSM_CHECK, &q, sizeof(q), &rep, NULL, NULL);
}

int palctl_xsm_check_resource(struct palctl *c, enum ctl_xsm_ask ask, uint32_t domid,
    const char *resource, const char *policy, const char *label)
{
	struct ctl_xsm_check q = { .ask = ask, .src = domid };
	struct ctl_msg rep;

	if (strlen(resource) >= sizeof(q.resource) || strlen(label) >= sizeof(q.label) ||
	    strlen(policy) >= sizeof(q.policy))
		return -XEN_ENAMETOOLONG;
	str_copy(q.resource, resource, sizeof(q.resource));
	str_copy(q.policy, policy, sizeof(q.policy));
	str_copy(q.label, label, sizeof(q.label));
	return palctl_call(c, CTL_XSM_CHECK, &q, sizeof(q), &rep, NULL, NULL);
}

int palctl_xsm_get(struct palctl *c, void **policy, size_t *len)
{
	struct ctl_msg rep;
	unsigned int n = 0;
	int fd = -1, ret;
	void *b;

	*policy = NULL;
	*len = 0;
	ret = palctl_call(c, CTL_XSM_GET, NULL, 0, &rep, &fd, &n);
	if (ret < 0 || n == 0)
		return ret;
	if (rep.hdr.len != sizeof(rep.u.req.get) || rep.u.req.get.size == 0 ||
	    rep.u.req.get.size > ACMPOL_MAX_SIZE || (b = malloc(rep.u.req.get.size)) == NULL) {
		close(fd);
		return -XEN_ENOMEM;
	}
	if (pread(fd, b, rep.u.req.get.size, 0) != (ssize_t)rep.u.req.get.size) {
		free(b);
		close(fd);
		return -XEN_EIO;
	}
	close(fd);
	*policy = b;
	*len = rep.u.req.get.size;
	return 0;
}

const char *palctl_why(const struct palctl *c, int err)
{
	return c->error[0] != '\0' ? c->error : palctl_strerror(err);
}
