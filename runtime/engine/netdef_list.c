/* `network ls` and `inspect` (netdef_list.h): every network in Docker's NetworkResource
 * shape, from our metadata when the network is ours, best effort from the conflist when
 * it is hand-written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/ipaddr.h"
#include "base/json_field.h"
#include "cni/cni_builtin.h"
#include "container.h"
#include "image/digest.h"
#include "net.h"
#include "netdef.h"
#include "netdef_list.h"
#include "overlay_net.h"
#include "plugins.h"
#include "rt_error.h"

bool netdef_is_builtin(const struct cni_netconf *conf)
{
	return !conf->path &&
	       (!strcmp(conf->name, "bridge") || !strcmp(conf->name, "none") || !strcmp(conf->name, "host"));
}

void netdef_list_free(struct cni_netconf **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cni_netconf_free(v[i]);
	free(v);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct cni_netconf *const *)a)->name, (*(struct cni_netconf *const *)b)->name);
}

int netdef_list_all(struct cni_netconf ***ret, size_t *ret_n, struct nr_error *err)
{
	static const char host[] =
		"{\"cniVersion\": \"1.1.0\", \"name\": \"host\", \"plugins\": [{\"type\": \"host\"}]}";
	struct cni_netconf **v = NULL, **nv;
	size_t n = 0;
	int r;

	if ((r = net_list(&v, &n, err)) < 0)
		return r;
	bool have_host = false;
	for (size_t i = 0; i < n; i++)
		have_host = have_host || !strcmp(v[i]->name, "host");
	/* "host" is a mode (net.h), listed as Docker lists its host network. */
	if (!have_host && (nv = realloc(v, (n + 1) * sizeof(*v)))) {
		v = nv;
		if (cni_netconf_parse(host, strlen(host), "host", &v[n], NULL) >= 0)
			n++;
	}
	qsort(v, n, sizeof(*v), by_name);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void endpoint_id(const char *ctr, const char *net, char buf[65])
{
	char in[256];
	img_digest d;

	/* Docker's endpoint ids are random; ours is stable per container and network. */
	snprintf(in, sizeof(in), "%s/%s", ctr, net);
	img_digest_buf(in, strlen(in), d);
	memcpy(buf, img_digest_hex(d), 65);
}

static int add_attachment(json_t *all, const struct ctr_record *rec, const struct ctr_network *n)
{
	const char *net = n->mode == CTR_NET_HOST ? "host" : n->mode == CTR_NET_NONE ? "none" : n->name;
	const char *v4 = "", *v6 = "";
	char eid[65];
	json_t *per;

	if (!net || n->mode == CTR_NET_CONTAINER || n->done)
		return 0;
	for (char **a = n->addresses; a && *a; a++) {
		if (strchr(*a, ':') && !*v6)
			v6 = *a;
		else if (!strchr(*a, ':') && !*v4)
			v4 = *a;
	}
	if (!(per = json_object_get(all, net)) && json_object_set_new(all, net, per = json_object()) < 0)
		return -ENOMEM;
	endpoint_id(rec->id, net, eid);
	return json_object_set_new(per, rec->id,
				   json_pack("{s:s, s:s, s:s, s:s, s:s}", "Name", rec->name, "EndpointID", eid,
					     "MacAddress", n->mac_addr ? n->mac_addr : "", "IPv4Address", v4,
					     "IPv6Address", v6));
}

int netdef_containers(json_t **ret, struct nr_error *err)
{
	_cleanup_json_ json_t *all = json_object();
	_cleanup_strv_ char **names = NULL;
	int r;

	if (!all)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = ctr_store_names(&names, err)) < 0)
		return r;
	for (char **p = names; *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		if (ctr_store_load(*p, &rec, NULL) < 0 || !ctr_running(rec))
			continue;
		r = add_attachment(all, rec, &rec->net);
		for (size_t i = 0; r >= 0 && i < rec->n_more; i++)
			r = add_attachment(all, rec, &rec->more[i]);
		if (r < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	*ret = TAKE_PTR(all);
	return 0;
}

static int bridge_name(size_t i, json_t *plugin, const struct cni_builtin *b, void *data, struct nr_error *err)
{
	return b->ops->host->object && b->ops->host->object(plugin, data, 16) > 0 ? 1 : 0;
}

/* The smallest prefix holding both a and b: the --ip-range that gave host-local's
 * rangeStart and rangeEnd (netdef_plan.c moves them in by one at most at the subnet's
 * edges, which keeps them inside the range). */
static struct ip_prefix common_prefix(const struct ip_addr *a, const struct ip_addr *b)
{
	struct ip_prefix p = { .addr = *a, .len = ip_addr_bits(a) };

	while (p.len > 0 && !ip_prefix_contains(&p, b))
		p.len--;
	return ip_prefix_network(&p);
}

static json_t *ipam_config(const struct cni_netconf *conf, bool ours, bool *ret_v6)
{
	json_t *cfg = json_array(), *pl, *set, *r;
	size_t i, j, k;

	json_array_foreach(json_object_get(conf->list, "plugins"), i, pl) {
		json_t *ipam = json_object_get(pl, "ipam");
		json_array_foreach(json_object_get(ipam, "ranges"), j, set) {
			json_array_foreach(set, k, r) {
				const char *sub = json_string_value(json_object_get(r, "subnet"));
				const char *gw = json_string_value(json_object_get(r, "gateway"));
				const char *rs = json_string_value(json_object_get(r, "rangeStart"));
				const char *re = json_string_value(json_object_get(r, "rangeEnd"));
				struct ip_addr a, b;
				json_t *c;
				if (!sub || !(c = json_pack("{s:s}", "Subnet", sub)))
					continue;
				*ret_v6 = *ret_v6 || strchr(sub, ':');
				if (gw)
					json_object_set_new(c, "Gateway", json_string(gw));
				if (ours && rs && re && ip_addr_parse(rs, &a) >= 0 && ip_addr_parse(re, &b) >= 0 &&
				    a.family == b.family) {
					char buf[IP_PREFIX_STRLEN];
					struct ip_prefix rp = common_prefix(&a, &b);
					json_object_set_new(c, "IPRange",
							    json_string(ip_prefix_format(&rp, buf, sizeof(buf))));
				}
				json_array_append_new(cfg, c);
			}
		}
		const char *sub = json_string_value(json_object_get(ipam, "subnet"));
		if (sub) {
			const char *gw = json_string_value(json_object_get(ipam, "gateway"));
			*ret_v6 = *ret_v6 || strchr(sub, ':');
			json_array_append_new(cfg, gw ? json_pack("{s:s, s:s}", "Subnet", sub, "Gateway", gw)
						      : json_pack("{s:s}", "Subnet", sub));
		}
	}
	return cfg;
}

/* A hand-written network's Created: its file's time; Go's zero time for a built-in one. */
static void created_of(const struct cni_netconf *conf, char *buf, size_t len)
{
	struct stat st;
	struct tm tm;
	char s[32];

	snprintf(buf, len, "0001-01-01T00:00:00Z");
	if (!conf->path || stat(conf->path, &st) < 0 || !gmtime_r(&st.st_mtim.tv_sec, &tm))
		return;
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", s, st.st_mtim.tv_nsec);
}

static const char *driver_of(const struct cni_netconf *conf, const struct netdef_meta *m)
{
	json_t *first = json_array_get(json_object_get(conf->list, "plugins"), 0);
	const char *type = json_string_value(json_object_get(first, "type"));

	if (m->ours)
		return m->driver;
	if (netdef_is_builtin(conf) && !strcmp(conf->name, "none"))
		return "null";
	if (netdef_is_builtin(conf) && !strcmp(conf->name, "host"))
		return "host";
	return type ? type : "";
}

json_t *netdef_inspect_json(const struct cni_netconf *conf, json_t *ctrs)
{
	json_t *meta = json_object_get(conf->list, "netns-run");
	json_t *first = json_array_get(json_object_get(conf->list, "plugins"), 0);
	json_t *mine = json_object_get(ctrs, conf->name);
	_cleanup_json_ json_t *options = NULL, *labels = NULL, *cfg = NULL, *none = json_object();
	struct netdef_meta m;
	char created[40], br[16] = "";
	bool v6 = false;

	netdef_meta_get(conf, &m);
	if (!none || !(cfg = ipam_config(conf, m.ours, &v6)))
		return NULL;
	if (m.ours) {
		snprintf(created, sizeof(created), "%s", m.created);
		options = json_deep_copy(json_object_get(meta, "options"));
		labels = json_deep_copy(json_object_get(meta, "labels"));
	} else {
		created_of(conf, created, sizeof(created));
		options = json_object();
		labels = json_object();
		/* Docker shows a bridge network's bridge name among its options. */
		if (options && cni_builtin_host_each(rt_plugins, conf, bridge_name, br, NULL) > 0 && *br)
			json_object_set_new(options, "com.docker.network.bridge.name", json_string(br));
	}
	if (!json_is_object(options))
		json_decref(options), options = json_object();
	if (!json_is_object(labels))
		json_decref(labels), labels = json_object();
	bool internal = m.ours ? m.internal : json_is_true(json_object_get(first, "internal"));
	json_t *net =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:O}, s:b, s:b, s:b, s:{s:s}, s:b, s:O, s:O, "
			  "s:O}",
			  "Name", conf->name, "Id", m.id, "Created", created, "Scope", "local", "Driver",
			  driver_of(conf, &m), "EnableIPv6", m.ours ? m.ipv6 : v6, "IPAM", "Driver", "default",
			  "Options", "Config", cfg, "Internal", internal, "Attachable", 0, "Ingress", 0, "ConfigFrom",
			  "Network", "", "ConfigOnly", 0, "Containers", mine ? mine : none, "Options", options,
			  "Labels", labels);
	if (net)
		overlay_net_inspect(conf, net);
	return net;
}
