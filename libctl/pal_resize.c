/* SPDX-License-Identifier: GPL-2.0-only */
/* pal mem-set and vcpu-set: a running guest's memory and vCPUs, through
 * the store nodes its balloon and CPU hot-plug drivers watch, as xl does. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/util.h"
#include "pal.h"

/* xl's sizes: a number of MiB, or with t, g, m, k or b after it. */
static int parse_mem_kb(const char *s, uint64_t *kb)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (errno != 0 || (end[0] != '\0' && end[1] != '\0'))
		return -EINVAL;
	switch (tolower((unsigned char)end[0])) {
	case 't': shift = 30; break;
	case 'g': shift = 20; break;
	case '\0':
	case 'm': shift = 10; break;
	case 'k': break;
	case 'b': v >>= 10; break;
	default: return -EINVAL;
	}
	if (v > (1ull << 40) >> shift)		/* past 1 PiB: no wrap-around */
		return -EINVAL;
	*kb = v << shift;
	return 0;
}

/*
 * pal mem-set DOMAIN MEM: the guest's balloon target (memory/target, KiB),
 * and the hypervisor's limit on what it may populate set to the target and
 * a MiB of slack (xl's LIBXL_MAXMEM_CONSTANT), so a guest that ignores the
 * target still cannot grow past it. A raised limit is set before the
 * target, a lowered one after it, so the guest is never refused pages the
 * target gives it.
 */
int cmd_mem_set(int argc, char **argv)
{
	struct ctl_domain_info info;
	struct palctl_xs x;
	struct palctl c;
	char path[96], val[24];
	uint64_t kb, limit;
	uint32_t domid;
	int ret;

	if (argc != 3)
		return pal_usage_of("mem-set"), 2;
	if (parse_mem_kb(argv[2], &kb) < 0)
		return pal_err("mem-set: '%s' is not a size (MiB, or a number with "
		    "t, g, m, k or b)", argv[2]);
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	if ((ret = palctl_domain_info(&c, domid, &info)) < 0)
		goto ctl_failed;
	if (kb < 4096 || kb > info.max_mem_kb) {
		pal_close_both(&c, &x);
		return pal_err("mem-set %s: %llu KiB is outside 4096 to %llu KiB (its "
		    "maxmem)", argv[1], (unsigned long long)kb,
		    (unsigned long long)info.max_mem_kb);
	}
	limit = MIN(kb + 1024, info.max_mem_kb);
	if (limit > info.limit_kb &&
	    (ret = palctl_domid_op(&c, CTL_DOMAIN_SETMAXMEM, domid, (uint32_t)limit)) < 0)
		goto ctl_failed;
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)kb);
	if ((ret = palctl_xs_write(&x, path, val)) < 0) {
		pal_close_both(&c, &x);
		return pal_err("mem-set %s: cannot write %s: %s", argv[1], path,
		    strerror(-ret));
	}
	if (limit < info.limit_kb &&
	    (ret = palctl_domid_op(&c, CTL_DOMAIN_SETMAXMEM, domid, (uint32_t)limit)) < 0)
		goto ctl_failed;
	printf("mem-set %s: target %llu KiB (%llu KiB populated now)\n", argv[1],
	    (unsigned long long)kb, (unsigned long long)info.mem_kb);
	pal_close_both(&c, &x);
	return 0;
ctl_failed:
	pal_err("mem-set %s: %s", argv[1], palctl_why(&c, ret));
	pal_close_both(&c, &x);
	return 1;
}

/* pal vcpu-set DOMAIN N: vCPUs 0 to N-1 online, the rest of the domain's
 * (maxvcpus) offline, through cpu/I/availability. */
int cmd_vcpu_set(int argc, char **argv)
{
	struct ctl_domain_info info;
	struct palctl_xs x;
	struct palctl c;
	unsigned long n;
	uint32_t domid, i;
	char *end;
	int ret;

	if (argc != 3)
		return pal_usage_of("vcpu-set"), 2;
	n = strtoul(argv[2], &end, 10);
	if (!isdigit((unsigned char)argv[2][0]) || *end != '\0' || n == 0)
		return pal_err("vcpu-set: '%s' is not a number of vCPUs (1 or more)",
		    argv[2]);
	if (pal_open_both(argv[1], &c, &domid, &x) < 0)
		return 1;
	if ((ret = palctl_domain_info(&c, domid, &info)) < 0) {
		pal_err("vcpu-set %s: %s", argv[1], palctl_why(&c, ret));
	} else if (n > info.vcpus) {
		pal_err("vcpu-set %s: it has %u vCPUs (maxvcpus); %lu asked", argv[1],
		    info.vcpus, n);
		ret = -EINVAL;
	}
	for (i = 0; ret == 0 && i < info.vcpus; i++)
		if ((ret = palctl_xs_vcpu_avail(&x, domid, i, i < n)) < 0)
			pal_err("vcpu-set %s: cannot write cpu/%u/availability: %s",
			    argv[1], i, strerror(-ret));
	if (ret == 0)
		printf("vcpu-set %s: %lu of %u vCPUs online (%u were)\n", argv[1], n,
		    info.vcpus, info.vcpus_online);
	pal_close_both(&c, &x);
	return ret < 0;
}
