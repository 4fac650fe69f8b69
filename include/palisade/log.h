/* SPDX-License-Identifier: GPL-2.0-only */
/* One logging API for every Palisade process. */
#ifndef PALISADE_LOG_H
#define PALISADE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LVL_QUIET = -1, LOG_LVL_WARN = 0, LOG_LVL_INFO = 1, LOG_LVL_DEBUG = 2 };

/* tag names the process; path, when not NULL, is appended to besides stderr. */
int log_init(const char *tag, const char *path, int level);
/* A daemon's log: RUNDIR/NAME.log, tagged NAME (debug: every level). 0,
 * or -1 after saying why on stderr. */
int log_open_rundir(const char *name, bool debug);
void log_set_level(int level);
int log_get_level(void);
void log_close(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
