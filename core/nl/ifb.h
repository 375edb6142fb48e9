/* ifb (intermediate functional block) links: the place a link's ingress traffic is
 * redirected to so that an egress qdisc can shape it. */
#ifndef NETNS_RUN_IFB_H
#define NETNS_RUN_IFB_H

#include <net/if.h>
#include <stdbool.h>

#include "base/error.h"
#include "nlsock.h"

/* Create ifb link name, up or not, with this MTU and transmit queue length (-EEXIST when a
 * link of that name exists); its index into *ret_ifindex.  A qdisc given to a link that is
 * down costs no RCU grace period (the kernel deactivates an up link's queues to graft one
 * and waits for their readers): create it down, add the qdisc, then bring it up. */
int ifb_create(struct nlsock *s, const char *name, unsigned int mtu, unsigned int txqlen, bool up, int *ret_ifindex,
	       struct nr_error *err);

/* What ifb_create copies from another link: its name, MTU and queue length, by index. */
struct link_shape {
	char name[IF_NAMESIZE];
	unsigned int mtu, txqlen;
};
int link_shape_of(struct nlsock *s, int ifindex, struct link_shape *ret, struct nr_error *err);

#endif
