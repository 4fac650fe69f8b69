/* SPDX-License-Identifier: GPL-2.0-only */
/* From parsed xl.cfg settings to a checked domain configuration. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palctl.h"

enum kind { K_STR, K_NUM, K_LIST };

struct key {
	const char *name;
	enum kind kind;
	int (*set)(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n);
};

#define STR_SETTER(fn, field)						\
static int fn(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n) \
{									\
	if (str_copy(d->field, v->str, sizeof(d->field)) >= sizeof(d->field)) \
		return snprintf(err, n, "too long"), -EINVAL;		\
	return 0;							\
}

STR_SETTER(set_name, name)
STR_SETTER(set_kernel, kernel)
STR_SETTER(set_ramdisk, ramdisk)
STR_SETTER(set_cmdline, cmdline)

static int set_type(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	if (strcmp(v->str, "pv") != 0 && strcmp(v->str, "pvh") != 0 &&
	    strcmp(v->str, "hvm") != 0)
		return snprintf(err, n, "type '%s' is not supported (pv, pvh or hvm)",
		    v->str), -EINVAL;
	return str_copy(d->type, v->str, sizeof(d->type)), 0;
}

/* xl's older spelling: builder='hvm' or 'generic' (PV). */
static int set_builder(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	if (strcmp(v->str, "hvm") != 0 && strcmp(v->str, "generic") != 0)
		return snprintf(err, n, "builder '%s' is not supported (generic or hvm)",
		    v->str), -EINVAL;
	return str_copy(d->type, v->str[0] == 'h' ? "hvm" : "pv", sizeof(d->type)), 0;
}

uint8_t domcfg_type(const struct domcfg *d)
{
	return strcmp(d->type, "hvm") == 0 ? CTL_DOM_HVM :
	    strcmp(d->type, "pvh") == 0 ? CTL_DOM_PVH : CTL_DOM_PV;
}

static int set_memory(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	if (v->num < 4 || v->num > 1024 * 1024)
		return snprintf(err, n, "memory must be 4 to 1048576 MiB"), -EINVAL;
	d->memory_mb = (uint64_t)v->num;
	return 0;
}

static int set_maxmem(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	if (v->num < 4 || v->num > 1024 * 1024)
		return snprintf(err, n, "maxmem must be 4 to 1048576 MiB"), -EINVAL;
	d->maxmem_mb = (uint64_t)v->num;
	return 0;
}

static int set_vcpus(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	if (v->num < 1 || v->num > 8)
		return snprintf(err, n, "vcpus must be 1 to 8"), -EINVAL;
	d->vcpus = (unsigned int)v->num;
	return 0;
}

static int set_maxvcpus(struct domcfg *d, const struct xlcfg_value *v, char *err,
    size_t n)
{
	if (v->num < 1 || v->num > 8)
		return snprintf(err, n, "maxvcpus must be 1 to 8"), -EINVAL;
	d->maxvcpus = (unsigned int)v->num;
	return 0;
}

int domcfg_action(const char *s, uint8_t *out)
{
	if (!strcmp(s, "destroy") || !strcmp(s, "coredump-destroy"))
		*out = CTL_ACT_DESTROY;
	else if (!strcmp(s, "restart") || !strcmp(s, "rename-restart") ||
	    !strcmp(s, "coredump-restart"))
		*out = CTL_ACT_RESTART;
	else if (!strcmp(s, "preserve"))
		*out = CTL_ACT_PRESERVE;
	else
		return -EINVAL;
	return 0;
}

#define ACTION_SETTER(fn, field)					\
static int fn(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n) \
{									\
	if (domcfg_action(v->str, &d->field) < 0)			\
		return snprintf(err, n, "unknown action '%s' (destroy, restart, " \
		    "preserve)", v->str), -EINVAL;				\
	return 0;							\
}

ACTION_SETTER(set_on_poweroff, on_poweroff)
ACTION_SETTER(set_on_reboot, on_reboot)
ACTION_SETTER(set_on_crash, on_crash)

static int set_uuid(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	unsigned int i, j = 0;
	const char *s = v->str;

	for (i = 0; i < 16; i++) {
		if (s[j] == '-')
			j++;
		if (sscanf(s + j, "%2hhx", &d->uuid[i]) != 1)
			return snprintf(err, n, "bad uuid '%s'", s), -EINVAL;
		j += 2;
	}
	if (s[j] != '\0')
		return snprintf(err, n, "bad uuid '%s'", s), -EINVAL;
	return 0;
}

/* xl writes "ACM:policy:label" (or "policy:label", or just a label). */
static int set_seclabel(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	if (strchr(v->str, ':') == NULL && v->str[0] != '\0' &&
	    strlen(v->str) < sizeof(d->seclabel)) {
		str_copy(d->seclabel, v->str, sizeof(d->seclabel));
		d->seclabel_policy[0] = '\0';
		return 0;
	}
	if (policy_split_label(v->str, d->seclabel_policy, sizeof(d->seclabel_policy),
	    d->seclabel, sizeof(d->seclabel)) < 0)
		return snprintf(err, n, "bad label '%s' (ACM:POLICY:LABEL)", v->str), -EINVAL;
	return 0;
}

/* disk = [ 'spec', ... ]: each spec in xl's syntax; each vdev once. */
static int set_disks(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	char why[200];
	unsigned int i, j;

	if (v->nlist > DOMCFG_MAX_DISKS)
		return snprintf(err, n, "at most %d disks", DOMCFG_MAX_DISKS), -EINVAL;
	for (i = 0; i < v->nlist; i++) {
		if (diskspec_parse(v->list[i], &d->disks[i], why, sizeof(why)) < 0)
			return snprintf(err, n, "'%s': %s", v->list[i], why), -EINVAL;
		for (j = 0; j < i; j++)
			if (d->disks[j].devid == d->disks[i].devid)
				return snprintf(err, n, "vdev %s given twice", d->disks[i].vdev),
				    -EINVAL;
	}
	d->ndisks = v->nlist;
	return 0;
}

/* vif = [ 'spec', ... ]: xl's vif syntax, with vlan= and trunk=. */
static int set_vifs(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	char why[256];
	unsigned int i;

	if (v->nlist > DOMCFG_MAX_VIFS)
		return snprintf(err, n, "at most %d vifs", DOMCFG_MAX_VIFS), -EINVAL;
	for (i = 0; i < v->nlist; i++)
		if (vifspec_parse(v->list[i], &d->vifs[i], why, sizeof(why)) < 0)
			return snprintf(err, n, "'%s': %s", v->list[i], why), -EINVAL;
	d->nvifs = v->nlist;
	return 0;
}

/* vtpm = [ 'backend=0' ]: one vTPM, served by palvtpmd in dom0. */
static int set_vtpm(struct domcfg *d, const struct xlcfg_value *v, char *err, size_t n)
{
	char why[128];
	unsigned int i;

	if (v->nlist > 1)
		return snprintf(err, n, "at most one vtpm"), -EINVAL;
	for (i = 0; i < v->nlist; i++)
		if (vtpmspec_parse(v->list[i], why, sizeof(why)) < 0)
			return snprintf(err, n, "'%s': %s", v->list[i], why), -EINVAL;
	d->vtpm = v->nlist == 1;
	return 0;
}

static const struct key keys[] = {
	{ "name", K_STR, set_name },
	{ "type", K_STR, set_type },
	{ "builder", K_STR, set_builder },
	{ "kernel", K_STR, set_kernel },
	{ "ramdisk", K_STR, set_ramdisk },
	{ "cmdline", K_STR, set_cmdline },
	{ "extra", K_STR, set_cmdline },
	{ "memory", K_NUM, set_memory },
	{ "maxmem", K_NUM, set_maxmem },
	{ "vcpus", K_NUM, set_vcpus },
	{ "maxvcpus", K_NUM, set_maxvcpus },
	{ "on_poweroff", K_STR, set_on_poweroff },
	{ "on_reboot", K_STR, set_on_reboot },
	{ "on_crash", K_STR, set_on_crash },
	{ "uuid", K_STR, set_uuid },
	{ "seclabel", K_STR, set_seclabel },
	{ "disk", K_LIST, set_disks },
	{ "vif", K_LIST, set_vifs },
	{ "vtpm", K_LIST, set_vtpm },
};

static void random_uuid(uint8_t *u)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, u, 16) != 16)
		memset(u, 0x5a, 16);
	if (fd >= 0)
		close(fd);
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
}

/* Paths in a config are relative to the config file's directory. */
static int resolve_path(char *path, size_t size, const char *fname)
{
	char tmp[1024];
	const char *slash = strrchr(fname, '/');

	if (path[0] == '\0' || path[0] == '/' || slash == NULL)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)(slash - fname), fname,
	    path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	return str_copy(path, tmp, size) >= size ? -ENAMETOOLONG : 0;
}

int domcfg_from_xlcfg(struct domcfg *d, struct xlcfg *cfg, const char *fname)
{
	const struct xlcfg_entry *e;
	char why[160];
	size_t i;

	memset(d, 0, sizeof(*d));
	str_copy(d->type, "pv", sizeof(d->type));
	d->memory_mb = 128;
	d->vcpus = 1;
	d->on_reboot = CTL_ACT_RESTART;
	random_uuid(d->uuid);
	for (e = cfg->head; e != NULL; e = e->next) {
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (strcmp(keys[i].name, e->key) == 0)
				break;
		if (i == ARRAY_SIZE(keys)) {
			snprintf(cfg->err, sizeof(cfg->err), "%s:%u: unknown setting '%s'",
			    fname, e->line, e->key);
			return -EINVAL;
		}
		if ((keys[i].kind == K_STR && e->val.type != XLV_STRING) ||
		    (keys[i].kind == K_NUM && e->val.type != XLV_NUMBER) ||
		    (keys[i].kind == K_LIST && e->val.type != XLV_LIST)) {
			snprintf(cfg->err, sizeof(cfg->err), "%s:%u: '%s' must be a %s",
			    fname, e->line, e->key, keys[i].kind == K_STR ? "quoted string" :
			    keys[i].kind == K_NUM ? "number" : "list [ '...', ... ]");
			return -EINVAL;
		}
		if (keys[i].set(d, &e->val, why, sizeof(why)) < 0) {
			snprintf(cfg->err, sizeof(cfg->err), "%s:%u: %s: %s", fname,
			    e->line, e->key, why);
			return -EINVAL;
		}
	}
	if (d->name[0] == '\0') {
		snprintf(cfg->err, sizeof(cfg->err), "%s: missing 'name'", fname);
		return -EINVAL;
	}
	if (d->kernel[0] == '\0') {
		snprintf(cfg->err, sizeof(cfg->err), "%s: missing 'kernel'", fname);
		return -EINVAL;
	}
	if (d->maxmem_mb == 0)
		d->maxmem_mb = d->memory_mb;
	if (d->maxvcpus == 0)
		d->maxvcpus = d->vcpus;
	if (d->maxvcpus < d->vcpus) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: maxvcpus (%u) is less than "
		    "vcpus (%u)", fname, d->maxvcpus, d->vcpus);
		return -EINVAL;
	}
	if (domcfg_type(d) != CTL_DOM_PV && d->maxvcpus != 1) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: type '%s' guests have one vCPU "
		    "(vcpus = 1)", fname, d->type);
		return -EINVAL;
	}
	if (domcfg_type(d) != CTL_DOM_PV && d->maxmem_mb > 3072) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: type '%s' guests have at most "
		    "3072 MiB (below the APICs)", fname, d->type);
		return -EINVAL;
	}
	if (d->maxmem_mb < d->memory_mb) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: maxmem (%llu) is less than "
		    "memory (%llu)", fname, (unsigned long long)d->maxmem_mb,
		    (unsigned long long)d->memory_mb);
		return -EINVAL;
	}
	if (resolve_path(d->kernel, sizeof(d->kernel), fname) < 0 ||
	    resolve_path(d->ramdisk, sizeof(d->ramdisk), fname) < 0) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: path too long", fname);
		return -EINVAL;
	}
	for (i = 0; i < d->ndisks; i++)
		if (resolve_path(d->disks[i].target, sizeof(d->disks[i].target), fname) < 0) {
			snprintf(cfg->err, sizeof(cfg->err), "%s: disk path too long", fname);
			return -EINVAL;
		}
	return 0;
}
