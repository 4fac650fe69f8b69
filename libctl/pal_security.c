/* SPDX-License-Identifier: GPL-2.0-only */
/* pal policy, pal audit: what the hypervisor's security module is doing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "palisade/acmpol.h"
#include "pal.h"

static int policy_load(const char *path)
{
	static char buf[ACMPOL_MAX_SIZE + 1];
	char err[256];
	struct palctl c;
	size_t len;
	FILE *f = fopen(path, "rb");
	int ret;

	if (f == NULL)
		return pal_err("%s: %s", path, strerror(errno));
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len > ACMPOL_MAX_SIZE)
		return pal_err("%s: larger than a policy may be (%u bytes)", path,
		    ACMPOL_MAX_SIZE);
	if (pal_connect(&c) < 0)
		return 1;
	ret = palctl_xsm_load(&c, buf, len, err, sizeof(err));
	palctl_close(&c);
	if (ret < 0)
		return pal_err("%s: policy refused: %s", path,
		    err[0] ? err : palctl_strerror(ret));
	printf("policy loaded from %s\n", path);
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	struct palctl c;
	struct ctl_msg rep;
	int ret;

	if (argc == 3 && strcmp(argv[1], "load") == 0)
		return policy_load(argv[2]);
	if (argc != 2 || strcmp(argv[1], "show") != 0)
		return pal_usage_of("policy"), 2;
	if (pal_connect(&c) < 0)
		return 1;
	ret = palctl_call(&c, CTL_XSM_INFO, NULL, 0, &rep, NULL, NULL);
	palctl_close(&c);
	if (ret < 0)
		return pal_err("policy: %s", palctl_strerror(ret));
	if (rep.hdr.len != sizeof(struct ctl_xsm_info))
		return pal_err("policy: bad reply from the hypervisor");
	rep.u.req.xsm.module[sizeof(rep.u.req.xsm.module) - 1] = '\0';
	rep.u.req.xsm.policy[sizeof(rep.u.req.xsm.policy) - 1] = '\0';
	printf("module          : %s\n", rep.u.req.xsm.module);
	printf("policy          : %s\n", rep.u.req.xsm.policy[0] ?
	    rep.u.req.xsm.policy :
	    "Xen's default (dom0 privileged; guests act on themselves)");
	printf("decisions       : %llu\n", (unsigned long long)rep.u.req.xsm.checks);
	printf("denials         : %llu\n", (unsigned long long)rep.u.req.xsm.denials);
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return pal_usage_of("audit"), 2;
	return pal_cat_rundir("audit.log");
}
