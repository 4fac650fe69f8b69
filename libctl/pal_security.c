/* SPDX-License-Identifier: GPL-2.0-only */
/* pal label, pal audit: resource labels in dom0's database, and what the
 * security module denied. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade/util.h"
#include "pal.h"

/* Check LABEL against the loaded policy: it must be one of its resource
 * labels. Fills policy and label. */
static int resource_label(const char *spec, char *policy, char *label)
{
	struct acmpol *p = pal_loaded_policy("label", "no ACM policy is loaded: load one "
	    "first ('pal policy load')");
	int ret;

	if (p == NULL)
		return 1;
	if (strchr(spec, ':') == NULL) {
		snprintf(policy, ACMPOL_NAME_LEN, "%s", p->h->name);
		snprintf(label, ACMPOL_NAME_LEN, "%s", spec);
	} else if (policy_split_label(spec, policy, ACMPOL_NAME_LEN, label,
	    ACMPOL_NAME_LEN) < 0) {
		acmpol_free(p);
		return pal_err("label: '%s' is not a label (ACM:POLICY:LABEL)", spec);
	}
	ret = 0;
	if (strcmp(policy, p->h->name) != 0)
		ret = pal_err("label: policy %s is not the loaded policy (%s)", policy,
		    p->h->name);
	else if (acmpol_label(p, label, ACMPOL_RESOURCE) < 0)
		ret = pal_err("label: %s is not a resource label of policy %s", label, policy);
	acmpol_free(p);
	return ret;
}

static int print_entry(const char *res, const char *policy, const char *label, void *arg)
{
	(void)arg;
	printf("%-48s ACM:%s:%s\n", res, policy, label);
	return 0;
}

int cmd_label(int argc, char **argv)
{
	char res[LABELDB_RES_LEN], policy[ACMPOL_NAME_LEN], label[ACMPOL_NAME_LEN], err[256];
	int ret;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		ret = labeldb_each(print_entry, NULL);
		return ret < 0 ? pal_err("%s: %s", labeldb_path(), strerror(-ret)) : 0;
	}
	if (argc == 4 && strcmp(argv[1], "add") == 0) {
		if (labeldb_resource(argv[2], res, sizeof(res), err, sizeof(err)) < 0)
			return pal_err("label: %s", err);
		if (resource_label(argv[3], policy, label) != 0)
			return 1;
		ret = labeldb_set(res, policy, label);
		if (ret < 0)
			return pal_err("%s: %s", labeldb_path(), strerror(-ret));
		printf("%s: ACM:%s:%s\n", res, policy, label);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "rm") == 0) {
		/* A file since gone is named as it was labelled. */
		if (labeldb_resource(argv[2], res, sizeof(res), err, sizeof(err)) < 0)
			snprintf(res, sizeof(res), "%s%s", argv[2][0] == '/' ? "file:" : "",
			    argv[2]);
		ret = labeldb_remove(res);
		if (ret == -ENOENT)
			return pal_err("label: %s has no label", res);
		if (ret < 0)
			return pal_err("%s: %s", labeldb_path(), strerror(-ret));
		return 0;
	}
	return pal_usage_of("label"), 2;
}

int cmd_audit(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return pal_usage_of("audit"), 2;
	return pal_cat_rundir("audit.log");
}
