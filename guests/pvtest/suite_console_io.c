/* SPDX-License-Identifier: GPL-2.0-only */
/* Suites that wait on the outside world: idle (block until shut down) and
 * echo (console input, line by line, until "quit"). */
#include "pvtest.h"
#include "arch.h"
#include "hypercall.h"
#include "suites.h"

void suite_idle(void)
{
	events_init();
	my_vcpu_info()->evtchn_upcall_mask = 0;
	printk("idle: blocking until shut down\n");
	for (;;)
		hv_sched_op(SCHEDOP_block, NULL);
}

void suite_echo(void)
{
	char line[128];
	size_t n = 0;
	int c;

	events_init();
	unmask_port(console_port());
	my_vcpu_info()->evtchn_upcall_mask = 0;
	printk("echo: ready\n");
	for (;;) {
		c = console_getc();
		if (c == '\r' || c == '\n') {
			line[n] = 0;
			if (n == 0)
				continue;
			printk("echo: %s\n", line);
			if (strcmp(line, "quit") == 0)
				break;
			n = 0;
		} else if (n < sizeof(line) - 1) {
			line[n++] = (char)c;
		}
	}
	my_vcpu_info()->evtchn_upcall_mask = 1;
	check(1, "console input echoed until quit");
}
