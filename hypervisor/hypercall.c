/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypercall dispatch: Xen's numbers, Xen's x86-64 argument registers. */
#include "config.h"

#include <string.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"

typedef long (*hc_fn)(struct vcpu *v, uint64_t *a);

static long hc_multicall_entry(struct vcpu *v, uint64_t *a);

static const hc_fn hc_table[] = {
	[__HYPERVISOR_set_trap_table] = hc_set_trap_table,
	[__HYPERVISOR_mmu_update] = hc_mmu_update,
	[__HYPERVISOR_set_callbacks] = hc_set_callbacks,
	[__HYPERVISOR_fpu_taskswitch] = hc_fpu_taskswitch,
	[__HYPERVISOR_set_gdt] = hc_set_gdt,
	[__HYPERVISOR_update_descriptor] = hc_update_descriptor,
	[__HYPERVISOR_set_debugreg] = hc_set_debugreg,
	[__HYPERVISOR_get_debugreg] = hc_get_debugreg,
	[__HYPERVISOR_stack_switch] = hc_stack_switch,
	[__HYPERVISOR_set_timer_op] = hc_set_timer_op,
	[__HYPERVISOR_memory_op] = hc_memory_op,
	[__HYPERVISOR_multicall] = hc_multicall_entry,
	[__HYPERVISOR_update_va_mapping] = hc_update_va_mapping,
	[__HYPERVISOR_xen_version] = hc_xen_version,
	[__HYPERVISOR_console_io] = hc_console_io,
	[__HYPERVISOR_vm_assist] = hc_vm_assist,
	[__HYPERVISOR_iret] = hc_iret,
	[__HYPERVISOR_vcpu_op] = hc_vcpu_op,
	[__HYPERVISOR_set_segment_base] = hc_set_segment_base,
	[__HYPERVISOR_mmuext_op] = hc_mmuext_op,
	[__HYPERVISOR_sched_op] = hc_sched_op,
	[__HYPERVISOR_callback_op] = hc_callback_op,
	[__HYPERVISOR_event_channel_op] = hc_event_channel_op,
	[__HYPERVISOR_grant_table_op] = hc_grant_table_op,
	[__HYPERVISOR_hvm_op] = hc_hvm_op,
	[__HYPERVISOR_physdev_op] = hc_physdev_op,
};

static const char *const hc_names[] = {
	"set_trap_table", "mmu_update", "set_gdt", "stack_switch", "set_callbacks",
	"fpu_taskswitch", "sched_op_compat", "platform_op", "set_debugreg",
	"get_debugreg", "update_descriptor", "11", "memory_op", "multicall",
	"update_va_mapping", "set_timer_op", "event_channel_op_compat",
	"xen_version", "console_io", "physdev_op_compat", "grant_table_op",
	"vm_assist", "update_va_mapping_otherdomain", "iret", "vcpu_op",
	"set_segment_base", "mmuext_op", "xsm_op", "nmi_op", "sched_op",
	"callback_op", "xenoprof_op", "event_channel_op", "physdev_op", "hvm_op",
	"sysctl", "domctl", "kexec_op", "tmem_op", "argo_op", "xenpmu_op", "dm_op",
	"hypfs_op",
};

/*
 * Every -ENOSYS is logged (within the domain's warning budget) with the
 * hypercall and its first argument, which is the sub-op for every
 * multiplexed one: the next missing piece names itself.
 */
static long hc_refused(struct vcpu *v, unsigned int nr, const uint64_t *a)
{
	if (domain_guest_warn(v->d))
		log_warnx("d%u v%u: hypercall %u (%s) op %llu: not implemented (-ENOSYS)",
		    v->d->domid, v->id, nr, nr < ARRAY_SIZE(hc_names) ? hc_names[nr] : "?",
		    (unsigned long long)a[0]);
	return -XEN_ENOSYS;
}

long hypercall_call(struct vcpu *v, unsigned int nr, uint64_t a[6])
{
	long ret;

	v->hypercalls++;
	v->last_hypercall = nr;
	if (nr >= ARRAY_SIZE(hc_table) || hc_table[nr] == NULL ||
	    (v->d->hvm != NULL && !hvm_hypercall_allowed(nr)))
		return hc_refused(v, nr, a);
	ret = hc_table[nr](v, a);
	log_debug("d%u v%u: %s(%#llx, %#llx) = %ld", v->d->domid, v->id,
	    nr < ARRAY_SIZE(hc_names) ? hc_names[nr] : "?", (unsigned long long)a[0],
	    (unsigned long long)a[1], ret);
	/* iret's value is the guest's own rax, restored (-ENOSYS, say, where
	 * Linux preset a system call's result): not an answer to log. */
	return ret == -XEN_ENOSYS && nr != __HYPERVISOR_iret ? hc_refused(v, nr, a) : ret;
}

/* An exit at the hypercall port: arguments in rdi, rsi, rdx, r10, r8, r9. */
void hypercall_dispatch(struct vcpu *v)
{
	uint64_t a[6] = {
		v->regs.rdi, v->regs.rsi, v->regs.rdx,
		v->regs.r10, v->regs.r8, v->regs.r9,
	};

	if (!v->kernel_mode) {
		/* Guest user mode reached the port: a privileged instruction. */
		v->frame.rip -= 2;
		pv_bounce_exception(v, 13, 0, true, 0);
		return;
	}
	v->regs.rax = (uint64_t)hypercall_call(v, (unsigned int)v->regs.rax, a);
	v->regs_dirty = true;
}

#define MULTICALL_MAX 64

static long hc_multicall_entry(struct vcpu *v, uint64_t *a)
{
	uint64_t list = a[0];
	unsigned int n = (unsigned int)a[1], i;
	multicall_entry_t mc;

	if (n > MULTICALL_MAX)
		return -XEN_EINVAL;
	for (i = 0; i < n; i++) {
		uint64_t gva = list + (uint64_t)i * sizeof(mc);

		if (copy_from_guest(v, &mc, gva, sizeof(mc)) < 0)
			return -XEN_EFAULT;
		if (mc.op == __HYPERVISOR_multicall || mc.op == __HYPERVISOR_iret)
			mc.result = -XEN_EINVAL;
		else
			mc.result = hypercall_call(v, (unsigned int)mc.op, mc.args);
		if (copy_to_guest(v, gva + offsetof(multicall_entry_t, result),
		    &mc.result, sizeof(mc.result)) < 0)
			return -XEN_EFAULT;
	}
	return 0;
}
