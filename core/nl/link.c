#include "link.h"

#include <ctype.h>
#include <errno.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
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

/* What one change request sets.  The request is the current link plus an empty link
 * carrying only what changes (an RTM_NEWLINK/SETLINK by index). */
struct link_chg {
	unsigned int flags_set, flags_unset; /* IFF_* */
	bool set_master, set_mtu, set_txqlen;
	int master;
	unsigned int mtu, txqlen;
	struct nl_addr *addr; /* borrowed; NULL: unchanged */
};

static int link_modify(struct nlsock *s, const char *name, const struct link_chg *c, const char *what,
		       struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	_cleanup_(rtnl_link_putp) struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	if (!(chg = rtnl_link_alloc()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (c->flags_set)
		rtnl_link_set_flags(chg, c->flags_set);
	if (c->flags_unset)
		rtnl_link_unset_flags(chg, c->flags_unset);
	if (c->set_master)
		rtnl_link_set_master(chg, c->master);
	if (c->set_mtu)
		rtnl_link_set_mtu(chg, c->mtu);
	if (c->set_txqlen)
		rtnl_link_set_txqlen(chg, c->txqlen);
	if (c->addr)
		rtnl_link_set_addr(chg, c->addr);
	nlsock_reset(s);
	r = rtnl_link_change(s->sk, cur, chg, 0);
	if (r < 0)
		return nlsock_error(s, r, err, "%s of link %s", what, rtnl_link_get_name(cur));
	return 0;
}

/* What the getters read from one lookup of a link by name. */
struct link_info {
	int ifindex;
	int peer;            /* IFLA_LINK: a veth's peer */
	bool peer_elsewhere; /* IFLA_LINK_NETNSID given: the peer is in another namespace */
	unsigned int flags, mtu, txqlen;
	char kind[32];
	bool has_mac;
	char mac[LINK_MAC_STRLEN];
};

static int link_query(struct nlsock *s, const char *name, struct link_info *ret, struct nr_error *err)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *cur = NULL;
	struct nl_addr *a;
	const char *kind;
	int r;

	if ((r = link_get(s, name, &cur, err)) < 0)
		return r;
	*ret = (struct link_info){ .ifindex = rtnl_link_get_ifindex(cur),
				   .peer = rtnl_link_get_link(cur),
				   .flags = rtnl_link_get_flags(cur),
				   .mtu = rtnl_link_get_mtu(cur),
				   .txqlen = rtnl_link_get_txqlen(cur) };
	int32_t nsid;
	ret->peer_elsewhere = rtnl_link_get_link_netnsid(cur, &nsid) == 0;
	kind = rtnl_link_get_type(cur);
	snprintf(ret->kind, sizeof(ret->kind), "%s", kind ? kind : "");
	a = rtnl_link_get_addr(cur); /* borrowed from cur */
	if ((ret->has_mac = a && nl_addr_get_len(a) == 6))
		link_mac_format(nl_addr_get_binary_addr(a), ret->mac);
	return 0;
}

int link_set_up(struct nlsock *s, const char *name, bool up, struct nr_error *err)
{
	struct link_chg c = { .flags_set = up ? IFF_UP : 0, .flags_unset = up ? 0 : IFF_UP };

	return link_modify(s, name, &c, up ? "setting up" : "setting down", err);
}

int link_is_up(struct nlsock *s, const char *name, bool *ret_up, struct nr_error *err)
{
	struct link_info li;
	int r = link_query(s, name, &li, err);

	if (r == 0)
		*ret_up = (li.flags & IFF_UP) != 0;
	return r;
}

int link_index(struct nlsock *s, const char *name, struct nr_error *err)
{
	struct link_info li;
	int r = link_query(s, name, &li, err);

	return r < 0 ? r : li.ifindex;
}

void link_mac_format(const unsigned char b[6], char buf[LINK_MAC_STRLEN])
{
	snprintf(buf, LINK_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

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
	struct link_chg c = { .set_master = true, .master = master_ifindex };

	return link_modify(s, name, &c, "setting the master", err);
}

int link_set_mtu(struct nlsock *s, const char *name, unsigned int mtu, struct nr_error *err)
{
	struct link_chg c = { .set_mtu = true, .mtu = mtu };
	char what[32];

	snprintf(what, sizeof(what), "setting MTU %u", mtu);
	return link_modify(s, name, &c, what, err);
}

int link_set_mac(struct nlsock *s, const char *name, const char *mac, struct nr_error *err)
{
	_cleanup_(nl_addr_putp) struct nl_addr *a = NULL;
	unsigned char bytes[6];
	struct link_chg c = { 0 };

	if (link_mac_parse(mac, bytes) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "invalid MAC address \"%s\" for link %s",
				    mac ? mac : "", name);
	if (!(a = nl_addr_build(AF_LLC, bytes, sizeof(bytes))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	c.addr = a;
	return link_modify(s, name, &c, "setting the MAC address", err);
}

int link_get_mac(struct nlsock *s, const char *name, char buf[LINK_MAC_STRLEN], struct nr_error *err)
{
	struct link_info li;
	int r;

	if ((r = link_query(s, name, &li, err)) < 0)
		return r;
	if (!li.has_mac)
		return nr_error_set(err, CNI_ERR_INTERNAL, EAFNOSUPPORT, "link %s has no Ethernet address", name);
	memcpy(buf, li.mac, LINK_MAC_STRLEN);
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
	return link_set_flag(s, name, IFF_PROMISC, true, err);
}

int link_set_flag(struct nlsock *s, const char *name, unsigned int flag, bool on, struct nr_error *err)
{
	struct link_chg c = { .flags_set = on ? flag : 0, .flags_unset = on ? 0 : flag };
	char what[48];

	snprintf(what, sizeof(what), "%s flag 0x%x", on ? "setting" : "clearing", flag);
	return link_modify(s, name, &c, what, err);
}

int link_set_txqlen(struct nlsock *s, const char *name, unsigned int qlen, struct nr_error *err)
{
	struct link_chg c = { .set_txqlen = true, .txqlen = qlen };
	char what[48];

	snprintf(what, sizeof(what), "setting txqueuelen %u", qlen);
	return link_modify(s, name, &c, what, err);
}

int link_get_attrs(struct nlsock *s, const char *name, struct link_attrs *ret, struct nr_error *err)
{
	struct link_info li;
	int r;

	if ((r = link_query(s, name, &li, err)) < 0)
		return r;
	*ret = (struct link_attrs){
		.ifindex = li.ifindex, .flags = li.flags, .mtu = li.mtu, .txqlen = li.txqlen, .has_mac = li.has_mac
	};
	if (li.has_mac)
		memcpy(ret->mac, li.mac, LINK_MAC_STRLEN);
	return 0;
}

int link_peer_index(struct nlsock *s, const char *name, int *ret, struct nr_error *err)
{
	struct link_info li;
	int r = link_query(s, name, &li, err);

	if (r == 0)
		*ret = li.peer;
	return r;
}

int link_veth_peer_elsewhere(struct nlsock *s, const char *name, bool *ret, struct nr_error *err)
{
	struct link_info li;
	int r = link_query(s, name, &li, err);

	if (r == 0)
		*ret = !strcmp(li.kind, "veth") && li.peer_elsewhere;
	return r;
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
	struct link_info li;
	int r = link_query(s, name, &li, err);

	if (r == 0)
		snprintf(buf, len, "%s", li.kind);
	return r;
}
