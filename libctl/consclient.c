/* SPDX-License-Identifier: GPL-2.0-only */
/* Talking to palconsoled: one text line per request on a stream socket. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade/util.h"
#include "palctl.h"

static int cons_open(void)
{
	return rundir_connect(CONS_SOCKET, SOCK_STREAM);
}

/* Send one line, read one line back. */
static int cons_request(int fd, const char *line, char *reply, size_t n)
{
	size_t got = 0;
	ssize_t r;

	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		return -EIO;
	while (got + 1 < n) {
		r = read(fd, reply + got, 1);
		if (r <= 0)
			return -EIO;
		if (reply[got] == '\n')
			break;
		got++;
	}
	reply[got] = '\0';
	return 0;
}

int cons_attach(const struct pal_domain *pd, const char *name, char *err, size_t n)
{
	char line[256], reply[256];
	int fd = cons_open(), ret;

	if (fd < 0) {
		snprintf(err, n, "console daemon not running (start it with 'pal up')");
		return fd;
	}
	snprintf(line, sizeof(line), "attach %u %llu %u %s\n", pd->domid,
	    (unsigned long long)pd->console_pfn, pd->console_port, name);
	ret = cons_request(fd, line, reply, sizeof(reply));
	close(fd);
	if (ret == 0 && strcmp(reply, "ok") != 0)
		ret = -EINVAL;
	if (ret < 0)
		snprintf(err, n, "console daemon: %s", reply[0] ? reply : "no answer");
	return ret;
}

int cons_connect(uint32_t domid)
{
	char line[64], reply[128] = "";
	int fd = cons_open();

	if (fd < 0)
		return fd;
	snprintf(line, sizeof(line), "console %u\n", domid);
	if (cons_request(fd, line, reply, sizeof(reply)) < 0 || strcmp(reply, "ok") != 0) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}
