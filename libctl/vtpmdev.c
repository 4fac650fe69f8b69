/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A domain's vTPM: xl's "vtpm = [ 'backend=0' ]", the launch measurements
 * (SHA-256 of the kernel image, the ramdisk and the command line, for
 * PCRs 4, 5 and 8) written where palvtpmd's instance reads them before
 * the guest's first command, and the device offered to the domain.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"

#define VTPM_SOCKET "palvtpmd.sock"

const char *vtpm_state_dir(void)
{
	const char *d = getenv("PALISADE_VTPM_DIR");

	return d != NULL && d[0] != '\0' ? d : VTPM_STATE_DIR;
}

int vtpmspec_parse(const char *spec, char *err, size_t n)
{
	char copy[128], *item, *save = NULL;

	if (strlen(spec) >= sizeof(copy))
		return snprintf(err, n, "too long"), -EINVAL;
	str_copy(copy, spec, sizeof(copy));
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ')
			item++;
		if (item[0] == '\0' || strcmp(item, "backend=0") == 0 ||
		    strncmp(item, "uuid=", 5) == 0)
			continue;	/* dom0 is the only backend; the name picks the instance */
		return snprintf(err, n, "unknown vtpm setting '%s' (backend=0)", item), -EINVAL;
	}
	return 0;
}

static void hex(const uint8_t *d, unsigned int len, char *out)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int sha256(const void *p, size_t len, char out[65])
{
	uint8_t d[32];
	unsigned int dl = 0;

	if (EVP_Digest(p, len, d, &dl, EVP_sha256(), NULL) != 1 || dl != 32)
		return -EIO;
	hex(d, 32, out);
	return 0;
}

static int file_hash(const char *path, char out[65])
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	m = st.st_size > 0 ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	ret = sha256(m != NULL ? m : "", (size_t)st.st_size, out);
	if (m != NULL)
		munmap(m, (size_t)st.st_size);
	return ret;
}

int pal_launch_measurements(const struct domcfg *cfg, char *out, size_t n)
{
	char k[65], r[65] = "", c[65];
	int ret;

	if ((ret = file_hash(cfg->kernel, k)) < 0 ||
	    (cfg->ramdisk[0] != '\0' && (ret = file_hash(cfg->ramdisk, r)) < 0) ||
	    (ret = sha256(cfg->cmdline, strlen(cfg->cmdline), c)) < 0)
		return ret;
	snprintf(out, n, "4:%s %s%s%s8:%s", k, r[0] ? "5:" : "", r, r[0] ? " " : "", c);
	return 0;
}

int pal_vtpm_attach(struct palctl *c, struct palctl_xs *x, uint32_t domid,
    const char *measurements, char *err, size_t n)
{
	char p[128], s[16], name[CTL_NAME_LEN + 8], res[CTL_NAME_LEN + 16], why[CTL_ERROR_LEN];
	char meas[320];
	int ret;

	snprintf(p, sizeof(p), "/local/domain/%u/device/vtpm/0", domid);
	if (palctl_xs_read(x, p, s, sizeof(s)) == 0)
		return snprintf(err, n, "domain %u already has a vTPM", domid), -EBUSY;
	if (!rundir_answers(VTPM_SOCKET))
		return snprintf(err, n, "palvtpmd is not running (start it with 'pal up')"),
		    -ENOTCONN;
	snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
	if (palctl_xs_read(x, p, name, sizeof(name)) < 0)
		return snprintf(err, n, "domain %u has no name in the store", domid), -ENOENT;
	snprintf(res, sizeof(res), "vtpm:%s", name);
	if ((ret = palctl_resource_allowed(c, CTL_ASK_VTPM, domid, res, why, sizeof(why))) < 0)
		return snprintf(err, n, "vtpm: %s", why), ret;
	snprintf(meas, sizeof(meas), "measurements=%s", measurements != NULL ? measurements : "");
	{
		const char *const fe_kv[] = { "handle=0", NULL };
		const char *const be_kv[] = { "handle=0", meas, NULL };

		ret = palctl_xs_dev_add(x, "vtpm", domid, 0, 0, fe_kv, be_kv);
	}
	if (ret < 0)
		snprintf(err, n, "vtpm: the store: %s", strerror(-ret));
	return ret;
}
