/* VXLAN links (the data path of overlay networks): create one, read back what it is. */
#ifndef NETNS_RUN_VXLAN_H
#define NETNS_RUN_VXLAN_H

#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "nlsock.h"

struct vxlan_conf {
	uint32_t vni;         /* 0 .. 2^24 - 1 */
	struct ip_addr local; /* the source address of the outer packets (IPv4) */
	uint16_t port;        /* UDP destination port (IANA 4789) */
	unsigned int mtu;     /* 0: the kernel's default (underlay MTU - 50) */
	int underlay_ifindex; /* 0: let the kernel route by the local address */
};

/* Create the link name (down, learning off: entries come from the control plane only).
 * -EEXIST (err filled) when a link of that name exists. */
int vxlan_create(struct nlsock *s, const char *name, const struct vxlan_conf *c, struct nr_error *err);

/* What the VXLAN link name is (mtu and underlay_ifindex too).  -ENODEV when there is no
 * such link, -EMEDIUMTYPE when it is not a VXLAN link. */
int vxlan_get(struct nlsock *s, const char *name, struct vxlan_conf *ret, struct nr_error *err);

#endif
