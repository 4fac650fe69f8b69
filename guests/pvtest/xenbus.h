/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest's store client (xenbus.c). */
#ifndef PVTEST_XENBUS_H
#define PVTEST_XENBUS_H

#include "pvtest.h"

void xb_init(void);
/* One request; 0 with the reply in reply (*rlen bytes), or -1 with the
 * error's name there ("EACCES"). Watch events meanwhile are kept. */
long xb_request(uint32_t type, uint32_t tx, const void *payload, size_t len,
    char *reply, size_t *rlen);
/* A request whose reply we will not read (the deaf client of the tests). */
void xb_send(uint32_t type, const void *payload, size_t len);
long xb_write(const char *path, const char *value);
long xb_read(const char *path, char *value, size_t n);	/* NUL-terminated */
const char *xb_event(void);	/* the next watch event: "path\0token" */
bool xb_event_pending(void);	/* one is there for xb_event (or coming) */
/* Watch path with token: 0, or -1. */
long xb_watch(const char *path, const char *token);
long xb_unwatch(const char *path, const char *token);
/* Read path as a number: def if it is missing or not one. */
unsigned long xb_read_ulong(const char *path, unsigned long def);

/* For frontends: device/TYPE's nth device (its number, its directory and
 * its backend's): 0, or -1. */
int xb_find_dev(const char *type, unsigned int nth, uint32_t *devid, char *fe, size_t fen,
    char *be, size_t ben);
void xb_printf(const char *dir, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
unsigned long xb_num(const char *dir, const char *key, unsigned long def);
/* Until dir/state is want (watching it): false after ns. */
bool xb_wait_state(const char *dir, unsigned long want, uint64_t ns);

#endif
