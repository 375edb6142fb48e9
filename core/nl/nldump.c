#include "nldump.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_cleanup.h"

/* nl_addr -> ip_addr; false for anything but a whole IPv4 or IPv6 address. */
static bool to_ip(struct nl_addr *a, struct ip_addr *ret)
{
	int family = a ? nl_addr_get_family(a) : AF_UNSPEC;

	if (family != AF_INET && family != AF_INET6)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->family = family;
	if (nl_addr_get_len(a) != (unsigned int)ip_addr_bytes(ret))
		return false;
	memcpy(ret->bytes, nl_addr_get_binary_addr(a), ip_addr_bytes(ret));
	return true;
}

/* The caller's function for one kind of object, and its argument. */
struct walk {
	union {
		nldump_link_fn link;
		nldump_addr_fn addr;
		nldump_route_fn route;
	} fn;
	void *arg;
};

/* Convert one dumped object and hand it on; 0 also for an object that is skipped. */
typedef int (*visit_fn)(struct nl_object *o, const struct walk *w);
typedef int (*fill_fn)(struct nl_sock *sk, struct nl_cache **ret);

/* Dump one kind of object (fill), then visit each; a non-zero visit stops the walk. */
static int walk(struct nlsock *s, fill_fn fill, const char *what, visit_fn visit, const struct walk *w,
		struct nr_error *err)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	int r;

	nlsock_reset(s);
	if ((r = fill(s->sk, &cache)) < 0)
		return nlsock_error(s, r, err, "%s", what);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
		if ((r = visit(o, w)) != 0)
			return r;
	return 0;
}

static int links_fill(struct nl_sock *sk, struct nl_cache **ret)
{
	return rtnl_link_alloc_cache(sk, AF_UNSPEC, ret);
}

static int link_visit(struct nl_object *o, const struct walk *w)
{
	struct rtnl_link *l = (struct rtnl_link *)o;
	struct nl_addr *hw = rtnl_link_get_addr(l);
	struct nldump_link d = { .ifindex = rtnl_link_get_ifindex(l), .up = rtnl_link_get_flags(l) & IFF_UP };

	snprintf(d.name, sizeof(d.name), "%s", rtnl_link_get_name(l) ? rtnl_link_get_name(l) : "");
	if (hw && nl_addr_get_len(hw) == 6)
		link_mac_format(nl_addr_get_binary_addr(hw), d.mac);
	return w->fn.link(&d, w->arg);
}

int nldump_links(struct nlsock *s, nldump_link_fn fn, void *arg, struct nr_error *err)
{
	struct walk w = { .fn.link = fn, .arg = arg };

	return walk(s, links_fill, "listing links", link_visit, &w, err);
}

static int addrs_fill(struct nl_sock *sk, struct nl_cache **ret)
{
	return rtnl_addr_alloc_cache(sk, ret);
}

static int addr_visit(struct nl_object *o, const struct walk *w)
{
	struct rtnl_addr *a = (struct rtnl_addr *)o;
	struct nldump_addr d = { .ifindex = rtnl_addr_get_ifindex(a),
				 .scope = rtnl_addr_get_scope(a),
				 .flags = rtnl_addr_get_flags(a) };

	if (!to_ip(rtnl_addr_get_local(a), &d.prefix.addr))
		return 0;
	d.prefix.len = rtnl_addr_get_prefixlen(a);
	return w->fn.addr(&d, w->arg);
}

int nldump_addrs(struct nlsock *s, nldump_addr_fn fn, void *arg, struct nr_error *err)
{
	struct walk w = { .fn.addr = fn, .arg = arg };

	return walk(s, addrs_fill, "listing addresses", addr_visit, &w, err);
}

static int routes_fill(struct nl_sock *sk, struct nl_cache **ret)
{
	return rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, ret);
}

static int route_visit(struct nl_object *o, const struct walk *w)
{
	struct rtnl_route *rt = (struct rtnl_route *)o;
	struct nl_addr *dst = rtnl_route_get_dst(rt);
	struct nldump_route d = { .priority = rtnl_route_get_priority(rt), .type = rtnl_route_get_type(rt) };
	struct rtnl_nexthop *nh;

	if (rtnl_route_get_table(rt) != RT_TABLE_MAIN)
		return 0;
	d.dst.addr.family = rtnl_route_get_family(rt);
	if (d.dst.addr.family != AF_INET && d.dst.addr.family != AF_INET6)
		return 0;
	/* A default route's destination is the empty address of its family. */
	if (dst && nl_addr_get_prefixlen(dst) > 0 && !to_ip(dst, &d.dst.addr))
		return 0;
	d.dst.len = dst ? (int)nl_addr_get_prefixlen(dst) : 0;
	if (rtnl_route_get_nnexthops(rt) > 0 && (nh = rtnl_route_nexthop_n(rt, 0))) {
		d.ifindex = rtnl_route_nh_get_ifindex(nh);
		d.has_gw = to_ip(rtnl_route_nh_get_gateway(nh), &d.gw);
	}
	return w->fn.route(&d, w->arg);
}

int nldump_routes(struct nlsock *s, nldump_route_fn fn, void *arg, struct nr_error *err)
{
	struct walk w = { .fn.route = fn, .arg = arg };

	return walk(s, routes_fill, "listing routes", route_visit, &w, err);
}
