/* SPDX-License-Identifier: GPL-2.0-only */
/* What the store's own files share; nothing outside dom0/store uses it. */
#ifndef PAL_STORE_INT_H
#define PAL_STORE_INT_H

#include "store.h"

struct xs_node {
	char *name;			/* one path component; "" for the root */
	struct xs_node *parent;
	struct xs_node **kids;
	unsigned int nkids, kcap;
	char *value;
	unsigned int len;
	struct xs_perm perms[XS_MAX_PERMS];
	unsigned int nperms;		/* >= 1: perms[0] is the owner */
	uint64_t gen;			/* the store's change count at its last change */
	/* In a transaction's view only: the kids are those looked at so far;
	 * the others are still the live tree's (see txn.c). */
	bool partial;
};

/* A path a transaction looked at, and the node's gen then (0: absent). */
struct xs_access {
	char *path;
	uint64_t gen;
};

enum xs_op_type { XS_OP_WRITE, XS_OP_MKDIR, XS_OP_RM, XS_OP_PERMS };
struct xs_op {
	enum xs_op_type type;
	char *path;
	char *value;
	unsigned int len;
	struct xs_perm perms[XS_MAX_PERMS];
	unsigned int nperms;
};

struct xs_txn {
	uint32_t id;
	uint32_t domid;			/* whose: charged for its memory */
	struct xs_node *root;		/* the transaction's view */
	size_t bytes;			/* charged to domid for the view */
	unsigned int new_nodes;		/* created in the view */
	size_t new_bytes;		/* ... and what they and new values take */
	struct xs_access *acc;
	unsigned int nacc, acap;
	struct xs_op *ops;
	unsigned int nops, ocap;
	struct xs_txn *next;
};

struct xs_watch {
	char *path;			/* absolute, or @introduceDomain/@releaseDomain */
	char *token;
	bool relative;			/* events name paths as the watch did */
	struct xs_watch *next;
};

/* A guest's watch read back from the journal after a restart, kept until
 * its ring is connected again. */
struct xs_saved_watch {
	uint32_t domid;
	char *path;			/* as the guest gave it */
	char *token;
	struct xs_saved_watch *next;
};

struct xs_conn {
	struct xs_store *s;
	uint32_t domid;
	xs_send_fn send;
	void *opaque;
	struct xs_watch *watches;
	unsigned int nwatches;
	struct xs_txn *txns;
	unsigned int ntxns;
	struct xs_conn *next;
};

struct xs_domain {
	uint32_t domid, target;
	uint64_t mfn;
	uint32_t port;
	struct xs_domain *next;
};

/* What one domain holds (quota.c). */
struct xs_usage {
	uint32_t domid;
	unsigned int nodes;		/* live nodes it owns */
	size_t bytes;			/* those, its watches, its transactions */
};

struct xs_store {
	struct xs_quota q;
	struct xs_usage *usage;		/* sorted by domid */
	unsigned int nusage, ucap;
	struct xs_node *root;
	uint64_t gen;
	struct xs_conn *conns;
	struct xs_domain *doms;
	struct xs_saved_watch *saved;
	uint32_t next_txid;
	xs_journal_fn journal;
	void *journal_opaque;
	xs_domain_fn domain_hook;
	void *domain_opaque;
	xs_access_fn access;
	void *access_opaque;
};

/* node.c: the tree, paths and permissions. Functions taking a
 * transaction work on its view, or on the live tree when it is NULL. */
struct xs_node *xs_lookup(struct xs_store *s, struct xs_txn *t, const char *path);
/* Every kid of n in t's view present (before listing or changing them). */
int xs_complete(struct xs_store *s, struct xs_txn *t, struct xs_node *n);
bool xs_path_valid(const char *path);
/* "/local/domain/N/..." for a relative path of domain N; NULL if invalid. */
char *xs_canonical(uint32_t domid, const char *path);
enum xs_mode xs_mode_of(const struct xs_node *n, uint32_t domid);
/* The security module's answer for domid touching abs (0 or -EACCES). */
int xs_label_check(struct xs_store *s, uint32_t domid, const char *abs);
int xs_write(struct xs_store *s, struct xs_txn *t, uint32_t domid,
    const char *path, const char *value, unsigned int len, bool mkdir_only);
int xs_rm(struct xs_store *s, struct xs_txn *t, uint32_t domid, const char *path);
int xs_set_perms(struct xs_store *s, struct xs_txn *t, uint32_t domid,
    const char *path, const struct xs_perm *p, unsigned int n);
/* n's ACL replaced as it is, no questions asked (snapshots). */
void xs_node_acl(struct xs_store *s, struct xs_node *n, const struct xs_perm *p,
    unsigned int np);
/* A new transaction's view: the live root, its kids still the live ones. */
struct xs_node *xs_view_new(struct xs_store *s, struct xs_txn *t);
void xs_free_tree(struct xs_node *n);
int xs_parse_perm(const char *s, struct xs_perm *p);
int xs_format_perm(const struct xs_perm *p, char *buf, size_t n);

/* quota.c */
size_t xs_node_bytes(const struct xs_node *n);
struct xs_usage xs_usage_of(const struct xs_store *s, uint32_t domid);
void xs_charge(struct xs_store *s, uint32_t domid, int nodes, long bytes);
/* 0, or -ENOSPC if domid (a guest) holding nodes and bytes more would
 * pass its quota. */
int xs_quota_check(const struct xs_store *s, uint32_t domid, unsigned int nodes,
    size_t bytes);

/* journal.c: records of live changes */
void xs_journal_op(struct xs_store *s, uint32_t domid, const struct xs_op *op);
void xs_journal_domain(struct xs_store *s, const struct xs_domain *d, bool introduce);
/* A guest's watches outlive a restart: one set, one removed, or (path
 * NULL) all of them reset. */
void xs_journal_watch(struct xs_store *s, uint32_t domid, const char *path,
    const char *token, bool add);
/* wire.c: introduce (or update) d, or release it (-ENOENT if unknown). */
int xs_domain_set(struct xs_store *s, const struct xs_domain *d, bool introduce);

/* txn.c */
struct xs_txn *xs_txn_start(struct xs_conn *c);
struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id);
void xs_txn_note(struct xs_store *s, struct xs_txn *t, const char *path);	/* before first touch */
int xs_txn_log(struct xs_store *s, struct xs_txn *t, const struct xs_op *op);
int xs_txn_end(struct xs_conn *c, struct xs_txn *t, bool commit);
void xs_txn_free(struct xs_store *s, struct xs_txn *t);

/* watch.c */
int xs_watch_add(struct xs_conn *c, const char *path, const char *token);
int xs_watch_del(struct xs_conn *c, const char *path, const char *token);
void xs_watch_clear(struct xs_conn *c);
/* A node changed (recurse: removed with everything below it); fire every
 * watch on it or above it (and below it if recurse) whose domain may read
 * it. node is the node as it was (for removals) or is. */
void xs_fire(struct xs_store *s, const char *path, const struct xs_node *node,
    bool recurse);
void xs_fire_special(struct xs_store *s, const char *name);
void xs_send_event(struct xs_conn *c, const struct xs_watch *w, const char *path);
/* The path as the connection gave it (relative ones relative again). */
const char *xs_watch_given(const struct xs_conn *c, const struct xs_watch *w);
/* Saved watches: one added or removed (path NULL: all of domid's). */
int xs_saved_set(struct xs_store *s, uint32_t domid, const char *path,
    const char *token, bool add);
/* A guest's connection is back: its saved watches are its own again, each
 * fired once (what changed while it was away is for it to read). */
void xs_watch_adopt(struct xs_conn *c);

#endif
