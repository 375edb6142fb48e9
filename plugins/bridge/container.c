/* The container side: everything here runs inside the container's network namespace
 * (netns_run), on the interface CNI_IFNAME. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "br.h"
#include "nl/addr.h"
#include "nl/link_unlist.h"
#include "nl/netns.h"
#include "nl/route.h"
#include "nl/sysctl.h"

struct ctr_op {
	const char *ifname;
	const struct br_conf *conf;
	const struct cni_result *res;
	bool ret_exists;
	char ret_mac[LINK_MAC_STRLEN];
	struct ip_prefix *ret_addrs;
	size_t ret_n;
	int ret_peer;
	const int *linger;
	size_t n_linger;
};

static bool has_family(const struct cni_result *res, int family)
{
	struct ip_prefix p;

	for (size_t i = 0; i < res->n_ips; i++)
		if (ip_prefix_parse(res->ips[i].address, &p) == 0 && p.addr.family == family)
			return true;
	return false;
}

/* An IPv4-only network whose gateway is the host (docker0-style): the container's
 * interface gets no IPv6 at all, as Docker does for networks without IPv6 (moby
 * 57dd567).  Its link-local address would reach nothing beyond the bridge, and bringing it
 * up sends router solicitations and MLD reports that the bridge floods to every port
 * (at 1000 containers, 4 ms of every ADD).  Without IPAM addresses, or with an outside
 * router (isGateway false) that may hand out addresses by SLAAC, it stays as the kernel
 * makes it, as in the reference. */
static bool ipv4_only_gateway_net(const struct ctr_op *op)
{
	return op->conf->is_gw && op->res && has_family(op->res, AF_INET) && !has_family(op->res, AF_INET6);
}

/* Written before any address and before the link is up: disable_ipv6 decides whether
 * the kernel starts IPv6 on it at all, accept_dad whether the first IPv6 address is
 * tentative. */
static int set_sysctls(const struct ctr_op *op, struct nr_error *err)
{
	bool v6 = op->res && has_family(op->res, AF_INET6);
	int r;

	if ((v6 || ipv4_only_gateway_net(op)) &&
	    (r = sysctl_absent_ok(sysctl_if_write(AF_INET6, op->ifname, "disable_ipv6", v6 ? "0" : "1", err), err)) < 0)
		return r;
	if ((r = sysctl_absent_ok(sysctl_set_accept_dad(op->ifname, op->conf->enable_dad ? 1 : 0, err), err)) < 0)
		return r;
	return sysctl_set_arp_notify(op->ifname, true, err);
}

static int add_addrs(struct nlsock *s, int ifindex, const struct ctr_op *op, struct nr_error *err)
{
	unsigned int flags = op->conf->enable_dad ? 0 : ADDR_NODAD;
	struct ip_prefix p;
	int r;

	for (size_t i = 0; i < op->res->n_ips; i++) {
		if (ip_prefix_parse(op->res->ips[i].address, &p) < 0)
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "invalid address %s", op->res->ips[i].address);
		if ((r = addr_add(s, ifindex, &p, flags, err)) < 0)
			return nr_error_wrap(err, r, "adding %s to %s", op->res->ips[i].address, op->ifname);
	}
	return 0;
}

/* The first gateway of a family among the IPs: the next hop of routes that name none. */
static bool family_gateway(const struct cni_result *res, int family, struct ip_addr *ret)
{
	for (size_t i = 0; i < res->n_ips; i++)
		if (res->ips[i].gateway && ip_addr_parse(res->ips[i].gateway, ret) == 0 && ret->family == family)
			return true;
	return false;
}

static int add_routes(struct nlsock *s, int ifindex, const struct ctr_op *op, struct nr_error *err)
{
	struct ip_prefix dst;
	struct ip_addr gw;
	bool have_gw;
	int r;

	for (size_t i = 0; i < op->res->n_routes; i++) {
		const struct cni_route *rt = &op->res->routes[i];

		if (ip_prefix_parse(rt->dst, &dst) < 0)
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "invalid route destination %s", rt->dst);
		have_gw = rt->gw ? ip_addr_parse(rt->gw, &gw) == 0 : family_gateway(op->res, dst.addr.family, &gw);
		if ((r = route_add(s, ifindex, &dst, have_gw ? &gw : NULL, err)) < 0)
			return nr_error_wrap(err, r, "adding route to %s in the container", rt->dst);
	}
	return 0;
}

static int configure_fn(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct ctr_op *op = arg;
	int r, ifindex;

	if ((r = nlsock_open(&s, err)) < 0 || (r = set_sysctls(op, err)) < 0)
		return r;
	if (op->conf->disable_ctr_iface)
		return 0;
	if ((ifindex = link_index(s, op->ifname, err)) < 0)
		return ifindex;
	if (op->res && (r = add_addrs(s, ifindex, op, err)) < 0)
		return r;
	/* Up before the routes: a route through a down link is refused. */
	if ((r = link_set_up(s, op->ifname, true, err)) < 0)
		return r;
	return op->res ? add_routes(s, ifindex, op, err) : 0;
}

int br_ctr_configure(int nsfd, const char *ifname, const struct br_conf *c, const struct cni_result *res,
		     struct nr_error *err)
{
	struct ctr_op op = { .ifname = ifname, .conf = c, .res = res };

	return netns_run(nsfd, configure_fn, &op, err);
}

static int exists_fn(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct ctr_op *op = arg;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	op->ret_exists = link_index(s, op->ifname, NULL) >= 0;
	return 0;
}

int br_ctr_exists(int nsfd, const char *ifname, bool *ret, struct nr_error *err)
{
	struct ctr_op op = { .ifname = ifname };
	int r = netns_run(nsfd, exists_fn, &op, err);

	*ret = op.ret_exists;
	return r;
}

static int mac_fn(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct ctr_op *op = arg;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	return link_get_mac(s, op->ifname, op->ret_mac, err);
}

int br_ctr_mac(int nsfd, const char *ifname, char mac[LINK_MAC_STRLEN], struct nr_error *err)
{
	struct ctr_op op = { .ifname = ifname };
	int r = netns_run(nsfd, mac_fn, &op, err);

	memcpy(mac, op.ret_mac, LINK_MAC_STRLEN);
	return r;
}

/* Global addresses only: link-local ones are never masqueraded. */
static int collect_addr(const struct ip_prefix *p, void *arg)
{
	struct ctr_op *op = arg;
	struct ip_prefix *n;

	if (p->addr.family == AF_INET6 && p->addr.bytes[0] == 0xfe && (p->addr.bytes[1] & 0xc0) == 0x80)
		return 0;
	if (!(n = realloc(op->ret_addrs, (op->ret_n + 1) * sizeof(*n))))
		return -ENOMEM;
	n[op->ret_n++] = *p;
	op->ret_addrs = n;
	return 0;
}

/* A link already gone is success. */
static int delete_fn(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct ctr_op *op = arg;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	return link_delete_unlisted(s, op->ifname, op->linger, op->n_linger, err);
}

static int addrs_fn(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct ctr_op *op = arg;
	int r, ifindex;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if ((ifindex = link_index(s, op->ifname, err)) == -ENODEV) {
		nr_error_clear(err);
		return 0;
	}
	if (ifindex < 0)
		return ifindex;
	r = addr_list(s, ifindex, AF_UNSPEC, collect_addr, op, err);
	if (r == -ENOMEM)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return r;
}

int br_ctr_addrs(int nsfd, const char *ifname, struct ip_prefix **ret_addrs, size_t *ret_n, struct nr_error *err)
{
	struct ctr_op op = { .ifname = ifname };
	int r = netns_run(nsfd, addrs_fn, &op, err);

	if (r < 0) {
		free(op.ret_addrs);
		return r;
	}
	*ret_addrs = op.ret_addrs;
	*ret_n = op.ret_n;
	return 0;
}

int br_ctr_delete(int nsfd, const char *ifname, const int *linger, size_t n_linger, struct nr_error *err)
{
	struct ctr_op op = { .ifname = ifname, .linger = linger, .n_linger = n_linger };

	return netns_run(nsfd, delete_fn, &op, err);
}

/* Whether prevResult's ip i belongs to our interface (or names no interface). */
static bool ip_is_ours(const struct cni_result *prev, size_t i, const char *ifname)
{
	int idx = prev->ips[i].iface;

	if (idx < 0 || (size_t)idx >= prev->n_ifaces)
		return true;
	return prev->ifaces[idx].sandbox && strcmp(prev->ifaces[idx].name, ifname) == 0;
}

/* Every prevResult route is in the main table, out of our interface (via its gateway when
 * it names one). */
static int check_routes(struct nlsock *s, int ifindex, const struct ctr_op *op, struct nr_error *err)
{
	for (size_t i = 0; i < op->res->n_routes; i++) {
		const struct cni_route *rt = &op->res->routes[i];
		struct ip_prefix dst;
		struct ip_addr gw;
		bool ok = false;
		int r;

		if (ip_prefix_parse(rt->dst, &dst) < 0 || (rt->gw && ip_addr_parse(rt->gw, &gw) < 0))
			continue;
		if ((r = route_exists(s, ifindex, &dst, rt->gw ? &gw : NULL, &ok, err)) < 0)
			return r;
		if (!ok)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT, "%s has no route to %s%s%s", op->ifname,
					    rt->dst, rt->gw ? " via " : "", rt->gw ? rt->gw : "");
	}
	return 0;
}

static int check_fn(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct ctr_op *op = arg;
	struct ip_prefix p;
	char kind[32];
	int r, ifindex;

	if ((r = nlsock_open(&s, err)) < 0 || (r = link_kind(s, op->ifname, kind, sizeof(kind), err)) < 0)
		return r;
	if (strcmp(kind, "veth") != 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "%s is a %s, not a veth", op->ifname,
				    *kind ? kind : "device");
	if ((ifindex = link_index(s, op->ifname, err)) < 0 ||
	    (r = link_peer_index(s, op->ifname, &op->ret_peer, err)) < 0)
		return ifindex < 0 ? ifindex : r;
	for (size_t i = 0; i < op->res->n_ips; i++) {
		if (!ip_is_ours(op->res, i, op->ifname) || ip_prefix_parse(op->res->ips[i].address, &p) < 0)
			continue;
		if ((r = addr_exists(s, ifindex, &p, err)) < 0)
			return r;
		if (r == 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT, "%s does not have address %s", op->ifname,
					    op->res->ips[i].address);
	}
	return check_routes(s, ifindex, op, err);
}

int br_ctr_check(int nsfd, const char *ifname, const struct cni_result *prev, int *ret_peer, struct nr_error *err)
{
	struct ctr_op op = { .ifname = ifname, .res = prev };
	int r = netns_run(nsfd, check_fn, &op, err);

	*ret_peer = op.ret_peer;
	return r;
}
