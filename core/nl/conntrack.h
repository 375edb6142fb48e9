/* Connection tracking entries over raw NETLINK_NETFILTER (ctnetlink) with libmnl. */
#ifndef NETNS_RUN_CONNTRACK_H
#define NETNS_RUN_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"

/* Entries whose original direction goes to protocol proto, destination port port, in
 * family af (0: both), to address dst when dst->family is not 0. */
struct ct_match {
	int af;
	uint8_t proto;
	uint16_t port;
	struct ip_addr dst;
};

/* Delete every entry matching any of m[0..n).  One dump of the table serves them all (the
 * kernel walks its whole, host-wide hash for a dump, so that walk is the cost).
 * *ret_deleted (may be NULL) gets the count; entries that vanish meanwhile are fine.
 * Works in the calling thread's network namespace. */
int conntrack_flush(const struct ct_match *m, size_t n, unsigned *ret_deleted, struct nr_error *err);

#endif
