/* SPDX-License-Identifier: GPL-2.0-only */
/* dom0's resource label database (palctl.h): a text file, one resource a
 * line, rewritten whole (to a temporary, renamed over) on every change. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palisade/xen.h"
#include "palctl.h"

#define LINE_MAX_LEN (LABELDB_RES_LEN + 2 * ACMPOL_NAME_LEN + 16)

const char *labeldb_path(void)
{
	const char *p = getenv("PALISADE_LABELDB");

	return p != NULL && p[0] != '\0' ? p : LABELDB_DEFAULT;
}

int policy_split_label(const char *s, char *policy, size_t pn, char *label, size_t ln)
{
	const char *a, *b;

	if (strncmp(s, "ACM:", 4) == 0)
		s += 4;
	a = strchr(s, ':');
	if (a == NULL || a == s || a[1] == '\0')
		return -EINVAL;
	b = a + 1;
	if ((size_t)(a - s) >= pn || strlen(b) >= ln || strchr(b, ' ') != NULL ||
	    memchr(s, ' ', (size_t)(a - s)) != NULL)
		return -EINVAL;
	memcpy(policy, s, (size_t)(a - s));
	policy[a - s] = '\0';
	str_copy(label, b, ln);
	return 0;
}

int labeldb_disk_resource(const char *path, char *out, size_t n)
{
	char real[PATH_MAX];
	struct stat st;
	int k;

	if (realpath(path, real) == NULL)
		return -errno;
	if (stat(real, &st) < 0)
		return -errno;
	k = snprintf(out, n, "%s:%s", S_ISBLK(st.st_mode) ? "phy" : "file", real);
	return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

int labeldb_resource(const char *spec, char *out, size_t n, char *err, size_t en)
{
	const char *colon = strchr(spec, ':');
	int ret;

	if (spec[0] == '/' || strncmp(spec, "file:", 5) == 0 || strncmp(spec, "phy:", 4) == 0) {
		const char *path = spec[0] == '/' ? spec : colon + 1;

		if ((ret = labeldb_disk_resource(path, out, n)) < 0) {
			snprintf(err, en, "%s: %s", path, strerror(-ret));
			return -EINVAL;
		}
		return 0;
	}
	if (strncmp(spec, "vlan:", 5) == 0) {
		char *end;
		unsigned long v = strtoul(spec + 5, &end, 10);

		if (spec[5] == '\0' || *end != '\0' || v < 1 || v > 4094) {
			snprintf(err, en, "'%s': a VLAN is vlan:1 to vlan:4094", spec);
			return -EINVAL;
		}
		snprintf(out, n, "vlan:%lu", v);
		return 0;
	}
	if (strncmp(spec, "vtpm:", 5) == 0 && spec[5] != '\0' && strlen(spec) < n &&
	    strchr(spec, ' ') == NULL) {
		str_copy(out, spec, n);
		return 0;
	}
	snprintf(err, en, "'%s' is not a resource (file:/path, phy:/dev/..., vlan:N, "
	    "vtpm:NAME)", spec);
	return -EINVAL;
}

/* One line: "RESOURCE ACM:POLICY:LABEL". */
static bool parse_line(char *line, char **res, char *policy, char *label)
{
	char *sp;

	line[strcspn(line, "\n")] = '\0';
	sp = strchr(line, ' ');
	if (line[0] == '#' || sp == NULL)
		return false;
	*sp = '\0';
	*res = line;
	return policy_split_label(sp + 1, policy, ACMPOL_NAME_LEN, label, ACMPOL_NAME_LEN) == 0;
}

int labeldb_each(int (*fn)(const char *resource, const char *policy, const char *label,
    void *arg), void *arg)
{
	char line[LINE_MAX_LEN], policy[ACMPOL_NAME_LEN], label[ACMPOL_NAME_LEN], *res;
	FILE *f = fopen(labeldb_path(), "re");

	if (f == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f) != NULL)
		if (parse_line(line, &res, policy, label) && fn(res, policy, label, arg) != 0)
			break;
	fclose(f);
	return 0;
}

struct found {
	const char *want;
	char *policy, *label;
	size_t pn, ln;
	bool hit;
};

static int match(const char *res, const char *policy, const char *label, void *arg)
{
	struct found *f = arg;

	if (strcmp(res, f->want) != 0)
		return 0;
	str_copy(f->policy, policy, f->pn);
	str_copy(f->label, label, f->ln);
	f->hit = true;
	return 1;
}

int labeldb_get(const char *resource, char *policy, size_t pn, char *label, size_t ln)
{
	struct found f = { resource, policy, label, pn, ln, false };
	int ret = labeldb_each(match, &f);

	return ret < 0 ? ret : f.hit ? 0 : -ENOENT;
}

/* Copy every line but resource's to a temporary, add the new one (if
 * any), rename it over; under an exclusive lock on the database. */
static int rewrite(const char *resource, const char *policy, const char *label)
{
	char tmp[PATH_MAX], line[LINE_MAX_LEN], copy[LINE_MAX_LEN], p[ACMPOL_NAME_LEN],
	    l[ACMPOL_NAME_LEN], *res;
	const char *path = labeldb_path();
	FILE *in, *out;
	bool had = false;
	int fd, lock, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (strrchr(tmp, '/') != NULL && strrchr(tmp, '/') != tmp) {
		*strrchr(tmp, '/') = '\0';
		if ((ret = mkdir_parents(tmp, 0700)) < 0)
			return ret;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.lock", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	lock = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		ret = -errno;
		if (lock >= 0)
			close(lock);
		return ret;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		close(lock);
		return ret;
	}
	if ((in = fopen(path, "re")) != NULL) {
		while (fgets(line, sizeof(line), in) != NULL) {
			str_copy(copy, line, sizeof(copy));
			if (parse_line(line, &res, p, l) && strcmp(res, resource) == 0) {
				had = true;
				continue;
			}
			fputs(copy, out);
		}
		fclose(in);
	}
	if (label != NULL)
		fprintf(out, "%s ACM:%s:%s\n", resource, policy, label);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		ret = -errno;
	if (fclose(out) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && label == NULL && !had)
		ret = -ENOENT;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	close(lock);
	return ret;
}

int labeldb_set(const char *resource, const char *policy, const char *label)
{
	if (strlen(resource) >= LABELDB_RES_LEN || strchr(resource, ' ') != NULL ||
	    strchr(resource, '\n') != NULL || policy[0] == '\0' || label[0] == '\0' ||
	    strlen(policy) >= ACMPOL_NAME_LEN || strlen(label) >= ACMPOL_NAME_LEN ||
	    strpbrk(policy, " :\n") != NULL || strpbrk(label, " \n") != NULL)
		return -EINVAL;
	return rewrite(resource, policy, label);
}

int labeldb_remove(const char *resource)
{
	return rewrite(resource, NULL, NULL);
}

int palctl_resource_allowed(struct palctl *c, enum ctl_xsm_ask ask, uint32_t domid,
    const char *res, char *why, size_t n)
{
	char policy[ACMPOL_NAME_LEN] = "", label[ACMPOL_NAME_LEN] = "";
	int ret = labeldb_get(res, policy, sizeof(policy), label, sizeof(label));

	why[0] = '\0';
	if (ret < 0 && ret != -ENOENT) {
		snprintf(why, n, "the resource label database %s: %s", labeldb_path(),
		    strerror(-ret));
		return ret;
	}
	ret = palctl_xsm_check_resource(c, ask, domid, res, policy, label);
	if (ret < 0)
		snprintf(why, n, "%s", c->error[0] ? c->error : palctl_strerror(ret));
	return ret;
}

int palctl_disk_allowed(struct palctl *c, uint32_t domid, const char *path, char *why,
    size_t n)
{
	char res[LABELDB_RES_LEN];
	int ret = labeldb_disk_resource(path, res, sizeof(res));

	if (ret < 0) {
		snprintf(why, n, "%s: %s", path, strerror(-ret));
		return ret;
	}
	return palctl_resource_allowed(c, CTL_ASK_DISK, domid, res, why, n);
}
