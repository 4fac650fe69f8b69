/* SPDX-License-Identifier: GPL-2.0-only */
/* pal policy: compile, load, show, list the labels of, and compare ACM
 * policies (XML through dom0/policy's compiler, or binary). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dom0/policy/policy.h"
#include "palisade/xen.h"
#include "pal.h"

/* A policy file, XML or binary, as a checked binary (free both). */
static struct acmpol *read_policy(const char *path, void **bin, size_t *len)
{
	char err[1024];
	struct acmpol *p;
	FILE *f = fopen(path, "rb");
	uint32_t magic = 0;

	*bin = NULL;
	if (f == NULL)
		return pal_err("%s: %s", path, strerror(errno)), NULL;
	if (fread(&magic, sizeof(magic), 1, f) != 1)
		magic = 0;
	if (magic == ACMPOL_MAGIC) {
		*bin = malloc(ACMPOL_MAX_SIZE + 1);
		rewind(f);
		*len = *bin != NULL ? fread(*bin, 1, ACMPOL_MAX_SIZE + 1, f) : 0;
		fclose(f);
	} else {
		fclose(f);
		*bin = policy_compile_file(path, len, err, sizeof(err));
		if (*bin == NULL)
			return pal_err("%s", err), NULL;
	}
	if (*bin == NULL)
		return pal_err("%s: out of memory", path), NULL;
	p = acmpol_decode(*bin, *len, err, sizeof(err));
	if (p == NULL) {
		free(*bin);
		*bin = NULL;
		pal_err("%s: %s", path, err);
	}
	return p;
}

struct acmpol *pal_loaded_policy(const char *who, const char *if_none)
{
	char err[1024];
	struct acmpol *p;
	struct palctl c;
	size_t len;
	void *b;
	int ret;

	if (pal_connect(&c) < 0)
		return NULL;
	ret = palctl_xsm_get(&c, &b, &len);
	palctl_close(&c);
	if (ret < 0)
		return pal_err("%s: %s", who, palctl_strerror(ret)), NULL;
	if (b == NULL)
		return pal_err("%s: %s", who, if_none), NULL;
	p = acmpol_decode(b, len, err, sizeof(err));
	free(b);
	if (p == NULL)
		pal_err("%s: the hypervisor's policy: %s", who, err);
	return p;
}

static struct acmpol *loaded_policy(void)
{
	return pal_loaded_policy("policy", "no ACM policy is loaded (the dummy module decides)");
}

static struct acmpol *file_or_loaded(int argc, char **argv, int at)
{
	void *bin;
	size_t len;
	struct acmpol *p;

	if (argc <= at)
		return loaded_policy();
	p = read_policy(argv[at], &bin, &len);
	free(bin);
	return p;
}

static int compile(int argc, char **argv)
{
	const char *out = NULL, *in;
	bool check_only = false;
	char err[1024];
	size_t len;
	void *bin;
	FILE *f;
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "no:")) != -1) {
		if (c == 'n')
			check_only = true;
		else if (c == 'o')
			out = optarg;
		else
			return pal_usage_of("policy"), 2;
	}
	if (optind != argc - 1)
		return pal_usage_of("policy"), 2;
	in = argv[optind];
	bin = policy_compile_file(in, &len, err, sizeof(err));
	if (bin == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check_only) {
		free(bin);
		printf("policy OK\n");
		return 0;
	}
	if (out == NULL) {
		static char def[4096];
		const char *dot = strrchr(in, '.');
		int n = dot != NULL && strcmp(dot, ".xml") == 0 ? (int)(dot - in) : (int)strlen(in);

		snprintf(def, sizeof(def), "%.*s.bin", n, in);
		out = def;
	}
	f = fopen(out, "wb");
	if (f == NULL || fwrite(bin, 1, len, f) != len || fclose(f) != 0) {
		free(bin);
		return pal_err("%s: %s", out, strerror(errno));
	}
	free(bin);
	printf("%s: %zu bytes\n", out, len);
	return 0;
}

static int load(int argc, char **argv)
{
	uint32_t flags = 0;
	char err[CTL_ERROR_LEN];
	struct acmpol *p;
	struct palctl c;
	size_t len;
	void *bin;
	int ret;

	if (argc == 4 && strcmp(argv[2], "--force") == 0) {
		flags = CTL_XSM_LOAD_FORCE;
		argv++;
		argc--;
	}
	if (argc != 3)
		return pal_usage_of("policy"), 2;
	if ((p = read_policy(argv[2], &bin, &len)) == NULL)
		return 1;
	if (pal_connect(&c) < 0) {
		free(bin);
		acmpol_free(p);
		return 1;
	}
	ret = palctl_xsm_load(&c, bin, len, flags, err, sizeof(err));
	palctl_close(&c);
	free(bin);
	if (ret < 0) {
		acmpol_free(p);
		return pal_err("%s: policy refused: %s%s", argv[2], err[0] ? err :
		    palctl_strerror(ret), ret == -XEN_EPERM && flags == 0 ?
		    " (--force loads it anyway: such domains lose their labels)" : "");
	}
	printf("policy %s %u.%u loaded from %s\n", p->h->name, p->h->major, p->h->minor,
	    argv[2]);
	acmpol_free(p);
	return 0;
}

static void types(const char *title, const struct acmpol *p, const uint64_t *map,
    const char *(*name)(const struct acmpol *, unsigned int), uint32_t n)
{
	uint32_t t;
	bool any = false;

	printf("%s", title);
	for (t = 0; t < n; t++)
		if (acmpol_bit(map, t)) {
			printf("%s%s", any ? ", " : "", name(p, t));
			any = true;
		}
	printf("%s\n", any ? "" : "(none)");
}

static int show(int argc, char **argv)
{
	struct ctl_msg rep;
	struct acmpol *p = NULL;
	struct palctl c;
	uint32_t i, vms = 0;
	int ret;

	if (argc > 3)
		return pal_usage_of("policy"), 2;
	if (argc == 3 && (p = file_or_loaded(argc, argv, 2)) == NULL)
		return 1;
	if (argc == 2) {
		if (pal_connect(&c) < 0)
			return 1;
		ret = palctl_call(&c, CTL_XSM_INFO, NULL, 0, &rep, NULL, NULL);
		palctl_close(&c);
		if (ret < 0 || rep.hdr.len != sizeof(struct ctl_xsm_info))
			return pal_err("policy: %s", ret < 0 ? palctl_strerror(ret) :
			    "bad reply from the hypervisor");
		rep.u.req.xsm.module[sizeof(rep.u.req.xsm.module) - 1] = '\0';
		printf("module          : %s\n", rep.u.req.xsm.module);
		printf("decisions       : %llu\n", (unsigned long long)rep.u.req.xsm.checks);
		printf("denials         : %llu\n", (unsigned long long)rep.u.req.xsm.denials);
		if (rep.u.req.xsm.policy[0] == '\0') {
			printf("policy          : Xen's default (dom0 privileged; guests act on "
			    "themselves)\n");
			return 0;
		}
		if ((p = loaded_policy()) == NULL)
			return 1;
	}
	for (i = 0; i < p->h->nr_labels; i++)
		vms += p->labels[i].kind == ACMPOL_VM;
	printf("policy          : %s %u.%u", p->h->name, p->h->major, p->h->minor);
	if (p->h->flags & ACMPOL_HAS_FROM)
		printf(" (updates %s %u.%u)", p->h->from_name, p->h->from_major, p->h->from_minor);
	printf("\nSTE types       : %u\n", p->h->nr_ste_types);
	printf("Chinese Wall    : %u types, %u conflict sets\n", p->h->nr_cw_types,
	    p->h->nr_conflicts);
	for (i = 0; i < p->h->nr_conflicts; i++) {
		char title[ACMPOL_NAME_LEN + 32];

		snprintf(title, sizeof(title), "  conflict set %s: ", p->conflicts[i].name);
		types(title, p, p->conflicts[i].cw, acmpol_cw_name, p->h->nr_cw_types);
	}
	printf("labels          : %u VM, %u resource\n", vms, p->h->nr_labels - vms);
	printf("dom0 runs as    : %s\n", p->labels[p->h->bootstrap].name);
	acmpol_free(p);
	return 0;
}

static void print_label(const struct acmpol *p, uint32_t i)
{
	const struct acmpol_label *l = &p->labels[i];

	printf("  %s%s%s%s%s\n", l->name, i == p->h->bootstrap ? " (bootstrap: dom0)" : "",
	    l->from[0] ? " (was " : "", l->from, l->from[0] ? ")" : "");
	types("    STE: ", p, l->ste, acmpol_ste_name, p->h->nr_ste_types);
	if (l->kind == ACMPOL_VM)
		types("    Chinese Wall: ", p, l->cw, acmpol_cw_name, p->h->nr_cw_types);
}

static int labels(int argc, char **argv)
{
	struct acmpol *p;
	uint32_t i;
	int kind;

	if (argc > 3)
		return pal_usage_of("policy"), 2;
	if ((p = file_or_loaded(argc, argv, 2)) == NULL)
		return 1;
	for (kind = ACMPOL_VM; kind <= ACMPOL_RESOURCE; kind++) {
		printf("%s labels of %s:\n", kind == ACMPOL_VM ? "VM" : "Resource", p->h->name);
		for (i = 0; i < p->h->nr_labels; i++)
			if (p->labels[i].kind == (uint32_t)kind)
				print_label(p, i);
	}
	acmpol_free(p);
	return 0;
}

/* --- diff ------------------------------------------------------------------- */

static int type_index(const struct acmpol *p, bool cw, const char *name)
{
	uint32_t i, n = cw ? p->h->nr_cw_types : p->h->nr_ste_types;

	for (i = 0; i < n; i++)
		if (strcmp(cw ? acmpol_cw_name(p, i) : acmpol_ste_name(p, i), name) == 0)
			return (int)i;
	return -1;
}

static unsigned int diff_types(const struct acmpol *a, const struct acmpol *b, bool cw)
{
	const char *kind = cw ? "Chinese Wall" : "STE";
	uint32_t i, na = cw ? a->h->nr_cw_types : a->h->nr_ste_types;
	uint32_t nb = cw ? b->h->nr_cw_types : b->h->nr_ste_types;
	unsigned int d = 0;

	for (i = 0; i < na; i++) {
		const char *n = cw ? acmpol_cw_name(a, i) : acmpol_ste_name(a, i);

		if (type_index(b, cw, n) < 0) {
			printf("- %s type %s\n", kind, n);
			d++;
		}
	}
	for (i = 0; i < nb; i++) {
		const char *n = cw ? acmpol_cw_name(b, i) : acmpol_ste_name(b, i);

		if (type_index(a, cw, n) < 0) {
			printf("+ %s type %s\n", kind, n);
			d++;
		}
	}
	return d;
}

/* Append to out the types of a's map (by name) that b's lacks, signed. */
static void type_changes(const struct acmpol *a, const uint64_t *ma, const struct acmpol *b,
    const uint64_t *mb, bool cw, char sign, char *out, size_t n)
{
	uint32_t t, count = cw ? a->h->nr_cw_types : a->h->nr_ste_types;

	for (t = 0; t < count; t++) {
		const char *name = cw ? acmpol_cw_name(a, t) : acmpol_ste_name(a, t);
		int o = type_index(b, cw, name);
		size_t used = strlen(out);

		if (acmpol_bit(ma, t) && (o < 0 || !acmpol_bit(mb, (unsigned int)o)))
			snprintf(out + used, n - used, "%s%c%s%s", used ? " " : "", sign,
			    cw ? "cw:" : "", name);
	}
}

static unsigned int diff_labels(const struct acmpol *a, const struct acmpol *b)
{
	unsigned int d = 0;
	uint32_t i, k;

	for (i = 0; i < a->h->nr_labels; i++) {
		const struct acmpol_label *l = &a->labels[i], *m;
		const char *kind = l->kind == ACMPOL_VM ? "VM" : "resource";
		int j = acmpol_label(b, l->name, l->kind);
		char changes[1024] = "";

		for (k = 0; j < 0 && k < b->h->nr_labels; k++)
			if (b->labels[k].kind == l->kind && strcmp(b->labels[k].from, l->name) == 0)
				j = (int)k;
		if (j < 0) {
			printf("- %s label %s\n", kind, l->name);
			d++;
			continue;
		}
		m = &b->labels[j];
		if (strcmp(m->name, l->name) != 0) {
			printf("> %s label %s renamed %s\n", kind, l->name, m->name);
			d++;
		}
		type_changes(b, m->ste, a, l->ste, false, '+', changes, sizeof(changes));
		type_changes(a, l->ste, b, m->ste, false, '-', changes, sizeof(changes));
		type_changes(b, m->cw, a, l->cw, true, '+', changes, sizeof(changes));
		type_changes(a, l->cw, b, m->cw, true, '-', changes, sizeof(changes));
		if (changes[0] != '\0') {
			printf("~ %s label %s: %s\n", kind, m->name, changes);
			d++;
		}
	}
	for (i = 0; i < b->h->nr_labels; i++) {
		const struct acmpol_label *l = &b->labels[i];

		if (acmpol_label(a, l->name, l->kind) < 0 &&
		    (l->from[0] == '\0' || acmpol_label(a, l->from, l->kind) < 0)) {
			printf("+ %s label %s\n", l->kind == ACMPOL_VM ? "VM" : "resource", l->name);
			d++;
		}
	}
	if (strcmp(a->labels[a->h->bootstrap].name, b->labels[b->h->bootstrap].name) != 0) {
		printf("~ bootstrap label %s -> %s\n", a->labels[a->h->bootstrap].name,
		    b->labels[b->h->bootstrap].name);
		d++;
	}
	return d;
}

static int diff(int argc, char **argv)
{
	struct acmpol *a, *b;
	unsigned int d;

	if (argc != 3 && argc != 4)
		return pal_usage_of("policy"), 2;
	a = argc == 4 ? file_or_loaded(argc, argv, 2) : loaded_policy();
	if (a == NULL)
		return 1;
	b = file_or_loaded(argc, argv, argc - 1);
	if (b == NULL) {
		acmpol_free(a);
		return 1;
	}
	printf("--- %s %u.%u\n+++ %s %u.%u\n", a->h->name, a->h->major, a->h->minor,
	    b->h->name, b->h->major, b->h->minor);
	d = diff_types(a, b, false) + diff_types(a, b, true) + diff_labels(a, b);
	if (d == 0)
		printf("no differences in types or labels\n");
	acmpol_free(a);
	acmpol_free(b);
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} sub[] = {
		{ "compile", compile }, { "load", load }, { "show", show },
		{ "labels", labels }, { "diff", diff },
	};
	size_t i;

	for (i = 0; argc >= 2 && i < sizeof(sub) / sizeof(sub[0]); i++)
		if (strcmp(argv[1], sub[i].name) == 0)
			return sub[i].fn(argc - (i == 0), argv + (i == 0));
	return pal_usage_of("policy"), 2;
}
