/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palisade-hv internals: domains, vCPUs, the PV CPU model and hypercalls.
 * The platform (KVM) sits behind kvm.h and the trap path behind trap.h.
 */
#ifndef HV_H
#define HV_H

#include <pthread.h>
#include <sys/types.h>
#include <time.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "palisade/ctl.h"
#include "palisade/util.h"
#include "palisade/xen.h"
#include "xsm/xsm.h"

#define HV_MAX_DOMAINS	1024
#define HV_MAX_VCPUS	8
#define HV_MAX_MEM_MB	8192
#define HV_NR_EVTCHN	1024	/* 2-level ABI allows 4096; our per-domain limit */
#define SCHED_POLL_MAX	128	/* ports in one SCHEDOP_poll */

/* Guest-physical layout: guest RAM from 0, hypervisor-private frames high. */
#define PRIV_GPA	0x1000000000ull		/* 64 GiB */
/*
 * Our slot among Xen's reserved L4 slots 256-271. Not 256 itself: kvm-pvm
 * hosts keep that slot for themselves (every access to it faults), so the
 * machine-to-phys table lives at the start of slot 257 and guests find it
 * with XENMEM_machphys_mapping, as Xen's ABI lets them.
 */
#define XEN_L4_SLOT	257
#define M2P_VA		(0xffff000000000000ull | ((uint64_t)XEN_L4_SLOT << 39))
#define M2P_VA_END	(M2P_VA + (1ull << 30))		/* L3 slot 0 */
#define PRIV_VA		(M2P_VA + (256ull << 30))	/* L3 slot 256 */
/* A supervisor-only map of the guest's RAM, 2 MiB pages, for ring-0 stubs
 * that write guest page tables (pt_sync.c): L3 slots 64-127. */
#define DM_VA		(M2P_VA + (64ull << 30))
#define DM_MAX		(64ull << 30)

/* Private frames, by index from PRIV_GPA (see privarea.c). */
enum priv_frame {
	PF_L3 = 0, PF_L2_M2P, PF_L2_PRIV, PF_L1_PRIV, PF_IDT, PF_STUBS,
	PF_SHARED_INFO, PF_ZERO, PF_L4_STUB, PF_GNT,
	PF_VCPU_BASE = PF_GNT + 4,	/* after GNT_MAX_FRAMES grant frames */
};
/* Per vCPU: the GDT's first page (our ring-0 and TSS descriptors), its
 * page 14 (Xen's reserved flat selectors at 0xe000), the TSS, the stack. */
enum { PFV_GDT_LOW, PFV_GDT_XEN, PFV_TSS, PFV_STACK, PF_PER_VCPU };
#define PF_M2P_L1	(PF_VCPU_BASE + PF_PER_VCPU * HV_MAX_VCPUS)
#define GDT_PAGES	16	/* the guest-visible GDT window, as in Xen */
#define GDT_XEN_PAGE	14	/* FIRST_RESERVED_GDT_PAGE */

/* Selectors: Xen's flat ring-3 ones, plus our ring-0 stub selectors, all
 * in Xen's reserved GDT page (FIRST_RESERVED_GDT_BYTE), where Xen keeps
 * its own: the guest's set_gdt owns page 0. */
#define SEL_HV_CS	0xe008
#define SEL_HV_SS	0xe010
#define SEL_TSS		0xe040
#define SEL_USER_CS32	FLAT_RING3_CS32
#define SEL_USER_DS	FLAT_RING3_DS32
#define SEL_USER_CS	FLAT_RING3_CS64

#define X86_CR0_TS	0x8ull

#define RFLAGS_IF	0x200ull
#define RFLAGS_IOPL3	0x3000ull
#define RFLAGS_FIXED	0x2ull

struct domain;
struct shared_page;
struct hvm_dom;

/* Grant tables (v1): per-domain limits. */
#define GNT_MAX_FRAMES		4
#define GNT_PER_FRAME		(PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNT_MAX_ENTRIES		(GNT_MAX_FRAMES * GNT_PER_FRAME)
#define GNT_MAX_MAPS		1024	/* dom0's maptrack */
#define GNT_MAX_COPY_OPS	512	/* per hypercall */
#define GNT_MAX_MAPTRACK	1024	/* a guest's own mappings of grants */
#define GNT_MAX_MAP_OPS		512	/* map/unmap ops per hypercall */

/* What is pinned of one grant: the frame as it was when first pinned. */
struct gnt_active {
	uint16_t readers, writers;
	uint16_t domid;			/* who it was pinned for */
	bool readonly;
	uint64_t frame;
};

/* One grant a guest has mapped: a frame of its own now showing it. */
struct gnt_maptrack {
	bool used, readonly;
	bool busy;			/* being set up: no handle yet */
	bool granter_gone;		/* destroyed: its page lives on in ours */
	uint16_t granter;
	uint32_t ref;
	uint64_t frame;			/* the granter's frame */
	uint64_t pfn;			/* ours, showing the grant */
	uint64_t host_addr;
};

/* The interrupted CPL3 context a trap or hypercall left us. */
struct pv_frame {
	uint64_t rip, rflags, rsp;
	uint16_t cs, ss;
};

enum trap_kind { TRAP_NONE, TRAP_EXCEPTION, TRAP_SYSCALL, TRAP_HYPERCALL };

struct trap {
	enum trap_kind kind;
	uint8_t vector;
	uint32_t error;
	uint64_t cr2;
};

#define VCPU_TRACE_LEN	16

struct vcpu {
	struct domain *d;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	pid_t tid;
	bool thread_started;

	/* Registers, loaded at each exit and written back when dirty. */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	bool regs_dirty, sregs_dirty;
	/* KVM_RUN was interrupted with an exception or interrupt that KVM
	 * has yet to deliver: the next entry must not move the vCPU. */
	bool kvm_delivering;
	bool sync_regs;			/* registers travel in kvm_run */
	struct pv_frame frame;
	enum trap_kind resume_kind;	/* how the strategy returns to CPL3 */
	uint64_t stub_frame_va;		/* IDT strategy: iret frame on our stack */

	/* PV CPU state (what Xen keeps in v->arch.pv). */
	struct trap_info traps[256];
	uint64_t event_cb, failsafe_cb, syscall_cb;
	bool syscall_mask_events;
	uint64_t kernel_ss, kernel_sp;
	uint64_t kernel_cr3, user_cr3;	/* guest-physical addresses */
	bool kernel_mode;
	unsigned int pt_logged;		/* page-table entries pt_sync must replay */
	uint64_t spurious_gva;		/* pv_spurious_fault's last address */
	unsigned int spurious_n;	/* and its retries there */
	bool tlb_flush;			/* pt_sync must flush this vCPU's TLB */
	uint64_t fs_base, gs_base_kernel, gs_base_user;
	uint64_t vcpu_info_gpa;		/* where this vCPU's vcpu_info lives */
	bool fpu_ts;
	uint64_t guest_cr4;		/* the CR4 bits a PV guest may set */
	uint64_t debugreg[8];		/* set_debugreg's values (4, 5 unused) */
	struct vcpu_runstate_info runstate;	/* runstate.c */
	uint64_t runstate_gva;		/* the guest's copy of it, 0: none */
	unsigned int iopl;		/* physdev_op set_iopl's virtual IOPL */
	uint64_t iobmp;			/* set_iobitmap: the guest's bitmap */
	unsigned int iobmp_ports;	/* and the ports it covers */
	uint64_t gdt_mfn;		/* set_gdt's frame (0: none) and entries */
	unsigned int gdt_ents;

	/* Scheduling: all under d->lock. */
	bool up, blocked, kicked;
	bool initialised;		/* has a context: VCPUOP_up may run it */
	bool active;			/* between a runnable check and the next */
	pthread_cond_t wake;
	uint64_t timer_deadline;	/* system time ns, 0 = none */
	/* SCHEDOP_poll: the ports waited on (nr_poll, read without the lock
	 * by senders) and the timeout, system time ns (0 = none). */
	bool polling;
	unsigned int nr_poll;
	uint32_t poll_ports[SCHED_POLL_MAX];
	uint64_t poll_deadline;
	uint64_t periodic_ns, periodic_next;
	timer_t kick_timer;
	bool kick_timer_armed;
	uint64_t tsc_khz;
	uint64_t exits, hypercalls;
	unsigned int last_hypercall;
	/* The last exits and where each went back in, for a crash's dump. */
	struct vcpu_trace {
		uint8_t kind, vector;
		uint16_t hypercall;
		uint32_t error;
		uint64_t rip, rsp, resume_rip, resume_rsp, cr2, cr3;
	} trace[VCPU_TRACE_LEN];
	unsigned int trace_next;
};

struct evtchn {
	uint8_t state;		/* ECS_* from event_channel.h */
	uint8_t vcpu;
	uint16_t pad;
	uint32_t remote_dom;	/* unbound: who may bind; interdomain: peer */
	uint32_t remote_port;
	uint32_t virq;
	int efd_out;		/* dom0 end: hv writes when the guest sends */
	int efd_in;		/* dom0 end: dom0 writes to notify the guest */
};

enum dom_state { DOM_PAUSED = 1, DOM_RUNNING, DOM_SHUTDOWN, DOM_DYING };

struct domain {
	uint32_t domid;
	struct xsm_dom sec;		/* what the XSM layer knows of us */
	char name[CTL_NAME_LEN];
	uint8_t uuid[16];
	pthread_mutex_t lock;
	pthread_cond_t quiesced;	/* a vCPU stopped being active */
	enum dom_state state;
	unsigned int pause_count;
	uint32_t shutdown_reason;
	uint8_t on_poweroff, on_reboot, on_crash;
	uint64_t created_ns;

	uint8_t type;			/* enum ctl_dom_type */
	struct hvm_dom *hvm;		/* HVM and PVH domains only (hvm.h) */
	int vm_fd;
	int ram_fd;
	uint8_t *ram;
	uint64_t nr_pages, max_pages;
	uint64_t limit_pages;		/* nr_pages may grow to this (Xen's max_pages) */
	uint8_t *populated;		/* one byte per pfn: 1 = backed */
	uint8_t *pt_level;		/* per pfn: 1-4 pinned at that level, 0 not */
	uint32_t pci_cf8;		/* the PCI address latch its kernel wrote */
	int priv_fd;
	uint8_t *priv;
	uint64_t nr_priv_pages;
	uint64_t vm_assist;

	unsigned int nr_vcpus;
	struct vcpu *vcpu[HV_MAX_VCPUS];

	struct evtchn evtchn[HV_NR_EVTCHN];
	unsigned int virq_port[HV_MAX_VCPUS][NR_VIRQS];

	char cons_line[256];		/* console_io output, assembled by line */
	size_t cons_len;
	unsigned int warn_budget;	/* rate limit for guest-triggered warnings */
	struct shared_page *shared;	/* memshare.c, under lock */
	unsigned int gnt_frames;	/* grant table frames set up */
	struct gnt_active gnt_active[GNT_MAX_ENTRIES];	/* under lock */
	struct gnt_maptrack *maptrack;	/* max_maptrack entries, under lock */
	unsigned int max_maptrack;
	unsigned int refs;		/* domain_ref() holders: destroy waits */
};

/* --- global state (main.c, domain.c) ---------------------------------- */
struct hv {
	int kvm_fd;
	int ctl_fd;
	int epoll_fd;
	const struct trap_ops *trap;
	bool pio_exit_past_insn;	/* RIP already after "out" at its exit */
	bool cr0_ts_honoured;		/* CR0.TS raises #NM at CPL3 */
	uint64_t guest_iopl;		/* RFLAGS.IOPL guest code runs with */
	pthread_mutex_t lock;		/* protects the domain table */
	struct domain *domains[HV_MAX_DOMAINS];
	uint64_t boot_ns;
	uint64_t max_mem_mb;
	uint32_t next_domid;		/* domids are not reused at once, as in Xen */
};
extern struct hv hv;

/* domain.c */
int domain_create(const struct ctl_domain_create *req, uint32_t *domid);
/* The domain with this id, for the main (control) thread, which is the
 * only one that destroys domains. */
struct domain *domain_get(uint32_t domid);
/* From any thread: a reference that keeps the domain from being freed. */
struct domain *domain_ref(uint32_t domid);
void domain_unref(struct domain *d);
int domain_destroy(uint32_t domid);
int domain_pause(struct domain *d);
/* Pause and wait until no vCPU runs or touches guest memory (as Xen's
 * domain_pause does); never from one of d's own vCPUs. */
void domain_pause_sync(struct domain *d);
int domain_unpause(struct domain *d);
/* Xen's XEN_DOMCTL_max_mem: how much RAM the domain may populate from now
 * (what it has stays; below that, it can only give pages back). */
int domain_set_max_mem(struct domain *d, uint64_t kb);
void domain_shutdown(struct domain *d, uint32_t reason);
void domain_crash(struct domain *d, const char *why);
void domain_info(struct domain *d, struct ctl_domain_info *out);
void domain_destroy_all(void);
int domain_set_vcpu_context(struct domain *d, const struct ctl_vcpu_context *c);
bool domain_guest_warn(struct domain *d);	/* true while the budget lasts */
/* Ask XSM whether d may do h to the domain a guest named (DOMID_SELF ok). */
int domain_xsm(enum xsm_hook h, struct domain *d, uint32_t domid);
/* The same, for operations offered on oneself only: -EPERM for others even
 * when XSM would allow them (no guest acts on another's memory yet). */
int domain_xsm_self(enum xsm_hook h, struct domain *d, uint32_t domid);

/* privarea.c: GDT/IDT/TSS/stubs, M2P, shared_info, the Xen L4 slot */
int priv_init(struct domain *d);
void priv_fini(struct domain *d);
int priv_install_xen_slot(struct vcpu *v, uint64_t l4_gpa);
uint64_t priv_vcpu_gdt_va(unsigned int vcpu);
/* The first page of a vCPU's GDT, which holds the guest's set_gdt copy. */
uint64_t *priv_vcpu_gdt(struct vcpu *v);
uint64_t priv_vcpu_desc(struct vcpu *v, uint16_t sel);
uint64_t priv_vcpu_stack_top_va(unsigned int vcpu);
uint64_t priv_idt_va(void);
uint64_t priv_stub_va(unsigned int vector);
uint64_t priv_syscall_stub_va(void);
uint64_t priv_iret_stub_va(void);
uint64_t priv_ptsync_stub_va(void);
uint64_t priv_stub_cr3(void);
uint64_t *priv_ptsync_log(struct vcpu *v);
uint64_t priv_ptsync_log_va(unsigned int vcpu);
#define PT_LOG_MAX	448	/* entries at the bottom of the vCPU's stack page */
uint64_t priv_tss_va(unsigned int vcpu);
void *priv_vcpu_stack(struct domain *d, unsigned int vcpu);
shared_info_t *priv_shared_info(struct domain *d);
static inline uint64_t priv_shared_info_mfn(void)
{ return (PRIV_GPA >> PAGE_SHIFT) + PF_SHARED_INFO; }
/* The TSS and its I/O bitmap: ports 0-255, of which only 0xe4-0xe7 open. */
#define TSS_LIMIT	(104 + 32 - 1)
void priv_io_bitmap(uint8_t *tss);
#define PAL_TRAP_PORT	0xe5
#define PAL_SYSCALL_PORT 0xe6
#define PAL_PTSYNC_PORT	0xe7

/* guestmem.c: guest-physical and guest-virtual access, all bounds-checked */
void *gpa_ptr(struct domain *d, uint64_t gpa, size_t len);
bool mfn_is_guest_ram(struct domain *d, uint64_t mfn);
bool gva_canonical(uint64_t va);
int gva_to_gpa(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa);
/* The L1 entry that maps gva with a 4 KiB page, or NULL. */
uint64_t *gva_l1e(struct vcpu *v, uint64_t gva);
int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len);
int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len);
vcpu_info_t *vcpu_info_ptr(struct vcpu *v);

/* vcpu.c */
int vcpu_create(struct domain *d, unsigned int id);
void vcpu_destroy(struct vcpu *v);
int vcpu_start_thread(struct vcpu *v);
void vcpu_kick(struct vcpu *v);		/* caller holds d->lock */
uint64_t vcpu_cpu_ns(struct vcpu *v);
void vcpu_set_cr3(struct vcpu *v, uint64_t gpa);
void vcpu_flush_tlb(struct vcpu *v);
/* pt_sync.c: every write the hypervisor makes to a PV guest's page tables
 * goes through pt_store, and reaches the guest's MMU at the next pt_sync. */
void pt_store(struct vcpu *v, uint64_t *entry, uint64_t val);
uint64_t pt_or(struct vcpu *v, uint64_t *entry, uint64_t bits);
uint64_t pt_and(struct vcpu *v, uint64_t *entry, uint64_t bits);
int pt_sync(struct vcpu *v);
bool pv_spurious_fault(struct vcpu *v, uint64_t gva, uint32_t error);
/* hc_mm.c: may val go into an entry of the table at frame table_pfn? */
long pv_pte_check(struct domain *d, uint64_t table_pfn, uint64_t val);
/* pv_ptwr.c: a kernel write to one of its L1 tables, emulated. */
bool pv_ptwr(struct vcpu *v, uint64_t cr2);
enum ptwr_kind { PTWR_MOV, PTWR_XCHG, PTWR_CMPXCHG, PTWR_OR, PTWR_AND,
	PTWR_XOR, PTWR_BTS, PTWR_BTR };
struct ptwr_store {
	unsigned int len;	/* of the instruction */
	unsigned int size;	/* of the operand: 1, 4 or 8 */
	enum ptwr_kind kind;
	unsigned int reg;	/* the source: ModRM.reg with REX.R */
	bool high_byte;		/* reg is %ah, %ch, %dh or %bh */
	bool has_imm;		/* or the source is imm */
	uint64_t imm;
};
bool ptwr_decode(const uint8_t *b, unsigned int avail, struct ptwr_store *s);
/* pv_desc.c: a checked GDT, and set_segment_base's SEGBASE_GS_USER_SEL. */
long pv_load_gdt(struct vcpu *v, const uint64_t *frames, unsigned int ents);
void pv_load_user_gs(struct vcpu *v, uint16_t sel);
/* pv_emul.c: a port access by Xen's rules for a domU; false: #GP. */
bool pv_port_io(struct vcpu *v, unsigned int port, unsigned int bytes,
    bool in, uint32_t *val);
/* pv_emul.c: general register n as ModRM numbers it (rsp: the frame's). */
uint64_t *pv_gpr(struct vcpu *v, unsigned int n);
void vcpu_drain_kicks(void);
/* From a hypercall that must wait for other domains to pause: stop
 * counting as active (touching no guest memory) and start again. */
void vcpu_quiesce(struct vcpu *v);
void vcpu_unquiesce(struct vcpu *v);

/* pv.c: the x86-64 PV CPU model */
int pv_bounce_exception(struct vcpu *v, unsigned int vector, uint32_t error,
    bool has_error, uint64_t cr2);
int pv_bounce_syscall(struct vcpu *v);
int pv_deliver_events(struct vcpu *v);
int pv_handle_trap(struct vcpu *v, const struct trap *t);
void pv_toggle_mode(struct vcpu *v);
long pv_do_iret(struct vcpu *v);
bool pv_emulate_xen_cpuid(struct vcpu *v);
/* pv_emul.c: a PV kernel's privileged instruction at #GP; false: not ours. */
bool pv_emulate_priv(struct vcpu *v);
/* guestmem.c: Xen's user bit on the entries mapping gva; true if any changed. */
bool pv_fix_user_bits(struct vcpu *v, uint64_t gva);
/* hc_misc.c: Xen's checks of a debug register value (0-3, 6, 7). */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t val);
/* cpuid.c: Xen's leaves at 0x40000000; false for a leaf not in that range. */
bool xen_cpuid_leaf(uint32_t leaf, unsigned int vcpu_id, uint32_t out[4]);
/* cpuid.c: a PV guest's view of a host leaf (Xen's PV CPUID policy). */
void pv_cpuid_policy(uint32_t leaf, uint32_t sub, uint32_t r[4]);

/* hypercall.c */
void hypercall_dispatch(struct vcpu *v);
long hypercall_call(struct vcpu *v, unsigned int nr, uint64_t a[6]);
/* The guest's fault: log its registers, crash its domain. */
void vcpu_crash(struct vcpu *v, const char *why);
int vcpu_exit_fatal(struct vcpu *v);	/* crashes the domain; -1 */

/* evtchn.c */
void evtchn_init(struct domain *d);
void evtchn_fini(struct domain *d);
long evtchn_op(struct vcpu *v, int cmd, uint64_t arg);
int evtchn_alloc_unbound(struct domain *d, uint32_t remote, uint32_t *port);
int evtchn_bind_dom0(struct domain *d, uint32_t port, int *efd_out, int *efd_in);
int evtchn_close_port(struct domain *d, uint32_t port);
int evtchn_close_dom0_end(struct domain *d, uint32_t port);
void evtchn_domain_gone(struct domain *d);	/* peers wait for it again */
void evtchn_set_pending(struct domain *d, uint32_t port);
long evtchn_send(struct domain *d, uint32_t port);	/* EVTCHNOP_send */
void evtchn_send_virq(struct vcpu *v, uint32_t virq);
void evtchn_dom0_kick(struct domain *d, uint32_t port);

/* timer.c: PV time and timers */
void time_update(struct vcpu *v);
void time_calibrate_start(void);
uint64_t system_time_ns(void);
void timer_set(struct vcpu *v, uint64_t deadline);
void timer_set_periodic(struct vcpu *v, uint64_t period);
void timer_check(struct vcpu *v);
uint64_t timer_next(struct vcpu *v);	/* fires expired timers; d->lock held */
/* hc_sched.c: SCHEDOP_poll */
bool sched_poll_done(struct vcpu *v);	/* a polled port pending, or timed out */
void sched_poll_clear(struct vcpu *v);
void sched_wake_pollers(struct domain *d, uint32_t port);

/* hc_*.c handlers */
long hc_console_io(struct vcpu *v, uint64_t *a);
/* A domain's console bytes into the hypervisor log, by line. */
void console_emit(struct domain *d, const char *buf, size_t n);
long hc_xen_version(struct vcpu *v, uint64_t *a);
long hc_sched_op(struct vcpu *v, uint64_t *a);
long hc_set_timer_op(struct vcpu *v, uint64_t *a);
long hc_vcpu_op(struct vcpu *v, uint64_t *a);
long hc_memory_op(struct vcpu *v, uint64_t *a);
long hc_mmu_update(struct vcpu *v, uint64_t *a);
long hc_mmuext_op(struct vcpu *v, uint64_t *a);
long hc_update_va_mapping(struct vcpu *v, uint64_t *a);
long hc_set_trap_table(struct vcpu *v, uint64_t *a);
long hc_stack_switch(struct vcpu *v, uint64_t *a);
long hc_set_callbacks(struct vcpu *v, uint64_t *a);
long hc_callback_op(struct vcpu *v, uint64_t *a);
long hc_set_segment_base(struct vcpu *v, uint64_t *a);
long hc_fpu_taskswitch(struct vcpu *v, uint64_t *a);
long hc_set_debugreg(struct vcpu *v, uint64_t *a);
long hc_set_gdt(struct vcpu *v, uint64_t *a);
long hc_physdev_op(struct vcpu *v, uint64_t *a);
/* runstate.c */
void runstate_set(struct vcpu *v, int state);
long runstate_register(struct vcpu *v, struct vcpu *t, uint64_t arg);
long runstate_get(struct vcpu *v, struct vcpu *t, uint64_t arg);
long hc_update_descriptor(struct vcpu *v, uint64_t *a);
long hc_get_debugreg(struct vcpu *v, uint64_t *a);
long hc_vm_assist(struct vcpu *v, uint64_t *a);
long hc_event_channel_op(struct vcpu *v, uint64_t *a);
long hc_multicall(struct vcpu *v, uint64_t *a);
long hc_iret(struct vcpu *v, uint64_t *a);

/* memshare.c: one page of a domain shared through its own memfd */
int memshare_get(struct domain *d, uint64_t pfn, int *fd_out);	/* fd is ours to give */
void memshare_put(struct domain *d, uint64_t pfn);	/* last put revokes */
void memshare_fini(struct domain *d);
bool memshare_is_shared(struct domain *d, uint64_t pfn);	/* d->lock held */

/* grant.c: grant tables, v1 */
long hc_grant_table_op(struct vcpu *v, uint64_t *a);
void gnt_init(struct domain *d, uint64_t console_pfn, uint64_t store_pfn);
bool gnt_frame_is_table(struct domain *d, uint64_t mfn);
int gnt_map_dom0(uint32_t domid, uint32_t ref, bool readonly, uint32_t *handle,
    int *fd);
int gnt_unmap_dom0(uint32_t handle);
/* The same, only if conn (a control connection) holds it. */
#define GNT_ANY_CONN (-2)
int gnt_unmap_dom0_by(uint32_t handle, int conn);
void gnt_dom0_owner(uint32_t handle, int conn);	/* unmapped when conn closes */
void gnt_dom0_release(int conn);
/* Pin ref of granter g for domain dom (g->lock held); a GNTST_ code. */
int16_t gnt_pin(struct domain *g, uint32_t ref, uint16_t dom, bool write);
void gnt_unpin(struct domain *g, uint32_t ref, bool write);
/* grant_dom0copy.c: dom0's copy buffers, per control connection */
int gnt_buf_register(int conn, int fd, uint64_t size, uint32_t *id);
int gnt_buf_unregister(int conn, uint32_t id);
void gnt_bufs_release(int conn);
int gnt_copy_dom0(int conn, struct xsm_dom *who, struct ctl_gnt_copy *c);
/* grant_map.c: guests mapping grants over frames of their own */
long gnt_map_refs(struct vcpu *v, uint64_t arg, uint32_t count);
long gnt_unmap_refs(struct vcpu *v, uint64_t arg, uint32_t count, bool replace);
bool gnt_pfn_is_mapped(struct domain *d, uint64_t pfn);	/* d->lock held */
void gnt_maptrack_fini(struct domain *d);
void gnt_maptrack_granter_gone(uint32_t domid);
void gnt_domain_gone(uint32_t domid);

/* ctl.c: the control socket */
int ctl_listen(const char *path);
void ctl_accept(int lfd);
void ctl_client_event(int fd);

/* Guest-triggered warnings: rate-limited per domain so a hostile guest
 * cannot flood the log. */
#define gwarn(d, fmt, ...) do {						\
	if (domain_guest_warn(d))					\
		log_warnx("d%u: %s: " fmt, (d)->domid, __func__, ##__VA_ARGS__); \
} while (0)

#endif
