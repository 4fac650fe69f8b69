/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "palisade/log.h"
#include "palisade/util.h"

static const char *log_tag = "palisade";
static FILE *log_file;
static int log_level = LOG_LVL_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

int log_init(const char *tag, const char *path, int level)
{
	log_tag = tag;
	log_level = level;
	if (path == NULL)
		return 0;
	log_file = fopen(path, "ae");
	if (log_file == NULL)
		return -errno;
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

void log_set_level(int level) { log_level = level; }
int log_get_level(void) { return log_level; }

static void log_emit(const char *prefix, const char *fmt, va_list ap, int err)
{
	char msg[1024];
	struct timespec ts;
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0 && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s: %s%s\n", log_tag, prefix, msg);
	if (log_file != NULL)
		fprintf(log_file, "[%lld.%06ld] %s: %s%s\n", (long long)ts.tv_sec,
		    ts.tv_nsec / 1000, log_tag, prefix, msg);
	pthread_mutex_unlock(&log_lock);
}

#define LOG_BODY(lvl, prefix, err)			\
	va_list ap;					\
	if (log_level < (lvl))				\
		return;					\
	va_start(ap, fmt);				\
	log_emit(prefix, fmt, ap, err);			\
	va_end(ap)

void log_warn(const char *fmt, ...) { int e = errno; LOG_BODY(LOG_LVL_WARN, "", e); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_LVL_WARN, "", 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_LVL_INFO, "", 0); }
void log_debug(const char *fmt, ...) { LOG_BODY(LOG_LVL_DEBUG, "debug: ", 0); }

void fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit("fatal: ", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}

int log_open_rundir(const char *name, bool debug)
{
	char file[80], path[512];

	snprintf(file, sizeof(file), "%s.log", name);
	if (rundir_path(path, sizeof(path), file) < 0) {
		fprintf(stderr, "%s: the run directory's path is too long\n", name);
		return -1;
	}
	if (log_init(name, path, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO) < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", name, path, strerror(errno));
		return -1;
	}
	return 0;
}
