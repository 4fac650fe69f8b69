/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy manager and the cost of its decisions, with a hosting-sized
 * policy: 1000 customers, each its own VM label, STE type and Chinese Wall
 * type, 100 conflict sets of competitors, a resource label each, and dom0
 * holding every STE type.
 *  - Compile time, against what libxml2 itself takes to parse and validate
 *    the same XML (the floor: a compiler that only checked the schema).
 *  - The hook decision (an event send between two customers' domains and
 *    a disk check) under that policy, against the same hook under the
 *    dummy module in the same run.
 * ratio: the worst of compile / (parse + validate) and acm / dummy.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "dom0/policy/policy.h"
#include "xsm/xsm.h"
#include "benchlib.h"

#define CUSTOMERS 1000
#define SETS 100
#define ROUNDS 5

extern const unsigned char policy_xsd[];
extern const unsigned int policy_xsd_len;

static char *xml;
static size_t xml_len;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...)
{
	static size_t cap;
	va_list ap;
	int n;

	if (xml_len + 512 > cap) {
		cap = cap ? cap * 2 : 1 << 20;
		if ((xml = realloc(xml, cap)) == NULL)
			exit(1);
	}
	va_start(ap, fmt);
	n = vsnprintf(xml + xml_len, cap - xml_len, fmt, ap);
	va_end(ap);
	xml_len += (size_t)n;
}

static void make_policy(void)
{
	int i, s;

	put("<?xml version=\"1.0\"?>\n<SecurityPolicyDefinition xmlns=\"http://www.ibm.com\">\n"
	    "<PolicyHeader><PolicyName>big</PolicyName><Version>1.0</Version></PolicyHeader>\n"
	    "<SimpleTypeEnforcement><SimpleTypeEnforcementTypes>\n<Type>sys</Type>\n");
	for (i = 0; i < CUSTOMERS; i++)
		put("<Type>customer-%d</Type>\n", i);
	put("</SimpleTypeEnforcementTypes></SimpleTypeEnforcement>\n"
	    "<ChineseWall><ChineseWallTypes>\n");
	for (i = 0; i < CUSTOMERS; i++)
		put("<Type>cw-%d</Type>\n", i);
	put("</ChineseWallTypes><ConflictSets>\n");
	for (s = 0; s < SETS; s++) {
		put("<Conflict name=\"market-%d\">", s);
		for (i = s; i < CUSTOMERS; i += SETS * 2)
			put("<Type>cw-%d</Type>", i);
		put("</Conflict>\n");
	}
	put("</ConflictSets></ChineseWall>\n<SecurityLabelTemplate>\n"
	    "<SubjectLabels bootstrap=\"dom0\">\n<VirtualMachineLabel><Name>dom0</Name>"
	    "<SimpleTypeEnforcementTypes><Type>sys</Type>");
	for (i = 0; i < CUSTOMERS; i++)
		put("<Type>customer-%d</Type>", i);
	put("</SimpleTypeEnforcementTypes></VirtualMachineLabel>\n");
	for (i = 0; i < CUSTOMERS; i++)
		put("<VirtualMachineLabel><Name>vm-%d</Name><SimpleTypeEnforcementTypes>"
		    "<Type>customer-%d</Type></SimpleTypeEnforcementTypes><ChineseWallTypes>"
		    "<Type>cw-%d</Type></ChineseWallTypes></VirtualMachineLabel>\n", i, i, i);
	put("</SubjectLabels>\n<ObjectLabels>\n");
	for (i = 0; i < CUSTOMERS; i++)
		put("<ResourceLabel><Name>disk-%d</Name><SimpleTypeEnforcementTypes>"
		    "<Type>customer-%d</Type></SimpleTypeEnforcementTypes></ResourceLabel>\n", i, i);
	put("</ObjectLabels>\n</SecurityLabelTemplate>\n</SecurityPolicyDefinition>\n");
}

/* libxml2 alone: parse and validate against the schema. */
static double parse_validate(void)
{
	static xmlSchemaPtr schema;
	double t0 = bench_now();
	xmlSchemaValidCtxtPtr vc;
	xmlDocPtr doc;

	if (schema == NULL) {
		xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt((const char *)policy_xsd,
		    (int)policy_xsd_len);

		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
		t0 = bench_now();
	}
	doc = xmlReadMemory(xml, (int)xml_len, "big.xml", NULL, XML_PARSE_NONET);
	vc = xmlSchemaNewValidCtxt(schema);
	if (doc == NULL || vc == NULL || xmlSchemaValidateDoc(vc, doc) != 0) {
		fprintf(stderr, "bench: the generated policy does not validate\n");
		exit(1);
	}
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	return bench_now() - t0;
}

static double compile_once(void **bin, size_t *len)
{
	char err[1024];
	double t0 = bench_now();

	*bin = policy_compile("big.xml", xml, xml_len, len, err, sizeof(err));
	if (*bin == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return bench_now() - t0;
}

/* ns per decision of hook by a on b. */
static double decide(enum xsm_hook h, struct xsm_dom *a, struct xsm_dom *b, long n)
{
	double t0 = bench_now();
	long i;
	int bad = 0;

	for (i = 0; i < n; i++)
		bad |= xsm_check(h, a, b);
	if (bad != 0) {
		fprintf(stderr, "bench: a decision was a denial\n");
		exit(1);
	}
	return (bench_now() - t0) / (double)n * 1e9;
}

int main(void)
{
	double pv[ROUNDS], comp[ROUNDS], dummy[ROUNDS], acm[ROUNDS], ddisk[ROUNDS];
	double adisk[ROUNDS], p, c, d, a, dd, ad, r1, r2, r3;
	struct xsm_dom x = XSM_DOM_INIT(7, false), y = XSM_DOM_INIT(8, false);
	struct xsm_dom disk = XSM_DOM_INIT(XSM_NO_TARGET, false);
	char err[1024];
	size_t len = 0;
	void *bin = NULL;
	int i;

	make_policy();
	parse_validate();		/* the schema, once: the compiler caches it too */
	for (i = 0; i < ROUNDS; i++) {
		pv[i] = parse_validate();
		free(bin);
		comp[i] = compile_once(&bin, &len);
	}
	p = bench_median(pv, ROUNDS);
	c = bench_median(comp, ROUNDS);
	xsm_init(NULL, NULL);
	/* Two labels that share a type: the last customer's domain serves the
	 * first's (so both must be scanned for), and its disk. */
	strcpy(x.label, "vm-999");
	strcpy(y.label, "vm-999");
	strcpy(disk.label, "disk-999");
	disk.resource = "file:/img/customer-999.img";
	xsm_dom_register(&x);
	xsm_dom_register(&y);
	for (i = 0; i < ROUNDS; i++) {
		acm_unload();
		dummy[i] = decide(XSM_EVTCHN_SEND, &x, &y, 400000);
		ddisk[i] = decide(XSM_RESOURCE_DISK, &x, &disk, 400000);
		if (acm_load(bin, len, 0, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		acm[i] = decide(XSM_EVTCHN_SEND, &x, &y, 400000);
		adisk[i] = decide(XSM_RESOURCE_DISK, &x, &disk, 400000);
	}
	d = bench_median(dummy, ROUNDS);
	a = bench_median(acm, ROUNDS);
	dd = bench_median(ddisk, ROUNDS);
	ad = bench_median(adisk, ROUNDS);
	r1 = c / p;
	r2 = a / d;
	r3 = ad / dd;
	printf("policy: %d VM labels, %d resource labels, %d STE and %d CW types, %d conflict "
	    "sets; %zu bytes of XML, %zu of binary\n", CUSTOMERS + 1, CUSTOMERS, CUSTOMERS + 1,
	    CUSTOMERS, SETS, xml_len, len);
	printf("libxml2 parse + validate (limit): %8.1f ms\n", p * 1e3);
	printf("pal policy compile:               %8.1f ms  (%.2fx)\n", c * 1e3, r1);
	printf("event send decision, dummy (limit): %6.1f ns\n", d);
	printf("event send decision, acm:           %6.1f ns  (%.2fx)\n", a, r2);
	printf("disk decision, dummy (limit):       %6.1f ns\n", dd);
	printf("disk decision, acm (label lookup):  %6.1f ns  (%.2fx)\n", ad, r3);
	printf("ratio: %.2f\n", r1 > r2 ? r1 > r3 ? r1 : r3 : r2 > r3 ? r2 : r3);
	xsm_dom_unregister(&x);
	xsm_dom_unregister(&y);
	acm_unload();
	free(bin);
	free(xml);
	return 0;
}
