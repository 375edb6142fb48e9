/* Routes in the main table of the current network namespace. */
#ifndef NETNS_RUN_ROUTE_H
#define NETNS_RUN_ROUTE_H

#include <stdbool.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "nlsock.h"

/* Add a unicast route to dst (host bits are ignored: 10.1.0.5/24 means 10.1.0.0/24) out of
 * the link ifindex, via gw when gw is not NULL (scope link without one).  A route that is
 * already there counts as added. */
int route_add(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw,
	      struct nr_error *err);

/* Add or replace (NLM_F_REPLACE) the route to dst via gw out of ifindex with the next hop
 * marked on-link (RTNH_F_ONLINK, `ip route replace DST via GW dev D onlink`): gw need not
 * be on a subnet of the link, as an overlay's per-host gateway SUBNET.0 is not. */
int route_replace_onlink(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw,
			 struct nr_error *err);

/* Delete that route.  A route that is not there counts as deleted. */
int route_del(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw,
	      struct nr_error *err);

/* *ret = whether the main table has a route to dst with a next hop out of ifindex (and via
 * gw when gw is not NULL). */
int route_exists(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw, bool *ret,
		 struct nr_error *err);

#endif
