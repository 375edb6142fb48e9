#include "route.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_cleanup.h"

/* "10.1.0.0/16 via 10.0.0.1 dev 3" for messages. */
static const char *route_describe(int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw, char *buf,
				  size_t len)
{
	struct ip_prefix net = ip_prefix_network(dst);
	char d[IP_PREFIX_STRLEN], g[IP_PREFIX_STRLEN];

	ip_prefix_format(&net, d, sizeof(d));
	if (gw)
		snprintf(buf, len, "%s via %s on link %d", d, ip_addr_format(gw, g, sizeof(g)), ifindex);
	else
		snprintf(buf, len, "%s on link %d", d, ifindex);
	return buf;
}

static int route_build(int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw, struct rtnl_route **ret,
		       struct nr_error *err)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = NULL;
	_cleanup_(rtnl_nexthop_freep) struct rtnl_nexthop *nh = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *d = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *g = NULL;
	struct ip_prefix net = ip_prefix_network(dst);
	int r;

	if (gw && gw->family != dst->addr.family)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "route gateway and destination differ in family");
	if (!(rt = rtnl_route_alloc()) || !(nh = rtnl_route_nh_alloc()) ||
	    !(d = nl_addr_build(net.addr.family, net.addr.bytes, ip_addr_bytes(&net.addr))) ||
	    (gw && !(g = nl_addr_build(gw->family, gw->bytes, ip_addr_bytes(gw)))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	nl_addr_set_prefixlen(d, net.len);
	rtnl_route_set_family(rt, net.addr.family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_protocol(rt, RTPROT_BOOT);
	rtnl_route_set_scope(rt, gw || net.addr.family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if ((r = rtnl_route_set_dst(rt, d)) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "cannot set route destination: %s", nl_geterror(r));
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (g)
		rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_add_nexthop(rt, TAKE_PTR(nh)); /* rt owns it now */
	*ret = TAKE_PTR(rt);
	return 0;
}

/* Add (NLM_F_EXCL; already there is success) or delete (not there is success). */
static int route_change(struct nlsock *s, bool add, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw,
			struct nr_error *err)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = NULL;
	char text[128];
	int r;

	if ((r = route_build(ifindex, dst, gw, &rt, err)) < 0)
		return r;
	nlsock_reset(s);
	r = add ? rtnl_route_add(s->sk, rt, NLM_F_EXCL) : rtnl_route_delete(s->sk, rt, 0);
	/* Already there (add), not there any more (delete): that is what was asked. */
	if (r < 0 && (add ? s->last_errno == EEXIST || (!s->last_errno && r == -NLE_EXIST) : s->last_errno == ESRCH))
		return 0;
	if (r < 0)
		return nlsock_error(s, r, err, "%s route %s", add ? "adding" : "deleting",
				    route_describe(ifindex, dst, gw, text, sizeof(text)));
	return 0;
}

int route_add(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw,
	      struct nr_error *err)
{
	return route_change(s, true, ifindex, dst, gw, err);
}

int route_del(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw,
	      struct nr_error *err)
{
	return route_change(s, false, ifindex, dst, gw, err);
}

int route_replace_onlink(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw,
			 struct nr_error *err)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = NULL;
	char text[128];
	int r;

	if ((r = route_build(ifindex, dst, gw, &rt, err)) < 0)
		return r;
	rtnl_route_nh_set_flags(rtnl_route_nexthop_n(rt, 0), RTNH_F_ONLINK);
	nlsock_reset(s);
	if ((r = rtnl_route_add(s->sk, rt, NLM_F_REPLACE)) < 0)
		return nlsock_error(s, r, err, "replacing route %s onlink",
				    route_describe(ifindex, dst, gw, text, sizeof(text)));
	return 0;
}

static bool nl_addr_is(struct nl_addr *a, const struct ip_addr *want)
{
	return a && nl_addr_get_family(a) == want->family && nl_addr_get_len(a) == (unsigned int)ip_addr_bytes(want) &&
	       memcmp(nl_addr_get_binary_addr(a), want->bytes, ip_addr_bytes(want)) == 0;
}

/* Whether rt (from a dump) is the route dst [via gw] out of ifindex. */
static bool route_matches(struct rtnl_route *rt, int ifindex, const struct ip_prefix *net, const struct ip_addr *gw)
{
	struct nl_addr *d = rtnl_route_get_dst(rt);
	int i, n;

	if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || rtnl_route_get_type(rt) != RTN_UNICAST)
		return false;
	if (!d || (int)nl_addr_get_prefixlen(d) != net->len)
		return false;
	/* A default route comes back without RTA_DST: an empty address. */
	if (net->len > 0 && !nl_addr_is(d, &net->addr))
		return false;
	n = rtnl_route_get_nnexthops(rt);
	for (i = 0; i < n; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, i);
		if (rtnl_route_nh_get_ifindex(nh) != ifindex)
			continue;
		if (!gw || nl_addr_is(rtnl_route_nh_get_gateway(nh), gw))
			return true;
	}
	return false;
}

int route_exists(struct nlsock *s, int ifindex, const struct ip_prefix *dst, const struct ip_addr *gw, bool *ret,
		 struct nr_error *err)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct ip_prefix net = ip_prefix_network(dst);
	struct nl_object *o;
	int r;

	nlsock_reset(s);
	r = rtnl_route_alloc_cache(s->sk, net.addr.family, 0, &cache);
	if (r < 0)
		return nlsock_error(s, r, err, "listing routes");
	*ret = false;
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
		if (route_matches((struct rtnl_route *)o, ifindex, &net, gw)) {
			*ret = true;
			break;
		}
	return 0;
}
