/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libpalctl: what dom0 tools use to drive palisade-hv. The control-socket
 * client, the xl.cfg parser, the ELF/Xen-notes loader and the PV domain
 * builder.
 */
#ifndef PALCTL_H
#define PALCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "palisade/ctl.h"

/* --- control socket client (client.c) ------------------------------- */
struct palctl {
	int fd;
	char error[CTL_ERROR_LEN];	/* why the last refused request was refused, or "" */
};

int palctl_open(struct palctl *c);		/* -errno */
void palctl_close(struct palctl *c);
/* Send req (type, body of len bytes); wait for the reply. Returns the
 * reply's status (0 or -XEN_E*) or -errno on transport failure. */
int palctl_call(struct palctl *c, uint16_t type, const void *body, size_t len,
    struct ctl_msg *rep, int *fds, unsigned int *nfds);
int palctl_domain_info(struct palctl *c, uint32_t domid, struct ctl_domain_info *out);
int palctl_domid_op(struct palctl *c, uint16_t type, uint32_t domid, uint32_t arg);
/* Map grant ref of domid for this process (as libxengnttab does): returns
 * the page's memfd (read-only if asked) and a handle, or -errno. Unmapping
 * revokes: a mapping of the memfd kept after it sees no later write. */
int palctl_gnt_map(struct palctl *c, uint32_t domid, uint32_t ref, bool readonly,
    uint32_t *handle);
int palctl_gnt_unmap(struct palctl *c, uint32_t handle);
/* Grant copy (as libxengnttab's): register a memfd of size bytes (whole
 * pages) as a buffer, then copy segments between buffers and pages
 * granted to dom0; each segment gets its GNTST_ status. Buffers go with
 * the connection. */
int palctl_gnt_buf_register(struct palctl *c, int fd, uint64_t size, uint32_t *id);
int palctl_gnt_buf_unregister(struct palctl *c, uint32_t id);
int palctl_gnt_copy(struct palctl *c, struct ctl_gnt_copy_seg *seg, unsigned int n);
/* Event channels (evtchn.c), as libxenevtchn gives Xen's backends. */
struct palctl_evtchn {
	uint32_t domid, port;	/* the guest and its port */
	int event_fd;		/* an eventfd, readable when the guest sent */
	int notify_fd;		/* an eventfd: writing it notifies the guest */
};
/* A port in domid for remote_domid to bind (for dom0: 0). */
int palctl_evtchn_offer(struct palctl *c, uint32_t domid, uint32_t remote_domid,
    uint32_t *port);
/* Bind to the port domid offered to dom0 (binding it again after a
 * restart is allowed). */
int palctl_evtchn_bind(struct palctl *c, uint32_t domid, uint32_t port,
    struct palctl_evtchn *e);
int palctl_evtchn_notify(const struct palctl_evtchn *e);
/* Events the guest sent since the last wait (> 0), 0 after timeout_ms
 * (-1: no limit) with none, or -errno. */
int palctl_evtchn_wait(const struct palctl_evtchn *e, int timeout_ms);
/* Close our end: the guest's port waits for dom0 again. */
int palctl_evtchn_unbind(struct palctl *c, struct palctl_evtchn *e);
/* The store (xsclient.c): palstored's socket, one request at a time;
 * watch events that come meanwhile are kept for palctl_xs_event. */
#define PALCTL_XS_EVENTS 32
struct palctl_xs {
	int fd;
	char ev[PALCTL_XS_EVENTS][256];	/* "path\0token\0" */
	unsigned int ev_head, ev_tail;
	bool ev_lost;			/* some did not fit: look at everything */
	uint32_t tx;			/* the open transaction requests go in, or 0 */
};
int palctl_xs_open(struct palctl_xs *x);	/* -errno: not running */
void palctl_xs_close(struct palctl_xs *x);
/* One request (type from xs_wire.h); the reply's payload into reply (up
 * to *rlen bytes; *rlen set to what came). -errno from XS_ERROR. */
int palctl_xs_request(struct palctl_xs *x, uint32_t type, const void *payload,
    size_t len, char *reply, size_t *rlen);
int palctl_xs_request_tx(struct palctl_xs *x, uint32_t type, uint32_t tx,
    const void *payload, size_t len, char *reply, size_t *rlen);
int palctl_xs_write(struct palctl_xs *x, const char *path, const char *value);
/* Requests after a start go in the transaction until its end (-EAGAIN:
 * it conflicted, and nothing of it happened). */
int palctl_xs_txn_start(struct palctl_xs *x);
int palctl_xs_txn_end(struct palctl_xs *x, bool commit);
int palctl_xs_read(struct palctl_xs *x, const char *path, char *value, size_t n);
/* Children of path as NUL-separated names into buf; their count or -errno. */
int palctl_xs_directory(struct palctl_xs *x, const char *path, char *buf, size_t n);
/* Every child of path however many (XS_DIRECTORY_PART, again from the
 * start if the node changes meanwhile): NUL-separated names in a buffer
 * for the caller to free, their count, or -errno. */
int palctl_xs_children(struct palctl_xs *x, const char *path, char **names);
int palctl_xs_watch(struct palctl_xs *x, const char *path, const char *token);
/* The next watch event (1), none within timeout_ms (0), or -errno. */
int palctl_xs_event(struct palctl_xs *x, char *path, size_t pn, char *token,
    size_t tn, int timeout_ms);
/* A device for the toolstack to offer: the frontend's and the backend's
 * directories (device/TYPE/ID under the frontend, backend/TYPE/FE/ID under
 * the backend), each owned by its side and readable by the other, with
 * extra "key=value" pairs for each, written in one transaction. Removing
 * them detaches. */
int palctl_xs_dev_add(struct palctl_xs *x, const char *type, uint32_t fe,
    uint32_t be, uint32_t devid, const char *const *frontend_kv,
    const char *const *backend_kv);
int palctl_xs_dev_remove(struct palctl_xs *x, const char *type, uint32_t fe,
    uint32_t be, uint32_t devid);
int palctl_xs_rm(struct palctl_xs *x, const char *path);
/* ACL: owner entry (e.g. "n0") and optionally one more (e.g. "r5"). */
int palctl_xs_set_perms(struct palctl_xs *x, const char *path, const char *owner,
    const char *other);
/* A new domain's standard nodes (/local/domain/N: name, domid, vm,
 * memory/target, store and console ring-ref and port; data, device and control for the guest to
 * write; /vm/UUID) and XS_INTRODUCE, as xl does. */
struct palctl_xs_domain {
	uint32_t domid;
	const char *name;
	const char *uuid;
	uint64_t memory_kb, static_max_kb;
	uint64_t store_mfn, console_mfn;
	uint32_t store_port, console_port;
	unsigned int vcpus, maxvcpus;	/* cpu/N/availability: online below vcpus */
};
int palctl_xs_introduce(struct palctl_xs *x, const struct palctl_xs_domain *d);
/* cpu/N/availability, which Linux's cpu_hotplug.c watches. */
int palctl_xs_vcpu_avail(struct palctl_xs *x, uint32_t domid, unsigned int vcpu,
    bool online);
/*
 * The backend side of the xenbus state machine (xbback.c), for every
 * backend: devices the toolstack adds under backend/TYPE are probed (the
 * backend publishes its features) and wait in InitWait; the frontend
 * Initialised or Connected, they connect and are Connected; the frontend
 * closing (or online=0), they disconnect and go through Closing to
 * Closed. The backend polls xb_backend_fd and calls xb_backend_poll.
 */
#define XB_MAX_DEVS 64
struct xb_backend;
struct xb_dev {
	struct xb_backend *b;
	bool used, connected;
	bool stale;			/* its frontend is Connected to a backend
					 * before us: wait for it to start over */
	uint32_t fe, devid;		/* the frontend's domain and device id */
	long fe_seen;			/* the frontend's state when last looked at */
	char be_path[128], fe_path[128];
	int state;			/* ours: enum xenbus_state */
	void *priv;			/* the backend's own */
};
struct xb_ops {
	const char *type;		/* "vbd", "vif", "vtpm", ... */
	int (*probe)(struct xb_dev *d);
	int (*connect)(struct xb_dev *d);
	void (*disconnect)(struct xb_dev *d);
	void (*remove)(struct xb_dev *d);	/* the device is gone: free priv */
};
struct xb_backend {
	struct palctl_xs x;
	const struct xb_ops *ops;
	char root[96];
	struct xb_dev dev[XB_MAX_DEVS];
};
int xb_backend_open(struct xb_backend *b, const struct xb_ops *ops);
int xb_backend_fd(const struct xb_backend *b);
void xb_backend_poll(struct xb_backend *b, int timeout_ms);
void xb_backend_close(struct xb_backend *b);
/* A backend daemon's start: the store opened, its status socket sock
 * listening (its fd returned), and into the background unless foreground.
 * -1 after saying why on stderr (as name). */
int xb_backend_serve(struct xb_backend *b, const struct xb_ops *ops, const char *name,
    const char *sock, bool foreground);
/* A node in the device's backend directory, or one the frontend wrote. */
int xb_dev_write(struct xb_dev *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int xb_dev_read(struct xb_dev *d, const char *key, char *buf, size_t n);
int xb_dev_read_fe(struct xb_dev *d, const char *key, char *buf, size_t n);

/* Ask the security module on a guest's behalf: may src reach dst's store
 * nodes? 0, or -EPERM (audited; c->error says why). */
int palctl_xsm_check(struct palctl *c, enum ctl_xsm_ask ask, uint32_t src, uint32_t dst);
/* May domid use resource (CTL_ASK_DISK/VLAN/VTPM), labelled label of policy
 * in dom0's resource label database ("" and "": unlabelled)? */
int palctl_xsm_check_resource(struct palctl *c, enum ctl_xsm_ask ask, uint32_t domid,
    const char *resource, const char *policy, const char *label);
/* Load a binary ACM policy (flags: CTL_XSM_LOAD_FORCE); on refusal err says
 * what is wrong with it, or which running domains it conflicts with. */
int palctl_xsm_load(struct palctl *c, const void *policy, size_t len, uint32_t flags,
    char *err, size_t n);
/* The active policy's binary (malloc'ed; NULL and 0 when none is loaded). */
int palctl_xsm_get(struct palctl *c, void **policy, size_t *len);
/* --- the resource label database (labeldb.c) ------------------------------ */

/*
 * Which label each resource carries, for the security policy: one line per
 * resource, "RESOURCE ACM:POLICY:LABEL". Resources are named as Xen named
 * them: "file:/abs/path" (image files), "phy:/dev/..." (block devices),
 * "vlan:N", "vtpm:NAME". The file is $PALISADE_LABELDB, or
 * /var/lib/palisade/resource-labels; changes replace it atomically.
 */
#define LABELDB_DEFAULT "/var/lib/palisade/resource-labels"
#define LABELDB_RES_LEN 128

const char *labeldb_path(void);
/* The canonical name of what spec names ("file:/x", "/x", "phy:/dev/x",
 * "vlan:10", "vtpm:NAME"): 0, or -EINVAL with err saying why. */
int labeldb_resource(const char *spec, char *out, size_t n, char *err, size_t en);
/* The disk image at path, named as a resource (file: or phy:). */
int labeldb_disk_resource(const char *path, char *out, size_t n);
/* resource's label: 0 with policy and label set, -ENOENT if it has none,
 * or -errno. */
int labeldb_get(const char *resource, char *policy, size_t pn, char *label, size_t ln);
/* Give resource a label (replacing any), or take it away (-ENOENT: had none). */
int labeldb_set(const char *resource, const char *policy, const char *label);
int labeldb_remove(const char *resource);
/* Every entry, in file order; fn's return != 0 stops. 0, or -errno. */
int labeldb_each(int (*fn)(const char *resource, const char *policy, const char *label,
    void *arg), void *arg);
/* Split "ACM:POLICY:LABEL" (or "POLICY:LABEL"): 0, or -EINVAL. */
int policy_split_label(const char *s, char *policy, size_t pn, char *label, size_t ln);
/* May domid use resource (ask: CTL_ASK_DISK, _VLAN, _VTPM), as labelled in
 * the database? 0, or -XEN_EPERM with why (n bytes) in plain words, or
 * another error. */
int palctl_resource_allowed(struct palctl *c, enum ctl_xsm_ask ask, uint32_t domid,
    const char *resource, char *why, size_t n);
/* The same for the disk image at path. */
int palctl_disk_allowed(struct palctl *c, uint32_t domid, const char *path, char *why,
    size_t n);

/* Resolve a name or number to a domid. */
int palctl_lookup(struct palctl *c, const char *name, uint32_t *domid);
const char *palctl_strerror(int err);
/* Why the last request failed with err: the hypervisor's words if it gave
 * some (c->error), else err's. */
const char *palctl_why(const struct palctl *c, int err);

/* --- xl.cfg (xlcfg.c) -------------------------------------------------- */
#define XLCFG_MAX_LIST 16

struct xlcfg_value {
	enum { XLV_STRING, XLV_NUMBER, XLV_LIST } type;
	char *str;			/* XLV_STRING, XLV_NUMBER (as written) */
	long long num;			/* XLV_NUMBER */
	char *list[XLCFG_MAX_LIST];	/* XLV_LIST */
	unsigned int nlist;
};

struct xlcfg_entry {
	char *key;
	struct xlcfg_value val;
	unsigned int line;
	struct xlcfg_entry *next;
};

struct xlcfg {
	struct xlcfg_entry *head;
	char err[256];			/* "file:line: what" on failure */
};

int xlcfg_parse(struct xlcfg *cfg, const char *text, const char *fname);
int xlcfg_parse_file(struct xlcfg *cfg, const char *path);
void xlcfg_free(struct xlcfg *cfg);

/* --- disks (diskspec.c) ------------------------------------------------- */
struct diskspec {
	char target[512];		/* the image: a file or a block device */
	char vdev[16];			/* as written: xvda, hdb, ... */
	uint32_t devid;			/* its number (vbd-interface) */
	bool readonly, cdrom;
	unsigned int sector_size;	/* 0: the image's own */
};
/* One disk in xl's syntax ("format=raw, vdev=xvda, access=rw,
 * target=/img"); on error err says what is wrong. */
int diskspec_parse(const char *spec, struct diskspec *d, char *err, size_t n);
int vdev_to_devid(const char *vdev, uint32_t *devid);
/* blkdev.c: offer disk d to domain domid (palblkback serves it), after
 * checking the image, the vdev and the image's other users; take it back
 * (after the backend closed it, unless force). err says why not. */
struct palctl_xs;
int pal_disk_attach(struct palctl *c, struct palctl_xs *x, uint32_t domid,
    const struct diskspec *d, char *err, size_t n);
int pal_disk_detach(struct palctl_xs *x, uint32_t domid, uint32_t devid, bool force,
    char *err, size_t n);

/* --- network interfaces (vif.c) --------------------------------------- */
struct vifspec {
	uint8_t mac[6];
	bool has_mac;			/* else a random 00:16:3e:.. one */
	char bridge[32];		/* the switch: sw0 */
	uint16_t vlan;			/* an access port's VLAN, or 0 with trunk */
	char trunk[256];		/* "10,20": a trunk's VLANs */
	uint64_t rate_bps;		/* 0: unlimited */
};
/* One vif in xl's syntax plus vlan=/trunk=; err says what is wrong. */
int vifspec_parse(const char *spec, struct vifspec *v, char *err, size_t n);
/* Offer vif devid to domain domid (palnetback serves it), once the policy
 * lets it on every VLAN; take it back. err says why not. */
int pal_vif_attach(struct palctl *c, struct palctl_xs *x, uint32_t domid, uint32_t devid,
    struct vifspec *v, char *err, size_t n);
int pal_vif_detach(struct palctl_xs *x, uint32_t domid, uint32_t devid, char *err, size_t n);
/* Ask palnetback ("show", "list DOMID"): its answer to out. */
int pal_netback_query(const char *request, FILE *out);

/* --- virtual TPMs (vtpmdev.c) ------------------------------------------ */
#define VTPM_STATE_DIR "/var/lib/palisade/vtpm"
/* Where palvtpmd keeps instance state: $PALISADE_VTPM_DIR or the default. */
const char *vtpm_state_dir(void);
struct domcfg;
/* xl's vtpm spec ("backend=0"): 0, or -EINVAL with err. */
int vtpmspec_parse(const char *spec, char *err, size_t n);
/* "4:KERNEL 5:RAMDISK 8:CMDLINE" (SHA-256, hex) of what cfg boots. */
int pal_launch_measurements(const struct domcfg *cfg, char *out, size_t n);
/* Give domain domid its vTPM (the instance named for the domain), with the
 * launch measurements its instance extends first. */
int pal_vtpm_attach(struct palctl *c, struct palctl_xs *x, uint32_t domid,
    const char *measurements, char *err, size_t n);

/* --- domain configuration (domcfg.c) ------------------------------------ */
#define DOMCFG_MAX_DISKS 8
#define DOMCFG_MAX_VIFS 8
struct domcfg {
	char name[CTL_NAME_LEN];
	char type[8];
	char kernel[512];
	char ramdisk[512];
	char cmdline[1024];
	uint64_t memory_mb, maxmem_mb;
	unsigned int vcpus;		/* online at start */
	unsigned int maxvcpus;		/* the domain's vCPUs: more can come online */
	uint8_t on_poweroff, on_reboot, on_crash;
	uint8_t uuid[16];
	char seclabel[ACMPOL_NAME_LEN];	/* the label part of seclabel= */
	char seclabel_policy[ACMPOL_NAME_LEN];	/* its policy part, "" if none */
	struct diskspec disks[DOMCFG_MAX_DISKS];
	unsigned int ndisks;
	struct vifspec vifs[DOMCFG_MAX_VIFS];
	unsigned int nvifs;
	bool vtpm;			/* vtpm = [ 'backend=0' ] */
};

/* Fill d from a parsed config; on error, cfg->err says what and where. */
int domcfg_from_xlcfg(struct domcfg *d, struct xlcfg *cfg, const char *fname);
int domcfg_action(const char *s, uint8_t *out);
uint8_t domcfg_type(const struct domcfg *d);	/* enum ctl_dom_type */

/* --- ELF and Xen notes (elf.c) -------------------------------------------- */
struct elf_seg {
	uint64_t vaddr, paddr, filesz, memsz, offset;
};

struct xen_notes {
	bool have_entry, have_hypercall_page, have_virt_base, have_paddr_offset;
	uint64_t entry, hypercall_page, virt_base, paddr_offset;
	bool have_phys32_entry;
	uint64_t phys32_entry;		/* XEN_ELFNOTE_PHYS32_ENTRY (PVH) */
	char guest_os[64], guest_version[64], xen_version[64], loader[64];
	char features[512];
	uint32_t supported_features[1];
	bool found;
};

/* A kernel as the builder takes it (kimage.c): the file itself, or the ELF
 * image unpacked from a bzImage's compressed payload (buf, to be freed). */
struct kimage {
	const void *data;
	size_t size;
	void *buf;
};
bool kimage_is_bzimage(const void *data, size_t size);
/* 0: not a bzImage (k is the file); 1: unpacked into k, at most limit bytes;
 * negative: refused, with one line in err. */
int kimage_unpack(const void *data, size_t size, size_t limit, struct kimage *k,
    char *err, size_t n);
void kimage_free(struct kimage *k);

struct elf_image {
	const uint8_t *data;
	size_t size;
	uint64_t entry;
	struct elf_seg seg[16];
	unsigned int nseg;
	uint64_t vstart, vend;		/* lowest and highest loaded address */
	uint64_t pstart, pend;		/* the same, physical */
	bool elf32;
	uint16_t machine;
	struct xen_notes notes;
};

/* Read an x86 ELF executable of either class (segments by physical
 * address, notes); err gets one line on failure. */
int elf_read(struct elf_image *img, const void *data, size_t size, char *err,
    size_t errlen);
/* elf_read, then what a PV kernel must be: ELF64, Xen notes, addresses
 * rebased to VIRT_BASE and checked. */
int elf_parse(struct elf_image *img, const void *data, size_t size, char *err,
    size_t errlen);
/* Check FEATURES: every "!name" must be one we support. */
int elf_check_features(const struct elf_image *img, char *err, size_t errlen);

/* --- the PV domain builder (build_pv.c) -------------------------------------- */
struct pv_layout {
	uint64_t virt_base;
	uint64_t kernel_pfn, kernel_pages;
	uint64_t ramdisk_pfn, ramdisk_len;
	uint64_t p2m_pfn, p2m_pages;
	uint64_t start_info_pfn, store_pfn, console_pfn;
	uint64_t pt_pfn, pt_pages;
	uint64_t stack_pfn;
	uint64_t mapped_pages;		/* pages mapped from virt_base */
	uint64_t nr_pages;
};

/* Compute the layout for a kernel and ramdisk in nr_pages of memory. */
int pv_layout_compute(struct pv_layout *l, const struct elf_image *img,
    uint64_t ramdisk_len, uint64_t nr_pages, char *err, size_t errlen);
/* Write everything into guest memory (ram maps nr_pages pages). */
int pv_build_image(uint8_t *ram, const struct pv_layout *l,
    const struct elf_image *img, const void *ramdisk, const char *cmdline,
    uint32_t domid, uint32_t console_evtchn, uint32_t store_evtchn,
    uint64_t shared_info_maddr);

/* --- the HVM and PVH domain builder (build_hvm.c) -------------------------- */
enum hvm_boot { HVM_BOOT_PVH = 1, HVM_BOOT_MULTIBOOT, HVM_BOOT_FLAT };
struct hvm_layout {
	enum hvm_boot boot;
	uint32_t mode;			/* enum ctl_hvm_mode */
	uint64_t entry, rax, rbx, rsp;
	uint64_t kernel_end;
	uint64_t ramdisk_addr, ramdisk_len;
	uint64_t store_pfn, console_pfn;
	uint64_t nr_pages;
};

/* Where everything goes for a kernel (img, or NULL for a flat image of
 * flat_len bytes) of type (enum ctl_dom_type) in nr_pages of memory. */
int hvm_layout_compute(struct hvm_layout *l, uint8_t type, const struct elf_image *img,
    size_t flat_len, uint64_t ramdisk_len, uint64_t nr_pages, char *err, size_t errlen);
/* Write it into guest memory (ram maps nr_pages pages). */
void hvm_build_image(uint8_t *ram, const struct hvm_layout *l,
    const struct elf_image *img, const void *flat, size_t flat_len,
    const void *ramdisk, const char *cmdline);

/* A domain pal_domain_start built: paused, console not yet attached. */
struct pal_domain {
	uint32_t domid;
	uint32_t console_port;
	uint64_t console_pfn;
};

/* Create and build a PV domain from its config, left paused; err on failure. */
int pal_domain_start(struct palctl *c, const struct domcfg *cfg,
    struct pal_domain *out, char *err, size_t errlen);

/* --- palconsoled client (consclient.c) --------------------------------------- */
#define CONS_SOCKET "palconsoled.sock"
/* Ask palconsoled to serve a domain's console; 0 or -errno (err says why). */
int cons_attach(const struct pal_domain *pd, const char *name, char *err, size_t n);
/* A stream carrying the domain's console both ways, or -errno. */
int cons_connect(uint32_t domid);

#endif
