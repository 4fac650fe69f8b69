/* SPDX-License-Identifier: GPL-2.0-only */
/* pvtest's trap table, shared_info mapping and event upcall registration. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"

extern char trap_de[], trap_bp[], trap_ud[], trap_nm[], trap_gp[], trap_pf[],
    trap_int80[], event_entry[], syscall_entry[];

volatile struct trap_record last_trap;
volatile uint64_t fixup_rip;
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

void wait_event(void)
{
	hv_sched_op(SCHEDOP_block, NULL);
}

long syscall_handler(struct trap_frame *f);
long syscall_handler(struct trap_frame *f)
{
	if (syscall_hook != NULL)
		f->rax = syscall_hook(f);
	return 0;
}
