/* Connection tracking entries over raw NETLINK_NETFILTER (ctnetlink) with libmnl. */
#ifndef NETNS_RUN_CONNTRACK_H
#define NETNS_RUN_CONNTRACK_H

#include <stdint.h>

#include "error.h"
#include "ipaddr.h"

/* Delete every entry of family af (AF_INET or AF_INET6) whose original direction goes to
 * protocol proto, destination port port, and destination address dst when dst is not
 * NULL.  *ret_deleted (may be NULL) gets the count.  Entries that vanish meanwhile are
 * fine.  Works in the calling thread's network namespace. */
int conntrack_flush_dport(int af, uint8_t proto, uint16_t port, const struct ip_addr *dst, unsigned *ret_deleted,
			  struct nr_error *err);

#endif
