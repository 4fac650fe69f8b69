/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palvtpmd: the vTPM manager and its instances (vtpm.h). The manager is
 * a xenbus backend for "vtpm" devices; when one's frontend connects it
 * starts an instance, this program again with -I, which maps the
 * domain's shared page, binds its event channel and runs libtpms for it
 * until it is told to stop. Before the guest's first command the instance
 * extends the launch measurements pal wrote (kernel, ramdisk, command
 * line) into PCRs 4, 5 and 8.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>

#include "palisade/log.h"
#include "palisade/util.h"
#include "palisade/xen.h"
#include <xen/io/tpmif.h>
#include "libctl/palctl.h"
#include "vtpm.h"

#define SOCKET_NAME "palvtpmd.sock"
#define PAGE 4096u

static struct palctl ctl;
static volatile sig_atomic_t stopping;
static char statedir[PATH_MAX];
static char self[PATH_MAX];

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* --- an instance ---------------------------------------------------------------- */

static uint8_t key[VTPM_KEY_LEN];
static const char *inst_name;

static void nv_path(char *out, size_t n, const char *name)
{
	if (snprintf(out, n, "%.3000s/%.64s.%.64s", statedir, inst_name, name) >= (int)n)
		out[0] = '\0';
}

static TPM_RESULT nv_load(unsigned char **data, uint32_t *length, uint32_t tpm_number,
    const char *name)
{
	char path[PATH_MAX];
	uint8_t *plain;
	size_t len;
	int ret;

	(void)tpm_number;
	nv_path(path, sizeof(path), name);
	ret = vtpm_seal_read(path, key, inst_name, &plain, &len);
	if (ret == -ENOENT)
		return TPM_RETRY;	/* none yet: libtpms starts afresh */
	if (ret < 0) {
		log_warnx("%s: state %s cannot be opened (tampered with, or not this "
		    "instance's): refusing it", inst_name, path);
		return TPM_FAIL;
	}
	if (TPM_Malloc(data, (uint32_t)len) != TPM_SUCCESS) {
		free(plain);
		return TPM_FAIL;
	}
	memcpy(*data, plain, len);
	*length = (uint32_t)len;
	free(plain);
	return TPM_SUCCESS;
}

static TPM_RESULT nv_store(const unsigned char *data, uint32_t length, uint32_t tpm_number,
    const char *name)
{
	char path[PATH_MAX];

	(void)tpm_number;
	nv_path(path, sizeof(path), name);
	if (vtpm_seal_write(path, key, inst_name, data, length) < 0) {
		log_warn("%s: state %s cannot be written", inst_name, path);
		return TPM_FAIL;
	}
	return TPM_SUCCESS;
}

static TPM_RESULT nv_delete(uint32_t tpm_number, const char *name, TPM_BOOL must_exist)
{
	char path[PATH_MAX];

	(void)tpm_number;
	nv_path(path, sizeof(path), name);
	return unlink(path) == 0 || (!must_exist && errno == ENOENT) ? TPM_SUCCESS : TPM_FAIL;
}

static TPM_RESULT nv_init(void) { return TPM_SUCCESS; }
static TPM_RESULT io_init(void) { return TPM_SUCCESS; }

static TPM_RESULT io_locality(TPM_MODIFIER_INDICATOR *loc, uint32_t tpm_number)
{
	(void)tpm_number;
	*loc = 0;
	return TPM_SUCCESS;
}

static TPM_RESULT io_pp(TPM_BOOL *pp, uint32_t tpm_number)
{
	(void)tpm_number;
	*pp = 0;
	return TPM_SUCCESS;
}

/* One command through libtpms: the response into out (at most max bytes). */
static size_t run(uint8_t *cmd, size_t len, uint8_t *out, size_t max)
{
	unsigned char *rsp = NULL;
	uint32_t rlen = 0, rsize = 0, rc;
	size_t n;

	if (vtpm_command_ok(cmd, len, &rc) < 0)
		return vtpm_error_response(out, rc);
	if (TPMLIB_Process(&rsp, &rlen, &rsize, cmd, (uint32_t)len) != TPM_SUCCESS ||
	    rlen < 10 || rlen > max) {
		TPM_Free(rsp);
		return vtpm_error_response(out, 0x101);	/* TPM_RC_FAILURE */
	}
	memcpy(out, rsp, rlen);
	n = rlen;
	TPM_Free(rsp);
	return n;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* TPM2_Startup(CLEAR), then each "PCR:HEX" of meas extended (SHA-256). */
static int measure(const char *meas)
{
	static const uint8_t startup[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	uint8_t cmd[128], rsp[512], s[12];
	const char *p = meas;

	memcpy(s, startup, sizeof(s));
	run(s, sizeof(s), rsp, sizeof(rsp));
	while (p != NULL && *p != '\0') {
		unsigned int pcr, i;
		char hex[65];
		size_t n;

		if (sscanf(p, "%u:%64[0-9a-f]", &pcr, hex) != 2 || strlen(hex) != 64 || pcr > 23)
			return -1;
		/* PCR_Extend: pcr handle, a password session, one SHA-256 digest. */
		memset(cmd, 0, sizeof(cmd));
		cmd[0] = 0x80;
		cmd[1] = 0x02;
		put32(cmd + 2, 10 + 4 + 4 + 9 + 4 + 2 + 32);
		put32(cmd + 6, 0x182);
		put32(cmd + 10, pcr);
		put32(cmd + 14, 9);
		put32(cmd + 18, 0x40000009);	/* TPM_RS_PW, empty nonce, attrs, hmac */
		put32(cmd + 27, 1);
		cmd[31] = 0x00;
		cmd[32] = 0x0b;			/* TPM_ALG_SHA256 */
		for (i = 0; i < 32; i++) {
			unsigned int b;

			sscanf(hex + 2 * i, "%2x", &b);
			cmd[33 + i] = (uint8_t)b;
		}
		n = run(cmd, 65, rsp, sizeof(rsp));
		if (n < 10 || rsp[6] || rsp[7] || rsp[8] || rsp[9]) {
			log_warnx("%s: extending PCR %u failed", inst_name, pcr);
			return -1;
		}
		p = strchr(p, ' ');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

static int instance(uint32_t domid, uint32_t ref, uint32_t port, const char *meas)
{
	struct libtpms_callbacks cb = {
		.sizeOfStruct = sizeof(cb), .tpm_nvram_init = nv_init,
		.tpm_nvram_loaddata = nv_load, .tpm_nvram_storedata = nv_store,
		.tpm_nvram_deletename = nv_delete, .tpm_io_init = io_init,
		.tpm_io_getlocality = io_locality, .tpm_io_getphysicalpresence = io_pp,
	};
	static uint8_t cmd[PAGE], rsp[PAGE];
	volatile tpmif_shared_page_t *shr;
	struct palctl_evtchn ev;
	uint32_t handle;
	size_t off = sizeof(tpmif_shared_page_t), room = PAGE - sizeof(tpmif_shared_page_t);
	void *va;
	int fd, ret;

	if ((ret = palctl_open(&ctl)) < 0 || (ret = vtpm_key_load(statedir, key)) < 0)
		fatalx("%s: palisade-hv or the key: %s", inst_name, strerror(-ret));
	if ((fd = palctl_gnt_map(&ctl, domid, ref, false, &handle)) < 0)
		fatalx("%s: the shared page (grant %u): %s", inst_name, ref, palctl_strerror(fd));
	va = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (va == MAP_FAILED)
		fatal("%s: mmap", inst_name);
	shr = va;
	if ((ret = palctl_evtchn_bind(&ctl, domid, port, &ev)) < 0)
		fatalx("%s: event channel %u: %s", inst_name, port, palctl_strerror(ret));
	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2) != TPM_SUCCESS ||
	    TPMLIB_RegisterCallbacks(&cb) != TPM_SUCCESS || TPMLIB_MainInit() != TPM_SUCCESS)
		fatalx("%s: libtpms would not start (its state refused?)", inst_name);
	if (meas != NULL && measure(meas) < 0)
		fatalx("%s: the launch measurements could not be extended", inst_name);
	log_info("%s: TPM 2.0 for d%u ready%s", inst_name, domid, meas ? ", launch measured" : "");
	while (!stopping) {
		uint8_t state;
		uint32_t len;
		size_t n;

		palctl_evtchn_wait(&ev, 500);
		state = shr->state;
		xen_rmb();
		if (state == TPMIF_STATE_CANCEL) {
			shr->state = TPMIF_STATE_IDLE;	/* commands run to completion */
			palctl_evtchn_notify(&ev);
			continue;
		}
		if (state != TPMIF_STATE_SUBMIT)
			continue;
		/* The length read once; the command copied out before it is looked at. */
		len = shr->length;
		if (shr->nr_extra_pages != 0 || len > room) {
			n = vtpm_error_response(rsp, 0x142);	/* TPM_RC_COMMAND_SIZE */
		} else {
			memcpy(cmd, (const uint8_t *)va + off, len);
			n = run(cmd, len, rsp, room);
		}
		memcpy((uint8_t *)va + off, rsp, n);
		shr->length = (uint32_t)n;
		xen_wmb();
		shr->state = TPMIF_STATE_FINISH;
		palctl_evtchn_notify(&ev);
	}
	TPMLIB_Terminate();
	log_info("%s: stopping", inst_name);
	return 0;
}

/* --- the manager ---------------------------------------------------------------- */

struct vdev {
	pid_t pid;
	char name[64];
};

/* Which instance a domain gets: its name (a reboot keeps it). */
static int dom_name(struct xb_dev *xb, char *out, size_t n)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/name", xb->fe);
	if (palctl_xs_read(&xb->b->x, path, out, n) < 0 || out[0] == '\0' ||
	    strchr(out, '/') != NULL || out[0] == '.')
		return -EINVAL;
	return 0;
}

static void refuse(struct xb_dev *xb, const char *msg)
{
	log_warnx("d%u vtpm %u: %s", xb->fe, xb->devid, msg);
	xb_dev_write(xb, "hotplug-error", "%s", msg);
	xb_dev_write(xb, "hotplug-status", "error");
}

static int probe(struct xb_dev *xb)
{
	struct vdev *v = xb->priv;
	char res[96], why[CTL_ERROR_LEN];
	int ret;

	if (v == NULL && (v = xb->priv = calloc(1, sizeof(*v))) == NULL)
		return -ENOMEM;
	if (dom_name(xb, v->name, sizeof(v->name)) < 0) {
		refuse(xb, "the domain has no usable name for its vTPM");
		return -EINVAL;
	}
	snprintf(res, sizeof(res), "vtpm:%s", v->name);
	if ((ret = palctl_resource_allowed(&ctl, CTL_ASK_VTPM, xb->fe, res, why,
	    sizeof(why))) < 0) {
		refuse(xb, why);
		return ret;
	}
	xb_dev_write(xb, "instance", "%s", v->name);
	/* The shared page's states (tpmif.h's version 2), the only one we
	 * speak: Linux's xen-tpmfront will not connect without being told. */
	xb_dev_write(xb, "feature-protocol-v2", "1");
	return 0;
}

static void disconnect(struct xb_dev *xb)
{
	struct vdev *v = xb->priv;

	if (v == NULL || v->pid <= 0)
		return;
	kill(v->pid, SIGTERM);
	waitpid(v->pid, NULL, 0);
	v->pid = 0;
}

static int vtpm_connect(struct xb_dev *xb)
{
	struct vdev *v = xb->priv;
	char ref[16] = "", port[16] = "", dom[16], meas[512] = "";

	if (xb_dev_read_fe(xb, "ring-ref", ref, sizeof(ref)) < 0 ||
	    xb_dev_read_fe(xb, "event-channel", port, sizeof(port)) < 0 || ref[0] == '\0' ||
	    port[0] == '\0') {
		refuse(xb, "the frontend gave no ring-ref or event-channel");
		return -EINVAL;
	}
	xb_dev_read(xb, "measurements", meas, sizeof(meas));
	snprintf(dom, sizeof(dom), "%u", xb->fe);
	disconnect(xb);
	v->pid = fork();
	if (v->pid < 0)
		return -errno;
	if (v->pid == 0) {
		execl(self, "palvtpmd", "-I", dom, ref, port, v->name, meas[0] ? meas : NULL,
		    (char *)NULL);
		_exit(127);
	}
	log_info("d%u: vTPM instance %s started (pid %d)", xb->fe, v->name, (int)v->pid);
	return 0;
}

static void remove_dev(struct xb_dev *xb)
{
	disconnect(xb);
	free(xb->priv);
	xb->priv = NULL;
}

static const struct xb_ops ops = {
	.type = "vtpm", .probe = probe, .connect = vtpm_connect, .disconnect = disconnect,
	.remove = remove_dev,
};

static void answer(int lfd, struct xb_backend *b)
{
	char line[128];
	unsigned int i, n = 0;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (i = 0; i < XB_MAX_DEVS; i++)
		n += b->dev[i].used && b->dev[i].priv != NULL &&
		    ((struct vdev *)b->dev[i].priv)->pid > 0;
	snprintf(line, sizeof(line), "palvtpmd: %u instances running\n", n);
	if (write(fd, line, strlen(line)) < 0)
		log_debug("a status reader went away");
	close(fd);
}

/* Instances that ended by themselves (a refused state, a lost guest): no
 * longer theirs to signal. */
static void reap(struct xb_backend *b)
{
	unsigned int i;
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (i = 0; i < XB_MAX_DEVS; i++) {
			struct vdev *v = b->dev[i].used ? b->dev[i].priv : NULL;

			if (v != NULL && v->pid == pid) {
				log_warnx("d%u: vTPM instance %s ended", b->dev[i].fe, v->name);
				v->pid = 0;
			}
		}
}

static int manager(bool foreground)
{
	static struct xb_backend b;
	struct epoll_event ev = { .events = EPOLLIN }, evs[8];
	int ep, lfd, ret, n, i;

	if ((ret = palctl_open(&ctl)) < 0) {
		fprintf(stderr, "palvtpmd: palisade-hv: %s\n", palctl_strerror(ret));
		return 1;
	}
	if ((ret = mkdir_parents(statedir, 0700)) < 0) {
		fprintf(stderr, "palvtpmd: %s: %s\n", statedir, strerror(-ret));
		return 1;
	}
	if ((ret = vtpm_key_load(statedir, key)) < 0) {
		fprintf(stderr, "palvtpmd: the key in %s: %s\n", statedir, strerror(-ret));
		return 1;
	}
	if ((lfd = xb_backend_serve(&b, &ops, "palvtpmd", SOCKET_NAME, foreground)) < 0)
		return 1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = xb_backend_fd(&b);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		fatal("epoll");
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		fatal("epoll");
	pidfile_write("palvtpmd");
	log_info("palvtpmd ready: state in %s", statedir);
	xb_backend_poll(&b, 0);
	while (!stopping) {
		n = epoll_wait(ep, evs, 8, 1000);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd)
				answer(lfd, &b);
			else
				xb_backend_poll(&b, 0);
		}
		reap(&b);
	}
	for (i = 0; i < XB_MAX_DEVS; i++)
		if (b.dev[i].used)
			disconnect(&b.dev[i]);	/* every instance stops (and stores) */
	xb_backend_close(&b);
	log_info("palvtpmd stopping");
	return 0;
}

int main(int argc, char **argv)
{
	bool foreground = false, debug = false;
	ssize_t r;

	r = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[r > 0 ? r : 0] = '\0';
	snprintf(statedir, sizeof(statedir), "%s", vtpm_state_dir());
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (argc >= 6 && strcmp(argv[1], "-I") == 0) {
		inst_name = argv[5];
		if (log_open_rundir("palvtpmd", false) < 0)
			return 1;
		return instance((uint32_t)strtoul(argv[2], NULL, 10),
		    (uint32_t)strtoul(argv[3], NULL, 10), (uint32_t)strtoul(argv[4], NULL, 10),
		    argc >= 7 ? argv[6] : NULL);
	}
	if (daemon_options(argc, argv, "palvtpmd", &debug, &foreground) < 0)
		return 2;
	if (log_open_rundir("palvtpmd", debug) < 0)
		return 1;
	return manager(foreground);
}
