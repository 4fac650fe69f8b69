/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's core, as palstored serves it: a tree of nodes with Xen's
 * per-node permissions, transactions, watches, and the xenstore wire
 * protocol (xen/io/xs_wire.h) on top. The daemon (dom0/palstored.c) owns
 * the connections and moves bytes; everything a message can do is here,
 * so the unit tests drive exactly what clients drive.
 */
#ifndef PAL_STORE_H
#define PAL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#define XS_DOM0		0u
#define XS_MAX_PERMS	16	/* entries in one node's ACL, owner included */

/* One ACL entry: a domain and what it may do (owner: the first entry,
 * whose mode also applies to every domain not listed). */
enum xs_mode { XS_NONE = 0, XS_R = 1, XS_W = 2, XS_RW = 3 };
struct xs_perm {
	uint32_t domid;
	enum xs_mode mode;
};

/* Limits against a client that floods the store (C xenstored's defaults). */
struct xs_quota {
	unsigned int nodes;		/* nodes a domain owns */
	unsigned int watches;		/* per connection */
	unsigned int transactions;	/* open at once, per connection */
	unsigned int perms;		/* ACL entries per node */
	unsigned int value_len;		/* bytes of one node's value */
	unsigned int txn_nodes;		/* nodes one transaction touches */
	unsigned int memory_kb;		/* what a domain's nodes, watches and
					 * transactions may take, in KiB */
};
extern const struct xs_quota xs_default_quota;

struct xs_store;
struct xs_conn;

/* A connection's way to send: one complete message (header + payload). */
typedef void (*xs_send_fn)(void *opaque, const struct xsd_sockmsg *hdr,
    const void *payload);

struct xs_store *xs_store_new(const struct xs_quota *q);
void xs_store_free(struct xs_store *s);

/* A client: dom0 tools on the socket, or a guest on its ring. */
struct xs_conn *xs_conn_new(struct xs_store *s, uint32_t domid, xs_send_fn send,
    void *opaque);
void xs_conn_free(struct xs_conn *c);	/* its watches and transactions go too */

/*
 * One request from c: hdr as received (hdr->len bytes of payload follow).
 * Replies and watch events go out through the connections' send functions.
 * Returns 0, or -1 when the message is malformed beyond an error reply
 * (the caller should drop the connection).
 */
int xs_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr, const void *payload);

/*
 * Persistence. Every change to the live tree (and every domain introduced
 * or released) is handed to the journal function as one record before its
 * reply goes out; xs_store_dump gives the whole store as records (a
 * snapshot); xs_store_apply replays one record, checking all of it
 * (-EINVAL for a malformed one).
 */
typedef void (*xs_journal_fn)(void *opaque, const void *rec, size_t len);
void xs_store_set_journal(struct xs_store *s, xs_journal_fn fn, void *opaque);
void xs_store_dump(struct xs_store *s, xs_journal_fn fn, void *opaque);
int xs_store_apply(struct xs_store *s, const void *rec, size_t len);

/*
 * Domains. The hook is called when dom0 introduces a domain (introduce
 * true: its store page and event channel) or releases one; each_domain
 * calls it for every introduced domain (after a restart, to reconnect);
 * domain_gone is the daemon saying a domain no longer exists: its nodes
 * are removed and @releaseDomain fires.
 */
typedef void (*xs_domain_fn)(void *opaque, uint32_t domid, uint64_t mfn,
    uint32_t port, bool introduce);
void xs_store_set_domain_hook(struct xs_store *s, xs_domain_fn fn, void *opaque);
void xs_store_each_domain(struct xs_store *s, xs_domain_fn fn, void *opaque);
void xs_store_domain_gone(struct xs_store *s, uint32_t domid);

/*
 * The security module's say when a guest touches another domain's nodes
 * (below /local/domain/M, M not its own): 0, or -EACCES. Asked besides
 * the ACLs, and before a watch event on such a node is sent. Without one,
 * the ACLs alone decide.
 */
typedef int (*xs_access_fn)(void *opaque, uint32_t domid, uint32_t owner);
void xs_store_set_access_check(struct xs_store *s, xs_access_fn fn, void *opaque);

/*
 * A connection's output: whole messages queued until the transport (a
 * socket, a guest's ring) takes them, never more than max bytes.
 */
struct xs_outq {
	uint8_t *buf;
	size_t len, cap;
};
/* 0, -ENOSPC if the message would pass max, -ENOMEM. */
int xs_outq_add(struct xs_outq *q, size_t max, const struct xsd_sockmsg *h,
    const void *payload);
void xs_outq_taken(struct xs_outq *q, size_t n);	/* n bytes are gone out */
void xs_outq_free(struct xs_outq *q);

/* Statistics and direct access for the daemon and the tests. */
unsigned int xs_node_count(const struct xs_store *s);
unsigned int xs_domain_nodes(const struct xs_store *s, uint32_t domid);
size_t xs_domain_bytes(const struct xs_store *s, uint32_t domid);
/* The counts behind the quotas agree with the tree (-1 if not); only
 * meaningful while no connection holds watches or transactions. */
int xs_usage_verify(const struct xs_store *s);

#endif
