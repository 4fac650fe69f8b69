/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "palisade/ctl.h"
#include "palisade/util.h"

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int mkdir_parents(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	char *p;

	if (str_copy(path, dir, sizeof(path)) >= sizeof(path))
		return -ENAMETOOLONG;
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(path, mode) < 0 && errno != EEXIST ? -errno : 0;
}

const char *rundir_get(void)
{
	const char *d = getenv("PALISADE_RUNDIR");

	return d != NULL && d[0] != '\0' ? d : CTL_DEFAULT_RUNDIR;
}

int rundir_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", rundir_get(), name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int pidfile_write(const char *name)
{
	char path[256], buf[32];
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s.pid", rundir_get(), name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n) {
		close(fd);
		return -EIO;
	}
	return close(fd) < 0 ? -errno : 0;
}

int pidfile_read(const char *name)
{
	char path[256], buf[32];
	ssize_t r;
	long pid;
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s.pid", rundir_get(), name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -EINVAL;
	buf[r] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 && pid < 1 << 22 ? (int)pid : -EINVAL;
}

int rundir_listen(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)];
	int fd;

	if (rundir_path(path, sizeof(path), name) < 0)
		return -1;
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int rundir_connect(const char *name, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)];
	int fd, e;

	if (rundir_path(path, sizeof(path), name) < 0)
		return -ENAMETOOLONG;
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

bool rundir_answers(const char *name)
{
	int fd = rundir_connect(name, SOCK_STREAM);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int daemon_options(int argc, char **argv, const char *name, bool *debug, bool *foreground)
{
	int c;

	while ((c = getopt(argc, argv, "dfr:")) != -1) {
		if (c == 'd')
			*debug = true;
		else if (c == 'f')
			*foreground = true;
		else if (c == 'r')
			setenv("PALISADE_RUNDIR", optarg, 1);
		else {
			fprintf(stderr, "usage: %s [-d] [-f] [-r rundir]\n", name);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", name, argv[optind]);
		return -1;
	}
	return 0;
}
