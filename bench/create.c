/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain creation: the time from "create" to the guest's first console
 * line for a 32 MiB guest (build, console attach, unpause, boot, print),
 * and the time per domain to create 1, 10 and 50 small domains, which
 * should stay flat. The limit printed beside them is the raw cost of
 * creating a bare KVM VM with one vCPU in the same run.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../hypervisor/hv.h"
#include "../hypervisor/kvm.h"
#include "../hypervisor/tinyvm.h"
#include "benchlib.h"

struct hv hv;

static double first_line_ms(struct palctl *c)
{
	struct pal_domain pd;
	struct pollfd p;
	double t0 = bench_now(), t;
	char ch;
	int fd;

	bench_domain(c, "first", 32, "suite=console", &pd);
	fd = cons_connect(pd.domid);
	palctl_domid_op(c, CTL_DOMAIN_UNPAUSE, pd.domid, 0);
	p.fd = fd;
	p.events = POLLIN;
	while (poll(&p, 1, 5000) > 0 && read(fd, &ch, 1) == 1 && ch != '\n')
		;
	t = (bench_now() - t0) * 1e3;
	close(fd);
	palctl_domid_op(c, CTL_DOMAIN_DESTROY, pd.domid, 0);
	return t;
}

static double per_domain_ms(struct palctl *c, unsigned int n)
{
	struct pal_domain pd[64];
	char name[32];
	double t0 = bench_now(), t;
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "many%u", i);
		bench_domain(c, name, 16, "suite=idle", &pd[i]);
		palctl_domid_op(c, CTL_DOMAIN_UNPAUSE, pd[i].domid, 0);
	}
	t = (bench_now() - t0) * 1e3 / n;
	for (i = 0; i < n; i++)
		palctl_domid_op(c, CTL_DOMAIN_DESTROY, pd[i].domid, 0);
	return t;
}

static double bare_vm_ms(void)
{
	static const uint8_t hlt[] = { 0xf4 };
	struct tinyvm t;
	double t0 = bench_now();
	int i;

	for (i = 0; i < 20; i++) {
		if (tinyvm_create(&t, hlt, sizeof(hlt)) < 0)
			exit(1);
		tinyvm_destroy(&t);
	}
	return (bench_now() - t0) * 1e3 / 20;
}

int main(void)
{
	double first = 0, bare, m1, m10, m50;
	struct palctl c;
	int i;

	bench_kvm_open();
	bench_connect(&c);
	bare = bare_vm_ms();
	for (i = 0; i < 5; i++)
		first += first_line_ms(&c) / 5;
	m1 = per_domain_ms(&c, 1);
	m10 = per_domain_ms(&c, 10);
	m50 = per_domain_ms(&c, 50);
	printf("bare KVM VM + vCPU (limit):       %8.2f ms\n", bare);
	printf("create to first console line:     %8.2f ms  (32 MiB guest)\n", first);
	printf("per domain, creating 1:           %8.2f ms\n", m1);
	printf("per domain, creating 10:          %8.2f ms\n", m10);
	printf("per domain, creating 50:          %8.2f ms\n", m50);
	printf("ratio: %.2f\n", m50 / m1);
	return 0;
}
