/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket protocol between dom0 processes and palisade-hv:
 * privcmd over a SOCK_SEQPACKET Unix socket. Every message is one packet:
 * a ctl_hdr followed by the fixed-layout body of its type. Replies carry the
 * request's type, a status (0 or a negative Xen errno) and may carry one file
 * descriptor through SCM_RIGHTS.
 */
#ifndef PALISADE_CTL_H
#define PALISADE_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "palisade/acmpol.h"

#define CTL_MAGIC	0x50414c31u	/* "PAL1" */
#define CTL_VERSION	3
/* A refused request's reply may carry why, in plain words: a body of
 * exactly CTL_ERROR_LEN bytes (libpalctl keeps it in palctl.error). */
#define CTL_ERROR_LEN	1024
#define CTL_MAX_MSG	4096
#define CTL_NAME_LEN	64
#define CTL_SOCKET	"palisade-hv.sock"
#define CTL_DEFAULT_RUNDIR "/run/palisade"

enum ctl_type {
	CTL_DOMAIN_CREATE = 1,
	CTL_DOMAIN_DESTROY,
	CTL_DOMAIN_PAUSE,
	CTL_DOMAIN_UNPAUSE,
	CTL_DOMAIN_SHUTDOWN,
	CTL_DOMAIN_GETINFO,
	CTL_DOMAIN_RAMFD,
	CTL_VCPU_SETCONTEXT,
	CTL_FOREIGN_MAP,
	CTL_EVTCHN_ALLOC_UNBOUND,
	CTL_EVTCHN_BIND_INTERDOMAIN,
	CTL_EVTCHN_CLOSE,
	CTL_SET_LOGLEVEL,
	CTL_XSM_INFO,
	CTL_GNT_MAP,
	CTL_GNT_UNMAP,
	CTL_XSM_LOAD,
	CTL_GNT_BUF_REGISTER,
	CTL_GNT_BUF_UNREGISTER,
	CTL_GNT_COPY,
	CTL_XSM_CHECK,
	CTL_XSM_GET,
	CTL_HVM_SETCONTEXT,
	CTL_DOMAIN_SETMAXMEM,
	CTL_TYPE_MAX
};

struct ctl_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;		/* bytes of body after the header */
	int32_t status;		/* replies: 0 or -XEN_Exxx */
};

/* Domain states reported by GETINFO. */
enum ctl_dom_state {
	CTL_DOM_PAUSED = 1,
	CTL_DOM_RUNNING,
	CTL_DOM_BLOCKED,
	CTL_DOM_SHUTDOWN,
	CTL_DOM_DYING,
};

/* What happens when a guest shuts down for a reason (xl's on_* actions). */
enum ctl_action {
	CTL_ACT_DESTROY = 0,
	CTL_ACT_PRESERVE,
	CTL_ACT_RESTART,
};

struct ctl_domain_create {
	char name[CTL_NAME_LEN];
	uint64_t mem_kb;
	uint64_t max_mem_kb;
	uint32_t vcpus;
	uint8_t on_poweroff, on_reboot, on_crash;
	uint8_t type;			/* enum ctl_dom_type */
	uint8_t uuid[16];
	char label[ACMPOL_NAME_LEN];	/* security label (seclabel=), "" for none */
	char policy[ACMPOL_NAME_LEN];	/* the policy it names, "" for any */
};

/* What kind of guest a domain is (xl's type=). */
enum ctl_dom_type {
	CTL_DOM_PV = 0,		/* kernel and user code at CPL3, Xen's PV ABI */
	CTL_DOM_HVM,		/* unmodified code from its first instruction */
	CTL_DOM_PVH,		/* HVM booted at XEN_ELFNOTE_PHYS32_ENTRY */
	CTL_DOM_TYPE_MAX
};

/* Reply to CREATE. */
struct ctl_domain_created {
	uint32_t domid;
	uint32_t pad;
	uint64_t shared_info_mfn;	/* for start_info.shared_info */
};

struct ctl_domid {
	uint32_t domid;
	uint32_t arg;		/* SHUTDOWN: SHUTDOWN_* reason; SETMAXMEM: KiB */
};

struct ctl_domain_info {
	uint32_t domid;
	uint32_t state;		/* enum ctl_dom_state */
	uint32_t shutdown_reason; /* SHUTDOWN_*, valid in CTL_DOM_SHUTDOWN */
	uint32_t vcpus;
	uint64_t mem_kb;		/* populated now */
	uint64_t max_mem_kb;		/* its RAM's size (maxmem) */
	uint64_t limit_kb;		/* what it may populate (SETMAXMEM) */
	uint64_t cpu_time_ns;
	uint64_t exits;
	char name[CTL_NAME_LEN];
	uint8_t uuid[16];
	char label[ACMPOL_NAME_LEN];	/* its security label, "" for none */
	uint32_t type;			/* enum ctl_dom_type */
	uint32_t vcpus_online;
};

/* GETINFO: domid is the first domain wanted; the reply lists up to
 * CTL_INFO_MAX domains with domid >= it, in order. */
#define CTL_INFO_MAX 32
struct ctl_getinfo_req {
	uint32_t first_domid;
	uint32_t max;
};
struct ctl_getinfo_rep {
	uint32_t count;
	uint32_t pad;
	struct ctl_domain_info dom[CTL_INFO_MAX];
};

/* Initial register state of a vCPU, as the domain builder wants it. */
struct ctl_vcpu_context {
	uint32_t domid;
	uint32_t vcpu;
	uint64_t rip, rsp, rsi, rflags;
	uint64_t cr3;			/* guest-physical address of the L4 */
	uint64_t kernel_ss, kernel_sp;
	uint32_t console_evtchn;
	uint32_t store_evtchn;
	uint64_t console_pfn, store_pfn, start_info_pfn;
};

/*
 * HVM_SETCONTEXT: where an HVM or PVH domain's boot processor starts. Real
 * mode: CS:IP = 0:rip. Protected mode: flat 4 GiB segments, paging off
 * (the PVH and multiboot entry state). The special pages and ports are
 * what the guest reads back as HVM params.
 */
enum ctl_hvm_mode { CTL_HVM_REAL16 = 1, CTL_HVM_PROT32 };
struct ctl_hvm_context {
	uint32_t domid;
	uint32_t mode;			/* enum ctl_hvm_mode */
	uint64_t rip, rax, rbx, rsp;
	uint64_t console_pfn, store_pfn;
	uint32_t console_evtchn, store_evtchn;
};

struct ctl_foreign_map {
	uint32_t domid;
	uint32_t pad;
	uint64_t pfn;
};

struct ctl_evtchn {
	uint32_t domid;		/* the domain the port lives in */
	uint32_t remote_domid;
	uint32_t port;		/* BIND: remote port; replies: local port */
	uint32_t pad;
};

/* GNT_MAP: map grant ref of domid for dom0 (reply: handle, and the page's
 * memfd, read-only when flags has CTL_GNT_READONLY). GNT_UNMAP: handle. */
#define CTL_GNT_READONLY 1u
struct ctl_gnt {
	uint32_t domid;
	uint32_t ref;
	uint32_t flags;
	uint32_t handle;
};

/*
 * Grant copy for dom0 processes, what libxengnttab's grant copy gives Xen's
 * backends: the process registers buffers (GNT_BUF_REGISTER: the memfd
 * passed, size bytes in whole pages; reply: id) and copies between them
 * and pages granted to dom0 (GNT_COPY: each segment gets a GNTST_ status).
 * Buffers belong to the connection that registered them.
 */
#define CTL_GNT_BUF_MAX		64		/* per connection */
#define CTL_GNT_BUF_MAX_SIZE	(64u << 20)
struct ctl_gnt_buf {
	uint32_t id;
	uint32_t pad;
	uint64_t size;
};

#define CTL_GNT_COPY_MAX	128		/* segments per request */
#define CTL_GNT_COPY_TO_GUEST	1u		/* else from the guest's page */
struct ctl_gnt_copy_seg {
	uint32_t flags;
	uint32_t ref;		/* granted to dom0 by domid */
	uint16_t domid;
	uint16_t offset;	/* in the granted page */
	uint16_t len;		/* offset + len <= 4096 */
	int16_t status;		/* reply */
	uint32_t buf;		/* registered buffer id */
	uint32_t buf_offset;
};

struct ctl_gnt_copy {
	uint32_t count;
	uint32_t pad;
	struct ctl_gnt_copy_seg seg[CTL_GNT_COPY_MAX];
};

/* XSM_CHECK: what a dom0 service asks the security module on a guest's
 * behalf ("hooks in the I/O domain"): may src do hook to dst? Only the
 * store and resource hooks can be asked; a denial is audited. */
enum ctl_xsm_ask {
	CTL_ASK_STORE,		/* src reads or writes dst's store nodes */
	CTL_ASK_DISK, CTL_ASK_VLAN, CTL_ASK_VTPM,	/* resources of dst's */
	CTL_ASK_MAX
};
struct ctl_xsm_check {
	uint32_t ask;		/* enum ctl_xsm_ask */
	uint32_t src, dst;	/* domids; a resource ask names no dst */
	uint32_t pad;
	/* Resource asks: the resource ("file:/img/a.img", "vlan:10") and its
	 * label from dom0's resource label database ("" for none). */
	char resource[128];
	char label[ACMPOL_NAME_LEN];
	char policy[ACMPOL_NAME_LEN];	/* the policy the label is of */
};

/* XSM_INFO reply: the active security module and its counters. */
struct ctl_xsm_info {
	char module[32];
	char policy[32];	/* the loaded ACM policy's name, or "" */
	uint64_t checks;
	uint64_t denials;
};

/* XSM_LOAD: a binary ACM policy (acmpol.h) of size bytes in the memfd
 * passed with the request; the reply's body says what is wrong with it. */
struct ctl_xsm_load {
	uint32_t size;
	uint32_t flags;		/* CTL_XSM_LOAD_FORCE: relabel running domains */
};
#define CTL_XSM_LOAD_FORCE	1u

/* XSM_GET: the active ACM policy, as loaded, in a memfd of size bytes
 * passed with the reply (none when no policy is loaded). */
struct ctl_xsm_get {
	uint32_t size;
	uint32_t pad;
};

union ctl_body {
	struct ctl_domain_create create;
	struct ctl_domid dom;
	struct ctl_domain_created created;
	struct ctl_getinfo_req getinfo;
	struct ctl_vcpu_context vcpu;
	struct ctl_hvm_context hvm;
	struct ctl_foreign_map fmap;
	struct ctl_evtchn evtchn;
	struct ctl_xsm_info xsm;
	struct ctl_gnt gnt;
	struct ctl_xsm_load load;
	struct ctl_gnt_buf buf;
	struct ctl_gnt_copy copy;
	struct ctl_xsm_check check;
	struct ctl_xsm_get get;
	char error[CTL_ERROR_LEN];
	uint32_t level;
};

struct ctl_msg {
	struct ctl_hdr hdr;
	union {
		union ctl_body req;
		struct ctl_getinfo_rep info;
		uint8_t raw[CTL_MAX_MSG - sizeof(struct ctl_hdr)];
	} u;
};

/* Expected body size of a request of this type, or -1 for an unknown type. */
ssize_t ctl_req_size(uint16_t type);

#define CTL_MAX_FDS 2

/*
 * Send one message with up to CTL_MAX_FDS descriptors. Receive one message:
 * checks magic, version, that len matches what was read and fits; returns
 * the body length or -errno. fds[] receives passed descriptors (*nfds of
 * them); any beyond CTL_MAX_FDS are closed.
 */
int ctl_send(int sock, const struct ctl_msg *m, const int *fds, unsigned int nfds);
ssize_t ctl_recv(int sock, struct ctl_msg *m, int *fds, unsigned int *nfds);

#endif
