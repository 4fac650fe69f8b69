/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PAL_H
#define PAL_H

#include "palctl.h"

struct pal_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

extern const struct pal_cmd pal_cmds[];

/* One clear line on stderr, "pal: ..."; returns 1 for use as an exit status. */
int pal_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Connect to the hypervisor or print why not. */
int pal_connect(struct palctl *c);
/* The hypervisor, the domain's id, and the store (closed again on failure):
 * 0, or -1 (said). */
int pal_open_both(const char *dom, struct palctl *c, uint32_t *domid, struct palctl_xs *x);
void pal_close_both(struct palctl *c, struct palctl_xs *x);
/* A xenbus state number as its name ("connected"), "-" if it is none. */
const char *pal_state_name(const char *s);
/* The store node the path fmt makes, or "-". */
void pal_read_or_dash(struct palctl_xs *x, char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pal_usage_of(const char *name);

int cmd_up(int, char **);
int cmd_down(int, char **);
int cmd_create(int, char **);
int cmd_list(int, char **);
int cmd_info(int, char **);
int cmd_pause(int, char **);
int cmd_unpause(int, char **);
int cmd_shutdown(int, char **);
int cmd_mem_set(int, char **);
int cmd_vcpu_set(int, char **);
int cmd_reboot(int, char **);
int cmd_destroy(int, char **);
int cmd_console(int, char **);
int cmd_dmesg(int, char **);
int cmd_policy(int, char **);
int cmd_audit(int, char **);
int cmd_label(int, char **);
int cmd_network_attach(int, char **);
int cmd_network_detach(int, char **);
int cmd_network_list(int, char **);
int cmd_switch(int, char **);
int cmd_vtpm_attach(int, char **);
int cmd_vtpm_detach(int, char **);
int cmd_vtpm_list(int, char **);
/* The policy the hypervisor runs, checked (acmpol_free it); NULL, said
 * as "who: ..." (if_none when no policy is loaded), otherwise. */
struct acmpol *pal_loaded_policy(const char *who, const char *if_none);
int cmd_block_attach(int, char **);
int cmd_block_detach(int, char **);
int cmd_block_list(int, char **);

/* Print a file of the run directory; 0, or 1 after saying why not. */
int pal_cat_rundir(const char *name);

/* pal_monitor.c: follow a domain until it is gone; applies on_* actions. */
int pal_monitor(struct palctl *c, const struct domcfg *cfg, struct pal_domain *pd,
    int console_fd);
int pal_console_relay(int fd, bool interactive);

#endif
