/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy compiler: XML (libxml2), validated against our schema
 * (security_policy.xsd, built in), then checked for what a schema cannot
 * say (types declared before labels use them, names given twice, conflict
 * sets naming unknown types, a label on both sides of a conflict set,
 * limits), then laid out as the binary policy. The first problem found is
 * the one reported, as "FILE:LINE: what".
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "policy.h"

extern const unsigned char policy_xsd[];
extern const unsigned int policy_xsd_len;

#define NS "http://www.ibm.com"

struct compiler {
	const char *file;
	char *err;
	size_t n;
	bool failed;
	struct acmpol_header h;
	struct acmpol_name *types;	/* STE, then CW once both are known */
	struct acmpol_name ste[ACMPOL_MAX_TYPES], cw[ACMPOL_MAX_TYPES];
	xmlHashTablePtr ste_idx, cw_idx, vm_idx, res_idx, set_idx;
	struct acmpol_label *labels;
	struct acmpol_conflict conflicts[ACMPOL_MAX_CONFLICTS];
	long label_line[ACMPOL_MAX_LABELS];
};

static void fail(struct compiler *c, long line, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (c->failed)
		return;
	c->failed = true;
	k = line > 0 ? snprintf(c->err, c->n, "%s:%ld: ", c->file, line) :
	    snprintf(c->err, c->n, "%s: ", c->file);
	if (k < 0 || (size_t)k >= c->n)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + k, c->n - (size_t)k, fmt, ap);
	va_end(ap);
}

/* --- libxml2's own messages ---------------------------------------------- */

struct xml_msg {
	bool set;
	int line;
	char text[400];
};

/* The first error libxml2 reports, without its namespace decoration. */
static void on_xml_error(void *arg, xmlErrorPtr e)
{
	struct xml_msg *m = arg;
	const char *s = e->message != NULL ? e->message : "error";
	size_t o = 0;

	if (m->set || e->level < XML_ERR_ERROR)
		return;
	m->set = true;
	m->line = e->line;
	while (*s != '\0' && o + 1 < sizeof(m->text)) {
		if (strncmp(s, "{" NS "}", sizeof("{" NS "}") - 1) == 0) {
			s += sizeof("{" NS "}") - 1;
			continue;
		}
		m->text[o++] = *s == '\n' ? ' ' : *s;
		s++;
	}
	while (o > 0 && m->text[o - 1] == ' ')
		o--;
	m->text[o] = '\0';
}

static void on_generic(void *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
}

static xmlSchemaPtr schema(void)
{
	static xmlSchemaPtr s;
	xmlSchemaParserCtxtPtr pc;

	if (s != NULL)
		return s;
	pc = xmlSchemaNewMemParserCtxt((const char *)policy_xsd, (int)policy_xsd_len);
	if (pc != NULL) {
		s = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	return s;
}

/* --- walking the document ------------------------------------------------ */

static bool is(const xmlNode *x, const char *name)
{
	return x->type == XML_ELEMENT_NODE && strcmp((const char *)x->name, name) == 0;
}

static xmlNode *child(const xmlNode *x, const char *name)
{
	xmlNode *k;

	for (k = x != NULL ? x->children : NULL; k != NULL; k = k->next)
		if (is(k, name))
			return k;
	return NULL;
}

/* A name from x's text, trimmed; "" after a failure. */
static void text(struct compiler *c, const xmlNode *x, const char *what, char *out)
{
	xmlChar *t = xmlNodeGetContent(x);
	const char *s = t != NULL ? (const char *)t : "";
	size_t len;

	out[0] = '\0';
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
	    s[len - 1] == '\r'))
		len--;
	if (len == 0)
		fail(c, xmlGetLineNo(x), "%s is empty", what);
	else if (len >= ACMPOL_NAME_LEN)
		fail(c, xmlGetLineNo(x), "%s '%.*s' is longer than %d characters", what,
		    (int)len, s, ACMPOL_NAME_LEN - 1);
	else {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	xmlFree(t);
}

static void version(struct compiler *c, const xmlNode *x, uint16_t *major, uint16_t *minor)
{
	char v[ACMPOL_NAME_LEN];
	unsigned long a, b;

	text(c, x, "Version", v);
	if (c->failed)
		return;
	if (sscanf(v, "%lu.%lu", &a, &b) != 2 || a > 65535 || b > 65535)
		fail(c, xmlGetLineNo(x), "version '%s' is not MAJOR.MINOR (0-65535 each)", v);
	*major = (uint16_t)a;
	*minor = (uint16_t)b;
}

static void header(struct compiler *c, const xmlNode *x)
{
	xmlNode *from = child(x, "FromPolicy"), *v = child(x, "Version");

	text(c, child(x, "PolicyName"), "PolicyName", c->h.name);
	if (!c->failed && strchr(c->h.name, ':') != NULL)
		fail(c, xmlGetLineNo(child(x, "PolicyName")),
		    "policy name '%s' may not contain ':' (labels are ACM:POLICY:LABEL)",
		    c->h.name);
	c->h.major = 1;
	if (v != NULL)
		version(c, v, &c->h.major, &c->h.minor);
	if (from != NULL) {
		c->h.flags |= ACMPOL_HAS_FROM;
		text(c, child(from, "PolicyName"), "FromPolicy's PolicyName", c->h.from_name);
		version(c, child(from, "Version"), &c->h.from_major, &c->h.from_minor);
	}
}

/* The index of a name in idx, or -1. */
static int lookup(xmlHashTablePtr idx, const char *name)
{
	void *v = xmlHashLookup(idx, (const xmlChar *)name);

	return v != NULL ? (int)((intptr_t)v - 1) : -1;
}

static void declare(struct compiler *c, const xmlNode *list, const char *kind,
    struct acmpol_name *names, uint32_t *count, xmlHashTablePtr idx)
{
	xmlNode *t;

	for (t = list->children; t != NULL && !c->failed; t = t->next) {
		char name[ACMPOL_NAME_LEN];

		if (!is(t, "Type"))
			continue;
		text(c, t, "type name", name);
		if (c->failed)
			return;
		if (lookup(idx, name) >= 0) {
			fail(c, xmlGetLineNo(t), "%s type '%s' is declared twice", kind, name);
			return;
		}
		if (*count == ACMPOL_MAX_TYPES) {
			fail(c, xmlGetLineNo(t), "more than %d %s types", ACMPOL_MAX_TYPES, kind);
			return;
		}
		memcpy(names[*count].s, name, sizeof(name));
		xmlHashAddEntry(idx, (const xmlChar *)names[*count].s,
		    (void *)(intptr_t)(*count + 1));
		(*count)++;
	}
}

/* Types named in list, as bits in map; each must be declared. */
static void use_types(struct compiler *c, const xmlNode *list, const char *kind,
    xmlHashTablePtr idx, const char *owner, uint64_t *map)
{
	xmlNode *t;

	for (t = list != NULL ? list->children : NULL; t != NULL && !c->failed; t = t->next) {
		char name[ACMPOL_NAME_LEN];
		int i;

		if (!is(t, "Type"))
			continue;
		text(c, t, "type name", name);
		if (c->failed)
			return;
		if ((i = lookup(idx, name)) < 0) {
			fail(c, xmlGetLineNo(t), "%s names %s type '%s', which is not declared",
			    owner, kind, name);
			return;
		}
		acmpol_set(map, (unsigned int)i);
	}
}

static void chinese_wall(struct compiler *c, const xmlNode *x)
{
	xmlNode *sets = child(x, "ConflictSets"), *s;

	declare(c, child(x, "ChineseWallTypes"), "Chinese Wall", c->cw, &c->h.nr_cw_types,
	    c->cw_idx);
	for (s = sets != NULL ? sets->children : NULL; s != NULL && !c->failed; s = s->next) {
		struct acmpol_conflict *k;
		xmlChar *name;
		char owner[ACMPOL_NAME_LEN + 32];

		if (!is(s, "Conflict"))
			continue;
		if (c->h.nr_conflicts == ACMPOL_MAX_CONFLICTS) {
			fail(c, xmlGetLineNo(s), "more than %d conflict sets", ACMPOL_MAX_CONFLICTS);
			return;
		}
		k = &c->conflicts[c->h.nr_conflicts];
		name = xmlGetProp(s, (const xmlChar *)"name");
		if (name != NULL && strlen((const char *)name) >= ACMPOL_NAME_LEN)
			fail(c, xmlGetLineNo(s), "conflict set name '%s' is longer than %d "
			    "characters", name, ACMPOL_NAME_LEN - 1);
		else if (name != NULL && lookup(c->set_idx, (const char *)name) >= 0)
			fail(c, xmlGetLineNo(s), "conflict set '%s' is defined twice", name);
		else
			snprintf(k->name, sizeof(k->name), "%s", name != NULL ? (const char *)name : "");
		xmlFree(name);
		if (c->failed)
			return;
		if (k->name[0] != '\0')
			xmlHashAddEntry(c->set_idx, (const xmlChar *)k->name,
			    (void *)(intptr_t)(c->h.nr_conflicts + 1));
		snprintf(owner, sizeof(owner), "conflict set '%s'", k->name);
		use_types(c, s, "Chinese Wall", c->cw_idx, owner, k->cw);
		c->h.nr_conflicts++;
	}
}

/* A VM label may not hold two types of one conflict set. */
static void check_wall(struct compiler *c, const struct acmpol_label *l, long line)
{
	uint32_t s, t, first;
	unsigned int w, held;

	for (s = 0; s < c->h.nr_conflicts; s++) {
		for (w = 0, held = 0; w < ACMPOL_TYPE_WORDS; w++)
			held += (unsigned int)__builtin_popcountll(l->cw[w] & c->conflicts[s].cw[w]);
		if (held < 2)
			continue;
		for (t = 0, first = UINT32_MAX; t < c->h.nr_cw_types; t++) {
			if (!acmpol_bit(l->cw, t) || !acmpol_bit(c->conflicts[s].cw, t))
				continue;
			if (first != UINT32_MAX) {
				fail(c, line, "label '%s' holds Chinese Wall types '%s' and '%s' of "
				    "conflict set '%s'", l->name, c->cw[first].s, c->cw[t].s,
				    c->conflicts[s].name);
				return;
			}
			first = t;
		}
	}
}

static void label(struct compiler *c, const xmlNode *x, enum acmpol_kind kind)
{
	xmlNode *name = child(x, "Name");
	xmlHashTablePtr idx = kind == ACMPOL_VM ? c->vm_idx : c->res_idx;
	const char *what = kind == ACMPOL_VM ? "VM label" : "resource label";
	struct acmpol_label *l;
	char owner[ACMPOL_NAME_LEN + 32];
	xmlChar *from;
	int prev;

	if (c->h.nr_labels == ACMPOL_MAX_LABELS) {
		fail(c, xmlGetLineNo(x), "more than %d labels", ACMPOL_MAX_LABELS);
		return;
	}
	l = &c->labels[c->h.nr_labels];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	text(c, name, "label name", l->name);
	from = xmlGetProp(name, (const xmlChar *)"from");
	if (from != NULL && strlen((const char *)from) >= ACMPOL_NAME_LEN)
		fail(c, xmlGetLineNo(name), "from='%s' is longer than %d characters", from,
		    ACMPOL_NAME_LEN - 1);
	else if (from != NULL)
		snprintf(l->from, sizeof(l->from), "%s", (const char *)from);
	xmlFree(from);
	if (c->failed)
		return;
	if ((prev = lookup(idx, l->name)) >= 0) {
		fail(c, xmlGetLineNo(name), "%s '%s' is defined twice (first at line %ld)", what,
		    l->name, c->label_line[prev]);
		return;
	}
	snprintf(owner, sizeof(owner), "%s '%s'", what, l->name);
	use_types(c, child(x, "SimpleTypeEnforcementTypes"), "STE", c->ste_idx, owner, l->ste);
	if (kind == ACMPOL_VM) {
		use_types(c, child(x, "ChineseWallTypes"), "Chinese Wall", c->cw_idx, owner, l->cw);
		if (!c->failed)
			check_wall(c, l, xmlGetLineNo(x));
	}
	if (c->failed)
		return;
	c->label_line[c->h.nr_labels] = xmlGetLineNo(x);
	xmlHashAddEntry(idx, (const xmlChar *)l->name, (void *)(intptr_t)(c->h.nr_labels + 1));
	c->h.nr_labels++;
}

static void labels(struct compiler *c, const xmlNode *x)
{
	xmlNode *subj = child(x, "SubjectLabels"), *obj = child(x, "ObjectLabels"), *k;
	xmlChar *boot;
	int b;

	for (k = subj->children; k != NULL && !c->failed; k = k->next)
		if (is(k, "VirtualMachineLabel"))
			label(c, k, ACMPOL_VM);
	for (k = obj != NULL ? obj->children : NULL; k != NULL && !c->failed; k = k->next)
		if (is(k, "ResourceLabel"))
			label(c, k, ACMPOL_RESOURCE);
	if (c->failed)
		return;
	boot = xmlGetProp(subj, (const xmlChar *)"bootstrap");
	b = boot != NULL ? lookup(c->vm_idx, (const char *)boot) : -1;
	if (b < 0)
		fail(c, xmlGetLineNo(subj), "bootstrap label '%s' is not a VM label of this policy",
		    boot != NULL ? (const char *)boot : "");
	else
		c->h.bootstrap = (uint32_t)b;
	xmlFree(boot);
}

static void *compile_doc(struct compiler *c, xmlDocPtr doc, size_t *len)
{
	xmlNode *root = xmlDocGetRootElement(doc), *ste, *cw;
	void *bin = NULL;

	header(c, child(root, "PolicyHeader"));
	if ((ste = child(root, "SimpleTypeEnforcement")) != NULL && !c->failed) {
		declare(c, child(ste, "SimpleTypeEnforcementTypes"), "STE", c->ste,
		    &c->h.nr_ste_types, c->ste_idx);
		if (xmlHasProp(ste, (const xmlChar *)"priority"))
			c->h.flags |= ACMPOL_STE_PRIMARY;
	}
	if ((cw = child(root, "ChineseWall")) != NULL && !c->failed) {
		chinese_wall(c, cw);
		if (xmlHasProp(cw, (const xmlChar *)"priority"))
			c->h.flags |= ACMPOL_CW_PRIMARY;
	}
	if (!c->failed)
		labels(c, child(root, "SecurityLabelTemplate"));
	if (c->failed)
		return NULL;
	c->types = malloc(((size_t)c->h.nr_ste_types + c->h.nr_cw_types + 1) * sizeof(*c->types));
	if (c->types == NULL) {
		fail(c, 0, "out of memory");
		return NULL;
	}
	memcpy(c->types, c->ste, c->h.nr_ste_types * sizeof(*c->types));
	memcpy(c->types + c->h.nr_ste_types, c->cw, c->h.nr_cw_types * sizeof(*c->types));
	bin = acmpol_encode(&c->h, c->types, c->labels, c->conflicts, len);
	if (bin == NULL)
		fail(c, 0, "the policy is larger than %u bytes", ACMPOL_MAX_SIZE);
	return bin;
}

void *policy_compile(const char *name, const char *xml, size_t size, size_t *len,
    char *err, size_t n)
{
	struct compiler *c = calloc(1, sizeof(*c));
	struct xml_msg msg = { 0 };
	xmlSchemaValidCtxtPtr vc = NULL;
	xmlDocPtr doc = NULL;
	void *bin = NULL;

	if (c == NULL || (c->labels = calloc(ACMPOL_MAX_LABELS, sizeof(*c->labels))) == NULL) {
		snprintf(err, n, "%s: out of memory", name);
		free(c);
		return NULL;
	}
	c->file = name;
	c->err = err;
	c->n = n;
	if (size > POLICY_MAX_XML) {
		fail(c, 0, "larger than %u bytes", POLICY_MAX_XML);
		goto out;
	}
	xmlSetGenericErrorFunc(NULL, on_generic);
	xmlSetStructuredErrorFunc(&msg, on_xml_error);
	/* No network, no entity substitution: a policy needs neither. */
	doc = xmlReadMemory(xml, (int)size, name, NULL, XML_PARSE_NONET);
	if (doc == NULL || msg.set) {
		fail(c, msg.line, "not well-formed XML: %s", msg.set ? msg.text : "empty");
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		fail(c, xmlGetLineNo((xmlNode *)doc->intSubset), "a DOCTYPE is not allowed in a "
		    "policy");
		goto out;
	}
	if (schema() == NULL || (vc = xmlSchemaNewValidCtxt(schema())) == NULL) {
		fail(c, 0, "the policy schema cannot be loaded");
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vc, on_xml_error, &msg);
	if (xmlSchemaValidateDoc(vc, doc) != 0) {
		fail(c, msg.line, "schema: %s", msg.set ? msg.text : "not a policy");
		goto out;
	}
	c->ste_idx = xmlHashCreate(64);
	c->cw_idx = xmlHashCreate(64);
	c->vm_idx = xmlHashCreate(64);
	c->res_idx = xmlHashCreate(64);
	c->set_idx = xmlHashCreate(16);
	if (c->ste_idx == NULL || c->cw_idx == NULL || c->vm_idx == NULL ||
	    c->res_idx == NULL || c->set_idx == NULL)
		fail(c, 0, "out of memory");
	else
		bin = compile_doc(c, doc, len);
out:
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	if (vc != NULL)
		xmlSchemaFreeValidCtxt(vc);
	if (doc != NULL)
		xmlFreeDoc(doc);
	xmlHashFree(c->ste_idx, NULL);
	xmlHashFree(c->cw_idx, NULL);
	xmlHashFree(c->vm_idx, NULL);
	xmlHashFree(c->res_idx, NULL);
	xmlHashFree(c->set_idx, NULL);
	free(c->types);
	free(c->labels);
	free(c);
	return bin;
}

void *policy_compile_file(const char *path, size_t *len, char *err, size_t n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t got;
	void *bin;

	if (f == NULL) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(POLICY_MAX_XML + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, n, "%s: out of memory", path);
		return NULL;
	}
	got = fread(buf, 1, POLICY_MAX_XML + 1, f);
	if (ferror(f)) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	bin = policy_compile(path, buf, got, len, err, n);
	free(buf);
	return bin;
}
