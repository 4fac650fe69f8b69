/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * suite=hvm: the HVM platform as a guest finds it. Xen's CPUID leaves and
 * hypercall page, the HVM params, shared_info where we put it, event
 * upcalls on the callback vector, a PV timer, the LAPIC timer, the PIT,
 * the RTC against the wallclock, and a port and an MMIO address with
 * nothing behind them.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"
#include "hvmtest.h"

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#define TIMER_VECTOR	0xf4
#define MSR_X2APIC_LVT_TIMER	0x832
#define MSR_X2APIC_TMICT	0x838
#define MSR_X2APIC_TDCR		0x83e
#define MSR_X2APIC_EOI		0x80b

extern char apic_timer_entry[];
static volatile unsigned long apic_ticks;

void hvm_apic_timer(void);
void hvm_apic_timer(void)
{
	apic_ticks++;
	wrmsr(MSR_X2APIC_EOI, 0);
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static unsigned int cmos(uint8_t reg)
{
	uint8_t v;

	outb(0x70, reg);
	v = inb(0x71);
	return (v >> 4) * 10 + (v & 15);	/* BCD */
}

static void check_cpuid(void)
{
	uint32_t r[4];
	long ver = hv_xen_version(XENVER_version, NULL);

	cpuid(0x40000000, r);
	check(memcmp(&r[1], "XenVMMXenVMM", 12) == 0 && r[0] >= 0x40000004,
	    "CPUID 0x40000000: Xen's signature, leaves to %#x", r[0]);
	cpuid(0x40000001, r);
	check(ver > 0 && (uint32_t)ver == r[0], "CPUID version %u.%u is xen_version's",
	    r[0] >> 16, r[0] & 0xffff);
	cpuid(0x40000002, r);
	check(r[0] == 1 && r[1] == 0x40000000, "one hypercall page, MSR %#x", r[1]);
	cpuid(0x40000004, r);
	check((r[0] & (1u << 3)) && r[1] == 0, "vCPU id %u in leaf 4", r[1]);
	check((uint8_t)hypercall_page[0] == 0xb8, "the hypercall page is filled");
}

static void check_params(void)
{
	uint64_t v = 0;
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_NR_PARAMS };
	long ret = hvm_param_get(HVM_PARAM_STORE_PFN, &v);

	check(ret == 0 && v != 0 && v == start_info->store_mfn,
	    "HVM_PARAM_STORE_PFN %#lx", (unsigned long)v);
	check(start_info->store_evtchn != 0, "HVM_PARAM_STORE_EVTCHN %u",
	    start_info->store_evtchn);
	check(hvm_param_set(HVM_PARAM_STORE_PFN, 5) == -XEN_EPERM,
	    "the store's page is not the guest's to set");
	check(hcall2(__HYPERVISOR_hvm_op, HVMOP_get_param, &p) == -XEN_EINVAL,
	    "a param beyond HVM_NR_PARAMS is EINVAL");
	check(hvm_param_set(HVM_PARAM_CALLBACK_IRQ, 5) == -XEN_EINVAL,
	    "a GSI callback is refused (vectors only)");
	check(hcall0(__HYPERVISOR_mmu_update) == -XEN_ENOSYS,
	    "a PV-only hypercall is ENOSYS");
}

static void check_shared_info(void)
{
	static const char line[] = "hvm: a line through console_io\n";

	check(hv_console_write(line, sizeof(line) - 1) == 0, "console_io writes");
	shared_info_map();
	check(shared_info->wc_sec > 1700000000u, "shared_info's wallclock: %u s",
	    shared_info->wc_sec);
}

static void check_events(void)
{
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	unsigned long before = hvm_callbacks;
	uint64_t t0, t1;
	evtchn_port_t vt;
	bool fired;

	events_init();
	check(hv_event_channel_op(EVTCHNOP_bind_ipi, &ipi) == 0 && ipi.port < 64,
	    "an IPI port: %u", ipi.port);
	unmask_port(ipi.port);
	port_send(ipi.port);
	check(port_wait_ns(ipi.port, 1, 5000000000ull) && hvm_callbacks > before,
	    "its event came as the callback vector (%lu upcalls)", hvm_callbacks - before);
	vt = bind_virq(VIRQ_TIMER, 0);
	unmask_port(vt);
	t0 = system_time();
	hcall1(__HYPERVISOR_set_timer_op, t0 + 20000000ull);
	fired = vt != 0 && port_wait_ns(vt, port_hits[vt] + 1, 5000000000ull);
	t1 = system_time();
	check(fired && t1 >= t0 + 20000000ull, "a PV timer 20 ms out fired after %lu us",
	    (unsigned long)((t1 - t0) / 1000));
}

static void check_devices(void)
{
	uint64_t wc = shared_info->wc_sec + system_time() / 1000000000ull;
	unsigned int year = cmos(0x32) * 100 + cmos(0x09), pit1, pit2, i;
	unsigned int wc_year = 1970 + (unsigned int)(wc / 31556952ull);
	uint64_t end;

	check(year == wc_year || year == wc_year + 1 || year + 1 == wc_year,
	    "the RTC says %u, the wallclock %u", year, wc_year);
	check(cmos(0x0b) == 2 && inb(0x71) == 0x02, "RTC status B: 24-hour, BCD");
	outb(0x43, 0x30);	/* PIT channel 0, one shot (the PIC masks it anyway) */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	outb(0x43, 0x00);
	pit1 = inb(0x40) | (unsigned int)inb(0x40) << 8;
	for (i = 0; i < 1000; i++)
		cpu_relax();
	outb(0x43, 0x00);
	pit2 = inb(0x40) | (unsigned int)inb(0x40) << 8;
	check(pit1 != pit2, "the PIT counts (%u, then %u)", pit1, pit2);
	check(inb(0x2f8) == 0xff && inb(0x2fd) == 0xff, "no COM2: its ports read all ones");
	check(*(volatile uint32_t *)0x3ff00000ul == 0xffffffffu,
	    "MMIO with nothing behind it reads all ones");

	/* The LAPIC timer, one-shot. */
	idt_set(TIMER_VECTOR, apic_timer_entry);
	wrmsr(MSR_X2APIC_TDCR, 0x0b);		/* divide by 1 */
	wrmsr(MSR_X2APIC_LVT_TIMER, TIMER_VECTOR);
	wrmsr(MSR_X2APIC_TMICT, 100000);
	end = system_time() + 5000000000ull;
	hcall1(__HYPERVISOR_set_timer_op, end);	/* wakes us if it never fires */
	for (;;) {
		upcalls_off();
		if (apic_ticks != 0 || system_time() >= end)
			break;
		wait_event();
	}
	upcalls_on();
	check(apic_ticks == 1, "the LAPIC timer fired (%lu)", apic_ticks);
	/* Long enough for PIT ticks (55 ms): with the PIC masked none may
	 * arrive (unmasked, the first would be vector 0 and crash us). */
	end = system_time() + 150000000ull;
	while (system_time() < end)
		cpu_relax();
	check(apic_ticks == 1, "150 ms with interrupts on: nothing stray");
}

void suite_hvm(void)
{
	check_cpuid();
	check_params();
	check_shared_info();
	check_events();
	check_devices();
	printk("hvm: done\n");
}

/* For bench/hvm: count null hypercalls, or count rounds of dec/jnz. */
void suite_hvm_bench_hypercall(void)
{
	unsigned long i, n = cmdline_ulong("count", 1000);

	for (i = 0; i < n; i++)
		hv_xen_version(XENVER_version, NULL);
}

void suite_hvm_bench_insn(void)
{
	unsigned long n = cmdline_ulong("count", 1000);

	if (n != 0)
		asm volatile("1: dec %0; jnz 1b" : "+r"(n) : : "cc");
}

/* Wait for the toolstack to destroy us, idle. */
void suite_idle(void)
{
	events_init();
	for (;;) {
		upcalls_off();
		wait_event();
	}
}
