/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The suite runner both test kernels share. The command line names the
 * suites ("suite=console,hypercall,traps"); each check prints one line,
 * and the kernel powers off when every check passed and crashes otherwise,
 * so the toolstack can turn the shutdown reason into an exit status.
 */
#include "pvtest.h"
#include "hypercall.h"
#include "suites.h"

static unsigned int checks, failures;

void check(int ok, const char *what, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, what);
	vsnprintf(buf, sizeof(buf), what, ap);
	va_end(ap);
	checks++;
	if (!ok)
		failures++;
	printk("%s: %s\n", ok ? "PASS" : "FAIL", buf);
}

void poweroff(unsigned int reason)
{
	struct sched_shutdown sd = { .reason = reason };

	console_flush();
	for (;;)
		hv_sched_op(SCHEDOP_shutdown, &sd);
}

/* Value of key=value on the command line, up to the next space. */
const char *cmdline_get(const char *key)
{
	static char val[128];
	const char *p = (const char *)start_info->cmd_line;
	size_t klen = strlen(key), n;

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			for (n = 0; p[n] && p[n] != ' ' && n < sizeof(val) - 1; n++)
				val[n] = p[n];
			val[n] = 0;
			return val;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

static const struct suite *suite_find(const char *name, size_t len)
{
	const struct suite *s;

	for (s = suites; s->name != NULL; s++)
		if (strlen(s->name) == len && strncmp(s->name, name, len) == 0)
			return s;
	return NULL;
}

static void run_suites(const char *list)
{
	const struct suite *s;
	const char *p = list, *e;

	while (*p) {
		for (e = p; *e && *e != ','; e++)
			;
		s = suite_find(p, e - p);
		if (s == NULL) {
			char name[32];
			size_t n = (size_t)(e - p) < sizeof(name) - 1 ?
			    (size_t)(e - p) : sizeof(name) - 1;

			memcpy(name, p, n);
			name[n] = 0;
			printk("unknown suite '%s'\n", name);
			failures++;
		} else {
			printk("suite %s\n", s->name);
			s->run();
		}
		p = *e ? e + 1 : e;
	}
}

void suites_run(const char *kernel)
{
	char list[128];
	const char *l;

	/* cmdline_get's buffer is reused by the suites: keep our own copy. */
	l = cmdline_get("suite");
	snprintf(list, sizeof(list), "%s", l != NULL ? l : "console");
	run_suites(list);
	printk("%s: %u checks, %u failed\n", kernel, checks, failures);
	poweroff(failures ? SHUTDOWN_crash : SHUTDOWN_poweroff);
}
