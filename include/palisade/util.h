/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PALISADE_UTIL_H
#define PALISADE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

uint64_t now_ns(void);
void sleep_ms(unsigned int ms);
/* strlcpy semantics: always terminates, returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);
/* mkdir -p: dir and any missing parents (mode for each made); 0 or -errno. */
int mkdir_parents(const char *dir, mode_t mode);
/* Run directory: $PALISADE_RUNDIR or the default; path joins name to it. */
const char *rundir_get(void);
int rundir_path(char *buf, size_t size, const char *name);
/* "<name>.pid" in the run directory. */
int pidfile_write(const char *name);
int pidfile_read(const char *name);	/* the pid, or -errno */
/* A stream socket named name in the run directory, owner-only, listening. */
int rundir_listen(const char *name);
/* Connected to the socket named name in the run directory (type:
 * SOCK_STREAM or SOCK_SEQPACKET): the descriptor, or -errno. */
int rundir_connect(const char *name, int type);
/* Does a daemon answer on the stream socket name (connect and hang up)? */
bool rundir_answers(const char *name);
/* A daemon's usual options: -d (debug), -f (foreground), -r RUNDIR. 0, or
 * -1 after saying what is wrong (exit 2 then). */
int daemon_options(int argc, char **argv, const char *name, bool *debug, bool *foreground);

#endif
