/* One attachment of a container to a network (struct ctr_network), from the ADD to the
 * DEL: the requested address and MAC as runtimeConfig, what the result gave into the
 * record, the default route left to the first network, the network's DNS names.  Shared
 * by the start (run.c), the teardown and `network connect`/`disconnect` (net_attach.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/ipaddr.h"
#include "base/json_field.h"
#include "dns_net.h"
#include "net.h"
#include "netdef.h"
#include "nl/link.h"
#include "nl/netns.h"
#include "nl/nlsock.h"
#include "nl/route.h"
#include "overlay_net.h"
#include "rt.h"
#include "rt_error.h"

int net_endpoint_request(const struct net_endpoint_opts *e, struct ctr_network *n, struct nr_error *err)
{
	bool ok = (!e->ip || (n->ip = strdup(e->ip))) && (!e->ip6 || (n->ip6 = strdup(e->ip6))) &&
		  (!e->mac || (n->mac = strdup(e->mac)));

	for (size_t i = 0; ok && i < e->n_aliases; i++)
		ok = rt_strv_push(&n->aliases, e->aliases[i]) >= 0;
	return ok ? 0 : nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

/* Whether a plugin of the chain declares capability key: only those get runtimeConfig
 * (CNI conventions), so a request no plugin takes would be silently ignored. */
static bool chain_takes(const struct cni_netconf *conf, const char *key)
{
	json_t *plugin;
	size_t i;

	json_array_foreach(json_object_get(conf->list, "plugins"), i, plugin)
		if (json_is_true(json_object_get(json_object_get(plugin, "capabilities"), key)))
			return true;
	return false;
}

int net_endpoint_caps(const struct cni_netconf *conf, const char *base_caps, const struct ctr_network *n, char **ret,
		      struct nr_error *err)
{
	_cleanup_json_ json_t *caps = base_caps ? json_loads(base_caps, 0, NULL) : json_object();
	const char *opt = n->ip ? "--ip" : "--ip6";

	*ret = NULL;
	if (!caps || !json_is_object(caps))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "the recorded capability_args are not a JSON object");
	if ((n->ip || n->ip6) && !chain_takes(conf, "ips"))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "%s on network %s: no plugin of its conflist declares the \"ips\" capability, so "
				    "the address cannot be asked for (add \"capabilities\": {\"ips\": true} to its "
				    "bridge plugin)",
				    opt, conf->name);
	if (n->mac && !chain_takes(conf, "mac"))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--mac-address on network %s: no plugin of its conflist declares the \"mac\" "
				    "capability (add \"capabilities\": {\"mac\": true} to its bridge plugin)",
				    conf->name);
	if (n->ip || n->ip6) {
		json_t *ips = json_array();
		if (!ips || (n->ip && json_array_append_new(ips, json_string(n->ip)) < 0) ||
		    (n->ip6 && json_array_append_new(ips, json_string(n->ip6)) < 0) ||
		    json_object_set_new(caps, "ips", ips) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	if (n->mac && json_object_set_new(caps, "mac", json_string(n->mac)) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (!json_object_size(caps))
		return 0;
	if (!(*ret = json_dumps(caps, JSON_COMPACT)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return 0;
}

/* What ADD gave, into the attachment: every address, the gateways (the DNS responder's
 * addresses), the container interface's MAC. */
int net_endpoint_fill(struct ctr_network *n, const struct cni_result *res)
{
	_cleanup_strv_ char **addrs = net_result_addresses(res), **gws = calloc(1, sizeof(char *));
	char *mac = NULL;

	if (!addrs || !gws)
		return -ENOMEM;
	for (size_t i = 0; res && i < res->n_ips; i++) {
		const char *gw = res->ips[i].gateway;
		bool seen = false;
		for (size_t k = 0; gw && gws[k]; k++)
			seen = seen || !strcmp(gws[k], gw);
		if (gw && !seen && rt_strv_push(&gws, gw) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; res && i < res->n_ifaces && !mac; i++) {
		const struct cni_iface *f = &res->ifaces[i];
		if (f->sandbox && *f->sandbox && f->mac && (!f->name || !strcmp(f->name, n->ifname)) &&
		    !(mac = strdup(f->mac)))
			return -ENOMEM;
	}
	rt_strv_free(n->addresses);
	rt_strv_free(n->gateways);
	free(n->mac_addr);
	n->addresses = TAKE_PTR(addrs);
	n->gateways = gws[0] ? TAKE_PTR(gws) : NULL;
	n->mac_addr = mac;
	return 0;
}

int net_endpoint_add(const struct net_plan *p, const char *id, const char *netns, const char *base_caps,
		     struct ctr_network *n, struct cni_result **ret, struct nr_error *err)
{
	_cleanup_free_ char *caps = NULL;
	int r;

	*ret = NULL;
	if (!p->conf)
		return 0;
	/* An alias is a name the network's DNS answers: without one it would mean nothing
	 * (Docker refuses it on its default bridge too). */
	if (n->aliases && !dns_net_enabled(p->conf))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "alias %s on network %s: the network has no DNS (names resolve on networks made by "
				    "`netns-run network create`)",
				    n->aliases[0], p->conf->name);
	/* An overlay network's agent that died is started again first: without it the plugin
	 * has no subnet to hand out (and the kernel no current remotes). */
	if ((r = net_endpoint_caps(p->conf, base_caps, n, &caps, err)) < 0 ||
	    (r = overlay_net_ensure(p->conf, err)) < 0 || (r = net_add(p, id, netns, caps, ret, err)) < 0)
		return r;
	if (net_endpoint_fill(n, *ret) < 0) {
		struct nr_error e = { 0 };
		net_del(p, id, netns, &e);
		cni_result_free(*ret);
		*ret = NULL;
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	return 0;
}

/* Whether ipam range r's subnet holds the address text a. */
static bool range_holds(json_t *r, const char *a)
{
	struct ip_prefix net;
	struct ip_addr addr;
	const char *subnet = json_string_value(json_object_get(r, "subnet"));

	return a && subnet && ip_prefix_parse(subnet, &net) >= 0 && ip_addr_parse(a, &addr) >= 0 &&
	       ip_prefix_contains(&net, &addr);
}

void net_plan_request(struct net_plan *p, const struct net_endpoint_opts *e)
{
	struct netdef_meta m;
	json_t *plugin, *set, *r;
	size_t i, j, k;

	if (!p->conf || !e || (!e->ip && !e->ip6))
		return;
	netdef_meta_get(p->conf, &m);
	if (!m.ours)
		return;
	json_array_foreach(json_object_get(p->conf->list, "plugins"), i, plugin) {
		json_array_foreach(json_object_get(json_object_get(plugin, "ipam"), "ranges"), j, set) {
			json_array_foreach(set, k, r) {
				if (range_holds(r, e->ip) || range_holds(r, e->ip6)) {
					json_object_del(r, "rangeStart");
					json_object_del(r, "rangeEnd");
				}
			}
		}
	}
}

void net_plan_further(struct net_plan *p)
{
	json_t *plugin;
	size_t i;

	if (!p->conf)
		return;
	json_array_foreach(json_object_get(p->conf->list, "plugins"), i, plugin) {
		json_t *routes = json_object_get(json_object_get(plugin, "ipam"), "routes");
		if (json_is_true(json_object_get(plugin, "isDefaultGateway")))
			json_object_set_new(plugin, "isDefaultGateway", json_false());
		for (size_t k = json_is_array(routes) ? json_array_size(routes) : 0; k-- > 0;) {
			struct ip_prefix d;
			const char *dst = json_string_value(json_object_get(json_array_get(routes, k), "dst"));
			if (dst && ip_prefix_parse(dst, &d) >= 0 && d.len == 0)
				json_array_remove(routes, k);
		}
	}
}

struct route_job {
	const char *ifname;
	const struct cni_result *res;
};

static int drop_default(struct nlsock *s, int ifindex, const char *dst, const char *gw, struct nr_error *err)
{
	struct ip_prefix d;
	struct ip_addr g;

	if (ip_prefix_parse(dst, &d) < 0 || (gw && ip_addr_parse(gw, &g) < 0) || (gw && g.family != d.addr.family))
		return 0;
	return route_del(s, ifindex, &d, gw ? &g : NULL, err);
}

/* In the container's netns: every default route the result names on ifname, with its
 * gateway (an IPv4 route is matched by its gateway and scope), and the one via each
 * address's gateway that a plugin may add without listing it. */
static int drop_defaults_in(void *arg, struct nr_error *err)
{
	const struct route_job *j = arg;
	_cleanup_nlsock_ struct nlsock *s = NULL;
	int r, ifindex;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if ((ifindex = link_index(s, j->ifname, err)) < 0)
		return ifindex;
	for (size_t i = 0; i < j->res->n_routes; i++) {
		const struct cni_route *rt = &j->res->routes[i];
		struct ip_prefix d;
		if (ip_prefix_parse(rt->dst, &d) < 0 || d.len != 0)
			continue;
		const char *gw = rt->gw;
		for (size_t k = 0; !gw && k < j->res->n_ips; k++) {
			struct ip_addr a;
			if (j->res->ips[k].gateway && ip_addr_parse(j->res->ips[k].gateway, &a) >= 0 &&
			    a.family == d.addr.family)
				gw = j->res->ips[k].gateway;
		}
		if ((r = drop_default(s, ifindex, rt->dst, gw, err)) < 0)
			return r;
	}
	return 0;
}

int net_endpoint_drop_default_routes(const char *netns, const char *ifname, const struct cni_result *res,
				     struct nr_error *err)
{
	struct route_job j = { ifname, res };
	int r;

	if (!res || !res->n_routes)
		return 0;
	if ((r = netns_run_path(netns, drop_defaults_in, &j, err)) < 0)
		return nr_error_wrap(err, r, "removing the default route of %s (the first network keeps it)", ifname);
	return 0;
}

int net_endpoint_dns_join(const struct ctr_record *rec, const struct cni_netconf *conf, struct ctr_network *n,
			  struct nr_error *err)
{
	struct netdef_meta m;
	int r;

	if (!conf || !dns_net_enabled(conf))
		return 0;
	netdef_meta_get(conf, &m);
	struct dns_entry e = { .id = rec->id, .name = rec->name, .aliases = n->aliases, .addresses = n->addresses };
	/* Its messages name the network and the responder.  A join that wrote the entry but
	 * could not start the responder must not leave the name behind: n->dns is still false,
	 * so teardown would not take it out, and a later responder would answer it for an
	 * address the DEL frees for reuse. */
	if ((r = dns_net_join(conf->name, m.internal, n->gateways, &e, err)) < 0) {
		dns_net_leave(conf->name, rec->id, NULL);
		return r;
	}
	n->dns = true;
	return 0;
}

int net_endpoint_down(const struct ctr_record *rec, struct ctr_network *n, struct nr_error *err)
{
	struct nr_error e = { 0 };
	struct net_plan plan;
	char netns[512];
	int ret = 0, r;

	/* Names first: a name must not outlive its address, which the DEL frees for reuse. */
	if (n->dns && n->name) {
		if ((r = dns_net_leave(n->name, rec->id, &e)) < 0) {
			ret = r;
			nr_error_copy(err, &e);
		} else {
			n->dns = false;
		}
		dns_net_ensure(n->name, NULL);
	}
	if (n->done)
		return ret;
	rt_ctr_path(netns, sizeof(netns), rec->name, "netns");
	/* DEL even when the namespace is gone: plugins release what lives outside it
	 * (the host veth end, leases, masquerade elements) from the cached result. */
	r = net_plan_from_network(n, &plan, &e);
	if (r >= 0) {
		bool have_ns = access(netns, F_OK) == 0;
		/* The chain's messages name the network, plugin and DEL already. */
		r = net_del(&plan, rec->id, have_ns ? netns : "", &e);
	}
	net_plan_clear(&plan);
	if (r >= 0) {
		n->done = true;
		return ret;
	}
	if (ret >= 0)
		nr_error_copy(err, &e);
	return ret < 0 ? ret : r;
}
