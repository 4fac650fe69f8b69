/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest's trap table, event upcalls and PV time. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"

extern char trap_de[], trap_bp[], trap_ud[], trap_nm[], trap_gp[], trap_pf[],
    trap_int80[], event_entry[], syscall_entry[];

volatile struct trap_record last_trap;
volatile uint64_t fixup_rip;
volatile unsigned long port_hits[64];
syscall_fn syscall_hook;
void (*user_fault_hook)(struct trap_frame *f);

static char shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

void trap_handler(struct trap_frame *f);
void trap_handler(struct trap_frame *f)
{
	last_trap.vector = f->vector;
	last_trap.error = f->error;
	last_trap.rip = f->rip;
	last_trap.cs = f->cs;
	if (f->vector == 14 && shared_info != NULL)
		last_trap.cr2 = shared_info->vcpu_info[0].arch.cr2;
	last_trap.count++;
	if (fixup_rip != 0) {
		f->rip = fixup_rip;
		fixup_rip = 0;
	} else if ((f->cs & 3) == 3 && user_fault_hook != NULL) {
		user_fault_hook(f);
	} else if (f->vector != 3 && f->vector != 0x80) {
		printk("pvtest: unexpected trap %lu error %#lx at %p\n",
		    (unsigned long)f->vector, (unsigned long)f->error, (void *)f->rip);
		poweroff(SHUTDOWN_crash);
	}
}

void traps_init(void)
{
	static struct trap_info table[] = {
		{ 0, 0, FLAT_KERNEL_CS, (unsigned long)trap_de },
		{ 3, 3, FLAT_KERNEL_CS, (unsigned long)trap_bp },
		{ 6, 0, FLAT_KERNEL_CS, (unsigned long)trap_ud },
		{ 7, 0, FLAT_KERNEL_CS, (unsigned long)trap_nm },
		{ 13, 0, FLAT_KERNEL_CS, (unsigned long)trap_gp },
		{ 14, 0, FLAT_KERNEL_CS, (unsigned long)trap_pf },
		{ 0x80, 3, FLAT_KERNEL_CS, (unsigned long)trap_int80 },
		{ 0, 0, 0, 0 },
	};
	struct callback_register sys = {
		.type = CALLBACKTYPE_syscall, .flags = CALLBACKF_mask_events,
		.address = (unsigned long)syscall_entry,
	};

	if (hv_set_trap_table(table) != 0 || hv_callback_op(CALLBACKOP_register, &sys) != 0) {
		printk("pvtest: cannot install traps\n");
		poweroff(SHUTDOWN_crash);
	}
}

void shared_info_map(void)
{
	uint64_t pte = start_info->shared_info | 0x67;	/* P RW US A D */

	if (shared_info != NULL)
		return;
	if (hv_update_va_mapping((unsigned long)shared_info_page, pte, UVMF_INVLPG) != 0) {
		printk("pvtest: cannot map shared_info\n");
		poweroff(SHUTDOWN_crash);
	}
	shared_info = (shared_info_t *)shared_info_page;
}

vcpu_info_t *my_vcpu_info(void)
{
	return &shared_info->vcpu_info[0];
}

/* Xen's PV clock: system_time + scaled TSC delta, under a version lock. */
uint64_t system_time(void)
{
	struct vcpu_time_info *t = &my_vcpu_info()->time;
	uint32_t ver, lo, hi;
	uint64_t tsc, delta, ns;

	do {
		ver = t->version;
		barrier();
		asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
		tsc = ((uint64_t)hi << 32) | lo;
		delta = tsc - t->tsc_timestamp;
		if (t->tsc_shift >= 0)
			delta <<= t->tsc_shift;
		else
			delta >>= -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta *
		    t->tsc_to_system_mul) >> 32);
		barrier();
	} while ((ver & 1) || ver != t->version);
	return ns;
}

void event_handler(struct trap_frame *f);
void event_handler(struct trap_frame *f)
{
	vcpu_info_t *vi = my_vcpu_info();
	unsigned long sel, pend;
	unsigned int w, b;

	(void)f;
	vi->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		w = __builtin_ctzl(sel);
		sel &= sel - 1;
		pend = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
		while (pend) {
			b = __builtin_ctzl(pend);
			pend &= pend - 1;
			__atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1ul << b),
			    __ATOMIC_SEQ_CST);
			if (w * 64 + b < 64)
				port_hits[w * 64 + b]++;
		}
	}
}

void events_init(void)
{
	struct callback_register ev = {
		.type = CALLBACKTYPE_event, .address = (unsigned long)event_entry,
	};

	shared_info_map();
	if (hv_callback_op(CALLBACKOP_register, &ev) != 0) {
		printk("pvtest: cannot register the event callback\n");
		poweroff(SHUTDOWN_crash);
	}
}

evtchn_port_t bind_virq(unsigned int virq, unsigned int vcpu)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };

	return hv_event_channel_op(EVTCHNOP_bind_virq, &b) == 0 ? b.port : 0;
}

void upcalls_off(void)
{
	my_vcpu_info()->evtchn_upcall_mask = 1;
	barrier();
}

/* Events that came while upcalls were off are handled here, still masked:
 * forcing an upcall for them (Linux's force_evtchn_callback) would cost
 * two exits, the hypercall and the iret. One that comes between the last
 * look and the unmask is taken as an upcall at the hypercall's return. */
void upcalls_on(void)
{
	vcpu_info_t *vi = my_vcpu_info();

	while (vi->evtchn_upcall_pending)
		event_handler(NULL);
	vi->evtchn_upcall_mask = 0;
	barrier();
	if (vi->evtchn_upcall_pending)
		hv_xen_version(XENVER_version, NULL);
}

void unmask_port(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	hv_event_channel_op(EVTCHNOP_unmask, &u);
}

long syscall_handler(struct trap_frame *f);
long syscall_handler(struct trap_frame *f)
{
	if (syscall_hook != NULL)
		f->rax = syscall_hook(f);
	return 0;
}
