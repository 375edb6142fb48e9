#include "addr.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_cleanup.h"

/* The IPv4 broadcast address of p: all host bits set. */
static struct ip_addr addr_broadcast(const struct ip_prefix *p)
{
	struct ip_addr b = p->addr;
	int i;

	for (i = p->len; i < 32; i++)
		b.bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return b;
}

/* An rtnl_addr for p on ifindex, ready for add or delete. */
static int addr_build(int ifindex, const struct ip_prefix *p, bool with_brd, struct rtnl_addr **ret,
		      struct nr_error *err)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *a = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *local = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *brd = NULL;
	int r;

	if (!(a = rtnl_addr_alloc()) ||
	    !(local = nl_addr_build(p->addr.family, p->addr.bytes, ip_addr_bytes(&p->addr))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	nl_addr_set_prefixlen(local, p->len);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, p->addr.family);
	if ((r = rtnl_addr_set_local(a, local)) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "cannot set address: %s", nl_geterror(r));
	rtnl_addr_set_prefixlen(a, p->len);
	if (with_brd && p->addr.family == AF_INET && p->len < 31) {
		struct ip_addr b = addr_broadcast(p);
		if (!(brd = nl_addr_build(AF_INET, b.bytes, 4)))
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		rtnl_addr_set_broadcast(a, brd);
	}
	*ret = TAKE_PTR(a);
	return 0;
}

/* Add (NLM_F_EXCL; already there is success only with ADDR_EXIST_OK) or delete (not
 * there is success). */
static int addr_change(struct nlsock *s, bool add, int ifindex, const struct ip_prefix *p, unsigned int flags,
		       struct nr_error *err)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *a = NULL;
	char text[IP_PREFIX_STRLEN];
	int r;

	if ((r = addr_build(ifindex, p, add, &a, err)) < 0)
		return r;
	if (add && (flags & ADDR_NODAD) && p->addr.family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	nlsock_reset(s);
	r = add ? rtnl_addr_add(s->sk, a, NLM_F_EXCL) : rtnl_addr_delete(s->sk, a, 0);
	/* Already there (add, when the caller allows it), not there any more (delete): that
	 * is what was asked. */
	if (r < 0 && (add ? (flags & ADDR_EXIST_OK) && (s->last_errno == EEXIST || r == -NLE_EXIST)
			  : s->last_errno == EADDRNOTAVAIL))
		return 0;
	if (r < 0)
		return nlsock_error(s, r, err,
				    add ? "adding address %s to link %d" : "removing address %s from link %d",
				    ip_prefix_format(p, text, sizeof(text)), ifindex);
	return 0;
}

int addr_add(struct nlsock *s, int ifindex, const struct ip_prefix *p, unsigned int flags, struct nr_error *err)
{
	return addr_change(s, true, ifindex, p, flags, err);
}

int addr_del(struct nlsock *s, int ifindex, const struct ip_prefix *p, struct nr_error *err)
{
	return addr_change(s, false, ifindex, p, 0, err);
}

/* rtnl_addr -> ip_prefix; -EAFNOSUPPORT for families other than IPv4/IPv6. */
static int addr_to_prefix(struct rtnl_addr *a, struct ip_prefix *ret)
{
	struct nl_addr *local = rtnl_addr_get_local(a); /* borrowed */
	int family = rtnl_addr_get_family(a);

	if (!local || (family != AF_INET && family != AF_INET6))
		return -EAFNOSUPPORT;
	memset(ret, 0, sizeof(*ret));
	ret->addr.family = family;
	if (nl_addr_get_len(local) != (unsigned int)ip_addr_bytes(&ret->addr))
		return -EAFNOSUPPORT;
	memcpy(ret->addr.bytes, nl_addr_get_binary_addr(local), ip_addr_bytes(&ret->addr));
	ret->len = rtnl_addr_get_prefixlen(a);
	return 0;
}

static void strict_dumps(struct nlsock *s, int on)
{
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on));
}

/* The addresses of one interface.  A plain dump returns every address of the namespace:
 * on a host with 1000 containers, 1000+ veth link-local addresses for each bridge ADD.
 * With NETLINK_GET_STRICT_CHK (Linux 4.20) the kernel honours ifa_index and walks that
 * interface only; without it the dump is whole and addr_list() filters. */
static int addr_dump_of(struct nlsock *s, int ifindex, int family, struct nl_cache **ret)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family, .ifa_index = (uint32_t)ifindex };
	struct nl_cache *cache = NULL;
	int r;

	if ((r = nl_cache_alloc_name("route/addr", &cache)) < 0)
		return r;
	strict_dumps(s, 1);
	r = nl_send_simple(s->sk, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	if (r >= 0)
		r = nl_cache_pickup(s->sk, cache);
	strict_dumps(s, 0);
	if (r < 0) {
		nl_cache_free(cache);
		return r;
	}
	*ret = cache;
	return 0;
}

int addr_list(struct nlsock *s, int ifindex, int family, addr_list_fn fn, void *arg, struct nr_error *err)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct nl_object *o;
	int r;

	nlsock_reset(s);
	r = ifindex ? addr_dump_of(s, ifindex, family, &cache) : rtnl_addr_alloc_cache(s->sk, &cache);
	if (r < 0)
		return nlsock_error(s, r, err, "listing addresses");
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct ip_prefix p;

		if (ifindex && rtnl_addr_get_ifindex(a) != ifindex)
			continue;
		if (family != AF_UNSPEC && rtnl_addr_get_family(a) != family)
			continue;
		if (addr_to_prefix(a, &p) < 0)
			continue;
		if ((r = fn(&p, arg)) != 0)
			return r;
	}
	return 0;
}

static int addr_match(const struct ip_prefix *p, void *arg)
{
	const struct ip_prefix *want = arg;

	return p->len == want->len && ip_addr_equal(&p->addr, &want->addr);
}

int addr_exists(struct nlsock *s, int ifindex, const struct ip_prefix *p, struct nr_error *err)
{
	return addr_list(s, ifindex, p->addr.family, addr_match, (void *)p, err);
}
