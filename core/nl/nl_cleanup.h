/* Cleanup attributes for the netlink wing's library objects (libnl, libmnl): one
 * definition each, for every file of the wing and its callers. */
#ifndef NETNS_RUN_NL_CLEANUP_H
#define NETNS_RUN_NL_CLEANUP_H

#include <libmnl/libmnl.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "base/cleanup.h"

DEFINE_PTR_CLEANUP(nl_addr_putp, struct nl_addr *, nl_addr_put)
DEFINE_PTR_CLEANUP(nl_cache_freep, struct nl_cache *, nl_cache_free)
DEFINE_PTR_CLEANUP(nlmsg_freep, struct nl_msg *, nlmsg_free)
DEFINE_PTR_CLEANUP(rtnl_link_putp, struct rtnl_link *, rtnl_link_put)
DEFINE_PTR_CLEANUP(rtnl_addr_putp, struct rtnl_addr *, rtnl_addr_put)
DEFINE_PTR_CLEANUP(rtnl_route_putp, struct rtnl_route *, rtnl_route_put)
DEFINE_PTR_CLEANUP(rtnl_nexthop_freep, struct rtnl_nexthop *, rtnl_route_nh_free)
DEFINE_PTR_CLEANUP(mnl_closep, struct mnl_socket *, mnl_socket_close)

#endif
