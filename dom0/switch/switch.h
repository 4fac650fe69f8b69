/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * palswitch, the VLAN switch (switch.c): Ethernet frames in from ports,
 * out to ports, never across VLANs. An access port belongs to one VLAN and
 * carries untagged frames; a trunk port carries IEEE 802.1Q tagged frames
 * of the VLANs it allows. Frames are tagged on their way out to a trunk
 * and untagged on their way in. MAC addresses are learnt per VLAN;
 * broadcast, multicast and unknown destinations are flooded within the
 * VLAN only. A guest's port only lets frames from its own MAC in, and may
 * be rate limited. Every drop is counted by reason.
 */
#ifndef PALISADE_SWITCH_H
#define PALISADE_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_MAX_PORTS	128
#define SW_MAX_VID	4094
#define SW_MAC_SLOTS	8192	/* learnt addresses, all VLANs together */
#define SW_AGE_NS	(300ull * 1000000000ull)
#define SW_MAX_FRAME	1514	/* untagged, no FCS: a 1500-byte MTU */
#define SW_TAG_LEN	4
#define SW_NAME_LEN	32

enum sw_drop {
	SW_DROP_RUNT,		/* shorter than an Ethernet header */
	SW_DROP_GIANT,		/* longer than the MTU allows */
	SW_DROP_TAGGED,		/* a tagged frame on an access port */
	SW_DROP_UNTAGGED,	/* an untagged frame on a trunk */
	SW_DROP_VLAN,		/* a VLAN the trunk does not carry */
	SW_DROP_SPOOF,		/* a source MAC not the port's own */
	SW_DROP_SRC_MCAST,	/* a multicast source MAC */
	SW_DROP_RATE,		/* over the port's rate limit */
	SW_DROP_NONE_OUT,	/* nowhere to go (alone in its VLAN) */
	SW_DROP_MAX
};

struct sw_counters {
	uint64_t in_frames, in_bytes;	/* into the switch from the port */
	uint64_t out_frames, out_bytes;	/* out of the switch to the port */
	uint64_t drops[SW_DROP_MAX];
};

struct sw_port;
/* Hand a frame to what is behind a port; tagged or not as the port is. */
typedef void (*sw_deliver_fn)(struct sw_port *p, const uint8_t *frame, size_t len,
    void *arg);

struct sw_port_cfg {
	char name[SW_NAME_LEN];
	bool trunk;
	uint16_t vlan;			/* access ports: their VLAN (1-4094) */
	const uint16_t *allowed;	/* trunks: the VLANs they carry */
	unsigned int nallowed;
	bool check_mac;			/* only frames from mac come in */
	uint8_t mac[6];
	uint64_t rate_bps;		/* bits a second in, 0: unlimited */
	sw_deliver_fn deliver;
	void *arg;
};

struct sw_port {
	bool used;
	struct sw_port_cfg cfg;
	uint64_t allowed[(SW_MAX_VID + 64) / 64];	/* trunks: bit per VID */
	uint64_t tokens, last_ns;	/* rate limit: a bucket of bits */
	struct sw_counters c;
};

struct sw_mac {
	uint8_t mac[6];
	uint16_t vid;			/* 0: a free slot */
	uint16_t port;
	uint64_t seen_ns;
};

struct sw_switch {
	char name[SW_NAME_LEN];
	struct sw_port port[SW_MAX_PORTS];
	struct sw_mac mac[SW_MAC_SLOTS];
	unsigned int nmacs;
};

void sw_init(struct sw_switch *s, const char *name);
/* A port: its index, or -EINVAL (a bad VLAN, a trunk with none) / -ENOSPC. */
int sw_port_add(struct sw_switch *s, const struct sw_port_cfg *cfg);
/* The port goes, and what was learnt on it. */
void sw_port_remove(struct sw_switch *s, int port);
/* A frame (len bytes, as the port carries it) into the switch from port,
 * at time now (ns): delivered to every port it must reach, or dropped. */
void sw_input(struct sw_switch *s, int port, const uint8_t *frame, size_t len,
    uint64_t now_ns);
/* Where (vid, mac) was learnt: its port, or -1. */
int sw_lookup(const struct sw_switch *s, uint16_t vid, const uint8_t *mac);
const char *sw_drop_name(enum sw_drop d);
/* "10" for an access port, "trunk:10,20" for a trunk. */
void sw_port_vlans(const struct sw_port *p, char *out, size_t n);
/* "10" or "10,20,30": VLAN lists as the config gives them (1-4094 each). */
int sw_parse_vlans(const char *s, uint16_t *out, unsigned int max);

#endif
