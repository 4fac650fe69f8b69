/* SPDX-License-Identifier: GPL-2.0-only */
/* The PV console: a ring in the page start_info names, kicked by an event. */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"

static struct xencons_interface *cons;
static evtchn_port_t cons_port;

void console_init(void)
{
	cons = pfn_to_virt(start_info->console.domU.mfn);
	cons_port = start_info->console.domU.evtchn;
}

static void console_kick(void)
{
	struct evtchn_send send = { .port = cons_port };

	hv_event_channel_op(EVTCHNOP_send, &send);
}

void console_write(const char *s, size_t n)
{
	XENCONS_RING_IDX prod;
	size_t i;

	if (cons == NULL) {
		hv_console_write(s, n);
		return;
	}
	for (i = 0; i < n;) {
		prod = cons->out_prod;
		mb();
		/* Full: let dom0 drain it. */
		if (prod - cons->out_cons >= sizeof(cons->out)) {
			console_kick();
			hv_sched_op(SCHEDOP_yield, NULL);
			continue;
		}
		cons->out[MASK_XENCONS_IDX(prod, cons->out)] = s[i++];
		barrier();
		cons->out_prod = prod + 1;
	}
	mb();
	console_kick();
}

void console_flush(void)
{
	int spins;

	if (cons == NULL)
		return;
	for (spins = 0; spins < 1000 && cons->out_cons != cons->out_prod; spins++) {
		console_kick();
		hv_sched_op(SCHEDOP_yield, NULL);
	}
}

/* Next input character, blocking on the console event; events must be on. */
int console_getc(void)
{
	XENCONS_RING_IDX c;
	char ch;

	for (;;) {
		upcalls_off();
		if (cons->in_cons != cons->in_prod)
			break;
		hv_sched_op(SCHEDOP_block, NULL);	/* turns upcalls back on */
	}
	upcalls_on();
	c = cons->in_cons;
	mb();
	ch = cons->in[MASK_XENCONS_IDX(c, cons->in)];
	mb();
	cons->in_cons = c + 1;
	return (unsigned char)ch;
}

evtchn_port_t console_port(void)
{
	return cons_port;
}
