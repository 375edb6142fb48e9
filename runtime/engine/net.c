#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/ipaddr.h"
#include "base/json_field.h"
#include "cni/cni_exec.h"
#include "nl/link.h"
#include "nl/nlsock.h"
#include "plugins.h"
#include "rt_error.h"

#define DEFAULT_BRIDGE "nr0"

DEFINE_PTR_CLEANUP(netconf_freep, struct cni_netconf *, cni_netconf_free)

void net_rtconf(struct cni_rtconf *rt, const char *id, const char *netns, const char *ifname, json_t *caps)
{
	memset(rt, 0, sizeof(*rt));
	rt->container_id = id;
	rt->netns = netns ? netns : "";
	rt->ifname = ifname;
	rt->capability_args = caps;
	rt->cni_path = rt_paths()->cni_path;
	rt->cache_dir = rt_paths()->cache_dir;
	rt->builtins = rt_plugins;
}

static int conf_from_json(json_t *list, const char *what, struct cni_netconf **ret, struct nr_error *err)
{
	_cleanup_free_ char *text = json_dumps(list, JSON_COMPACT);

	if (!text)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return cni_netconf_parse(text, strlen(text), what, ret, err);
}

static int single_plugin(const char *name, const char *type, struct cni_netconf **ret, struct nr_error *err)
{
	_cleanup_json_ json_t *list = json_pack("{s:s, s:s, s:[{s:s}]}", "cniVersion", "1.1.0", "name", name, "plugins",
						"type", type);

	if (!list)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return conf_from_json(list, name, ret, err);
}

static bool have_plugin(const char *type)
{
	char buf[1024];

	return cni_plugin_find(type, rt_paths()->cni_path, buf, sizeof(buf), NULL) >= 0;
}

/* Whether any route of this host (main and other tables but local) overlaps cand,
 * ignoring default routes and routes out of our own bridge. */
static int subnet_taken(struct nl_cache *routes, int own_index, const struct ip_prefix *cand)
{
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(rt);
		struct ip_prefix p = { .addr.family = AF_INET };

		if (rtnl_route_get_table(rt) == 255 || !dst || nl_addr_get_family(dst) != AF_INET)
			continue;
		p.len = (int)nl_addr_get_prefixlen(dst);
		if (p.len == 0 || nl_addr_get_len(dst) != 4)
			continue;
		if (own_index > 0 && rtnl_route_get_nnexthops(rt) > 0 &&
		    rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(rt, 0)) == own_index)
			continue;
		memcpy(&p.addr.v4, nl_addr_get_binary_addr(dst), 4);
		const struct ip_prefix *wide = p.len < cand->len ? &p : cand;
		const struct ip_prefix *narrow = wide == &p ? cand : &p;
		struct ip_prefix wn = ip_prefix_network(wide);
		if (ip_prefix_contains(&wn, &narrow->addr))
			return 1;
	}
	return 0;
}

static int pick_subnet(char *buf, size_t len, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct nl_cache *routes = NULL;
	int r, own;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	r = rtnl_route_alloc_cache(s->sk, AF_INET, 0, &routes);
	if (r < 0)
		return nlsock_error(s, r, err, "cannot list the host's routes");
	own = link_index(s, DEFAULT_BRIDGE, NULL);
	/* 10.88/16 is podman's default; then the rest of 10.88-10.127, then two of 172.16/12. */
	for (int i = 0; i < 42; i++) {
		struct ip_prefix cand;
		char text[32];
		if (i < 40)
			snprintf(text, sizeof(text), "10.%d.0.0/16", 88 + i);
		else
			snprintf(text, sizeof(text), "172.%d.0.0/16", 30 + (i - 40));
		ip_prefix_parse(text, &cand);
		if (!subnet_taken(routes, own, &cand)) {
			snprintf(buf, len, "%s", text);
			nl_cache_free(routes);
			return 0;
		}
	}
	nl_cache_free(routes);
	return nr_error_set(err, RT_ERR_SYSTEM, EADDRINUSE,
			    "no free subnet for the default bridge network: 10.88-10.127.0.0/16 and "
			    "172.30-31.0.0/16 all overlap routes of this host; configure a network in %s",
			    rt_paths()->conf_dirs[0]);
}

int net_default_bridge(struct cni_netconf **ret, struct nr_error *err)
{
	char path[512], subnet[32], gw[32];
	_cleanup_json_ json_t *list = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/default-bridge.subnet", rt_paths()->state_dir);
	if (file_read_line(path, subnet, sizeof(subnet)) < 0) {
		if ((r = pick_subnet(subnet, sizeof(subnet), err)) < 0)
			return r;
		if ((r = rt_mkdir_p(rt_paths()->state_dir, 0700)) < 0 ||
		    (r = rt_write_file_atomic(path, subnet, 0644)) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
	}
	struct ip_prefix p;
	if (ip_prefix_parse(subnet, &p) < 0 || p.addr.family != AF_INET)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s: '%s' is not an IPv4 subnet", path, subnet);
	p = ip_prefix_network(&p);
	ip_addr_add(&p.addr, 1);
	ip_addr_format(&p.addr, gw, sizeof(gw));
	/* capabilities ips and mac: run --ip/--mac-address reach the bridge and its in-process
	 * host-local as runtimeConfig (CNI conventions), as on the networks `network create` writes. */
	list = json_pack("{s:s, s:s, s:[{s:s, s:s, s:b, s:b, s:b, s:{s:b, s:b}, s:{s:s, s:[[{s:s, s:s}]], "
			 "s:[{s:s}]}}]}",
			 "cniVersion", "1.1.0", "name", "bridge", "plugins", "type", "bridge", "bridge", DEFAULT_BRIDGE,
			 "isGateway", 1, "ipMasq", 1, "hairpinMode", 1, "capabilities", "ips", 1, "mac", 1, "ipam",
			 "type", "host-local", "ranges", "subnet", subnet, "gateway", gw, "routes", "dst", "0.0.0.0/0");
	if (!list)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	/* Published ports need a port-mapping plugin; chain one when it is installed. */
	if (have_plugin("portmap"))
		json_array_append_new(json_object_get(list, "plugins"), json_pack("{s:s, s:{s:b}}", "type", "portmap",
										  "capabilities", "portMappings", 1));
	return conf_from_json(list, "the built-in bridge network", ret, err);
}

static int plan_none(const char *spec, struct net_plan *p, struct nr_error *err)
{
	(void)spec;
	snprintf(p->ifname, sizeof(p->ifname), "lo");
	return single_plugin("none", "none", &p->conf, err);
}

static int plan_host(const char *spec, struct net_plan *p, struct nr_error *err)
{
	(void)spec;
	return have_plugin("host") ? single_plugin("host", "host", &p->conf, err) : 0;
}

static int plan_container(const char *spec, struct net_plan *p, struct nr_error *err)
{
	const char *owner = strchr(spec, ':') + 1;
	_cleanup_record_ struct ctr_record *st = NULL;
	char netns[512];

	if (!rt_name_valid(owner))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "--net=%s: '%s' is not a container name", spec, owner);
	if (ctr_store_load(owner, &st, err) < 0 || !ctr_init_alive(st))
		return nr_error_set(err, RT_ERR_NOT_FOUND, ESRCH, "--net=%s: container %s is not running", spec, owner);
	if (access(rt_ctr_path(netns, sizeof(netns), owner, "netns"), F_OK) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--net=%s: %s has no network namespace of its own (it uses %s); join that "
				    "one instead",
				    spec, owner, net_mode_of(st->net.mode)->name);
	snprintf(p->owner, sizeof(p->owner), "%s", owner);
	if (!have_plugin("container"))
		return 0;
	/* plugins/container answers with the owner's cached result after checking that
	 * CNI_NETNS is the owner's namespace (docs/plugin-container.md). */
	char name[RT_NAME_MAX + 16];
	_cleanup_json_ json_t *list = NULL;
	snprintf(name, sizeof(name), "container-%s", owner);
	list = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:s}]}", "cniVersion", "1.1.0", "name", name, "plugins",
			 "type", "container", "containerID", st->id, "network", st->net.name ? st->net.name : "",
			 "ifName", st->net.ifname, "cacheDir", rt_paths()->cache_dir);
	if (!list)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return conf_from_json(list, name, &p->conf, err);
}

static int plan_cni(const char *spec, struct net_plan *p, struct nr_error *err)
{
	int r = cni_netconf_load(rt_paths()->conf_list, spec, &p->conf, err);

	if (r >= 0 || r != -ENOENT)
		return r;
	if (!strcmp(spec, "bridge")) {
		nr_error_clear(err);
		return net_default_bridge(&p->conf, err);
	}
	return nr_error_set(err, RT_ERR_USAGE, ENOENT,
			    "--net=%s: no such network (not built in, and no conflist named so in %s%s%s); see "
			    "`netns-run network ls`",
			    spec, rt_paths()->conf_dirs[0], rt_paths()->conf_dirs[1][0] ? " or " : "",
			    rt_paths()->conf_dirs[1]);
}

static const char *path_own(const struct net_plan *p, const char *name, char *buf, size_t len)
{
	(void)p;
	return rt_ctr_path(buf, len, name, "netns");
}

static const char *path_host(const struct net_plan *p, const char *name, char *buf, size_t len)
{
	/* The plugin's own namespace is the one we share. */
	(void)p, (void)name;
	snprintf(buf, len, "/proc/self/ns/net");
	return buf;
}

static const char *path_owner(const struct net_plan *p, const char *name, char *buf, size_t len)
{
	(void)name;
	return rt_ctr_path(buf, len, p->owner, "netns");
}

static int shown_owner(const struct net_plan *p, struct cni_result **ret)
{
	/* Without plugins/container, show the owner's own result. */
	_cleanup_record_ struct ctr_record *ost = NULL;
	struct net_plan op;

	if (ctr_store_load(p->owner, &ost, NULL) < 0 || net_plan_from_record(ost, &op, NULL) < 0)
		return 0;
	net_result(&op, ost->id, ret, NULL);
	net_plan_clear(&op);
	return 0;
}

static void describe_mode(const struct ctr_network *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s", n->name && *n->name ? n->name : net_mode_of(n->mode)->name);
}

static void describe_owner(const struct ctr_network *n, char *buf, size_t len)
{
	snprintf(buf, len, "container:%s", n->owner);
}

/* Indexed by enum ctr_net_mode; lookup by --net spec goes through the same table. */
static const struct net_mode_ops modes[CTR_NET_MODE_COUNT] = {
	[CTR_NET_NONE] = { .mode = CTR_NET_NONE,
			   .name = "none",
			   .spec = "none",
			   .own_netns = true,
			   .plan = plan_none,
			   .netns_path = path_own,
			   .describe = describe_mode },
	[CTR_NET_HOST] = { .mode = CTR_NET_HOST,
			   .name = "host",
			   .spec = "host",
			   .host_resolvers = true,
			   .plan = plan_host,
			   .netns_path = path_host,
			   .describe = describe_mode },
	[CTR_NET_CONTAINER] = { .mode = CTR_NET_CONTAINER,
				.name = "container",
				.spec = "container:",
				.plan = plan_container,
				.netns_path = path_owner,
				.shown_result = shown_owner,
				.describe = describe_owner },
	[CTR_NET_CNI] = { .mode = CTR_NET_CNI,
			  .name = "cni",
			  .spec = NULL,
			  .own_netns = true,
			  .runtime_lo = true,
			  .plan = plan_cni,
			  .netns_path = path_own,
			  .describe = describe_mode },
};

const struct net_mode_ops *net_mode_of(enum ctr_net_mode mode)
{
	return &modes[(unsigned)mode < CTR_NET_MODE_COUNT ? mode : CTR_NET_CNI];
}

const struct net_mode_ops *net_mode_for_spec(const char *spec)
{
	for (size_t i = 0; i < CTR_NET_MODE_COUNT; i++) {
		const char *m = modes[i].spec;
		size_t n = m ? strlen(m) : 0;
		if (m && (m[n - 1] == ':' ? !strncmp(spec, m, n) : !strcmp(spec, m)))
			return &modes[i];
	}
	return &modes[CTR_NET_CNI];
}

/* Every plugin of the chain is on our plugin path, or the start stops here, before
 * anything is made, naming the variable the user sets: the chain's own message would
 * name CNI_PATH, the plugins' variable.  (A bad type is left to the chain to report.) */
static int plan_plugins_found(const struct net_plan *p, struct nr_error *err)
{
	json_t *plugin;
	size_t i;

	json_array_foreach(json_object_get(p->conf->list, "plugins"), i, plugin) {
		const char *type = json_string_value(json_object_get(plugin, "type"));
		char buf[1024];
		if (type && cni_plugin_find(type, rt_paths()->cni_path, buf, sizeof(buf), NULL) == -ENOENT)
			return nr_error_set(err, RT_ERR_USAGE, ENOENT,
					    "network %s: plugin '%s' was not found in NETNS_RUN_CNI_PATH (%s)",
					    p->conf->name, type,
					    rt_paths()->cni_path[0] ? rt_paths()->cni_path : "empty");
	}
	return 0;
}

int net_plan_make(const char *spec, struct net_plan *p, struct nr_error *err)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->ops = net_mode_for_spec(spec);
	snprintf(p->ifname, sizeof(p->ifname), "eth0");
	if ((r = p->ops->plan(spec, p, err)) < 0 || !p->conf)
		return r;
	return plan_plugins_found(p, err);
}

int net_plan_to_record(const struct net_plan *p, struct ctr_network *n, struct nr_error *err)
{
	free(n->name);
	free(n->conflist);
	memset(n, 0, sizeof(*n));
	n->mode = p->ops->mode;
	snprintf(n->ifname, sizeof(n->ifname), "%s", p->ifname);
	snprintf(n->owner, sizeof(n->owner), "%s", p->owner);
	if (!p->conf)
		return 0;
	n->name = strdup(p->conf->name);
	n->conflist = json_dumps(p->conf->list, JSON_COMPACT);
	if (!n->name || !n->conflist)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return 0;
}

int net_plan_from_network(const struct ctr_network *n, struct net_plan *p, struct nr_error *err)
{
	memset(p, 0, sizeof(*p));
	p->ops = net_mode_of(n->mode);
	snprintf(p->ifname, sizeof(p->ifname), "%s", n->ifname);
	snprintf(p->owner, sizeof(p->owner), "%s", n->owner);
	if (!n->conflist)
		return 0;
	return cni_netconf_parse(n->conflist, strlen(n->conflist), "the container's recorded network", &p->conf, err);
}

int net_plan_from_record(const struct ctr_record *rec, struct net_plan *p, struct nr_error *err)
{
	return net_plan_from_network(&rec->net, p, err);
}

void net_plan_clear(struct net_plan *p)
{
	cni_netconf_free(p->conf);
	p->conf = NULL;
}

char **net_result_addresses(const struct cni_result *res)
{
	char **v = calloc(1, sizeof(*v));

	for (size_t i = 0; res && v && i < res->n_ips; i++)
		if (rt_strv_push(&v, res->ips[i].address) < 0)
			break;
	return v;
}

char *net_result_text(const struct cni_result *res, const struct net_plan *p)
{
	_cleanup_json_ json_t *o = cni_result_to_json(res, p->conf ? p->conf->cni_version : "1.1.0");

	return o ? json_dumps(o, JSON_COMPACT) : NULL;
}

int net_add(const struct net_plan *p, const char *id, const char *netns, const char *caps, struct cni_result **ret,
	    struct nr_error *err)
{
	_cleanup_json_ json_t *cj = NULL;
	struct cni_rtconf rt;

	*ret = NULL;
	if (!p->conf)
		return 0;
	if (caps && !(cj = json_loads(caps, 0, NULL)))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "the recorded capability_args are not JSON");
	net_rtconf(&rt, id, netns, p->ifname, cj);
	return cni_chain_add(p->conf, &rt, ret, err);
}

int net_del(const struct net_plan *p, const char *id, const char *netns, struct nr_error *err)
{
	struct cni_rtconf rt;

	if (!p->conf)
		return 0;
	net_rtconf(&rt, id, netns, p->ifname, NULL);
	return cni_chain_del(p->conf, &rt, err);
}

int net_check(const struct net_plan *p, const char *id, const char *netns, struct nr_error *err)
{
	struct cni_rtconf rt;

	if (!p->conf)
		return 0;
	net_rtconf(&rt, id, netns, p->ifname, NULL);
	return cni_chain_check(p->conf, &rt, err);
}

int net_result(const struct net_plan *p, const char *id, struct cni_result **ret, struct nr_error *err)
{
	*ret = NULL;
	if (!p->conf)
		return 0;
	return cni_cache_read(rt_paths()->cache_dir, p->conf->name, id, p->ifname, ret, NULL, err);
}

int net_list(struct cni_netconf ***ret, size_t *ret_n, struct nr_error *err)
{
	struct cni_netconf **v = NULL;
	size_t n = 0;
	int r;

	r = cni_netconf_list(rt_paths()->conf_list, &v, &n, err);
	if (r < 0)
		return r;
	bool have_bridge = false;
	for (size_t i = 0; i < n; i++)
		have_bridge = have_bridge || !strcmp(v[i]->name, "bridge");
	struct cni_netconf **nv = realloc(v, (n + 2) * sizeof(*v));
	if (!nv) {
		for (size_t i = 0; i < n; i++)
			cni_netconf_free(v[i]);
		free(v);
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	v = nv;
	if (!have_bridge && net_default_bridge(&v[n], NULL) >= 0)
		n++;
	if (single_plugin("none", "none", &v[n], NULL) >= 0)
		n++;
	*ret = v;
	*ret_n = n;
	return 0;
}

int net_gc(const struct cni_netconf *net, const struct net_attachment *valid, size_t n, struct nr_error *err)
{
	_cleanup_json_ json_t *arr = json_array();
	struct cni_rtconf rt;

	if (!arr)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (!strcmp(valid[i].network, net->name) &&
		    json_array_append_new(arr, json_pack("{s:s, s:s}", "containerID", valid[i].id, "ifname",
							 valid[i].ifname)) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	net_rtconf(&rt, "", "", "", NULL);
	return cni_chain_gc(net, &rt, arr, err);
}
