/* The agent's view of the underlay: which address is this host's VTEP, on which device,
 * with which MTU. */
#ifndef NETNS_RUN_OVL_AGENT_NET_H
#define NETNS_RUN_OVL_AGENT_NET_H

#include "base/error.h"
#include "base/ipaddr.h"

struct ovl_underlay {
	struct ip_addr addr;
	int ifindex; /* 0: unknown (the kernel routes by the local address) */
	int mtu;     /* the device's; 1500 when unknown */
};

/* underlay: an interface name or an IPv4 address (--opt underlay); NULL: the source address
 * of the route to the store's first member (endpoints as --store writes them). */
int ovl_underlay_find(const char *underlay, const char *endpoints, struct ovl_underlay *ret, struct nr_error *err);

#endif
