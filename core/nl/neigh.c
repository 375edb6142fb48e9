#include "neigh.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/route/neighbour.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_cleanup.h"

DEFINE_PTR_CLEANUP(rtnl_neigh_putp, struct rtnl_neigh *, rtnl_neigh_put)

static int addr_from_nl(struct nl_addr *a, struct ip_addr *ret)
{
	int fam = a ? nl_addr_get_family(a) : AF_UNSPEC;
	unsigned int len = a ? nl_addr_get_len(a) : 0;

	if (!((fam == AF_INET && len == 4) || (fam == AF_INET6 && len == 16)))
		return -EAFNOSUPPORT;
	memset(ret, 0, sizeof(*ret));
	ret->family = fam;
	memcpy(ret->bytes, nl_addr_get_binary_addr(a), len);
	return 0;
}

static bool mac_from_nl(struct nl_addr *a, uint8_t ret[6])
{
	if (!a || nl_addr_get_len(a) != 6)
		return false;
	memcpy(ret, nl_addr_get_binary_addr(a), 6);
	return true;
}

/* One neighbour object: family AF_INET/AF_INET6 (ip set) or AF_BRIDGE (an FDB entry,
 * dst as NDA_DST). */
static int neigh_build(int family, int ifindex, const struct ip_addr *ip, const uint8_t *mac, struct rtnl_neigh **ret,
		       struct nr_error *err)
{
	_cleanup_(rtnl_neigh_putp) struct rtnl_neigh *n = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *d = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *ll = NULL;

	if (!(n = rtnl_neigh_alloc()) || (ip && !(d = nl_addr_build(ip->family, ip->bytes, ip_addr_bytes(ip)))) ||
	    (mac && !(ll = nl_addr_build(AF_LLC, mac, 6))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	/* The address first: libnl refuses a destination whose family is not the object's,
	 * and an FDB entry (AF_BRIDGE) has an IPv4 or IPv6 NDA_DST. */
	if (d && rtnl_neigh_set_dst(n, d) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "bad neighbour address");
	rtnl_neigh_set_family(n, family);
	rtnl_neigh_set_ifindex(n, ifindex);
	if (ll)
		rtnl_neigh_set_lladdr(n, ll);
	rtnl_neigh_set_state(n, NUD_PERMANENT);
	if (family == AF_BRIDGE)
		rtnl_neigh_set_flags(n, NTF_SELF);
	*ret = TAKE_PTR(n);
	return 0;
}

static int neigh_change(struct nlsock *s, bool add, int family, int ifindex, const struct ip_addr *ip,
			const uint8_t *mac, const char *what, struct nr_error *err)
{
	_cleanup_(rtnl_neigh_putp) struct rtnl_neigh *n = NULL;
	char a[IP_PREFIX_STRLEN] = "", m[18] = "";
	int r;

	if ((r = neigh_build(family, ifindex, ip, mac, &n, err)) < 0)
		return r;
	nlsock_reset(s);
	/* `replace`: libnl 3.7 adds no NLM_F_CREATE of its own (the VXLAN FDB says ENOENT). */
	r = add ? rtnl_neigh_add(s->sk, n, NLM_F_CREATE | NLM_F_REPLACE) : rtnl_neigh_delete(s->sk, n, 0);
	/* Not there any more: what was asked (ENOENT from neighbours, from the FDB too). */
	if (r < 0 && !add && (s->last_errno == ENOENT || s->last_errno == ESRCH || r == -NLE_OBJ_NOTFOUND))
		return 0;
	if (r < 0) {
		if (ip)
			ip_addr_format(ip, a, sizeof(a));
		if (mac)
			snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
				 mac[5]);
		return nlsock_error(s, r, err, "%s %s %s%s%s on link %d", add ? "setting" : "deleting", what, m,
				    *m && *a ? " " : "", a, ifindex);
	}
	return 0;
}

int neigh_replace(struct nlsock *s, int ifindex, const struct ip_addr *ip, const uint8_t mac[6], struct nr_error *err)
{
	return neigh_change(s, true, ip->family, ifindex, ip, mac, "neighbour", err);
}

int neigh_del(struct nlsock *s, int ifindex, const struct ip_addr *ip, struct nr_error *err)
{
	return neigh_change(s, false, ip->family, ifindex, ip, NULL, "neighbour", err);
}

int fdb_replace(struct nlsock *s, int ifindex, const uint8_t mac[6], const struct ip_addr *dst, struct nr_error *err)
{
	return neigh_change(s, true, AF_BRIDGE, ifindex, dst, mac, "FDB entry", err);
}

int fdb_del(struct nlsock *s, int ifindex, const uint8_t mac[6], const struct ip_addr *dst, struct nr_error *err)
{
	return neigh_change(s, false, AF_BRIDGE, ifindex, dst, mac, "FDB entry", err);
}

/* Every neighbour and FDB entry of the namespace (NL_CACHE_AF_ITER dumps AF_UNSPEC, then
 * AF_BRIDGE: an AF_UNSPEC dump alone has no FDB entries), filtered by the callers. */
static int neigh_dump(struct nlsock *s, struct nl_cache **ret, struct nr_error *err)
{
	int r;

	nlsock_reset(s);
	if ((r = rtnl_neigh_alloc_cache_flags(s->sk, ret, NL_CACHE_AF_ITER)) < 0)
		return nlsock_error(s, r, err, "listing neighbours");
	return 0;
}

int neigh_list(struct nlsock *s, int ifindex, neigh_list_fn fn, void *arg, struct nr_error *err)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct ip_addr ip;
	uint8_t mac[6];
	int r;

	if ((r = neigh_dump(s, &cache, err)) < 0)
		return r;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_neigh *n = (struct rtnl_neigh *)o;
		int fam = rtnl_neigh_get_family(n);

		if ((fam != AF_INET && fam != AF_INET6) || rtnl_neigh_get_ifindex(n) != ifindex ||
		    !(rtnl_neigh_get_state(n) & NUD_PERMANENT) || addr_from_nl(rtnl_neigh_get_dst(n), &ip) < 0 ||
		    !mac_from_nl(rtnl_neigh_get_lladdr(n), mac))
			continue;
		if ((r = fn(&ip, mac, arg)) != 0)
			return r;
	}
	return 0;
}

int fdb_list(struct nlsock *s, int ifindex, fdb_list_fn fn, void *arg, struct nr_error *err)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct ip_addr dst;
	uint8_t mac[6];
	int r;

	if ((r = neigh_dump(s, &cache, err)) < 0)
		return r;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_neigh *n = (struct rtnl_neigh *)o;

		if (rtnl_neigh_get_family(n) != AF_BRIDGE || rtnl_neigh_get_ifindex(n) != ifindex ||
		    addr_from_nl(rtnl_neigh_get_dst(n), &dst) < 0 || !mac_from_nl(rtnl_neigh_get_lladdr(n), mac))
			continue;
		if ((r = fn(mac, &dst, arg)) != 0)
			return r;
	}
	return 0;
}
