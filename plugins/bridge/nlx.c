/* Link operations core/link.h does not offer yet (promiscuous mode, bridge port isolation,
 * veth peer and master lookups).  They belong in core/link.c eventually. */
#include <errno.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/link.h>

#include "br.h"

DEFINE_PTR_CLEANUP(nlx_link_putp, struct rtnl_link *, rtnl_link_put)
DEFINE_PTR_CLEANUP(nlx_msg_freep, struct nl_msg *, nlmsg_free)

static int nlx_get(struct nlsock *s, int ifindex, const char *name, struct rtnl_link **ret, struct nr_error *err)
{
	int r;

	nlsock_reset(s);
	if ((r = rtnl_link_get_kernel(s->sk, ifindex, name, ret)) < 0) {
		if (name)
			return nlsock_error(s, r, err, "looking up link %s", name);
		return nlsock_error(s, r, err, "looking up link with index %d", ifindex);
	}
	return 0;
}

int nlx_set_promisc(struct nlsock *s, const char *name, struct nr_error *err)
{
	_cleanup_(nlx_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(nlx_link_putp) struct rtnl_link *chg = NULL;
	int r;

	if ((r = nlx_get(s, 0, name, &cur, err)) < 0)
		return r;
	if (!(chg = rtnl_link_alloc()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rtnl_link_set_flags(chg, IFF_PROMISC);
	nlsock_reset(s);
	if ((r = rtnl_link_change(s->sk, cur, chg, 0)) < 0)
		return nlsock_error(s, r, err, "setting promiscuous mode on link %s", name);
	return 0;
}

int nlx_set_isolated(struct nlsock *s, const char *name, bool on, struct nr_error *err)
{
	_cleanup_(nlx_msg_freep) struct nl_msg *msg = NULL;
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE };
	struct nlattr *pi;
	int r;

	if ((r = link_index(s, name, err)) < 0)
		return r;
	ifi.ifi_index = r;
	/* `bridge link set dev NAME isolated on`: like hairpin, a nested IFLA_PROTINFO. */
	if (!(msg = nlmsg_alloc_simple(RTM_SETLINK, 0)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(pi = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
	    nla_put_u8(msg, IFLA_BRPORT_ISOLATED, on) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	nla_nest_end(msg, pi);
	nlsock_reset(s);
	if ((r = nl_send_sync(s->sk, TAKE_PTR(msg))) < 0)
		return nlsock_error(s, r, err, "setting port isolation on link %s", name);
	return 0;
}

int nlx_peer_index(struct nlsock *s, const char *name, int *ret, struct nr_error *err)
{
	_cleanup_(nlx_link_putp) struct rtnl_link *l = NULL;
	int r;

	if ((r = nlx_get(s, 0, name, &l, err)) < 0)
		return r;
	*ret = rtnl_link_get_link(l);
	return 0;
}

int nlx_master_of(struct nlsock *s, int ifindex, int *ret, struct nr_error *err)
{
	_cleanup_(nlx_link_putp) struct rtnl_link *l = NULL;
	int r;

	if ((r = nlx_get(s, ifindex, NULL, &l, err)) < 0)
		return r;
	*ret = rtnl_link_get_master(l);
	return 0;
}
