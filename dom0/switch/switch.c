/* SPDX-License-Identifier: GPL-2.0-only */
/* The VLAN switch (switch.h): forwarding, learning, tagging, policing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switch.h"

#define ETH_HLEN 14
#define ETHERTYPE_8021Q 0x8100

static const uint8_t *dst_of(const uint8_t *f) { return f; }
static const uint8_t *src_of(const uint8_t *f) { return f + 6; }
static bool multicast(const uint8_t *mac) { return mac[0] & 1; }

void sw_init(struct sw_switch *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
}

int sw_parse_vlans(const char *s, uint16_t *out, unsigned int max)
{
	unsigned int n = 0;
	const char *p = s;

	while (*p != '\0') {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || v < 1 || v > SW_MAX_VID || n == max || (*end != ',' && *end != '\0'))
			return -EINVAL;
		out[n++] = (uint16_t)v;
		p = *end == ',' ? end + 1 : end;
	}
	return n > 0 ? (int)n : -EINVAL;
}

int sw_port_add(struct sw_switch *s, const struct sw_port_cfg *cfg)
{
	struct sw_port *p;
	unsigned int i;
	int k;

	if (cfg->deliver == NULL || (!cfg->trunk && (cfg->vlan < 1 || cfg->vlan > SW_MAX_VID)) ||
	    (cfg->trunk && cfg->nallowed == 0))
		return -EINVAL;
	for (i = 0; cfg->trunk && i < cfg->nallowed; i++)
		if (cfg->allowed[i] < 1 || cfg->allowed[i] > SW_MAX_VID)
			return -EINVAL;
	for (k = 0; k < SW_MAX_PORTS && s->port[k].used; k++)
		;
	if (k == SW_MAX_PORTS)
		return -ENOSPC;
	p = &s->port[k];
	memset(p, 0, sizeof(*p));
	p->used = true;
	p->cfg = *cfg;
	p->cfg.allowed = NULL;		/* the bitmap is ours; the list was the caller's */
	for (i = 0; cfg->trunk && i < cfg->nallowed; i++)
		p->allowed[cfg->allowed[i] / 64] |= 1ull << (cfg->allowed[i] % 64);
	p->tokens = cfg->rate_bps;	/* a second's worth to start with */
	return k;
}

static unsigned int slot_of(uint16_t vid, const uint8_t *mac)
{
	uint64_t h = vid;
	unsigned int i;

	for (i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 0x100000001b3ull;
	return (unsigned int)(h % SW_MAC_SLOTS);
}

static const struct sw_mac *find(const struct sw_switch *s, uint16_t vid, const uint8_t *mac)
{
	unsigned int i = slot_of(vid, mac), n;

	for (n = 0; n < SW_MAC_SLOTS && s->mac[i].vid != 0; n++, i = (i + 1) % SW_MAC_SLOTS)
		if (s->mac[i].vid == vid && memcmp(s->mac[i].mac, mac, 6) == 0)
			return &s->mac[i];
	return NULL;
}

int sw_lookup(const struct sw_switch *s, uint16_t vid, const uint8_t *mac)
{
	const struct sw_mac *m = find(s, vid, mac);

	return m != NULL ? m->port : -1;
}

/* Open addressing without tombstones: removing rehashes what follows. */
static void forget_slot(struct sw_switch *s, unsigned int i)
{
	unsigned int j;

	s->mac[i].vid = 0;
	s->nmacs--;
	for (j = (i + 1) % SW_MAC_SLOTS; s->mac[j].vid != 0; j = (j + 1) % SW_MAC_SLOTS) {
		struct sw_mac m = s->mac[j];
		unsigned int k = slot_of(m.vid, m.mac);

		s->mac[j].vid = 0;
		while (s->mac[k].vid != 0)
			k = (k + 1) % SW_MAC_SLOTS;
		s->mac[k] = m;
	}
}

static void learn(struct sw_switch *s, uint16_t vid, const uint8_t *mac, int port,
    uint64_t now)
{
	unsigned int i = slot_of(vid, mac), n;

	for (n = 0; n < SW_MAC_SLOTS && s->mac[i].vid != 0; n++, i = (i + 1) % SW_MAC_SLOTS)
		if (s->mac[i].vid == vid && memcmp(s->mac[i].mac, mac, 6) == 0) {
			s->mac[i].port = (uint16_t)port;	/* it may have moved */
			s->mac[i].seen_ns = now;
			return;
		}
	/* Full (three quarters, to keep probes short): nothing more is learnt,
	 * and what is not known is flooded within its VLAN. */
	if (s->nmacs >= SW_MAC_SLOTS * 3 / 4)
		return;
	memcpy(s->mac[i].mac, mac, 6);
	s->mac[i].vid = vid;
	s->mac[i].port = (uint16_t)port;
	s->mac[i].seen_ns = now;
	s->nmacs++;
}

void sw_port_remove(struct sw_switch *s, int port)
{
	unsigned int i;

	if (port < 0 || port >= SW_MAX_PORTS || !s->port[port].used)
		return;
	s->port[port].used = false;
	for (i = 0; i < SW_MAC_SLOTS; i++)
		while (s->mac[i].vid != 0 && s->mac[i].port == port)
			forget_slot(s, i);
}

static bool carries(const struct sw_port *p, uint16_t vid)
{
	return p->cfg.trunk ? (p->allowed[vid / 64] >> (vid % 64)) & 1 : p->cfg.vlan == vid;
}

/* Out of one port: untagged to an access port, tagged to a trunk. */
static void emit(struct sw_port *p, uint16_t vid, const uint8_t *f, size_t len)
{
	uint8_t tagged[SW_MAX_FRAME + SW_TAG_LEN];

	p->c.out_frames++;
	p->c.out_bytes += len;
	if (!p->cfg.trunk) {
		p->cfg.deliver(p, f, len, p->cfg.arg);
		return;
	}
	memcpy(tagged, f, 12);
	tagged[12] = ETHERTYPE_8021Q >> 8;
	tagged[13] = ETHERTYPE_8021Q & 0xff;
	tagged[14] = (uint8_t)(vid >> 8);	/* priority 0, no DEI */
	tagged[15] = (uint8_t)vid;
	memcpy(tagged + 16, f + 12, len - 12);
	p->cfg.deliver(p, tagged, len + SW_TAG_LEN, p->cfg.arg);
}

/* May the port send len more bytes now? A token bucket of one second. */
static bool within_rate(struct sw_port *p, size_t len, uint64_t now)
{
	uint64_t bits = (uint64_t)len * 8, rate = p->cfg.rate_bps;

	if (rate == 0)
		return true;
	if (now > p->last_ns) {
		uint64_t add = (now - p->last_ns) / 1000 * rate / 1000000;

		p->tokens = p->tokens + add > rate ? rate : p->tokens + add;
		p->last_ns = now;
	}
	if (p->tokens < bits)
		return false;
	p->tokens -= bits;
	return true;
}

static void drop(struct sw_port *p, enum sw_drop why)
{
	p->c.drops[why]++;
}

void sw_input(struct sw_switch *s, int port, const uint8_t *frame, size_t len,
    uint64_t now_ns)
{
	uint8_t f[SW_MAX_FRAME];
	const struct sw_mac *m;
	struct sw_port *in;
	bool tagged, sent = false;
	uint16_t vid;
	int out, k;

	if (port < 0 || port >= SW_MAX_PORTS || !s->port[port].used)
		return;
	in = &s->port[port];
	in->c.in_frames++;
	in->c.in_bytes += len;
	if (len < ETH_HLEN)
		return drop(in, SW_DROP_RUNT);
	tagged = frame[12] == (ETHERTYPE_8021Q >> 8) && frame[13] == (ETHERTYPE_8021Q & 0xff);
	if (tagged && len < ETH_HLEN + SW_TAG_LEN)
		return drop(in, SW_DROP_RUNT);
	if (len - (tagged ? SW_TAG_LEN : 0) > SW_MAX_FRAME)
		return drop(in, SW_DROP_GIANT);
	if (in->cfg.trunk) {
		if (!tagged)
			return drop(in, SW_DROP_UNTAGGED);
		vid = (uint16_t)(((frame[14] << 8) | frame[15]) & 0xfff);
		if (vid < 1 || vid > SW_MAX_VID || !carries(in, vid))
			return drop(in, SW_DROP_VLAN);
		memcpy(f, frame, 12);
		memcpy(f + 12, frame + 16, len - 16);
		len -= SW_TAG_LEN;
	} else {
		if (tagged)
			return drop(in, SW_DROP_TAGGED);
		vid = in->cfg.vlan;
		memcpy(f, frame, len);
	}
	if (multicast(src_of(f)))
		return drop(in, SW_DROP_SRC_MCAST);
	if (in->cfg.check_mac && memcmp(src_of(f), in->cfg.mac, 6) != 0)
		return drop(in, SW_DROP_SPOOF);
	if (!within_rate(in, len, now_ns))
		return drop(in, SW_DROP_RATE);
	learn(s, vid, src_of(f), port, now_ns);
	m = multicast(dst_of(f)) ? NULL : find(s, vid, dst_of(f));
	/* Unknown, aged out, or on a port since gone: flooded. */
	out = m != NULL && now_ns - m->seen_ns <= SW_AGE_NS && s->port[m->port].used ?
	    m->port : -1;
	if (out >= 0) {
		if (out != port && carries(&s->port[out], vid)) {
			emit(&s->port[out], vid, f, len);
			sent = true;
		}
	} else {
		for (k = 0; k < SW_MAX_PORTS; k++)
			if (k != port && s->port[k].used && carries(&s->port[k], vid)) {
				emit(&s->port[k], vid, f, len);
				sent = true;
			}
	}
	if (!sent)
		drop(in, SW_DROP_NONE_OUT);
}

const char *sw_drop_name(enum sw_drop d)
{
	static const char *const names[SW_DROP_MAX] = {
		"runt", "giant", "tagged-on-access", "untagged-on-trunk", "vlan-not-allowed",
		"spoofed-mac", "multicast-source", "rate", "no-destination",
	};

	return (unsigned int)d < SW_DROP_MAX ? names[d] : "?";
}

void sw_port_vlans(const struct sw_port *p, char *out, size_t n)
{
	size_t used;
	unsigned int v;

	if (!p->cfg.trunk) {
		snprintf(out, n, "%u", p->cfg.vlan);
		return;
	}
	for (v = 1; v <= SW_MAX_VID && ((p->allowed[v / 64] >> (v % 64)) & 1); v++)
		;
	if (v > SW_MAX_VID) {
		snprintf(out, n, "trunk:all");
		return;
	}
	used = (size_t)snprintf(out, n, "trunk:");
	for (v = 1; v <= SW_MAX_VID && used < n; v++)
		if ((p->allowed[v / 64] >> (v % 64)) & 1)
			used += (size_t)snprintf(out + used, n - used, "%s%u",
			    out[used - 1] == ':' ? "" : ",", v);
}
