#include "link.h"

#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <netlink/route/link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "nl_cleanup.h"

static int link_get(struct nlsock *s, const char *name, struct rtnl_link **ret, struct nr_error *err)
{
	int r;

	nlsock_reset(s);
	r = rtnl_link_get_kernel(s->sk, 0, name, ret);
	if (r < 0)
		return nlsock_error(s, r, err, "looking up link %s", name);
	return 0;
}

static int link_change(struct nlsock *s, struct rtnl_link *cur, struct rtnl_link *chg, struct nr_error *err,
		       const char *what)
{
	int r;

	nlsock_reset(s);
	r = rtnl_link_change(s->sk, cur, chg, 0);
	if (r < 0)
		return nlsock_error(s, r, err, "%s of link %s", what, rtnl_link_get_name(cur));
	return 0;
}

/* A change request is the current link plus an empty link carrying only what changes. */
static int link_change_prepare(struct nlsock *s, const char *name, struct rtnl_link **ret_cur,
			       struct rtnl_link **ret_chg, struct nr_error *err)
{
	int r = link_get(s, name, ret_cur, err);

	if (r < 0)
		return r;
	if (!(*ret_chg = rtnl_link_alloc()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}

int link_set_up(struct nlsock *s, const char *name, bool up, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_change_prepare(s, name, &cur, &chg, err)) < 0)
		return r;
	if (up)
		rtnl_link_set_flags(chg, IFF_UP);
	else
		rtnl_link_unset_flags(chg, IFF_UP);
	return link_change(s, cur, chg, err, up ? "setting up" : "setting down");
}

int link_is_up(struct nlsock *s, const char *name, bool *ret_up, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	*ret_up = (rtnl_link_get_flags(cur) & IFF_UP) != 0;
	return 0;
}

int link_index(struct nlsock *s, const char *name, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	return rtnl_link_get_ifindex(cur);
}

/* Apply the attributes set in chg to the link cur (an RTM_NEWLINK/SETLINK by index). */

int link_mac_parse(const char *text, unsigned char ret[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (!text || strlen(text) != 17)
		return -EINVAL;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? text[i] != ':' : !isxdigit((unsigned char)text[i]))
			return -EINVAL;
	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		ret[i] = (unsigned char)b[i];
	return 0;
}

int link_set_master(struct nlsock *s, const char *name, int master_ifindex, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_change_prepare(s, name, &cur, &chg, err)) < 0)
		return r;
	rtnl_link_set_master(chg, master_ifindex);
	return link_change(s, cur, chg, err, "setting the master");
}

int link_set_mtu(struct nlsock *s, const char *name, unsigned int mtu, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *chg = NULL;
	char what[32];
	int r;

	if ((r = link_change_prepare(s, name, &cur, &chg, err)) < 0)
		return r;
	rtnl_link_set_mtu(chg, mtu);
	snprintf(what, sizeof(what), "setting MTU %u", mtu);
	return link_change(s, cur, chg, err, what);
}

int link_set_mac(struct nlsock *s, const char *name, const char *mac, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *chg = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *a = NULL;
	unsigned char bytes[6];
	int r;

	if (link_mac_parse(mac, bytes) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "invalid MAC address \"%s\" for link %s",
				    mac ? mac : "", name);
	if ((r = link_change_prepare(s, name, &cur, &chg, err)) < 0)
		return r;
	if (!(a = nl_addr_build(AF_LLC, bytes, sizeof(bytes))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rtnl_link_set_addr(chg, a);
	return link_change(s, cur, chg, err, "setting the MAC address");
}

int link_get_mac(struct nlsock *s, const char *name, char buf[LINK_MAC_STRLEN], struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	struct nl_addr *a;
	const unsigned char *b;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	a = rtnl_link_get_addr(cur); /* borrowed from cur */
	if (!a || nl_addr_get_len(a) != 6)
		return nr_error_set(err, CNI_ERR_INTERNAL, EAFNOSUPPORT, "link %s has no Ethernet address", name);
	b = nl_addr_get_binary_addr(a);
	snprintf(buf, LINK_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
}

int link_delete(struct nlsock *s, const char *name, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	int r;

	r = link_get(s, name, &cur, err);
	/* Already gone (never made, or deleted by an earlier DEL): that is what was asked. */
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	nlsock_reset(s);
	r = rtnl_link_delete(s->sk, cur);
	if (r < 0 && s->last_errno == ENODEV)
		return 0; /* removed between the lookup and the delete: same as above */
	if (r < 0)
		return nlsock_error(s, r, err, "deleting link %s", name);
	return 0;
}

/* One bridge-port attribute (`bridge link set dev NAME ...`): RTM_SETLINK for AF_BRIDGE
 * with a nested IFLA_PROTINFO.  NLA_F_NESTED matters: without it the kernel reads the
 * attribute as a bare port state. */
static int link_set_brport_u8(struct nlsock *s, const char *name, int attr, uint8_t val, const char *what,
			      struct nr_error *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE };
	struct nlattr *pi;
	int r;

	if ((r = link_index(s, name, err)) < 0)
		return r;
	ifi.ifi_index = r;
	if (!(msg = nlmsg_alloc_simple(RTM_SETLINK, 0)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(pi = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) || nla_put_u8(msg, attr, val) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	nla_nest_end(msg, pi);
	nlsock_reset(s);
	r = nl_send_sync(s->sk, TAKE_PTR(msg)); /* frees msg */
	if (r < 0)
		return nlsock_error(s, r, err, "setting %s on link %s", what, name);
	return 0;
}

int link_set_hairpin(struct nlsock *s, const char *name, bool on, struct nr_error *err)
{
	return link_set_brport_u8(s, name, IFLA_BRPORT_MODE, on ? BRIDGE_MODE_HAIRPIN : BRIDGE_MODE_VEB,
				  on ? "hairpin mode on" : "hairpin mode off", err);
}

int link_set_isolated(struct nlsock *s, const char *name, bool on, struct nr_error *err)
{
	return link_set_brport_u8(s, name, IFLA_BRPORT_ISOLATED, on, on ? "port isolation on" : "port isolation off",
				  err);
}

int link_set_promisc(struct nlsock *s, const char *name, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_change_prepare(s, name, &cur, &chg, err)) < 0)
		return r;
	rtnl_link_set_flags(chg, IFF_PROMISC);
	return link_change(s, cur, chg, err, "setting promiscuous mode");
}

int link_peer_index(struct nlsock *s, const char *name, int *ret, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	int r;

	if ((r = link_get(s, name, &l, err)) < 0)
		return r;
	*ret = rtnl_link_get_link(l);
	return 0;
}

int link_master_of(struct nlsock *s, int ifindex, int *ret, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = NULL;
	int r;

	nlsock_reset(s);
	if ((r = rtnl_link_get_kernel(s->sk, ifindex, NULL, &l)) < 0)
		return nlsock_error(s, r, err, "looking up link with index %d", ifindex);
	*ret = rtnl_link_get_master(l);
	return 0;
}

int link_kind(struct nlsock *s, const char *name, char *buf, size_t len, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	const char *kind;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	kind = rtnl_link_get_type(cur);
	snprintf(buf, len, "%s", kind ? kind : "");
	return 0;
}
