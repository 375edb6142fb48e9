/* The conflist `network create` writes (netdef.h's layout), and the subnets read back
 * from any conflist. */
#include <string.h>

#include "base/json_field.h"
#include "netdef_plan.h"

json_t *netdef_kv_object(const char *const *kv, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char key[256];
		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - kv[i]) : (int)strlen(kv[i]), kv[i]);
		/* A later K=V replaces an earlier one, as Docker's map does. */
		if (json_object_set_new(o, key, json_string(eq ? eq + 1 : "")) < 0)
			return json_decref(o), NULL;
	}
	return o;
}

static json_t *range_set(const struct netdef_range *r)
{
	char buf[IP_PREFIX_STRLEN];
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "subnet", json_string(ip_prefix_format(&r->subnet, buf, sizeof(buf))));
	if (r->has_range) {
		json_object_set_new(o, "rangeStart", json_string(ip_addr_format(&r->start, buf, sizeof(buf))));
		json_object_set_new(o, "rangeEnd", json_string(ip_addr_format(&r->end, buf, sizeof(buf))));
	}
	json_object_set_new(o, "gateway", json_string(ip_addr_format(&r->gateway, buf, sizeof(buf))));
	return json_pack("[o]", o);
}

json_t *netdef_conflist(const struct netdef_plan *p, const struct netdef_opts *o, bool portmap)
{
	_cleanup_json_ json_t *ranges = json_array(), *routes = json_array(), *bridge = NULL, *list = NULL;
	bool has6 = false;

	if (!ranges || !routes)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		has6 = has6 || p->v[i].subnet.addr.family == AF_INET6;
		if (json_array_append_new(ranges, range_set(&p->v[i])) < 0)
			return NULL;
	}
	/* An internal network has no way out, so no default route (as Docker's). */
	if (!p->internal) {
		json_array_append_new(routes, json_pack("{s:s}", "dst", "0.0.0.0/0"));
		if (has6)
			json_array_append_new(routes, json_pack("{s:s}", "dst", "::/0"));
	}
	bridge = json_pack("{s:s, s:s, s:b, s:b, s:b, s:{s:b, s:b}, s:{s:s, s:O, s:O}}", "type", "bridge", "bridge",
			   p->bridge, "isGateway", 1, "ipMasq", p->masq, "hairpinMode", 1, "capabilities", "mac", 1,
			   "ips", 1, "ipam", "type", "host-local", "ranges", ranges, "routes", routes);
	if (!bridge)
		return NULL;
	if (p->mtu > 0)
		json_object_set_new(bridge, "mtu", json_integer(p->mtu));
	if (!p->icc)
		json_object_set_new(bridge, "icc", json_false());
	if (p->internal)
		json_object_set_new(bridge, "internal", json_true());
	list = json_pack("{s:s, s:s, s:[O], s:{s:s, s:s, s:s, s:b, s:b, s:b, s:o, s:o}}", "cniVersion", "1.1.0", "name",
			 p->name, "plugins", bridge, "netns-run", "id", p->id, "created", p->created, "driver",
			 "bridge", "dns", 1, "internal", p->internal, "ipv6", p->ipv6, "labels",
			 netdef_kv_object(o->labels, o->n_labels), "options", netdef_kv_object(o->opts, o->n_opts));
	if (!list)
		return NULL;
	if (portmap &&
	    json_array_append_new(json_object_get(list, "plugins"), json_pack("{s:s, s:{s:b}}", "type", "portmap",
									      "capabilities", "portMappings", 1)) < 0)
		return NULL;
	return TAKE_PTR(list);
}

static size_t add_subnet(json_t *s, struct ip_prefix *ret, size_t n, size_t max)
{
	struct ip_prefix p;

	if (n < max && json_is_string(s) && ip_prefix_parse(json_string_value(s), &p) >= 0)
		ret[n++] = ip_prefix_network(&p);
	return n;
}

size_t netdef_conf_subnets(const struct cni_netconf *conf, struct ip_prefix *ret, size_t max)
{
	json_t *plugins = json_object_get(conf->list, "plugins"), *pl, *set, *r;
	size_t i, j, k, n = 0;

	/* The IPAM fields every host-local-like IPAM shares ("ranges", the legacy "subnet"):
	 * enough to keep a new network off them, without knowing the plugin. */
	json_array_foreach(plugins, i, pl) {
		json_t *ipam = json_object_get(pl, "ipam");
		json_array_foreach(json_object_get(ipam, "ranges"), j, set) {
			json_array_foreach(set, k, r)
				n = add_subnet(json_object_get(r, "subnet"), ret, n, max);
		}
		n = add_subnet(json_object_get(ipam, "subnet"), ret, n, max);
	}
	return n;
}
