/* SPDX-License-Identifier: GPL-2.0-only */
/* A second vCPU: initialise, up, run our code, take itself down. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

static volatile int ap_alive;
static volatile long ap_is_up;
static uint8_t ap_stack[16384] __attribute__((aligned(16)));
static vcpu_guest_context_t ap_ctx;

static void ap_main(void)
{
	ap_is_up = hv_vcpu_op(VCPUOP_is_up, 1, NULL);
	ap_alive = 1;
	hv_vcpu_op(VCPUOP_down, 1, NULL);
	for (;;)
		hv_sched_op(SCHEDOP_yield, NULL);
}

static bool wait_for(volatile int *flag, int value)
{
	int i;

	for (i = 0; i < 100000 && *flag != value; i++)
		hv_sched_op(SCHEDOP_yield, NULL);
	return *flag == value;
}

void suite_smp(void)
{
	unsigned long l4 = virt_to_pfn((void *)start_info->pt_base);
	int i;

	check(hv_vcpu_op(VCPUOP_is_up, 0, NULL) == 1, "vCPU 0 is up");
	check(hv_vcpu_op(VCPUOP_is_up, 1, NULL) == 0, "vCPU 1 starts down");
	check(hv_vcpu_op(VCPUOP_is_up, 9, NULL) == -XEN_ENOENT, "vCPU 9 does not exist");
	memset(&ap_ctx, 0, sizeof(ap_ctx));
	ap_ctx.user_regs.rip = (unsigned long)ap_main;
	ap_ctx.user_regs.rsp = (unsigned long)ap_stack + sizeof(ap_stack) - 8;
	ap_ctx.user_regs.cs = FLAT_KERNEL_CS;
	ap_ctx.user_regs.ss = FLAT_KERNEL_SS;
	ap_ctx.kernel_ss = FLAT_KERNEL_SS;
	ap_ctx.kernel_sp = ap_ctx.user_regs.rsp;
	ap_ctx.ctrlreg[3] = xen_pfn_to_cr3(pfn_to_mfn(l4));
	check(hv_vcpu_op(VCPUOP_initialise, 1, &ap_ctx) == 0, "VCPUOP_initialise vCPU 1");
	check(hv_vcpu_op(VCPUOP_up, 1, NULL) == 0, "VCPUOP_up vCPU 1");
	check(wait_for(&ap_alive, 1), "vCPU 1 ran our code");
	check(ap_is_up == 1, "vCPU 1 saw itself up");
	for (i = 0; i < 100000 && hv_vcpu_op(VCPUOP_is_up, 1, NULL) != 0; i++)
		hv_sched_op(SCHEDOP_yield, NULL);
	check(hv_vcpu_op(VCPUOP_is_up, 1, NULL) == 0, "vCPU 1 took itself down");
}
