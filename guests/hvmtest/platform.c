/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvmtest's platform: what an HVM guest does to use Xen's PV interfaces
 * (Linux's xen_hvm_guest_init in small), presented to the frontends and
 * suites it shares with pvtest through the same interface (pvtest.h,
 * arch.h): Xen found by CPUID, the hypercall page installed through its
 * MSR, shared_info and grant frames placed with add_to_physmap, the store
 * and console found as HVM params (and handed on as a start_info, which is
 * where pvtest's code looks), event upcalls on a callback vector through
 * the local APIC (x2APIC), and the console on the 16550.
 */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"
#include "hvmtest.h"

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/arch-x86/hvm/start_info.h>

#define COM1		0x3f8
#define MSR_APIC_BASE	0x1b
#define MSR_X2APIC_SVR	0x80f
#define MSR_X2APIC_EOI	0x80b
#define CALLBACK_VECTOR	0xf3

start_info_t *start_info;
shared_info_t *shared_info;
unsigned int hvm_boot_kind;

static start_info_t boot_si;
static char shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
/* Where the grant table's frames show (GNTTABOP_setup_table then names
 * these gfns, which peer.c's grant_table_frames maps as any other). */
static char grant_frames[GRANT_FRAMES_MAX][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned long next_free_pfn, free_limit_pfn;
extern char _end[], idt[], callback_entry[];
extern char exc_0[], exc_3[], exc_6[], exc_8[], exc_13[], exc_14[];

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void cpuid(uint32_t leaf, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	    : "a"(leaf), "c"(0));
}

/* --- console: the 16550, 16 bytes per look at THRE (its FIFO) ------------ */

void console_init(void)
{
	outb(COM1 + 1, 0);		/* no interrupts */
	outb(COM1 + 3, 0x80);		/* DLAB: 115200 baud */
	outb(COM1 + 0, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);		/* 8N1 */
	outb(COM1 + 2, 0x07);		/* FIFOs on and cleared */
}

void console_write(const char *s, size_t n)
{
	size_t i = 0, burst;

	while (i < n) {
		while (!(inb(COM1 + 5) & 0x20))
			cpu_relax();
		for (burst = 0; burst < 16 && i < n; burst++)
			outb(COM1, (uint8_t)s[i++]);
	}
}

/* Until the UART says all is sent (palconsoled took it), for a while:
 * a console nobody reads must not keep us from powering off. */
void console_flush(void)
{
	unsigned long spins;

	for (spins = 0; spins < 100000 && !(inb(COM1 + 5) & 0x40); spins++)
		cpu_relax();
}

int console_getc(void)
{
	while (!(inb(COM1 + 5) & 0x01))
		cpu_relax();
	return inb(COM1);
}

evtchn_port_t console_port(void)
{
	return 0;	/* the console is the UART, not a PV ring */
}

/* --- memory: identity-mapped (and at VIRT_BASE), pages after the kernel --- */

unsigned long pfn_to_mfn(unsigned long pfn)
{
	return pfn;	/* an HVM guest's frames are its own gfns */
}

uint64_t *pte_for(unsigned long va)
{
	(void)va;
	return NULL;	/* 2 MiB pages only: no L1 entries to show */
}

void mm_init(void)
{
}

unsigned long mm_alloc_page(void)
{
	unsigned long pfn;

	if (next_free_pfn >= free_limit_pfn) {
		printk("hvmtest: out of memory\n");
		poweroff(SHUTDOWN_crash);
	}
	pfn = next_free_pfn++;
	memset(pfn_to_virt(pfn), 0, PAGE_SIZE);
	return pfn;
}

unsigned long mm_grow(unsigned long pages)
{
	(void)pages;
	return 0;	/* all our RAM is mapped from the start */
}

void *mm_vmap(const unsigned long *mfns, unsigned int count)
{
	unsigned int i;

	for (i = 1; i < count; i++)
		if (mfns[i] != mfns[0] + i)
			return NULL;
	return count > 0 && mfns[0] + count <= 0x40000 ? pfn_to_virt(mfns[0]) : NULL;
}

unsigned long mm_first_free_pfn(void)
{
	return next_free_pfn;
}

/* --- events: the callback vector ----------------------------------------- */

void idt_set(unsigned int vec, void *handler)
{
	uint64_t a = (uint64_t)handler;
	uint32_t *g = (uint32_t *)(idt + vec * 16);

	g[0] = (uint32_t)(a & 0xffff) | (0x08u << 16);
	g[1] = (uint32_t)(a & 0xffff0000u) | 0x8e00;	/* present, interrupt gate */
	g[2] = (uint32_t)(a >> 32);
	g[3] = 0;
}

void shared_info_map(void)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
		.gpfn = (unsigned long)shared_info_page >> PAGE_SHIFT,
	};

	if (shared_info != NULL)
		return;
	if (hv_memory_op(XENMEM_add_to_physmap, &x) != 0) {
		printk("hvmtest: cannot place shared_info\n");
		poweroff(SHUTDOWN_crash);
	}
	shared_info = (shared_info_t *)shared_info_page;
}

static void grant_frames_place(void)
{
	unsigned int i;

	for (i = 0; i < GRANT_FRAMES_MAX; i++) {
		struct xen_add_to_physmap x = {
			.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = i,
			.gpfn = (unsigned long)grant_frames[i] >> PAGE_SHIFT,
		};

		if (hv_memory_op(XENMEM_add_to_physmap, &x) != 0) {
			printk("hvmtest: cannot place grant frame %u\n", i);
			poweroff(SHUTDOWN_crash);
		}
	}
}

long hvm_param_get(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	long ret = hcall2(__HYPERVISOR_hvm_op, HVMOP_get_param, &p);

	*value = p.value;
	return ret;
}

long hvm_param_set(uint32_t index, uint64_t value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index, .value = value };

	return hcall2(__HYPERVISOR_hvm_op, HVMOP_set_param, &p);
}

unsigned long hvm_callbacks;

void hvm_callback(void);
void hvm_callback(void)
{
	hvm_callbacks++;
	event_handler(NULL);
	wrmsr(MSR_X2APIC_EOI, 0);
}

void events_init(void)
{
	static bool done;

	if (done)
		return;
	shared_info_map();
	idt_set(CALLBACK_VECTOR, callback_entry);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | 0xc00);	/* x2APIC on */
	wrmsr(MSR_X2APIC_SVR, 0x1ff);				/* and enabled */
	if (hvm_param_set(HVM_PARAM_CALLBACK_IRQ,
	    ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | CALLBACK_VECTOR) != 0) {
		printk("hvmtest: cannot set the callback vector\n");
		poweroff(SHUTDOWN_crash);
	}
	my_vcpu_info()->evtchn_upcall_mask = 0;
	done = true;
	asm volatile("sti");
}

void upcalls_off(void)
{
	asm volatile("cli" ::: "memory");
}

/* What came meanwhile is handled here; one arriving after the look is
 * taken as an interrupt once sti's shadow ends. */
void upcalls_on(void)
{
	vcpu_info_t *vi = my_vcpu_info();

	while (vi->evtchn_upcall_pending)
		event_handler(NULL);
	asm volatile("sti" ::: "memory");
}

/* sti's one-instruction shadow covers the hlt: no interrupt slips between. */
void wait_event(void)
{
	asm volatile("sti; hlt" ::: "memory");
}

/* --- traps: any exception here is a bug ----------------------------------- */

struct exc_frame { uint64_t vector, error, rip, cs, rflags, rsp, ss; };

void trap_report(struct exc_frame *f);
void trap_report(struct exc_frame *f)
{
	uint64_t cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	printk("hvmtest: exception %lu error %#lx at %#lx (cr2 %#lx)\n",
	    (unsigned long)f->vector, (unsigned long)f->error, (unsigned long)f->rip,
	    (unsigned long)cr2);
	poweroff(SHUTDOWN_crash);
}

/* --- start of day -------------------------------------------------------- */

/*
 * The 8259s as an OS leaves them when it uses the LAPIC: vectors moved
 * off the exceptions (0x20, 0x28) and every line masked. Left as reset
 * had them, KVM's BSP takes the PIC's ExtINT through LINT0 (virtual-wire
 * mode) and a PIT tick arrives as vector 0, a "divide error".
 */
static void pic_mask_all(void)
{
	static const uint8_t icw[2][4] = { { 0x11, 0x20, 0x04, 0x01 },
	    { 0x11, 0x28, 0x02, 0x01 } };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		uint16_t cmd = i ? 0xa0 : 0x20;

		outb(cmd, icw[i][0]);
		outb(cmd + 1, icw[i][1]);
		outb(cmd + 1, icw[i][2]);
		outb(cmd + 1, icw[i][3]);
		outb(cmd + 1, 0xff);
	}
}

static const char *const boot_names[] = { "plain 32-bit entry", "pvh", "multiboot",
    "real mode" };

static void take_cmdline(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i < sizeof(boot_si.cmd_line) - 1; i++)
		boot_si.cmd_line[i] = (int8_t)s[i];
	boot_si.cmd_line[i] = 0;
}

/* RAM from the memory map: the highest RAM range above 1 MiB is ours. */
static void take_memory(uint32_t info)
{
	uint64_t top = 0;
	unsigned int i;

	if (hvm_boot_kind == HVM_BOOT_MULTIBOOT) {
		const uint32_t *mbi = (const uint32_t *)(uintptr_t)info;

		take_cmdline((mbi[0] & 4) ? (const char *)(uintptr_t)mbi[4] : NULL);
		top = 0x100000 + (uint64_t)mbi[2] * 1024;
	} else if (hvm_boot_kind == HVM_BOOT_PVH || hvm_boot_kind == HVM_BOOT_REAL) {
		const struct hvm_start_info *si = (const void *)(uintptr_t)info;
		const struct hvm_memmap_table_entry *m =
		    (const void *)(uintptr_t)si->memmap_paddr;

		if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
			printk("hvmtest: no hvm_start_info (magic %#x)\n", si->magic);
			poweroff(SHUTDOWN_crash);
		}
		take_cmdline((const char *)(uintptr_t)si->cmdline_paddr);
		for (i = 0; i < si->memmap_entries; i++)
			if (m[i].type == XEN_HVM_MEMMAP_TYPE_RAM && m[i].addr >= 0x100000)
				top = m[i].addr + m[i].size;
	}
	next_free_pfn = 0x100;			/* 1 MiB: the kernel is below */
	free_limit_pfn = top >> PAGE_SHIFT;
	if (free_limit_pfn > 0x40000)
		free_limit_pfn = 0x40000;	/* what head.S maps */
	boot_si.nr_pages = free_limit_pfn;
}

/* Xen's CPUID leaves, then its hypercall page through the MSR they name. */
static void xen_detect(void)
{
	uint32_t r[4];
	char sig[13];

	cpuid(0x40000000, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	if (strcmp(sig, "XenVMMXenVMM") != 0 || r[0] < 0x40000002) {
		printk("hvmtest: not on Xen (CPUID signature '%s')\n", sig);
		poweroff(SHUTDOWN_crash);	/* no hypercalls: this spins */
	}
	cpuid(0x40000002, r);
	wrmsr(r[1], (uint64_t)(uintptr_t)hypercall_page);
}

void hvm_main(unsigned int kind, uint32_t info);
void hvm_main(unsigned int kind, uint32_t info)
{
	uint64_t v;

	hvm_boot_kind = kind;
	console_init();
	pic_mask_all();
	idt_set(0, exc_0);
	idt_set(3, exc_3);
	idt_set(6, exc_6);
	idt_set(8, exc_8);
	idt_set(13, exc_13);
	idt_set(14, exc_14);
	take_memory(info);
	printk("hvmtest: booted via %s, %lu MiB, cmdline '%s'\n",
	    kind < 4 ? boot_names[kind] : "?", boot_si.nr_pages >> 8,
	    (const char *)boot_si.cmd_line);
	xen_detect();
	/* What a PV guest's start_info says, from the HVM params. */
	memcpy(boot_si.magic, "xen-3.0-x86_64-hvm", 19);
	hvm_param_get(HVM_PARAM_STORE_PFN, &v);
	boot_si.store_mfn = v;
	hvm_param_get(HVM_PARAM_STORE_EVTCHN, &v);
	boot_si.store_evtchn = (uint32_t)v;
	hvm_param_get(HVM_PARAM_CONSOLE_PFN, &v);
	boot_si.console.domU.mfn = v;
	hvm_param_get(HVM_PARAM_CONSOLE_EVTCHN, &v);
	boot_si.console.domU.evtchn = (uint32_t)v;
	start_info = &boot_si;
	grant_frames_place();
	suites_run("hvmtest");
}
