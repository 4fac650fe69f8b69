/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xl.cfg syntax: "KEY = VALUE" settings, one per line (or separated by
 * ';'), where VALUE is a quoted string, a number or a [list, of, strings]
 * that may span lines; '#' starts a comment. The parser keeps no global
 * state and reports the first error as "file:line: what".
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palctl.h"

#define XLCFG_MAX_SIZE (1 << 20)

struct lexer {
	const char *p;
	unsigned int line;
	const char *fname;
	struct xlcfg *cfg;
};

static int lx_error(struct lexer *lx, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(lx->cfg->err, sizeof(lx->cfg->err), "%s:%u: %s", lx->fname,
	    lx->line, msg);
	return -EINVAL;
}

/* Skip blanks and comments; with nl, newlines too. */
static void lx_skip(struct lexer *lx, int nl)
{
	for (;;) {
		if (*lx->p == '#') {
			while (*lx->p && *lx->p != '\n')
				lx->p++;
		} else if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r') {
			lx->p++;
		} else if (nl && *lx->p == '\n') {
			lx->line++;
			lx->p++;
		} else {
			return;
		}
	}
}

static int lx_string(struct lexer *lx, char **out)
{
	char q = *lx->p++;
	const char *s = lx->p;
	size_t n;

	while (*lx->p && *lx->p != q && *lx->p != '\n')
		lx->p++;
	if (*lx->p != q)
		return lx_error(lx, "unterminated string");
	n = lx->p - s;
	lx->p++;
	*out = strndup(s, n);
	return *out == NULL ? -ENOMEM : 0;
}

static int lx_number(struct lexer *lx, struct xlcfg_value *v)
{
	const char *s = lx->p;
	char *end;

	errno = 0;
	v->num = strtoll(s, &end, 0);
	if (end == s || errno != 0 || isalpha((unsigned char)*end) || *end == '_')
		return lx_error(lx, "bad number");
	lx->p = end;
	v->type = XLV_NUMBER;
	v->str = strndup(s, end - s);
	return v->str == NULL ? -ENOMEM : 0;
}

static int lx_list(struct lexer *lx, struct xlcfg_value *v)
{
	int ret;

	v->type = XLV_LIST;
	lx->p++;
	for (;;) {
		lx_skip(lx, 1);
		if (*lx->p == ']') {
			lx->p++;
			return 0;
		}
		if (*lx->p != '"' && *lx->p != '\'')
			return lx_error(lx, "list items must be quoted strings");
		if (v->nlist == XLCFG_MAX_LIST)
			return lx_error(lx, "list longer than %d items", XLCFG_MAX_LIST);
		ret = lx_string(lx, &v->list[v->nlist]);
		if (ret < 0)
			return ret;
		v->nlist++;
		lx_skip(lx, 1);
		if (*lx->p == ',')
			lx->p++;
		else if (*lx->p != ']')
			return lx_error(lx, "expected ',' or ']' in list");
	}
}

static void value_free(struct xlcfg_value *v)
{
	unsigned int i;

	free(v->str);
	for (i = 0; i < v->nlist; i++)
		free(v->list[i]);
}

static int lx_setting(struct lexer *lx, struct xlcfg_entry ***tail)
{
	struct xlcfg_entry *e;
	const char *k = lx->p;
	int ret;

	while (isalnum((unsigned char)*lx->p) || *lx->p == '_')
		lx->p++;
	if (lx->p == k)
		return lx_error(lx, "expected a setting name");
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->key = strndup(k, lx->p - k);
	e->line = lx->line;
	**tail = e;
	*tail = &e->next;
	if (e->key == NULL)
		return -ENOMEM;
	lx_skip(lx, 0);
	if (*lx->p != '=')
		return lx_error(lx, "expected '=' after '%s'", e->key);
	lx->p++;
	lx_skip(lx, 0);
	if (*lx->p == '"' || *lx->p == '\'') {
		e->val.type = XLV_STRING;
		ret = lx_string(lx, &e->val.str);
	} else if (*lx->p == '[') {
		ret = lx_list(lx, &e->val);
	} else if (isdigit((unsigned char)*lx->p) || *lx->p == '-') {
		ret = lx_number(lx, &e->val);
	} else {
		ret = lx_error(lx, "value of '%s' must be a quoted string, a number "
		    "or a list", e->key);
	}
	if (ret < 0)
		return ret;
	lx_skip(lx, 0);
	if (*lx->p == ';') {
		lx->p++;
		return 0;
	}
	if (*lx->p != '\n' && *lx->p != '\0')
		return lx_error(lx, "unexpected text after the value of '%s'", e->key);
	return 0;
}

int xlcfg_parse(struct xlcfg *cfg, const char *text, const char *fname)
{
	struct lexer lx = { .p = text, .line = 1, .fname = fname, .cfg = cfg };
	struct xlcfg_entry **tail = &cfg->head;
	int ret;

	cfg->head = NULL;
	cfg->err[0] = '\0';
	for (;;) {
		lx_skip(&lx, 1);
		if (*lx.p == '\0')
			return 0;
		ret = lx_setting(&lx, &tail);
		if (ret < 0) {
			if (cfg->err[0] == '\0')
				snprintf(cfg->err, sizeof(cfg->err), "%s: %s", fname,
				    strerror(-ret));
			xlcfg_free(cfg);
			return ret;
		}
	}
}

int xlcfg_parse_file(struct xlcfg *cfg, const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int ret;

	cfg->head = NULL;
	if (f == NULL) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: %s", path, strerror(errno));
		return -errno;
	}
	buf = malloc(XLCFG_MAX_SIZE + 1);
	if (buf == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, XLCFG_MAX_SIZE + 1, f);
	fclose(f);
	if (n > XLCFG_MAX_SIZE) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: larger than 1 MiB", path);
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		snprintf(cfg->err, sizeof(cfg->err), "%s: contains a NUL byte", path);
		free(buf);
		return -EINVAL;
	}
	ret = xlcfg_parse(cfg, buf, path);
	free(buf);
	return ret;
}

void xlcfg_free(struct xlcfg *cfg)
{
	struct xlcfg_entry *e, *next;

	for (e = cfg->head; e != NULL; e = next) {
		next = e->next;
		free(e->key);
		value_free(&e->val);
		free(e);
	}
	cfg->head = NULL;
}
