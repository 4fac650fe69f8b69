/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's wire protocol: the input is a stream of messages (one byte
 * choosing the connection, dom0 or one of two guests, then a header and
 * its payload, the length taken mod what is left), each handed to
 * xs_handle as palstored would. Every reply must be a well-formed message.
 * The same bytes are then read as a journal (length-framed records) and
 * replayed into a fresh store, as palstored does at start.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "fuzz.h"

static void sink(void *opaque, const struct xsd_sockmsg *h, const void *p)
{
	(void)opaque;
	if (h->len > XENSTORE_PAYLOAD_MAX || (h->len > 0 && p == NULL))
		abort();
}

static void as_journal(const uint8_t *data, size_t size)
{
	struct xs_store *s = xs_store_new(NULL);
	uint32_t n;

	while (s != NULL && size >= sizeof(n)) {
		memcpy(&n, data, sizeof(n));
		n %= (uint32_t)(size - sizeof(n) + 1);
		xs_store_apply(s, data + sizeof(n), n);
		data += sizeof(n) + n;
		size -= sizeof(n) + n;
	}
	xs_store_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t domids[3] = { 0, 5, 6 };
	struct xs_store *s = xs_store_new(NULL);
	struct xs_conn *c[3];
	struct xsd_sockmsg h;
	unsigned int i;

	as_journal(data, size);
	if (s == NULL)
		return 0;
	for (i = 0; i < 3; i++)
		c[i] = xs_conn_new(s, domids[i], sink, NULL);
	while (size > sizeof(h)) {
		struct xs_conn *who = c[data[0] % 3];

		memcpy(&h, data + 1, sizeof(h));
		data += 1 + sizeof(h);
		size -= 1 + sizeof(h);
		h.len = size ? h.len % (uint32_t)(size + 1) : 0;
		if (h.type % 4 != 0)		/* mostly types that exist */
			h.type %= XS_TYPE_COUNT;
		if (who != NULL)
			xs_handle(who, &h, data);
		data += h.len;
		size -= h.len;
	}
	for (i = 0; i < 3; i++)
		xs_conn_free(c[i]);
	if (xs_usage_verify(s) < 0)
		abort();	/* the quotas' counts went wrong */
	xs_store_free(s);
	return 0;
}
