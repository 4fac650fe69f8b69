/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels, 2-level ABI. A port's dom0 end is a pair of eventfds:
 * the hypervisor writes efd_out when the guest sends, and watches efd_in
 * (in the main loop) for dom0's notifications. Two guests' ports are bound
 * to each other (remote_dom, remote_port) both ways. Port state is under
 * the owning domain's lock; whatever changes ports of two domains also
 * holds interdomain_lock, so two domain locks are never taken in opposite
 * orders. Pending and mask bits are the guest's shared_info, updated
 * atomically.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"

/* Port states are the status codes the guest sees, plus port 0's. */
#define ECS_FREE	EVTCHNSTAT_closed
#define ECS_UNBOUND	EVTCHNSTAT_unbound
#define ECS_INTERDOMAIN	EVTCHNSTAT_interdomain
#define ECS_VIRQ	EVTCHNSTAT_virq
#define ECS_IPI		EVTCHNSTAT_ipi
#define ECS_RESERVED	0xff

static __thread struct vcpu *evtchn_current;
static pthread_mutex_t interdomain_lock = PTHREAD_MUTEX_INITIALIZER;

/* An interdomain port whose peer is a guest, not dom0's eventfds. */
static bool guest_peer(const struct evtchn *c)
{
	return c->state == ECS_INTERDOMAIN && c->efd_in < 0;
}

void evtchn_init(struct domain *d)
{
	unsigned int i;

	memset(d->evtchn, 0, sizeof(d->evtchn));
	for (i = 0; i < HV_NR_EVTCHN; i++)
		d->evtchn[i].efd_in = d->evtchn[i].efd_out = -1;
	d->evtchn[0].state = ECS_RESERVED;
}

/* dom0's eventfds on port; d->lock held. */
static void dom0_end_close(struct evtchn *c)
{
	if (c->efd_in >= 0) {
		epoll_ctl(hv.epoll_fd, EPOLL_CTL_DEL, c->efd_in, NULL);
		close(c->efd_in);
	}
	if (c->efd_out >= 0)
		close(c->efd_out);
	c->efd_in = c->efd_out = -1;
}

static void evtchn_free(struct domain *d, uint32_t port)
{
	struct evtchn *c = &d->evtchn[port];

	if (c->state == ECS_VIRQ && c->vcpu < HV_MAX_VCPUS && c->virq < NR_VIRQS)
		d->virq_port[c->vcpu][c->virq] = 0;
	dom0_end_close(c);
	memset(c, 0, sizeof(*c));
	c->efd_in = c->efd_out = -1;
}

void evtchn_fini(struct domain *d)
{
	uint32_t p;

	for (p = 1; p < HV_NR_EVTCHN; p++)
		if (d->evtchn[p].state != ECS_FREE)
			evtchn_free(d, p);
}

static int evtchn_get_free(struct domain *d, uint32_t *port)
{
	uint32_t p;

	for (p = 1; p < HV_NR_EVTCHN; p++)
		if (d->evtchn[p].state == ECS_FREE) {
			*port = p;
			return 0;
		}
	return -XEN_ENOSPC;
}

static bool test_and_set(xen_ulong_t *w, unsigned int bit)
{
	xen_ulong_t m = 1ull << bit;

	return __atomic_fetch_or(w, m, __ATOMIC_SEQ_CST) & m;
}

/* Raise the upcall for a pending, unmasked port on the vCPU it is bound to:
 * Xen's selector bit and evtchn_upcall_pending, and a kick. */
static void evtchn_raise(struct domain *d, uint32_t port)
{
	struct vcpu *v;
	vcpu_info_t *vi;

	v = d->vcpu[d->evtchn[port].vcpu < d->nr_vcpus ? d->evtchn[port].vcpu : 0];
	if (v == NULL || (vi = vcpu_info_ptr(v)) == NULL)
		return;
	if (test_and_set(&vi->evtchn_pending_sel, port / 64))
		return;
	/* As Xen's vcpu_mark_events_pending: an HVM vCPU's vector is raised
	 * on the 0 -> 1 edge, the guest clearing the flag before it looks. */
	if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) &&
	    d->hvm != NULL)
		hvm_upcall(v);
	if (v == evtchn_current)
		return;	/* delivered before it re-enters the guest */
	pthread_mutex_lock(&d->lock);
	v->blocked = false;
	sched_poll_clear(v);	/* an upcall ends a poll too, as in Xen */
	vcpu_kick(v);
	pthread_mutex_unlock(&d->lock);
}

/* Mark port pending in d and, if it is unmasked, raise the upcall. */
void evtchn_set_pending(struct domain *d, uint32_t port)
{
	shared_info_t *s = priv_shared_info(d);
	unsigned int w = port / 64, b = port % 64;

	if (port >= HV_NR_EVTCHN)
		return;
	if (test_and_set(&s->evtchn_pending[w], b))
		return;
	sched_wake_pollers(d, port);
	if (__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_SEQ_CST) & (1ull << b))
		return;
	evtchn_raise(d, port);
}

void evtchn_send_virq(struct vcpu *v, uint32_t virq)
{
	uint32_t port = virq < NR_VIRQS ? v->d->virq_port[v->id][virq] : 0;

	if (port != 0)
		evtchn_set_pending(v->d, port);
}

int evtchn_alloc_unbound(struct domain *d, uint32_t remote, uint32_t *port)
{
	int ret;

	pthread_mutex_lock(&d->lock);
	ret = evtchn_get_free(d, port);
	if (ret == 0) {
		d->evtchn[*port].state = ECS_UNBOUND;
		d->evtchn[*port].remote_dom = remote;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/*
 * Bind dom0's end to d's port, unbound for dom0, and return the two
 * eventfds. A port dom0 already holds may be bound again: a backend that
 * died without unbinding gets its channel back when it restarts.
 */
int evtchn_bind_dom0(struct domain *d, uint32_t port, int *efd_out, int *efd_in)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct evtchn *c;
	int ret = 0;

	if (port == 0 || port >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	c = &d->evtchn[port];
	if (c->remote_dom != 0 || (c->state != ECS_UNBOUND &&
	    !(c->state == ECS_INTERDOMAIN && c->efd_in >= 0))) {
		ret = -XEN_EINVAL;
		goto out;
	}
	dom0_end_close(c);
	c->efd_out = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->efd_in = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.u64 = ((uint64_t)d->domid << 32) | port;
	if (c->efd_out < 0 || c->efd_in < 0 ||
	    epoll_ctl(hv.epoll_fd, EPOLL_CTL_ADD, c->efd_in, &ev) < 0) {
		ret = -XEN_ENOMEM;
		evtchn_free(d, port);
		goto out;
	}
	c->state = ECS_INTERDOMAIN;
	*efd_out = c->efd_out;
	*efd_in = c->efd_in;
out:
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/* dom0 closes its end: d's port waits for dom0 again, as in Xen. Any other
 * port dom0 names (one it allocated for the guest) is closed. */
int evtchn_close_dom0_end(struct domain *d, uint32_t port)
{
	struct evtchn *c;

	if (port == 0 || port >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	c = &d->evtchn[port];
	if (c->state == ECS_INTERDOMAIN && c->efd_in >= 0) {
		dom0_end_close(c);
		c->state = ECS_UNBOUND;
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	return evtchn_close_port(d, port);
}

/* Main loop: dom0 wrote a port's efd_in. */
void evtchn_dom0_kick(struct domain *d, uint32_t port)
{
	uint64_t n;
	int fd;

	pthread_mutex_lock(&d->lock);
	fd = port < HV_NR_EVTCHN ? d->evtchn[port].efd_in : -1;
	if (fd >= 0 && read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		fd = -1;
	pthread_mutex_unlock(&d->lock);
	if (fd >= 0)
		evtchn_set_pending(d, port);
}

/* The peer's end of a closing guest-to-guest channel goes back to waiting
 * for d, as in Xen; interdomain_lock held. */
static void unbind_peer(struct domain *d, uint32_t port)
{
	struct evtchn *c = &d->evtchn[port];
	struct domain *r = c->remote_dom == d->domid ? d : domain_ref(c->remote_dom);
	struct evtchn *rc;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	rc = &r->evtchn[c->remote_port];
	if (guest_peer(rc) && rc->remote_dom == d->domid && rc->remote_port == port) {
		rc->state = ECS_UNBOUND;
		rc->remote_port = 0;
	}
	pthread_mutex_unlock(&r->lock);
	if (r != d)
		domain_unref(r);
}

int evtchn_close_port(struct domain *d, uint32_t port)
{
	int ret = 0;

	if (port == 0 || port >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	pthread_mutex_lock(&interdomain_lock);
	pthread_mutex_lock(&d->lock);
	if (d->evtchn[port].state == ECS_FREE || d->evtchn[port].state == ECS_RESERVED) {
		ret = -XEN_EINVAL;
	} else {
		if (guest_peer(&d->evtchn[port]))
			unbind_peer(d, port);
		evtchn_free(d, port);
		/* As Xen's evtchn_free: what was raised for the old binding
		 * must not fire for the next one on the same port (Linux's
		 * lock-kick IPI, bound again when a vCPU comes back up,
		 * BUG()s if it fires). */
		__atomic_fetch_and(&priv_shared_info(d)->evtchn_pending[port / 64],
		    ~(1ull << (port % 64)), __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&interdomain_lock);
	return ret;
}

/* d is going: every guest bound to it is left waiting for it again. */
void evtchn_domain_gone(struct domain *d)
{
	uint32_t p;

	pthread_mutex_lock(&interdomain_lock);
	pthread_mutex_lock(&d->lock);
	for (p = 1; p < HV_NR_EVTCHN; p++)
		if (guest_peer(&d->evtchn[p]))
			unbind_peer(d, p);
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&interdomain_lock);
}

/* Bind a port of d to remote's port rport, which must be waiting for d. */
static long evtchn_bind_interdomain(struct domain *d, uint32_t remote,
    uint32_t rport, uint32_t *lport)
{
	struct domain *r;
	struct evtchn *rc;
	long ret;

	if (remote == DOMID_SELF)
		remote = d->domid;
	ret = domain_xsm(XSM_EVTCHN_INTERDOMAIN, d, remote);
	if (ret < 0)
		return ret;
	if (rport == 0 || rport >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	r = remote == d->domid ? d : domain_ref(remote);
	if (r == NULL)
		return -XEN_ESRCH;
	pthread_mutex_lock(&interdomain_lock);
	pthread_mutex_lock(&d->lock);
	if (r != d)
		pthread_mutex_lock(&r->lock);
	rc = &r->evtchn[rport];
	if (rc->state != ECS_UNBOUND || rc->remote_dom != d->domid)
		ret = -XEN_EINVAL;
	else
		ret = evtchn_get_free(d, lport);
	if (ret == 0) {
		d->evtchn[*lport].state = ECS_INTERDOMAIN;
		d->evtchn[*lport].remote_dom = r->domid;
		d->evtchn[*lport].remote_port = rport;
		rc->state = ECS_INTERDOMAIN;
		rc->remote_port = *lport;
	}
	if (r != d)
		pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&interdomain_lock);
	if (r != d)
		domain_unref(r);
	/* As Xen does: the new port starts pending, so the guest looks. */
	if (ret == 0)
		evtchn_set_pending(d, *lport);
	return ret;
}

/* Raise the peer's end of a guest-to-guest channel, if it still is one. */
static long send_to_guest(struct domain *d, uint32_t port, uint32_t remote,
    uint32_t rport)
{
	struct domain *r = remote == d->domid ? d : domain_ref(remote);
	bool bound;

	if (r == NULL)
		return 0;	/* the peer is going: dropped */
	pthread_mutex_lock(&r->lock);
	bound = rport < HV_NR_EVTCHN && guest_peer(&r->evtchn[rport]) &&
	    r->evtchn[rport].remote_dom == d->domid &&
	    r->evtchn[rport].remote_port == port;
	pthread_mutex_unlock(&r->lock);
	if (bound)
		evtchn_set_pending(r, rport);
	if (r != d)
		domain_unref(r);
	return 0;
}

long evtchn_send(struct domain *d, uint32_t port)
{
	struct evtchn *c;
	uint64_t one = 1;
	long ret = 0;
	bool ipi = false, to_guest = false;
	uint32_t remote = 0, rport = 0;
	int fd = -1;

	if (port >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	c = &d->evtchn[port];
	switch (c->state) {
	case ECS_INTERDOMAIN:
		ret = domain_xsm(XSM_EVTCHN_SEND, d, c->remote_dom);
		fd = c->efd_out;
		if (ret == 0 && fd >= 0 && write(fd, &one, sizeof(one)) < 0 &&
		    errno != EAGAIN)
			ret = -XEN_EIO;
		if (ret == 0 && guest_peer(c)) {
			remote = c->remote_dom;
			rport = c->remote_port;
			to_guest = true;
		}
		break;
	case ECS_IPI:
		ret = domain_xsm(XSM_EVTCHN_SEND, d, DOMID_SELF);
		ipi = ret == 0;
		break;
	case ECS_UNBOUND:
		break;	/* nobody listens yet: dropped, as in Xen */
	default:
		ret = -XEN_EINVAL;
	}
	pthread_mutex_unlock(&d->lock);
	if (ipi)
		evtchn_set_pending(d, port);
	if (to_guest)
		ret = send_to_guest(d, port, remote, rport);
	return ret;
}

static long evtchn_bind_virq(struct vcpu *v, struct evtchn_bind_virq *b)
{
	struct domain *d = v->d;
	uint32_t port;
	long ret;

	if (b->virq >= NR_VIRQS || b->vcpu >= d->nr_vcpus)
		return -XEN_EINVAL;
	if (b->virq != VIRQ_TIMER && b->virq != VIRQ_DEBUG && b->vcpu != 0)
		return -XEN_EINVAL;	/* global VIRQs go to vCPU 0 */
	pthread_mutex_lock(&d->lock);
	ret = d->virq_port[b->vcpu][b->virq] ? -XEN_EEXIST : evtchn_get_free(d, &port);
	if (ret == 0) {
		d->evtchn[port].state = ECS_VIRQ;
		d->evtchn[port].virq = b->virq;
		d->evtchn[port].vcpu = b->vcpu;
		d->virq_port[b->vcpu][b->virq] = port;
		b->port = port;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

static long evtchn_bind_ipi(struct vcpu *v, struct evtchn_bind_ipi *b)
{
	struct domain *d = v->d;
	uint32_t port;
	long ret;

	if (b->vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&d->lock);
	ret = evtchn_get_free(d, &port);
	if (ret == 0) {
		d->evtchn[port].state = ECS_IPI;
		d->evtchn[port].vcpu = b->vcpu;
		b->port = port;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

static long evtchn_status(struct domain *d, struct evtchn_status *st)
{
	struct evtchn *c;

	if (st->dom != DOMID_SELF && st->dom != d->domid)
		return -XEN_ESRCH;	/* only our own ports are ours to read */
	if (st->port >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	c = &d->evtchn[st->port];
	st->status = c->state == ECS_RESERVED ? EVTCHNSTAT_closed : c->state;
	st->vcpu = c->vcpu;
	if (c->state == ECS_UNBOUND)
		st->u.unbound.dom = c->remote_dom;
	else if (c->state == ECS_INTERDOMAIN) {
		st->u.interdomain.dom = c->remote_dom;
		st->u.interdomain.port = c->remote_port;
	} else if (c->state == ECS_VIRQ)
		st->u.virq = c->virq;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* As Xen's 2-level unmask: only a port that was masked and is pending is
 * raised; its pending bit is left alone (clearing it, even for a moment,
 * would let a poller or the guest's own scan miss it). */
static long evtchn_unmask(struct domain *d, uint32_t port)
{
	shared_info_t *s = priv_shared_info(d);
	uint64_t m = 1ull << (port % 64);

	if (port >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	if ((__atomic_fetch_and(&s->evtchn_mask[port / 64], ~m, __ATOMIC_SEQ_CST) & m) &&
	    (__atomic_load_n(&s->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) & m))
		evtchn_raise(d, port);
	return 0;
}

union evtchn_args {
	struct evtchn_alloc_unbound alloc;
	struct evtchn_bind_interdomain inter;
	struct evtchn_bind_virq virq;
	struct evtchn_bind_ipi ipi;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_unmask unmask;
	struct evtchn_bind_vcpu bvcpu;
	struct evtchn_reset reset;
};

static size_t evtchn_arg_size(int cmd)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound: return sizeof(struct evtchn_alloc_unbound);
	case EVTCHNOP_bind_interdomain: return sizeof(struct evtchn_bind_interdomain);
	case EVTCHNOP_bind_virq: return sizeof(struct evtchn_bind_virq);
	case EVTCHNOP_bind_ipi: return sizeof(struct evtchn_bind_ipi);
	case EVTCHNOP_close: return sizeof(struct evtchn_close);
	case EVTCHNOP_send: return sizeof(struct evtchn_send);
	case EVTCHNOP_status: return sizeof(struct evtchn_status);
	case EVTCHNOP_unmask: return sizeof(struct evtchn_unmask);
	case EVTCHNOP_bind_vcpu: return sizeof(struct evtchn_bind_vcpu);
	case EVTCHNOP_reset: return sizeof(struct evtchn_reset);
	default: return 0;
	}
}

long hc_event_channel_op(struct vcpu *v, uint64_t *a)
{
	struct domain *d = v->d;
	union evtchn_args u;
	size_t sz = evtchn_arg_size((int)a[0]);
	long ret;
	uint32_t port;

	if (sz == 0)
		return -XEN_ENOSYS;
	if (copy_from_guest(v, &u, a[1], sz) < 0)
		return -XEN_EFAULT;
	evtchn_current = v;
	switch (a[0]) {
	case EVTCHNOP_alloc_unbound:
		ret = domain_xsm(XSM_EVTCHN_UNBOUND, d, u.alloc.dom);
		if (ret < 0)
			return ret;
		/* Allocating in another domain would need privilege (above). */
		ret = evtchn_alloc_unbound(d, u.alloc.remote_dom, &port);
		u.alloc.port = port;
		break;
	case EVTCHNOP_bind_interdomain:
		ret = evtchn_bind_interdomain(d, u.inter.remote_dom, u.inter.remote_port,
		    &port);
		u.inter.local_port = port;
		break;
	case EVTCHNOP_bind_virq:
		ret = domain_xsm(XSM_EVTCHN_VIRQ, d, DOMID_SELF);
		if (ret == 0)
			ret = evtchn_bind_virq(v, &u.virq);
		break;
	case EVTCHNOP_bind_ipi:
		ret = evtchn_bind_ipi(v, &u.ipi);
		break;
	case EVTCHNOP_close:
		ret = domain_xsm(XSM_EVTCHN_CLOSE, d, DOMID_SELF);
		return ret < 0 ? ret : evtchn_close_port(d, u.close.port);
	case EVTCHNOP_send:
		return evtchn_send(d, u.send.port);
	case EVTCHNOP_status:
		ret = domain_xsm(XSM_EVTCHN_STATUS, d, u.status.dom);
		if (ret == 0)
			ret = evtchn_status(d, &u.status);
		break;
	case EVTCHNOP_unmask:
		return evtchn_unmask(d, u.unmask.port);
	case EVTCHNOP_bind_vcpu:
		if (u.bvcpu.port >= HV_NR_EVTCHN || u.bvcpu.vcpu >= d->nr_vcpus)
			return -XEN_EINVAL;
		pthread_mutex_lock(&d->lock);
		d->evtchn[u.bvcpu.port].vcpu = u.bvcpu.vcpu;
		pthread_mutex_unlock(&d->lock);
		return 0;
	case EVTCHNOP_reset:
		ret = domain_xsm(XSM_EVTCHN_RESET, d, u.reset.dom);
		if (ret < 0)
			return ret;
		/* Every port but those dom0 holds (the toolstack's). */
		for (port = 1; port < HV_NR_EVTCHN; port++) {
			bool close;

			pthread_mutex_lock(&d->lock);
			close = d->evtchn[port].state != ECS_FREE &&
			    d->evtchn[port].efd_in < 0;
			pthread_mutex_unlock(&d->lock);
			if (close)
				evtchn_close_port(d, port);
		}
		return 0;
	default:
		return -XEN_ENOSYS;
	}
	if (ret == 0 && copy_to_guest(v, a[1], &u, sz) < 0)
		ret = -XEN_EFAULT;
	return ret;
}

long evtchn_op(struct vcpu *v, int cmd, uint64_t arg)
{
	uint64_t a[6] = { (uint64_t)cmd, arg, 0, 0, 0, 0 };

	return hc_event_channel_op(v, a);
}
