/* veth pairs whose second end is born in another network namespace. */
#ifndef NETNS_RUN_VETH_H
#define NETNS_RUN_VETH_H

#include "base/error.h"
#include "nlsock.h"

/* Create host_name in the current network namespace and its peer peer_name directly in the
 * namespace peer_netns_fd, in one RTM_NEWLINK (IFLA_NET_NS_FD on the peer, as `ip link add
 * H type veth peer name P netns N` does).  mtu (0 = default) applies to both ends; peer_mac
 * (NULL = random) to the peer.  Both ends have one TX and one RX queue.  With host_master
 * > 0 the host end is born enslaved to that link (a bridge).  Both ends are left down.  -EEXIST when either name is taken (the message says which one when the host
 * name is the one taken here); -EXFULL when the bridge has no free port. */
int veth_create_peer_in_netns(struct nlsock *s, const char *host_name, unsigned int mtu, int host_master,
			      int peer_netns_fd, const char *peer_name, const char *peer_mac, struct nr_error *err);

#endif
