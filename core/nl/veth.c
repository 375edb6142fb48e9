#include "veth.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <string.h>
#include <sys/socket.h>

#include "link.h"
#include "nl_cleanup.h"

static bool ifname_valid(const char *name)
{
	/* libnl silently truncates longer names, so check here. */
	return name && *name && strlen(name) < IFNAMSIZ && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

static int veth_eexist(struct nlsock *s, const char *host_name, const char *peer_name, struct nr_error *err)
{
	struct nr_error ignored;

	if (link_index(s, host_name, &ignored) >= 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST, "creating veth %s: link %s already exists",
				    host_name, host_name);
	return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST,
			    "creating veth %s: link %s already exists in the target network namespace", host_name,
			    peer_name);
}

int veth_create_peer_in_netns(struct nlsock *s, const char *host_name, unsigned int mtu, int host_master,
			      int peer_netns_fd, const char *peer_name, const char *peer_mac, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *peer = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *mac = NULL;
	unsigned char bytes[6];
	int r;

	if (!ifname_valid(host_name) || !ifname_valid(peer_name))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "invalid veth name \"%s\" or \"%s\" (1 to %d characters, no '/')",
				    host_name ? host_name : "", peer_name ? peer_name : "", IFNAMSIZ - 1);
	if (peer_mac && link_mac_parse(peer_mac, bytes) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "invalid MAC address \"%s\" for %s", peer_mac,
				    peer_name);
	if (!(link = rtnl_link_veth_alloc()) || !(peer = rtnl_link_veth_get_peer(link)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rtnl_link_set_name(link, host_name);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_ns_fd(peer, peer_netns_fd);
	/* One queue each way, what the kernel ends up with anyway: left unset, each end gets
	 * one per possible CPU and is then trimmed to one active queue, and each trim waits
	 * for an expedited RCU grace period under the RTNL, most of the time a veth creation
	 * takes (figures in docs/benchmarks.md). */
	rtnl_link_set_num_tx_queues(link, 1);
	rtnl_link_set_num_rx_queues(link, 1);
	rtnl_link_set_num_tx_queues(peer, 1);
	rtnl_link_set_num_rx_queues(peer, 1);
	if (mtu) {
		rtnl_link_set_mtu(link, mtu);
		rtnl_link_set_mtu(peer, mtu);
	}
	/* Enslaved in the same message: one round trip fewer per ADD, and a failure to enslave
	 * (a full bridge) undoes the creation in the kernel.  Not up: the caller may want to
	 * configure the port (its IPv6 sysctls) before the kernel brings its stack up. */
	if (host_master > 0)
		rtnl_link_set_master(link, host_master);
	if (peer_mac) {
		if (!(mac = nl_addr_build(AF_LLC, bytes, sizeof(bytes))))
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		rtnl_link_set_addr(peer, mac);
	}
	nlsock_reset(s);
	r = rtnl_link_add(s->sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0 && (s->last_errno == EEXIST || (!s->last_errno && r == -NLE_EXIST)))
		return veth_eexist(s, host_name, peer_name, err);
	if (r < 0)
		return nlsock_error(s, r, err, "creating veth %s with peer %s", host_name, peer_name);
	return 0;
}
