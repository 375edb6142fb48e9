/* The ADD result in the reference's shape: interfaces [bridge, host veth, container
 * interface], IPs on interface 2, routes, dns. */
#include <errno.h>
#include <string.h>

#include "base/json_field.h"
#include "br.h"

#define CTR_IFACE 2

static int oom(struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
}

/* The reference's calcGatewayIP: the first address of the subnet. */
static int subnet_gateway(const char *cidr, char *buf, size_t len)
{
	struct ip_prefix p, net;

	if (ip_prefix_parse(cidr, &p) < 0)
		return -EINVAL;
	net = ip_prefix_network(&p);
	if (ip_addr_add(&net.addr, 1) < 0)
		return -ERANGE;
	ip_addr_format(&net.addr, buf, len);
	return 0;
}

static bool has_default_route(const struct cni_result *res, int family)
{
	struct ip_prefix p;

	for (size_t i = 0; i < res->n_routes; i++)
		if (res->routes[i].gw && ip_prefix_parse(res->routes[i].dst, &p) == 0 && p.addr.family == family &&
		    p.len == 0)
			return true;
	return false;
}

static int copy_routes(const struct cni_result *ipam, struct cni_result *res, struct nr_error *err)
{
	for (size_t i = 0; i < ipam->n_routes; i++) {
		int k = cni_result_add_route(res, ipam->routes[i].dst, ipam->routes[i].gw);
		struct cni_route *rt;

		if (k < 0)
			return oom(err);
		rt = &res->routes[k];
		rt->mtu = ipam->routes[i].mtu;
		rt->advmss = ipam->routes[i].advmss;
		rt->priority = ipam->routes[i].priority;
		rt->has_table = ipam->routes[i].has_table;
		rt->table = ipam->routes[i].table;
		rt->has_scope = ipam->routes[i].has_scope;
		rt->scope = ipam->routes[i].scope;
	}
	return 0;
}

static int add_default_route(struct cni_result *res, const char *addr, const char *gw, struct nr_error *err)
{
	struct ip_prefix p;

	if (ip_prefix_parse(addr, &p) < 0 || has_default_route(res, p.addr.family))
		return 0;
	if (cni_result_add_route(res, p.addr.family == AF_INET ? "0.0.0.0/0" : "::/0", gw) < 0)
		return oom(err);
	return 0;
}

int br_result_l3(const struct br_conf *c, const struct cni_result *ipam, struct cni_result *res, struct nr_error *err)
{
	char gw[IP_PREFIX_STRLEN];
	int r;

	if ((r = copy_routes(ipam, res, err)) < 0)
		return r;
	for (size_t i = 0; i < ipam->n_ips; i++) {
		const char *addr = ipam->ips[i].address, *g = ipam->ips[i].gateway;

		if (!g && c->is_gw) {
			if (subnet_gateway(addr, gw, sizeof(gw)) < 0)
				return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "no gateway address for %s", addr);
			g = gw;
		}
		if (cni_result_add_ip(res, addr, g, CTR_IFACE) < 0)
			return oom(err);
		if (c->is_default_gw && (r = add_default_route(res, addr, g, err)) < 0)
			return r;
	}
	return 0;
}

static void dns_swap(struct cni_dns *a, struct cni_dns *b)
{
	struct cni_dns t = *a;

	*a = *b;
	*b = t;
}

/* The reference's dnsConfSet: any of the four set. */
static bool dns_set(const struct cni_dns *d)
{
	return d->n_nameservers || (d->domain && *d->domain) || d->n_search || d->n_options;
}

int br_result_dns(const struct br_conf *c, struct cni_result *ipam, struct cni_result *res, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *conf_dns = NULL;
	_cleanup_json_ json_t *wrap = NULL;
	int r;

	if (c->dns) {
		if (!(wrap = json_pack("{s:O}", "dns", c->dns)))
			return oom(err);
		if ((r = cni_result_parse(wrap, "bridge config", &conf_dns, err)) < 0)
			return r;
		if (dns_set(&conf_dns->dns)) {
			dns_swap(&res->dns, &conf_dns->dns);
			return 0;
		}
	}
	if (ipam)
		dns_swap(&res->dns, &ipam->dns);
	return 0;
}

int br_result_ifaces(const struct br_host *h, const char *bridge, const char *ifname, const char *ctr_mac,
		     const char *netns, struct cni_result *res, struct nr_error *err)
{
	if (cni_result_add_iface(res, bridge, h->br_mac, NULL) < 0 ||
	    cni_result_add_iface(res, h->veth, h->veth_mac, NULL) < 0 ||
	    cni_result_add_iface(res, ifname, ctr_mac, netns) != CTR_IFACE)
		return oom(err);
	return 0;
}
