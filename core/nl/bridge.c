#include "bridge.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <string.h>

#include "link.h"
#include "nl_cleanup.h"

/* RTM_NEWLINK kind "bridge", by hand: libnl 3.7 cannot set IFLA_BR_VLAN_FILTERING. */
static int bridge_create(struct nlsock *s, const char *name, unsigned int mtu, const unsigned char *mac,
			 bool vlan_filtering, struct nr_error *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	/* Born up: no second message to bring it up. */
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct nlattr *info, *data;
	int r;

	if (!(msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 || nla_put_string(msg, IFLA_IFNAME, name) < 0 ||
	    (mtu && nla_put_u32(msg, IFLA_MTU, mtu) < 0) || (mac && nla_put(msg, IFLA_ADDRESS, 6, mac) < 0) ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) || nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (vlan_filtering) {
		if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)) || nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, 1) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		nla_nest_end(msg, data);
	}
	nla_nest_end(msg, info);
	nlsock_reset(s);
	r = nl_send_sync(s->sk, TAKE_PTR(msg)); /* frees msg */
	if (r < 0 && vlan_filtering && s->last_errno == EOPNOTSUPP)
		return nlsock_error(s, r, err,
				    "creating bridge %s with VLAN filtering (kernel without "
				    "CONFIG_BRIDGE_VLAN_FILTERING?)",
				    name);
	if (r < 0)
		return nlsock_error(s, r, err, "creating bridge %s", name);
	return 0;
}

/* One RTM_GETLINK: 1 when name is a bridge (*ret_ifindex, *ret_up filled), 0 when there is
 * no such link, -EEXIST when it is something else. */
static int bridge_lookup(struct nlsock *s, const char *name, int *ret_ifindex, bool *ret_up, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	const char *kind;
	int r;

	nlsock_reset(s);
	if ((r = rtnl_link_get_kernel(s->sk, 0, name, &l)) < 0) {
		if (s->last_errno == ENODEV || r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV)
			return 0;
		return nlsock_error(s, r, err, "looking up link %s", name);
	}
	kind = rtnl_link_get_type(l);
	if (!kind || strcmp(kind, "bridge") != 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EEXIST, "link %s exists and is not a bridge (it is %s%s)",
				    name, kind ? "a " : "a device without a kind", kind ? kind : "");
	*ret_ifindex = rtnl_link_get_ifindex(l);
	*ret_up = rtnl_link_get_flags(l) & IFF_UP;
	return 1;
}

int bridge_ensure(struct nlsock *s, const char *name, unsigned int mtu, const char *mac, bool vlan_filtering,
		  int *ret_ifindex, struct nr_error *err)
{
	unsigned char bytes[6];
	int r, ifindex = 0;
	bool created = false, up = false;

	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "invalid bridge name \"%s\" (1 to %d characters)", name ? name : "", IFNAMSIZ - 1);
	if (mac && link_mac_parse(mac, bytes) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "invalid MAC address \"%s\" for bridge %s",
				    mac, name);
	/* The common case, a bridge that is there and up, is one round trip. */
	if ((r = bridge_lookup(s, name, &ifindex, &up, err)) < 0)
		return r;
	if (r == 0) {
		r = bridge_create(s, name, mtu, mac ? bytes : NULL, vlan_filtering, err);
		created = r == 0;
		/* Made here (born up) or by someone else since we looked: check what is there. */
		if (r == 0 || r == -EEXIST)
			r = bridge_lookup(s, name, &ifindex, &up, err);
		if (r < 0)
			return r;
		if (r == 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENODEV, "bridge %s vanished while being created",
					    name);
	}
	if (!up && (r = link_set_up(s, name, true, err)) < 0)
		return r;
	if (ret_ifindex)
		*ret_ifindex = ifindex;
	return created;
}

int bridge_port_count(struct nlsock *s, const char *name, struct nr_error *err)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	int r, ifindex, n = 0;

	if ((ifindex = link_index(s, name, err)) < 0)
		return ifindex;
	nlsock_reset(s);
	if ((r = rtnl_link_alloc_cache(s->sk, AF_UNSPEC, &cache)) < 0)
		return nlsock_error(s, r, err, "listing links");
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
		if (rtnl_link_get_master((struct rtnl_link *)o) == ifindex)
			n++;
	return n;
}

int bridge_delete_if_unused(struct nlsock *s, const char *name, struct nr_error *err)
{
	int n = bridge_port_count(s, name, err);

	if (n == -ENODEV) {
		nr_error_clear(err);
		return 0; /* already gone */
	}
	if (n != 0)
		return n < 0 ? n : 0;
	return link_delete(s, name, err) < 0 ? -EBUSY : 1;
}
