/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The devices an HVM guest reaches by port I/O: a 16550A at 0x3f8 that is
 * the domain's console (its bytes go into the console ring palconsoled
 * serves, paced by it; its input comes from there), and the RTC/CMOS at
 * 0x70. Anything
 * else answers as an empty bus does: reads all ones, writes ignored, each
 * port or MMIO page logged once. PIC, PIT and APICs are KVM's.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "palisade/log.h"
#include "hv.h"
#include "hvm.h"
#include <xen/io/console.h>

#define UART_BASE	0x3f8
#define UART_LCR_DLAB	0x80
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_FLUSH_AT	64	/* bytes before palconsoled is told */

static struct xencons_interface *console_ring(struct domain *d)
{
	return d->hvm->console_pfn == 0 ? NULL :
	    gpa_ptr(d, d->hvm->console_pfn << PAGE_SHIFT, PAGE_SIZE);
}

/* Bytes the console ring can take (a ring that claims to hold more than
 * it can is full); with no ring, everything goes to the log alone. */
static uint32_t uart_tx_room(struct domain *d)
{
	struct xencons_interface *ci = console_ring(d);
	XENCONS_RING_IDX used;

	if (ci == NULL)
		return sizeof(ci->out);
	used = __atomic_load_n(&ci->out_prod, __ATOMIC_RELAXED) -
	    __atomic_load_n(&ci->out_cons, __ATOMIC_ACQUIRE);
	return used >= sizeof(ci->out) ? 0 : (uint32_t)(sizeof(ci->out) - used);
}

void hvm_uart_flush(struct domain *d)
{
	d->hvm->uart.unflushed = 0;
	if (d->hvm->console_evtchn != 0)
		evtchn_send(d, d->hvm->console_evtchn);
}

/* The guest may scribble on its own ring: indices are taken as they come,
 * bounded by the mask, and a ring that claims more than it holds is full. */
static void uart_tx(struct domain *d, uint8_t c)
{
	struct xencons_interface *ci = console_ring(d);
	struct hvm_uart *u = &d->hvm->uart;
	XENCONS_RING_IDX prod;

	console_emit(d, (const char *)&c, 1);
	if (ci == NULL)
		return;
	prod = __atomic_load_n(&ci->out_prod, __ATOMIC_RELAXED);
	if (uart_tx_room(d) == 0) {
		u->dropped++;		/* a guest that did not wait for THRE */
	} else {
		ci->out[MASK_XENCONS_IDX(prod, ci->out)] = (char)c;
		__atomic_store_n(&ci->out_prod, prod + 1, __ATOMIC_RELEASE);
		u->unflushed++;
	}
	if (c == '\n' || u->unflushed >= UART_FLUSH_AT)
		hvm_uart_flush(d);
}

static bool uart_rx_ready(struct domain *d)
{
	struct xencons_interface *ci = console_ring(d);

	return ci != NULL && __atomic_load_n(&ci->in_prod, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&ci->in_cons, __ATOMIC_RELAXED);
}

/*
 * The line status as a real UART's: THRE when the FIFO (16 bytes) can be
 * filled, that is when the ring has that much room; TEMT when everything
 * written has been taken by palconsoled. So a guest that waits for TEMT
 * before it powers off loses no output, and one writing faster than the
 * console is read waits instead of losing bytes.
 */
static uint8_t uart_lsr(struct domain *d)
{
	uint32_t room = uart_tx_room(d);
	struct xencons_interface *ci = console_ring(d);
	uint8_t lsr = 0;

	if (d->hvm->uart.unflushed != 0)
		hvm_uart_flush(d);	/* it is waiting on palconsoled */
	if (room >= 16)
		lsr |= UART_LSR_THRE;
	if (room == sizeof(ci->out))
		lsr |= UART_LSR_TEMT;
	return lsr | (uart_rx_ready(d) ? UART_LSR_DR : 0);
}

static uint8_t uart_rx(struct domain *d)
{
	struct xencons_interface *ci = console_ring(d);
	XENCONS_RING_IDX cons;
	uint8_t c;

	if (!uart_rx_ready(d))
		return 0;
	cons = ci->in_cons;
	c = (uint8_t)ci->in[MASK_XENCONS_IDX(cons, ci->in)];
	__atomic_store_n(&ci->in_cons, cons + 1, __ATOMIC_RELEASE);
	if (!uart_rx_ready(d))
		hvm_uart_flush(d);	/* room again for palconsoled */
	return c;
}

static void uart_io(struct domain *d, unsigned int reg, bool in, uint8_t *val)
{
	struct hvm_uart *u = &d->hvm->uart;
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab)
			in ? (void)(*val = u->dll) : (void)(u->dll = *val);
		else if (in)
			*val = uart_rx(d);
		else
			uart_tx(d, *val);
		break;
	case 1:
		if (dlab)
			in ? (void)(*val = u->dlm) : (void)(u->dlm = *val);
		else
			in ? (void)(*val = u->ier) : (void)(u->ier = *val & 0x0f);
		break;
	case 2:		/* IIR: FIFOs on, nothing pending; FCR writes ignored */
		if (in)
			*val = 0xc1;
		break;
	case 3:
		in ? (void)(*val = u->lcr) : (void)(u->lcr = *val);
		break;
	case 4:
		in ? (void)(*val = u->mcr) : (void)(u->mcr = *val & 0x1f);
		break;
	case 5:
		if (in)
			*val = uart_lsr(d);
		break;
	case 6:		/* DCD, DSR, CTS: a cable and someone listening */
		if (in)
			*val = 0xb0;
		break;
	case 7:
		in ? (void)(*val = u->scr) : (void)(u->scr = *val);
		break;
	}
}

static uint8_t bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* CMOS as a BIOS leaves it: the time in BCD, 24-hour, and the memory size. */
static uint8_t rtc_read(struct domain *d, uint8_t index)
{
	uint64_t kb = d->nr_pages * 4;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (index) {
	case 0x00: return bcd((unsigned int)tm.tm_sec);
	case 0x02: return bcd((unsigned int)tm.tm_min);
	case 0x04: return bcd((unsigned int)tm.tm_hour);
	case 0x06: return bcd((unsigned int)tm.tm_wday + 1);
	case 0x07: return bcd((unsigned int)tm.tm_mday);
	case 0x08: return bcd((unsigned int)tm.tm_mon + 1);
	case 0x09: return bcd((unsigned int)tm.tm_year % 100);
	case 0x32: return bcd((unsigned int)(tm.tm_year + 1900) / 100);
	case 0x0a: return 0x26;		/* 32.768 kHz, no update in progress */
	case 0x0b: return 0x02;		/* 24-hour, BCD, no interrupts */
	case 0x0d: return 0x80;		/* battery good */
	case 0x15: return 640 & 0xff;	/* base memory, KiB */
	case 0x16: return 640 >> 8;
	case 0x17: case 0x30:		/* extended memory 1-64 MiB, KiB */
		return (uint8_t)(MIN(kb > 1024 ? kb - 1024 : 0, 0xfc00));
	case 0x18: case 0x31:
		return (uint8_t)(MIN(kb > 1024 ? kb - 1024 : 0, 0xfc00) >> 8);
	case 0x34:			/* above 16 MiB, 64 KiB units */
		return (uint8_t)(kb > 16384 ? (kb - 16384) / 64 : 0);
	case 0x35:
		return (uint8_t)((kb > 16384 ? (kb - 16384) / 64 : 0) >> 8);
	default: return 0;
	}
}

static void unassigned_port(struct vcpu *v, uint16_t port, bool in)
{
	uint8_t *logged = &v->d->hvm->port_logged[port / 8];

	if (*logged & (1u << (port % 8)))
		return;
	*logged |= (uint8_t)(1u << (port % 8));
	gwarn(v->d, "port %#x %s: nothing there (reads all ones)", port,
	    in ? "read" : "write");
}

bool hvm_pio(struct vcpu *v, uint16_t port, bool in, uint8_t *data,
    unsigned int size)
{
	struct domain *d = v->d;

	if (port >= UART_BASE && port < UART_BASE + 8) {
		if (in)
			memset(data, 0, size);
		uart_io(d, port - UART_BASE, in, data);
		return true;
	}
	if (port == 0x70 || port == 0x71) {
		if (port == 0x70 && !in)
			d->hvm->rtc_index = data[0] & 0x7f;	/* bit 7: NMI mask */
		else if (in)
			memset(data, port == 0x71 ? rtc_read(d, d->hvm->rtc_index) :
			    d->hvm->rtc_index, size);
		return true;	/* writes to the clock are ignored */
	}
	if (in)
		memset(data, 0xff, size);
	if (port != 0x80)	/* POST codes and I/O delays are noise */
		unassigned_port(v, port, in);
	return false;
}

void hvm_mmio_unassigned(struct vcpu *v, uint64_t gpa, bool write, uint8_t *data,
    unsigned int len)
{
	struct hvm_dom *h = v->d->hvm;
	uint64_t page = gpa >> PAGE_SHIFT;
	unsigned int i;

	if (!write)
		memset(data, 0xff, MIN(len, 8u));
	for (i = 0; i < h->nr_mmio_logged; i++)
		if (h->mmio_logged[i] == page)
			return;
	if (h->nr_mmio_logged < ARRAY_SIZE(h->mmio_logged))
		h->mmio_logged[h->nr_mmio_logged++] = page;
	gwarn(v->d, "MMIO %s of %u bytes at %#llx: nothing there%s",
	    write ? "write" : "read", len, (unsigned long long)gpa,
	    write ? "" : " (reads all ones)");
}
