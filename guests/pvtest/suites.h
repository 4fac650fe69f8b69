/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PVTEST_SUITES_H
#define PVTEST_SUITES_H

struct suite {
	const char *name;
	void (*run)(void);
};

extern const struct suite suites[];
/* runner.c: the suites the command line names, then power off (crash if a
 * check failed). */
__attribute__((noreturn)) void suites_run(const char *kernel);

void *mm_map_window(unsigned long pfn, unsigned int count);
void *mm_map_machine(unsigned long mfn, unsigned int count);

/* peer.c: what the two-guest suites share */
unsigned long cmdline_ulong(const char *key, unsigned long def);
bool port_wait(evtchn_port_t port, unsigned long hits);	/* no deadline */
long port_send(evtchn_port_t port);
evtchn_port_t port_offer(domid_t peer);		/* 0 on failure */
evtchn_port_t port_bind(domid_t peer, evtchn_port_t remote);	/* 0 on failure */
volatile grant_entry_v1_t *grant_table(void);	/* set up and mapped */
#define GRANT_FRAMES_MAX 4	/* what the hypervisor gives: 2048 entries */
volatile grant_entry_v1_t *grant_table_frames(unsigned int n);
void grant_offer(volatile grant_entry_v1_t *e, domid_t to, unsigned long pfn,
    uint16_t flags);

/* suite_gntmap.c: the gntmap protocol's grants and texts (hvmtest's own
 * mapper speaks it too). */
#define GM_REF_RW		10
#define GM_REF_RO		11
#define GM_REF_NEVER	12
#define GM_RW_TEXT		"palisade: a page granted writable"
#define GM_RO_TEXT		"palisade: a page granted read-only"
#define GM_MAPPER_TEXT	"written by the mapper"
#define GM_LATE_TEXT	"written by the granter after the unmap"
#define GM_OWN_TEXT	"the mapper's own page"
volatile char *text_at(unsigned long pfn, unsigned int off);
bool text_is(volatile const char *p, const char *s);
void put_text(volatile char *p, const char *s);
/* One GNTTABOP_map_grant_ref at host_addr (PV: a virtual address; HVM: a
 * guest-physical one): its status, the handle in *handle. */
int16_t gntmap_map(domid_t dom, grant_ref_t ref, uint64_t host_addr, uint32_t flags,
    grant_handle_t *handle);
int16_t gntmap_unmap(uint64_t host_addr, grant_handle_t handle);
/* The mapper's platform side (gntmap_pv.c, hvmtest's gntmap_hvm.c): the
 * host_addr that maps a grant over our frame pfn (PV: a virtual address,
 * HVM: a guest-physical one); checks on a read-only mapping at pfn (false:
 * stop here, a hostile run); what only this platform refuses (spare: a
 * free place, mapped: one showing a grant); the last steps, with pfn's
 * writable mapping gone. */
uint64_t gntmap_addr(unsigned long pfn);
bool gntmap_ro_mapped(unsigned long pfn);
void gntmap_refused_here(domid_t peer, grant_ref_t ref, uint64_t spare, uint64_t mapped);
void gntmap_last(domid_t peer, grant_ref_t ref, unsigned long pfn);

void suite_console(void);
void suite_hypercall(void);
void suite_xsm(void);
void suite_grant(void);
void suite_evtping(void);
void suite_gntmap(void);
void suite_store(void);
void suite_storeflood(void);
void suite_storewait(void);
void suite_xbfront(void);
void suite_storeread(void);
void suite_bench_store(void);
void suite_storedeaf(void);
void suite_zeromem(void);
void suite_traps(void);
void suite_user(void);
void suite_timer(void);
void suite_smp(void);
void suite_balloon(void);
void suite_hostile(void);
void suite_idle(void);
void suite_echo(void);
void suite_bench_hypercall(void);
void suite_bench_trap(void);
void suite_blk(void);
void suite_blkro(void);
void suite_blkwrite(void);
void suite_blkverify(void);
void suite_blkstress(void);
void suite_blkhostile(void);
void suite_blkbench(void);
void suite_net(void);
void suite_netflood(void);
void suite_udpbench(void);
void suite_vtpm(void);
void suite_vtpmbench(void);

#endif
