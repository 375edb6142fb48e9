/* `network create`'s options checked and resolved (netdef_plan.h).  Every refusal
 * happens here, before netdef.c writes anything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netdef_plan.h"
#include "rt.h"
#include "rt_error.h"

#define OPT_BRIDGE_NAME "com.docker.network.bridge.name"
#define OPT_ICC "com.docker.network.bridge.enable_icc"
#define OPT_MASQ "com.docker.network.bridge.enable_ip_masquerade"
#define OPT_MTU "com.docker.network.driver.mtu"

bool netdef_ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* Go's strconv.ParseBool, as Docker reads these options. */
static int parse_bool(const char *s, bool *ret)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i]))
			return *ret = true, 0;
		if (!strcmp(s, f[i]))
			return *ret = false, 0;
	}
	return -EINVAL;
}

static int plan_options(const struct netdef_opts *o, const struct netdef_env *env, struct netdef_plan *p,
			struct nr_error *err)
{
	for (size_t i = 0; i < o->n_opts; i++) {
		const char *kv = o->opts[i], *eq = strchr(kv, '=');
		if (!eq || eq == kv)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid option \"%s\": expected KEY=VALUE", kv);
		size_t klen = (size_t)(eq - kv);
		const char *v = eq + 1;
#define KEY_IS(k) (klen == strlen(k) && !strncmp(kv, k, klen))
		if (KEY_IS(OPT_BRIDGE_NAME)) {
			if (!netdef_ifname_valid(v))
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "invalid bridge name \"%s\" (" OPT_BRIDGE_NAME
						    "): an interface name is 1 to 15 characters without '/', ':' or spaces",
						    v);
			snprintf(p->bridge, sizeof(p->bridge), "%s", v);
		} else if (KEY_IS(OPT_ICC) || KEY_IS(OPT_MASQ)) {
			bool b;
			if (parse_bool(v, &b) < 0)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "invalid value \"%s\" for %.*s: expected true or false", v,
						    (int)klen, kv);
			*(KEY_IS(OPT_ICC) ? &p->icc : &p->masq) = b;
		} else if (KEY_IS(OPT_MTU)) {
			char *end;
			long mtu = strtol(v, &end, 10);
			if (!*v || *end || mtu < 68 || mtu > 65535)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "invalid MTU \"%s\" (" OPT_MTU
						    "): expected a number from 68 to 65535",
						    v);
			p->mtu = mtu;
		}
		/* Any other option is kept in the metadata and otherwise ignored, as Docker's
		 * bridge driver ignores options it does not know. */
#undef KEY_IS
	}
	if (!*p->bridge)
		snprintf(p->bridge, sizeof(p->bridge), "nr-%.12s", p->id);
	if (strv_has(env->bridges, p->bridge))
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
				    "bridge name %s is already used by another network (choose another with --opt " OPT_BRIDGE_NAME
				    "=NAME)",
				    p->bridge);
	for (size_t i = 0; i < o->n_labels; i++)
		if (!*o->labels[i] || *o->labels[i] == '=')
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "invalid label \"%s\": expected KEY=VALUE or KEY", o->labels[i]);
	return 0;
}

/* The last address of p (host bits set). */
static struct ip_addr prefix_last(const struct ip_prefix *p)
{
	struct ip_addr a = ip_prefix_network(p).addr;

	for (int k = p->len; k < ip_addr_bits(&a); k++)
		a.bytes[k / 8] |= (uint8_t)(0x80 >> (k % 8));
	return a;
}

static const char *fmt_prefix(const struct ip_prefix *p, char *buf)
{
	return ip_prefix_format(p, buf, IP_PREFIX_STRLEN);
}

/* Refuse a subnet that overlaps one of the n before it, or another network's. */
static int check_subnet_free(const struct netdef_plan *p, size_t n, const struct netdef_env *env, struct nr_error *err)
{
	char a[IP_PREFIX_STRLEN], b[IP_PREFIX_STRLEN];
	const struct ip_prefix *s = &p->v[n].subnet;

	for (size_t i = 0; i < n; i++)
		if (netdef_overlap(&p->v[i].subnet, s))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "subnets %s and %s overlap",
					    fmt_prefix(&p->v[i].subnet, a), fmt_prefix(s, b));
	for (size_t i = 0; i < env->n_nets; i++)
		if (netdef_overlap(&env->nets[i], s))
			return nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
					    "subnet %s overlaps %s of network %s (Docker: Pool overlaps with other one on this address space)",
					    fmt_prefix(s, a), fmt_prefix(&env->nets[i], b),
					    env->net_owner && env->net_owner[i] ? env->net_owner[i] : "?");
	return 0;
}

static int plan_subnets(const struct netdef_opts *o, const struct netdef_env *env, struct netdef_plan *p,
			struct nr_error *err)
{
	char a[IP_PREFIX_STRLEN], b[IP_PREFIX_STRLEN];
	bool have4 = false, have6 = false;

	if (o->n_subnets > NETDEF_SUBNETS_MAX)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "at most %d --subnet", NETDEF_SUBNETS_MAX);
	for (size_t i = 0; i < o->n_subnets; i++) {
		struct netdef_range *r = &p->v[p->n];
		const char *s = o->subnets[i].subnet;
		if (!s || ip_prefix_parse(s, &r->subnet) < 0)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "invalid subnet \"%s\": expected a CIDR such as 10.1.0.0/24 or fd00:1::/64",
					    s ? s : "");
		struct ip_prefix net = ip_prefix_network(&r->subnet);
		if (!ip_addr_equal(&net.addr, &r->subnet.addr))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid subnet %s: it should be %s", s,
					    fmt_prefix(&net, a));
		bool v6 = r->subnet.addr.family == AF_INET6;
		if (r->subnet.len > (v6 ? 126 : 30))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "subnet %s is too small: it needs room for a gateway and containers (at most /%d)",
					    s, v6 ? 126 : 30);
		if (v6 && !o->ipv6)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "subnet %s is IPv6: add --ipv6", s);
		/* One subnet per family, as Docker's bridge driver: the bridge plugin would give
		 * every container one address of each, and the bridge one gateway of each. */
		if (v6 ? have6 : have4)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "subnet %s: the bridge driver takes one IPv%c subnet per network", s,
					    v6 ? '6' : '4');
		if (check_subnet_free(p, p->n, env, err) < 0)
			return -EINVAL;
		*(v6 ? &have6 : &have4) = true;
		p->n++;
	}
	/* Gateways and ranges go to the subnet that contains them, as Docker pairs them. */
	for (size_t i = 0; i < o->n_subnets; i++) {
		const char *g = o->subnets[i].gateway, *rg = o->subnets[i].ip_range;
		if (g) {
			struct ip_addr ga;
			size_t j;
			if (ip_addr_parse(g, &ga) < 0)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "invalid gateway \"%s\": expected an address", g);
			for (j = 0; j < p->n && !ip_prefix_contains(&p->v[j].subnet, &ga); j++)
				;
			if (j == p->n)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL, "gateway %s is outside every --subnet",
						    g);
			if (p->v[j].gateway.family)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL, "subnet %s has two gateways",
						    fmt_prefix(&p->v[j].subnet, a));
			if (ip_addr_equal(&ga, &p->v[j].subnet.addr))
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "gateway %s is the network address of subnet %s", g,
						    fmt_prefix(&p->v[j].subnet, a));
			p->v[j].gateway = ga;
		}
		if (rg) {
			struct ip_prefix rp;
			size_t j;
			if (ip_prefix_parse(rg, &rp) < 0)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL,
						    "invalid ip-range \"%s\": expected a CIDR inside its --subnet", rg);
			rp = ip_prefix_network(&rp);
			for (j = 0; j < p->n &&
				    !(p->v[j].subnet.addr.family == rp.addr.family && p->v[j].subnet.len <= rp.len &&
				      ip_prefix_contains(&p->v[j].subnet, &rp.addr));
			     j++)
				;
			if (j == p->n)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL, "ip-range %s is outside every --subnet",
						    rg);
			if (p->v[j].has_range)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL, "subnet %s has two ip-ranges",
						    fmt_prefix(&p->v[j].subnet, a));
			p->v[j].has_range = true;
			p->v[j].range = rp;
		}
	}
	/* No IPv4 subnet given: one from the pool (Docker always gives a network IPv4). */
	if (!have4) {
		struct netdef_range *r = &p->v[p->n];
		if (netdef_pool_pick4(env, &r->subnet) < 0)
			return nr_error_set(err, RT_ERR_CONFLICT, EADDRINUSE,
					    "no free subnet in the default pools (172.17-31.0.0/16, 192.168.0.0/16 in /20s): "
					    "every one overlaps a route of this host or another network; give one with --subnet");
		p->n++;
	}
	if (o->ipv6 && !have6) {
		struct netdef_range *r = &p->v[p->n];
		if (netdef_pool_pick_ula(p->id, env, &r->subnet) < 0)
			return nr_error_set(err, RT_ERR_CONFLICT, EADDRINUSE,
					    "no free IPv6 /64 in %.4s…::/48: give one with --subnet", p->id);
		p->n++;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct netdef_range *r = &p->v[i];
		if (!r->gateway.family) {
			r->gateway = r->subnet.addr;
			ip_addr_add(&r->gateway, 1);
		}
		if (!r->has_range)
			continue;
		/* host-local hands out rangeStart..rangeEnd; never the subnet's network address
		 * (nor an IPv4 broadcast), which a range at the subnet's edge contains. */
		struct ip_addr sub_last = prefix_last(&r->subnet);
		r->start = r->range.addr;
		r->end = prefix_last(&r->range);
		if (ip_addr_equal(&r->start, &r->subnet.addr))
			ip_addr_add(&r->start, 1);
		if (r->subnet.addr.family == AF_INET && ip_addr_equal(&r->end, &sub_last))
			ip_addr_add(&r->end, -1);
		if (ip_addr_cmp(&r->start, &r->end) > 0)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "ip-range %s of subnet %s has no usable address",
					    fmt_prefix(&r->range, a), fmt_prefix(&r->subnet, b));
	}
	return 0;
}

int netdef_plan_check_free(const char *name, const struct ip_prefix *subnet, const struct netdef_env *env,
			   struct nr_error *err)
{
	char a[IP_PREFIX_STRLEN], b[IP_PREFIX_STRLEN];

	if (!name || !rt_name_valid(name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "invalid network name \"%s\": it must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most %d characters)",
				    name ? name : "", RT_NAME_MAX - 1);
	if (strv_has(env->names, name))
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "network with name %s already exists", name);
	for (size_t i = 0; i < env->n_nets; i++)
		if (netdef_overlap(&env->nets[i], subnet))
			return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "subnet %s overlaps %s of network %s",
					    fmt_prefix(subnet, a), fmt_prefix(&env->nets[i], b),
					    env->net_owner && env->net_owner[i] ? env->net_owner[i] : "?");
	for (size_t i = 0; i < env->n_routes; i++)
		if (netdef_overlap(&env->routes[i], subnet))
			return nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
					    "subnet %s overlaps the route to %s of this host", fmt_prefix(subnet, a),
					    fmt_prefix(&env->routes[i], b));
	return 0;
}

int netdef_plan_make(const struct netdef_opts *o, const struct netdef_env *env, const char *id, const char *created,
		     struct netdef_plan *ret, struct nr_error *err)
{
	struct netdef_plan p = { .masq = true, .icc = true, .internal = o->internal, .ipv6 = o->ipv6 };
	int r;

	if (!o->name || !rt_name_valid(o->name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "invalid network name \"%s\": it must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most %d characters)",
				    o->name ? o->name : "", RT_NAME_MAX - 1);
	if (strv_has(env->names, o->name))
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "network with name %s already exists", o->name);
	/* Overlay networks are netns-run-overlay's (the CLI execs it): the engine makes bridges. */
	if (o->driver && !strcmp(o->driver, "overlay"))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "plugin \"overlay\" not found here: overlay networks are made by `netns-run network create --driver overlay --store etcd://HOST:PORT …` (netns-run-overlay)");
	if (o->driver && strcmp(o->driver, "bridge") != 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "plugin \"%s\" not found: the drivers are \"bridge\" and \"overlay\"", o->driver);
	snprintf(p.name, sizeof(p.name), "%s", o->name);
	snprintf(p.id, sizeof(p.id), "%s", id);
	snprintf(p.created, sizeof(p.created), "%s", created);
	if ((r = plan_options(o, env, &p, err)) < 0 || (r = plan_subnets(o, env, &p, err)) < 0)
		return r;
	if (p.internal)
		p.masq = false; /* nothing leaves an internal network, so nothing is masqueraded */
	*ret = p;
	return 0;
}
