#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cni/cni_exec.h"
#include "base/fdio.h"
#include "base/ipaddr.h"
#include "base/json_field.h"
#include "nl/link.h"
#include "nl/nlsock.h"
#include "none/plugin_none.h"
#include "state.h"

#define DEFAULT_BRIDGE "nr0"

/* none (and its alias loopback) run in this process when the executables on CNI_PATH are
 * ours: --net=none is then one fork cheaper at start and at exit (docs/runtime.md). */
static const struct cni_builtin builtins[] = {
	{ "none", &none_plugin_ops },
	{ "loopback", &none_plugin_ops },
	{ NULL, NULL },
};

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
	rt->builtins = builtins;
}

static int conf_from_json(json_t *list, const char *what, struct cni_netconf **ret, struct nr_error *err)
{
	_cleanup_free_ char *text = json_dumps(list, JSON_COMPACT);

	if (!text)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return cni_netconf_parse(text, strlen(text), what, ret, err);
}

static int single_plugin(const char *name, const char *type, struct cni_netconf **ret, struct nr_error *err)
{
	_cleanup_json_ json_t *list =
		json_pack("{s:s, s:s, s:[{s:s}]}", "cniVersion", "1.1.0", "name", name, "plugins", "type", type);

	if (!list)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
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
		struct ip_prefix p = {.addr.family = AF_INET};

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
	return nr_error_set(err, CNI_ERR_NOT_AVAILABLE, EADDRINUSE,
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
		if ((r = mkdir_p(rt_paths()->state_dir, 0700)) < 0 || (r = write_file_atomic(path, subnet, 0644)) < 0)
			return nr_error_set(err, CNI_ERR_IO, r, "cannot write %s: %s", path, strerror(-r));
	}
	struct ip_prefix p;
	if (ip_prefix_parse(subnet, &p) < 0 || p.addr.family != AF_INET)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: '%s' is not an IPv4 subnet", path, subnet);
	p = ip_prefix_network(&p);
	ip_addr_add(&p.addr, 1);
	ip_addr_format(&p.addr, gw, sizeof(gw));
	list = json_pack("{s:s, s:s, s:[{s:s, s:s, s:b, s:b, s:b, s:{s:s, s:[[{s:s, s:s}]], s:[{s:s}]}}]}",
			 "cniVersion", "1.1.0", "name", "bridge", "plugins", "type", "bridge", "bridge", DEFAULT_BRIDGE,
			 "isGateway", 1, "ipMasq", 1, "hairpinMode", 1, "ipam", "type", "host-local", "ranges",
			 "subnet", subnet, "gateway", gw, "routes", "dst", "0.0.0.0/0");
	if (!list)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	/* Published ports need a port-mapping plugin; chain one when it is installed. */
	if (have_plugin("portmap"))
		json_array_append_new(json_object_get(list, "plugins"),
				      json_pack("{s:s, s:{s:b}}", "type", "portmap", "capabilities", "portMappings", 1));
	return conf_from_json(list, "the built-in bridge network", ret, err);
}

int net_plan_make(const char *spec, struct net_plan *p, struct nr_error *err)
{
	int r;

	memset(p, 0, sizeof(*p));
	snprintf(p->ifname, sizeof(p->ifname), "eth0");
	if (!strcmp(spec, "none")) {
		snprintf(p->mode, sizeof(p->mode), "none");
		snprintf(p->ifname, sizeof(p->ifname), "lo");
		return single_plugin("none", "none", &p->conf, err);
	}
	if (!strcmp(spec, "host")) {
		snprintf(p->mode, sizeof(p->mode), "host");
		return have_plugin("host") ? single_plugin("host", "host", &p->conf, err) : 0;
	}
	if (!strncmp(spec, "container:", 10)) {
		const char *owner = spec + 10;
		_cleanup_json_ json_t *st = NULL;
		char netns[512];
		snprintf(p->mode, sizeof(p->mode), "container");
		if (!rt_name_valid(owner))
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "--net=%s: '%s' is not a container name",
					    spec, owner);
		if (state_load(owner, &st, err) < 0 || !state_init_alive(st))
			return nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, ESRCH,
					    "--net=%s: container %s is not running", spec, owner);
		if (access(rt_ctr_path(netns, sizeof(netns), owner, "netns"), F_OK) < 0)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "--net=%s: %s has no network namespace of its own (it uses %s); join that "
					    "one instead",
					    spec, owner, state_str(json_object_get(st, "network"), "mode"));
		snprintf(p->owner, sizeof(p->owner), "%s", owner);
		if (have_plugin("container")) {
			/* plugins/container answers with the owner's cached result after checking
			 * that CNI_NETNS is the owner's namespace (docs/plugin-container.md). */
			json_t *on = json_object_get(st, "network");
			char name[RT_NAME_MAX + 16];
			_cleanup_json_ json_t *list = NULL;
			snprintf(name, sizeof(name), "container-%s", owner);
			list = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:s}]}", "cniVersion", "1.1.0", "name", name,
					 "plugins", "type", "container", "containerID", state_str(st, "id"), "network",
					 state_str(on, "name"), "ifName", state_str(on, "ifname"), "cacheDir",
					 rt_paths()->cache_dir);
			if (!list)
				return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
			return conf_from_json(list, name, &p->conf, err);
		}
		return 0;
	}
	snprintf(p->mode, sizeof(p->mode), "cni");
	r = cni_netconf_load(rt_paths()->conf_list, spec, &p->conf, err);
	if (r >= 0 || r != -ENOENT)
		return r;
	if (!strcmp(spec, "bridge")) {
		nr_error_clear(err);
		return net_default_bridge(&p->conf, err);
	}
	return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENOENT,
			    "--net=%s: no such network (not built in, and no conflist named so in %s%s%s); see "
			    "`netns-run network ls`",
			    spec, rt_paths()->conf_dirs[0], rt_paths()->conf_dirs[1][0] ? " or " : "",
			    rt_paths()->conf_dirs[1]);
}

json_t *net_plan_to_json(const struct net_plan *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "mode", p->mode, "ifname", p->ifname, "owner", p->owner);

	if (o && p->conf) {
		json_object_set_new(o, "name", json_string(p->conf->name));
		json_object_set(o, "conflist", p->conf->list);
	}
	return o;
}

int net_plan_from_state(json_t *st, struct net_plan *p, struct nr_error *err)
{
	json_t *n = json_object_get(st, "network"), *list;

	memset(p, 0, sizeof(*p));
	snprintf(p->mode, sizeof(p->mode), "%s", state_str(n, "mode"));
	snprintf(p->ifname, sizeof(p->ifname), "%s", state_str(n, "ifname"));
	snprintf(p->owner, sizeof(p->owner), "%s", state_str(n, "owner"));
	list = json_object_get(n, "conflist");
	return list ? conf_from_json(list, "the container's recorded network", &p->conf, err) : 0;
}

void net_plan_clear(struct net_plan *p)
{
	cni_netconf_free(p->conf);
	p->conf = NULL;
}

int net_add(const struct net_plan *p, const char *id, const char *netns, json_t *caps, struct cni_result **ret,
	    struct nr_error *err)
{
	struct cni_rtconf rt;

	*ret = NULL;
	if (!p->conf)
		return 0;
	net_rtconf(&rt, id, netns, p->ifname, caps);
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
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
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
