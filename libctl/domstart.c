/* SPDX-License-Identifier: GPL-2.0-only */
/* Create a domain from its configuration: load, build, set up, leave paused. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"

#define MAX_IMAGE (512u << 20)

struct file_map {
	void *data;
	size_t size;
};

static int start_err(char *err, size_t n, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return ret;
}

static int map_file(const char *path, struct file_map *m, char *err, size_t n)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	m->data = NULL;
	m->size = 0;
	if (fd < 0)
		return start_err(err, n, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_size > MAX_IMAGE) {
		close(fd);
		return start_err(err, n, -EINVAL, "%s: not a regular file of 1 byte "
		    "to 512 MiB", path);
	}
	m->data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->data == MAP_FAILED) {
		m->data = NULL;
		return start_err(err, n, -errno, "%s: %s", path, strerror(errno));
	}
	m->size = st.st_size;
	return 0;
}

static void unmap_file(struct file_map *m)
{
	if (m->data != NULL)
		munmap(m->data, m->size);
}

/* The memory of a domain just created, mapped for the builder. */
static uint8_t *map_ram(struct palctl *c, uint32_t domid, uint64_t nr_pages,
    char *err, size_t n)
{
	struct ctl_domid q = { .domid = domid };
	struct ctl_msg rep;
	unsigned int nfds = 0;
	uint8_t *ram;
	int fd, ret;

	ret = palctl_call(c, CTL_DOMAIN_RAMFD, &q, sizeof(q), &rep, &fd, &nfds);
	if (ret < 0 || nfds != 1) {
		start_err(err, n, ret, "cannot reach the new domain's memory: %s",
		    palctl_strerror(ret < 0 ? ret : -EPROTO));
		return NULL;
	}
	ram = mmap(NULL, nr_pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (ram == MAP_FAILED) {
		start_err(err, n, -errno, "map domain memory: %s", strerror(errno));
		return NULL;
	}
	return ram;
}

static int build_into(struct palctl *c, uint32_t domid, const struct domcfg *cfg,
    const struct elf_image *img, const struct file_map *rd,
    uint64_t shinfo_mfn, struct ctl_vcpu_context *ctx, char *err, size_t n)
{
	struct pv_layout l;
	uint64_t nr_pages = cfg->memory_mb * 256;
	uint8_t *ram;
	int ret;

	ret = pv_layout_compute(&l, img, rd->size, nr_pages, err, n);
	if (ret < 0)
		return ret;
	ret = palctl_evtchn_offer(c, domid, 0, &ctx->console_evtchn);
	if (ret == 0)
		ret = palctl_evtchn_offer(c, domid, 0, &ctx->store_evtchn);
	if (ret < 0)
		return start_err(err, n, ret, "event channels: %s", palctl_strerror(ret));
	ram = map_ram(c, domid, nr_pages, err, n);
	if (ram == NULL)
		return -EIO;
	pv_build_image(ram, &l, img, rd->data, cfg->cmdline, domid,
	    ctx->console_evtchn, ctx->store_evtchn,
	    shinfo_mfn << PAGE_SHIFT);
	munmap(ram, nr_pages * PAGE_SIZE);
	ctx->domid = domid;
	ctx->vcpu = 0;
	ctx->rip = img->entry;
	ctx->rsp = l.virt_base + (l.stack_pfn + 1) * PAGE_SIZE;
	ctx->rsi = l.virt_base + l.start_info_pfn * PAGE_SIZE;
	ctx->cr3 = l.pt_pfn * PAGE_SIZE;
	ctx->kernel_ss = FLAT_KERNEL_SS;
	ctx->kernel_sp = ctx->rsp;
	ctx->console_pfn = l.console_pfn;
	ctx->store_pfn = l.store_pfn;
	ctx->start_info_pfn = l.start_info_pfn;
	return 0;
}

/* HVM and PVH: load, write the boot information, set the boot processor.
 * ctx carries the special pages and ports on to the store. */
static int build_hvm_into(struct palctl *c, uint32_t domid, const struct domcfg *cfg,
    const struct elf_image *img, const struct file_map *kf,
    const struct file_map *rd, struct ctl_vcpu_context *ctx, char *err, size_t n)
{
	uint64_t nr_pages = cfg->memory_mb * 256;
	struct ctl_hvm_context h;
	struct hvm_layout l;
	struct ctl_msg rep;
	uint8_t *ram;
	int ret;

	ret = hvm_layout_compute(&l, domcfg_type(cfg), img, kf->size, rd->size,
	    nr_pages, err, n);
	if (ret < 0)
		return ret;
	memset(&h, 0, sizeof(h));
	ret = palctl_evtchn_offer(c, domid, 0, &h.console_evtchn);
	if (ret == 0)
		ret = palctl_evtchn_offer(c, domid, 0, &h.store_evtchn);
	if (ret < 0)
		return start_err(err, n, ret, "event channels: %s", palctl_strerror(ret));
	ram = map_ram(c, domid, nr_pages, err, n);
	if (ram == NULL)
		return -EIO;
	hvm_build_image(ram, &l, img, kf->data, kf->size, rd->data, cfg->cmdline);
	munmap(ram, nr_pages * PAGE_SIZE);
	h.domid = domid;
	h.mode = l.mode;
	h.rip = l.entry;
	h.rax = l.rax;
	h.rbx = l.rbx;
	h.rsp = l.rsp;
	h.console_pfn = l.console_pfn;
	h.store_pfn = l.store_pfn;
	ret = palctl_call(c, CTL_HVM_SETCONTEXT, &h, sizeof(h), &rep, NULL, NULL);
	if (ret < 0)
		return start_err(err, n, ret, "set the boot processor: %s", palctl_strerror(ret));
	memset(ctx, 0, sizeof(*ctx));
	ctx->domid = domid;
	ctx->console_pfn = l.console_pfn;
	ctx->store_pfn = l.store_pfn;
	ctx->console_evtchn = h.console_evtchn;
	ctx->store_evtchn = h.store_evtchn;
	return 0;
}

/* Tell the store about the domain, if palstored runs (a hypervisor alone,
 * as some tests use it, has no store), and offer its disks. */
static int store_introduce(struct palctl *c, const struct domcfg *cfg,
    const struct ctl_vcpu_context *ctx, char *err, size_t n)
{
	const uint8_t *u = cfg->uuid;
	struct palctl_xs x;
	char uuid[40];
	struct palctl_xs_domain d = {
		.domid = ctx->domid, .name = cfg->name, .uuid = uuid,
		.memory_kb = cfg->memory_mb * 1024ull,
		.static_max_kb = cfg->maxmem_mb * 1024ull,
		.vcpus = cfg->vcpus, .maxvcpus = cfg->maxvcpus,
		.store_mfn = ctx->store_pfn, .store_port = ctx->store_evtchn,
		.console_mfn = ctx->console_pfn, .console_port = ctx->console_evtchn,
	};
	unsigned int i;
	int ret;

	if (palctl_xs_open(&x) < 0) {
		if (cfg->ndisks > 0 || cfg->nvifs > 0 || cfg->vtpm)
			return start_err(err, n, -ENOTCONN, "disks and vifs need the store "
			    "(start it with 'pal up')");
		return 0;
	}
	snprintf(uuid, sizeof(uuid), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6],
	    u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	ret = palctl_xs_introduce(&x, &d);
	if (ret < 0)
		start_err(err, n, ret, "cannot introduce domain %u to the store: %s",
		    ctx->domid, strerror(-ret));
	for (i = 0; ret == 0 && i < cfg->ndisks; i++)
		ret = pal_disk_attach(c, &x, ctx->domid, &cfg->disks[i], err, n);
	for (i = 0; ret == 0 && i < cfg->nvifs; i++) {
		struct vifspec v = cfg->vifs[i];	/* a random MAC is this domain's */

		ret = pal_vif_attach(c, &x, ctx->domid, i, &v, err, n);
	}
	if (ret == 0 && cfg->vtpm) {
		char meas[320];

		ret = pal_launch_measurements(cfg, meas, sizeof(meas));
		if (ret < 0)
			start_err(err, n, ret, "vtpm: cannot measure the kernel: %s", strerror(-ret));
		else
			ret = pal_vtpm_attach(c, &x, ctx->domid, meas, err, n);
	}
	palctl_xs_close(&x);
	return ret;
}

int pal_domain_start(struct palctl *c, const struct domcfg *cfg,
    struct pal_domain *pd, char *err, size_t n)
{
	struct ctl_domain_create cr;
	struct ctl_vcpu_context ctx;
	struct file_map kf, rd = { NULL, 0 };
	struct kimage ki = { NULL, 0, NULL };
	struct elf_image img;
	struct ctl_msg rep;
	uint8_t type = domcfg_type(cfg);
	bool flat = false;
	int ret;

	ret = map_file(cfg->kernel, &kf, err, n);
	if (ret < 0)
		return ret;
	ret = kimage_unpack(kf.data, kf.size, (size_t)cfg->maxmem_mb << 20, &ki, err, n);
	if (ret >= 0 && type == CTL_DOM_PV) {
		ret = elf_parse(&img, ki.data, ki.size, err, n);
	} else if (ret >= 0) {
		ret = elf_read(&img, ki.data, ki.size, err, n);
		flat = ret < 0 && strcmp(err, "not an ELF file") == 0;	/* layout says if allowed */
		if (flat)
			ret = 0;
	}
	if (ret < 0) {
		char why[200];

		str_copy(why, err, sizeof(why));
		start_err(err, n, ret, "%s: %s", cfg->kernel, why);
		goto out;
	}
	if (type == CTL_DOM_PV)
		ret = elf_check_features(&img, err, n);
	if (ret == 0 && cfg->ramdisk[0] != '\0')
		ret = map_file(cfg->ramdisk, &rd, err, n);
	if (ret < 0)
		goto out;
	memset(&cr, 0, sizeof(cr));
	str_copy(cr.name, cfg->name, sizeof(cr.name));
	cr.mem_kb = cfg->memory_mb * 1024;
	cr.max_mem_kb = cfg->maxmem_mb * 1024;
	cr.vcpus = cfg->maxvcpus;
	cr.on_poweroff = cfg->on_poweroff;
	cr.on_reboot = cfg->on_reboot;
	cr.on_crash = cfg->on_crash;
	cr.type = type;
	memcpy(cr.uuid, cfg->uuid, sizeof(cr.uuid));
	str_copy(cr.label, cfg->seclabel, sizeof(cr.label));
	str_copy(cr.policy, cfg->seclabel_policy, sizeof(cr.policy));
	ret = palctl_call(c, CTL_DOMAIN_CREATE, &cr, sizeof(cr), &rep, NULL, NULL);
	if (ret < 0) {
		start_err(err, n, ret, "cannot create domain '%s': %s", cfg->name,
		    ret == -XEN_EINVAL ? "memory or vCPUs beyond the hypervisor's limits" :
		    ret == -XEN_EPERM && c->error[0] == '\0' ?
		    "refused by the security policy (pal audit says why)" : palctl_why(c, ret));
		goto out;
	}
	pd->domid = rep.u.req.created.domid;
	if (type != CTL_DOM_PV) {
		ret = build_hvm_into(c, pd->domid, cfg, flat ? NULL : &img, &kf, &rd,
		    &ctx, err, n);
		goto built;
	}
	ret = build_into(c, pd->domid, cfg, &img, &rd, rep.u.req.created.shared_info_mfn,
	    &ctx, err, n);
	if (ret == 0) {
		ret = palctl_call(c, CTL_VCPU_SETCONTEXT, &ctx, sizeof(ctx), &rep, NULL, NULL);
		if (ret < 0)
			start_err(err, n, ret, "set vCPU context: %s", palctl_strerror(ret));
	}
built:
	if (ret == 0)
		ret = store_introduce(c, cfg, &ctx, err, n);
	if (ret < 0)
		palctl_domid_op(c, CTL_DOMAIN_DESTROY, pd->domid, 0);
	pd->console_pfn = ctx.console_pfn;
	pd->console_port = ctx.console_evtchn;
out:
	unmap_file(&rd);
	kimage_free(&ki);
	unmap_file(&kf);
	return ret;
}
